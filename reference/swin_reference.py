"""PyTorch reference of the full-precision Swin Transformer of the Q-ViT Workbench (issue 17).

Written after timm's `timm/models/swin_transformer.py` (Liu et al. 2021), which it follows operation for
operation; it is an independent check of the Java/ND4J implementation (package dev.qvit.model.swin), not part
of it, and needs no timm install:

    x      = LN(PatchEmbed(img))                         conv kernel = stride = patch, tokens in raster order
    per stage s, per block i (shift = 0 for even i, window // 2 for odd i; a stage whose resolution is at most
    the window has one window and no shift, as timm decides):
        x  = x + WindowReverse(W-MSA(WindowPartition(roll(LN1(x), -shift))), +shift)
        x  = x + FC2(GELU(FC1(LN2(x))))
        W-MSA(x) = Proj(softmax(q k^T * d^-0.5 + B[rel(i, j)] + mask) v) per window and head
    between stages: PatchMerging = Linear_nobias(LN([x0, x1, x2, x3]))   x0 = x[0::2, 0::2], x1 = x[1::2, 0::2],
                                                                          x2 = x[0::2, 1::2], x3 = x[1::2, 1::2]
    logits = Head(mean over tokens of LN(x))

LayerNorm eps is PyTorch's default 1e-5 (timm's Swin uses nn.LayerNorm), unlike the DeiT blocks' 1e-6. The
shifted-window mask gives -100 to pairs of tokens from different regions of the rolled image, as timm does.

State-dict names are timm's (also the parity-vector file names):
  patch_embed.proj.weight/bias, patch_embed.norm.*,
  layers.{s}.blocks.{i}.norm1.*, .attn.qkv.*, .attn.proj.*, .attn.relative_position_bias_table,
  .norm2.*, .mlp.fc1.*, .mlp.fc2.*, layers.{s}.downsample.norm.*, layers.{s}.downsample.reduction.weight,
  norm.*, head.*
"""
import functools
from dataclasses import dataclass, field, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

LN_EPS = 1e-5
INIT_STD = 0.02
MASK_VALUE = -100.0


@dataclass
class SwinConfig:
    imageSize: int = 28
    patchSize: int = 2
    channels: int = 1
    embedDim: int = 32
    depths: list = field(default_factory=lambda: [2, 2])
    numHeads: list = field(default_factory=lambda: [2, 4])
    windowSize: int = 7
    mlpRatio: int = 4
    numClasses: int = 10

    def resolution(self, stage):
        return self.imageSize // self.patchSize // (2 ** stage)

    def dim(self, stage):
        return self.embedDim * 2 ** stage

    def to_dict(self):
        return asdict(self)


CONFIGS = {
    # the workbench's preset (SwinConfig.tiny() in Java)
    "tiny": SwinConfig(),
    # the parity vectors: small, both stages, shifted windows with a mask in stage 0
    "parity": SwinConfig(embedDim=16, depths=[2, 2], numHeads=[2, 4], mlpRatio=2),
}


def window_partition(x, w):
    """[B, H, W, C] -> [B * H/w * W/w, w * w, C], windows in raster order, tokens in raster order inside."""
    b, h, wd, c = x.shape
    x = x.view(b, h // w, w, wd // w, w, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, w * w, c)


def window_reverse(windows, w, h, wd):
    """Inverse of window_partition: [B * nW, w * w, C] -> [B, H, W, C]."""
    c = windows.shape[-1]
    b = windows.shape[0] // ((h // w) * (wd // w))
    x = windows.view(b, h // w, wd // w, w, w, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, wd, c)


def relative_position_index(w):
    """[w*w, w*w]: index into the (2w-1)^2 bias table of the offset between token i and token j of a window."""
    coords = torch.stack(torch.meshgrid(torch.arange(w), torch.arange(w), indexing="ij")).flatten(1)  # [2, N]
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0)                           # [N, N, 2]
    return (rel[:, :, 0] + w - 1) * (2 * w - 1) + (rel[:, :, 1] + w - 1)


def shift_mask(resolution, w, shift):
    """[nW, N, N] additive mask of the shifted windows: 0 within a region of the rolled image, -100 across."""
    regions = torch.zeros(1, resolution, resolution, 1)
    count = 0
    for hs in (slice(0, -w), slice(-w, -shift), slice(-shift, None)):
        for ws in (slice(0, -w), slice(-w, -shift), slice(-shift, None)):
            regions[:, hs, ws, :] = count
            count += 1
    ids = window_partition(regions, w).squeeze(-1)                                             # [nW, N]
    diff = ids.unsqueeze(1) - ids.unsqueeze(2)
    return diff.masked_fill(diff != 0, MASK_VALUE).masked_fill(diff == 0, 0.0)


class WindowAttention(nn.Module):
    """W-MSA; rectify_qk, quantize_qkv and quantize_attn are the quantized student's hook points (identities)."""

    def __init__(self, dim, heads, w, linear=nn.Linear):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.w = w
        self.qkv = linear(dim, 3 * dim)
        self.proj = linear(dim, dim)
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * w - 1) ** 2, heads))
        self.register_buffer("relative_position_index", relative_position_index(w), persistent=False)

    def bias(self):
        n = self.w * self.w
        return self.relative_position_bias_table[self.relative_position_index.view(-1)].view(n, n, -1) \
            .permute(2, 0, 1)                                                                   # [H, N, N]

    def forward(self, x, mask=None, capture=None):
        bw, n, c = x.shape
        qkv = self.qkv(x).reshape(bw, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)                                                                 # [B*nW, H, N, d]
        raw_q, raw_k = q, k
        q, k = self.rectify_qk(q, k)
        q, k, v = self.quantize_qkv(q, k, v)
        attn = (q * self.scale) @ k.transpose(-2, -1) + self.bias().unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            attn = (attn.view(bw // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)).view(bw, self.heads, n, n)
        attn = attn.softmax(dim=-1)
        if capture is not None:
            capture.append({"q": raw_q, "k": raw_k, "attn": attn})
        attn = self.quantize_attn(attn)
        return self.proj((attn @ v).transpose(1, 2).reshape(bw, n, c))

    def rectify_qk(self, q, k):
        return q, k

    def quantize_qkv(self, q, k, v):
        return q, k, v

    def quantize_attn(self, attn):
        return attn


class Mlp(nn.Module):
    def __init__(self, dim, hidden, linear=nn.Linear, clip=None):
        super().__init__()
        self.fc1 = linear(dim, hidden)
        self.fc2 = linear(hidden, dim)
        self.clip = clip

    def forward(self, x):
        h = F.gelu(self.fc1(x))
        return self.fc2(h if self.clip is None else h.clamp(-self.clip, self.clip))


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, resolution, w, shift, mlp_ratio, attention=WindowAttention, mlp=Mlp):
        super().__init__()
        if resolution <= w:                     # timm: one window, no shift
            w, shift = resolution, 0
        self.resolution, self.w, self.shift = resolution, w, shift
        self.norm1 = nn.LayerNorm(dim, eps=LN_EPS)
        self.attn = attention(dim, heads, w)
        self.norm2 = nn.LayerNorm(dim, eps=LN_EPS)
        self.mlp = mlp(dim, dim * mlp_ratio)
        self.register_buffer("attn_mask", shift_mask(resolution, w, shift) if shift > 0 else None, persistent=False)

    def forward(self, x, capture=None):
        b, l, c = x.shape
        r = self.resolution
        h = self.norm1(x).view(b, r, r, c)
        if self.shift > 0:
            h = torch.roll(h, shifts=(-self.shift, -self.shift), dims=(1, 2))
        h = self.attn(window_partition(h, self.w), self.attn_mask, capture)
        h = window_reverse(h, self.w, r, r)
        if self.shift > 0:
            h = torch.roll(h, shifts=(self.shift, self.shift), dims=(1, 2))
        x = x + h.reshape(b, l, c)
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim, resolution):
        super().__init__()
        self.resolution = resolution
        self.norm = nn.LayerNorm(4 * dim, eps=LN_EPS)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x):
        b, l, c = x.shape
        r = self.resolution
        x = x.view(b, r, r, c)
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


class Stage(nn.Module):
    def __init__(self, cfg, s):
        super().__init__()
        dim, r = cfg.dim(s), cfg.resolution(s)
        self.blocks = nn.ModuleList([
            SwinBlock(dim, cfg.numHeads[s], r, cfg.windowSize, 0 if i % 2 == 0 else cfg.windowSize // 2, cfg.mlpRatio)
            for i in range(cfg.depths[s])])
        self.downsample = PatchMerging(dim, r) if s < len(cfg.depths) - 1 else None

    def forward(self, x, capture=None):
        for block in self.blocks:
            x = block(x, capture)
        return x if self.downsample is None else self.downsample(x)


class PatchEmbed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.proj = nn.Conv2d(cfg.channels, cfg.embedDim, cfg.patchSize, cfg.patchSize)
        self.norm = nn.LayerNorm(cfg.embedDim, eps=LN_EPS)

    def forward(self, x):
        return self.norm(self.proj(x).flatten(2).transpose(1, 2))                              # [B, L, C]


class SwinTransformer(nn.Module):
    def __init__(self, cfg: SwinConfig):
        super().__init__()
        self.cfg = cfg
        self.patch_embed = PatchEmbed(cfg)
        self.layers = nn.ModuleList([Stage(cfg, s) for s in range(len(cfg.depths))])
        features = cfg.dim(len(cfg.depths) - 1)
        self.norm = nn.LayerNorm(features, eps=LN_EPS)
        self.head = nn.Linear(features, cfg.numClasses)
        self.apply(init_weights)
        for m in self.modules():
            if isinstance(m, WindowAttention):
                nn.init.trunc_normal_(m.relative_position_bias_table, std=INIT_STD, a=-2.0, b=2.0)

    def forward(self, x, capture=False):
        probes = [] if capture else None
        x = self.patch_embed(x)
        for stage in self.layers:
            x = stage(x, probes)
        logits = self.head(self.norm(x).mean(dim=1))
        return (logits, probes) if capture else logits


def init_weights(m):
    """timm's init_weights_vit_timm: trunc-normal(0.02) linear weights, zero biases; convs keep PyTorch's."""
    if isinstance(m, nn.Linear):
        nn.init.trunc_normal_(m.weight, std=INIT_STD, a=-2.0, b=2.0)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


# --------------------------------------------------------------------------------------------------
# The quantized student's window attention (method doc 3, 4, 8, as QuantAttention of vit_reference.py)
# --------------------------------------------------------------------------------------------------

class QuantWindowAttention(WindowAttention):
    """qkv (b bits) -> split heads -> IRM(q), IRM(k) -> per-head quantizers of q, k, v ([B*nW, H, N, d], axis 1)
    -> scaled scores + relative position bias (+ mask) -> softmax -> per-head quantizer of A -> A v -> proj (b bits).
    The bias and mask are added in float, before the softmax, like the scores themselves."""

    def __init__(self, dim, heads, w, bits=4, irm="token"):
        from vit_reference import IRM_EPS, DistributionIRM, LsqQuantizer, QuantLinear
        super().__init__(dim, heads, w, linear=functools.partial(QuantLinear, bits=bits))
        d = dim // heads
        if irm == "token":
            self.norm_q, self.norm_k = nn.LayerNorm(d, eps=IRM_EPS), nn.LayerNorm(d, eps=IRM_EPS)
        elif irm == "distribution":
            self.norm_q, self.norm_k = DistributionIRM(heads), DistributionIRM(heads)
        else:
            self.norm_q = self.norm_k = None
        self.q_quant = LsqQuantizer(bits, heads, axis=1)
        self.k_quant = LsqQuantizer(bits, heads, axis=1)
        self.v_quant = LsqQuantizer(bits, heads, axis=1)
        self.attn_quant = LsqQuantizer(bits, heads, axis=1)

    def rectify_qk(self, q, k):
        return (q, k) if self.norm_q is None else (self.norm_q(q), self.norm_k(k))

    def quantize_qkv(self, q, k, v):
        return self.q_quant(q), self.k_quant(k), self.v_quant(v)

    def quantize_attn(self, attn):
        return self.attn_quant(attn)


def quantized_block(cfg, stage, index, bits, irm):
    """Block `index` of stage `stage` of a student: every linear at `bits`, MLP GELU clamped to [-10, 10]."""
    from vit_reference import GELU_CLIP, QuantLinear
    return SwinBlock(cfg.dim(stage), cfg.numHeads[stage], cfg.resolution(stage), cfg.windowSize,
                     0 if index % 2 == 0 else cfg.windowSize // 2, cfg.mlpRatio,
                     attention=functools.partial(QuantWindowAttention, bits=bits, irm=irm),
                     mlp=functools.partial(Mlp, linear=functools.partial(QuantLinear, bits=bits), clip=GELU_CLIP))


def block_quantizers(block, prefix):
    """(name, LsqQuantizer) of a quantized block in Java's forward order (MultiHeadSelfAttention, then Mlp)."""
    order = ["attn.qkv.input_quant", "attn.qkv.weight_quant", "attn.q_quant", "attn.k_quant", "attn.v_quant",
             "attn.attn_quant", "attn.proj.input_quant", "attn.proj.weight_quant", "mlp.fc1.input_quant",
             "mlp.fc1.weight_quant", "mlp.fc2.input_quant", "mlp.fc2.weight_quant"]
    modules = dict(block.named_modules())
    return [(prefix + n, modules[n]) for n in order]
