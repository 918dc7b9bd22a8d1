"""Layers with parameters or modes: Linear, Identity, Dropout, Maxout."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor, get_default_dtype
from . import functional as F
from . import init
from .module import Module, Parameter


class Linear(Module):
    """Fully-connected layer: y = x @ W.T + b.

    Parameters: weight W of shape (out_features, in_features) (row j holds unit j's input
    weights, so 3 inputs and 4 units give a 4x3 W as in the course notes) and bias b of shape
    (out_features,) unless bias=False.
    Initialisation (PyTorch's default): W and b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)),
    the same as kaiming_uniform_(W, a=sqrt(5)); drawn from manual_seed's generator.
    Shapes: x (..., in_features) -> y (..., out_features).

    Example::

        >>> layer = Linear(3, 4)
        >>> y = layer(tinygrad_nn.ones(2, 3))          # (2, 4)
        >>> y.sum().backward(); layer.bias.grad
        Tensor([2. 2. 2. 2.])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        _check_size(in_features, "Linear", "in_features")
        _check_size(out_features, "Linear", "out_features")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _uniform_parameter((out_features, in_features), in_features, dtype)
        if bias:
            self.bias = _uniform_parameter((out_features,), in_features, dtype)
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. for 'no activation')."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Dropout(Module):
    """Inverted dropout in training mode, the identity in eval mode.

    In training each element is zeroed with probability p and survivors are scaled by
    1 / (1 - p), keeping the expected value; masks come from manual_seed's generator.
    Example: `Dropout(0.5)(ones(4))` gives 0s and 2s; after `.eval()` it gives ones.
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Maxout(Module):
    """Maxout unit: the largest of `pieces` affine maps, y_j = max_k (x @ W_jk + b_jk).

    A generalisation of ReLU (which is max(x @ w + b, 0), two pieces with one fixed at 0).
    Parameters: weight of shape (out_features * pieces, in_features), bias (out_features * pieces,);
    row j * pieces + k is piece k of unit j. Initialised as Linear(in_features, out_features * pieces).
    Shapes: x (..., in_features) -> y (..., out_features).
    """

    def __init__(self, in_features: int, out_features: int, pieces: int = 2, dtype: Any = None) -> None:
        super().__init__()
        _check_size(in_features, "Maxout", "in_features")
        _check_size(out_features, "Maxout", "out_features")
        _check_size(pieces, "Maxout", "pieces")
        self.in_features = in_features
        self.out_features = out_features
        self.pieces = pieces
        self.weight = _uniform_parameter((out_features * pieces, in_features), in_features, dtype)
        self.bias = _uniform_parameter((out_features * pieces,), in_features, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.maxout(x, self.weight, self.bias, self.pieces)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


def _check_size(n: Any, layer: str, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {n!r}")


def _uniform_parameter(shape: tuple[int, ...], fan_in: int, dtype: Any) -> Parameter:
    p = Parameter(np.empty(shape, np.dtype(dtype) if dtype is not None else get_default_dtype()))
    bound = 1.0 / math.sqrt(fan_in)
    return init.uniform_(p, -bound, bound)  # type: ignore[return-value]
