#!/usr/bin/env python3
"""A DeiT in timm's safetensors layout, with its forward pass in NumPy (no torch, no timm needed).

    python3 reference/timm_deit_file.py write MODEL VECTORS   a random DeiT-shaped model in timm's names, and
                                                              input images with the logits this forward gives
    python3 reference/timm_deit_file.py check MODEL VECTORS   the logits of a model the workbench exported, on the
                                                              vectors' input, against the logits the vectors hold
    python3 reference/timm_deit_file.py deit-tiny MODEL       a random model of deit_tiny_patch16_224's shape (224
                                                              pixels RGB, patch 16, D 192, 12 blocks of 3 heads, MLP
                                                              768, 1000 classes) for the README's screenshots

The forward is timm's VisionTransformer (deit_*_patch16_224 family) at small size: conv patch embedding
(patch_embed.proj), a cls token, learned pos_embed, pre-norm blocks (LayerNorm eps 1e-6, qkv, softmax(q k^T /
sqrt(d)) v, proj; fc1, exact GELU, fc2), final norm, head on the cls token. Names and shapes are timm's:
patch_embed.proj.weight [D, C, P, P], cls_token [1, 1, D], pos_embed [1, N, D], blocks.{i}.attn.qkv.weight
[3D, D], ..., head.weight [classes, D]. The number of heads is D / 64, as in every DeiT.
"""
import json
import math
import struct
import sys

import numpy as np

CFG = dict(img=28, patch=4, chans=1, dim=128, depth=2, heads=2, mlp=256, classes=10)
ERF = np.vectorize(math.erf)


def write_safetensors(path, tensors, metadata):
    header, data, offset = {"__metadata__": metadata}, b"", 0
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read_safetensors(path):
    blob = open(path, "rb").read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = blob[8 + n:]
    out = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", name + " is " + e["dtype"]
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[b:end], dtype="<f4").reshape(e["shape"]).astype(np.float64)
    return out, meta


def random_model(rng):
    c = CFG
    d, n = c["dim"], (c["img"] // c["patch"]) ** 2 + 1
    t = {"patch_embed.proj.weight": rng.normal(0, 0.05, (d, c["chans"], c["patch"], c["patch"])),
         "patch_embed.proj.bias": rng.normal(0, 0.02, d),
         "cls_token": rng.normal(0, 0.02, (1, 1, d)), "pos_embed": rng.normal(0, 0.02, (1, n, d))}
    for i in range(c["depth"]):
        p = "blocks.%d." % i
        t.update({p + "norm1.weight": 1 + rng.normal(0, 0.1, d), p + "norm1.bias": rng.normal(0, 0.1, d),
                  p + "attn.qkv.weight": rng.normal(0, 0.08, (3 * d, d)), p + "attn.qkv.bias": rng.normal(0, 0.02, 3 * d),
                  p + "attn.proj.weight": rng.normal(0, 0.08, (d, d)), p + "attn.proj.bias": rng.normal(0, 0.02, d),
                  p + "norm2.weight": 1 + rng.normal(0, 0.1, d), p + "norm2.bias": rng.normal(0, 0.1, d),
                  p + "mlp.fc1.weight": rng.normal(0, 0.08, (c["mlp"], d)), p + "mlp.fc1.bias": rng.normal(0, 0.02, c["mlp"]),
                  p + "mlp.fc2.weight": rng.normal(0, 0.08, (d, c["mlp"])), p + "mlp.fc2.bias": rng.normal(0, 0.02, d)})
    t.update({"norm.weight": 1 + rng.normal(0, 0.1, d), "norm.bias": rng.normal(0, 0.1, d),
              "head.weight": rng.normal(0, 0.08, (c["classes"], d)), "head.bias": rng.normal(0, 0.02, c["classes"])})
    return {k: v.astype(np.float32).astype(np.float64) for k, v in t.items()}


def layer_norm(x, w, b, eps=1e-6):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * w + b


def forward(t, x):
    """timm's VisionTransformer forward, float64. x: [B, C, S, S] normalised images -> logits [B, classes]."""
    w = t["patch_embed.proj.weight"]
    d, c, p, _ = w.shape
    bsz, s = x.shape[0], x.shape[2]
    g = s // p
    patches = x.reshape(bsz, c, g, p, g, p).transpose(0, 2, 4, 1, 3, 5).reshape(bsz, g * g, c * p * p)
    tokens = patches @ w.reshape(d, -1).T + t["patch_embed.proj.bias"]
    z = np.concatenate([np.broadcast_to(t["cls_token"], (bsz, 1, d)), tokens], 1) + t["pos_embed"]
    heads = d // 64
    depth = len({k.split(".")[1] for k in t if k.startswith("blocks.")})
    for i in range(depth):
        q = "blocks.%d." % i
        h = layer_norm(z, t[q + "norm1.weight"], t[q + "norm1.bias"])
        qkv = (h @ t[q + "attn.qkv.weight"].T + t[q + "attn.qkv.bias"]).reshape(bsz, -1, 3, heads, d // heads)
        qq, kk, vv = qkv.transpose(2, 0, 3, 1, 4)
        a = qq @ kk.transpose(0, 1, 3, 2) / math.sqrt(d // heads)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        o = (a @ vv).transpose(0, 2, 1, 3).reshape(bsz, -1, d)
        z = z + o @ t[q + "attn.proj.weight"].T + t[q + "attn.proj.bias"]
        h = layer_norm(z, t[q + "norm2.weight"], t[q + "norm2.bias"])
        h = h @ t[q + "mlp.fc1.weight"].T + t[q + "mlp.fc1.bias"]
        h = 0.5 * h * (1 + ERF(h / math.sqrt(2)))
        z = z + h @ t[q + "mlp.fc2.weight"].T + t[q + "mlp.fc2.bias"]
    z = layer_norm(z, t["norm.weight"], t["norm.bias"])
    return z[:, 0] @ t["head.weight"].T + t["head.bias"]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "deit-tiny":
        CFG.update(img=224, patch=16, chans=3, dim=192, depth=12, heads=3, mlp=768, classes=1000)
        write_safetensors(sys.argv[2], random_model(np.random.default_rng(17)), {"format": "pt"})
        sys.exit(0)
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "write":
        rng = np.random.default_rng(13)
        model = random_model(rng)
        write_safetensors(sys.argv[2], model, {"format": "pt"})
        x = rng.normal(0, 1, (4, CFG["chans"], CFG["img"], CFG["img"])).astype(np.float32).astype(np.float64)
        write_safetensors(sys.argv[3], {"input": x, "logits": forward(model, x)}, {"format": "qvit-vectors"})
    else:
        model, _ = read_safetensors(sys.argv[2])
        vectors, _ = read_safetensors(sys.argv[3])
        logits = forward(model, vectors["input"])
        err = np.abs(logits - vectors["logits"]).max() / max(1e-12, np.abs(vectors["logits"]).max())
        print("max relative logit difference %.3g" % err)
        sys.exit(0 if err < 1e-4 else 1)
