"""The in-place variants (ops/inplace.py: `x.<op>_(...)` writes `x.<op>(...)` into x) against
PyTorch: the values written, that self is returned and views see the change, the version counter,
PyTorch's refusals (a result dtype that cannot be cast, a leaf that requires grad), and the random
fills. PyTorch comparisons skip without torch; the rest runs anyway."""
import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor
from tinygrad_nn.ops.inplace import VALUE_OPS, VIEW_OPS
from test_pytorch_habits import needs_torch, same

X = np.array([[0.5, -1.25, 2.0], [-0.75, 1.5, 0.25]])
POS = np.abs(X) + 0.5
SMALL = X / 3   # inside (-1, 1), for erfinv
MASK = np.array([[True, False, True], [False, False, True]])
INDEX = np.array([2, 0])
WITH_NANS = np.array([[np.nan, 1.0, np.inf], [-np.inf, 2.0, 3.0]])
INTS = np.array([[5, 3, 12], [7, 0, 9]], np.int64)

# name: (input, args); arrays in args become tensors of each library (ints as int64)
CASES = {
    "relu": (X, ()), "sigmoid": (X, ()), "tanh": (X, ()), "neg": (X, ()), "abs": (X, ()),
    "sqrt": (POS, ()), "rsqrt": (POS, ()), "exp": (X, ()), "log": (POS, ()), "log1p": (POS, ()),
    "expm1": (X, ()), "sin": (X, ()), "cos": (X, ()), "erf": (X, ()), "erfinv": (SMALL, ()),
    "square": (X, ()), "reciprocal": (X, ()), "pow": (POS, (1.5,)), "floor": (X, ()),
    "ceil": (X, ()), "round": (X, ()), "trunc": (X, ()), "sign": (X, ()), "frac": (X, ()),
    "clamp": (X, (-0.5, 1.0)), "clip": (X, (None, 1.0)), "clamp_min": (X, (0.0,)),
    "clamp_max": (X, (0.3,)), "masked_fill": (X, (MASK, 9.0)), "lerp": (X, (POS, 0.25)),
    "addcmul": (X, (POS, X)), "addcdiv": (X, (X, POS)),
    "scatter": (X, (1, np.array([[2, 0], [1, 2]]), np.array([[10.0, 20.0], [30.0, 40.0]]))),
    "scatter_add": (X, (0, np.array([[1, 0, 1]]), np.array([[1.0, 2.0, 3.0]]))),
    "scatter_reduce": (X, (1, np.array([[0, 0], [2, 2]]), np.array([[4.0, 5.0], [6.0, -7.0]]), "amax")),
    "index_add": (X, (1, INDEX, np.array([[1.0, 2.0], [3.0, 4.0]]))),
    "index_fill": (X, (1, INDEX, -2.0)),
    "index_copy": (X, (0, np.array([1]), np.array([[7.0, 8.0, 9.0]]))),
    "nan_to_num": (WITH_NANS, ()), "fmod": (X, (0.7,)), "remainder": (X, (0.7,)),
    "floor_divide": (X, (0.7,)), "float_power": (X, (2,)), "true_divide": (X, (POS,)),
    "bitwise_and": (INTS, (np.array([6, 6, 6]),)), "bitwise_or": (INTS, (3,)),
    "bitwise_xor": (INTS, (INTS,)), "bitwise_not": (INTS, ()),
}


def _ours(a):
    return Tensor(a.copy()) if isinstance(a, np.ndarray) else a


def _theirs(torch, a):
    return torch.tensor(a) if isinstance(a, np.ndarray) else a


def test_every_in_place_variant_has_a_case():
    assert set(CASES) == set(VALUE_OPS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_in_place_writes_the_out_of_place_result_as_pytorch(name):
    torch = needs_torch()
    data, args = CASES[name]
    x = Tensor(data.copy())
    view = x[0]
    version = x._version
    expected = getattr(x, name)(*[_ours(a) for a in args])
    assert getattr(x, f"{name}_")(*[_ours(a) for a in args]) is x
    np.testing.assert_array_equal(x.numpy(), expected.numpy())
    assert x._version == version + 1 and x.dtype == data.dtype
    np.testing.assert_array_equal(view.numpy(), x.numpy()[0])   # the same memory, as in PyTorch
    t = torch.tensor(data.copy())
    getattr(t, f"{name}_")(*[_theirs(torch, a) for a in args])
    same(x, t, tol=1e-12)
    assert str(t.dtype).replace("torch.", "") == str(x.dtype)


def test_function_forms_of_in_place_ops():
    x = tg.tensor([-1.0, 2.0])
    assert tg.relu_(x) is x and x.tolist() == [0.0, 2.0]


@pytest.mark.parametrize("name, args", [("squeeze", ()), ("squeeze", (1,)), ("unsqueeze", (0,)),
                                        ("unsqueeze", (-1,)), ("t", ()), ("transpose", (0, 2))])
def test_view_ops_change_the_shape_in_place_as_pytorch(name, args):
    torch = needs_torch()
    data = np.arange(6.0).reshape(2, 1, 3) if name != "t" else np.arange(6.0).reshape(2, 3)
    x, t = Tensor(data.copy()), torch.tensor(data.copy())
    assert getattr(x, f"{name}_")(*args) is x
    getattr(t, f"{name}_")(*args)
    same(x, t, tol=0)
    assert x.stride() == t.stride() and x.is_contiguous() == t.is_contiguous()


def test_every_view_op_is_tested():
    assert set(VIEW_OPS) == {"squeeze", "unsqueeze", "t", "transpose"}


def test_a_result_dtype_that_cannot_be_cast_is_refused_as_pytorch():
    x = tg.tensor([1, 4, 9])
    with pytest.raises(RuntimeError, match=r"sqrt_: result type float32 can't be cast to the desired "
                                           r"output type int64"):
        x.sqrt_()
    with pytest.raises(RuntimeError, match="pow_: result type float32 can't be cast"):
        x.pow_(0.5)
    assert x.tolist() == [1, 4, 9] and x._version == 0   # nothing written, nothing counted
    x.pow_(2)
    assert x.tolist() == [1, 16, 81]
    torch = needs_torch()
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        torch.tensor([1, 4, 9]).sqrt_()


def test_a_broadcast_result_is_refused():
    x = tg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"lerp_: the result has shape \(2, 2\).*shape \(2,\)"):
        x.lerp_(tg.ones(2, 1), 0.5)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_unless_under_no_grad():
    w = tg.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="relu_: in-place operation on a tensor that requires grad "
                                           r"\(PyTorch: a leaf Variable"):
        w.relu_()
    with tg.no_grad():
        w.relu_()
    assert w.tolist() == [0.0, 2.0] and w.requires_grad


def test_in_place_on_a_non_leaf_says_how_to_write_it_differentiably():
    x = tg.tensor([-1.0, 2.0], requires_grad=True)
    h = x * 2
    with pytest.raises(RuntimeError, match=r"relu_: in-place operations are not recorded.*"
                                           r"y = y\.relu\(\.\.\.\)"):
        h.relu_()
    h = h.relu()   # the differentiable spelling
    h.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0]


def test_an_in_place_change_after_forward_stops_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    y = (h * h).sum()
    with tg.no_grad():
        h.sigmoid_()
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_bernoulli_fill():
    g = tg.Generator().manual_seed(0)
    x = tg.empty(4000).bernoulli_(0.3, generator=g)
    assert set(np.unique(x.numpy())) <= {0.0, 1.0} and abs(x.numpy().mean() - 0.3) < 0.03
    assert x.dtype == np.float32
    y = tg.zeros(3, dtype=tg.int32).bernoulli_(tg.tensor([0.0, 1.0, 0.0]))
    assert y.tolist() == [0, 1, 0] and y.dtype == np.int32
    again = tg.empty(4000).bernoulli_(0.3, generator=tg.Generator().manual_seed(0))
    np.testing.assert_array_equal(again.numpy(), x.numpy())
    with pytest.raises(ValueError, match=r"bernoulli_: p must be in \[0, 1\]"):
        x.bernoulli_(1.5)


def test_exponential_fill():
    x = tg.empty(20000, dtype=tg.float64).exponential_(2.0, generator=tg.Generator().manual_seed(1))
    assert x.numpy().min() >= 0 and abs(x.numpy().mean() - 0.5) < 0.02 and x.dtype == np.float64
    with pytest.raises(TypeError, match="exponential_: expects a floating point tensor, got dtype int64"):
        tg.zeros(2, dtype=tg.int64).exponential_()
    with pytest.raises(ValueError, match="exponential_: lambd must be positive"):
        x.exponential_(0.0)


def test_random_fill_ranges_as_pytorch():
    torch = needs_torch()
    for args, low, high in [((10,), 0, 10), ((3, 7), 3, 7), ((), 0, 2 ** 24 + 1)]:
        ours = tg.empty(2000).random_(*args).numpy()
        theirs = torch.empty(2000).random_(*args).numpy()
        for values in (ours, theirs):
            assert values.min() >= low and values.max() < high and np.all(values == np.round(values))
    x = tg.zeros(1000, dtype=tg.int8).random_()
    assert x.dtype == np.int8 and x.numpy().min() >= 0
    b = tg.zeros(100, dtype=tg.bool).random_()
    assert set(b.tolist()) <= {False, True}
    assert tg.empty(5).random_(**{"from": 2, "to": 4}).numpy().min() >= 2
    with pytest.raises(ValueError, match="random_: expects from < to"):
        tg.empty(2).random_(5, 5)


def test_a_view_op_works_on_a_read_only_broadcast_tensor():
    x = tg.ones(3).expand(2, 3)
    assert x.unsqueeze_(0) is x and x.shape == (1, 2, 3)
    with pytest.raises(RuntimeError, match="relu_: the tensor's data is read-only"):
        x.relu_()
