#!/usr/bin/env python3
"""Make the stratified 10% Fashion-MNIST subset bundled with the workbench.

Reads the real IDX files (default: Debian's dataset-fashion-mnist at /usr/share/datasets/fashion-mnist),
keeps the first 10% of each class of each split, in original order (600 per class of train, 100 per class of
t10k), and writes gzip IDX files into the model module's resources. Deterministic: no randomness, fixed gzip mtime.

    python3 scripts/make_bundled_subset.py [--src DIR] [--fraction 0.1]
"""
import argparse
import gzip
import os
import struct

OUT = os.path.join(os.path.dirname(__file__), "..", "model", "src", "main", "resources",
                   "dev", "qvit", "data", "fashion-mnist-subset")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    sizes = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return sizes, data[4 + 4 * dims:]


def write_idx(path, sizes, payload):
    header = struct.pack(">I", 0x0800 | len(sizes)) + struct.pack(">" + "I" * len(sizes), *sizes)
    with open(path, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as f:
            f.write(header + payload)


def subset(src, split, fraction):
    (n, rows, cols), pixels = read_idx(os.path.join(src, f"{split}-images-idx3-ubyte.gz"))
    (n_labels,), labels = read_idx(os.path.join(src, f"{split}-labels-idx1-ubyte.gz"))
    assert n == n_labels
    per_class = {c: sum(1 for l in labels if l == c) for c in range(10)}
    quota = {c: int(round(per_class[c] * fraction)) for c in range(10)}
    keep = []
    for i, label in enumerate(labels):
        if quota[label] > 0:
            keep.append(i)
            quota[label] -= 1
    size = rows * cols
    out_pixels = b"".join(pixels[i * size:(i + 1) * size] for i in keep)
    out_labels = bytes(labels[i] for i in keep)
    write_idx(os.path.join(OUT, f"{split}-images-idx3-ubyte.gz"), (len(keep), rows, cols), out_pixels)
    write_idx(os.path.join(OUT, f"{split}-labels-idx1-ubyte.gz"), (len(keep),), out_labels)
    print(f"{split}: kept {len(keep)} of {n} images")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--fraction", type=float, default=0.1)
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    for split in ("train", "t10k"):
        subset(args.src, split, args.fraction)
