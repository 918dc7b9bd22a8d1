"""State dicts in the safetensors format, the hand-off to PyTorch (and back) without pickle.

A .safetensors file is a JSON header (names, dtypes, shapes, offsets) followed by the raw
bytes of each tensor; reading it never runs code. PyTorch reads it with
`safetensors.torch.load_file`, and since our state_dict names are PyTorch's, a model trained
here loads into the same torch.nn model with `load_state_dict`:

    tinygrad_nn.save(model.state_dict(), "model.safetensors")      # the suffix picks the format
    torch_model.load_state_dict(safetensors.torch.load_file("model.safetensors"))

and back: `safetensors.torch.save_file(torch_model.state_dict(), "m.safetensors")`, then
`model.load_state_dict(tinygrad_nn.load("m.safetensors"))`. Needs the `safetensors` package
(`pip install tinygrad_nn[safetensors]`); .npz stays the default format of save/load.
"""
from __future__ import annotations

import os
import tempfile
from typing import Any, Mapping

import numpy as np

from ._tensor import Tensor

SUFFIX = ".safetensors"


def is_safetensors_path(path: Any) -> bool:
    """True when `path` names a .safetensors file (the suffix that save/load dispatch on)."""
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(SUFFIX)


def _numpy_module() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("saving or loading .safetensors files needs the safetensors package: "
                          "pip install 'tinygrad_nn[safetensors]' (or save to a .npz path)") from None
    return safetensors.numpy


def save_safetensors(state_dict: Mapping[str, Any], path: str | os.PathLike,
                     metadata: Mapping[str, str] | None = None) -> None:
    """Write a flat {name: Tensor or array} dict (a state dict) to `path` in the safetensors
    format, atomically (a temporary file renamed over the destination). `metadata` is an
    optional {str: str} dict stored in the header."""
    st = _numpy_module()
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: a .safetensors file holds one flat dict of name -> tensor (a state "
                        f"dict), got {type(state_dict).__name__}; save nested checkpoints as .npz")
    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        if not isinstance(name, str):
            raise TypeError(f"save: safetensors names must be strings, got {type(name).__name__} {name!r}")
        if not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(f"save: {name!r} is a {type(value).__name__}; a .safetensors file holds "
                            "only tensors (save optimizer states and other values as .npz)")
        array = value._data if isinstance(value, Tensor) else value
        if array.dtype.kind not in "biuf" or array.dtype == np.longdouble:
            raise TypeError(f"save: {name!r} has dtype {array.dtype}, which safetensors cannot store")
        # not np.ascontiguousarray, which makes a 0-d array (num_batches_tracked) 1-d
        arrays[name] = array if array.flags.c_contiguous else array.copy(order="C")
    if metadata is not None and not all(isinstance(k, str) and isinstance(v, str)
                                        for k, v in metadata.items()):
        raise TypeError("save: safetensors metadata must map strings to strings")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        st.save_file(arrays, tmp, metadata=dict(metadata) if metadata is not None else None)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_safetensors(path: str | os.PathLike) -> dict[str, Tensor]:
    """Read a .safetensors file as {name: Tensor} (in the order safetensors stores, not the saved
    one), ready for `model.load_state_dict`. A missing file raises FileNotFoundError, a damaged
    one ValueError."""
    st = _numpy_module()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no file at {path!r}")
    try:
        arrays = st.load_file(path)
    except Exception as e:   # safetensors raises its own SafetensorError for a damaged header
        raise ValueError(f"load: {path!r} is not a readable safetensors file: {e}") from None
    return {name: Tensor(array) for name, array in arrays.items()}
