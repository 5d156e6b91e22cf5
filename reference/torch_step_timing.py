"""CPU anchor: time one FP training step (forward + backward + AdamW step) of the ViT in PyTorch.

Default: tiny config (D 64, depth 4, heads 4, MLP 256, image 28, patch 4), batch 128, 2 threads,
3 warm-up steps then the median of 10 timed steps.  Prints one JSON line.

Usage (Debian torch):  /usr/bin/python3 reference/torch_step_timing.py [--config tiny] [--batch 128] [--threads 2]
"""
import argparse
import json
import statistics
import sys
import time

sys.dont_write_bytecode = True  # keep reference/ free of __pycache__
import torch
import torch.nn.functional as F

from vit_reference import CONFIGS, VisionTransformer


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default="tiny", choices=sorted(CONFIGS))
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cfg = CONFIGS[args.config]
    model = VisionTransformer(cfg).train()
    # Recipe optimiser (method doc section 6): AdamW lr 1e-3, wd 0.05 on 2-D+ weights only.
    # (linear and conv kernels; not biases, LayerNorms, cls token or pos embedding).
    params = list(model.named_parameters())
    decay = [p for n, p in params if n.endswith("weight") and p.ndim >= 2]
    no_decay = [p for n, p in params if not (n.endswith("weight") and p.ndim >= 2)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)

    # Synthetic batch with the data's shape (timing does not depend on the values).
    x = torch.randn(args.batch, cfg.channels, cfg.imageSize, cfg.imageSize)
    y = torch.randint(0, cfg.numClasses, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)

    ms = statistics.median(times) * 1e3
    print(json.dumps({"config": args.config, "batch": args.batch, "threads": args.threads,
                      "torch_train_step_ms": round(ms, 2),
                      "torch_train_img_s": round(args.batch / (ms / 1e3), 1)}))


if __name__ == "__main__":
    main()
