"""PyTorch's `torch.special`: other names for ops tinygrad_nn already has, made from one table.

Each name is the function form of a Tensor method (special.expit(x) is x.sigmoid()), or the
nn.functional function where PyTorch's special version takes the same arguments (softmax and
log_softmax, which take dtype=). Nothing here has a formula or a gradient of its own.

>>> special.expit(tinygrad_nn.tensor([0.0]))
Tensor([0.5])
"""
from __future__ import annotations

from typing import Any, Callable

from ._surface import function_form

# torch.special name -> the Tensor method it means
_METHODS = {
    "expit": "sigmoid", "logit": "logit", "erf": "erf", "erfc": "erfc", "xlogy": "xlogy",
    "logsumexp": "logsumexp", "expm1": "expm1", "exp2": "exp2", "log1p": "log1p", "round": "round",
}
# names whose PyTorch signature is nn.functional's (input, dim, dtype=None)
_FUNCTIONAL = ("softmax", "log_softmax")


def __getattr__(name: str) -> Callable[..., Any]:
    if name in _FUNCTIONAL:
        from .nn import functional
        return getattr(functional, name)
    if name in _METHODS:
        form = function_form(_METHODS[name])
        assert form is not None, name
        return form
    raise AttributeError(f"module 'tinygrad_nn.special' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*_METHODS, *_FUNCTIONAL])


__all__ = sorted([*_METHODS, *_FUNCTIONAL])
