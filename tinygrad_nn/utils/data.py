"""Datasets and mini-batch loading with PyTorch's names (`torch.utils.data`).

    from tinygrad_nn.utils.data import DataLoader, TensorDataset, random_split
    train, val = random_split(TensorDataset(x, y), [0.8, 0.2], generator=Generator().manual_seed(0))
    for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
        ...                                   # xb (64, ...) and yb (64,): Tensors

A batch is made by `collate_fn` (default_collate, PyTorch's rules) from the samples
`dataset[i]`; a TensorDataset (or a Subset of one) is batched by indexing its arrays once per
batch instead, which gives the same batch without a Python loop over the samples. Loading is
in-process: num_workers > 0 loads in the main process too (as num_workers=0 does, so
`get_worker_info()` is None and worker_init_fn is not called); pin_memory and the like are
accepted and have no effect. An IterableDataset (a stream: `__iter__` instead of indexing) is
batched in the order it yields.

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

    def __add__(self, other: Dataset[Any]) -> ConcatDataset:
        """`a + b` is ConcatDataset([a, b]), as in PyTorch."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T]):
    """A data set that is a stream: subclass it with `__iter__` yielding samples (no indexing).

    DataLoader batches the samples in the order they come; shuffle, sampler and batch_sampler do
    not apply. `__len__` is optional (then len(loader) works too).
    Example::

        class Squares(IterableDataset):
            def __iter__(self):
                return iter(tensor([float(i * i)]) for i in range(5))
        [b.tolist() for b in DataLoader(Squares(), batch_size=2)]   # [[[0.], [1.]], [[4.], [9.]], [[16.]]]
    """

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index: Any) -> T:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it cannot be indexed")

    def __add__(self, other: IterableDataset[Any]) -> ChainDataset:  # type: ignore[override]
        """`a + b` is ChainDataset([a, b]), as in PyTorch."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset[Any]):
    """IterableDatasets one after another: iterating yields each one's samples in turn."""

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = list(datasets)
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: expected IterableDatasets, got {type(d).__name__}")

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)  # type: ignore[arg-type]


def get_worker_info() -> None:
    """None: data is always loaded in the main process here (PyTorch returns None there too)."""
    return None


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

class Sampler(Generic[T]):
    """Base class of index orders: subclass it with `__iter__` (and `__len__` if the length is known).

    A DataLoader takes any iterable of indices as its `sampler=`; a Sampler is the usual kind.
    """

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[T]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler[int]):
    """Indices 0, 1, ..., N - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


def _positive_int(value: Any, name: str, op: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")
    return int(value)


class RandomSampler(Sampler[int]):
    """Random indices from `generator` (see the module): a fresh permutation of 0..N-1 on every
    pass, or with replacement=True `num_samples` independent uniform draws.

    Without replacement, num_samples > N gives whole permutations one after another and then
    the start of one more, as PyTorch does. len(sampler) is num_samples (default N).
    Example: list(RandomSampler(range(3), num_samples=5)) is e.g. [2, 0, 1, 1, 2].
    """

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement must be a bool, got {replacement!r}")
        if num_samples is not None:
            _positive_int(num_samples, "num_samples", "RandomSampler")
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _numpy_rng(generator, "RandomSampler")   # a bad generator fails here, not mid-epoch

    @property
    def num_samples(self) -> int:
        """How many indices one pass yields (the data set's length unless given)."""
        return len(self.data_source) if self._num_samples is None else int(self._num_samples)

    def __iter__(self) -> Iterator[int]:
        rng = _numpy_rng(self.generator, "RandomSampler")
        n, k = len(self.data_source), self.num_samples
        if self.replacement:
            return iter(rng.integers(0, n, size=k).tolist())
        order = [rng.permutation(n) for _ in range(k // n)] + [rng.permutation(n)[:k % n]]
        return iter(np.concatenate(order).tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a fresh random order on every pass.

    Example: a validation split by indices, DataLoader(ds, sampler=SubsetRandomSampler(val_idx)).
    """

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator
        _numpy_rng(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        order = _numpy_rng(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        return iter([self.indices[i] for i in order.tolist()])

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices drawn with probability weights[i] / sum(weights) (with replacement by
    default; without, each index at most once), from `generator`.

    Example: balance two classes of 90 and 10 samples with weights 1/90 and 1/10 per sample:
    WeightedRandomSampler(w, num_samples=100) draws about 50 of each.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        _positive_int(num_samples, "num_samples", "WeightedRandomSampler")
        if not isinstance(replacement, bool):
            raise ValueError(f"WeightedRandomSampler: replacement must be a bool, got {replacement!r}")
        w = np.asarray(weights._data if isinstance(weights, Tensor) else weights, np.float64)
        if w.ndim != 1:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-d sequence, got shape {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("WeightedRandomSampler: weights must be finite, >= 0 and not all 0")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement "
                             f"from {np.count_nonzero(w)} non-zero weights")
        self.weights = Tensor(w)
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = generator
        _numpy_rng(generator, "WeightedRandomSampler")

    def __iter__(self) -> Iterator[int]:
        w = self.weights._data
        rng = _numpy_rng(self.generator, "WeightedRandomSampler")
        drawn = rng.choice(len(w), size=self.num_samples, replace=self.replacement, p=w / w.sum())
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Lists of `batch_size` indices from `sampler`; the last may be shorter unless drop_last.

    Example: list(BatchSampler(range(5), 2, drop_last=False)) == [[0, 1], [2, 3], [4]].
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(f"DataLoader: batch_size must be an int, got {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        if not isinstance(drop_last, (bool, np.bool_)):
            raise TypeError(f"BatchSampler: drop_last must be a bool, got {drop_last!r}")
        self.sampler = sampler
        self.batch_size = int(batch_size)
        self.drop_last = bool(drop_last)

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
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and (not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: expected a map-style data set (with __getitem__ and __len__) or an "
                            f"IterableDataset, got {type(dataset).__name__}")
        if iterable:
            given = (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler))
            for option, value in given:
                if value is not None and value is not False:
                    raise ValueError(f"DataLoader: an IterableDataset is read in its own order; {option}="
                                     f"{value!r} does not apply")
        if not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be an integer >= 0, got {num_workers!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("DataLoader: prefetch_factor needs num_workers > 0 (as in PyTorch)")
        if num_workers == 0 and persistent_workers:
            raise ValueError("DataLoader: persistent_workers needs num_workers > 0 (as in PyTorch)")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True cannot both be given")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
            raise ValueError("DataLoader: batch_sampler replaces batch_size, shuffle, sampler and drop_last")
        self.dataset = dataset
        self.generator = generator
        self.num_workers = num_workers   # > 0 is accepted and loads in this process all the same
        self.worker_init_fn = worker_init_fn
        self.drop_last = drop_last
        self._iterable = iterable
        if iterable:
            self.sampler: Any = None
            self.batch_sampler: Any = None
            self.batch_size = batch_size
            if batch_size is not None:
                BatchSampler([], batch_size, drop_last)   # the same checks of batch_size and drop_last
            self.collate_fn = collate_fn
            self._fast = False
            return
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
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
        if self._iterable:
            try:
                n = len(self.dataset)
            except (TypeError, NotImplementedError):
                raise TypeError(f"DataLoader: the IterableDataset {type(self.dataset).__name__} has no "
                                "__len__, so the loader has no length") from None
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        counted = self.batch_sampler if self.batch_sampler is not None else self.sampler
        return len(counted)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._iterate_stream()
            return
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

    def _iterate_stream(self) -> Iterator[Any]:
        """An IterableDataset's samples, `batch_size` at a time (the last kept unless drop_last)."""
        if self.batch_size is None:
            yield from self.dataset
            return
        collate = self.collate_fn or default_collate
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield collate(batch)
                batch = []
        if batch and not self.drop_last:
            yield collate(batch)


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


__all__ = ["Dataset", "IterableDataset", "ChainDataset", "TensorDataset", "Subset", "ConcatDataset",
           "random_split", "DataLoader", "default_collate", "get_worker_info", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]
