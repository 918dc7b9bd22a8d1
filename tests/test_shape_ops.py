"""Shape and indexing ops beyond the catalogue's value and gradient checks: the errors they raise
on bad input (naming the op and the shapes), conventions where we differ from numpy or PyTorch,
and properties of the results (copies, views, counts)."""
import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor

X = np.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize("call, error, words", [
    (lambda x: x.flip(3), IndexError, ["flip", "dim 3", "(2, 3, 4)"]),
    (lambda x: x.flip((0, -3)), ValueError, ["flip", "repeat"]),
    (lambda x: x.roll(1, 5), IndexError, ["roll", "dim 5"]),
    (lambda x: x.roll((1, 2), 0), ValueError, ["roll", "same length"]),
    (lambda x: x.narrow(1, 2, 2), ValueError, ["narrow", "exceeds size 3", "(2, 3, 4)"]),
    (lambda x: x.narrow(1, 4, 0), IndexError, ["narrow", "start 4"]),
    (lambda x: x.split([1, 1], 1), ValueError, ["split", "[1, 1]", "size 3"]),
    (lambda x: x.split(0, 1), ValueError, ["split", "positive"]),
    (lambda x: x.chunk(0), ValueError, ["chunk", "positive"]),
    (lambda x: x.unbind(-4), IndexError, ["unbind", "dim -4"]),
    (lambda x: x.movedim((0, 1), 2), ValueError, ["movedim", "same number"]),
    (lambda x: x.repeat(2, 2), ValueError, ["repeat", "at least 3", "(2, 3, 4)"]),
    (lambda x: x.repeat_interleave(np.array([1, 2]), 1), ValueError,
     ["repeat_interleave", "2 repeats", "3 elements"]),
    (lambda x: x.unfold(2, 5, 1), ValueError, ["unfold", "size 5", "size 4"]),
    (lambda x: x[0, 0].tril(), ValueError, ["tril", "(4,)"]),
    (lambda x: x.diagonal(0, 1, -2), ValueError, ["diagonal", "same axis"]),
    (lambda x: x.trace(), ValueError, ["trace", "(2, 3, 4)"]),
    (lambda x: x.gather(1, np.zeros((2, 3), np.int64)), ValueError, ["gather", "(2, 3)", "(2, 3, 4)"]),
    (lambda x: x.gather(1, np.full((2, 3, 4), 3)), IndexError, ["gather", "index 3", "size 3"]),
    (lambda x: x.gather(1, np.full((2, 3, 4), -1)), IndexError, ["gather", "index -1"]),
    (lambda x: x.gather(1, np.zeros((3, 1, 1), np.int64)), ValueError, ["gather", "dim 0"]),
    (lambda x: x.gather(1, np.zeros((2, 1, 1))), TypeError, ["gather", "integers", "float64"]),
    (lambda x: x.scatter(1, np.zeros((2, 1, 4), np.int64), Tensor(np.ones((2, 1, 3)))), ValueError,
     ["scatter", "src of shape (2, 1, 3)"]),
    (lambda x: x.scatter(1, np.zeros((2, 1, 4), np.int64), Tensor(np.ones((2, 1, 4), np.float32))),
     TypeError, ["scatter", "float32", "float64"]),
    (lambda x: x.scatter(1, np.zeros((2, 1, 4), np.int64)), TypeError, ["scatter", "src"]),
    (lambda x: x.scatter_reduce(1, np.zeros((2, 1, 4), np.int64), Tensor(np.ones((2, 1, 4))), "max"),
     ValueError, ["scatter_reduce", "'max'", "amax"]),
    (lambda x: x.index_select(2, np.array([4])), IndexError, ["index_select", "index 4", "size 4"]),
    (lambda x: x.index_select(2, np.zeros((1, 1), np.int64)), ValueError, ["index_select", "1-D"]),
    (lambda x: x.masked_fill(np.ones(3, bool), 0.0), ValueError, ["masked_fill", "(3,)", "(2, 3, 4)"]),
    (lambda x: x.masked_fill(np.ones(4), 0.0), TypeError, ["masked_fill", "boolean"]),
    (lambda x: x.masked_fill(np.ones(4, bool), Tensor([1.0])), ValueError, ["masked_fill", "0-d"]),
    (lambda x: x.masked_select(np.ones((2, 2), bool)), ValueError, ["masked_select", "(2, 2)"]),
    (lambda x: x.take(np.array([24])), IndexError, ["take", "index 24", "size 24"]),
    (lambda x: x.cumsum(3), IndexError, ["cumsum", "dim 3"]),
    (lambda x: x.cummax(-4), IndexError, ["cummax", "dim -4"]),
    (lambda x: tinygrad_nn.pad(x, (1,)), ValueError, ["pad", "even", "(2, 3, 4)"]),
    (lambda x: tinygrad_nn.pad(x, (1, 1), "wrap"), ValueError, ["pad", "'wrap'"]),
    (lambda x: tinygrad_nn.pad(x, (4, 0), "reflect"), ValueError, ["pad", "reflect", "(4, 0)", "dim 2"]),
    (lambda x: tinygrad_nn.pad(x, (0, 5), "circular"), ValueError, ["pad", "circular"]),
    (lambda x: tinygrad_nn.pad(x, (-3, -2)), ValueError, ["pad", "cropping"]),
    (lambda x: tinygrad_nn.einsum("ij,jk", x, x), ValueError, ["einsum", "'ij'", "(2, 3, 4)"]),
    (lambda x: tinygrad_nn.einsum("ijk,ijk,k", x, x), ValueError, ["einsum", "3 operand", "2 operands"]),
    (lambda x: tinygrad_nn.einsum("ijk,kji", x, x), ValueError, ["einsum", "'k'", "sizes 4 and 2"]),
    (lambda x: tinygrad_nn.einsum("ijk->ii", x), ValueError, ["einsum", "distinct"]),
    (lambda x: tinygrad_nn.einsum("ij1", x), ValueError, ["einsum", "letters"]),
    (lambda x: x.bmm(x), ValueError, ["bmm", "(2, 3, 4)"]),
    (lambda x: x[0].mv(x[0, :, 0]), ValueError, ["mv", "(3, 4)", "(3,)"]),
    (lambda x: x.outer(x), ValueError, ["outer", "1-D"]),
])
def test_bad_input_raises_an_error_that_names_the_op_and_shapes(call, error, words):
    with pytest.raises(error) as info:
        call(Tensor(X))
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_negative_steps_are_allowed_and_differentiate():
    # PyTorch refuses x[::-1]; numpy, and we, allow it (flip is the PyTorch spelling)
    x = Tensor(X, requires_grad=True)
    out = x[:, ::-2, 1:]
    np.testing.assert_array_equal(out.numpy(), X[:, ::-2, 1:])
    (out * Tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape))).sum().backward()
    expected = np.zeros_like(X)
    expected[:, ::-2, 1:] = np.arange(out.numel()).reshape(out.shape)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_index_mixing_an_int_and_an_array_takes_the_int_first():
    x = Tensor(X)
    assert x[0, :, [0, 1]].shape == (3, 2)      # numpy: (2, 3)
    np.testing.assert_array_equal(x[0, :, [0, 1]].numpy(), X[0][:, [0, 1]])
    assert x[:, 0, [0, 1]].shape == (2, 2)      # adjacent: the same in numpy and PyTorch
    assert x[[0, 1], :, 0].shape == (2, 3)
    assert x[..., 0, [1, 2]].shape == (2, 2)
    assert x[:, None].shape == (2, 1, 3, 4) and x[..., 0].shape == (2, 3)
    assert x[Tensor(np.array([1, 0]))].shape == (2, 3, 4)
    assert x[Tensor(X > 5)].shape == (18,)


def test_setitem_mask_and_mixed_index():
    x = Tensor(X.copy())
    x[x > 20] = 0.0
    assert x.numpy().max() == 20
    x[1, :, [0, 3]] = np.full((3, 2), -1.0)
    assert (x.numpy()[1][:, [0, 3]] == -1).all() and (x.numpy()[0] == X[0]).all()


def test_squeeze_follows_pytorch():
    x = Tensor(np.zeros((1, 3, 1)))
    assert x.squeeze(1).shape == (1, 3, 1)          # a non-1 axis is left alone (numpy raises)
    assert x.squeeze((0, 1)).shape == (3, 1)
    assert x.squeeze().shape == (3,)
    assert Tensor(np.float64(2.0)).squeeze(0).shape == ()
    assert Tensor(np.float64(2.0)).squeeze(-1).shape == ()
    with pytest.raises(ValueError, match="out of range"):
        x.squeeze(3)


def test_clone_copies_and_contiguous_copies_only_when_needed():
    x = Tensor(X, requires_grad=True)
    c = x.clone()
    assert not np.shares_memory(c.numpy(), x.numpy()) and c.requires_grad
    assert x.contiguous() is x
    t = x.mT.contiguous()
    assert t.numpy().flags.c_contiguous and t.shape == (2, 4, 3)
    t.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones_like(X))


def test_split_chunk_unbind_counts():
    x = Tensor(np.arange(5.0))
    assert [p.shape for p in x.split(2)] == [(2,), (2,), (1,)]
    assert [p.shape for p in x.chunk(3)] == [(2,), (2,), (1,)]
    assert [p.shape for p in Tensor(np.arange(6.0)).chunk(4)] == [(2,), (2,), (2,)]   # fewer, as PyTorch
    assert len(Tensor(X).unbind(2)) == 4 and Tensor(X).unbind(2)[0].shape == (2, 3)


def test_scatter_with_a_repeated_index_gives_the_gradient_to_the_value_kept():
    x = Tensor(np.zeros(3), requires_grad=True)
    src = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    out = x.scatter(0, np.array([1, 1, 0]), src)
    kept = out.numpy()[1]
    assert kept in (1.0, 2.0)
    out.backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 30.0])
    expected = [20.0, 0.0, 10.0] if kept == 1.0 else [0.0, 20.0, 10.0]
    np.testing.assert_array_equal(src.grad.numpy(), expected)


def test_cumprod_gradient_paths_agree():
    # the direct path (used at zeros and tiny values) and the quotient path give one gradient
    data = np.random.default_rng(0).uniform(0.5, 2.0, (3, 5))
    with_tiny = data.copy()
    with_tiny[1, 2] = 1e-12
    for values in (data, with_tiny):
        g = np.random.default_rng(1).standard_normal(values.shape)
        x = Tensor(values, requires_grad=True)
        x.cumprod(1).backward(g)
        expected = np.zeros_like(values)
        for k in range(values.shape[1]):
            for i in range(k, values.shape[1]):
                expected[:, k] += g[:, i] * np.prod(np.delete(values[:, :i + 1], k, axis=1), axis=1)
        np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_cumprod_second_order_at_zeros_is_finite():
    x = Tensor(np.array([2.0, 0.0, 3.0, 0.0]), requires_grad=True)
    (g,) = tinygrad_nn.grad(x.cumprod(0).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0 + 2 * 3.0, 0.0, 0.0])
    (h,) = tinygrad_nn.grad(g.sum(), [x])
    assert np.isfinite(h.numpy()).all()


def test_cummax_returns_values_and_indices():
    values, indices = Tensor(np.array([1.0, 3.0, 2.0, 3.0])).cummax(0)
    np.testing.assert_array_equal(values.numpy(), [1, 3, 3, 3])
    np.testing.assert_array_equal(indices.numpy(), [0, 1, 1, 3])   # a tie takes the later index
    assert indices.dtype == np.int64


def test_einsum_forms():
    a, b = Tensor(X[0]), Tensor(X[1].T)
    np.testing.assert_array_equal(tinygrad_nn.einsum("ij,jk->ik", a, b).numpy(), X[0] @ X[1].T)
    np.testing.assert_array_equal(tinygrad_nn.einsum("ij,jk", [a, b]).numpy(), X[0] @ X[1].T)
    np.testing.assert_array_equal(tinygrad_nn.einsum(" i j -> j i ", a).numpy(), X[0].T)
    assert tinygrad_nn.ops.einsum is tinygrad_nn.einsum


def test_pad_in_functional_is_the_same_op():
    x = Tensor(X)
    np.testing.assert_array_equal(tinygrad_nn.nn.functional.pad(x, (1, 1), "replicate").numpy(),
                                  np.pad(X, [(0, 0), (0, 0), (1, 1)], mode="edge"))
