"""W2: per-op overhead. A chain of 1,000 elementwise ops on a (4, 4) float32 tensor, forward and
backward, reported in µs per op.

The op cycle is sigmoid, add -0.5, mul 4, tanh. At 0 its derivatives multiply to exactly 1
(0.25 * 1 * 4 * 1) and values shrink only slowly towards 0, so the gradient of a long chain
neither vanishes nor overflows and the gradient check means something (W3 uses the same cycle).
"""
from __future__ import annotations

import numpy as np

from .harness import (COMPILED, NUMPY, TINYGRAD, TORCH, TORCH_MISSING, Row, Settings, check_grads,
                      compiled, paired_rows, time_interleaved, to_numpy, torch, trace_note)

N_OPS = 1000
SHAPE = (4, 4)
CYCLE = ("sigmoid", "add", "mul", "tanh")


def start_value(shape: tuple[int, ...], dtype=np.float32) -> np.ndarray:
    return np.random.default_rng(1).uniform(-1, 1, shape).astype(dtype)


def numpy_chain(x: np.ndarray, n_ops: int) -> np.ndarray:
    """Forward keeping every intermediate, then the textbook backward of sum(chain(x))."""
    values = [x]
    for i in range(n_ops):
        v = values[-1]
        op = CYCLE[i % 4]
        if op == "sigmoid":
            v = 1 / (1 + np.exp(-v))
        elif op == "add":
            v = v + np.float32(-0.5)
        elif op == "mul":
            v = v * np.float32(4.0)
        else:
            v = np.tanh(v)
        values.append(v)
    g = np.ones_like(values[-1])
    for i in reversed(range(n_ops)):
        op = CYCLE[i % 4]
        out = values[i + 1]
        if op == "sigmoid":
            g = g * out * (1 - out)
        elif op == "mul":
            g = g * np.float32(4.0)
        elif op == "tanh":
            g = g * (1 - out * out)
    return g


def framework_ops(v, n_ops: int, start: int = 0):
    """n_ops ops of the cycle, from op number `start`, on a tinygrad_nn or PyTorch tensor (the two
    share these method names)."""
    for i in range(start, start + n_ops):
        op = CYCLE[i % 4]
        if op == "sigmoid":
            v = v.sigmoid()
        elif op == "add":
            v = v + -0.5
        elif op == "mul":
            v = v * 4.0
        else:
            v = v.tanh()
    return v


def framework_chain(x, n_ops: int):
    """Forward and backward of the chain; returns x's gradient."""
    framework_ops(x, n_ops).sum().backward()
    return x.grad


def contenders(shape: tuple[int, ...], n_ops: int) -> dict:
    """name -> a function that runs the chain forward and backward and returns the gradient."""
    x0 = start_value(shape)

    def with_numpy():
        return numpy_chain(x0, n_ops)

    def with_tinygrad():
        from tinygrad_nn import Tensor
        return framework_chain(Tensor(x0, requires_grad=True), n_ops).numpy()

    found = {NUMPY: with_numpy, TINYGRAD: with_tinygrad}
    if torch is not None:
        def with_torch():
            return to_numpy(framework_chain(torch.tensor(x0, requires_grad=True), n_ops))
        found[TORCH] = with_torch
    return found


def run(settings: Settings) -> list[Row]:
    runs = contenders(SHAPE, N_OPS)
    want = runs[NUMPY]()
    for name, fn in runs.items():
        check_grads("W2", name, [fn()], [want], rtol=1e-3, atol=1e-6)
    from tinygrad_nn import Tensor
    x0 = start_value(SHAPE)
    chain, first = compiled(lambda: framework_chain(Tensor(x0, requires_grad=True), N_OPS))
    runs[COMPILED] = lambda: chain().numpy()
    check_grads("W2", COMPILED, [runs[COMPILED]()], [want], rtol=1e-3, atol=1e-6)
    times = time_interleaved(runs, settings)
    rows = paired_rows("W2 per-op overhead", f"{N_OPS} ops on {SHAPE}, fwd+bwd", times, "µs/op",
                       1e6 / N_OPS, notes={COMPILED: trace_note(first, times[TINYGRAD])})
    if torch is None:
        rows.append(Row("W2 per-op overhead", "", TORCH, None, "", note=TORCH_MISSING))
    return rows
