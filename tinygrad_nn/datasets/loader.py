"""DataLoader over arrays: the course's `DataLoader(x, y, batch_size, shuffle, drop_last, seed)`,
which yields numpy batches. It is `tinygrad_nn.utils.data.DataLoader` (PyTorch's) over a data
set of two arrays; given a data set instead of x and y it is exactly PyTorch's loader."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ..utils import data


def _as_array(a: Any) -> np.ndarray:
    return a._data if isinstance(a, Tensor) else np.asarray(a)


class _ArrayPairs(data.Dataset):
    """(x[i], y[i]) as numpy arrays; batches are plain numpy arrays too (views when in order)."""

    def __init__(self, x: Any, y: Any) -> None:
        self.x, self.y = _as_array(x), _as_array(y)
        if self.x.ndim == 0 or self.y.ndim == 0:
            raise ValueError(f"DataLoader: x and y need a leading example axis, got shapes "
                             f"{self.x.shape} and {self.y.shape}")
        if len(self.x) != len(self.y):
            raise ValueError(f"DataLoader: x has {len(self.x)} examples but y has {len(self.y)} "
                             f"(shapes {self.x.shape} and {self.y.shape})")

    def __getitem__(self, index: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.x[index], self.y[index]

    def __len__(self) -> int:
        return len(self.x)

    def _batch(self, indices: np.ndarray | slice) -> tuple[np.ndarray, np.ndarray]:
        return self.x[indices], self.y[indices]


class DataLoader(data.DataLoader):
    """Iterate over `(x, y)` in mini-batches of `batch_size` examples.

    Yields numpy arrays `(xb, yb)`, not Tensors: wrap them yourself, `Tensor(xb)` (a float
    array is not copied), so labels stay plain integer arrays for the losses and for counting
    correct predictions. With `shuffle=True` every pass draws a new permutation from one
    generator seeded with `seed`, so a run is reproducible epoch by epoch; `seed=None` gives
    fresh randomness. `drop_last=True` skips a last batch smaller than `batch_size`.
    `DataLoader(dataset, batch_size=..., ...)` without y is PyTorch's loader (Tensor batches).

    Shapes: x (N, ...), y (N, ...) -> xb (B, ...), yb (B, ...), B = batch_size except perhaps
    the last batch; len(loader) = ceil(N / batch_size), or floor with drop_last.

    Example::

        >>> loader = DataLoader(np.zeros((10, 3)), np.arange(10), batch_size=4, shuffle=True, seed=0)
        >>> len(loader), [len(yb) for _, yb in loader]
        (3, [4, 4, 2])
    """

    def __init__(self, x: Any, y: Any = None, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        if y is None:
            if seed is not None:
                kwargs.setdefault("generator", np.random.default_rng(seed))
            super().__init__(x, batch_size, shuffle, drop_last=drop_last, **kwargs)
            return
        super().__init__(_ArrayPairs(x, y), batch_size, shuffle, drop_last=drop_last,
                         generator=np.random.default_rng(seed), **kwargs)
        self.x, self.y = self.dataset.x, self.dataset.y
        self.shuffle = shuffle

    def __repr__(self) -> str:
        if not isinstance(self.dataset, _ArrayPairs):
            return object.__repr__(self)
        return (f"DataLoader({len(self.dataset)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
