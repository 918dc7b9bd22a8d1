"""Layers with parameters or modes: Linear, Bilinear, CosineSimilarity, PairwiseDistance, Identity,
Dropout, Maxout, Flatten, Unflatten, Embedding."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..function import no_grad
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

    def reset_parameters(self) -> None:
        """Draw the weights again as at construction: kaiming_uniform_(W, a=sqrt(5)) and
        b ~ U(-1/sqrt(in_features), 1/sqrt(in_features)), PyTorch's reset."""
        bound = 1.0 / math.sqrt(self.in_features)
        init.uniform_(self.weight, -bound, bound)  # the same bound as kaiming_uniform_(a=sqrt(5))
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y_k = x1ᵀ A_k x2 + b_k: one bilinear form of two inputs per output unit.

    Parameters: weight A (out_features, in1_features, in2_features), bias b (out_features,)
    unless bias=False. Initialisation (PyTorch's): A and b ~ U(-1/sqrt(in1_features),
    1/sqrt(in1_features)). Shapes: x1 (*, in1_features), x2 (*, in2_features) -> (*, out_features).

    Example::

        >>> layer = Bilinear(3, 4, 2)
        >>> y = layer(tinygrad_nn.ones(5, 3), tinygrad_nn.ones(5, 4))     # (5, 2)
        >>> y.sum().backward(); layer.bias.grad
        Tensor([5. 5.])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 dtype: Any = None) -> None:
        super().__init__()
        for n, name in ((in1_features, "in1_features"), (in2_features, "in2_features"),
                        (out_features, "out_features")):
            _check_size(n, "Bilinear", name)
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        self.weight = _uniform_parameter((out_features, in1_features, in2_features), in1_features, dtype)
        if bias:
            self.bias = _uniform_parameter((out_features,), in1_features, dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Draw A and b again from U(-1/sqrt(in1_features), 1/sqrt(in1_features)), PyTorch's reset."""
        bound = 1.0 / math.sqrt(self.in1_features)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along `dim` (see functional.cosine_similarity)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """‖x1 - x2 + eps‖_p along the last axis (see functional.pairwise_distance)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


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


class Flatten(Module):
    """Merge axes start_dim..end_dim into one: (N, C, H, W) -> (N, C*H*W) by default.

    Shapes: start_dim=1 keeps the batch axis. Example: Flatten()(ones(2, 3, 4)).shape == (2, 12).
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`: Unflatten(1, (3, 4)) takes (N, 12) to (N, 3, 4).

    One entry of unflattened_size may be -1 (inferred).
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        if not -x.ndim <= self.dim < x.ndim:
            raise ValueError(f"Unflatten: dim {self.dim} is out of range for input of shape {x.shape}")
        d = self.dim % x.ndim
        known = int(np.prod([n for n in self.unflattened_size if n != -1]))
        if (-1 not in self.unflattened_size and known != x.shape[d]) or known == 0 or x.shape[d] % known:
            raise ValueError(f"Unflatten: cannot split axis {d} of length {x.shape[d]} (input shape "
                             f"{x.shape}) into {self.unflattened_size}")
        return x.reshape(*x.shape[:d], *self.unflattened_size, *x.shape[d + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Embedding(Module):
    """A lookup table: row i of `weight` is the vector of index i; y = weight[indices].

    Parameters: weight of shape (num_embeddings, embedding_dim) ~ N(0, 1) (PyTorch's init).
    With padding_idx, that row starts at zero and never receives a gradient.
    Shapes: integer indices (*) -> (*, embedding_dim).

    Example::

        >>> emb = Embedding(10, 3)
        >>> emb(np.array([[1, 2], [4, 1]])).shape
        (2, 2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Any = None, _freeze: bool = False, dtype: Any = None) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported: numpy "
                                      "has no sparse tensors; the dense gradient is the same numbers")
        _check_size(num_embeddings, "Embedding", "num_embeddings")
        _check_size(embedding_dim, "Embedding", "embedding_dim")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} must be within "
                                 f"[-{num_embeddings}, {num_embeddings})")
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        if _weight is None:
            d = np.dtype(dtype) if dtype is not None else get_default_dtype()
            self.weight = Parameter(np.empty((num_embeddings, embedding_dim), d), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            w = _weight._data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if w.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {w.shape}, expected "
                                 f"{(num_embeddings, embedding_dim)}")
            self.weight = Parameter(w, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose weight is `embeddings` (shared, not copied), frozen by default."""
        w = embeddings._data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if w.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: expected a 2-D weight, got shape {w.shape}")
        return cls(w.shape[0], w.shape[1], padding_idx=padding_idx, max_norm=max_norm,
                   norm_type=norm_type, scale_grad_by_freq=scale_grad_by_freq, sparse=sparse,
                   _weight=w, _freeze=freeze)

    def forward(self, indices: Any) -> Tensor:
        return F.embedding(indices, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text


def _check_size(n: Any, layer: str, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{layer}: {name} must be a positive integer, got {n!r}")


def _uniform_parameter(shape: tuple[int, ...], fan_in: int, dtype: Any) -> Parameter:
    p = Parameter(np.empty(shape, np.dtype(dtype) if dtype is not None else get_default_dtype()))
    bound = 1.0 / math.sqrt(fan_in)
    return init.uniform_(p, -bound, bound)  # type: ignore[return-value]
