"""The full MNIST as four gzipped IDX files: `read_idx`, `write_idx`, `load_mnist_idx`, `download_mnist`.

IDX layout (big-endian): two zero bytes, a type code (0x08 = uint8, ...), the number of
dimensions d, then d uint32 sizes, then the values. MNIST images are uint8 (N, 28, 28), magic
0x00000803; labels are uint8 (N,), magic 0x00000801.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
import warnings
import zlib
from pathlib import Path
from typing import Sequence

import numpy as np

from .split import Split

# type code -> big-endian numpy dtype
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}
IMAGES_MAGIC = 0x00000803  # uint8, 3 dimensions
LABELS_MAGIC = 0x00000801  # uint8, 1 dimension

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

# The well-known SHA-256 sums of the files as LeCun, Cortes and Burges distribute them
# (the same bytes on every mirror below).
MNIST_SHA256 = {
    TRAIN_IMAGES: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    TRAIN_LABELS: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    TEST_IMAGES: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    TEST_LABELS: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Tried in order. The original site has often refused downloads, so the copies that
# torchvision and TensorFlow use come first.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_CHUNK = 1 << 16


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] != b"\x1f\x8b":  # not gzipped: an IDX file someone already unpacked
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"{path.name}: not a valid gzip file ({e}); delete it and fetch it again") from e


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a numpy array of its stored shape and dtype.

    Raises ValueError naming the file if the header is malformed or the data is shorter or
    longer than the header's dimensions say.

    Example::

        >>> write_idx("/tmp/labels.gz", np.array([3, 1, 4], dtype=np.uint8))
        >>> read_idx("/tmp/labels.gz")
        array([3, 1, 4], dtype=uint8)
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f"{path.name}: only {len(data)} bytes, too short for an IDX header")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path.name}: bad magic number 0x{data[:4].hex()}; an IDX file starts "
                         f"with two zero bytes")
    type_code, ndim = data[2], data[3]
    if type_code not in IDX_DTYPES:
        raise ValueError(f"{path.name}: unknown IDX type code 0x{type_code:02x} in magic number "
                         f"0x{data[:4].hex()}")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(f"{path.name}: header says {ndim} dimensions but the file ends after "
                         f"{len(data)} bytes")
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header_len
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise ValueError(f"{path.name}: {what}: dimensions {shape} need {expected} data bytes, "
                         f"found {actual}")
    values = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    return values.astype(dtype.newbyteorder("="))  # native byte order, and writable


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write `array` as an IDX file, gzipped when `path` ends in `.gz` (the inverse of read_idx)."""
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
    dtype = array.dtype.newbyteorder("=")
    if dtype not in codes:
        raise TypeError(f"write_idx: IDX cannot store dtype {array.dtype}; use one of "
                        f"{', '.join(str(d) for d in codes)}")
    if array.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {array.ndim}")
    header = bytes([0, 0, codes[dtype], array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    payload = header + array.astype(dtype.newbyteorder(">")).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


def _find_file(directory: Path, name: str) -> Path | None:
    for candidate in (directory / name, directory / name.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def _read_mnist_part(path: Path, magic: int) -> np.ndarray:
    array = read_idx(path)
    if magic == IMAGES_MAGIC:
        kind, ndim = "an image file (uint8, 3 dimensions)", 3
    else:
        kind, ndim = "a label file (uint8, 1 dimension)", 1
    if array.dtype != np.uint8 or array.ndim != ndim:
        raise ValueError(f"{path.name}: holds {array.dtype} data of {array.ndim} dimensions, but "
                         f"it should be {kind}, magic number 0x{magic:08x}")
    return array


def load_mnist_idx(directory: str | os.PathLike, flatten: bool = True) -> Split:
    """The full MNIST (60,000 train + 10,000 test) from the four IDX files in `directory`.

    Looks for train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz
    and t10k-labels-idx1-ubyte.gz (or the same names unpacked, without `.gz`). Keeps MNIST's own
    train/test split. x = pixel / 255 as float32, labels int64.

    Shapes: x_train (60000, 784) and x_test (10000, 784), or (., 28, 28) with `flatten=False`;
    y_train (60000,), y_test (10000,).

    Example::

        >>> folder = download_mnist("~/.cache/tinygrad_nn/mnist")  # doctest: +SKIP
        >>> x_train, y_train, x_test, y_test = load_mnist_idx(folder)  # doctest: +SKIP
    """
    folder = Path(directory).expanduser()
    if not folder.exists():
        raise FileNotFoundError(f"load_mnist_idx: folder {str(folder)!r} does not exist")
    if not folder.is_dir():
        raise NotADirectoryError(f"load_mnist_idx: {str(folder)!r} is not a folder; give the folder "
                                 f"that holds the four MNIST IDX files")
    paths = {name: _find_file(folder, name) for name in MNIST_FILES}
    missing = [name for name, p in paths.items() if p is None]
    if missing:
        raise FileNotFoundError(f"load_mnist_idx: folder {str(folder)!r} lacks {', '.join(missing)}; "
                                f"expected the four MNIST IDX files {', '.join(MNIST_FILES)} "
                                f"(download_mnist(folder) fetches them)")

    parts = {}
    for name, path in paths.items():
        assert path is not None
        parts[name] = _read_mnist_part(path, IMAGES_MAGIC if "images" in name else LABELS_MAGIC)
    for images_name, labels_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        n_images, n_labels = len(parts[images_name]), len(parts[labels_name])
        if n_images != n_labels:
            raise ValueError(f"load_mnist_idx: {images_name} holds {n_images} images but "
                             f"{labels_name} holds {n_labels} labels")
        if n_labels and parts[labels_name].max() > 9:
            raise ValueError(f"load_mnist_idx: {labels_name} holds label {parts[labels_name].max()}; "
                             f"MNIST labels are 0..9")
    train_shape, test_shape = parts[TRAIN_IMAGES].shape[1:], parts[TEST_IMAGES].shape[1:]
    if train_shape != test_shape:
        raise ValueError(f"load_mnist_idx: {TRAIN_IMAGES} holds {train_shape} images but "
                         f"{TEST_IMAGES} holds {test_shape} images")

    def images(name: str) -> np.ndarray:
        x = parts[name].astype(np.float32) / np.float32(255)  # (N, rows, cols)
        return x.reshape(len(x), -1) if flatten else x  # (N, rows * cols)

    return Split(images(TRAIN_IMAGES), parts[TRAIN_LABELS].astype(np.int64),
                 images(TEST_IMAGES), parts[TEST_LABELS].astype(np.int64))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(url: str, target: Path, sha256: str) -> None:
    """Download `url` to `target` through a temporary file beside it, checking its SHA-256.

    The target only ever appears complete and verified: os.replace is atomic, so a crash or a
    failed download leaves at most a stray temporary file, never a corrupt target.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"SHA-256 mismatch for {target.name} from {url}: expected {sha256}, "
                             f"got {digest.hexdigest()}; deleted the partial file")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def download_mnist(cache_dir: str | os.PathLike, mirrors: Sequence[str] | None = None) -> Path:
    """Fetch the four MNIST IDX files into `cache_dir` (if not already there) and verify them.

    Each file is checked against its well-known SHA-256 sum. A file already in `cache_dir`
    with the right sum is kept; a wrong one is fetched again. Mirrors (default `MNIST_MIRRORS`,
    base URLs ending in "/") are tried in order; a download whose checksum does not match is
    deleted, and the next mirror is tried with a warning. Uses only urllib.

    Returns the folder, ready for `load_mnist_idx`.

    Example::

        >>> folder = download_mnist("~/.cache/tinygrad_nn/mnist")  # doctest: +SKIP
        >>> load_mnist_idx(folder).x_train.shape  # doctest: +SKIP
        (60000, 784)
    """
    folder = Path(cache_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"download_mnist: cannot create cache folder {str(folder)!r}: {e}") from e
    bases = MNIST_MIRRORS if mirrors is None else tuple(mirrors)
    if not bases:
        raise ValueError("download_mnist: no mirrors to download from")

    for name in MNIST_FILES:
        target, sha256 = folder / name, MNIST_SHA256[name]
        if target.is_file() and _sha256(target) == sha256:
            continue
        failures = []
        for i, base in enumerate(bases):
            url = base.rstrip("/") + "/" + name
            try:
                _fetch(url, target, sha256)
                break
            # URLError and socket timeouts are OSErrors; a cut-off HTTP body is an HTTPException
            except (OSError, http.client.HTTPException, ValueError) as e:
                failures.append(f"{url}: {e}")
                if i + 1 < len(bases):
                    warnings.warn(f"download_mnist: {url} failed ({e}); trying the next mirror",
                                  stacklevel=2)
        else:
            raise RuntimeError(f"download_mnist: could not fetch {name} into {str(folder)!r}:\n  "
                               + "\n  ".join(failures))
    return folder
