"""RGB images, timm's evaluation transform and a DeiT-shaped model at 224 pixels, for the Java tests (issue 17).

Writes to model/src/test/resources/:

  images/rgb/<class>/<name>.png   6 procedural images of different sizes and modes (RGB, grey "L", RGBA,
                                  palette "P"), in two class folders; deterministic (numpy seed 5)
  parity/rgb/<class>.<name>.png   each image through timm's eval transform for DeiT up to the crop, as an RGB
                                  PNG of 224x224: convert("RGB"), Resize(256, bicubic: the shorter side, the
                                  longer truncated as torchvision does, Pillow's resampling), CenterCrop(224)
  parity/rgb/ants.wide            the first image's whole transform ([3, 224, 224] float32: /255, ImageNet
                                  mean/std)
  parity/rgb/deit224.safetensors  a random DeiT-shaped model in timm's names and shapes: patch 16 on 224x224 RGB
                                  (197 tokens), D 64 (one head of 64, as D/64 in every DeiT), depth 2, MLP 128,
                                  10 classes
  parity/rgb/logits, logits_f64   its logits on the 6 transformed images (PyTorch float32 / float64, eval mode),
                                  in the order the Java ImageFolder reads them (class folders sorted, files sorted)

Usage (Debian torch and Pillow):  /usr/bin/python3 reference/make_rgb_vectors.py
"""
import os
import sys

sys.dont_write_bytecode = True
import numpy as np
import torch
from PIL import Image

from make_fp_vectors import Writer
from timm_deit_file import write_safetensors
from vit_reference import ViTConfig, VisionTransformer

HERE = os.path.dirname(os.path.abspath(__file__))
RESOURCES = os.path.join(HERE, "..", "model", "src", "test", "resources")
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
# class, name, width, height, mode
IMAGES = [("ants", "wide", 320, 240, "RGB"), ("ants", "tall", 233, 301, "RGB"), ("ants", "grey", 256, 256, "L"),
          ("bees", "alpha", 400, 260, "RGBA"), ("bees", "palette", 250, 250, "P"), ("bees", "small", 224, 230, "RGB")]


def picture(rng, w, h):
    """Smooth colour gradients, a few discs and noise: detail at every scale, so that resampling shows."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([128 + 100 * np.sin(x / (9 + 20 * rng.random()) + rng.random() * 6),
                    128 + 100 * np.cos(y / (7 + 20 * rng.random())),
                    255 * (x + y) / (w + h)], -1)
    for _ in range(5):
        cx, cy, r = rng.random() * w, rng.random() * h, 10 + rng.random() * 60
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.integers(0, 256, 3)
    img += rng.normal(0, 3, img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def eval_transform(img, crop_file=None):
    """timm's eval transform for DeiT written out with Pillow and numpy (what torchvision does)."""
    img = img.convert("RGB")
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = 256, int(256 * long / short)
    size = (new_short, new_long) if w <= h else (new_long, new_short)
    img = img.resize(size, Image.BICUBIC)
    left, top = int(round((size[0] - 224) / 2.0)), int(round((size[1] - 224) / 2.0))
    img = img.crop((left, top, left + 224, top + 224))
    if crop_file:
        img.save(crop_file)
    t = torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).float().div(255)
    return (t - torch.tensor(MEAN).reshape(3, 1, 1)) / torch.tensor(STD).reshape(3, 1, 1)


def main():
    rng = np.random.default_rng(5)
    out = os.path.join(RESOURCES, "parity", "rgb")
    save = Writer(out)
    batch = []
    for cls, name, w, h, mode in IMAGES:
        folder = os.path.join(RESOURCES, "images", "rgb", cls)
        os.makedirs(folder, exist_ok=True)
        rgb = Image.fromarray(picture(rng, w, h), "RGB")
        if mode == "L":
            img = rgb.convert("L")
        elif mode == "RGBA":
            img = rgb.copy()
            img.putalpha(Image.fromarray(rng.integers(0, 256, (h, w)).astype(np.uint8), "L"))
        elif mode == "P":
            img = rgb.quantize(colors=64)
        else:
            img = rgb
        path = os.path.join(folder, name + ".png")
        img.save(path)
        x = eval_transform(Image.open(path), os.path.join(out, f"{cls}.{name}.png"))
        if not batch:
            save(f"{cls}.{name}", x)
        batch.append(x)
    x = torch.stack(batch)

    torch.manual_seed(3)
    cfg = ViTConfig(imageSize=224, patchSize=16, channels=3, dim=64, depth=2, numHeads=1, mlpDim=128, numClasses=10)
    model = VisionTransformer(cfg).float().eval()
    with torch.no_grad():
        for p in model.parameters():            # away from the init's tiny weights, so that the logits differ
            p.add_(0.05 * torch.randn(p.shape))
        tensors = {}
        for name, p in model.state_dict().items():
            timm = {"patch_embed.weight": "patch_embed.proj.weight", "patch_embed.bias": "patch_embed.proj.bias"}
            tensors[timm.get(name, name)] = p.numpy()
        write_safetensors(os.path.join(out, "deit224.safetensors"), tensors, {"format": "pt"})
        save("logits", model(x))
        save("logits_f64", model.double()(x.double()), f64=True)
    print(f"wrote {len(IMAGES)} images and {len(os.listdir(out))} files to {out}")


if __name__ == "__main__":
    main()
