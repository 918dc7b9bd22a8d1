"""Ready-made small graphs to look at with to_dot, draw, print_graph and explain_backward.

`graph_example(name)` builds one, runs backward with retain_graph=True (so the views show
gradients and can still walk the graph) and returns its output. The numbers come from a fixed
seed of their own: the same picture every time, and the global generator is left alone.

    >>> from tinygrad_nn.viz import graph_example, print_graph
    >>> out = graph_example("neuron")
    >>> out.name, out.shape
    ('out', ())
"""
from __future__ import annotations

import numpy as np

from ..function import no_grad
from ..nn import MLP, functional
from ..nn.module import Parameter
from .._tensor import Tensor

EXAMPLES = ("neuron", "mlp", "attention-free-toy")


def graph_example(example: str) -> Tensor:
    """The output of a small example graph, after backward(retain_graph=True).

    - "neuron": out = tanh(w · x + b), one neuron with 3 inputs (6 ops).
    - "mlp": the mean squared error of MLP([2, 3, 1]) (tanh) on the 4 XOR points.
    - "attention-free-toy": 3 tokens of 4 features mixed by learned, content-independent weights
      (softmax over positions, in place of attention), a linear readout to 2 classes and a
      cross-entropy loss.
    """
    rng = np.random.default_rng(0)
    if example == "neuron":
        return _neuron(rng)
    if example == "mlp":
        return _mlp(rng)
    if example == "attention-free-toy":
        return _attention_free_toy(rng)
    raise ValueError(f"graph_example: unknown example {example!r}; expected one of {list(EXAMPLES)}")


def _neuron(rng: np.random.Generator) -> Tensor:
    x = Tensor([0.5, -1.0, 2.0], name="x")
    w = Tensor(rng.normal(size=3).astype(np.float32), requires_grad=True, name="w")
    b = Tensor(0.1, requires_grad=True, name="b")
    z = (w * x).sum() + b
    z.name = "z"
    out = z.tanh()
    out.name = "out"
    out.backward(retain_graph=True)
    return out


def _mlp(rng: np.random.Generator) -> Tensor:
    model = MLP([2, 3, 1], activation="tanh")   # parameters named layers.0.weight, ...
    with no_grad():
        for p in model.parameters():
            p.copy_(rng.normal(size=p.shape))
    x = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], name="x")   # (4, 2)
    y = Tensor([[0.0], [1.0], [1.0], [0.0]], name="y")                       # (4, 1)
    loss = functional.mse_loss(model(x), y)
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


def _attention_free_toy(rng: np.random.Generator) -> Tensor:
    tokens = Tensor(rng.normal(size=(3, 4)).astype(np.float32), name="tokens")   # (positions, features)
    mix = Parameter(rng.normal(size=(3, 3)).astype(np.float32))               # (to, from) positions
    mix.name = "mix"
    readout = Parameter(rng.normal(size=(4, 2)).astype(np.float32) / 2)       # (features, classes)
    readout.name = "readout"
    weights = mix.softmax(axis=-1)      # each position averages all positions, whatever they hold
    weights.name = "mix_weights"
    mixed = weights @ tokens            # (3, 4)
    mixed.name = "mixed"
    logits = mixed.relu() @ readout     # (3, 2)
    logits.name = "logits"
    loss = functional.cross_entropy(logits, np.array([0, 1, 1]))
    loss.name = "loss"
    loss.backward(retain_graph=True)
    return loss


__all__ = ["graph_example", "EXAMPLES"]
