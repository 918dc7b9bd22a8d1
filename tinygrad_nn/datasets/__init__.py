"""Data for tinygrad_nn: two small real digit sets shipped in the package, the full MNIST from
IDX files, generated 2-D and regression sets, and a mini-batch DataLoader.

Real data (see `datasets/README.md` for provenance and licences):
    load_mnist(test_size=2000, seed=0)   10,000 real MNIST digits, 28x28, in [0, 1]
    load_digits(test_size=0.2, seed=0)   1,797 real 8x8 UCI digits, in [0, 1]
    load_mnist_idx(directory)            the full 60,000 + 10,000 MNIST from four IDX files
    download_mnist(cache_dir)            fetch those files, checking their SHA-256 sums
Generated: spiral, moons, circles, xor, blobs, regression. Batching: DataLoader.

Example::

    >>> from tinygrad_nn.datasets import load_mnist, DataLoader
    >>> x_train, y_train, x_test, y_test = load_mnist()
    >>> for xb, yb in DataLoader(x_train, y_train, batch_size=64, shuffle=True, seed=0):
    ...     pass  # xb (64, 784) float32, yb (64,) int64
"""
from .idx import MNIST_FILES, MNIST_MIRRORS, MNIST_SHA256, download_mnist, load_mnist_idx, read_idx, write_idx
from .loader import DataLoader
from .real import load_digits, load_mnist
from .split import Split, stratified_split
from .synthetic import blobs, circles, moons, regression, spiral, xor

__all__ = [
    "load_mnist", "load_digits", "load_mnist_idx", "download_mnist", "read_idx", "write_idx",
    "MNIST_FILES", "MNIST_MIRRORS", "MNIST_SHA256",
    "spiral", "moons", "circles", "xor", "blobs", "regression",
    "DataLoader", "Split", "stratified_split",
]
