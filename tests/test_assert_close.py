"""tinygrad_nn.testing.assert_close passes and fails where torch.testing.assert_close does."""
import math

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn.testing import assert_close

try:
    import torch
except ImportError:
    torch = None


def _cases():
    f32, f64 = np.float32, np.float64
    return [
        ("equal float32", [1.0, 2.0], [1.0, 2.0], f32, f32, {}),
        ("float32 within atol", [1.0, 2.0], [1.0, 2.0 + 5e-6], f32, f32, {}),
        ("float32 beyond atol", [1.0, 2.0], [1.0, 2.0 + 5e-5], f32, f32, {}),
        ("float64 within", [1e3], [1e3 * (1 + 5e-8)], f64, f64, {}),
        ("float64 beyond", [1e3], [1e3 * (1 + 5e-7)], f64, f64, {}),
        ("dtype differs", [1.0], [1.0], f32, f64, {}),
        ("dtype unchecked, looser wins", [1.0], [1.0 + 5e-6], f32, f64, {"check_dtype": False}),
        ("shape differs", [1.0, 2.0], [[1.0, 2.0]], f32, f32, {}),
        ("nan unequal", [math.nan], [math.nan], f32, f32, {}),
        ("nan equal_nan", [math.nan, 1.0], [math.nan, 1.0], f32, f32, {"equal_nan": True}),
        ("inf", [math.inf, -math.inf], [math.inf, -math.inf], f64, f64, {}),
        ("inf sign", [math.inf], [-math.inf], f64, f64, {}),
        ("ints exact", [1, 2], [1, 3], np.int64, np.int64, {}),
        ("ints with tolerance", [1, 2], [1, 3], np.int64, np.int64, {"rtol": 0.0, "atol": 1.0}),
        ("explicit tolerances", [1.0], [1.1], f64, f64, {"rtol": 0.0, "atol": 0.2}),
        ("bool", [True, False], [True, True], np.bool_, np.bool_, {}),
    ]


CASES = _cases()


def _raises(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except AssertionError as e:
        return str(e)
    return None


@pytest.mark.parametrize("name,a,e,da,de,kwargs", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_torch(name, a, e, da, de, kwargs):
    ours = _raises(assert_close, tg.tensor(np.array(a, da)), tg.tensor(np.array(e, de)), **kwargs)
    if torch is None:
        pytest.skip("PyTorch is not installed")
    theirs = _raises(torch.testing.assert_close, torch.from_numpy(np.array(a, da)),
                     torch.from_numpy(np.array(e, de)), **kwargs)
    assert (ours is None) == (theirs is None), (ours, theirs)
    if ours is not None:   # the message's first line says the same kind of thing
        assert ours.split(":")[0].split("!")[0] == theirs.split(":")[0].split("!")[0], (ours, theirs)


def test_numbers_sequences_and_mappings():
    assert_close({"w": tg.ones(2), "b": [1.0, 2]}, {"w": np.ones(2, np.float32), "b": [1.0, 2]})
    with pytest.raises(AssertionError, match=r"Scalars are not close at \['b'\]\[0\]"):
        assert_close({"b": [1.0]}, {"b": [1.5]})
    with pytest.raises(AssertionError, match="The length of the sequences do not match: 1 != 2"):
        assert_close([1.0], [1.0, 2.0])
    with pytest.raises(AssertionError, match="keys do not match"):
        assert_close({"a": 1.0}, {"b": 1.0})


def test_message_names_the_worst_element():
    with pytest.raises(AssertionError) as info:
        assert_close(tg.tensor([[1.0, 2.0], [3.0, 4.0]]), tg.tensor([[1.0, 2.0], [3.5, 4.1]]))
    text = str(info.value)
    assert "Mismatched elements: 2 / 4 (50.0%)" in text
    assert "Greatest absolute difference: 0.5 at index (1, 0) (up to 1e-05 allowed)" in text
    assert "at index (1, 0) (up to 1.3e-06 allowed)" in text   # 0.5/3.5 beats 0.1/4.1


def test_gradient_of_a_custom_check():
    x = tg.tensor([1.0, -2.0, 3.0], dtype=tg.float64, requires_grad=True)
    (x ** 3).sum().backward()
    assert_close(x.grad, 3 * x.detach() ** 2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="both rtol and atol"):
        assert_close(1.0, 1.0, rtol=1e-3)
    with pytest.raises(TypeError, match="actual is a str"):
        assert_close("a", 1.0)
    assert_close(tg.ones(1), tg.ones(1), msg="custom", check_device=True)   # PyTorch's flag accepted
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(tg.ones(1), tg.zeros(1), msg="custom")
