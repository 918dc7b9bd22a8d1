"""Datasets and mini-batch loading with PyTorch's names (`torch.utils.data`).

    from tinygrad_nn.utils.data import DataLoader, TensorDataset, random_split
    train, val = random_split(TensorDataset(x, y), [0.8, 0.2], generator=Generator().manual_seed(0))
    for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
        ...                                   # xb (64, ...) and yb (64,): Tensors

A batch is made by `collate_fn` (default_collate, PyTorch's rules) from the samples
`dataset[i]`; a TensorDataset (or a Subset of one) is batched by indexing its arrays once per
batch instead, which gives the same batch without a Python loop over the samples. Loading is
in-process: num_workers, pin_memory and the like are accepted and have no effect.

Random order comes from `generator`: a tinygrad_nn.Generator or a numpy Generator; None means
the default generator, so `manual_seed` makes shuffling reproducible, as in PyTorch (the orders
themselves differ from PyTorch's).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Generic, Iterable, Iterator, TypeVar

import numpy as np

from ..creation import _numpy_rng
from .._tensor import Tensor

T = TypeVar("T")


# --- datasets ------------------------------------------------------------------------------------

class Dataset(Generic[T]):
    """A map-style data set: subclass it with `__getitem__(i)` (one sample) and `__len__`."""

    def __getitem__(self, index: Any) -> T:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset[tuple]):
    """Samples are slices of tensors along their first axis: dataset[i] = (x[i], y[i], ...).

    Shapes: every tensor (N, ...), the same N. Numpy arrays are accepted and become Tensors
    (their dtype is kept).
    Example: TensorDataset(randn(10, 3), tensor(range(10)))[2] is (x[2], y[2]).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: expected at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors)
        if any(t.ndim == 0 for t in self.tensors):
            raise ValueError(f"TensorDataset: every tensor needs a leading example axis, got shapes "
                             f"{[t.shape for t in self.tensors]}")
        if len({t.shape[0] for t in self.tensors}) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: the first axes of "
                             f"{[t.shape for t in self.tensors]} differ")

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def _batch(self, indices: np.ndarray | slice) -> list[Tensor]:
        """The collated batch of `indices` in one indexing per tensor (what default_collate
        would stack from the samples one by one): new arrays, as stacking makes."""
        if isinstance(indices, slice):
            return [Tensor(t._data[indices].copy()) for t in self.tensors]
        return [Tensor(t._data[indices]) for t in self.tensors]


class Subset(Dataset[T]):
    """The samples of `dataset` at `indices`, in that order: subset[i] = dataset[indices[i]]."""

    def __init__(self, dataset: Dataset[T], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)
        self._index_array = np.asarray(self.indices, np.int64)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]  # type: ignore[index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    def _batch(self, indices: np.ndarray | slice) -> Any:
        inner = getattr(self.dataset, "_batch", None)
        if inner is None:
            raise AttributeError("_batch")
        return inner(self._index_array[indices])


class ConcatDataset(Dataset[Any]):
    """Data sets one after another: len is the sum, index i runs through each in turn."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: expected at least one data set")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} samples")
        part = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = self.cumulative_sizes[part - 1] if part else 0
        return self.datasets[part][index - start]


def random_split(dataset: Dataset[T], lengths: Sequence[int | float],
                 generator: Any = None) -> list[Subset[T]]:
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    Lengths are counts that add up to len(dataset), or fractions that add up to 1: each gets
    floor(fraction * N) samples and the remainder is dealt one by one from the first split on
    (PyTorch's rule, so the lengths match PyTorch's; the samples in them differ).
    Example: random_split(range(10), [0.7, 0.3]) gives Subsets of 7 and 3.
    """
    n = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for fraction in lengths:
            if not 0 <= fraction <= 1:
                raise ValueError(f"random_split: fraction {fraction} is not in [0, 1]")
            counts.append(int(math.floor(n * fraction)))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(isinstance(k, float) and not float(k).is_integer() for k in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must add up to the data set's length {n} "
                         "(or be fractions that add up to 1)")
    order = _numpy_rng(generator, "random_split").permutation(n).tolist()
    subsets, start = [], 0
    for k in lengths:
        subsets.append(Subset(dataset, order[start:start + int(k)]))
        start += int(k)
    return subsets


# --- samplers ----------------------------------------------------------------------------------------

class SequentialSampler:
    """Indices 0, 1, ..., N - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler:
    """A fresh random permutation of 0..N-1 on every pass, from `generator` (see the module)."""

    def __init__(self, data_source: Any, generator: Any = None) -> None:
        self.data_source = data_source
        self.generator = generator
        _numpy_rng(generator, "RandomSampler")   # a bad generator fails here, not mid-epoch

    def __iter__(self) -> Iterator[int]:
        return iter(_numpy_rng(self.generator, "RandomSampler").permutation(len(self.data_source)).tolist())

    def __len__(self) -> int:
        return len(self.data_source)


class BatchSampler:
    """Lists of `batch_size` indices from `sampler`; the last may be shorter unless drop_last."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# --- collation and the loader ----------------------------------------------------------------------

def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, as PyTorch's default_collate:

    Tensors and numpy arrays are stacked along a new first axis (dtype kept); Python floats
    become a float64 Tensor, ints int64, bools bool; strings stay a list; dicts collate per
    key; tuples and lists per position (a tuple gives a list, a named tuple its own type).
    Example: default_collate([(x0, 0), (x1, 1)]) == [stack([x0, x1]), tensor([0, 1])].
    """
    if not batch:
        raise ValueError("default_collate: got an empty batch")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return Tensor(np.stack([b._data for b in batch]))
    if isinstance(elem, (np.ndarray, np.generic)) and elem.dtype.kind not in "SUO":
        return Tensor(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return Tensor(np.array(batch, np.bool_))
    if isinstance(elem, int):
        return Tensor(np.array(batch, np.int64))
    if isinstance(elem, float):
        return Tensor(np.array(batch, np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([b[key] for b in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # a named tuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if len({len(b) for b in batch}) != 1:
            raise RuntimeError("default_collate: each element in the batch should be of equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain Tensors, numpy arrays, numbers, dicts or "
                    f"lists; found {type(elem).__name__}")


class DataLoader:
    """Iterate over a data set in mini-batches, as PyTorch's DataLoader: `for xb, yb in loader`.

    Each batch holds `batch_size` samples (the last may be smaller unless drop_last=True),
    in order, or in a new random order every pass with shuffle=True (from `generator`).
    `sampler` (indices) or `batch_sampler` (lists of indices) replace the built-in order;
    `collate_fn` (default_collate) turns a list of samples into a batch; batch_size=None
    yields the samples themselves. len(loader) is the number of batches per pass.

    Example::

        >>> loader = DataLoader(TensorDataset(zeros(10, 3), arange(10)), batch_size=4, shuffle=True)
        >>> len(loader), [len(yb) for _, yb in loader]
        (3, [4, 4, 2])
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = False,
                 sampler: Iterable[int] | None = None, batch_sampler: Iterable[list[int]] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Any = None, multiprocessing_context: Any = None, generator: Any = None,
                 *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(f"DataLoader: expected a map-style data set (with __getitem__ and __len__), "
                            f"got {type(dataset).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True cannot both be given")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler replaces batch_size, shuffle, sampler and drop_last")
        self.dataset = dataset
        self.generator = generator
        self.num_workers = num_workers
        self.drop_last = drop_last
        if sampler is None:
            sampler = RandomSampler(dataset, generator) if shuffle else SequentialSampler(dataset)
        self.sampler = sampler
        if batch_sampler is None and batch_size is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size if batch_sampler is None or isinstance(batch_sampler, BatchSampler) \
            else None
        self.batch_sampler = batch_sampler
        self.collate_fn = collate_fn
        # one indexing per batch instead of a sample at a time: same batch, no Python loop
        self._fast = collate_fn is None and batch_sampler is not None and _batchable(dataset)

    def __len__(self) -> int:
        counted = self.batch_sampler if self.batch_sampler is not None else self.sampler
        return len(counted)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is None:   # batch_size=None: samples one at a time, uncollated
            for i in self.sampler:
                yield self.dataset[i]
            return
        collate = self.collate_fn or default_collate
        for indices in self.batch_sampler:
            if self._fast:
                yield self.dataset._batch(_as_index(indices))
            else:
                yield collate([self.dataset[i] for i in indices])


def _batchable(dataset: Any) -> bool:
    while isinstance(dataset, Subset):
        dataset = dataset.dataset
    return hasattr(dataset, "_batch")


def _as_index(indices: list[int]) -> np.ndarray | slice:
    """A run of consecutive indices as a slice (the arrays' views, no copy); otherwise an array."""
    start = indices[0]
    if indices == list(range(start, start + len(indices))):
        return slice(start, start + len(indices))
    return np.asarray(indices, np.int64)


__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
           "default_collate", "SequentialSampler", "RandomSampler", "BatchSampler"]
