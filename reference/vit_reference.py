"""PyTorch reference of the full-precision DeiT-style ViT used by the Q-ViT Workbench.

The model is the one of shared/docs/qvit-method.md section 1 (pre-norm blocks, cls token + one head,
no dropout / drop-path).  It is an independent check of the Java/ND4J implementation, not part of it.

    x0     = [cls ; PatchEmbed(img)] + pos
    for each block:
        x  = x + Proj(softmax(q k^T * d^-0.5) v)      q, k, v from Linear(LN1(x))
        x  = x + FC2(GELU(FC1(LN2(x))))
    logits = Head(LN(x)[:, 0])

Quantized student (method doc sections 2-5, second half of this file):
  * `quantized_vit(cfg, bits, irm)` builds the same model through its factories: every block Linear is a
    `QuantLinear` (LSQ input quantizer per feature + weight quantizer per output channel, b bits), the
    attention a `QuantAttention` (IRM, per-head q/k/v/A quantizers), the MLP a `QuantMlp` (GELU clamped to
    [-10, 10]); patch embedding (`QuantPatchEmbed`: image per channel + kernel) and head at 8 bits;
  * `LsqQuantizer` / `LsqFunction`: LSQ with the straight-through estimator written out (zero point rounded
    with STE, gradient scale g fixed at the first training forward, round = torch.round, half to even);
  * IRM: `token` form (nn.LayerNorm(head_dim), eps 1e-5, shared by heads) or `distribution` form
    (`DistributionIRM`, per-head statistics, running averages in eval);
  * `student_from_teacher` copies the FP weights; `dgd_loss` / `dgd_loss_layer` are the DGD terms.
  These plug into the FP model's hook points: the `linear` factory passed to VisionTransformer / Block /
  Attention / Mlp (plus `attention`, `mlp`, `patch_embed`, `head_linear` factories), and Attention.forward,
  which calls `rectify_qk` (IRM) and `quantize_qkv` before the scores and `quantize_attn` after the softmax
  (identities in the FP model). `capture=True` records per layer the raw q, k (B,H,N,d) and the attention
  probabilities A (B,H,N,N), the tensors the DGD loss and the Fig.1 statistics are built from.

State-dict names (also the parity-vector file names):
  patch_embed.weight/bias, cls_token, pos_embed,
  blocks.{l}.norm1.*, blocks.{l}.attn.qkv.*, blocks.{l}.attn.proj.*, blocks.{l}.norm2.*,
  blocks.{l}.mlp.fc1.*, blocks.{l}.mlp.fc2.*, norm.*, head.*
  quantized student, as in Java: <linear>.input_quant.step / .zero_point, <linear>.weight_quant.step (for
  patch_embed, every block linear and head), blocks.{l}.attn.{q,k,v,attn}_quant.step / .zero_point [H],
  blocks.{l}.attn.norm_q / norm_k .weight / .bias ([d] token form; [H] plus running_mean / running_var
  distribution form)
"""
import functools
import gzip
import math
from dataclasses import dataclass, asdict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

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
    """Pre-norm transformer block. `attention` and `mlp` are the module classes (factories) of the two branches."""

    def __init__(self, dim, num_heads, mlp_dim, eps=LN_EPS, linear=nn.Linear, attention=None, mlp=None):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = (attention or Attention)(dim, num_heads, linear=linear)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = (mlp or Mlp)(dim, mlp_dim, linear=linear)

    def forward(self, x, probe=None):
        x = x + self.attn(self.norm1(x), probe=probe)
        x = x + self.mlp(self.norm2(x))
        return x


class VisionTransformer(nn.Module):
    """DeiT-style ViT: cls token + one classification head, no dropout / drop-path.

    The factories default to the FP modules; `quantized_vit` below passes the quantized ones (block linears,
    attention, MLP at b bits; patch embedding and head at 8 bits)."""

    def __init__(self, cfg: ViTConfig, linear=nn.Linear, attention=None, mlp=None, patch_embed=None,
                 head_linear=None):
        super().__init__()
        self.cfg = cfg
        D = cfg.dim
        self.patch_embed = (patch_embed or PatchEmbed)(cfg)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, D))
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.num_tokens, D))
        self.blocks = nn.ModuleList(
            [Block(D, cfg.numHeads, cfg.mlpDim, eps=cfg.lnEps, linear=linear, attention=attention, mlp=mlp)
             for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(D, eps=cfg.lnEps)
        self.head = (head_linear or linear)(D, cfg.numClasses)
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
# Quantized student (method doc sections 2-5): LSQ, quantized linear / patch embedding / attention / MLP,
# IRM (token and distribution forms), DGD. Every [C]/[R] choice of the method doc is written out here.
# --------------------------------------------------------------------------------------------------

MIN_STEP = 1e-8         # s is clamped to >= 1e-8 in forward [O]; its gradient passes unchanged
SIGN_THRESHOLD = -1e-5  # an activation quantizer is signed iff min(first training batch) < -1e-5
IRM_EPS = 1e-5          # IRM LayerNorm eps (PyTorch default of nn.LayerNorm(head_dim) in [C])
IRM_MOMENTUM = 0.1      # running statistics of the distribution form of IRM
GELU_CLIP = 10.0        # GELU output clamp inside quantized MLPs [C]
DGD_EPS = 1e-12         # denominator of G = M / (||M||_F + eps)


def quant_range(bits, signed):
    """(Qn, Qp): signed [-2^(b-1), 2^(b-1) - 1], unsigned [0, 2^b - 1] (method doc 2.1)."""
    return (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)


def _channel_shape(x, axis):
    shape = [1] * x.dim()
    shape[axis] = -1
    return shape


def _other_dims(x, axis):
    axis = axis % x.dim()
    return [d for d in range(x.dim()) if d != axis]


class LsqFunction(torch.autograd.Function):
    """LSQ fake quantization with the straight-through estimator written out (method doc 2.1, 2.2, 8).

    Forward:  v = x / s + round(z);  x_q = s * (round(clamp(v, Qn, Qp)) - round(z))   (no z for weights)
    Backward (u = dL/dx_q, inside = Qn <= v <= Qp, equality counts as inside like torch.clamp):
        dL/dx = u inside, 0 outside
        dL/ds = g * sum_{channel} u * (round(v) - v inside;  Qn - round(z) / Qp - round(z) outside)
        dL/dz = g * sum_{channel} u * (0 inside; -s outside)              (STE through round(z))
    round = torch.round (half to even). s (and z) have one value per channel along `axis`; g is the gradient
    scale fixed at initialisation.
    """

    @staticmethod
    def forward(ctx, x, step, zero_point, grad_scale, qn, qp, axis):
        shape = _channel_shape(x, axis)
        s = step.clamp_min(MIN_STEP).reshape(shape)
        v = x / s
        if zero_point is not None:
            zr = torch.round(zero_point).reshape(shape)
            v = v + zr
        c = v.clamp(qn, qp)
        r = torch.round(c)
        out = (r - zr) * s if zero_point is not None else r * s
        ctx.save_for_backward(v, r, s, zr if zero_point is not None else None)
        ctx.meta = (grad_scale, qn, qp, axis, zero_point is not None)
        return out

    @staticmethod
    def backward(ctx, u):
        v, r, s, zr = ctx.saved_tensors
        g, qn, qp, axis, has_zero = ctx.meta
        inside = (v >= qn) & (v <= qp)
        zero = torch.zeros((), dtype=u.dtype)
        dx = torch.where(inside, u, zero)
        dims = _other_dims(u, axis)
        outside_value = r - zr if has_zero else r            # r is Qn or Qp where clamped
        dstep = (u * torch.where(inside, r - v, outside_value)).sum(dim=dims) * g
        dzero = (u * torch.where(inside, zero, -s)).sum(dim=dims) * g if has_zero else None
        return dx, dstep, dzero, None, None, None, None


def lsq_quantize(x, step, zero_point, grad_scale, bits, signed, axis):
    qn, qp = quant_range(bits, signed)
    return LsqFunction.apply(x, step, zero_point, grad_scale, qn, qp, axis)


class LsqQuantizer(nn.Module):
    """LSQ quantizer with one learned step (and, for activations, zero point) per channel along `axis`.

    Parameters `step` [C] and `zero_point` [C] (activations only) are the Java parameter names
    (`<layer>.input_quant.step`, ...). The state (initialised, signed, grad_scale) is not a parameter: the
    quantizer initialises itself on its first forward in training mode (method doc 2.4):
        s = 2 mean|x| / sqrt(Qp)   (whole tensor; all channels get the same value)
        z = 0.1 (min x - s Qn)     (activations only; mixes units on purpose, as [C])
        signed iff weight or min x < -1e-5;  g = 1 / sqrt(numel(x) Qp), numel incl. the batch, fixed here [R]
    The scalar arithmetic is done in double like the Java code, then stored in the parameter dtype.
    """

    def __init__(self, bits, channels, axis, weight=False):
        super().__init__()
        self.bits, self.axis, self.is_weight = bits, axis, weight
        self.step = nn.Parameter(torch.ones(channels))
        self.zero_point = None if weight else nn.Parameter(torch.zeros(channels))
        self.initialized = False
        self.signed = True
        self.grad_scale = 0.0

    @torch.no_grad()
    def initialize(self, x):
        x_min = x.min().item()
        self.signed = self.is_weight or x_min < SIGN_THRESHOLD
        qn, qp = quant_range(self.bits, self.signed)
        s = 2.0 * x.abs().mean().item() / math.sqrt(qp)
        self.step.fill_(max(s, MIN_STEP))
        if self.zero_point is not None:
            self.zero_point.fill_(0.1 * (x_min - s * qn))
        self.grad_scale = 1.0 / math.sqrt(x.numel() * qp)
        self.initialized = True

    def restore(self, signed, grad_scale):
        self.signed, self.grad_scale, self.initialized = bool(signed), float(grad_scale), True

    def state(self):
        return {"signed": self.signed, "gradScale": self.grad_scale, "initialized": self.initialized}

    def forward(self, x):
        if not self.initialized:
            if not self.training:
                raise RuntimeError("quantizer used for inference before initialisation on a training batch")
            self.initialize(x)
        out = lsq_quantize(x, self.step, self.zero_point, self.grad_scale, self.bits, self.signed, self.axis)
        self.last_codes = self._codes(x)
        return out

    @torch.no_grad()
    def _codes(self, x):
        """Integer codes round(clamp(v)) of the last forward (what Java's LsqQuantizer.lastCodes() returns)."""
        qn, qp = quant_range(self.bits, self.signed)
        shape = _channel_shape(x, self.axis)
        v = x / self.step.clamp_min(MIN_STEP).reshape(shape)
        if self.zero_point is not None:
            v = v + torch.round(self.zero_point).reshape(shape)
        return torch.round(v.clamp(qn, qp))


class QuantLinear(nn.Linear):
    """y = Q_a(x) Q_w(W)^T + b: input quantizer per input feature (last axis, with zero point), weight
    quantizer per output channel (no zero point); bias and accumulation in float (method doc 3)."""

    def __init__(self, in_features, out_features, bias=True, bits=4, quantize_input=True):
        super().__init__(in_features, out_features, bias=bias)
        self.input_quant = LsqQuantizer(bits, in_features, axis=-1) if quantize_input else None
        self.weight_quant = LsqQuantizer(bits, out_features, axis=0, weight=True)

    def forward(self, x):
        xq = self.input_quant(x) if self.input_quant is not None else x
        return F.linear(xq, self.weight_quant(self.weight), self.bias)


class QuantPatchEmbed(PatchEmbed):
    """Patch conv with the image quantized per input channel ([B,C,S,S], axis 1, with zero point) and the
    kernel [D,C,p,p] per output channel, both at the embedding bit width (8)."""

    def __init__(self, cfg: ViTConfig, bits=8):
        super().__init__(cfg)
        self.input_quant = LsqQuantizer(bits, cfg.channels, axis=1)
        self.weight_quant = LsqQuantizer(bits, cfg.dim, axis=0, weight=True)

    def forward(self, img):
        y = F.conv2d(self.input_quant(img), self.weight_quant(self.weight), self.bias, stride=self.stride)
        return y.flatten(2).transpose(1, 2)


class DistributionIRM(nn.Module):
    """IRM, `distribution` form (method doc 4): per head h, q~ = w_h (q - mu_h) / sqrt(var_h + 1e-5) + b_h with
    mu_h / var_h (biased) over batch, tokens and channels of head h in training, running averages
    (momentum 0.1) in eval. The running variance is updated with the biased batch variance (as the Java code;
    PyTorch's BatchNorm would use the unbiased one). Initialise with `init_identity` from the teacher's q/k."""

    def __init__(self, heads, eps=IRM_EPS, momentum=IRM_MOMENTUM):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(heads))
        self.bias = nn.Parameter(torch.zeros(heads))
        self.register_buffer("running_mean", torch.zeros(heads))
        self.register_buffer("running_var", torch.ones(heads))

    @torch.no_grad()
    def init_identity(self, mu, sigma):
        """gamma = sigma, beta = mu, running_var = sigma^2 - eps: the identity on data with these statistics."""
        self.weight.copy_(sigma)
        self.bias.copy_(mu)
        self.running_mean.copy_(mu)
        self.running_var.copy_(sigma * sigma - self.eps)

    def forward(self, x):  # (B,H,N,d)
        dims = (0, 2, 3)
        if self.training:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var)
        else:
            mean, var = self.running_mean, self.running_var
        view = (1, -1, 1, 1)
        xhat = (x - mean.reshape(view)) * torch.rsqrt(var + self.eps).reshape(view)
        return xhat * self.weight.reshape(view) + self.bias.reshape(view)


class QuantAttention(Attention):
    """Fully quantized attention (method doc 3, 4, 8): qkv -> split heads -> IRM(q), IRM(k) -> per-head
    quantizers of q, k, v ((B,H,N,d), axis 1) -> scores * d^-0.5 -> softmax -> per-head quantizer of A
    (unsigned by its first batch) -> A v -> proj (whose input quantizer quantizes per feature again).

    irm: None, "token" (official code: LayerNorm(head_dim), eps 1e-5, gamma/beta [d] shared by the heads) or
    "distribution" (DistributionIRM, gamma/beta [H]). Keeps the used (rectified, quantized) q and k of the last
    forward in `used_q`, `used_k` for DGD."""

    def __init__(self, dim, num_heads, linear=nn.Linear, bits=4, irm="token"):
        super().__init__(dim, num_heads, linear=linear)
        H, d = num_heads, self.head_dim
        if irm == "token":
            self.norm_q, self.norm_k = nn.LayerNorm(d, eps=IRM_EPS), nn.LayerNorm(d, eps=IRM_EPS)
        elif irm == "distribution":
            self.norm_q, self.norm_k = DistributionIRM(H), DistributionIRM(H)
        elif irm is None or irm == "none":
            self.norm_q = self.norm_k = None
        else:
            raise ValueError(f"IRM form must be token, distribution or none, got {irm!r}")
        self.q_quant = LsqQuantizer(bits, H, axis=1)
        self.k_quant = LsqQuantizer(bits, H, axis=1)
        self.v_quant = LsqQuantizer(bits, H, axis=1)
        self.attn_quant = LsqQuantizer(bits, H, axis=1)

    def rectify_qk(self, q, k):
        if self.norm_q is None:
            return q, k
        return self.norm_q(q), self.norm_k(k)

    def quantize_qkv(self, q, k, v):
        self.used_q, self.used_k = self.q_quant(q), self.k_quant(k)
        return self.used_q, self.used_k, self.v_quant(v)

    def quantize_attn(self, attn):
        return self.attn_quant(attn)


class QuantMlp(Mlp):
    """fc1 -> exact GELU -> clamp [-10, 10] (gradient 0 outside, passes at equality) -> fc2 [C]."""

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)).clamp(-GELU_CLIP, GELU_CLIP))


def quantized_vit(cfg: ViTConfig, bits, irm="token", embedding_bits=8):
    """The fully quantized student (method doc 3): blocks at `bits`, patch embedding and head at 8 bits."""
    return VisionTransformer(
        cfg,
        linear=functools.partial(QuantLinear, bits=bits),
        attention=functools.partial(QuantAttention, bits=bits, irm=irm),
        mlp=QuantMlp,
        patch_embed=functools.partial(QuantPatchEmbed, bits=embedding_bits),
        head_linear=functools.partial(QuantLinear, bits=embedding_bits))


def quantizers(model):
    """(name, LsqQuantizer) of a quantized model in Java's forward order (VisionTransformer.quantizers())."""
    order = ["patch_embed.input_quant", "patch_embed.weight_quant"]
    for l in range(len(model.blocks)):
        b = f"blocks.{l}."
        order += [b + "attn.qkv.input_quant", b + "attn.qkv.weight_quant", b + "attn.q_quant", b + "attn.k_quant",
                  b + "attn.v_quant", b + "attn.attn_quant", b + "attn.proj.input_quant", b + "attn.proj.weight_quant",
                  b + "mlp.fc1.input_quant", b + "mlp.fc1.weight_quant", b + "mlp.fc2.input_quant",
                  b + "mlp.fc2.weight_quant"]
    order += ["head.input_quant", "head.weight_quant"]
    modules = dict(model.named_modules())
    assert set(order) == {n for n, m in modules.items() if isinstance(m, LsqQuantizer)}
    return [(n, modules[n]) for n in order]


@torch.no_grad()
def student_from_teacher(teacher, bits, irm="token", calibration=None, cfg=None):
    """Method doc 6.2: copy every teacher weight by name (blocks beyond cfg.depth are dropped when a shallower
    cfg is given), IRM token form gamma 1 / beta 0, distribution form the identity on the teacher's per-head
    q / k statistics (mean and biased std over batch, tokens, channels) of `calibration` (eval forward).
    Quantizers stay uninitialised until the first training forward."""
    cfg = cfg or teacher.cfg
    student = quantized_vit(cfg, bits, irm).to(next(teacher.parameters()).dtype)
    own = student.state_dict()
    weights = {n: t for n, t in teacher.state_dict().items() if n in own}
    missing, unexpected = student.load_state_dict(weights, strict=False)
    assert not unexpected
    assert all(".input_quant." in n or "_quant." in n or ".norm_q." in n or ".norm_k." in n for n in missing), missing
    if irm == "distribution":
        was_training = teacher.training
        teacher.eval()
        _, probes = teacher(calibration, capture=True)
        teacher.train(was_training)
        for l, blk in enumerate(student.blocks):
            for key, norm in (("q", blk.attn.norm_q), ("k", blk.attn.norm_k)):
                t = probes[l][key]
                norm.init_identity(t.mean(dim=(0, 2, 3)), t.var(dim=(0, 2, 3), unbiased=False).sqrt())
    return student


def dgd_similarity(x):
    """G = x x^T / (||x x^T||_F + 1e-12) per image and head: x (B,H,N,d) -> (B,H,N,N) (method doc 5, head form)."""
    m = x @ x.transpose(-2, -1)
    return m / (torch.linalg.matrix_norm(m, ord="fro", keepdim=True) + DGD_EPS)


def dgd_loss(student, teacher):
    """DGD term of one tensor (q or k) of one layer, `head` normalisation: per head the mean over images of
    ||G_T - G_S||_F (not squared). Returns (total = sum over heads, per_head [H])."""
    per_image_head = torch.linalg.matrix_norm(dgd_similarity(teacher) - dgd_similarity(student), ord="fro")
    per_head = per_image_head.mean(dim=0)
    return per_head.sum(), per_head


def dgd_loss_layer(student, teacher):
    """DGD term, `layer` normalisation (BiBERT): M = x x^T / sqrt(d) over the whole (B,H,N,N) tensor divided by
    its single Frobenius norm (+1e-12), loss = ||G_T - G_S||_F of the layer (no mean over images)."""
    def sim(x):
        m = (x @ x.transpose(-2, -1)) / math.sqrt(x.shape[-1])
        return m / (torch.linalg.vector_norm(m) + DGD_EPS)
    return torch.linalg.vector_norm(sim(teacher) - sim(student))


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
