"""PyTorch habits carry over (issue 11): one test per habit, compared with PyTorch when it is
installed (`pip install torch==2.13.0`), else with the values PyTorch gives, written out."""
import inspect

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor

try:
    import torch
except ImportError:   # the comparisons below skip; the checks of our own values still run
    torch = None


def needs_torch():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    return torch


def same(ours, theirs, tol=1e-6):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


X = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]


# --- 1. function forms -------------------------------------------------------------------------
def test_every_tensor_method_is_a_function_and_listed_by_dir():
    x = tg.tensor(X)
    for name in ("sin", "tanh", "log", "exp", "cos", "abs", "sqrt", "sum", "mean", "argmax",
                 "clamp", "matmul", "softmax", "relu", "sigmoid", "reshape", "numel"):
        assert name in dir(tg), name
    assert np.allclose(tg.sin(x).numpy(), np.sin(X)) and tg.numel(x) == 6
    assert np.allclose(tg.exp(2.0).numpy(), np.exp(2.0))   # a number goes through tensor()
    assert np.allclose(tg.clamp(x, min=0).numpy(), np.maximum(X, 0))
    with pytest.raises(AttributeError, match="no attribute 'no_such_op'"):
        tg.no_such_op  # noqa: B018


def test_a_method_added_later_gets_a_function_form_too():
    def twice(self):
        return self * 2
    Tensor.twice_for_test = twice
    try:
        assert tg.twice_for_test(tg.tensor([1.0, 2.0])).tolist() == [2.0, 4.0]
    finally:
        del Tensor.twice_for_test
        tg._FORMS.pop("twice_for_test", None)
    assert tg.sin is tg.sin and "sum" not in vars(tg)   # cached, without hiding builtins in tg


def test_max_and_min_function_forms_dispatch_like_pytorch():
    x = tg.tensor(X)
    assert tg.max(x).item() == 5.0 and tg.min(x).item() == -6.0
    assert tg.max(x, tg.zeros(2, 3)).tolist() == [[1.0, 0.0, 3.0], [4.0, 5.0, 0.0]]
    assert tg.min(x, tg.zeros(2, 3)).tolist() == [[0.0, -2.0, 0.0], [0.0, 0.0, -6.0]]
    along = tg.max(x, 1)
    values, _ = along
    assert values.tolist() == [3.0, 5.0]
    assert tg.max(x, dim=0, keepdim=True)[0].shape[-1] == 3


def test_max_along_a_dim_is_a_values_indices_pair_as_in_pytorch():
    out = tg.max(tg.tensor(X), 1)
    values, indices = out
    assert values.tolist() == [3.0, 5.0] and indices.tolist() == [2, 1]
    assert out.values.tolist() == [3.0, 5.0] and out.indices.tolist() == [2, 1]


# --- 2. dim= / keepdim= ----------------------------------------------------------------------------
def test_dim_and_keepdim_are_accepted_wherever_axis_and_keepdims_are():
    x = tg.tensor(X)
    for name in ("sum", "mean", "var", "std", "logsumexp"):
        ours = getattr(x, name)(dim=1, keepdim=True)
        numpy_style = getattr(x, name)(axis=1, keepdims=True)
        assert np.array_equal(ours.numpy(), numpy_style.numpy()), name
    assert np.array_equal(x.softmax(dim=0).numpy(), x.softmax(axis=0).numpy())
    assert np.array_equal(tg.log_softmax(x, dim=1).numpy(), x.log_softmax(1).numpy())
    assert x.argmax(dim=1).tolist() == [2, 1]
    assert tg.cat([x, x], dim=1).shape == (2, 6) and tg.stack([x, x], dim=0).shape == (2, 2, 3)
    assert np.array_equal(tg.nn.functional.softmax(x, dim=0).numpy(), x.softmax(0).numpy())
    assert x.unsqueeze(dim=0).shape == (1, 2, 3) and x.transpose(dim0=0, dim1=1).shape == (3, 2)
    with pytest.raises(TypeError, match="both dim= and axis="):
        x.sum(dim=0, axis=1)


def test_the_alias_mechanism_covers_every_method_with_an_axis():
    for name, fn in vars(Tensor).items():
        if inspect.isfunction(fn):
            params = inspect.signature(fn).parameters
            if "axis" in params:
                assert "dim" in params or hasattr(fn, "__wrapped__"), name


def test_dim_keywords_against_torch():
    t = needs_torch()
    x, tx = tg.tensor(X), t.tensor(X)
    same(tg.sum(x, dim=1, keepdim=True), t.sum(tx, dim=1, keepdim=True))
    same(x.var(dim=0), tx.var(dim=0))
    same(tg.softmax(x, dim=1), t.softmax(tx, dim=1))
    same(tg.logsumexp(x, dim=0), t.logsumexp(tx, dim=0))


# --- 3. creation and dtype inference -------------------------------------------------------------
def test_tensor_infers_dtypes_as_pytorch():
    assert tg.tensor([1, 2]).dtype == tg.int64 and tg.tensor(3).dtype == tg.long
    assert tg.tensor([1.0, 2]).dtype == tg.float32 and tg.tensor(True).dtype == tg.bool
    assert tg.tensor(np.arange(3, dtype=np.int32)).dtype == tg.int32   # numpy keeps its dtype
    assert tg.tensor([1, 2], dtype=tg.float64).dtype == tg.float64
    x = tg.tensor([1.0], requires_grad=True)
    y = tg.tensor(x)   # a copy, cut off from the graph
    y.data += 1
    assert x.item() == 1.0 and not y.requires_grad
    with pytest.raises(TypeError, match="only floating point"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="tensor: cannot make a tensor"):
        tg.tensor(["a"])


def test_from_numpy_shares_memory_and_as_tensor_avoids_copies():
    a = np.zeros(3)
    t = tg.from_numpy(a)
    a[0] = 7
    assert t.tolist() == [7.0, 0.0, 0.0] and t.dtype == tg.float64
    assert tg.as_tensor(t) is t and tg.as_tensor(a).numpy() is a
    assert tg.as_tensor([1, 2]).dtype == tg.int64


def test_ranges_and_grids_match_pytorch():
    assert tg.arange(5).dtype == tg.int64 and tg.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert tg.arange(5.0).dtype == tg.float32
    assert tg.linspace(-1, 1, 7).numpy()[3] == np.float32(-2.9802322387695312e-08)   # PyTorch's value
    assert tg.logspace(0, 2, 3).tolist() == [1.0, 10.0, 100.0]
    a, b = tg.meshgrid(tg.arange(3), tg.arange(2), indexing="ij")
    assert a.tolist() == [[0, 0], [1, 1], [2, 2]] and b.tolist() == [[0, 1], [0, 1], [0, 1]]
    assert tg.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert tg.triu_indices(3, 4, 1).tolist() == [[0, 0, 0, 1, 1, 2], [1, 2, 3, 2, 3, 3]]


def test_ranges_against_torch():
    t = needs_torch()
    for args in [(-1, 1, 7), (0, 1, 5), (-3, 3, 50), (0.1, 7.3, 33), (2, -2, 11), (0, 1, 1)]:
        assert np.array_equal(tg.linspace(*args).numpy(), t.linspace(*args).numpy()), args
        same(tg.linspace(*args, dtype=tg.float64), t.linspace(*args, dtype=t.float64), 1e-12)
    same(tg.logspace(-2, 2, 9), t.logspace(-2, 2, 9), 1e-6)
    for args in [(5,), (1, 7, 2), (0.5, 3), (0, 1, 0.1), (-3, 3, 0.7)]:
        ours, theirs = tg.arange(*args), t.arange(*args)
        same(ours, theirs)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    x, y = tg.meshgrid(tg.linspace(0, 1, 3), tg.arange(4.0), indexing="xy")
    tx, ty = t.meshgrid(t.linspace(0, 1, 3), t.arange(4.0), indexing="xy")
    same(x, tx) and same(y, ty)


def test_meshgrid_is_differentiable():
    u = tg.tensor([1.0, 2.0], requires_grad=True)
    v = tg.tensor([3.0, 4.0, 5.0], requires_grad=True)
    a, b = tg.meshgrid(u, v)
    (a * b).sum().backward()
    assert u.grad.tolist() == [12.0, 12.0] and v.grad.tolist() == [3.0, 3.0, 3.0]


def test_factories_take_size_tuples_varargs_dtype_device_requires_grad():
    for make in (tg.zeros, tg.ones, tg.empty, tg.randn, tg.rand):
        assert make(2, 3).shape == (2, 3) and make((2, 3)).shape == (2, 3) and make([4]).shape == (4,)
        x = make(2, dtype=tg.float64, device="cpu", requires_grad=True)
        assert x.dtype == tg.float64 and x.requires_grad
    assert tg.empty(2).tolist() == [0.0, 0.0]
    assert tg.full((2,), 7).dtype == tg.int64 and tg.full((2,), 1.5).dtype == tg.float32
    x = tg.tensor(X)
    assert tg.full_like(x, 2).tolist() == [[2.0] * 3] * 2 and tg.empty_like(x).shape == (2, 3)
    assert tg.randint_like(x, 5).shape == (2, 3) and tg.rand_like(x).dtype == tg.float32
    assert tg.randn_like(x, dtype=tg.float64).dtype == tg.float64
    with pytest.raises(TypeError, match="randn: .* need a float dtype"):
        tg.randn(2, dtype=tg.int64)


def test_factories_accept_the_keywords_pytorch_has():
    t = needs_torch()
    for name in ("tensor", "zeros", "ones", "empty", "full", "arange", "linspace", "logspace", "eye",
                 "randn", "rand", "randint", "randperm", "normal", "zeros_like", "ones_like",
                 "empty_like", "full_like", "rand_like", "randn_like", "randint_like"):
        ours = set(inspect.signature(getattr(tg, name)).parameters)
        for keyword in ("dtype", "device", "requires_grad", "generator"):
            if keyword in _torch_keywords(t, name):
                assert keyword in ours, (name, keyword)


def _torch_keywords(t, name):
    doc = getattr(t, name).__doc__ or ""
    return {k for k in ("dtype", "device", "requires_grad", "generator") if k + "=" in doc}


# --- 4. dtypes -----------------------------------------------------------------------------------
def test_dtype_names_compare_with_tensor_dtypes():
    x = tg.tensor(X)
    assert x.dtype == tg.float32 == tg.float and tg.double == tg.float64 and tg.half == tg.float16
    assert tg.long == tg.int64 and tg.int == tg.int32 and tg.uint8 == np.uint8 and tg.short == tg.int16
    assert isinstance(x.dtype, tg.dtype)
    assert x.long().dtype == tg.int64 and x.int().dtype == tg.int32 and x.bool().dtype == tg.bool
    assert x.double().dtype == tg.float64 and x.half().dtype == tg.float16 and x.float() is x
    assert x.type(tg.float64).dtype == tg.float64 and x.type() == "float32"
    assert x.to(tg.float64).dtype == tg.float64 and x.to(tg.tensor([1])).dtype == tg.int64
    assert x.is_floating_point() and not x.long().is_floating_point()
    with pytest.raises(TypeError, match="to: dtype complex128 is not supported"):
        x.to(np.complex128)


def test_casts_of_a_tensor_that_requires_grad():
    x = tg.tensor([1.5, -2.0], requires_grad=True)
    assert not x.long().requires_grad   # an integer result carries no gradient, as in PyTorch
    x.double().sum().backward()
    assert x.grad.dtype == tg.float32 and x.grad.tolist() == [1.0, 1.0]


def test_default_dtype():
    assert tg.get_default_dtype() == tg.float32
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.tensor([1.0]).dtype == tg.float64 and tg.linspace(0, 1, 3).dtype == tg.float64
        assert tg.arange(3).dtype == tg.int64 and tg.arange(3.0).dtype == tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    with pytest.raises(TypeError, match="float32 or float64"):
        tg.set_default_dtype(tg.float16)


# --- 5. devices -------------------------------------------------------------------------------------
def test_cpu_is_the_device_and_others_are_one_clear_error():
    x = tg.tensor(X)
    assert x.device == tg.device("cpu") and str(x.device) == "cpu" and x.device.type == "cpu"
    assert x.to("cpu") is x and x.cpu() is x and x.to(tg.device("cpu"), tg.float64).dtype == tg.float64
    assert not tg.cuda.is_available() and tg.cuda.device_count() == 0
    assert not tg.backends.mps.is_available()
    tg.set_default_device("cpu")
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    assert tg.zeros(2, device=device).device == device
    cuda = tg.device("cuda:0")   # naming a device is fine (as in PyTorch); using it is not
    assert cuda.type == "cuda" and cuda.index == 0 and str(cuda) == "cuda:0"
    for attempt in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: tg.zeros(2, device="cuda"),
                    lambda: tg.tensor([1.0], device=cuda), lambda: tg.set_default_device("mps"),
                    lambda: tg.nn.Linear(2, 2).to("cuda")):
        with pytest.raises(RuntimeError, match="device 'cuda(:0)?'|device 'mps'.* CPU only"):
            attempt()
    with pytest.raises(RuntimeError, match="unknown device 'gpu'"):
        tg.device("gpu")


def test_module_to_device_and_dtype():
    model = tg.nn.Linear(2, 3)
    weight = model.weight
    assert model.to("cpu") is model and model.to(tg.device("cpu")) is model and model.cpu() is model
    model.to(tg.float64)
    assert model.weight is weight and weight.dtype == tg.float64
    model.to(device="cpu", dtype=tg.float32)
    assert weight.dtype == tg.float32
    assert model.half() is model and weight.dtype == tg.float16


# --- 6. .data -----------------------------------------------------------------------------------------
def test_updates_through_data():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    (p * p).sum().backward()
    p.data -= 0.1 * p.grad
    p.data += 1
    p.data.add_(p.grad, alpha=-1)
    p.data.copy_(p.data * 2)
    assert np.allclose(p.numpy(), [2 * (1 - 0.2 + 1 - 2), 2 * (2 - 0.4 + 1 - 4)])
    assert p.requires_grad and p.is_leaf
    p.data = tg.tensor([5.0, 6.0])
    assert p.tolist() == [5.0, 6.0] and p.requires_grad
    assert tg.tensor([3.0, 4.0]).data.norm().item() == 5.0


def test_data_updates_against_torch():
    t = needs_torch()
    ours = tg.tensor([1.0, -2.0, 0.5], requires_grad=True)
    theirs = t.tensor([1.0, -2.0, 0.5], requires_grad=True)
    for p in (ours, theirs):
        for _ in range(3):
            loss = (p * p * p).sum()
            p.grad = None
            loss.backward()
            p.data -= 0.1 * p.grad
    same(ours, theirs)


# --- 7. Tensor methods -----------------------------------------------------------------------------
def test_size_numel_dim_and_friends():
    x = tg.tensor(X)
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3 and x.size().numel() == 6
    assert x.numel() == 6 and x.nelement() == 6 and x.dim() == 2 and x.ndimension() == 2
    assert x.t().shape == (3, 2) and x.mm(x.t()).tolist() == [[14.0, -24.0], [-24.0, 77.0]]
    assert tg.tensor([1.0, 2.0]).t().shape == (2,)
    assert x.tolist() == X and x[0, 0].item() == 1.0
    with pytest.raises(ValueError, match="mm: expected two matrices"):
        x.mm(tg.ones(3))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        x.size(2)


def test_format_of_one_element_tensors():
    loss = tg.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{tg.tensor([2.5]):.1f}" == "2.5"
    assert f"{tg.tensor([1.0, 2.0])}" == str(tg.tensor([1.0, 2.0]))
    assert "requires_grad=True" in repr(tg.tensor([1.0], requires_grad=True))


def test_clone_keeps_the_graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.numpy() is not x.numpy()
    (y * y).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


# --- 8. Generator ------------------------------------------------------------------------------------
def test_generators_are_independent_reproducible_streams():
    g = tg.Generator().manual_seed(42)
    first = [tg.randn(3, generator=g), tg.rand(2, generator=g), tg.randint(0, 10, (4,), generator=g),
             tg.normal(0.0, 1.0, size=(2,), generator=g), tg.randperm(5, generator=g),
             tg.multinomial(tg.tensor([0.2, 0.8]), 3, replacement=True, generator=g),
             tg.bernoulli(tg.full((3,), 0.5), generator=g)]
    g.manual_seed(42)
    tg.randn(100)   # the global stream does not disturb g
    again = [tg.randn(3, generator=g), tg.rand(2, generator=g), tg.randint(0, 10, (4,), generator=g),
             tg.normal(0.0, 1.0, size=(2,), generator=g), tg.randperm(5, generator=g),
             tg.multinomial(tg.tensor([0.2, 0.8]), 3, replacement=True, generator=g),
             tg.bernoulli(tg.full((3,), 0.5), generator=g)]
    for a, b in zip(first, again):
        assert np.array_equal(a.numpy(), b.numpy())
    assert g.initial_seed() == 42 and isinstance(tg.manual_seed(1), tg.Generator)
    state = g.get_state()
    x = tg.randn(2, generator=g)
    g.set_state(state)
    assert np.array_equal(tg.randn(2, generator=g).numpy(), x.numpy())


def test_manual_seed_reproduces_the_default_stream():
    tg.manual_seed(0)
    a = tg.randn(4)
    tg.manual_seed(0)
    assert np.array_equal(a.numpy(), tg.randn(4).numpy())


def test_random_draws_have_the_right_distribution():
    g = tg.Generator().manual_seed(0)
    probs = tg.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    draws = tg.multinomial(probs, 2000, replacement=True, generator=g)
    assert draws.shape == (2, 2000) and draws.dtype == tg.int64
    assert abs((draws[0] == 2).numpy().mean() - 0.9) < 0.03 and not (draws[0] == 1).any()
    no_repeat = probs.multinomial(2, generator=g)
    assert sorted(no_repeat[1].tolist()) == [0, 1]
    with pytest.raises(ValueError, match="without replacement"):
        tg.multinomial(probs, 3)
    counts = np.bincount(tg.randint(3, 7, (4000,), generator=g).numpy(), minlength=7)
    assert counts[:3].sum() == 0 and counts[3:].min() > 900
    assert sorted(tg.randperm(10, generator=g).tolist()) == list(range(10))
    n = tg.normal(tg.tensor([0.0, 100.0]), tg.tensor([1.0, 0.0]), generator=g)
    assert n.shape == (2,) and n[1].item() == 100.0
    b = tg.bernoulli(tg.full((4000,), 0.25), generator=g)
    assert abs(b.numpy().mean() - 0.25) < 0.03 and b.dtype == tg.float32


# --- 9. in-place ------------------------------------------------------------------------------------
def test_in_place_methods():
    w = tg.zeros(3, requires_grad=True)
    with tg.no_grad():
        w.add_(tg.ones(3), alpha=0.5).mul_(2).sub_(0.25).div_(2).clamp_(0, 0.3)
    assert np.allclose(w.numpy(), 0.3) and w.requires_grad
    v = tg.ones(2)
    v.fill_(3.0)
    v.exp_()
    v.log_()
    assert np.allclose(v.numpy(), 3.0)
    v.zero_()
    assert v.tolist() == [0.0, 0.0]
    u = tg.empty(1000).uniform_(-2, 3, generator=tg.Generator().manual_seed(0))
    assert u.numpy().min() >= -2 and u.numpy().max() < 3 and abs(u.numpy().mean() - 0.5) < 0.2
    n = tg.empty(1000).normal_(5.0, 0.1)
    assert abs(n.numpy().mean() - 5.0) < 0.02
    x = tg.tensor([1.0], requires_grad=False).requires_grad_()
    assert x.requires_grad


def test_in_place_on_a_leaf_that_requires_grad_raises_outside_no_grad():
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an "
                                           "in-place operation"):
        w.add_(1)
    (w * w).sum().backward()
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    w.grad = None
    assert w.grad is None


def test_in_place_change_after_forward_is_caught_by_the_version_counter():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = (h * h).sum()
    with tg.no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


# --- 10. autograd ------------------------------------------------------------------------------------
class MyReLU(tg.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        assert isinstance(input, Tensor) and not input.requires_grad
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True,)
        return grad_output * (input > 0)


def test_autograd_function_forward_receives_tensors():
    x = tg.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = MyReLU.apply(x)
    assert y.tolist() == [0.0, 2.0, 3.0] and y.requires_grad and tg.Function is tg.autograd.Function
    (y * y).sum().backward()
    assert x.grad.tolist() == [0.0, 4.0, 6.0]
    assert tg.autograd.gradcheck(MyReLU.apply, [tg.tensor([-1.0, 2.0], dtype=tg.float64,
                                                          requires_grad=True)])


def test_autograd_function_second_order_and_numpy_output():
    class Cube(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.power(x.numpy(), 3)   # a numpy array is fine too

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

    x = tg.tensor([2.0], dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradgradcheck(Cube.apply, [x])
    (dx,) = tg.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    (ddx,) = tg.autograd.grad(dx.sum(), [x])
    assert dx.item() == 12.0 and ddx.item() == 12.0


def test_autograd_function_non_differentiable_output_and_errors():
    class ArgSort(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = tg.tensor(np.argsort(x.numpy()))
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return None

    x = tg.tensor([3.0, 1.0], requires_grad=True)
    out = ArgSort.apply(x)
    assert out.tolist() == [1, 0] and not out.requires_grad

    class Two(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

    with pytest.raises(TypeError, match="Two.forward returned 2 outputs"):
        Two.apply(x)


def test_autograd_function_against_torch():
    t = needs_torch()

    class TorchReLU(t.autograd.Function):
        forward, backward = MyReLU.forward, MyReLU.backward

    ours = tg.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    theirs = t.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    for x, relu in ((ours, MyReLU), (theirs, None)):
        y = (relu.apply(x) if relu else t.relu(x)) * x
        y.sum().backward()
    same(ours.grad, theirs.grad)


def test_autograd_grad_and_backward_namespace():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    grads = tg.autograd.grad(y, x)
    assert isinstance(grads, tuple) and grads[0].tolist() == [2.0, 4.0] and x.grad is None
    a, b = x * 3, x * x
    tg.autograd.backward([a, b], [tg.ones(2), tg.ones(2)])
    assert x.grad.tolist() == [5.0, 7.0]
    v = tg.autograd.Variable(tg.tensor([1.0]), requires_grad=True)
    assert v.requires_grad
    jac = tg.autograd.functional.jacobian(lambda t: t * t, tg.tensor([1.0, 3.0]))
    assert jac.tolist() == [[2.0, 0.0], [0.0, 6.0]]


def test_no_grad_with_and_without_parentheses_and_inference_mode():
    x = tg.tensor([1.0], requires_grad=True)

    @tg.no_grad
    def bare():
        return x * 2

    @tg.no_grad()
    def called():
        return x * 2

    @tg.inference_mode()
    def inferred():
        return x * 2

    assert not bare().requires_grad and not called().requires_grad and not inferred().requires_grad
    with tg.inference_mode():
        assert not (x * 2).requires_grad
    with tg.inference_mode(False):
        assert (x * 2).requires_grad
    assert (x * 2).requires_grad


# --- 15 (part). dtype of factories, compared with torch ----------------------------------------------
def test_inferred_dtypes_against_torch():
    t = needs_torch()
    for data in ([1, 2], [1.0, 2], [True, False], 3, 2.5, [[1, 2], [3, 4]], [], np.arange(3),
                 np.float64(1.0), np.arange(3, dtype=np.int32)):
        ours, theirs = tg.tensor(data), t.tensor(data)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), data
        same(ours, theirs)
    for args in [((2,), 7), ((2,), 1.5), ((2,), True)]:
        assert str(tg.full(*args).dtype) == str(t.full(*args).dtype).replace("torch.", "")


LEGACY = [("FloatTensor", "float32"), ("DoubleTensor", "float64"), ("LongTensor", "int64"),
          ("IntTensor", "int32"), ("ByteTensor", "uint8"), ("BoolTensor", "bool")]


@pytest.mark.parametrize("name,dtype", LEGACY)
def test_legacy_typed_constructors(name, dtype):
    """Older tutorials' torch.FloatTensor(data), torch.LongTensor(sizes), x.type(torch.FloatTensor),
    isinstance(x, torch.LongTensor): names of dtypes, making ordinary Tensors."""
    kind = getattr(tg, name)
    data = kind([[1, 0], [1, 1]])
    assert isinstance(data, Tensor) and str(data.dtype) == dtype and data.shape == (2, 2)
    assert kind(2, 3).shape == (2, 3) and kind().shape == (0,)
    assert isinstance(data, kind) and not isinstance(tg.ones(1, dtype=tg.float16), kind)
    assert str(tg.ones(2).type(kind).dtype) == dtype == str(tg.ones(2).type(f"torch.{name}").dtype)
    with pytest.raises(TypeError, match=f"{name}: takes one sequence of data or int sizes"):
        kind([1], [2])
    t = needs_torch()
    theirs = getattr(t, name)([[1, 0], [1, 1]])
    assert str(theirs.dtype) == "torch." + dtype and data.tolist() == theirs.tolist()
    assert tuple(getattr(t, name)(2, 3).shape) == (2, 3)


def test_variable_is_a_tensor():
    x = tg.autograd.Variable(tg.FloatTensor([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
