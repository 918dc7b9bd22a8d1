"""`assert_close`: PyTorch's `torch.testing.assert_close` for tinygrad_nn Tensors, numpy arrays,
numbers and (nested) sequences or mappings of them.

Two values are close where |actual - expected| <= atol + rtol * |expected|, with tolerances chosen
by dtype when not given (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7; integers and
bools exact), as PyTorch chooses them.

>>> import tinygrad_nn as torch
>>> from tinygrad_nn.testing import assert_close
>>> x = torch.tensor([1.0, 2.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> assert_close(x.grad, torch.tensor([2.0, 4.0]))
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._tensor import Tensor

# (rtol, atol) by dtype: PyTorch's defaults; the looser of the two operands' applies
_DEFAULT_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
                       np.dtype(np.float64): (1e-7, 1e-7)}


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_dtype: bool = True, msg: str | None = None,
                 **ignored: Any) -> None:
    """Raise AssertionError unless `actual` and `expected` have the same structure, shapes and
    (with check_dtype) dtypes, and every element is within atol + rtol * |expected|.

    The message names the path into a structure, the number of mismatched elements and the
    greatest absolute and relative differences with their index. PyTorch's device, layout and
    stride checks have nothing to check here and are accepted (`check_device=`, ... ignored)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: give both rtol and atol, or neither (got rtol={rtol}, "
                         f"atol={atol})")
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, msg, path="")


def _compare(actual: Any, expected: Any, rtol: float | None, atol: float | None, equal_nan: bool,
             check_dtype: bool, msg: str | None, path: str) -> None:
    where = f" at {path}" if path else ""
    if isinstance(expected, Mapping) or isinstance(actual, Mapping):
        if not (isinstance(expected, Mapping) and isinstance(actual, Mapping)):
            _fail(f"Inputs{where} are not both mappings: {type(actual).__name__} and "
                  f"{type(expected).__name__}.", msg)
        if set(actual) != set(expected):
            _fail(f"The keys{where} do not match: {sorted(map(str, actual))} != "
                  f"{sorted(map(str, expected))}.", msg)
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype, msg,
                     f"{path}[{key!r}]")
        return
    if _is_sequence(expected) or _is_sequence(actual):
        if not (_is_sequence(expected) and _is_sequence(actual)):
            _fail(f"Inputs{where} are not both sequences: {type(actual).__name__} and "
                  f"{type(expected).__name__}.", msg)
        if len(actual) != len(expected):
            _fail(f"The length of the sequences{where} do not match: {len(actual)} != "
                  f"{len(expected)}.", msg)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, msg, f"{path}[{i}]")
        return
    a, e = _array(actual, "actual", path), _array(expected, "expected", path)
    kind = "Scalars" if a.ndim == 0 else "Tensor-likes"
    if a.shape != e.shape:
        _fail(f"The values for attribute 'shape' do not match{where}: {a.shape} != {e.shape}.", msg)
    if check_dtype and a.dtype != e.dtype:
        _fail(f"The values for attribute 'dtype' do not match{where}: {a.dtype} != {e.dtype}.", msg)
    if rtol is None or atol is None:
        rtol, atol = np.maximum(_DEFAULT_TOLERANCES.get(a.dtype, (0.0, 0.0)),
                                _DEFAULT_TOLERANCES.get(e.dtype, (0.0, 0.0)))
    if a.dtype == np.bool_ or e.dtype == np.bool_:
        a, e = a.astype(np.int64), e.astype(np.int64)
    common = np.promote_types(a.dtype, e.dtype)
    if not np.issubdtype(common, np.inexact):
        common = np.dtype(np.float64) if (rtol or atol) else common
    a, e = a.astype(common), e.astype(common)
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.abs(a - e)
        # an infinity matches only itself (inf <= atol + rtol * inf would pass -inf against inf)
        ok = (a == e) | (np.isfinite(a) & np.isfinite(e) & (difference <= atol + rtol * np.abs(e)))
        if equal_nan:
            ok |= np.isnan(a) & np.isnan(e)
        if not ok.all():
            _fail(_mismatch(kind, a, e, difference, ok, float(rtol), float(atol), where), msg)


def _is_sequence(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _array(x: Any, which: str, path: str) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.numpy()
    if isinstance(x, (np.ndarray, np.generic, bool, int, float)):
        return np.asarray(x)
    raise TypeError(f"assert_close: {which}{' at ' + path if path else ''} is a "
                    f"{type(x).__name__}; expected a Tensor, numpy array, number, or a sequence "
                    "or mapping of them")


def _mismatch(kind: str, a: np.ndarray, e: np.ndarray, difference: np.ndarray, ok: np.ndarray,
              rtol: float, atol: float, where: str) -> str:
    bad = int((~ok).sum())
    exact = rtol == 0 and atol == 0
    allowed = (lambda tol: "") if exact else (lambda tol: f" (up to {tol} allowed)")
    lines = [f"{kind} are not {'equal' if exact else 'close'}{where}!", ""]
    if a.ndim == 0:
        lines.append(f"Expected {e.item()} but got {a.item()}.")
        lines.append(f"Absolute difference: {difference.item()}{allowed(atol)}")
        lines.append(f"Relative difference: {(difference / np.abs(e)).item()}{allowed(rtol)}")
        return "\n".join(lines)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = difference / np.abs(e)
    masked_abs = np.where(ok, -np.inf, np.nan_to_num(difference, nan=np.inf))
    masked_rel = np.where(ok, -np.inf, np.nan_to_num(relative, nan=np.inf))
    at_abs = np.unravel_index(int(np.argmax(masked_abs)), a.shape)
    at_rel = np.unravel_index(int(np.argmax(masked_rel)), a.shape)
    lines.append(f"Mismatched elements: {bad} / {a.size} ({100.0 * bad / a.size:.1f}%)")
    lines.append(f"Greatest absolute difference: {difference[at_abs]} at index "
                 f"{tuple(int(i) for i in at_abs)}{allowed(atol)}")
    lines.append(f"Greatest relative difference: {relative[at_rel]} at index "
                 f"{tuple(int(i) for i in at_rel)}{allowed(rtol)}")
    return "\n".join(lines)


def _fail(text: str, msg: str | None) -> None:
    raise AssertionError(msg if msg is not None else text)
