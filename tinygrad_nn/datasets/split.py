"""A train/test split that keeps each class's share: `Split` and `stratified_split`."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Split(NamedTuple):
    """Arrays of one data set, split into a training part and a held-out test part.

    Unpacks like a tuple: ``x_train, y_train, x_test, y_test = load_mnist()``.
    `x_*` are float arrays (N, features) or (N, rows, cols); `y_*` are int64 labels (N,).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __repr__(self) -> str:
        # the default NamedTuple repr would print every pixel of every image
        return (f"Split(x_train={_describe(self.x_train)}, y_train={_describe(self.y_train)}, "
                f"x_test={_describe(self.x_test)}, y_test={_describe(self.y_test)})")


def _describe(a: np.ndarray) -> str:
    return f"<{a.dtype} {a.shape}>"


def resolve_test_size(test_size: int | float, n: int, where: str) -> int:
    """Turn `test_size` (a count, or a fraction in (0, 1)) into a count in [1, n - 1]."""
    if isinstance(test_size, (bool, np.bool_)):
        raise TypeError(f"{where}: test_size must be an int count or a float fraction, got {test_size!r}")
    if isinstance(test_size, (int, np.integer)):
        count = int(test_size)
        if not 1 <= count <= n - 1:
            raise ValueError(f"{where}: test_size={count} is out of range; the data set has {n} "
                             f"examples, so a test count must be between 1 and {n - 1}")
        return count
    if isinstance(test_size, (float, np.floating)):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"{where}: test_size={test_size} is out of range; a fraction must be "
                             f"strictly between 0 and 1")
        count = int(round(float(test_size) * n))
        if not 1 <= count <= n - 1:
            raise ValueError(f"{where}: test_size={test_size} of {n} examples gives {count} test "
                             f"examples; it must leave at least one for each of train and test")
        return count
    raise TypeError(f"{where}: test_size must be an int count or a float fraction, got "
                    f"{type(test_size).__name__}")


def stratified_split(x: np.ndarray, y: np.ndarray, test_size: int | float, seed: int | None = 0,
                     where: str = "stratified_split") -> Split:
    """Shuffle and split `(x, y)` so each class has the same share in the test part as overall.

    Class c with n_c of the N examples gets floor or ceil of n_c * test_count / N test examples
    (largest remainders round up, so the counts add up to test_count exactly). Both parts come
    out shuffled; the same `seed` always gives the same split.

    Shapes: x (N, ...), y (N,) integer labels -> Split with x_train (N - T, ...), x_test (T, ...).

    Example::

        >>> x, y = np.arange(20.0).reshape(10, 2), np.array([0] * 5 + [1] * 5)
        >>> s = stratified_split(x, y, test_size=4, seed=0)
        >>> np.bincount(s.y_test).tolist()
        [2, 2]
    """
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"{where}: expected x (N, ...) and labels y (N,), got x {x.shape} and y {y.shape}")
    n = len(y)
    test_count = resolve_test_size(test_size, n, where)
    rng = np.random.default_rng(seed)

    classes, y_index = np.unique(y, return_inverse=True)
    class_counts = np.bincount(y_index, minlength=len(classes))
    expected = class_counts * test_count / n
    per_class = np.floor(expected).astype(np.int64)
    shortfall = test_count - int(per_class.sum())
    # stable sort so ties in the remainder always go to the smaller class label
    largest_remainders = np.argsort(-(expected - per_class), kind="stable")[:shortfall]
    per_class[largest_remainders] += 1

    test_parts, train_parts = [], []
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(y_index == c))
        test_parts.append(members[:per_class[c]])
        train_parts.append(members[per_class[c]:])
    # concatenating per class would leave the parts sorted by label again
    test_idx = rng.permutation(np.concatenate(test_parts))
    train_idx = rng.permutation(np.concatenate(train_parts))
    return Split(x[train_idx], y[train_idx], x[test_idx], y[test_idx])
