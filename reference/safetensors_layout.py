#!/usr/bin/env python3
"""The safetensors layout, written and read with the standard library only (no torch, no safetensors package).

    python3 reference/safetensors_layout.py write FILE   writes the fixture SafetensorsTest reads
    python3 reference/safetensors_layout.py check FILE   reads a file the workbench wrote and prints its tensors

Layout (huggingface/safetensors): u64 little-endian header length N; N bytes of UTF-8 JSON mapping each tensor name
to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data section) plus an optional "__metadata__"
map of strings; then the data section: each tensor's values little-endian, row-major, packed without gaps.
The reference library pads the header with spaces to a multiple of 8 bytes; so does this script.
"""
import json
import struct
import sys

FORMATS = {"F64": "d", "F32": "f", "I64": "q", "I32": "i", "U8": "B"}

# the fixture: one tensor of each type the workbench reads, values that show byte order and rounding
FIXTURE = [
    ("blocks.0.attn.qkv.weight", "F32", [2, 3], [0.1, -2.5, 3.0e-8, 1.0e30, -0.0, 7.0]),
    ("optimizer.step", "I64", [1], [123456789012]),
    ("order", "I32", [5], [4, 0, 3, 1, 2]),
    ("running_var", "F64", [2], [1.0 / 3.0, -1.0e-300]),
    ("pixels", "U8", [2, 2], [0, 127, 128, 255]),
    ("empty", "F32", [0, 4], []),
]
METADATA = {"format": "qvit-reference", "note": "written by reference/safetensors_layout.py"}


def write(path):
    header, data, offset = {"__metadata__": METADATA}, b"", 0
    for name, dtype, shape, values in FIXTURE:
        raw = struct.pack("<%d%s" % (len(values), FORMATS[dtype]), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    out = {"__metadata__": header.pop("__metadata__", {})}
    end = 0
    for name, entry in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, stop = entry["data_offsets"]
        assert begin == end, "gap or overlap at %s" % name
        fmt = FORMATS[entry["dtype"]]
        count = (stop - begin) // struct.calcsize(fmt)
        expected = 1
        for d in entry["shape"]:
            expected *= d
        assert count == expected, "%s: %d values for shape %s" % (name, count, entry["shape"])
        out[name] = {"dtype": entry["dtype"], "shape": entry["shape"],
                     "values": list(struct.unpack("<%d%s" % (count, fmt), data[begin:stop]))}
        end = stop
    assert end == len(data), "trailing or missing bytes"
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        print(json.dumps(read(sys.argv[2]), sort_keys=True))
