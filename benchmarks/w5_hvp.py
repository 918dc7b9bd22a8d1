"""W5: second order. A Hessian-vector product of a small MLP's loss (2-16-16-1 tanh, mean squared
error on 100 points, float64), through create_graph, timed against one first-order gradient.

HVP = d/dp (grad L(p) . v). A gradient is one forward and one backward; an HVP is one forward,
a differentiable backward (create_graph=True) and a backward through that: theory puts it at 2-4x
a gradient. Hand-written numpy has no HVP; its gradient is the 1.00 reference, and the HVPs are
checked against central differences of the hand-written gradient.
"""
from __future__ import annotations

import numpy as np

from .harness import (COMPILED, NUMPY, TINYGRAD, TORCH, compiled, TORCH_MISSING, Row, Settings, check_grads,
                      paired_rows, time_interleaved, to_numpy, torch)
from .w4_small_mlp import make_problem


def numpy_grads(params: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    W1, b1, W2, b2, W3, b3 = params
    a1 = np.tanh(x @ W1.T + b1)                 # (100, 16)
    a2 = np.tanh(a1 @ W2.T + b2)                # (100, 16)
    out = a2 @ W3.T + b3                        # (100, 1)
    dout = 2 * (out - y) / len(x)
    dh2 = (dout @ W3) * (1 - a2 * a2)
    dh1 = (dh2 @ W2) * (1 - a1 * a1)
    return [dh1.T @ x, dh1.sum(axis=0), dh2.T @ a1, dh2.sum(axis=0), dout.T @ a2, dout.sum(axis=0)]


def numpy_hvp(params, x, y, v, eps=1e-5):
    """Central differences of the exact gradient along v: the independent reference."""
    plus = numpy_grads([p + eps * d for p, d in zip(params, v)], x, y)
    minus = numpy_grads([p - eps * d for p, d in zip(params, v)], x, y)
    return [(a - b) / (2 * eps) for a, b in zip(plus, minus)]


def loss_of(params, x, y, linear):
    """tinygrad_nn and PyTorch share this code; `linear` is each library's F.linear."""
    W1, b1, W2, b2, W3, b3 = params
    h = linear(x, W1, b1).tanh()
    h = linear(h, W2, b2).tanh()
    err = linear(h, W3, b3) - y
    return (err * err).mean()


def _tg_linear():
    from tinygrad_nn.nn.functional import linear
    return linear


class TinygradHVP:
    def __init__(self, params, x, y, v):
        from tinygrad_nn import Tensor
        self.params = [Tensor(p.copy(), requires_grad=True) for p in params]
        self.x, self.y = Tensor(x), Tensor(y)
        self.v = [Tensor(d) for d in v]

    def grad(self) -> list:
        for p in self.params:
            p.grad = None
        loss_of(self.params, self.x, self.y, _tg_linear()).backward()
        return [p.grad for p in self.params]

    def hvp(self) -> list:
        for p in self.params:
            p.grad = None
        loss_of(self.params, self.x, self.y, _tg_linear()).backward(create_graph=True)
        grads = [p.grad for p in self.params]
        for p in self.params:
            p.grad = None
        sum((g * d).sum() for g, d in zip(grads, self.v)).backward()
        return [p.grad for p in self.params]


class _Compiled:
    """TinygradHVP's grad and hvp, each compiled (tinygrad_nn.compile), replayed when checked."""

    def __init__(self, params, x, y, v):
        eager = TinygradHVP(params, x, y, v)
        self.grad, _ = compiled(eager.grad)
        self.hvp, _ = compiled(eager.hvp)


class TorchHVP:
    def __init__(self, params, x, y, v):
        self.params = [torch.tensor(p, requires_grad=True) for p in params]
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.v = [torch.from_numpy(d) for d in v]

    def grad(self) -> list:
        loss = loss_of(self.params, self.x, self.y, torch.nn.functional.linear)
        return list(torch.autograd.grad(loss, self.params))

    def hvp(self) -> list:
        loss = loss_of(self.params, self.x, self.y, torch.nn.functional.linear)
        grads = torch.autograd.grad(loss, self.params,
                                    create_graph=True)
        dot = sum((g * d).sum() for g, d in zip(grads, self.v))
        return list(torch.autograd.grad(dot, self.params))


def run(settings: Settings) -> list[Row]:
    params, x, _ = make_problem(seed=1)
    y = np.sin(x[:, :1]) * np.cos(x[:, 1:])     # (100, 1): a smooth regression target
    v = [np.random.default_rng(2).standard_normal(p.shape) for p in params]
    want_grad = numpy_grads(params, x, y)
    want_hvp = numpy_hvp(params, x, y, v)
    frameworks = {TINYGRAD: TinygradHVP(params, x, y, v), COMPILED: _Compiled(params, x, y, v)}
    if torch is not None:
        frameworks[TORCH] = TorchHVP(params, x, y, v)
    steps = {NUMPY: lambda: numpy_grads(params, x, y)}
    for name, f in frameworks.items():
        check_grads("W5 gradient", name, [to_numpy(g) for g in f.grad()], want_grad, 1e-9, 1e-12)
        check_grads("W5 HVP", name, [to_numpy(h) for h in f.hvp()], want_hvp, 1e-5, 1e-7)
        steps[f"{name} gradient"] = f.grad
        steps[f"{name} HVP"] = f.hvp
    times = time_interleaved(steps, settings)
    notes = {}
    for name in frameworks:
        per_round = [h / g for h, g in zip(times[f"{name} HVP"], times[f"{name} gradient"])]
        notes[f"{name} HVP"] = f"HVP = {np.median(per_round):.2f}× its own gradient (target ≤ 4×)"
    rows = paired_rows("W5 second order", "2-16-16-1 tanh, MSE, float64", times, "ms", 1e3,
                       notes=notes)
    rows[0].contender = f"{NUMPY} gradient"
    if torch is None:
        rows.append(Row("W5 second order", "", TORCH, None, "", note=TORCH_MISSING))
    return rows
