"""Function transformations: grad, value_and_grad, vjp, jvp, jacobian, hessian and hvp.

Each one takes a Python function of Tensors and gives back derivatives of it, the way JAX and
torch.func do. They are all built on the engine's functional `tinygrad_nn.grad` (reverse mode);
`create_graph=True` makes gradients differentiable again, which gives forward-mode products
(jvp) and second derivatives (hessian, hvp) without any new machinery.

Two rules say what comes back:

* numpy in, numpy out: if none of the arguments being differentiated is a Tensor (numpy arrays
  or Python numbers), every result is a numpy array. Integer arrays are treated as float64.
* Tensors in, Tensors out: results are Tensors, and they are differentiable with respect to
  every input that requires grad. That is why the transforms nest (`hessian` is `jacobian` of
  `grad`), and why a gradient may be part of a loss you call backward on.

None of them touches any `.grad`.

>>> import numpy as np
>>> from tinygrad_nn import func
>>> func.grad(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))       # 3x²
array([ 3., 12.])
>>> func.hessian(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))    # diag(6x)
array([[ 6.,  0.],
       [ 0., 12.]])
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import function
from .function import enable_grad
from .ops import stack
from ._tensor import Tensor

Argnums = int | tuple[int, ...]


# --- the shared plumbing: turn arguments into points to differentiate at, and results back -----

class _Inputs:
    """The arguments of one call, with those being differentiated replaced by Tensors.

    `points` are the Tensors to differentiate at. A Tensor that requires grad is used as it is,
    so results stay connected to it (`keep_graph`); anything else becomes a fresh leaf.
    """

    def __init__(self, op: str, args: Sequence[Any], argnums: tuple[int, ...]) -> None:
        self.op = op
        self.args = list(args)
        self.points: list[Tensor] = []
        self.numpy_mode = True
        self.keep_graph = False
        for i in argnums:
            if not -len(args) <= i < len(args):
                raise ValueError(f"{op}: argnums {i} is out of range for a call with {len(args)} "
                                 "positional arguments")
            point = self._point(args[i], i)
            self.args[i] = point
            self.points.append(point)

    def _point(self, value: Any, i: int) -> Tensor:
        if isinstance(value, Tensor):
            self.numpy_mode = False
            if value.requires_grad:
                self.keep_graph = True
                return value
            return Tensor(value._data, requires_grad=self._checked_float(value._data, i))
        array = np.asarray(value)
        if array.dtype.kind in "iub":
            array = array.astype(np.float64)
        return Tensor(array, requires_grad=self._checked_float(array, i))

    def _checked_float(self, array: np.ndarray, i: int) -> bool:
        if array.dtype.kind != "f":
            raise TypeError(f"{self.op}: argument {i} has dtype {array.dtype}; only floating point "
                            "inputs can be differentiated")
        return True

    def call(self, f: Callable[..., Any], kwargs: dict[str, Any]) -> Tensor:
        """f on the prepared arguments, recording the graph even inside no_grad()."""
        with enable_grad():
            out = f(*self.args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{self.op}: the function must return a Tensor, got "
                            f"{type(out).__name__}")
        return out

    def grads(self, out: Tensor, cotangent: Tensor | None, create_graph: bool,
              retain_graph: bool = False) -> list[Tensor]:
        """d(out)/d(points) contracted with `cotangent` (None means out is a scalar): a vjp.

        An input that `out` does not depend on gets zeros, as in JAX.
        """
        zeros = [Tensor(np.zeros_like(p._data)) for p in self.points]
        if not out.requires_grad:
            return zeros
        grads = function.grad(out, self.points, grad_outputs=cotangent, allow_unused=True,
                              retain_graph=retain_graph or create_graph, create_graph=create_graph)
        return [g if g is not None else z for g, z in zip(grads, zeros)]

    def result(self, t: Tensor) -> Any:
        """A Tensor handed back to the caller, as numpy if they gave numpy."""
        data = t._data if t._data.flags.writeable else t._data.copy()  # e.g. a broadcast seed
        if self.numpy_mode:
            return data
        return t if self.keep_graph else Tensor(data)


def _argnums(argnums: Argnums, op: str) -> tuple[int, ...]:
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),)
    if isinstance(argnums, tuple) and argnums and all(isinstance(i, int) for i in argnums):
        return argnums
    raise TypeError(f"{op}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _pack(values: list[Any], argnums: Argnums) -> Any:
    """One result for an int argnums, a tuple of them for a tuple argnums."""
    return tuple(values) if isinstance(argnums, tuple) else values[0]


def _scalar(out: Tensor, op: str) -> None:
    if out._data.size != 1:
        raise ValueError(f"{op}: the function must return a one-element Tensor, got shape "
                         f"{out.shape}; use jacobian or vjp for functions with many outputs")


def _like(value: Any, point: Tensor, op: str, what: str) -> Tensor:
    """A cotangent or tangent as a Tensor of point's shape and dtype."""
    t = value if isinstance(value, Tensor) else Tensor(np.asarray(value))
    if t.shape != point.shape:
        raise ValueError(f"{op}: {what} has shape {t.shape} but must have shape {point.shape}")
    return t if t.dtype == point.dtype else t.astype(point.dtype)


# --- the transformations -----------------------------------------------------------------------

def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning (f(*args), ∂f/∂args[argnums]) for a scalar-valued f, in one pass.

    The gradient has the shape of the argument; a tuple `argnums` gives a tuple of gradients.

    >>> from tinygrad_nn import Tensor
    >>> value, g = value_and_grad(lambda x: (x * x).sum())(Tensor([1.0, 2.0]))
    >>> value, g                      # x·x = 5, 2x
    (Tensor(5.), Tensor([2. 4.]))
    """
    nums = _argnums(argnums, "value_and_grad")

    def value_and_grad_f(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        inputs = _Inputs("value_and_grad", args, nums)
        out = inputs.call(f, kwargs)
        _scalar(out, "value_and_grad")
        grads = inputs.grads(out, None, create_graph=inputs.keep_graph)
        return inputs.result(out), _pack([inputs.result(g) for g in grads], argnums)

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient function of a scalar-valued f: grad(f)(*args) = ∂f/∂args[argnums].

    Not to be confused with `tinygrad_nn.grad(outputs, inputs)`, the engine's function that
    this one is built on. Shapes: the gradient has its argument's shape.

    >>> import numpy as np
    >>> grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    (array([3., 4.]), array([1., 2.]))
    """
    value_and_grad_f = value_and_grad(f, argnums)

    def grad_f(*args: Any, **kwargs: Any) -> Any:
        return value_and_grad_f(*args, **kwargs)[1]

    return grad_f


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple[Any, ...]]]:
    """f(*primals) and a function mapping a cotangent v (f's output shape) to vᵀ·J, per primal.

    For f: (n,) -> (m,), J is (m, n) and vjp_fn(v) with v of shape (m,) returns a 1-tuple
    holding vᵀJ of shape (n,): one gradient per primal, always a tuple. The graph is kept so
    that vjp_fn can be called many times; it is freed when vjp_fn is.

    >>> import numpy as np
    >>> out, vjp_fn = vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> vjp_fn(np.array([1.0, 10.0]))          # v * 2x
    (array([ 2., 40.]),)
    """
    inputs = _Inputs("vjp", primals, tuple(range(len(primals))))
    out = inputs.call(f, {})

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        v = _like(cotangent, out, "vjp", "the cotangent")
        grads = inputs.grads(out, v, create_graph=inputs.keep_graph, retain_graph=True)
        return tuple(inputs.result(g) for g in grads)

    return inputs.result(out), vjp_fn


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """f(*primals) and the directional derivative J·v along `tangents` (forward mode).

    For f: (n,) -> (m,), a tangent of shape (n,) gives J·v of shape (m,); with several primals
    it is the sum of J_i·v_i. Built with the double-vjp trick: g(u) = uᵀJ is linear in a dummy
    cotangent u, so differentiating g(u)·v with respect to u gives J·v, by two reverse passes.

    >>> import numpy as np
    >>> jvp(lambda x: x * x, (np.array([1.0, 2.0]),), (np.array([1.0, 10.0]),))   # 2x * v
    (array([1., 4.]), array([ 2., 40.]))
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: got {len(primals)} primals but {len(tangents)} tangents")
    inputs = _Inputs("jvp", primals, tuple(range(len(primals))))
    vs = [_like(t, p, "jvp", f"tangent {i}") for i, (t, p) in enumerate(zip(tangents, inputs.points))]
    out = inputs.call(f, {})
    if not out.requires_grad:
        return inputs.result(out), inputs.result(Tensor(np.zeros_like(out._data)))
    # u's value does not matter (uᵀJ is linear in u); it is a leaf to differentiate with respect to
    u = Tensor(np.zeros_like(out._data), requires_grad=True)
    u_jacobian = function.grad(out, inputs.points, grad_outputs=u, create_graph=True,
                               allow_unused=True)
    products = [(g * v).sum() for g, v in zip(u_jacobian, vs) if g is not None and g.requires_grad]
    if not products:
        return inputs.result(out), inputs.result(Tensor(np.zeros_like(out._data)))
    total = products[0]
    for p in products[1:]:
        total = total + p
    (tangent_out,) = function.grad(total, [u], create_graph=inputs.keep_graph, allow_unused=True)
    if tangent_out is None:
        tangent_out = Tensor(np.zeros_like(out._data))
    return inputs.result(out), inputs.result(tangent_out)


def jacobian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The Jacobian function of f: jacobian(f)(*args)[i..., j...] = ∂f(args)[i...]/∂args[argnums][j...].

    Shapes: output shape + input shape, e.g. (m,) + (n,) = (m, n) for f: (n,) -> (m,). Computed
    one output element at a time (m reverse passes over one recorded graph).

    >>> import numpy as np
    >>> jacobian(lambda x: x * x)(np.array([1.0, 2.0]))      # diag(2x)
    array([[2., 0.],
           [0., 4.]])
    """
    nums = _argnums(argnums, "jacobian")

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        inputs = _Inputs("jacobian", args, nums)
        out = inputs.call(f, kwargs)
        rows: list[list[Tensor]] = [[] for _ in inputs.points]   # per input: one row per output
        for k in range(out._data.size):
            seed = np.zeros(out._data.size, out.dtype)
            seed[k] = 1
            grads = inputs.grads(out, Tensor(seed.reshape(out.shape)), retain_graph=True,
                                 create_graph=inputs.keep_graph)
            for row, g in zip(rows, grads):
                row.append(g)
        jacobians = []
        for point, row in zip(inputs.points, rows):
            shape = out.shape + point.shape
            if not row:   # f returned an empty tensor
                jacobians.append(inputs.result(Tensor(np.zeros(shape, point.dtype))))
            elif inputs.keep_graph:
                jacobians.append(stack(row).reshape(*shape))   # (out.size, *x.shape) -> shape
            else:
                jacobians.append(inputs.result(Tensor(np.stack([g._data for g in row]).reshape(shape))))
        return _pack(jacobians, argnums)

    return jacobian_f


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """The Hessian function of a scalar-valued f: the Jacobian of its gradient.

    Shapes: input shape + input shape, e.g. (n, n) for x of shape (n,); symmetric where f is
    twice continuously differentiable.

    >>> import numpy as np
    >>> A = np.array([[1.0, 2.0], [0.0, 3.0]])
    >>> hessian(lambda x: x @ (Tensor(A) @ x))(np.array([1.0, 1.0]))    # A + Aᵀ
    array([[2., 2.],
           [2., 6.]])
    """
    if not isinstance(argnums, int) or isinstance(argnums, bool):
        raise TypeError(f"hessian: argnums must be a single int, got {argnums!r}")
    return jacobian(grad(f, argnums), argnums)


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """The Hessian-vector product H(x)·v of a scalar-valued f, without forming H.

    Shapes: x and v alike, and so is the result. Two reverse passes: the gradient with
    create_graph, then the gradient of (∇f(x)·v) — costs about as much as two gradients, where
    the full Hessian of an n-vector needs n of them.

    >>> import numpy as np
    >>> hvp(lambda x: (x ** 3).sum(), np.array([1.0, 2.0]), np.array([1.0, 1.0]))   # 6x * v
    array([ 6., 12.])
    """
    inputs = _Inputs("hvp", (x,), (0,))
    (point,) = inputs.points
    direction = _like(v, point, "hvp", "v")
    out = inputs.call(f, {})
    _scalar(out, "hvp")
    (g,) = inputs.grads(out, None, create_graph=True)
    if not g.requires_grad:   # f is at most linear in x: its Hessian is zero
        return inputs.result(Tensor(np.zeros_like(point._data)))
    (hv,) = inputs.grads((g * direction).sum(), None, create_graph=inputs.keep_graph)
    return inputs.result(hv)


__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]
