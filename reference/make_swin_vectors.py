"""Export full-precision Swin parity vectors for the Java JUnit tests (issue 17).

Config "parity" of swin_reference.py (image 28, patch 2, embed 16, stages of depth 2 with 2 and 4 heads,
window 7, MLP ratio 2, 10 classes): stage 0 runs 4 windows of 49 tokens, its second block shifted by 3 with the
mask; stage 1 one window without shift. torch.manual_seed(0); batch = the first 2 Fashion-MNIST test images.
Writes .npy files (C order, little endian) to model/src/test/resources/parity/swin/:

  input, labels                      the batch ([2,1,28,28] float32, [2] int64)
  <param>                            every parameter, by timm's state_dict name
  logits, loss, grad.<param>         float32 forward / mean cross-entropy / backward
  logits_f64, loss_f64, grad_f64.<param>   the same computed in float64 (model.double())
  probe.{b}.q / .k / .attn           per block b (counted over stages), raw q, k [B*nW, H, N, d] and the softmax
                                     probabilities [B*nW, H, N, N], float32
  config.json

Usage (Debian torch):  /usr/bin/python3 reference/make_swin_vectors.py [--out DIR]
"""
import argparse
import copy
import json
import os
import sys

sys.dont_write_bytecode = True
import torch
import torch.nn.functional as F

from make_fp_vectors import Writer
from swin_reference import CONFIGS, SwinTransformer
from vit_reference import load_fashion_mnist

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "model", "src", "test", "resources", "parity", "swin")
BATCH = 2


def forward_backward(model, x, y):
    model.zero_grad(set_to_none=True)
    logits, probes = model(x, capture=True)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return logits, loss, probes, {n: p.grad.clone() for n, p in model.named_parameters()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    out = os.path.normpath(ap.parse_args().out)
    save = Writer(out)
    cfg = CONFIGS["parity"]
    torch.manual_seed(0)
    model = SwinTransformer(cfg).float()
    images, labels = load_fashion_mnist("test")
    x, y = torch.from_numpy(images[:BATCH].copy()), torch.from_numpy(labels[:BATCH].copy())
    save("input", x)
    save("labels", y)
    for name, p in model.named_parameters():
        save(name, p)
    logits, loss, probes, grads = forward_backward(model, x, y)
    save("logits", logits)
    save("loss", loss)
    for name, g in grads.items():
        save("grad." + name, g)
    for b, probe in enumerate(probes):
        for key, t in probe.items():
            save(f"probe.{b}.{key}", t)
    model64 = copy.deepcopy(model).double()
    logits64, loss64, _, grads64 = forward_backward(model64, x.double(), y)
    save("logits_f64", logits64, f64=True)
    save("loss_f64", loss64, f64=True)
    for name, g in grads64.items():
        save("grad_f64." + name, g, f64=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump({**cfg.to_dict(), "batch": BATCH, "torch": torch.__version__}, f, indent=1)
    print(f"wrote {len(os.listdir(out))} files to {out}; loss {loss.item():.6f} (f64 {loss64.item():.12f})")


if __name__ == "__main__":
    main()
