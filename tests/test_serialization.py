"""Checkpoints: round trips (bit-identical outputs), nested structure, atomic writes, and clear
errors for missing, truncated, corrupt, foreign and unsafe files."""
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.serialization import STRUCTURE_KEY


def test_model_round_trip_gives_bit_identical_outputs(tmp_path):
    tinygrad_nn.manual_seed(0)
    model = nn.MLP([3, 16, 16, 2], activation="tanh")
    path = tmp_path / "model.npz"
    tinygrad_nn.save(model.state_dict(), path)
    restored = nn.MLP([3, 16, 16, 2], activation="tanh")
    restored.load_state_dict(tinygrad_nn.load(path))
    x = tinygrad_nn.randn(10, 3)
    assert np.array_equal(model(x).numpy(), restored(x).numpy())
    assert list(tinygrad_nn.load(str(path))) == list(model.state_dict())   # str paths work too


def test_nested_structure_and_types_survive(tmp_path):
    obj = {
        "model": {"w": Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))},
        "optim": {"state": {0: {"step": 3, "buf": np.ones(2, np.float64)}},
                  "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "nesterov": False,
                                    "params": [0, 1]}]},
        "epoch": 7, "name": "run-1", "best": float("inf"), "note": None,
        "count": np.int64(5), "empty": {}, "ints": np.array([1, 2], np.int32),
    }
    tinygrad_nn.save(obj, tmp_path / "c.npz")
    back = tinygrad_nn.load(tmp_path / "c.npz")
    assert list(back) == list(obj)
    assert isinstance(back["model"]["w"], Tensor) and back["model"]["w"].dtype == np.float32
    assert np.array_equal(back["model"]["w"].numpy(), obj["model"]["w"].numpy())
    assert list(back["optim"]["state"]) == [0]                          # int keys stay ints
    assert back["optim"]["state"][0]["step"] == 3
    assert back["optim"]["param_groups"][0]["betas"] == (0.9, 0.999)    # tuples stay tuples
    assert back["optim"]["param_groups"][0]["params"] == [0, 1]
    assert back["best"] == float("inf") and back["note"] is None and back["name"] == "run-1"
    assert back["count"] == 5 and back["count"].dtype == np.int64
    assert back["empty"] == {} and back["ints"].dtype == np.int32


@given(st.recursive(
    st.one_of(st.integers(-2 ** 62, 2 ** 62), st.floats(allow_nan=False), st.text(max_size=5),
              st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 9)), inner,
                                            max_size=3)),
    max_leaves=8))
def test_plain_python_structures_round_trip(tmp_path_factory, obj):
    path = tmp_path_factory.mktemp("ck") / "x.npz"
    tinygrad_nn.save(obj, path)
    assert tinygrad_nn.load(path) == obj


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    tinygrad_nn.save({"v": np.zeros(3)}, path)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut mid-save")
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        tinygrad_nn.save({"v": np.ones(3)}, path)
    monkeypatch.undo()
    assert np.array_equal(tinygrad_nn.load(path)["v"], np.zeros(3))    # the old checkpoint survives
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_unsupported_values_are_refused_before_writing(tmp_path):
    path = tmp_path / "x.npz"
    with pytest.raises(TypeError, match=r"save: cannot store a MLP at obj \(save model.state_dict"):
        tinygrad_nn.save(nn.MLP([2, 1]), path)
    with pytest.raises(TypeError, match=r"cannot store a set at obj\['a'\]\[1\]"):
        tinygrad_nn.save({"a": [1, {2}]}, path)
    with pytest.raises(TypeError, match="array of Python objects"):
        tinygrad_nn.save({"a": np.array([{}], dtype=object)}, path)
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        tinygrad_nn.save({(1, 2): 3}, path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint at .*nothing.npz"):
        tinygrad_nn.load(tmp_path / "nothing.npz")


@pytest.mark.parametrize("keep", [0, 10, 100, 0.5, 0.9, -1])
def test_truncated_checkpoint_is_a_clear_error(tmp_path, keep):
    good = tmp_path / "good.npz"
    tinygrad_nn.save({"model": nn.MLP([4, 8, 2]).state_dict(), "epoch": 3}, good)
    data = good.read_bytes()
    n = keep if isinstance(keep, int) and keep >= 0 else int(len(data) * keep) if keep > 0 else len(data) - 1
    bad = tmp_path / "bad.npz"
    bad.write_bytes(data[:n])
    with pytest.raises(ValueError, match=f"load: {str(bad)!r} is not a readable tinygrad_nn checkpoint"):
        tinygrad_nn.load(bad)


def test_corrupted_bytes_are_a_clear_error(tmp_path):
    good = tmp_path / "good.npz"
    tinygrad_nn.save({"w": np.arange(1000.0)}, good)
    data = bytearray(good.read_bytes())
    data[200:260] = b"\xff" * 60                 # inside the stored array: the CRC check fails
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="bad.npz"):
        tinygrad_nn.load(bad)


def test_foreign_files_are_a_clear_error(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("just some text")
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.ones(3))
    with pytest.raises(ValueError, match="notes.npz' is not a readable tinygrad_nn checkpoint"):
        tinygrad_nn.load(text)
    with pytest.raises(ValueError, match="single .npy array"):
        tinygrad_nn.load(npy)
    with pytest.raises(ValueError, match="plain.npz' is an .npz file but not a tinygrad_nn checkpoint"):
        tinygrad_nn.load(plain)


def test_pickled_content_is_never_loaded(tmp_path):
    # a crafted archive whose entry is a pickled object array: loading must refuse, not unpickle
    evil = tmp_path / "evil.npz"
    np.savez(evil, **{STRUCTURE_KEY: np.array('{"format": "tinygrad_nn.checkpoint", "version": 1, '
                                              '"tree": {"ndarray": "a0"}}'),
                      "a0": np.array([{"x": 1}], dtype=object)})
    with pytest.raises(ValueError, match="evil.npz.*Object arrays cannot be loaded"):
        tinygrad_nn.load(evil)


def test_damaged_structure_is_a_clear_error(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, **{STRUCTURE_KEY: np.array('{"format": "tinygrad_nn.checkpoint", "version": 1, '
                                              '"tree": {"tensor": "a7"}}')})
    with pytest.raises(ValueError, match="x.npz' has a damaged checkpoint structure"):
        tinygrad_nn.load(path)
    np.savez(path, **{STRUCTURE_KEY: np.array('{"format": "tinygrad_nn.checkpoint", "version": 99, '
                                              '"tree": {"value": 1}}')})
    with pytest.raises(ValueError, match="version 99"):
        tinygrad_nn.load(path)


def test_optimizer_state_round_trip(tmp_path):
    model = nn.MLP([2, 3, 1])
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    model(tinygrad_nn.randn(4, 2)).sum().backward()
    opt.step()
    tinygrad_nn.save(opt.state_dict(), tmp_path / "opt.npz")
    back = tinygrad_nn.load(tmp_path / "opt.npz")
    original = opt.state_dict()
    assert back["param_groups"] == original["param_groups"]
    for i, entry in original["state"].items():
        assert back["state"][i]["step"] == entry["step"]
        for k in ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"):
            assert np.array_equal(back["state"][i][k], entry[k])


def test_a_text_file_is_not_mistaken_for_a_pickle(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text('{"loss": [0.5, 0.25]}')
    with pytest.raises(ValueError) as info:
        tinygrad_nn.load(path)
    assert "not an .npz archive" in str(info.value) and "allow_pickle" not in str(info.value)
