"""Statistics composed of primitives (no backward of their own): nansum, nanmean, aminmax,
quantile and nanquantile (five interpolation modes), cov and corrcoef. Gradients flow through
sort, indexing and arithmetic, so second order works."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import numpy_call
from .._tensor import Axis, Tensor, _axes
from .arithmetic import where
from .register import tensor_method


def _nan_mask(x: Tensor) -> np.ndarray:
    return numpy_call(np.isnan, x._data)


@tensor_method("nansum")
def nansum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The sum over `axis` counting nan as 0; nan places get gradient 0.
    Tensor([1.0, nan, 2.0]).nansum() is 3."""
    if x.dtype.kind != "f":
        return x.sum(axis, keepdims)
    return where(_nan_mask(x), np.zeros((), x.dtype), x).sum(axis, keepdims)


@tensor_method("nanmean")
def nanmean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """The mean over `axis` of the elements that are not nan: nansum / (count of non-nan).
    Tensor([1.0, nan, 3.0]).nanmean() is 2."""
    if x.dtype.kind != "f":
        raise TypeError(f"nanmean: expected a floating point tensor, got dtype {x.dtype}")
    counts = numpy_call(_not_nan_count, x._data, _axes(axis, x.ndim) if x.ndim else None, keepdims)
    return x.nansum(axis, keepdims) / counts


def _not_nan_count(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return np.sum(~np.isnan(x), axis=axis, keepdims=keepdims).astype(x.dtype)


class MinMax(NamedTuple):
    """What aminmax returns, as PyTorch's torch.return_types.aminmax."""
    min: Tensor
    max: Tensor


@tensor_method("aminmax")
def aminmax(x: Tensor, axis: int | None = None, keepdims: bool = False) -> MinMax:
    """(min, max) over `axis` (all elements by default) in one call: (x.amin(axis), x.amax(axis)).
    Tensor([3.0, 1.0, 2.0]).aminmax() is (Tensor(1.), Tensor(3.))."""
    if x.numel() == 0:
        raise RuntimeError(f"aminmax: cannot compute on an empty tensor of shape {x.shape}")
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise TypeError(f"aminmax: dim must be an int or None, got {axis!r}")
    return MinMax(x.amin(axis, keepdims), x.amax(axis, keepdims))


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op: str, x: Tensor, q: Any, axis: int | None, keepdims: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point input, got dtype {x.dtype}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}: interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
    qs = q._data if isinstance(q, Tensor) else np.asarray(q, np.float64)
    if isinstance(q, Tensor) and q.dtype != x.dtype:
        raise TypeError(f"{op}: q has dtype {q.dtype}, the input {x.dtype} (they must match)")
    if qs.ndim > 1:
        raise ValueError(f"{op}: q must be a number or a 1-d tensor, got shape {qs.shape}")
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise ValueError(f"{op}: q values must be in the range [0, 1], got {qs}")
    if x.numel() == 0:
        raise RuntimeError(f"{op}: input tensor of shape {x.shape} must be non-empty")
    if axis is None:
        flat = x.reshape(-1)
        kept = (1,) * x.ndim
    else:
        (d,) = _axes(axis, max(x.ndim, 1))
        flat = x.reshape(1) if x.ndim == 0 else x.movedim(d, -1)
        kept = x.shape[:d] + (1,) + x.shape[d + 1:] if x.ndim else ()
    values = flat.sort(-1).values                                   # (..., n), nan last
    rank = numpy_call(_ranks, values._data, qs.reshape(-1), interpolation, ignore_nan)   # (..., Q)
    lo = values.take_along_dim(numpy_call(_below, rank), -1)
    if interpolation in ("lower", "higher", "nearest"):   # rank is a whole number
        out = lo
    else:
        hi = values.take_along_dim(numpy_call(_above, rank), -1)
        out = lo.lerp(hi, numpy_call(_weight, rank, interpolation, values.dtype))
    out = out.movedim(-1, 0)                                        # (Q, ...)
    if keepdims:
        out = out.reshape(out.shape[0], *kept)
    return out.reshape(out.shape[1:]) if qs.ndim == 0 else out


def _ranks(values: np.ndarray, qs: np.ndarray, interpolation: str, ignore_nan: bool) -> np.ndarray:
    """For sorted rows `values` (..., n): each q's rank (..., Q), a whole number unless interpolation
    is linear or midpoint. A row with nan ranks at its end, which holds nan (quantile's answer), unless
    nanquantile, which ranks among the values that are not nan (and at the end when all are)."""
    n = values.shape[-1]
    nans = np.isnan(values)
    valid = (n - nans.sum(-1, keepdims=True)) if ignore_nan else np.full(values.shape[:-1] + (1,), n)
    rank = qs.astype(np.float64) * (np.maximum(valid, 1) - 1)
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)   # ties to even, as PyTorch's round
    last = (valid == 0) if ignore_nan else nans.any(-1, keepdims=True)
    return np.where(last, n - 1, rank)


def _below(rank: np.ndarray) -> np.ndarray:
    return np.floor(rank).astype(np.int64)


def _above(rank: np.ndarray) -> np.ndarray:
    return np.ceil(rank).astype(np.int64)


def _weight(rank: np.ndarray, interpolation: str, dtype: np.dtype) -> np.ndarray:
    """The weight of the value above: rank's fraction (linear), or 1/2 (midpoint)."""
    weight = rank - np.floor(rank) if interpolation == "linear" else np.full(rank.shape, 0.5)
    return weight.astype(dtype)


@tensor_method("quantile")
def quantile(x: Tensor, q: Any, axis: int | None = None, keepdims: bool = False,
             interpolation: str = "linear") -> Tensor:
    """The q-th quantiles (q a number or a 1-d tensor in [0, 1]) along `axis` (of all elements by
    default): with n sorted values v, rank r = q (n - 1) and interpolation "linear"
    v[⌊r⌋] + (r - ⌊r⌋)(v[⌈r⌉] - v[⌊r⌋]), or "lower", "higher", "nearest", "midpoint". A 1-d q puts
    its axis first. Tensor([1.0, 2.0, 4.0]).quantile(0.75) is 3; a row with nan gives nan."""
    return _quantile("quantile", x, q, axis, keepdims, interpolation, ignore_nan=False)


@tensor_method("nanquantile")
def nanquantile(x: Tensor, q: Any, axis: int | None = None, keepdims: bool = False,
                interpolation: str = "linear") -> Tensor:
    """quantile ignoring nan: each row's quantiles of its values that are not nan (nan if all are)."""
    return _quantile("nanquantile", x, q, axis, keepdims, interpolation, ignore_nan=True)


@tensor_method("cov")
def cov(x: Tensor, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the variables in the rows of x (variables, observations), or the
    variance of a 1-d x: Σ w (xᵢ - x̄)(xⱼ - x̄) / (Σw - correction), w = fweights · aweights.

    >>> Tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]).cov()   # [[1, -1], [-1, 1]]"""
    if x.ndim > 2:
        raise ValueError(f"cov: expected a 1-d or 2-d input (variables, observations), got shape {x.shape}")
    obs = x.reshape(1, -1) if x.ndim < 2 else x
    if obs.dtype.kind != "f":
        obs = obs.float()
    n = obs.shape[1]
    weights = None
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is None:
            continue
        w = w if isinstance(w, Tensor) else Tensor(np.asarray(w))
        if w.shape != (n,):
            raise ValueError(f"cov: {name} must be a 1-d tensor of the {n} observations, got shape {w.shape}")
        if name == "fweights" and w.dtype.kind not in "iu":
            raise TypeError(f"cov: fweights must be integers, got dtype {w.dtype}")
        if (w._data < 0).any():
            raise ValueError(f"cov: {name} cannot be negative")
        weights = w if weights is None else weights * w
    if weights is None:
        mean = obs.mean(1, keepdims=True)
        norm: Any = n - correction
        centered = obs - mean
        out = (centered @ centered.T) / max(norm, 0)
    else:
        weights = weights.astype(obs.dtype)
        total = weights.sum()
        mean = (obs * weights).sum(1, keepdims=True) / total
        if aweights is None or correction == 0:
            norm = total - correction
        else:
            a = aweights if isinstance(aweights, Tensor) else Tensor(np.asarray(aweights, obs.dtype))
            norm = total - correction * (weights * a.astype(obs.dtype)).sum() / total
        norm = norm.clamp(min=0)
        centered = obs - mean
        out = ((centered * weights) @ centered.T) / norm
    return out.reshape(()) if out.shape == (1, 1) else out


@tensor_method("corrcoef")
def corrcoef(x: Tensor) -> Tensor:
    """Pearson correlation coefficients of the rows of x: cov(x)ᵢⱼ / sqrt(cov(x)ᵢᵢ cov(x)ⱼⱼ), clipped to
    [-1, 1] as PyTorch. Tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]).corrcoef() is [[1, -1], [-1, 1]]."""
    c = x.cov()
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.reshape(-1, 1) / std.reshape(1, -1)).clamp(-1, 1)


__all__ = ["MinMax", "aminmax", "corrcoef", "cov", "nanmean", "nanquantile", "nansum", "quantile"]
