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
  qswin/        block layers.0.blocks.1 (shifted windows with the mask) of a 4-bit student with token IRM, in
                float64: its FP weights those of the model above (read from parity/swin), IRM gamma 1 + 0.2 N(0,1),
                beta 0.2 N(0,1); quantizers initialised by a first training-mode forward on the block's real input
                (the 2 images through patch embedding and block 0), then every step x exp(U(-0.25, 0.25)) per
                channel; all parameters are rounded to float32 and stored so. x, dy (float32 values), y_f64,
                dx_f64 and grad_f64.<param> of sum(block(x) * dy) in training mode; quant.json: per quantizer (Java
                forward order) signed and gradScale.

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
from swin_reference import CONFIGS, SwinTransformer, block_quantizers, quantized_block
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
    make_quantized_block(model, cfg, x, os.path.join(os.path.dirname(out), "qswin"))


def make_quantized_block(model, cfg, images, out):
    save = Writer(out)
    prefix = "layers.0.blocks.1."
    with torch.no_grad():
        x = model.layers[0].blocks[0](model.patch_embed(images)).double()              # the block's real input
    block = quantized_block(cfg, 0, 1, bits=4, irm="token").double()
    missing, unexpected = block.load_state_dict(model.layers[0].blocks[1].state_dict(), strict=False)
    assert not unexpected and all("quant" in n or "norm_q" in n or "norm_k" in n for n in missing), missing
    gen = torch.Generator().manual_seed(17)
    with torch.no_grad():
        for norm in (block.attn.norm_q, block.attn.norm_k):
            n = norm.weight.numel()
            norm.weight.copy_(1 + 0.2 * torch.randn(n, generator=gen))
            norm.bias.copy_(0.2 * torch.randn(n, generator=gen))
    block.train()
    with torch.no_grad():
        block(x)                                                                        # LSQ initialisation
        for _, q in block_quantizers(block, prefix):
            q.step.mul_(torch.exp(-0.25 + 0.5 * torch.rand(q.step.numel(), generator=gen).double()))
        for p in block.parameters():
            p.copy_(p.float().double())                                                 # what the files hold
    for name, p in block.named_parameters():
        save(prefix + name, p)
    dy = torch.randn(x.shape, generator=gen).float().double()
    xi = x.clone().requires_grad_(True)
    y = block(xi)
    (y * dy).sum().backward()
    save("x", x)
    save("dy", dy)
    save("y_f64", y, f64=True)
    save("dx_f64", xi.grad, f64=True)
    for name, p in block.named_parameters():
        save("grad_f64." + prefix + name, p.grad, f64=True)
    states = [{"name": n, "signed": q.signed, "gradScale": q.grad_scale} for n, q in block_quantizers(block, prefix)]
    with open(os.path.join(out, "quant.json"), "w") as f:
        json.dump({"block": prefix[:-1], "bits": 4, "rectification": "token", "quantizers": states}, f, indent=1)
    print(f"wrote {len(os.listdir(out))} files to {out}")


if __name__ == "__main__":
    main()
