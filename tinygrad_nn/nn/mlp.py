"""MLP: a stack of fully-connected layers described by its layer sizes."""
from __future__ import annotations

import copy
from typing import Sequence, Union

from .._tensor import Tensor
from .activations import LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from .layers import Dropout, Identity, Linear
from .module import Module, ModuleList

Activation = Union[str, type, Module, None]

ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "sigmoid": Sigmoid, "tanh": Tanh,
    "softplus": Softplus, "identity": Identity,
}


class MLP(Module):
    """Multi-layer perceptron: Linear layers with an activation between consecutive ones.

    `MLP([3, 4, 4, 1])` is 3 inputs -> 4 -> 4 -> 1 output: layers[0] = Linear(3, 4),
    layers[1] = Linear(4, 4), layers[2] = Linear(4, 1), with `activation` after every layer but
    the last (and `output_activation` after the last, if given), and Dropout(dropout) after each
    hidden activation when dropout > 0. An activation is a name ('relu', 'leaky_relu',
    'sigmoid', 'tanh', 'softplus', 'identity'), a Module class, or a Module instance (copied
    for each layer).
    Parameters: layers.i.weight of shape (sizes[i+1], sizes[i]) and layers.i.bias
    (sizes[i+1],), initialised as Linear's. MLP([3, 4, 2]) has 4*3 + 2*4 weights and 4 + 2
    biases: 26 parameters. Shapes: x (..., sizes[0]) -> (..., sizes[-1]).

    Example::

        >>> model = MLP([3, 4, 4, 1])
        >>> model.num_parameters()
        41
        >>> model(tinygrad_nn.ones(5, 3)).shape
        (5, 1)
    """

    def __init__(self, sizes: Sequence[int], activation: Activation = "relu",
                 output_activation: Activation = None, dropout: float = 0.0, bias: bool = True) -> None:
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least an input and an output size, got {sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        self.sizes = sizes
        self.layers = ModuleList([Linear(n_in, n_out, bias=bias) for n_in, n_out in zip(sizes, sizes[1:])])
        n_hidden = len(sizes) - 2
        self.activations = ModuleList([_make_activation(activation) for _ in range(n_hidden)])
        self.dropout: Dropout | None = Dropout(dropout) if dropout > 0 else None
        self.output_activation: Module | None = (
            _make_activation(output_activation) if output_activation is not None else None)

    def forward(self, x: Tensor) -> Tensor:
        n_hidden = len(self.activations)
        for i in range(n_hidden):
            x = self.activations[i](self.layers[i](x))
            if self.dropout is not None:
                x = self.dropout(x)
        x = self.layers[n_hidden](x)
        if self.output_activation is not None:
            x = self.output_activation(x)
        return x


def _make_activation(activation: Activation) -> Module:
    if isinstance(activation, str):
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: unknown activation {activation!r}; expected one of "
                             f"{sorted(ACTIVATIONS)} or a Module class")
        return ACTIVATIONS[activation]()
    if isinstance(activation, type) and issubclass(activation, Module):
        return activation()
    if isinstance(activation, Module):
        # a fresh copy per layer, so an activation with parameters is not shared by accident
        return copy.deepcopy(activation)
    raise TypeError(f"MLP: activation must be a name, a Module class or a Module, got "
                    f"{type(activation).__name__}")
