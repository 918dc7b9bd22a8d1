"""Tensor construction, dtypes, properties, factories, interop and in-place rules."""
import threading

import numpy as np
import pytest

import tinygrad_nn as tg
from tinygrad_nn import Tensor


def test_numpy_float_arrays_keep_dtype_and_are_not_copied():
    for dtype in (np.float32, np.float64):
        a = np.arange(6, dtype=dtype).reshape(2, 3)
        t = Tensor(a)
        assert t.dtype == dtype and t.numpy() is a


def test_python_scalars_and_lists_take_the_default_dtype():
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([[1, 2], [3, 4]]).dtype == np.float32
    tg.set_default_dtype(np.float64)
    try:
        assert Tensor([1.0, 2.0]).dtype == np.float64
        assert tg.zeros(2).dtype == np.float64
    finally:
        tg.set_default_dtype(np.float32)
    with pytest.raises(TypeError, match="float32 or float64"):
        tg.set_default_dtype(np.int32)


def test_explicit_dtype_and_integer_tensors():
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64
    labels = Tensor(np.array([0, 2, 1]))
    assert labels.dtype == np.int64 and not labels.requires_grad


def test_requires_grad_on_integer_or_bool_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="only floating point tensors can require grad.*int64"):
        Tensor(np.array([1, 2]), requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        Tensor(np.array([True]), requires_grad=True)
    with pytest.raises(TypeError):
        Tensor(np.array([1, 2])).requires_grad_()


def test_properties_and_interop():
    t = Tensor(np.arange(6.0).reshape(2, 3))
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(-1) == 3
    assert t.numel() == 6 and len(t) == 2
    assert t.T.shape == (3, 2) and np.array_equal(t.T.numpy(), t.numpy().T)
    assert np.asarray(t) is t.numpy() and t.numpy() is t.numpy()
    assert Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match="one-element"):
        t.item()
    assert t.float().dtype == np.float32 and t.double().dtype == np.float64
    assert t.astype(np.float32).dtype == np.float32
    assert [row.shape for row in t] == [(3,), (3,)]


def test_numpy_on_the_left_defers_to_tensor():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([10.0, 20.0], np.float32) + t
    assert isinstance(out, Tensor) and out.requires_grad
    assert np.allclose((np.ones(2, np.float32) * t).numpy(), [1, 2])


def test_repr_shows_values_grad_fn_and_requires_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1. 2.], requires_grad=True)"
    assert "grad_fn=<Mul>" in repr(x * 2)
    assert repr(Tensor(np.array([1.0]))) == "Tensor([1.], dtype=float64)"


def test_factories_shapes_dtypes_and_seeded_randomness():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((4,)).numpy().sum() == 4
    assert np.all(tg.full((2, 2), 7.0).numpy() == 7)
    assert np.array_equal(tg.arange(3).numpy(), [0, 1, 2]) and tg.arange(3).dtype == np.int64   # PyTorch's
    assert tg.arange(3.0).dtype == np.float32 and tg.arange(3, dtype=np.float64).dtype == np.float64
    assert np.array_equal(tg.eye(3).numpy(), np.eye(3))
    x = Tensor(np.zeros((2, 5)))
    assert tg.zeros_like(x).dtype == np.float64 and tg.ones_like(x).shape == (2, 5)
    tg.manual_seed(7)
    a, b = tg.randn(3, 4), tg.rand(5)
    tg.manual_seed(7)
    assert np.array_equal(a.numpy(), tg.randn(3, 4).numpy()) and np.array_equal(b.numpy(), tg.rand(5).numpy())
    assert tg.randn_like(x).shape == (2, 5) and tg.randn(2, requires_grad=True).requires_grad
    assert np.all((b.numpy() >= 0) & (b.numpy() < 1))
    with pytest.raises(ValueError, match="non-negative"):
        tg.zeros(-1)


def test_comparisons_give_boolean_tensors_outside_the_graph():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2):
        assert result.dtype == np.bool_ and not result.requires_grad and result.grad_fn is None
    assert np.array_equal((x > 1.5).numpy(), [False, True, True])


def test_no_grad_and_enable_grad_as_context_managers_and_decorators():
    x = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2
        with tg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @tg.no_grad()
    def f(t):
        return t * 3
    assert not f(x).requires_grad and (x * 3).requires_grad


def test_grad_mode_is_thread_local():
    seen = []
    x = Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        worker = threading.Thread(target=lambda: seen.append((x * 2).requires_grad))
        worker.start()
        worker.join()
    assert seen == [True]


def test_grad_fn_exposes_op_name_and_parents():
    a = Tensor([1.0], requires_grad=True, name="a")
    b = Tensor([2.0], requires_grad=True)
    c = a * b
    d = c.sigmoid()
    assert d.grad_fn.name == "sigmoid" and d.grad_fn.parents == (c,)
    assert c.grad_fn.name == "mul" and c.grad_fn.parents == (a, b)
    assert a.is_leaf and not c.is_leaf and a.grad_fn is None


def test_ops_among_tensors_without_grad_record_nothing():
    a, b = Tensor([1.0]), Tensor([2.0])
    c = (a * b).exp()
    assert c.grad_fn is None and not c.requires_grad


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.numpy() is y.numpy() and not d.requires_grad and d.grad_fn is None


def test_in_place_update_of_a_leaf_parameter_under_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    with tg.no_grad():
        w -= 0.5 * w.grad
        w.sub_(w.grad, alpha=0.1)
    assert np.allclose(w.numpy(), [1.0 - 1.0 - 0.2, 2.0 - 2.0 - 0.4])
    assert w.is_leaf and w.requires_grad


def test_in_place_on_a_tensor_requiring_grad_outside_no_grad_is_refused():
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: in-place operation on a tensor that requires grad"):
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="in-place"):
        w[0] = 3.0


def test_modifying_a_tensor_that_backward_needs_is_detected_at_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    y = (x * c).sum()
    c.mul_(2.0)   # c is saved by mul for x's gradient
    with pytest.raises(RuntimeError,
                       match=r"an input of mul \(inputs \(2,\), \(2,\)\) was modified in place"):
        y.backward()
    s = x.sigmoid()
    loss = s.sum()
    with tg.no_grad():
        s.add_(1.0)   # the sigmoid's own output, which its backward uses
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
    t = x.exp()
    with tg.no_grad():
        t.mul_(2.0)   # exp's backward multiplies by its output
    with pytest.raises(RuntimeError, match="its output of exp"):
        t.backward(np.ones(2))


def test_in_place_changes_elsewhere_or_before_the_forward_pass_are_fine():
    # backward re-checks versions only for nodes older than the latest in-place change, and then
    # precisely: a change to an unrelated tensor, or to an input before it was used, is no error
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    c.mul_(2.0)                                # before the forward pass: mul sees [6, 8]
    y = (x * c).sum()
    Tensor([0.0]).add_(1.0)                    # after it, but on a tensor the graph never saw
    y.backward()
    assert np.array_equal(x.grad.numpy(), [6.0, 8.0])


def test_item_and_bool_and_float():
    assert float(Tensor([2.0])) == 2.0 and int(Tensor(3.0)) == 3
    assert bool(Tensor([1.0]))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_shape_ops_refuse_bad_arguments_naming_the_op_and_shapes():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"expand: cannot broadcast shapes \(2, 3\)"):
        x.expand(4, 3)
    with pytest.raises(ValueError, match=r"permute: \(0, 0\) is not a permutation of the axes of "
                                         r"shape \(2, 3\)"):
        x.permute(0, 0)
    with pytest.raises(ValueError, match=r"permute: \(0, 2\) is not"):
        x.permute(0, 2)
    with pytest.raises(ValueError, match=r"mT: needs a matrix or a batch of matrices, got shape \(3,\)"):
        Tensor(np.ones(3)).mT
    with pytest.raises(ValueError, match=r"matmul_tn: needs matrices with the same number of rows, got "
                                         r"shapes \(2, 3\) and \(3, 2\)"):
        tg.ops.matmul_tn(x, Tensor(np.ones((3, 2))))


def test_expand_of_a_strided_view_and_of_a_read_only_array_matches_numpy():
    base = np.arange(12.0).reshape(3, 4)
    for data in (base[:, :1], base.T[:1], np.broadcast_to(np.arange(3.0), (2, 3))[:1]):   # views
        x = Tensor(data, requires_grad=True)
        shape = (5,) + data.shape[:-2] + tuple(max(n, 2) for n in data.shape[-2:])
        y = x.expand(*shape)
        assert np.array_equal(y.numpy(), np.broadcast_to(data, shape)) and not y.numpy().flags.writeable
        y.sum().backward()
        assert np.array_equal(x.grad.numpy(), np.full(data.shape, np.prod(shape) / data.size))
