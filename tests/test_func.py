"""tinygrad_nn.func: every transformation against finite differences and closed forms."""
import numpy as np
import pytest

from tinygrad_nn import Tensor, func, nn, no_grad

rng = np.random.default_rng(0)


def numeric_jacobian(f, x, eps=1e-6):
    """Central differences of a numpy-in, numpy-out f: shape f(x).shape + x.shape."""
    x = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(x))
    J = np.zeros(out_shape + x.shape)
    for j in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[j] = eps
        J[(...,) + j] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * eps)
    return J


def through_tensor(f):
    """f on Tensors as a numpy function, for the finite differences."""
    return lambda x: f(Tensor(x)).numpy()


def random_function(m, n, seed):
    """A smooth (n,) -> (m,) function with a dense, input-dependent Jacobian."""
    r = np.random.default_rng(seed)
    W, b, c = r.normal(size=(m, n)), r.normal(size=m), r.normal(size=n)
    return lambda x: (Tensor(W) @ x + Tensor(b)).tanh() * (x * Tensor(c)).sum().sin() + (x * x).sum()


def test_grad_numpy_in_numpy_out_matches_finite_differences():
    f = lambda x: (x.sin() * x.exp()).sum() / (1 + (x * x).sum())   # noqa: E731
    x = rng.normal(size=5)
    g = func.grad(f)(x)
    assert isinstance(g, np.ndarray) and g.shape == (5,)
    np.testing.assert_allclose(g, numeric_jacobian(through_tensor(f), x), rtol=1e-6, atol=1e-8)


def test_grad_tensor_in_tensor_out_and_leaves_grad_alone():
    x = Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    x.grad = Tensor(np.full((2, 3), 7.0))
    g = func.grad(lambda t: (t ** 3).sum())(x)
    assert isinstance(g, Tensor)
    np.testing.assert_allclose(g.numpy(), 3 * x.numpy() ** 2)
    np.testing.assert_array_equal(x.grad.numpy(), 7.0)


def test_grad_argnums_tuple_and_extra_arguments():
    f = lambda x, y, scale: scale * (x * y.exp()).sum()   # noqa: E731
    x, y = rng.normal(size=3), rng.normal(size=3)
    gx, gy = func.grad(f, argnums=(0, 1))(x, y, 2.0)
    np.testing.assert_allclose(gx, 2 * np.exp(y))
    np.testing.assert_allclose(gy, 2 * x * np.exp(y))
    assert func.grad(f, argnums=1)(x, y, 2.0).shape == (3,)


def test_value_and_grad():
    value, g = func.value_and_grad(lambda x: (x * x).sum())(np.array([1.0, 2.0, 3.0]))
    assert value == pytest.approx(14.0)
    np.testing.assert_allclose(g, [2.0, 4.0, 6.0])


def test_second_derivative_by_nesting_grad():
    d2 = func.grad(func.grad(lambda x: x ** 3))
    assert d2(np.array(2.0)) == pytest.approx(12.0)   # 6x


def test_gradient_stays_differentiable_for_inputs_that_require_grad():
    # the gradient penalty |∇f|² as part of a loss: d/dx |3x²|² = 36 x³
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    g = func.grad(lambda t: (t ** 3).sum())(x)
    (g * g).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 36 * x.numpy() ** 3)


def test_hessian_of_quadratic_form_is_A_plus_A_transposed():
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    H = func.hessian(lambda v: v @ (Tensor(A) @ v))(x)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-10, atol=1e-12)


def test_jacobian_of_softmax_is_diag_s_minus_s_s_transposed():
    x = rng.normal(size=5)
    J = func.jacobian(lambda v: v.softmax())(x)
    s = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s), atol=1e-12)


def test_jacobian_matches_finite_differences_and_keeps_shapes():
    f = lambda X: (X @ X.T).tanh()   # noqa: E731   (2, 3) -> (2, 2)
    X = rng.normal(size=(2, 3))
    J = func.jacobian(f)(X)
    assert J.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(J, numeric_jacobian(through_tensor(f), X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_jvp_is_J_v_and_vjp_is_v_J_for_random_functions(seed):
    m, n = 3, 4
    f = random_function(m, n, seed)
    r = np.random.default_rng(100 + seed)
    x, v, u = r.normal(size=n), r.normal(size=n), r.normal(size=m)
    J = numeric_jacobian(through_tensor(f), x)
    np.testing.assert_allclose(func.jacobian(f)(x), J, rtol=1e-6, atol=1e-8)

    out, tangent = func.jvp(f, (x,), (v,))
    np.testing.assert_allclose(out, through_tensor(f)(x))
    np.testing.assert_allclose(tangent, J @ v, rtol=1e-6, atol=1e-8)

    out, vjp_fn = func.vjp(f, x)
    (cotangent,) = vjp_fn(u)
    np.testing.assert_allclose(cotangent, u @ J, rtol=1e-6, atol=1e-8)
    (again,) = vjp_fn(2 * u)   # the graph is kept: vjp_fn works more than once
    np.testing.assert_allclose(again, 2 * u @ J, rtol=1e-6, atol=1e-8)


def test_jvp_and_vjp_with_two_primals():
    f = lambda a, b: a * b.exp()   # noqa: E731
    a, b, va, vb = (rng.normal(size=3) for _ in range(4))
    _, tangent = func.jvp(f, (a, b), (va, vb))
    np.testing.assert_allclose(tangent, va * np.exp(b) + a * np.exp(b) * vb)
    _, vjp_fn = func.vjp(f, a, b)
    ga, gb = vjp_fn(np.ones(3))
    np.testing.assert_allclose(ga, np.exp(b))
    np.testing.assert_allclose(gb, a * np.exp(b))


def test_jvp_through_relu_and_matmul_with_tensors():
    W = Tensor(rng.normal(size=(3, 4)))
    x, v = Tensor(rng.normal(size=4)), Tensor(rng.normal(size=4))
    out, tangent = func.jvp(lambda t: (W @ t).relu(), (x,), (v,))
    assert isinstance(tangent, Tensor)
    np.testing.assert_allclose(tangent.numpy(), (W.numpy() @ x.numpy() > 0) * (W.numpy() @ v.numpy()))


def mlp_loss(sizes, x, y):
    """The MSE loss of an MLP as a function of one flat parameter vector, and that vector."""
    model = nn.MLP(sizes, activation="tanh")
    params = list(model.parameters())
    theta = np.concatenate([p.numpy().astype(np.float64).ravel() for p in params])

    def loss(flat):
        h, start = Tensor(x), 0
        weights = []
        for p in params:
            weights.append(flat[start:start + p.numel()].reshape(*p.shape))
            start += p.numel()
        for i in range(0, len(weights), 2):
            h = h @ weights[i].T + weights[i + 1]
            if i + 2 < len(weights):
                h = h.tanh()
        return ((h - Tensor(y)) ** 2).mean()

    return loss, theta


def test_hessian_of_small_mlp_loss_is_symmetric_and_matches_finite_differences():
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    loss, theta = mlp_loss([2, 3, 1], x, y)   # 13 parameters
    H = func.hessian(loss)(theta)
    assert H.shape == (13, 13)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    numeric = numeric_jacobian(lambda t: func.grad(loss)(t), theta)
    np.testing.assert_allclose(H, numeric, rtol=1e-5, atol=1e-7)


def test_hvp_is_hessian_times_v():
    x, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    loss, theta = mlp_loss([2, 3, 1], x, y)
    v = rng.normal(size=theta.shape)
    np.testing.assert_allclose(func.hvp(loss, theta, v), func.hessian(loss)(theta) @ v,
                               rtol=1e-10, atol=1e-12)


def test_linear_and_constant_functions_give_zeros():
    assert np.all(func.hessian(lambda x: (3 * x).sum())(np.ones(2)) == 0)
    assert np.all(func.hvp(lambda x: (3 * x).sum(), np.ones(2), np.ones(2)) == 0)
    np.testing.assert_array_equal(func.grad(lambda x, y: (y * y).sum())(np.ones(2), Tensor([1.0])),
                                  np.zeros(2))
    _, tangent = func.jvp(lambda x: Tensor([1.0, 2.0]), (np.ones(3),), (np.ones(3),))
    np.testing.assert_array_equal(tangent, [0.0, 0.0])


def test_works_inside_no_grad_and_with_integer_arrays():
    with no_grad():
        g = func.grad(lambda x: (x * x).sum())(np.array([1, 2]))
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [2.0, 4.0])


def test_float32_tensors_keep_their_dtype():
    g = func.grad(lambda x: (x * x).sum())(Tensor([1.0, 2.0]))
    assert g.dtype == np.float32


def test_errors_name_the_transformation_and_shapes():
    with pytest.raises(ValueError, match=r"grad: .* one-element Tensor, got shape \(3,\)"):
        func.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(TypeError, match="vjp: the function must return a Tensor, got ndarray"):
        func.vjp(lambda x: np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="argnums 2 is out of range"):
        func.grad(lambda x, y: (x * y).sum(), argnums=2)(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(2,\) but must have shape \(3,\)"):
        func.jvp(lambda x: x, (np.ones(3),), (np.ones(2),))
    _, vjp_fn = func.vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match=r"vjp: the cotangent has shape \(2,\)"):
        vjp_fn(np.ones(2))
    with pytest.raises(TypeError, match="hessian: argnums must be a single int"):
        func.hessian(lambda x: x.sum(), argnums=(0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argument 0 has dtype complex128"):
        func.grad(lambda x: x.sum())(np.ones(2, dtype=complex))
