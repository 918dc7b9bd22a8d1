"""tinygrad_nn.datasets: shipped real sets, IDX files and MNIST download (no network), generated
sets, DataLoader."""
import gzip
import hashlib
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tinygrad_nn import Tensor, datasets
from tinygrad_nn.datasets import (MNIST_FILES, DataLoader, Split, blobs, circles, download_mnist,
                                  load_digits, load_mnist, load_mnist_idx, moons, read_idx,
                                  regression, spiral, stratified_split, write_idx, xor)
from tinygrad_nn.datasets import idx as idx_module


# --- shipped real data ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mnist() -> Split:
    return load_mnist()


def test_mnist_shapes_dtypes_and_ranges(mnist):
    assert mnist.x_train.shape == (8000, 784) and mnist.x_test.shape == (2000, 784)
    assert mnist.y_train.shape == (8000,) and mnist.y_test.shape == (2000,)
    assert mnist.x_train.dtype == np.float32 and mnist.y_train.dtype == np.int64
    assert mnist.x_train.min() == 0.0 and mnist.x_train.max() == 1.0
    assert set(np.unique(mnist.y_train)) == set(range(10)) == set(np.unique(mnist.y_test))


def test_mnist_is_shuffled_not_sorted_by_label(mnist):
    # the file is sorted by label; an unshuffled split would give runs of one digit
    assert len(np.unique(mnist.y_train[:50])) >= 5
    assert len(np.unique(mnist.y_test[:50])) >= 5


def test_mnist_split_partitions_the_10k_images(mnist):
    images, _ = datasets.real.mnist_arrays()
    everything = np.concatenate([mnist.x_train, mnist.x_test])
    rows = {row.tobytes() for row in (images.reshape(10000, 784) / 255).astype(np.float32)}
    # (a few MNIST images may repeat, so compare sets and count separately)
    assert len(everything) == 10000 and {row.tobytes() for row in everything} == rows


def test_mnist_unflattened():
    split = load_mnist(test_size=500, flatten=False)
    assert split.x_train.shape == (9500, 28, 28) and split.x_test.shape == (500, 28, 28)


def expected_test_counts_ok(y_all: np.ndarray, y_test: np.ndarray) -> bool:
    counts, test_counts = np.bincount(y_all), np.bincount(y_test, minlength=len(np.bincount(y_all)))
    expected = counts * len(y_test) / len(y_all)
    return bool(np.all(np.abs(test_counts - expected) < 1))


def test_mnist_split_is_stratified(mnist):
    y_all = np.concatenate([mnist.y_train, mnist.y_test])
    assert expected_test_counts_ok(y_all, mnist.y_test)


def test_mnist_seed_reproducible_and_changes_split(mnist):
    again = load_mnist(seed=0)
    np.testing.assert_array_equal(again.y_test, mnist.y_test)
    np.testing.assert_array_equal(again.x_test, mnist.x_test)
    other = load_mnist(seed=1)
    assert not np.array_equal(other.y_test, mnist.y_test)


def test_digits_shapes_ranges_and_stratification():
    d = load_digits()
    assert d.x_train.shape == (1438, 64) and d.x_test.shape == (359, 64)
    assert d.x_train.dtype == np.float32 and d.y_test.dtype == np.int64
    assert d.x_train.min() == 0.0 and d.x_train.max() == 1.0
    assert set(np.unique(d.y_test)) == set(range(10))
    assert expected_test_counts_ok(np.concatenate([d.y_train, d.y_test]), d.y_test)
    assert load_digits(test_size=100, flatten=False).x_test.shape == (100, 8, 8)
    np.testing.assert_array_equal(load_digits(seed=3).y_train, load_digits(seed=3).y_train)


def test_split_repr_shows_shapes_not_pixels(mnist):
    assert repr(mnist) == ("Split(x_train=<float32 (8000, 784)>, y_train=<int64 (8000,)>, "
                           "x_test=<float32 (2000, 784)>, y_test=<int64 (2000,)>)")


@pytest.mark.parametrize("test_size", [0, -5, 10000, 20000, 0.0, 1.0, 1.5, -0.1])
def test_test_size_out_of_range(test_size):
    with pytest.raises(ValueError, match="load_mnist: test_size"):
        load_mnist(test_size=test_size)


@pytest.mark.parametrize("test_size", ["2000", None, True])
def test_test_size_wrong_type(test_size):
    with pytest.raises(TypeError, match="load_digits: test_size"):
        load_digits(test_size=test_size)


def test_stratified_split_counts_add_up_with_uneven_classes():
    y = np.array([0] * 7 + [1] * 2 + [2] * 11)
    x = np.arange(len(y))
    for test_size in range(1, len(y)):
        s = stratified_split(x, y, test_size=test_size, seed=test_size)
        assert len(s.y_test) == test_size
        assert expected_test_counts_ok(y, s.y_test)
        assert sorted(np.concatenate([s.x_train, s.x_test]).tolist()) == x.tolist()
        np.testing.assert_array_equal(y[s.x_test], s.y_test)  # pairs stay together


def test_stratified_split_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match=r"x \(3, 2\) and y \(4,\)"):
        stratified_split(np.zeros((3, 2)), np.zeros(4, dtype=int), test_size=1)


# --- IDX files ------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", [".gz", ""])
def test_idx_round_trip(tmp_path, dtype, suffix):
    array = (np.arange(24) - 7).reshape(2, 3, 4).astype(dtype)
    if dtype == np.uint8:
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / f"a.idx{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (2, 3, 4)
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # writable
    if dtype == np.int16:
        # big-endian on disk, as the format says: bytes 4.. hold the dims, then -7 as 0xfff9
        raw = path.read_bytes() if suffix == "" else gzip.decompress(path.read_bytes())
        assert raw[:4] == b"\x00\x00\x0b\x03" and raw[16:18] == b"\xff\xf9"


def test_write_idx_rejects_unstorable_dtype(tmp_path):
    with pytest.raises(TypeError, match="IDX cannot store dtype int64"):
        write_idx(tmp_path / "x.gz", np.zeros(3, dtype=np.int64))


def write_gz(path: Path, raw: bytes) -> Path:
    path.write_bytes(gzip.compress(raw))
    return path


@pytest.mark.parametrize("raw, message", [
    (b"\x00\x00", "only 2 bytes, too short for an IDX header"),
    (b"\x01\x02\x08\x01\x00\x00\x00\x01\x05", "bad magic number 0x01020801"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX type code 0x07"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header says 3 dimensions"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x04\x01\x02",
     r"truncated: dimensions \(4,\) need 4 data bytes, found 2"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x01\x01\x02",
     r"has trailing bytes: dimensions \(1,\) need 1 data bytes, found 2"),
])
def test_corrupt_idx_errors_name_the_file(tmp_path, raw, message):
    path = write_gz(tmp_path / "broken-idx1-ubyte.gz", raw)
    with pytest.raises(ValueError, match=f"broken-idx1-ubyte.gz: {message}"):
        read_idx(path)


def test_corrupt_gzip_names_the_file(tmp_path):
    good = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03" * 50)
    path = tmp_path / "cut.gz"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match="cut.gz: not a valid gzip file"):
        read_idx(path)


def write_tiny_mnist(folder: Path, n_train: int = 6, n_test: int = 4, seed: int = 0) -> dict:
    """Four tiny MNIST-format IDX files (28x28 uint8 images); returns the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(folder / name, array)
    return arrays


def test_load_mnist_idx_round_trip(tmp_path):
    arrays = write_tiny_mnist(tmp_path)
    split = load_mnist_idx(tmp_path)
    assert split.x_train.shape == (6, 784) and split.x_test.shape == (4, 784)
    assert split.x_train.dtype == np.float32 and split.y_train.dtype == np.int64
    expected = arrays["train-images-idx3-ubyte.gz"].reshape(6, 784) / np.float32(255)
    np.testing.assert_array_equal(split.x_train, expected)
    np.testing.assert_array_equal(split.y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert load_mnist_idx(str(tmp_path), flatten=False).x_test.shape == (4, 28, 28)


def test_load_mnist_idx_accepts_unpacked_files(tmp_path):
    arrays = write_tiny_mnist(tmp_path)
    packed = tmp_path / "t10k-labels-idx1-ubyte.gz"
    packed.rename(tmp_path / "t10k-labels-idx1-ubyte")
    np.testing.assert_array_equal(load_mnist_idx(tmp_path).y_test, arrays["t10k-labels-idx1-ubyte.gz"])


def test_load_mnist_idx_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder .*nowhere.* does not exist"):
        load_mnist_idx(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError, match="is not a folder"):
        load_mnist_idx(tmp_path / "file.txt")


def test_load_mnist_idx_folder_without_idx_files_lists_them(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_mnist_idx(tmp_path)
    for name in MNIST_FILES:
        assert name in str(info.value)
    write_tiny_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="lacks train-labels-idx1-ubyte.gz;"):
        load_mnist_idx(tmp_path)


def test_load_mnist_idx_swapped_files_give_magic_error(tmp_path):
    arrays = write_tiny_mnist(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", arrays["train-labels-idx1-ubyte.gz"])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz: .*should be an image file.*0x00000803"):
        load_mnist_idx(tmp_path)


def test_load_mnist_idx_count_mismatch(tmp_path):
    write_tiny_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(3, dtype=np.uint8))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz holds 4 images but "
                                         "t10k-labels-idx1-ubyte.gz holds 3 labels"):
        load_mnist_idx(tmp_path)


def test_load_mnist_idx_bad_labels_and_truncated_file(tmp_path):
    write_tiny_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.full(6, 12, dtype=np.uint8))
    with pytest.raises(ValueError, match="holds label 12"):
        load_mnist_idx(tmp_path)
    write_tiny_mnist(tmp_path)
    raw = gzip.decompress((tmp_path / "t10k-images-idx3-ubyte.gz").read_bytes())
    write_gz(tmp_path / "t10k-images-idx3-ubyte.gz", raw[:-100])
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz: truncated"):
        load_mnist_idx(tmp_path)


# --- download_mnist, without the network -----------------------------------------------------------

@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local file:// 'mirror' holding tiny MNIST files, with their checksums made the expected ones."""
    source = tmp_path / "mirror"
    write_tiny_mnist(source)
    sums = {name: hashlib.sha256((source / name).read_bytes()).hexdigest() for name in MNIST_FILES}
    monkeypatch.setattr(idx_module, "MNIST_SHA256", sums)
    return source


def test_download_mnist_from_local_mirror(tmp_path, mirror):
    cache = tmp_path / "cache" / "mnist"
    folder = download_mnist(cache, mirrors=[mirror.as_uri() + "/"])
    assert folder == cache
    assert sorted(p.name for p in cache.iterdir()) == sorted(MNIST_FILES)  # no temporary files left
    for name in MNIST_FILES:
        assert (cache / name).read_bytes() == (mirror / name).read_bytes()
    assert load_mnist_idx(folder).x_train.shape == (6, 784)


def test_download_mnist_skips_verified_files(tmp_path, mirror, monkeypatch):
    cache = tmp_path / "cache"
    download_mnist(cache, mirrors=[mirror.as_uri()])

    def no_network(*args, **kwargs):
        raise AssertionError("download_mnist fetched a file it already had")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    assert download_mnist(cache, mirrors=[mirror.as_uri()]) == cache


def test_download_mnist_checksum_mismatch_deletes_partial_file(tmp_path, mirror, monkeypatch):
    sums = dict(idx_module.MNIST_SHA256)
    sums["t10k-images-idx3-ubyte.gz"] = "0" * 64
    monkeypatch.setattr(idx_module, "MNIST_SHA256", sums)
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="(?s)could not fetch t10k-images-idx3-ubyte.gz.*"
                                           "SHA-256 mismatch.*deleted the partial file"):
        download_mnist(cache, mirrors=[mirror.as_uri()])
    left = sorted(p.name for p in cache.iterdir())
    assert "t10k-images-idx3-ubyte.gz" not in left
    assert not any(name.endswith(".part") for name in left)


def test_download_mnist_falls_back_to_next_mirror(tmp_path, mirror, monkeypatch):
    real_urlopen = urllib.request.urlopen
    asked = []

    def flaky_opener(url, timeout=None):
        asked.append(url)
        if url.startswith("https://unreachable.invalid/"):
            raise urllib.error.URLError("no network in tests")
        return real_urlopen(url, timeout=timeout)

    monkeypatch.setattr(urllib.request, "urlopen", flaky_opener)
    cache = tmp_path / "cache"
    with pytest.warns(UserWarning, match="unreachable.invalid.*trying the next mirror"):
        download_mnist(cache, mirrors=["https://unreachable.invalid/mnist/", mirror.as_uri()])
    assert len(asked) == 8 and load_mnist_idx(cache).y_train.shape == (6,)


def test_download_mnist_replaces_a_corrupt_cached_file(tmp_path, mirror):
    cache = tmp_path / "cache"
    cache.mkdir()
    name = "train-labels-idx1-ubyte.gz"
    (cache / name).write_bytes(b"half a file")
    download_mnist(cache, mirrors=[mirror.as_uri()])
    assert (cache / name).read_bytes() == (mirror / name).read_bytes()


def test_known_mnist_checksums_are_well_formed():
    assert set(datasets.MNIST_SHA256) == set(MNIST_FILES)
    assert all(len(s) == 64 and int(s, 16) >= 0 for s in datasets.MNIST_SHA256.values())


# --- generated sets -----------------------------------------------------------------------------

CLASSIFICATION = [
    (lambda seed: spiral(50, 3, seed=seed), 150, 3),
    (lambda seed: moons(101, seed=seed), 101, 2),
    (lambda seed: circles(100, seed=seed), 100, 2),
    (lambda seed: xor(80, noise=0.1, seed=seed), 80, 2),
    (lambda seed: blobs(90, centers=4, seed=seed), 90, 4),
]


@pytest.mark.parametrize("make, n, k", CLASSIFICATION)
def test_classification_sets_shapes_labels_and_seeds(make, n, k):
    X, y = make(0)
    assert X.shape == (n, 2) and X.dtype == np.float32 and np.all(np.isfinite(X))
    assert y.shape == (n,) and y.dtype == np.int64 and set(np.unique(y)) == set(range(k))
    X2, y2 = make(0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(1)[0], X)


def test_generated_sets_have_their_geometry():
    X, y = circles(200, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), np.where(y == 0, 1.0, 0.3), rtol=1e-6)
    X, y = xor(500)
    assert np.all((X[:, 0] * X[:, 1] < 0) == (y == 1))
    X, y = spiral(100, 4, noise=0.0)
    assert np.abs(X).max() <= 1.0 and np.bincount(y).tolist() == [100] * 4
    X, y = moons(200, noise=0.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0, rtol=1e-6)
    X, y = blobs(300, centers=[[5.0, 5.0], [-5.0, -5.0]], std=0.1)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [5.0, 5.0], atol=0.05)


def test_regression_is_the_guides_function():
    X, y = regression(50, dtype=np.float64)
    assert X.shape == (50, 3) and y.shape == (50,) and X.dtype == y.dtype == np.float64
    np.testing.assert_allclose(y, 2 * X[:, 0] - X[:, 1] + 5 * X[:, 2], rtol=0, atol=1e-12)
    Xn, yn = regression(50, noise=0.5, bias=1.0, dtype=np.float64)
    np.testing.assert_array_equal(Xn, X)  # same seed, same inputs; only the targets move
    assert 0.2 < np.std(yn - (y + 1.0)) < 0.8
    X4, y4 = regression(10, weights=[1.0, 0.0, 0.0, 3.0])
    assert X4.shape == (10, 4) and y4.dtype == np.float32


@pytest.mark.parametrize("call, error, message", [
    (lambda: spiral(0), ValueError, "spiral: n_per_class must be at least 1"),
    (lambda: spiral(10, n_classes=2.5), TypeError, "spiral: n_classes must be an int"),
    (lambda: moons(100, noise=-1), ValueError, "moons: noise must be >= 0"),
    (lambda: circles(100, factor=1.5), ValueError, "circles: factor"),
    (lambda: blobs(10, centers=[1.0, 2.0]), ValueError, "blobs: centers must be"),
    (lambda: xor(10, dtype=np.int32), TypeError, "xor: dtype must be a float type"),
    (lambda: regression(10, weights=[]), ValueError, "regression: weights must be"),
])
def test_generated_sets_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- DataLoader -----------------------------------------------------------------------------------

def test_loader_batches_in_order_without_shuffle():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    loader = DataLoader(x, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    assert [yb.tolist() for _, yb in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(xb.shape == (len(yb), 2) for xb, yb in batches)
    np.testing.assert_array_equal(batches[2][0], x[8:])


def test_loader_drop_last():
    x, y = np.zeros((10, 3)), np.arange(10)
    loader = DataLoader(x, y, batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(yb) for _, yb in loader] == [4, 4]
    exact = DataLoader(np.zeros((8, 3)), np.arange(8), batch_size=4, drop_last=True)
    assert len(exact) == 2 and len(DataLoader(x, y, batch_size=20, drop_last=True)) == 0
    assert len(DataLoader(x, y, batch_size=20)) == 1


def test_loader_shuffle_covers_everything_and_keeps_pairs():
    x, y = np.arange(30.0).reshape(15, 2), np.arange(15)
    seen = []
    for xb, yb in DataLoader(x, y, batch_size=4, shuffle=True, seed=0):
        np.testing.assert_array_equal(xb, x[yb])
        seen.extend(yb.tolist())
    assert sorted(seen) == list(range(15)) and seen != list(range(15))


def test_loader_seed_reproducible_and_new_order_each_epoch():
    x, y = np.zeros((50, 1)), np.arange(50)

    def epochs(loader, n=3):
        return [np.concatenate([yb for _, yb in loader]).tolist() for _ in range(n)]

    a = epochs(DataLoader(x, y, batch_size=8, shuffle=True, seed=7))
    b = epochs(DataLoader(x, y, batch_size=8, shuffle=True, seed=7))
    c = epochs(DataLoader(x, y, batch_size=8, shuffle=True, seed=8))
    assert a == b and a != c
    assert a[0] != a[1] != a[2]


def test_loader_accepts_tensors_and_yields_numpy():
    x = Tensor(np.ones((5, 2), dtype=np.float32))
    xb, yb = next(iter(DataLoader(x, [0, 1, 0, 1, 0], batch_size=2)))
    assert isinstance(xb, np.ndarray) and xb.dtype == np.float32 and yb.tolist() == [0, 1]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(x=np.zeros((4, 2)), y=np.zeros(5), batch_size=2), ValueError, "x has 4 examples but y has 5"),
    (dict(x=np.zeros((4, 2)), y=np.zeros(4), batch_size=0), ValueError, "batch_size must be at least 1"),
    (dict(x=np.zeros((4, 2)), y=np.zeros(4), batch_size=2.0), TypeError, "batch_size must be an int"),
    (dict(x=np.float32(1), y=np.zeros(4), batch_size=2), ValueError, "x and y need a leading example axis"),
])
def test_loader_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=f"DataLoader: {message}"):
        DataLoader(**kwargs)


def test_datasets_is_exported_from_the_package():
    import tinygrad_nn
    assert tinygrad_nn.datasets is datasets
