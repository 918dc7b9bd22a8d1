"""backward: known values, graph shapes, accumulation, freeing, errors and second order."""
import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Function, Tensor
from tinygrad_nn.testing import gradcheck, gradgradcheck


def leaf(values, dtype=np.float64):
    return Tensor(np.array(values, dtype=dtype), requires_grad=True)


def test_sigmoid_derivative_is_sigma_times_one_minus_sigma():
    x = leaf([-2.0, 0.0, 0.5, 3.0])
    s = x.sigmoid()
    s.sum().backward()
    assert np.allclose(x.grad.numpy(), s.numpy() * (1 - s.numpy()), rtol=1e-14, atol=0)
    assert x.grad.numpy()[1] == 0.25


def test_diamond_graph_sums_gradients_over_all_uses():
    x = leaf([3.0])
    a = x * 2          # da/dx = 2
    b = x * x          # db/dx = 2x
    y = a * b          # y = 2x³ -> dy/dx = 6x² = 54
    y.backward()
    assert x.grad.numpy()[0] == 54.0


def test_same_tensor_used_twice_in_one_op():
    x = leaf([1.5, -2.0])
    (x * x).sum().backward()
    assert np.array_equal(x.grad.numpy(), [3.0, -4.0])


def test_chain_of_100000_ops_backpropagates_without_recursion_error():
    x = leaf([0.5])
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad.numpy()[0] == 1.0


def test_gradients_accumulate_over_backward_calls():
    x = leaf([2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.numpy()[0] == 4.0 + 3.0


def test_broadcasting_gradients_are_summed_back_to_each_shape():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.arange(4.0).reshape(1, 4))
    (a + b).sum().backward()
    assert a.grad.shape == (3, 1) and np.all(a.grad.numpy() == 4)
    assert b.grad.shape == (1, 4) and np.all(b.grad.numpy() == 3)
    c = leaf(np.ones((5, 3)))
    d = leaf([1.0, 2.0, 3.0])
    (c * d).sum().backward()
    assert d.grad.shape == (3,) and np.all(d.grad.numpy() == 5)
    assert np.array_equal(c.grad.numpy(), np.tile([1.0, 2.0, 3.0], (5, 1)))


def test_gather_with_repeated_indices_accumulates():
    x = leaf([10.0, 20.0, 30.0])
    x[np.array([0, 2, 0, 0])].sum().backward()
    assert np.array_equal(x.grad.numpy(), [3.0, 0.0, 1.0])
    m = leaf(np.arange(6.0).reshape(2, 3))
    m[m.numpy() > 2].sum().backward()
    assert np.array_equal(m.grad.numpy(), [[0, 0, 0], [1, 1, 1]])


def test_kink_conventions_follow_pytorch():
    x = leaf([0.0])
    x.relu().sum().backward()
    assert x.grad.numpy()[0] == 0.0
    x = leaf([0.0])
    x.abs().sum().backward()
    assert x.grad.numpy()[0] == 0.0
    x = leaf([0.0])
    x.leaky_relu(0.1).sum().backward()
    assert x.grad.numpy()[0] == pytest.approx(0.1)
    x = leaf([1.0, 1.0, 0.0])
    x.max().backward()
    assert np.array_equal(x.grad.numpy(), [0.5, 0.5, 0.0])     # ties share the gradient
    a, b = leaf([2.0]), leaf([2.0])
    a.maximum(b).backward()
    assert a.grad.numpy()[0] == b.grad.numpy()[0] == 0.5
    x = leaf([-1.0, 1.0])
    x.clip(-1.0, 1.0).sum().backward()
    assert np.array_equal(x.grad.numpy(), [1.0, 1.0])           # bounds pass the gradient


@pytest.mark.parametrize("op", ["sigmoid", "softplus", "tanh"])
def test_unary_ops_are_stable_at_plus_minus_1000(op):
    for dtype in (np.float32, np.float64):
        x = leaf([-1000.0, 1000.0], dtype)
        y = getattr(x, op)()
        y.sum().backward()
        assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad.numpy()))


@pytest.mark.parametrize("op", ["logsumexp", "softmax", "log_softmax"])
def test_softmax_family_is_stable_at_plus_minus_1000(op):
    for dtype in (np.float32, np.float64):
        x = leaf([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]], dtype)
        y = getattr(x, op)(axis=-1)
        (y * Tensor(np.arange(y.numel(), dtype=dtype).reshape(y.shape))).sum().backward()
        assert np.all(np.isfinite(y.numpy())) and np.all(np.isfinite(x.grad.numpy()))
    assert tg.Tensor([-1000.0, 1000.0]).softplus().numpy()[1] == 1000.0


def test_backward_without_gradient_needs_a_one_element_output():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"backward: a gradient is implied only for a one-element "
                                           r"output, but the output has shape \(2,\); pass gradient="):
        (x * 2).backward()
    y = x * 2
    y.backward(np.array([1.0, 10.0]))
    assert np.array_equal(x.grad.numpy(), [2.0, 20.0])
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).backward()


def test_second_backward_through_a_freed_graph_says_to_retain_it():
    x = leaf([1.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    z = (x.exp() * 2).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.numpy()[0] == pytest.approx(2 * np.e + 4 * np.e)


def test_backward_frees_saved_arrays_and_the_graph():
    import weakref
    x = leaf([1.0])
    mid = x * 2
    ref = weakref.ref(mid)
    y = mid.sin().sum()
    del mid
    assert ref() is not None
    y.backward()
    assert ref() is None


def test_non_leaf_grad_only_with_retain_grad():
    x = leaf([2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.numpy()[0] == 12.0 and x.grad.numpy()[0] == 36.0


def test_gradients_never_alias_each_other_or_the_callers_gradient():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    g = np.array([1.0, 1.0])
    (a + b).backward(g)
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    assert not np.shares_memory(a.grad.numpy(), g)
    a.grad.numpy()[0] = 99
    assert b.grad.numpy()[0] == 1.0


def test_gradients_have_the_inputs_dtype():
    x32 = leaf([1.0, 2.0], np.float32)
    x64 = leaf([1.0, 2.0])
    (x32 * x64).sum().backward()
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64


def test_second_derivative_of_tanh():
    x = leaf([-1.2, 0.3, 2.0])
    (g,) = tg.grad(x.tanh().sum(), [x], create_graph=True)
    (gg,) = tg.grad(g.sum(), [x])
    t = np.tanh(x.numpy())
    assert np.allclose(gg.numpy(), -2 * t * (1 - t ** 2), rtol=1e-13)


def test_second_order_via_backward_create_graph():
    x = leaf([0.4, -0.9])
    x.sigmoid().sum().backward(create_graph=True)
    first = x.grad
    assert first.requires_grad
    x.grad = None
    first.sum().backward()
    s = 1 / (1 + np.exp(-x.numpy()))
    assert np.allclose(x.grad.numpy(), s * (1 - s) * (1 - 2 * s), rtol=1e-12)


def test_hessian_vector_product_of_a_matmul_chain():
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal((3, 3)))
    x = leaf(rng.standard_normal(3))
    v = rng.standard_normal(3)
    f = (x @ a @ x)                       # xᵀAx, Hessian A + Aᵀ
    (g,) = tg.grad(f, [x], create_graph=True)
    (hv,) = tg.grad((g * Tensor(v)).sum(), [x])
    assert np.allclose(hv.numpy(), (a.numpy() + a.numpy().T) @ v, rtol=1e-12)


def test_second_order_of_log_softmax_and_mlp_pass_gradgradcheck():
    rng = np.random.default_rng(1)
    x = leaf(rng.standard_normal((2, 4)))
    assert gradgradcheck(lambda t: t.log_softmax(axis=1), [x])
    w1, w2 = leaf(rng.standard_normal((4, 5))), leaf(rng.standard_normal((5, 3)))
    assert gradgradcheck(lambda x, w1, w2: ((x @ w1).tanh() @ w2).sigmoid().sum(), [x, w1, w2])


def test_errors_name_the_op_and_shapes_at_the_forward_call():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) are not aligned: "
                                         r"4 \(dim 1\) != 5 \(dim 0\)"):
        tg.zeros(3, 4) @ tg.zeros(5, 2)
    with pytest.raises(ValueError, match=r"add: cannot broadcast shapes \(3, 4\) and \(5,\)"):
        tg.zeros(3, 4) + tg.zeros(5)
    with pytest.raises(ValueError, match=r"reshape: .*\(2, 3\)"):
        tg.zeros(2, 3).reshape(4, 2)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        tg.zeros(2, 3).sum(axis=2)
    with pytest.raises(ValueError, match="cat: all tensors need the same number"):
        tg.cat([tg.zeros(2), tg.zeros(2, 2)])


def test_custom_function_like_pytorch():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x * x * grad

    x = leaf([2.0, -1.0])
    Cube.apply(x).sum().backward()
    assert np.array_equal(x.grad.numpy(), [12.0, 3.0])
    assert gradcheck(Cube.apply, [leaf([0.3, 1.7])])
    assert gradgradcheck(Cube.apply, [leaf([0.3, 1.7])])   # saved x is the input Tensor


def test_custom_function_with_non_tensor_arguments_and_wrong_gradient_shape():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, factor):
            return x * factor

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.inputs[1], None

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = leaf([1.0, 2.0])
    Scale.apply(x, 4.0).sum().backward()
    assert np.array_equal(x.grad.numpy(), [4.0, 4.0])
    with pytest.raises(RuntimeError, match=r"badshape.backward returned a gradient of shape \(\) "
                                           r"for argument 0 of shape \(2,\)"):
        BadShape.apply(x).backward()


def test_matmul_gradients_for_every_operand_kind():
    rng = np.random.default_rng(2)
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                   ((5, 2, 3), (3, 4)), ((2, 1, 2, 3), (4, 3, 2))]:
        a, b = leaf(rng.standard_normal(sa)), leaf(rng.standard_normal(sb))
        assert gradcheck(lambda a, b: a @ b, [a, b])


def test_nan_propagates_through_relu_as_in_pytorch():
    x = leaf([np.nan, -1.0, 2.0])
    y = x.relu()
    assert np.isnan(y.numpy()[0]) and y.numpy()[1] == 0 and y.numpy()[2] == 2


def test_a_parameters_gradient_has_the_parameters_layout():
    w = leaf(np.arange(12.0).reshape(3, 4))
    x = Tensor(np.ones((5, 4)))
    (x @ w.T).sum().backward()            # matmul's gradient for w.T is a transposed view of w's
    assert w.grad.numpy().flags.c_contiguous and np.all(w.grad.numpy() == 5)


def test_errors_name_the_tensors_that_have_names():
    from tinygrad_nn import nn
    model = nn.MLP([3, 4, 2])
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 5\) needs last dimension 3 to "
                                         r"match weight 'layers.0.weight' of shape \(4, 3\)"):
        model(tg.zeros(2, 5))
    with pytest.raises(ValueError, match=r"\[named inputs 0: activations\]"):
        Tensor(np.ones((3, 4)), name="activations") @ tg.zeros(5, 2)


def test_module_double_casts_parameters_in_place_for_gradcheck():
    from tinygrad_nn import nn, optim
    model = nn.MLP([3, 4, 2])
    opt = optim.SGD(model.parameters(), lr=0.1)
    weight = model.layers[0].weight
    assert model.double() is model and weight.dtype == np.float64
    assert model.layers[0].weight is weight and opt.param_groups[0]["params"][0] is weight
    x = Tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    assert tg.gradcheck(model, [x], params=list(model.parameters()))
    assert model.float().layers[1].bias.dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        model.to(np.int32)


def test_backward_restores_the_garbage_collectors_state_even_when_it_raises():
    import gc
    x = leaf([1.0])
    assert gc.isenabled()
    (x * 2).sum().backward()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        (x * 2).backward(np.ones(3))
    assert gc.isenabled()
    gc.disable()
    try:
        (x * 2).sum().backward()
        assert not gc.isenabled()      # a collector the caller switched off stays off
    finally:
        gc.enable()
