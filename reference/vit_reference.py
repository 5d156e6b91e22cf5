"""PyTorch reference of the full-precision DeiT-style ViT used by the Q-ViT Workbench.

The model is the one of shared/docs/qvit-method.md section 1 (pre-norm blocks, cls token + one head,
no dropout / drop-path).  It is an independent check of the Java/ND4J implementation, not part of it.

    x0     = [cls ; PatchEmbed(img)] + pos
    for each block:
        x  = x + Proj(softmax(q k^T * d^-0.5) v)      q, k, v from Linear(LN1(x))
        x  = x + FC2(GELU(FC1(LN2(x))))
    logits = Head(LN(x)[:, 0])

Extension points for the quantized student (LSQ quantizers, IRM, DGD), which a later version adds:
  * every Linear is built through the `linear` factory passed to VisionTransformer / Block / Attention / Mlp,
    so a quantized linear (input + weight quantizer) can be dropped in without touching the model code;
  * Attention.forward computes q, k, v and then calls `rectify_qk` (IRM goes here) and `quantize_qkv`
    (q/k/v quantizers) before the scores, and `quantize_attn` after the softmax (A quantizer);
    in the FP model all three are the identity;
  * `capture=True` records per layer the raw q, k (B,H,N,d) and the attention probabilities A (B,H,N,N),
    the tensors the DGD loss and the Fig.1 statistics are built from.

State-dict names (also the parity-vector file names):
  patch_embed.weight/bias, cls_token, pos_embed,
  blocks.{l}.norm1.*, blocks.{l}.attn.qkv.*, blocks.{l}.attn.proj.*, blocks.{l}.norm2.*,
  blocks.{l}.mlp.fc1.*, blocks.{l}.mlp.fc2.*, norm.*, head.*
"""
import gzip
from dataclasses import dataclass, asdict

import numpy as np
import torch
import torch.nn as nn

LN_EPS = 1e-6       # LayerNorm eps of the blocks and the final norm
INIT_STD = 0.02     # trunc-normal std of linear weights, cls token and pos embedding
# Truncation bounds as in timm/DeiT's trunc_normal_(std=.02): absolute [-2, 2], i.e. effectively untruncated.
INIT_A, INIT_B = -2.0, 2.0

# Fashion-MNIST input normalisation (method doc section 1).
FMNIST_MEAN, FMNIST_STD = 0.2860, 0.3530


@dataclass
class ViTConfig:
    imageSize: int = 28
    patchSize: int = 4
    channels: int = 1
    dim: int = 64
    depth: int = 4
    numHeads: int = 4
    mlpDim: int = 256
    numClasses: int = 10
    lnEps: float = LN_EPS

    @property
    def num_patches(self):
        return (self.imageSize // self.patchSize) ** 2

    @property
    def num_tokens(self):  # patches + cls
        return self.num_patches + 1

    def to_dict(self):
        return asdict(self)


# Canonical configs of the method doc ([O]); "parity" is the small config of the committed test vectors.
CONFIGS = {
    "tiny": ViTConfig(dim=64, depth=4, numHeads=4, mlpDim=256),
    "small": ViTConfig(dim=96, depth=6, numHeads=3, mlpDim=384),
    "parity": ViTConfig(dim=32, depth=2, numHeads=2, mlpDim=64),
}


# --------------------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------------------

class PatchEmbed(nn.Conv2d):
    """Conv k=p, stride p (= unfold p x p patches, linear p*p*C -> D).

    Subclasses Conv2d so its parameters are `patch_embed.weight` [D,C,p,p] and `patch_embed.bias` [D].
    Output tokens are in row-major patch order: (B,D,h,w) -> flatten(2) -> (B,D,h*w) -> transpose -> (B,h*w,D).
    Weight init is the PyTorch Conv2d default (uniform +-1/sqrt(C*p*p)).
    """

    def __init__(self, cfg: ViTConfig):
        super().__init__(cfg.channels, cfg.dim, kernel_size=cfg.patchSize, stride=cfg.patchSize)

    def forward(self, img):
        return super().forward(img).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    """Multi-head self-attention with a qkv bias.

    qkv output (B,N,3D) is split as reshape(B,N,3,H,d).permute(2,0,3,1,4) -> q, k, v each (B,H,N,d).
    """

    def __init__(self, dim, num_heads, linear=nn.Linear):
        super().__init__()
        assert dim % num_heads == 0
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = linear(dim, 3 * dim, bias=True)
        self.proj = linear(dim, dim)

    # --- hook points: identity in the FP model, overridden by the quantized student ----------------
    def rectify_qk(self, q, k):
        """IRM goes here (rectify q and k before their quantizers)."""
        return q, k

    def quantize_qkv(self, q, k, v):
        """Per-head q/k/v quantizers go here."""
        return q, k, v

    def quantize_attn(self, attn):
        """Per-head quantizer of the softmax output goes here."""
        return attn

    # ----------------------------------------------------------------------------------------------
    def forward(self, x, probe=None):
        B, N, D = x.shape
        H, d = self.num_heads, self.head_dim

        qkv = self.qkv(x).reshape(B, N, 3, H, d).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]                      # (B,H,N,d) each
        if probe is not None:                                 # raw q, k: before IRM, quantizer, scaling
            probe["q"], probe["k"] = q, k

        q, k = self.rectify_qk(q, k)
        q, k, v = self.quantize_qkv(q, k, v)

        attn = (q @ k.transpose(-2, -1)) * self.scale         # (B,H,N,N) scores
        attn = attn.softmax(dim=-1)
        if probe is not None:
            probe["attn"] = attn
        attn = self.quantize_attn(attn)

        out = (attn @ v).transpose(1, 2).reshape(B, N, D)     # merge heads back to (B,N,D)
        return self.proj(out)


class Mlp(nn.Module):
    """fc1 -> exact (erf) GELU -> fc2."""

    def __init__(self, dim, hidden, linear=nn.Linear):
        super().__init__()
        self.fc1 = linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm transformer block."""

    def __init__(self, dim, num_heads, mlp_dim, eps=LN_EPS, linear=nn.Linear):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, linear=linear)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, mlp_dim, linear=linear)

    def forward(self, x, probe=None):
        x = x + self.attn(self.norm1(x), probe=probe)
        x = x + self.mlp(self.norm2(x))
        return x


class VisionTransformer(nn.Module):
    """DeiT-style ViT: cls token + one classification head, no dropout / drop-path."""

    def __init__(self, cfg: ViTConfig, linear=nn.Linear):
        super().__init__()
        self.cfg = cfg
        D = cfg.dim
        self.patch_embed = PatchEmbed(cfg)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.num_tokens, D))
        self.blocks = nn.ModuleList(
            [Block(D, cfg.numHeads, cfg.mlpDim, eps=cfg.lnEps, linear=linear) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(D, eps=cfg.lnEps)
        self.head = linear(D, cfg.numClasses)
        self.reset_parameters()

    def reset_parameters(self):
        """Init of the method doc: linear weights, cls, pos ~ trunc-normal(0.02); biases 0; LN 1/0;
        the patch conv keeps the PyTorch default set by its constructor."""
        nn.init.trunc_normal_(self.cls_token, std=INIT_STD, a=INIT_A, b=INIT_B)
        nn.init.trunc_normal_(self.pos_embed, std=INIT_STD, a=INIT_A, b=INIT_B)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=INIT_STD, a=INIT_A, b=INIT_B)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def embed(self, img):
        """x0 = [cls ; PatchEmbed(img)] + pos, shape (B, N, D); this is the input of blocks.0."""
        x = self.patch_embed(img)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        return torch.cat([cls, x], dim=1) + self.pos_embed

    def forward(self, img, capture=False):
        """Returns logits (B, classes); with capture=True returns (logits, probes), where probes[l] is a
        dict with the raw q, k (B,H,N,d) and the attention probabilities attn (B,H,N,N) of block l."""
        probes = [dict() for _ in self.blocks] if capture else [None] * len(self.blocks)
        x = self.embed(img)
        for blk, probe in zip(self.blocks, probes):
            x = blk(x, probe=probe)
        logits = self.head(self.norm(x)[:, 0])
        return (logits, probes) if capture else logits


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------

FMNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx_gz(path):
    """Read a gzipped IDX file (big-endian header: magic 0x00 0x00 type ndim, then ndim uint32 dims)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    assert data[0] == 0 and data[1] == 0 and data[2] == 0x08, "expected unsigned-byte IDX data"
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(split="test", root=FMNIST_DIR):
    """Returns (images float32 [n,1,28,28] normalised, labels int64 [n])."""
    prefix = "t10k" if split == "test" else "train"
    images = read_idx_gz(f"{root}/{prefix}-images-idx3-ubyte.gz")
    labels = read_idx_gz(f"{root}/{prefix}-labels-idx1-ubyte.gz")
    x = ((images.astype(np.float32) / 255.0 - FMNIST_MEAN) / FMNIST_STD).astype(np.float32)
    return x[:, None, :, :], labels.astype(np.int64)
