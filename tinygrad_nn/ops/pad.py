"""pad: PyTorch's F.pad (constant, reflect, replicate, circular) composed of primitives: a
constant pad writes x into a larger zero tensor (ScatterAdd with a basic index, whose gradient
is the slice back), the other modes index x with the positions numpy's pad would copy
(GetItem, whose gradient adds the copies back)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .._tensor import Tensor
from .index import ScatterAdd

_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad the last len(pad) // 2 axes of x, PyTorch's order: pad = (left of the last axis,
    right of the last axis, left of the one before, ...). Negative amounts crop.

    mode "constant" fills with `value`; "reflect" mirrors without repeating the edge
    ([1, 2, 3] padded by 2: [3, 2, 1, 2, 3, 2, 1]); "replicate" repeats the edge; "circular"
    wraps around. Shape: each padded axis grows from n to left + n + right.

    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> pad(x, (1, 2), mode="replicate").sum().backward(); x.grad
    Tensor([2. 3.])
    """
    amounts = [int(p) for p in pad]
    if len(amounts) % 2 or len(amounts) // 2 > x.ndim:
        raise ValueError(f"pad: needs an even number of amounts, two per axis and at most "
                         f"{2 * x.ndim} for shape {x.shape}, got {tuple(amounts)}")
    if mode != "constant" and mode not in _MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', "
                         f"got {mode!r}")
    if mode != "constant" and value != 0.0:
        raise ValueError(f"pad: value= applies only to mode 'constant', not {mode!r}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(amounts) // 2):
        widths[x.ndim - 1 - k] = (amounts[2 * k], amounts[2 * k + 1])
    if mode == "constant":
        # negative amounts crop first; the rest pads what is left
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(widths, x.shape))
        if any(c.stop < c.start for c in crop):
            raise ValueError(f"pad: cropping {tuple(amounts)} leaves nothing of shape {x.shape}")
        if any(c.start or c.stop != n for c, n in zip(crop, x.shape)):
            x = x[crop]
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        shape = tuple(lo + n + hi for (lo, hi), n in zip(widths, x.shape))
        inside = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        out = ScatterAdd.apply(x, inside, shape)
        if value == 0.0:
            return out
        border = np.full(shape, value, x.dtype)
        border[inside] = 0
        return out + border
    for axis, (lo, hi) in enumerate(widths):
        if not lo and not hi:
            continue
        n = x.shape[axis]
        source = _source_positions(mode, n, lo, hi)
        if source is None:
            raise ValueError(f"pad: {mode} padding of ({lo}, {hi}) does not fit dim {axis} of "
                             f"shape {x.shape} (reflect needs amounts < size, circular <= size, "
                             "replicate a non-empty dim)")
        x = x[(slice(None),) * axis + (source,)]
    return x


def _source_positions(mode: str, n: int, lo: int, hi: int) -> np.ndarray | None:
    """For each output position along one axis, the input position it copies (None if the
    amounts do not fit). PyTorch's order with negative amounts: reflect and replicate pad from
    the whole axis, then crop (replicate (3, -5) of 5 values is three copies of the first);
    circular crops, then pads. Any mode may crop an axis to nothing, as PyTorch's 2-d and 3-d
    kernels allow (its 1-d reflect and replicate kernels refuse an empty result)."""
    grow = (max(lo, 0), max(hi, 0))
    if mode in ("reflect", "replicate"):
        if n + lo + hi < 0 or n == 0 or (mode == "reflect" and max(grow) >= n):
            return None
        padded = np.pad(np.arange(n), grow, mode=_MODES[mode])  # type: ignore[call-overload]
        return padded[max(-lo, 0):len(padded) - max(-hi, 0)]
    kept = np.arange(n)[max(-lo, 0):max(n - max(-hi, 0), 0)]   # a negative stop would wrap
    if max(grow) > kept.size or (kept.size == 0 and grow != (0, 0)):
        return None
    return np.pad(kept, grow, mode=_MODES[mode])  # type: ignore[call-overload]
