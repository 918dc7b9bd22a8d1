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


def load(path: PathLike) -> Any:
    """Read a checkpoint written by `save`, without ever unpickling (allow_pickle=False).

    A missing file raises FileNotFoundError; a truncated, corrupt or foreign file raises
    ValueError; both name the path.
    """
    if safetensors_io.is_safetensors_path(path):   # {name: Tensor}, see safetensors_io
        return safetensors_io.load_safetensors(path)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no checkpoint at {path!r}")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single .npy array, not an .npz archive")
        with archive:
            # read everything now: entries are decompressed lazily and may be the broken part
            arrays = {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        # numpy takes any file that is not .npy/.npz for a pickle and suggests unpickling it:
        # advice that must not reach a user, since unpickling can run code
        reason = "it is not an .npz archive" if "contains pickled" in str(e) else str(e)
        raise ValueError(f"load: {path!r} is not a readable tinygrad_nn checkpoint (truncated, "
                         f"corrupt or another format): {reason}") from None
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
