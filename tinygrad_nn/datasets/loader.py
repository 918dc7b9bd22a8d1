"""DataLoader: mini-batches over arrays, reshuffled every epoch."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .._tensor import Tensor


def _as_array(a: Any) -> np.ndarray:
    return a._data if isinstance(a, Tensor) else np.asarray(a)


class DataLoader:
    """Iterate over `(x, y)` in mini-batches of `batch_size` examples, like PyTorch's DataLoader.

    Yields numpy arrays `(xb, yb)`, not Tensors: wrap them yourself, `Tensor(xb)` (a float
    array is not copied), so labels stay plain integer arrays for the losses and for counting
    correct predictions. With `shuffle=True` every pass draws a new permutation from one
    generator seeded with `seed`, so a run is reproducible epoch by epoch; `seed=None` gives
    fresh randomness. `drop_last=True` skips a last batch smaller than `batch_size`.

    Shapes: x (N, ...), y (N, ...) -> xb (B, ...), yb (B, ...), B = batch_size except perhaps
    the last batch; len(loader) = ceil(N / batch_size), or floor with drop_last.

    Example::

        >>> loader = DataLoader(np.zeros((10, 3)), np.arange(10), batch_size=4, shuffle=True, seed=0)
        >>> len(loader), [len(yb) for _, yb in loader]
        (3, [4, 4, 2])
    """

    def __init__(self, x: Any, y: Any, batch_size: int, shuffle: bool = False,
                 drop_last: bool = False, seed: int | None = None) -> None:
        self.x = _as_array(x)
        self.y = _as_array(y)
        if self.x.ndim == 0 or self.y.ndim == 0:
            raise ValueError(f"DataLoader: x and y need a leading example axis, got shapes "
                             f"{self.x.shape} and {self.y.shape}")
        if len(self.x) != len(self.y):
            raise ValueError(f"DataLoader: x has {len(self.x)} examples but y has {len(self.y)} "
                             f"(shapes {self.x.shape} and {self.y.shape})")
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        """The number of batches in one pass."""
        n = len(self.x)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(self.x)
        order = self._rng.permutation(n) if self.shuffle else None
        for b in range(len(self)):
            start, stop = b * self.batch_size, min((b + 1) * self.batch_size, n)
            if order is None:
                yield self.x[start:stop], self.y[start:stop]  # views: no copy without shuffling
            else:
                idx = order[start:stop]
                yield self.x[idx], self.y[idx]

    def __repr__(self) -> str:
        return (f"DataLoader({len(self.x)} examples, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")
