"""PyTorch's `torch.autograd` namespace: Function (forward receives Tensors), grad, backward,
gradcheck / gradgradcheck (from tinygrad_nn.testing, loaded on first use), and a few
`autograd.functional` helpers."""
from __future__ import annotations

import types
from typing import Any

from . import func as _func
from . import function as _function
from ._tensor import Tensor
from .function import TensorFunction as Function
from .function import detect_anomaly, enable_grad, no_grad, set_grad_enabled


def _tensors(x: Any) -> list[Tensor]:
    return [x] if isinstance(x, Tensor) else list(x)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs) as a tuple (one per input), leaving every `.grad` untouched.

    `outputs` and `grad_outputs` may be one Tensor or sequences of them (summed as PyTorch does:
    sum_i <grad_outputs[i], d outputs[i]>); `inputs` one Tensor or a sequence."""
    root = _one_root(outputs, grad_outputs)
    gradient = grad_outputs if isinstance(outputs, Tensor) else None
    return tuple(_function.grad(root, _tensors(inputs), gradient, retain_graph, create_graph,
                                allow_unused))


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate the gradients of `tensors` into `.grad` of the leaves (of `inputs` only, if
    given), as Tensor.backward does for one tensor."""
    root = _one_root(tensors, grad_tensors)
    gradient = grad_tensors if isinstance(tensors, Tensor) else None
    if inputs is None:
        root.backward(gradient, retain_graph, create_graph)
        return
    targets = _tensors(inputs)
    grads = _function.grad(root, targets, gradient, retain_graph, create_graph, allow_unused=True)
    for t, g in zip(targets, grads):
        if g is not None:
            t.grad = g if t.grad is None else t.grad + g


def _one_root(outputs: Any, grad_outputs: Any) -> Tensor:
    """Several outputs (with their gradients) as one scalar whose gradient is the same."""
    if isinstance(outputs, Tensor):
        return outputs
    outs = list(outputs)
    if grad_outputs is None:
        grads: list[Any] = [None] * len(outs)
    else:
        grads = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
    if len(outs) == 1 and grads[0] is None:
        return outs[0]
    terms = [o.sum() if g is None else (o * g).sum() for o, g in zip(outs, grads)]
    root = terms[0]
    for t in terms[1:]:
        root = root + t
    return root


def Variable(data: Any, requires_grad: bool = False) -> Tensor:
    """Old PyTorch's Variable, which is a Tensor now: Variable(x, requires_grad=True)."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    return t.requires_grad_(requires_grad) if requires_grad else t


def _jacobian(f: Any, inputs: Any, create_graph: bool = False) -> Any:
    """autograd.functional.jacobian(f, x): d f(x) / dx, shape out.shape + x.shape."""
    if isinstance(inputs, Tensor):
        return _func.jacobian(f)(inputs)
    return _func.jacobian(f, argnums=tuple(range(len(inputs))))(*inputs)


def _hessian(f: Any, inputs: Any, create_graph: bool = False) -> Any:
    """autograd.functional.hessian(f, x) of a scalar f: shape x.shape + x.shape."""
    if not isinstance(inputs, Tensor):
        raise TypeError("autograd.functional.hessian: here inputs must be one Tensor")
    return _func.hessian(f)(inputs)


functional = types.SimpleNamespace(jacobian=_jacobian, hessian=_hessian)
functional.__doc__ = "PyTorch's autograd.functional: jacobian and hessian (via tinygrad_nn.func)."

_TESTING = ("gradcheck", "gradgradcheck")


def __getattr__(name: str) -> Any:
    # gradcheck lives in tinygrad_nn.testing, which imports hypothesis: loaded when first asked for
    if name in _TESTING:
        from . import testing
        return getattr(testing, name)
    raise AttributeError(f"module 'tinygrad_nn.autograd' has no attribute {name!r}")


__all__ = ["Function", "grad", "backward", "Variable", "functional", "no_grad", "enable_grad",
           "set_grad_enabled", "detect_anomaly", *_TESTING]
