"""Generated data: 2-D classification sets for studying decision regions, and linear regression data.

Every generator takes a `seed` (same seed, same data; None for fresh randomness) and a float
`dtype` (float32 by default, to match the parameters of `nn` layers). Classification sets
return X (N, 2) and int64 labels y (N,); `regression` returns X (N, d) and float targets (N,).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np


def _check_count(name: str, value: int, where: str, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: {name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be at least {minimum}, got {value}")
    return int(value)


def _check_noise(noise: float, where: str) -> float:
    if not noise >= 0:  # also rejects NaN
        raise ValueError(f"{where}: noise must be >= 0, got {noise}")
    return float(noise)


def _float_dtype(dtype: Any, where: str) -> np.dtype:
    d = np.dtype(dtype)
    if d.kind != "f":
        raise TypeError(f"{where}: dtype must be a float type, got {d}")
    return d


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int | None = 0,
           dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The classic K-arm spiral: class k is an arm winding out from the origin.

    Point i of arm k sits at radius r = i / (n - 1) and angle 2*pi*k / K + 4r + noise * N(0, 1),
    so the arms interleave and no straight line separates them.

    Shapes: X (n_per_class * n_classes, 2) in [-1, 1]; y (n_per_class * n_classes,) in 0..K-1.

    Example::

        >>> X, y = spiral(n_per_class=100, n_classes=3)
        >>> X.shape, y.shape, sorted(set(y.tolist()))
        ((300, 2), (300,), [0, 1, 2])
    """
    n = _check_count("n_per_class", n_per_class, "spiral")
    k = _check_count("n_classes", n_classes, "spiral")
    noise = _check_noise(noise, "spiral")
    rng = np.random.default_rng(seed)
    radius = np.linspace(0.0, 1.0, n)  # (n,)
    arms, labels = [], []
    for c in range(k):
        angle = 2 * np.pi * c / k + 4.0 * radius + noise * rng.standard_normal(n)  # (n,)
        arms.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))  # (n, 2)
        labels.append(np.full(n, c, dtype=np.int64))
    return np.concatenate(arms).astype(_float_dtype(dtype, "spiral")), np.concatenate(labels)


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0,
          dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower arc shifted right.

    Upper: (cos t, sin t); lower: (1 - cos t, 0.5 - sin t), t in [0, pi]; plus noise * N(0, I).

    Shapes: X (n, 2); y (n,) in {0, 1}, n // 2 of class 0.
    """
    n = _check_count("n", n, "moons", minimum=2)
    noise = _check_noise(noise, "moons")
    rng = np.random.default_rng(seed)
    n0, n1 = _halves(n)
    t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)  # (n0, 2)
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)  # (n1, 2)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X.astype(_float_dtype(dtype, "moons")), y


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0,
            dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor`, plus noise * N(0, I).

    Shapes: X (n, 2); y (n,) in {0, 1}, n // 2 of class 0.
    """
    n = _check_count("n", n, "circles", minimum=2)
    noise = _check_noise(noise, "circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor (inner radius / outer radius) must be in (0, 1), got {factor}")
    rng = np.random.default_rng(seed)
    n0, n1 = _halves(n)
    # endpoint=False: a point at 2*pi would repeat the one at 0
    t0 = np.linspace(0.0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2 * np.pi, n1, endpoint=False)
    outer = np.stack([np.cos(t0), np.sin(t0)], axis=1)  # (n0, 2)
    inner = factor * np.stack([np.cos(t1), np.sin(t1)], axis=1)  # (n1, 2)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return X.astype(_float_dtype(dtype, "circles")), y


def xor(n: int = 200, noise: float = 0.0, seed: int | None = 0,
        dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]^2, labelled 1 where exactly one coordinate is positive.

    The labels are fixed before `noise * N(0, I)` moves the points, so noise > 0 lets some
    points stray across the axes into the other class's quadrants.

    Shapes: X (n, 2); y (n,) in {0, 1}.
    """
    n = _check_count("n", n, "xor")
    noise = _check_noise(noise, "xor")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    X = X + noise * rng.standard_normal((n, 2))
    return X.astype(_float_dtype(dtype, "xor")), y


def blobs(n: int = 200, centers: int | Sequence[Sequence[float]] | np.ndarray = 3, std: float = 0.5,
          seed: int | None = 0, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters, one per class: point i of class k is centers[k] + std * N(0, I).

    `centers` is an int K (the centers then sit evenly on a circle of radius 2, so the classes
    are separable for small `std`) or an array of K 2-D points. The n points are shared out as
    evenly as possible, classes in order.

    Shapes: X (n, 2) (or (n, d) for d-dimensional centers); y (n,) in 0..K-1.
    """
    n = _check_count("n", n, "blobs")
    std = _check_noise(std, "blobs")
    if isinstance(centers, (int, np.integer)) and not isinstance(centers, (bool, np.bool_)):
        k = _check_count("centers", int(centers), "blobs")
        angle = 2 * np.pi * np.arange(k) / k
        points = 2.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (k, 2)
    else:
        points = np.asarray(centers, dtype=np.float64)
        if points.ndim != 2 or len(points) == 0:
            raise ValueError(f"blobs: centers must be an int or an array (K, d) of points, got shape "
                             f"{points.shape}")
    rng = np.random.default_rng(seed)
    y = np.arange(n, dtype=np.int64) * len(points) // n  # (n,) 0,0,..,1,1,..: near-equal class sizes
    X = points[y] + std * rng.standard_normal((n, points.shape[1]))
    return X.astype(_float_dtype(dtype, "blobs")), y


def regression(n: int = 100, weights: Sequence[float] = (2.0, -1.0, 5.0), bias: float = 0.0,
               noise: float = 0.0, seed: int | None = 0,
               dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Linear regression data y = X @ weights + bias + noise * N(0, 1), X uniform in [-1, 1].

    The default is the guide's y = 2*x1 - x2 + 5*x3.

    Shapes: X (n, len(weights)); y (n,). A network's output is (n, 1): compare it with
    y[:, None], since (n, 1) - (n,) broadcasts to (n, n) and silently gives a wrong loss.

    Example::

        >>> X, y = regression(n=4)
        >>> bool(np.allclose(y, 2 * X[:, 0] - X[:, 1] + 5 * X[:, 2]))
        True
    """
    n = _check_count("n", n, "regression")
    noise = _check_noise(noise, "regression")
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError(f"regression: weights must be a non-empty 1-D sequence, got shape {w.shape}")
    out_dtype = _float_dtype(dtype, "regression")
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, len(w))).astype(out_dtype)  # (n, d)
    # computed from the rounded X, so the relation holds exactly in the returned precision
    y = X.astype(np.float64) @ w + bias + noise * rng.standard_normal(n)  # (n,)
    return X, y.astype(out_dtype)
