"""Export quantized-student parity vectors (LSQ, quantized ViT with IRM, DGD) for the Java JUnit tests.

Uses the quantized student of reference/vit_reference.py (method doc sections 2-5). Writes .npy files
(C order, little endian) and one JSON per folder under model/src/test/resources/parity/:

  lsq/          LSQ quantizer on its own; cases.json lists the cases (kind weight/activation, bits, signed,
                channel axis, gradient scale g). Per case <c>: inputs <c>.x, <c>.u (upstream gradient),
                <c>.step, <c>.zero_point (activations); outputs <c>.out, <c>.dx, <c>.dstep, <c>.dzero_point
                computed in float32, and the same with suffix _f64 computed in float64 from the same inputs.
                Case "ties" puts many v = x/s + round(z) exactly on half-integers (round half to even).
  qblock4/      quantized ViT, `token` IRM, 4 bits (8-bit patch embedding and head), depth 2
  qblock2/      the same at 2 bits, depth 1
  qblock2dist/  `distribution` IRM at 2 bits, depth 1
                The FP weights are those of parity/fp (torch.manual_seed(0), the same 4 test images, which are
                not repeated here): a parameter missing from a qblock folder is read from parity/fp (a depth-1
                student uses blocks.0 of it). Stored here: every quantizer step / zero point, the IRM
                parameters (and running statistics), and blocks.0.mlp.fc1.bias, whose units 3 and 7 are set to
                12.0 and 10.05 so that the GELU clamp at 10 is active (always / for about half of the tokens).
                Steps and zero points are the LSQ initialisation of the first training forward on the 4 images,
                then perturbed per channel (steps x exp(U(-0.25, 0.25)), zero points + {-1, 0, 0, 1} + U(-0.3,
                0.3)) so that per-channel indexing matters; fc2.input_quant channels 3 and 7 get the step
                12 / (Qp - 0.2), so that even an unclamped GELU output (12) stays inside the code range. IRM token form: gamma 1 + 0.2 N(0,1),
                beta 0.2 N(0,1); distribution form: the identity on the teacher's statistics, then gamma x 8
                (1 + 0.1 N(0,1)), beta + 0.05 N(0,1) (x 8 so that the attention is not almost uniform).
                quant.json: config, bits, rectification, per quantizer (Java forward order) its state
                (signed, gradScale), the initialisation values and code histograms of the initialising forward
                (init: float32 run, init_f64: float64 run), the
                histogram of its integer codes round(clamp(v)) in the float32 parity forward and the number of
                codes that differ between the float32 and float64 reference runs; for the distribution form the
                IRM initialisation (irmInit). Outputs of one training-mode forward + mean cross-entropy +
                backward: logits, loss, grad.<param> (float32) and logits_f64, loss_f64, grad_f64.<param>
                (float64, same parameters and states); distribution form also: expect.<running stat> after
                the forward and logits_eval (eval-mode forward after it, float32).
  dgd/          DGD (head normalisation, and the BiBERT layer form): student.q, teacher.q [B,H,N,d] (float32),
                computed in float64: loss_per_head [H], loss [1], grad.q (d loss / d student, weight 1),
                loss_layer [1], grad_layer.q.

Usage (Debian torch):  /usr/bin/python3 reference/make_quant_vectors.py [--out DIR]
"""
import argparse
import copy
import dataclasses
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # keep reference/ free of __pycache__
import numpy as np
import torch
import torch.nn.functional as F

from make_fp_vectors import BATCH, Writer
from vit_reference import (CONFIGS, VisionTransformer, dgd_loss, dgd_loss_layer, load_fashion_mnist,
                           lsq_quantize, quant_range, quantizers, student_from_teacher)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "model", "src", "test", "resources", "parity")

# name -> (bits, IRM form, depth, perturbation seed)
MODEL_SETS = {
    "qblock4": (4, "token", 2, 4),
    "qblock2": (2, "token", 1, 2),
    "qblock2dist": (2, "distribution", 1, 3),
}
GELU_CLAMP_UNITS = {3: 12.0, 7: 10.05}   # blocks.0.mlp.fc1.bias overrides (GELU output >= 10 -> clamped)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


# --------------------------------------------------------------------------------------------------
# lsq/
# --------------------------------------------------------------------------------------------------

def lsq_cases(gen):
    """(name, kind, bits, signed, axis, x, step, zero_point or None) with float32 inputs."""
    def randn(*shape):
        return torch.randn(*shape, generator=gen)

    def uniform(lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(*shape, generator=gen)

    def steps(x, bits, signed, axis, shrink=1.0):
        """LSQ-init-like steps, varied per channel; shrink < 1 makes part of x clamp."""
        qp = quant_range(bits, signed)[1]
        s = shrink * 2 * x.abs().mean() / math.sqrt(qp)
        return s * torch.exp(uniform(-0.3, 0.3, x.shape[axis]))

    def zeros(c):  # round(z) in {-1, 0, 1}, fraction away from .5
        return torch.tensor([-1.0, 0.0, 1.0])[torch.randint(0, 3, (c,), generator=gen)] + uniform(-0.35, 0.35, c)

    cases = []
    for bits in (2, 4):
        w = 0.02 * randn(6, 10)
        cases.append((f"w{bits}", "weight", bits, True, 0, w, steps(w, bits, True, 0, 1.0 if bits == 2 else 0.4), None))
    for bits in (2, 4):
        a = 1.3 * randn(2, 3, 7, 5) + 0.2                    # q/k/v-like (B,H,N,d), per head
        cases.append((f"a{bits}", "activation", bits, True, 1, a, steps(a, bits, True, 1, 1.0 if bits == 2 else 0.4),
                      zeros(3)))
    x = randn(24, 6) * uniform(0.3, 2.0, 6)                  # linear input (T, C), per feature
    cases.append(("a4f", "activation", 4, True, 1, x, steps(x, 4, True, 1, 0.4), zeros(6)))
    for bits in (2, 4):
        p = torch.softmax(2.0 * randn(2, 3, 5, 5), dim=-1)   # softmax output, unsigned, per head
        cases.append((f"a{bits}u", "activation", bits, False, 1, p, steps(p, bits, False, 1), zeros(3)))
    # exact ties: s = 0.25 / 0.5, x = multiples of s / 2 -> v = k / 2 exactly (round half to even)
    k = torch.arange(-19, 13, dtype=torch.float32)           # v from -9.5 to 6 (4 bits: [-8, 7])
    x = torch.stack([0.125 * k, 0.25 * k], dim=1)            # (32, 2)
    cases.append(("ties", "activation", 4, True, 1, x, torch.tensor([0.25, 0.5]), torch.tensor([0.2, 0.6])))
    return cases


def make_lsq(out):
    save = Writer(out)
    gen = torch.Generator().manual_seed(11)
    index = []
    for name, kind, bits, signed, axis, x, step, zero in lsq_cases(gen):
        x, step = x.float(), step.float()
        zero = zero.float() if zero is not None else None
        u = torch.randn(x.shape, generator=gen)
        qp = quant_range(bits, signed)[1]
        g = 1.0 / math.sqrt(x.numel() * qp)
        save(f"{name}.x", x)
        save(f"{name}.u", u)
        save(f"{name}.step", step)
        if zero is not None:
            save(f"{name}.zero_point", zero)
        for dtype, suffix in ((torch.float32, ""), (torch.float64, "_f64")):
            xi = x.detach().clone().to(dtype).requires_grad_(True)
            si = step.detach().clone().to(dtype).requires_grad_(True)
            zi = zero.detach().clone().to(dtype).requires_grad_(True) if zero is not None else None
            y = lsq_quantize(xi, si, zi, g, bits, signed, axis)
            y.backward(u.to(dtype))
            f64 = dtype == torch.float64
            save(f"{name}.out{suffix}", y, f64=f64)
            save(f"{name}.dx{suffix}", xi.grad, f64=f64)
            save(f"{name}.dstep{suffix}", si.grad, f64=f64)
            if zi is not None:
                save(f"{name}.dzero_point{suffix}", zi.grad, f64=f64)
        index.append({"name": name, "kind": kind, "bits": bits, "signed": signed, "axis": axis,
                      "gradScale": g, "shape": list(x.shape)})
    write_json(os.path.join(out, "cases.json"), {"cases": index})
    return len(index)


# --------------------------------------------------------------------------------------------------
# qblock*/
# --------------------------------------------------------------------------------------------------

def teacher_and_batch(fp_dir):
    """The FP model and batch of parity/fp (same seed and images), checked against its files when present."""
    torch.manual_seed(0)
    teacher = VisionTransformer(CONFIGS["parity"]).float()
    images, labels = load_fashion_mnist("test")
    x = torch.from_numpy(images[:BATCH].copy())
    y = torch.from_numpy(labels[:BATCH].copy())
    if os.path.isdir(fp_dir):
        for name, p in list(teacher.state_dict().items()) + [("input", x), ("labels", y)]:
            stored = np.load(os.path.join(fp_dir, name + ".npy"))
            assert np.array_equal(stored, p.numpy()), f"parity/fp/{name} differs from the regenerated value"
    else:
        print(f"warning: {fp_dir} not found, cannot check that the FP weights match parity/fp")
    return teacher, x, y


def forward_backward(model, x, y):
    model.zero_grad(set_to_none=True)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    return logits, loss


def histogram(codes):
    """{code: count} of a tensor of integer codes (JSON keys are strings)."""
    values, counts = torch.unique(codes, return_counts=True)
    return {str(int(v)): int(c) for v, c in zip(values.tolist(), counts.tolist())}


@torch.no_grad()
def perturb_quantizers(student, bits, gen):
    """Per-channel steps and zero points away from the (channel-uniform) initialisation."""
    for name, q in quantizers(student):
        c = q.step.numel()
        q.step.mul_(torch.exp(-0.25 + 0.5 * torch.rand(c, generator=gen)))
        if q.zero_point is not None:
            k = torch.tensor([-1.0, 0.0, 0.0, 1.0])[torch.randint(0, 4, (c,), generator=gen)]
            q.zero_point.add_(k + (-0.3 + 0.6 * torch.rand(c, generator=gen)))
    # keep the GELU output of the two overridden units inside the fc2 input code range even without the clamp
    # (12 -> v = Qp - 0.2), so that a missing clamp changes the codes (4 bits) or the gradients (2 bits)
    fc2 = student.blocks[0].mlp.fc2.input_quant
    qp = quant_range(bits, fc2.signed)[1]
    for unit in GELU_CLAMP_UNITS:
        fc2.step[unit] = 12.0 / (qp - 0.2)
        fc2.zero_point[unit] = 0.1


@torch.no_grad()
def perturb_irm(student, irm, gen):
    for blk in student.blocks:
        for norm in (blk.attn.norm_q, blk.attn.norm_k):
            n = norm.weight.numel()
            if irm == "token":
                norm.weight.copy_(1 + 0.2 * torch.randn(n, generator=gen))
                norm.bias.copy_(0.2 * torch.randn(n, generator=gen))
            else:
                # x 8: the untrained teacher's q / k are small (std ~0.1), so the identity gives an almost
                # uniform softmax whose 2-bit codes are constant per head; larger gamma makes it generic
                norm.weight.mul_(8 * (1 + 0.1 * torch.randn(n, generator=gen)))
                norm.bias.add_(0.05 * torch.randn(n, generator=gen))


def make_model_set(out, fp_dir, bits, irm, depth, seed):
    save = Writer(out)
    teacher, x, y = teacher_and_batch(fp_dir)
    cfg = dataclasses.replace(CONFIGS["parity"], depth=depth)
    student = student_from_teacher(teacher, bits, irm, calibration=x, cfg=cfg)
    student.train()
    gen = torch.Generator().manual_seed(seed)
    irm_init = None
    if irm == "distribution":
        irm_init = {n: t.tolist() for n, t in student.state_dict().items() if ".norm_q." in n or ".norm_k." in n}
    with torch.no_grad():
        for unit, b in GELU_CLAMP_UNITS.items():
            student.blocks[0].mlp.fc1.bias[unit] = b
    perturb_irm(student, irm, gen)

    # quantizer initialisation: first training forward on the 4 images, in float32 and (separately) float64
    student64 = copy.deepcopy(student).double()
    with torch.no_grad():
        student(x)
        student64(x.double())
    init = {n: q for n, q in quantizers(student)}
    init64 = {n: q for n, q in quantizers(student64)}
    states = []
    for name, q in quantizers(student):
        q64 = init64[name]
        assert q.signed == q64.signed and q.grad_scale == q64.grad_scale, name
        states.append({
            "name": name, "signed": q.signed, "gradScale": q.grad_scale,
            "init": {"step": q.step[0].item(), "zeroPoint": None if q.zero_point is None else q.zero_point[0].item(),
                     "codeHistogram": histogram(q.last_codes)},
            "init_f64": {"step": q64.step[0].item(),
                         "zeroPoint": None if q64.zero_point is None else q64.zero_point[0].item(),
                         "codeHistogram": histogram(q64.last_codes)}})
    perturb_quantizers(student, bits, gen)

    # parameters not taken from parity/fp (and the overridden fc1 bias); running statistics are Java parameters
    fp_names = set(teacher.state_dict())
    for name, t in student.state_dict().items():
        if name not in fp_names or name == "blocks.0.mlp.fc1.bias":
            save(name, t)

    # parity run: float32 and float64 from the same parameters and states
    model64 = copy.deepcopy(student).double()
    logits, loss = forward_backward(student, x, y)
    save("logits", logits)
    save("loss", loss.reshape(1))
    for name, p in student.named_parameters():
        save("grad." + name, p.grad)
    logits64, loss64 = forward_backward(model64, x.double(), y)
    save("logits_f64", logits64, f64=True)
    save("loss_f64", loss64.reshape(1), f64=True)
    for name, p in model64.named_parameters():
        save("grad_f64." + name, p.grad, f64=True)
    codes64 = {n: q.last_codes for n, q in quantizers(model64)}
    flips_total = 0
    for state, (name, q) in zip(states, quantizers(student)):
        state["codeHistogram"] = histogram(q.last_codes)
        state["codeFlipsF32VsF64"] = int((q.last_codes.double() != codes64[name]).sum())
        flips_total += state["codeFlipsF32VsF64"]
    if irm == "distribution":
        for name, t in student.state_dict().items():
            if name.endswith(".running_mean") or name.endswith(".running_var"):
                save("expect." + name, t)
        student.eval()
        with torch.no_grad():
            save("logits_eval", student(x))
        student.train()

    write_json(os.path.join(out, "quant.json"), {
        "config": cfg.to_dict(), "bits": bits, "embeddingBits": 8, "rectification": irm,
        "weightsFallback": "fp", "input": "fp/input", "labels": "fp/labels",
        "geluClampUnits": {str(k): v for k, v in GELU_CLAMP_UNITS.items()},
        "quantizers": states, "irmInit": irm_init})
    return loss.item(), loss64.item(), (logits.double() - logits64).abs().max().item(), flips_total


# --------------------------------------------------------------------------------------------------
# dgd/
# --------------------------------------------------------------------------------------------------

def make_dgd(out):
    save = Writer(out)
    gen = torch.Generator().manual_seed(5)
    B, H, N, d = 2, 2, 50, 16
    teacher = torch.randn(B, H, N, d, generator=gen) + 0.3 * torch.randn(1, H, 1, d, generator=gen)
    # a student that looks like a 2-bit quantized, slightly rescaled copy of the teacher
    noisy = 1.1 * teacher + 0.4 * torch.randn(B, H, N, d, generator=gen)
    student = 0.7 * torch.round(noisy / 0.7).clamp(-2, 1)
    save("student.q", student)
    save("teacher.q", teacher)
    s = student.double().requires_grad_(True)
    total, per_head = dgd_loss(s, teacher.double())
    (grad,) = torch.autograd.grad(total, [s])
    save("loss", total.reshape(1), f64=True)
    save("loss_per_head", per_head, f64=True)
    save("grad.q", grad, f64=True)
    s = student.double().requires_grad_(True)
    layer = dgd_loss_layer(s, teacher.double())
    (grad_layer,) = torch.autograd.grad(layer, [s])
    save("loss_layer", layer.reshape(1), f64=True)
    save("grad_layer.q", grad_layer, f64=True)
    return total.item(), per_head.tolist(), layer.item()


def write_readme(out):
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(
            "# Quantized-student parity vectors\n\n"
            "Generated by `reference/make_quant_vectors.py` (PyTorch reference `reference/vit_reference.py`,\n"
            "method doc sections 2-5). Regenerate from the repository root with\n"
            "`/usr/bin/python3 reference/make_quant_vectors.py` (Debian `python3-torch`); the folders, file names\n"
            "and JSON fields are described in the script docstring. The qblock sets read their FP weights and\n"
            "input from `parity/fp`, so regenerate that first if it changes.\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="parity folder (default: the model test resources)")
    args = ap.parse_args()
    root = os.path.normpath(args.out)
    fp_dir = os.path.join(root, "fp")

    print(f"lsq: {make_lsq(os.path.join(root, 'lsq'))} cases")
    for name, (bits, irm, depth, seed) in MODEL_SETS.items():
        loss, loss64, diff, flips = make_model_set(os.path.join(root, name), fp_dir, bits, irm, depth, seed)
        write_readme(os.path.join(root, name))
        print(f"{name}: loss f32 {loss:.8f} f64 {loss64:.12f}  max|logits f32 - f64| {diff:.3e}  "
              f"codes differing f32 vs f64: {flips}")
    total, per_head, layer = make_dgd(os.path.join(root, "dgd"))
    for sub in ("lsq", "dgd"):
        write_readme(os.path.join(root, sub))
    print(f"dgd: loss {total:.10f} per head {per_head}  layer form {layer:.10f}")


if __name__ == "__main__":
    main()
