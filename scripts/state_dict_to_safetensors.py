#!/usr/bin/env python3
"""Write a PyTorch state_dict (or numpy arrays) as a safetensors file for
convgen's `weights:` key, without the `safetensors` package.

    scripts/state_dict_to_safetensors.py model.pt weights.safetensors
    scripts/state_dict_to_safetensors.py arrays.npz weights.safetensors

model.pt is what torch.save wrote: a state_dict, or a whole nn.Module (its
state_dict() is taken). arrays.npz is numpy.savez's output. From Python:

    import state_dict_to_safetensors as st
    st.save(model.state_dict(), "weights.safetensors")

A value may also be a (dtype, shape, bytes) triple, e.g.
("F32", [2], struct.pack("<2f", 1.0, 2.0)), which needs neither.

The format (https://github.com/huggingface/safetensors): 8 bytes
little-endian header length N, N bytes of JSON header
{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
"__metadata__": {...}}, then every tensor's bytes, little-endian, C order,
back to back in the order of the header's offsets. Names are sorted, as the
safetensors package writes them. Only the standard library is needed, plus
numpy or torch for the tensors themselves.
"""
import json
import struct
import sys

# numpy dtype name -> safetensors dtype
_NUMPY_DTYPES = {
    "float64": "F64", "float32": "F32", "float16": "F16",
    "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8",
    "uint64": "U64", "uint32": "U32", "uint16": "U16", "uint8": "U8",
    "bool": "BOOL",
}


def _tensor_bytes(value):
    """(safetensors dtype, shape, little-endian C-order bytes) of a torch
    tensor, a numpy array, anything numpy.asarray takes, or such a triple
    itself (for callers with neither numpy nor torch)."""
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], bytes):
        return value[0], list(value[1]), value[2]
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor
        import torch
        t = value.detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its raw bits
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
            return "BF16", list(t.shape), raw
        value = t.numpy()
    import numpy
    array = numpy.asarray(value)  # (not ascontiguousarray: it makes a scalar 1-D)
    name = array.dtype.name
    if name not in _NUMPY_DTYPES:
        raise ValueError("dtype %s has no safetensors equivalent" % name)
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return _NUMPY_DTYPES[name], list(array.shape), little.tobytes(order="C")


def to_bytes(tensors, metadata=None):
    """The safetensors file, as bytes, for a mapping name -> tensor."""
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved by the format")
        dtype, shape, raw = _tensor_bytes(tensors[name])
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned, as the package does
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save(tensors, path, metadata=None):
    """Writes `tensors` (name -> torch tensor or numpy array) to `path`."""
    data = to_bytes(tensors, metadata)
    with open(path, "wb") as f:
        f.write(data)


def _load(path):
    if path.endswith(".npz"):
        import numpy
        with numpy.load(path) as npz:
            return {k: npz[k] for k in npz.files}
    import torch
    obj = torch.load(path, map_location="cpu")
    if hasattr(obj, "state_dict"):
        obj = obj.state_dict()
    if not isinstance(obj, dict):
        raise ValueError("%s holds a %s, not a state_dict" % (path, type(obj).__name__))
    return obj


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: state_dict_to_safetensors.py MODEL.pt|ARRAYS.npz OUT.safetensors\n")
        return 2
    tensors = _load(argv[1])
    save(tensors, argv[2], {"format": "pt"})
    print("%s: %d tensors" % (argv[2], len(tensors)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
