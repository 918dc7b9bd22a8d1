"""A small finite-difference checker for the nn tests: first- and second-order gradients of a
closure with respect to leaf tensors (inputs and module parameters alike), in float64.

tinygrad_nn.testing.gradcheck checks functions of their arguments; layers hold their weights
inside, so here the function is a closure and the leaves are perturbed in place.
"""
import numpy as np

from tinygrad_nn import Tensor


def _grads(fn, leaves, v, create_graph):
    for t in leaves:
        t.grad = None
    (fn() * v).sum().backward(create_graph=create_graph)
    return [t.grad if t.grad is not None else Tensor(np.zeros_like(t.data)) for t in leaves]


def _numeric(value, leaves, eps):
    """d value() / d leaf, by central differences, for each leaf (value returns a float)."""
    out = []
    for t in leaves:
        d = np.zeros_like(t.data)
        for i in np.ndindex(t.shape):
            old = t.data[i]
            t.data[i] = old + eps
            hi = value()
            t.data[i] = old - eps
            lo = value()
            t.data[i] = old
            d[i] = (hi - lo) / (2 * eps)
        out.append(d)
    return out


def check_grads(fn, leaves, second_order=True, eps=1e-6, atol=1e-6, rtol=1e-5, seed=0):
    """Assert that backward through fn() matches finite differences w.r.t. every leaf."""
    for t in leaves:
        assert t.dtype == np.float64 and t.requires_grad, "check float64 leaves that require grad"
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(fn().shape)

    analytic = [g.data.copy() for g in _grads(fn, leaves, v, create_graph=False)]
    numeric = _numeric(lambda: float((fn().data * v).sum()), leaves, eps)
    for t, a, n in zip(leaves, analytic, numeric):
        np.testing.assert_allclose(a, n, atol=atol, rtol=rtol, err_msg=f"first order, leaf {t.shape}")

    if not second_order:
        return
    ws = [rng.standard_normal(t.shape) for t in leaves]

    def projected_grad(create_graph):
        gs = _grads(fn, leaves, v, create_graph)
        return sum((g * w).sum() for g, w in zip(gs, ws))

    s = projected_grad(create_graph=True)
    for t in leaves:
        t.grad = None
    if s.requires_grad:
        s.backward()
    analytic2 = [t.grad.data.copy() if t.grad is not None else np.zeros_like(t.data) for t in leaves]
    numeric2 = _numeric(lambda: float(projected_grad(False).data), leaves, 1e-5)
    for t, a, n in zip(leaves, analytic2, numeric2):
        np.testing.assert_allclose(a, n, atol=1e-5, rtol=1e-4, err_msg=f"second order, leaf {t.shape}")
