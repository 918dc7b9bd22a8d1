"""Checkpoints: save and load (nested) state dicts in numpy's .npz format, safely.

A checkpoint is an ordinary .npz archive holding
  - one entry per array ('a0', 'a1', ...), stored with numpy's own format, and
  - '__tinygrad_nn_structure__': a JSON string (a numpy unicode array) describing the nested
    dicts / lists / tuples, which arrays sit where, and the plain Python scalars (ints, floats,
    strings, bools, None) such as an optimizer's hyperparameters.
Loading uses `allow_pickle=False`, so opening a checkpoint never runs code. Saving writes a
temporary file in the destination's directory, fsyncs it and renames it over the destination,
so a crash mid-save leaves the previous checkpoint intact.

Example::

    tinygrad_nn.save({"model": model.state_dict(), "optim": opt.state_dict()}, "ckpt.npz")
    ckpt = tinygrad_nn.load("ckpt.npz")
    model.load_state_dict(ckpt["model"]); opt.load_state_dict(ckpt["optim"])
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import zipfile
from typing import Any

import numpy as np

from . import safetensors_io
from ._tensor import Tensor

STRUCTURE_KEY = "__tinygrad_nn_structure__"
FORMAT = "tinygrad_nn.checkpoint"
VERSION = 1

PathLike = str | os.PathLike

# What load accepts before allocating anything. save never compresses, and deflate cannot expand
# more than about 1032 times, so a larger ratio is not one of our files.
MAX_BYTES = 8 * 2**30
MAX_RATIO = 100


def save(obj: Any, path: PathLike) -> None:
    """Write `obj` (a state dict, or nested dicts/lists/tuples of Tensors, arrays and Python
    scalars) to `path` as an .npz checkpoint, atomically. Dict keys must be str or int.

    Tensors come back from `load` as Tensors (without requires_grad), numpy arrays as arrays.
    A path ending in .safetensors writes a flat state dict in that format (safetensors_io).
    """
    if safetensors_io.is_safetensors_path(path):
        return safetensors_io.save_safetensors(obj, path)
    path = os.fspath(path)
    arrays: dict[str, np.ndarray] = {}
    tree = _encode(obj, arrays, "obj")
    header = {"format": FORMAT, "version": VERSION, "tree": tree}
    arrays[STRUCTURE_KEY] = np.array(json.dumps(header))
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private (0600); a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def load(path: PathLike, *, max_bytes: int = MAX_BYTES) -> Any:
    """Read a checkpoint written by `save`, without ever unpickling (allow_pickle=False).

    Nothing is allocated before the archive's own headers have been checked against the file:
    every entry's declared array size must match the bytes it holds, a compressed entry may not
    expand more than MAX_RATIO times, and all arrays together may not exceed `max_bytes`
    (default 8 GiB). A missing file raises FileNotFoundError; a truncated, corrupt, hostile or
    foreign file raises ValueError; both name the path.
    """
    if safetensors_io.is_safetensors_path(path):   # {name: Tensor}, see safetensors_io
        return safetensors_io.load_safetensors(path)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    try:
        with open(path, "rb") as f:
            if f.read(6) == b"\x93NUMPY":
                raise ValueError("it holds a single .npy array, not an .npz archive")
        if not zipfile.is_zipfile(path):
            raise ValueError("it is not an .npz archive")
        with zipfile.ZipFile(path) as archive:
            members = _checked_members(archive, os.path.getsize(path), max_bytes)
            if STRUCTURE_KEY not in members:
                raise _NotOurs()
            arrays = {name: _read_member(archive, info, header)
                      for name, (info, header) in members.items()}
    except _NotOurs:
        raise ValueError(f"load: {path!r} is an .npz file but not a tinygrad_nn checkpoint (it has "
                         f"no {STRUCTURE_KEY!r} entry; read it with numpy.load)") from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, NotImplementedError) as e:
        raise ValueError(f"load: {path!r} is not a readable tinygrad_nn checkpoint (truncated, "
                         f"corrupt or another format): {e}") from None
    if STRUCTURE_KEY not in arrays:
        raise ValueError(f"load: {path!r} is an .npz file but not a tinygrad_nn checkpoint (it has "
                         f"no {STRUCTURE_KEY!r} entry; read it with numpy.load)")
    try:
        header = json.loads(str(arrays.pop(STRUCTURE_KEY)))
        if header.get("format") != FORMAT:
            raise ValueError(f"unknown format {header.get('format')!r}")
        if header.get("version") != VERSION:
            raise ValueError(f"format version {header.get('version')!r}; this tinygrad_nn reads "
                             f"version {VERSION}")
        return _decode(header["tree"], arrays)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"load: {path!r} has a damaged checkpoint structure: {e}") from None


class _NotOurs(Exception):
    """An .npz archive without our structure entry: refused before any entry is decompressed."""


def _checked_members(archive: zipfile.ZipFile, file_size: int,
                     max_bytes: int) -> dict[str, tuple[zipfile.ZipInfo, Any]]:
    """Each entry's name -> (zip header, npy header (shape, fortran_order, dtype, data offset)),
    once every declared size has been checked against the file and the limits (nothing is
    allocated by the header reads: a zip header and an npy header are a few hundred bytes)."""
    members: dict[str, tuple[zipfile.ZipInfo, Any]] = {}
    total = 0
    for info in archive.infolist():
        name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if info.compress_size > file_size:
            raise ValueError(f"entry {name!r} claims {info.compress_size:,} bytes in a file of "
                             f"{file_size:,} bytes")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) + 4096:
            raise ValueError(f"entry {name!r} would expand from {info.compress_size:,} to "
                             f"{info.file_size:,} bytes (more than {MAX_RATIO} times): refused as "
                             "a decompression bomb")
        total += info.file_size
        if total > max_bytes:
            raise ValueError(f"its entries hold {total:,} bytes or more, over the limit of "
                             f"{max_bytes:,} (pass max_bytes= to load a larger checkpoint)")
        members[name] = (info, None)
    if STRUCTURE_KEY not in members:
        return members   # not ours: refused by the caller without reading any entry
    for name, (info, _) in members.items():
        with archive.open(info) as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            offset = f.tell()
        if dtype.hasobject:
            raise ValueError(f"entry {name!r} holds Python objects: Object arrays cannot be loaded "
                             "without pickle, which could run code")
        declared = math.prod(shape) * dtype.itemsize
        if declared != info.file_size - offset:
            raise ValueError(f"entry {name!r} declares shape {shape} {dtype} ({declared:,} bytes) "
                             f"but holds {info.file_size - offset:,} bytes")
        members[name] = (info, (shape, fortran, dtype, offset))
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, header: tuple) -> np.ndarray:
    """One entry's array, read into memory of its checked size (the CRC is checked at the end)."""
    shape, fortran, dtype, offset = header
    array = np.empty(shape, dtype, order="F" if fortran else "C")
    flat = array.reshape(-1, order="A").view(np.uint8)   # the array's own memory, byte by byte
    with archive.open(info) as f:
        f.read(offset)
        filled = 0
        while filled < len(flat):   # in pieces: never a second copy of a large array
            piece = f.read(min(len(flat) - filled, 1 << 22))
            if not piece:
                raise ValueError(f"entry {info.filename!r} is truncated")
            flat[filled:filled + len(piece)] = np.frombuffer(piece, np.uint8)
            filled += len(piece)
        f.read()   # to the end, where zipfile checks the CRC
    return array


def _encode(obj: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """A JSON-able description of obj; arrays go into `arrays` under fresh names."""
    if isinstance(obj, Tensor):
        return {"tensor": _store(obj._data, arrays, where)}
    if isinstance(obj, np.ndarray):
        return {"ndarray": _store(obj, arrays, where)}
    if isinstance(obj, np.generic):
        return {"npscalar": _store(np.asarray(obj), arrays, where)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if isinstance(k, bool) or not isinstance(k, (str, int)):
                raise TypeError(f"save: dict keys must be str or int, got {type(k).__name__} "
                                f"{k!r} at {where}")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    hint = " (save model.state_dict(), not the model)" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"save: cannot store a {type(obj).__name__} at {where}{hint}; expected "
                    "Tensors, numpy arrays, Python scalars, and dicts/lists/tuples of them")


def _store(array: np.ndarray, arrays: dict[str, np.ndarray], where: str) -> str:
    if array.dtype.hasobject:
        raise TypeError(f"save: cannot store an array of Python objects at {where} (it would "
                        "need pickle)")
    name = f"a{len(arrays)}"
    arrays[name] = array
    return name


def _decode(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"unexpected node {node!r}")
    ((kind, body),) = node.items()
    if kind == "value":
        return body
    if kind == "tensor":
        return Tensor(arrays[body])
    if kind == "ndarray":
        return arrays[body]
    if kind == "npscalar":
        return arrays[body][()]
    if kind == "dict":
        return {k: _decode(v, arrays) for k, v in body}
    if kind == "list":
        return [_decode(v, arrays) for v in body]
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in body)
    raise ValueError(f"unknown node kind {kind!r}")


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); not possible, nor needed, on Windows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
