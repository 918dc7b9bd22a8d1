"""The autograd engine: grad mode, the Function node every op is made of, and backward.

A `Function` subclass is one differentiable op: `forward` works on numpy arrays, `backward`
works on Tensors, so the same backward code gives first-order gradients (run under no_grad,
one numpy call per Tensor op) and differentiable ones (run with create_graph=True).
Built-in ops in `ops.py` and a user's custom ops use exactly this mechanism.
"""
from __future__ import annotations

import functools
import gc
import itertools
import threading
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

import numpy as np

if TYPE_CHECKING:
    from ._tensor import Tensor  # noqa: F811

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode(threading.local):
    enabled = True  # a class default, so every new thread starts with gradients on


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward (the default)."""
    return _mode.enabled


class _SetGradEnabled:
    """Context manager and decorator that sets grad mode for this thread and restores it after."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_mode.enabled)
        _mode.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self.previous.pop()

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)(self.enabled):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def no_grad(fn: Any = None) -> Any:
    """Stop recording the graph: `with no_grad(): ...`, `@no_grad()` or `@no_grad` (thread-local).

    Example: `with no_grad(): w -= 0.1 * w.grad` updates a parameter without recording it.
    """
    return _SetGradEnabled(False) if fn is None else _SetGradEnabled(False)(fn)


def enable_grad(fn: Any = None) -> Any:
    """Record the graph again inside a `no_grad` block (thread-local); also `@enable_grad`."""
    return _SetGradEnabled(True) if fn is None else _SetGradEnabled(True)(fn)


def inference_mode(mode: Any = True) -> Any:
    """PyTorch's inference_mode: here the same as no_grad (`with inference_mode(): ...`,
    `@inference_mode()`, `@inference_mode`); inference_mode(False) records as usual."""
    if callable(mode):
        return _SetGradEnabled(False)(mode)
    return _SetGradEnabled(not mode)


def set_grad_enabled(mode: bool) -> _SetGradEnabled:
    """Set grad mode to `mode`; usable as a context manager or decorator."""
    return _SetGradEnabled(mode)


class Function:
    """One differentiable primitive op: the base of the built-in ops in `ops/`, whose forward
    works on numpy arrays (one numpy call, no Tensor around it). A user's own op subclasses
    `tinygrad_nn.Function` (= `autograd.Function`, `TensorFunction` below) instead, whose forward
    receives Tensors as in PyTorch.

    `forward(ctx, *args)` receives numpy arrays in place of Tensor arguments (other arguments
    pass through unchanged) and returns one numpy array. `backward(ctx, grad)` receives the
    gradient of the output as a Tensor and returns one gradient per forward argument (a
    Tensor, or None for arguments that are not Tensors or need no gradient). Write backward
    with Tensor operations: then `create_graph=True` makes it differentiable for free. A
    gradient may have the shape the input was broadcast to: backward sums it back (as PyTorch).

    In backward, `ctx.inputs` are the forward arguments as given (Tensors stay Tensors),
    `ctx.output` is the output Tensor, and `ctx.saved_tensors` returns what forward passed to
    `ctx.save_for_backward`: an array that is an input's or the output's own array comes back
    as that Tensor (so second-order gradients flow through it), anything else as a constant.

    Example (a custom op, checked with `tinygrad_nn.gradcheck`)::

        class Square(Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return 2 * x * grad

        x = Tensor([3.0], requires_grad=True)
        Square.apply(x).sum().backward()   # x.grad == [6.]
    """

    # The engine's own fields are slots (cheap to set, nothing for the garbage collector to
    # trace); an op's forward may still keep anything else on ctx, which goes to __dict__.
    __slots__ = ("inputs", "output", "needs_input_grad", "kwargs", "_saved", "_version_sum",
                 "_seq", "__dict__")

    inputs: tuple[Any, ...] | None        # the forward arguments; stand-ins once backward freed them
    output: Tensor | None                 # set by the engine while this node's backward runs
    needs_input_grad: tuple[bool, ...]    # per forward argument: does it want a gradient?
    kwargs: dict[str, Any]
    _saved: tuple[Any, ...] | None        # what forward passed to save_for_backward
    _version_sum: int                     # the inputs' versions at forward time, summed
    _seq: int                             # creation number: larger than its inputs' nodes'

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad)")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on the arguments' arrays and, if any input requires grad, record the node."""
        ctx = cls()
        ctx.inputs = args
        arrays = []
        needs = []
        version_sum = 0
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                needs.append(a.requires_grad)
                version_sum += a._version
            else:
                arrays.append(a)
                needs.append(False)
        record = True in needs and _mode.enabled
        ctx.needs_input_grad = tuple(needs)
        try:
            data = cls.forward(ctx, *arrays, **kwargs)
        except (ValueError, TypeError, IndexError) as e:
            raise _name_error(cls, e, arrays, args) from None
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        if _trace is not None:   # tinygrad_nn.compile is recording: note this forward call
            _trace.op(cls, ctx, args, arrays, kwargs, data)
        out = _wrap(data)
        if _anomaly.enabled:
            _anomaly.check_forward(cls, ctx, data, arrays, record)
        if record:
            out.requires_grad = True
            # versions only grow, so an unchanged sum means no input was modified in place
            ctx._version_sum = version_sum
            ctx._seq = next(_creation_counter)
            ctx.kwargs = kwargs or _NO_KWARGS
            out._ctx = ctx
        return out

    # --- what backward and people studying the graph look at -----------------------------
    @property
    def name(self) -> str:
        """The op's name, e.g. 'mul' or 'matmul'."""
        return type(self).__name__.lower()

    @property
    def parents(self) -> tuple[Any, ...]:
        """The Tensor inputs of this node, in argument order. After a backward without
        retain_graph, an input that is not a leaf is a `FreedTensor`: its name, shape, dtype and
        grad_fn, without its values."""
        if self.inputs is None:
            return ()
        return tuple(a for a in self.inputs if isinstance(a, (Tensor, FreedTensor)))

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's view of the graph's edges: for each tensor input, (its grad_fn, 0); a leaf
        that requires grad gives (AccumulateGrad, 0), a constant (None, 0). Kept by backward."""
        edges = []
        for p in self.parents:
            if p._ctx is not None:
                edges.append((p._ctx, 0))
            else:
                edges.append((AccumulateGrad(p) if p.requires_grad else None, 0))
        return tuple(edges)

    @property
    def freed(self) -> bool:
        """True once a backward without retain_graph released what this node saved."""
        return type(self.inputs) is _FreedInputs

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or Tensors) for backward; read them back with `ctx.saved_tensors`."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        """What forward saved, as Tensors: an input's or the output's array maps to that Tensor."""
        saved = getattr(self, "_saved", None)
        if saved is None or self.inputs is None or type(self.inputs) is _FreedInputs:
            raise RuntimeError(f"{self.name}: saved tensors were freed by an earlier backward "
                               "(pass retain_graph=True to backward to keep them)")
        own = {id(a._data): a for a in self.inputs if isinstance(a, Tensor)}
        output = getattr(self, "output", None)
        if output is not None:
            own[id(output._data)] = output
        return tuple(v if isinstance(v, Tensor) else own[id(v)] if id(v) in own else Tensor(v)
                     for v in saved)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class TensorFunction(Function):
    """A user-defined differentiable op, as PyTorch's `torch.autograd.Function`: subclass it,
    write `forward` and `backward` as static methods, call `.apply`.

    `forward(ctx, *args)` receives Tensors (detached copies that share memory, under no_grad,
    so nothing in it is recorded) and other arguments unchanged; it returns one Tensor (or numpy
    array). `backward(ctx, grad)` receives d(loss)/d(output) as a Tensor and returns one
    gradient per forward argument (None for non-Tensors). `ctx.save_for_backward(*tensors)` /
    `ctx.saved_tensors` keep inputs and the output for backward: they come back as the real
    input Tensors, so a backward written with Tensor ops is differentiable again
    (`create_graph=True`). Also `ctx.needs_input_grad` and `ctx.mark_non_differentiable(out)`.

    Example::

        class MyReLU(tinygrad_nn.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.clamp(min=0)

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * (x > 0)

        x = Tensor([-1.0, 2.0], requires_grad=True)
        MyReLU.apply(x).sum().backward()   # x.grad == [0., 1.]
    """

    __slots__ = ()

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on detached Tensors under no_grad and, if any input requires grad, record
        the node (built-in primitives take Function.apply, which skips this wrapping)."""
        ctx = cls()
        ctx.inputs = args
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx.needs_input_grad = needs
        detached = tuple(a.detach() if isinstance(a, Tensor) else a for a in args)
        with _SetGradEnabled(False):
            result = cls.forward(ctx, *detached, **kwargs)
        if isinstance(result, tuple):
            raise TypeError(f"{cls.__name__}.forward returned {len(result)} outputs; a Function "
                            "here has exactly one output Tensor")
        data = result._data if isinstance(result, Tensor) else np.asarray(result)
        out = _wrap(data)
        non_differentiable = ctx.__dict__.get("_non_differentiable", ())
        record = True in needs and _mode.enabled and id(data) not in non_differentiable
        if _anomaly.enabled:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            _anomaly.check_forward(cls, ctx, data, arrays, record)
        if record:
            if data.dtype.kind != "f":
                raise TypeError(f"{cls.__name__}.forward returned a {data.dtype} tensor; only a "
                                "floating point output can carry a gradient (mark it with "
                                "ctx.mark_non_differentiable if it needs none)")
            out.requires_grad = True
            ctx._version_sum = sum(a._version for a in args if isinstance(a, Tensor))
            ctx._seq = next(_creation_counter)
            ctx.kwargs = kwargs or _NO_KWARGS
            out._ctx = ctx
        return out

    def save_for_backward(self, *values: Any) -> None:
        """Keep tensors for backward: saving an input (or the output) stores its array, which
        saved_tensors maps back to the real input Tensor (the one in the graph)."""
        self._saved = tuple(v._data if isinstance(v, Tensor) else v for v in values)

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare the output as carrying no gradient (an index, a mask): it requires no grad."""
        self.__dict__["_non_differentiable"] = {id(o._data if isinstance(o, Tensor) else o)
                                                for o in outputs}


def _wrap(data: np.ndarray) -> Tensor:
    """A Tensor around `data` that requires no grad and has no node (yet: apply attaches one
    when it records); also what a first-order gradient sum is wrapped in."""
    out = Tensor.__new__(Tensor)
    out._data = data
    out._grad = None
    out.requires_grad = False
    out._ctx = None
    out.name = None
    out._version = 0
    out._hooks = None
    return out


def _name_error(cls: type, e: Exception, arrays: list, args: tuple) -> Exception:
    """Re-raise a forward failure with the op's name, its inputs' shapes and dtypes, and the
    names of the tensors involved when they have one (Module parameters do)."""
    name = cls.__name__.lower()
    msg = str(e)
    shapes = [a.shape for a in arrays if isinstance(a, np.ndarray)]
    if "could not be broadcast" in msg:
        msg = f"{name}: cannot broadcast shapes {' and '.join(map(str, shapes))}"
    elif not msg.startswith(name + ":"):
        msg = f"{name}: {msg} (inputs: {_describe(arrays)})"
    names = [f"{i}: {a.name}" for i, a in enumerate(args) if isinstance(a, Tensor) and a.name]
    if names:
        msg += f" [named inputs {', '.join(names)}]"
    return type(e)(msg)


def backward(root: Tensor, gradient: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> list | None:
    """Reverse-mode chain rule from `root`; see `Tensor.backward` and `grad`.

    Without `inputs`, gradients accumulate into `.grad` of the leaves. With `inputs`, nothing's
    `.grad` changes: the gradients of `root` with respect to `inputs` are returned instead.
    """
    if retain_graph is None:
        retain_graph = create_graph
    if not root.requires_grad:
        raise RuntimeError(f"backward: the tensor of shape {root.shape} does not require grad "
                           "and has no grad_fn (did any input have requires_grad=True?)")
    gradient = _seed_gradient("backward", root, gradient)
    # Backward makes no reference cycles, so Python's cyclic collector, which would otherwise
    # rescan the whole live graph again and again as gradients are allocated, is paused until
    # it returns (W3: a third of backward's time). It is restored even if backward raises.
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        return _backward(root, gradient, retain_graph, create_graph, inputs)
    finally:
        if collector_was_on:
            gc.enable()


def _seed_gradient(op: str, root: Tensor, gradient: Any) -> Tensor:
    """dL/d(root), where backward starts: ones for a one-element root, else `gradient` checked
    against root's shape and cast to its dtype. `op` names the caller in errors."""
    if root._data.dtype.kind not in "fc":
        raise _integer_error(op, root)
    if gradient is None:
        if root._data.size != 1:
            raise RuntimeError(f"{op}: a gradient is implied only for a one-element output, but "
                               f"the output has shape {root.shape}; pass gradient= (dL/d output)")
        return Tensor(np.ones_like(root._data))
    if not isinstance(gradient, Tensor):
        gradient = Tensor(np.asarray(gradient, dtype=root.dtype))
    if gradient.shape != root.shape:
        raise RuntimeError(f"{op}: gradient has shape {gradient.shape} but the output has shape "
                           f"{root.shape}")
    return gradient if gradient.dtype == root.dtype else gradient.astype(root.dtype)


def _backward(root: Tensor, gradient: Tensor, retain_graph: bool, create_graph: bool,
              inputs: Sequence[Tensor] | None) -> list | None:
    order = _topological_order(root)
    grads: dict[int, Tensor] = {id(root): gradient}
    # arrays already handed out as some .grad (or owned by the caller): never hand them out twice
    handed = {id(_owner(gradient._data))}
    wanted = None if inputs is None else {id(x) for x in inputs}
    found: dict[int, Tensor] = {}
    with _SetGradEnabled(create_graph):
        for t in order:
            g = grads.pop(id(t), None)
            if g is None:
                continue
            ctx = t._ctx
            if t._hooks is not None:
                g = _run_hooks(t, g)
            if wanted is not None:
                if id(t) in wanted:
                    found[id(t)] = g
            elif ctx is None or (t._hooks is not None and RETAIN_GRAD in t._hooks):
                _accumulate(t, g, handed, create_graph)
            if ctx is None:
                continue
            args = ctx.inputs
            assert args is not None   # _topological_order refused freed nodes
            if _last_change > ctx._seq:   # something changed in place since this node was made
                _check_versions(t, ctx)
            ctx.output = t
            if _anomaly.enabled:
                in_grads = _anomaly.run_backward(ctx, g)
            else:
                in_grads = ctx.backward(ctx, g)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if len(in_grads) != len(args):
                raise _count_error(ctx, in_grads, args)
            for inp, ig, need in zip(args, in_grads, ctx.needs_input_grad):
                if ig is None or not need:
                    continue
                # the common case costs a shape compare and a dtype identity test; _conform
                # sums a broadcast gradient back, raises on a wrong shape, casts the dtype
                try:
                    mismatch = ig._data.shape != inp._data.shape or ig._data.dtype is not inp._data.dtype
                except AttributeError:   # not a Tensor: a numpy array is wrapped, others explained
                    ig, mismatch = _as_gradient(ctx, inp, ig, create_graph), True
                if mismatch:
                    ig = _conform(ctx, inp, ig)
                key = id(inp)
                prev = grads.get(key)
                if prev is None:
                    grads[key] = ig
                elif create_graph:
                    grads[key] = prev + ig
                else:   # a first-order sum records nothing: numpy's add, without an op around it
                    grads[key] = _wrap(prev._data + ig._data)
                    if _trace is not None:
                        _trace.call(np.add, (prev._data, ig._data), grads[key]._data, pure=True)
            if retain_graph:
                ctx.output = None
            else:   # keep the graph's structure, free its values: see FreedTensor
                ctx.inputs = _FreedInputs([FreedTensor(a) if type(a) is Tensor and (
                    a._ctx is not None or not a.requires_grad) else a for a in args])
                ctx._saved = ctx.output = None
                if ctx.__dict__:   # what forward kept on ctx (relu's mask, say) goes too
                    _forget_extras(ctx)
    if inputs is None:
        return None
    return [found.get(id(x)) for x in inputs]


class FreedTensor:
    """What a node keeps of an input after a backward without retain_graph: the input's name,
    shape, dtype and grad_fn, so the graph stays walkable (as PyTorch keeps its structure), but
    not its values, whose memory is released. A leaf that requires grad is kept as itself."""

    __slots__ = ("_ctx", "name", "shape", "dtype", "_key")
    grad = None
    _hooks = None

    def __init__(self, t: Tensor) -> None:
        self._ctx = t._ctx
        self.name = t.name
        data = t._data
        self.shape = data.shape
        self.dtype = data.dtype
        self._key = id(t)   # tells a constant (no grad_fn) apart from other constants

    @property
    def requires_grad(self) -> bool:
        return self._ctx is not None

    @property
    def grad_fn(self) -> Function | None:
        return self._ctx

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return int(np.prod(self.shape))

    def __repr__(self) -> str:
        name = f" {self.name!r}" if self.name else ""
        grad_fn = f", grad_fn={self._ctx!r}" if self._ctx is not None else ""
        return f"FreedTensor({self.shape}, {self.dtype}{name}{grad_fn}; values freed by backward)"


class _FreedInputs(tuple):
    """A node's inputs after backward released them (its type marks the node as freed)."""


class AccumulateGrad:
    """PyTorch's name for where a leaf's gradient ends up: `next_functions` shows one per leaf."""

    __slots__ = ("variable",)
    name = "accumulategrad"
    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _forget_extras(ctx: Function) -> None:
    """Drop what forward kept on ctx besides the engine's slots, except where it was created
    (detect_anomaly's and viz.record's notes: the line, the Modules)."""
    kept = {k: v for k, v in ctx.__dict__.items() if k in ("created_at", "created_in")}
    ctx.__dict__.clear()
    ctx.__dict__.update(kept)


def _node_key(t: Any) -> int:
    """One number per tensor of a graph, the same for a Tensor and the FreedTensor that stands
    for it: its grad_fn's id (nodes are kept alive by the graph), or for a leaf its own id."""
    if t._ctx is not None:
        return id(t._ctx)
    return t._key if type(t) is FreedTensor else id(t)


def grad(outputs: Tensor, inputs: Sequence[Tensor], grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> list[Tensor | None]:
    """d(outputs)/d(inputs) as a list of Tensors, leaving every `.grad` untouched.

    `grad_outputs` plays the role of backward's `gradient` (the vector in the vector-Jacobian
    product). With `create_graph=True` the results are differentiable again.

    >>> x = Tensor([3.0], requires_grad=True)
    >>> (dx,) = grad((x ** 3).sum(), [x], create_graph=True)   # 3x² = 27
    >>> grad(dx.sum(), [x])                                     # 6x = 18
    [Tensor([18.])]
    """
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    result = backward(outputs, grad_outputs, retain_graph, create_graph, inputs)
    assert result is not None
    if not allow_unused:
        for i, g in enumerate(result):
            if g is None:
                raise RuntimeError(f"grad: input {i} (shape {inputs[i].shape}) was not used to "
                                   "compute the output; pass allow_unused=True to get None for it")
    return result


def graph_tensors(root: Tensor) -> list[Tensor]:
    """Every tensor in the graph behind `root` (leaves and constants too), each after the tensors
    it was made from: data-flow order, first arguments first. Iterative, so any depth is fine.
    After a backward without retain_graph the tensors between root and the leaves are
    FreedTensors (shape, dtype, name and grad_fn, without values)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        key = _node_key(t)
        if key in visited:
            continue
        visited.add(key)
        stack.append((t, True))
        if t._ctx is not None:
            for p in reversed(t._ctx.parents):   # reversed: the first argument comes out first
                if _node_key(p) not in visited:
                    stack.append((p, False))
    return order


def _topological_order(root: Tensor) -> list[Tensor]:
    """Tensors that need a gradient, root first, each before all its inputs.

    A node is always created after the nodes it uses, so sorting by creation number, newest
    first, is a topological order: one flat walk to find the tensors and a sort in C, instead of
    a depth-first search (half of a long chain's backward). Leaves, which have no node, go last.
    """
    order = [root]
    seen = {id(root)}
    for t in order:   # the list grows while we walk it: a breadth-first search, no recursion
        ctx = t._ctx
        if ctx is None:
            continue
        if type(ctx.inputs) is _FreedInputs:
            raise RuntimeError(f"backward: the graph through {ctx.name} was freed by an earlier "
                               "backward; pass retain_graph=True to the first backward call to "
                               "backpropagate through it again")
        for p in ctx.inputs:   # type: ignore[union-attr]  # set by apply on every recorded node
            if isinstance(p, Tensor) and p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                order.append(p)
    order.sort(key=_creation_number, reverse=True)
    # An integer leaf (x.requires_grad = True set directly) would silently get a truncated
    # gradient (0.5 -> 0): refused here, before any gradient is computed, at a cost per leaf
    # (they are last) rather than per node. An integer non-leaf, which a custom Function
    # returning ints makes, is caught by _conform when a float gradient reaches it.
    for t in reversed(order):
        if t._ctx is not None:
            break
        if t._data.dtype.kind not in "fc":
            raise _integer_error("backward", t)
    return order


def _creation_number(t: Tensor) -> int:
    return -1 if t._ctx is None else t._ctx._seq


_creation_counter = itertools.count()   # numbers the recorded nodes, for _topological_order


def _conform(ctx: Function, inp: Tensor, ig: Tensor) -> Tensor:
    """A gradient that backward returned, brought to its input's shape and dtype.

    As in PyTorch's engine, a gradient of the broadcast shape (one that the input's shape
    broadcasts to) is summed back to the input's shape, so a broadcasting op's backward can
    return the textbook formula; any other shape is an error in that backward."""
    if inp._data.dtype.kind not in "fc":
        raise _integer_error("backward", inp)
    if ig.shape != inp.shape:
        if not _broadcasts_to(inp.shape, ig.shape):
            assert ctx.inputs is not None
            i = next(i for i, a in enumerate(ctx.inputs) if a is inp)
            raise RuntimeError(f"{ctx.name}.backward returned a gradient of shape {ig.shape} "
                               f"for argument {i} of shape {inp.shape}")
        ig = ig.sum_to(inp.shape)
    if ig._data.dtype != inp._data.dtype:
        if ig._data.dtype.kind not in "fc":   # an integer or bool gradient lost its fractions already
            output = getattr(ctx, "output", None)
            if output is not None and output._data.dtype.kind not in "fc":   # and this is why
                raise _integer_error("backward", output)
            raise TypeError(f"{ctx.name}.backward returned a gradient of dtype {ig.dtype} for argument "
                            f"{_position(ctx, inp)} ({inp.shape} {inp.dtype}); expected a floating "
                            f"point gradient, of dtype {inp.dtype}")
        ig = ig.astype(inp._data.dtype)
    return ig


def _position(ctx: Function, inp: Tensor) -> int:
    assert ctx.inputs is not None
    return next(i for i, a in enumerate(ctx.inputs) if a is inp)


def _as_gradient(ctx: Function, inp: Tensor, ig: Any, create_graph: bool) -> Tensor:
    """A gradient that backward returned as something other than a Tensor: a numpy array is
    accepted as a constant (right for first-order gradients only), anything else is an error
    naming the op, the argument and what was expected."""
    i = _position(ctx, inp)
    expected = f"expected a Tensor of shape {inp.shape} and dtype {inp.dtype}, or None"
    if isinstance(ig, Tensor):   # an AttributeError from elsewhere: not ours to explain
        raise
    if not isinstance(ig, (np.ndarray, np.generic)):
        hint = " (return several gradients as a tuple, not a list)" if isinstance(ig, list) else ""
        raise TypeError(f"{ctx.name}.backward returned a {type(ig).__name__} as the gradient of "
                        f"argument {i}; {expected}{hint}")
    if create_graph:
        raise RuntimeError(f"{ctx.name}.backward returned a numpy array as the gradient of argument "
                           f"{i}: a numpy array is a constant, so it is accepted for first-order "
                           "gradients only; with create_graph=True (second order), write backward "
                           f"with Tensor operations so that it can be differentiated; {expected}")
    return _wrap(np.asarray(ig))


def _count_error(ctx: Function, in_grads: tuple, args: tuple) -> RuntimeError:
    got = in_grads[0] if len(in_grads) == 1 else None
    hint = " (it returned a list: return a tuple)" if isinstance(got, list) else ""
    return RuntimeError(f"{ctx.name}.backward returned {len(in_grads)} gradient(s) for "
                        f"{len(args)} forward arguments; expected a tuple of {len(args)}, one per "
                        f"argument, with None for those that take no gradient{hint}")


def _integer_error(op: str, t: Tensor) -> TypeError:
    # ops on an integer tensor are integer too: blame the first one, where the mistake was made
    t = next(x for x in graph_tensors(t) if x.requires_grad and x._data.dtype.kind not in "fc")
    if t._ctx is not None:
        made, fix = (f"{t._ctx.name}'s forward returned {t.dtype} values",
                     "return floating point arrays from forward")
    else:
        made, fix = "requires_grad was set on it directly", "make it a float tensor first (.float())"
    return TypeError(f"{op}: a tensor of shape {t.shape} and dtype {t.dtype} requires grad ({made}), "
                     "but only floating point tensors can carry a gradient (an integer one would "
                     f"be truncated: 0.5 becomes 0); {fix}")


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    lead = len(target) - len(shape)
    return lead >= 0 and all(n == m or n == 1 for n, m in zip(shape, target[lead:]))


def RETAIN_GRAD(grad: Tensor) -> None:
    """The hook retain_grad() adds: the engine sees it and stores the gradient in `.grad`."""


class HookHandle:
    """What register_hook returns: `.remove()` takes the hook off again."""

    def __init__(self, tensor: Tensor, hook: Callable) -> None:
        self.tensor, self.hook = tensor, hook

    def remove(self) -> None:
        hooks = self.tensor._hooks
        if hooks and self.hook in hooks:
            rest = [h for h in hooks if h is not self.hook]
            self.tensor._hooks = rest or None


def _run_hooks(t: Tensor, g: Tensor) -> Tensor:
    for hook in t._hooks or ():
        if hook is RETAIN_GRAD:
            continue
        new = hook(g)
        if new is not None:
            if not isinstance(new, Tensor) or new.shape != t.shape:
                raise RuntimeError(f"a hook on a tensor of shape {t.shape} returned "
                                   f"{getattr(new, 'shape', type(new).__name__)}; it must return "
                                   "None or a Tensor of the tensor's shape")
            g = new
    return g


class _AnomalyMode:
    """detect_anomaly's state (process-wide, as PyTorch's): off by default, so the hot path pays
    one attribute test per op."""

    enabled = False
    backward_of: Function | None = None   # the node whose backward formula is running

    def check_forward(self, cls: type, ctx: Function, data: np.ndarray, arrays: list,
                      record: bool) -> None:
        if record:
            ctx.__dict__["created_at"] = _user_frame()   # where the user made it, for backward errors
        if data.dtype.kind in "fc" and not np.isfinite(data).all():
            message = (f"detect_anomaly: {cls.__name__.lower()} produced {_nonfinite(data)} in its "
                       f"output (inputs: {_describe(arrays)}), at {_user_frame()}")
            if self.backward_of is not None:
                message += (f", while computing the backward of {self.backward_of.name}, which was "
                            f"created at {_created_at(self.backward_of)}")
            raise FloatingPointError(message)

    def run_backward(self, ctx: Function, g: Tensor) -> Any:
        outer, self.backward_of = self.backward_of, ctx
        try:
            in_grads = ctx.backward(ctx, g)
        finally:
            self.backward_of = outer
        for i, ig in enumerate(in_grads if isinstance(in_grads, tuple) else (in_grads,)):
            if isinstance(ig, Tensor) and ig._data.dtype.kind in "fc" and not np.isfinite(ig._data).all():
                raise FloatingPointError(
                    f"detect_anomaly: the backward of {ctx.name} produced {_nonfinite(ig._data)} in "
                    f"the gradient of argument {i} (shape {ig.shape}); the {ctx.name} was created "
                    f"at {_created_at(ctx)}")
        return in_grads


def _created_at(ctx: Function) -> str:
    return ctx.__dict__.get("created_at", "(made before detect_anomaly was turned on)")


_anomaly = _AnomalyMode()


def _nonfinite(a: np.ndarray) -> str:
    kinds = [name for name, bad in (("nan", np.isnan(a)), ("inf", np.isinf(a))) if bad.any()]
    return " and ".join(kinds)


def _describe(arrays: list) -> str:
    return ", ".join(f"{a.shape} {a.dtype}" if isinstance(a, np.ndarray) else repr(a) for a in arrays)


def _user_frame() -> str:
    """'file:line in function: code' of the innermost caller outside tinygrad_nn's engine."""
    import os
    import traceback
    package = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(package + os.sep):
            return f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line}"
    return "an unknown place"


class detect_anomaly:
    """Raise at the source of a NaN or Inf: in forward, naming the op that made it; in backward,
    naming the op whose gradient it is and the line of user code that created that op.

    Use as `with detect_anomaly(): ...` or `@detect_anomaly()`. It records where each op was
    made, so it is slow: turn it on to hunt a NaN, not for training.

    >>> x = Tensor([-1.0], requires_grad=True)
    >>> with detect_anomaly():
    ...     x.log()
    Traceback (most recent call last):
    FloatingPointError: detect_anomaly: log produced nan in its output ...
    """

    def __init__(self) -> None:
        self.previous: list[tuple[bool, Any]] = []

    def __enter__(self) -> None:
        # numpy's own warnings would fire first and say less: this mode raises instead
        self.previous.append((_anomaly.enabled, np.seterr(all="ignore")))
        _anomaly.enabled = True

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled, numpy_errors = self.previous.pop()
        np.seterr(**numpy_errors)

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return fn(*args, **kwargs)
        return wrapper  # type: ignore[return-value]


def mark_modified(t: Tensor) -> None:
    """Note that t's data was changed in place: its version moves on, so a backward that needs
    the old values refuses to run instead of computing a wrong gradient."""
    global _last_change
    t._version += 1
    _last_change = next(_creation_counter)
    if _trace is not None:   # tinygrad_nn.compile refuses in-place changes it cannot replay
        _trace.modified(t)


# The creation number current at the latest in-place change anywhere: a node made after it
# cannot have been affected, so backward checks versions only for older nodes.
_last_change = -1


def _check_versions(t: Tensor, ctx: Function) -> None:
    assert ctx.inputs is not None
    version_sum = 0
    for a in ctx.inputs:
        if isinstance(a, Tensor):
            version_sum += a._version
    if t._version or version_sum != ctx._version_sum:
        _version_error(t, ctx)


def _version_error(t: Tensor, ctx: Function) -> None:
    assert ctx.inputs is not None
    which = "its output" if t._version != 0 else "an input"
    shapes = ", ".join(str(a.shape) + (f" {a.name!r}" if a.name else "")
                       for a in ctx.inputs if isinstance(a, Tensor))
    raise RuntimeError(f"backward: {which} of {ctx.name} (inputs {shapes}) was modified in "
                       "place after the forward pass, and the gradient needs its old value; "
                       "clone it before modifying, or modify it only after backward")


def _owner(a: np.ndarray) -> np.ndarray:
    return a if a.base is None else a.base


def _accumulate(t: Tensor, g: Tensor, handed: set[int], create_graph: bool) -> None:
    """Add g into t.grad. A fresh .grad never shares memory with another .grad or the caller's
    gradient, and has its tensor's memory layout (as PyTorch's): x @ W.T hands W a transposed
    view, and an optimizer striding through that runs several times slower than one copy."""
    if t._grad is None:
        owner = id(_owner(g._data))
        strided = t._data.flags.c_contiguous and not g._data.flags.c_contiguous
        if owner in handed or strided or not g._data.flags.writeable:
            g = Tensor(np.ascontiguousarray(g._data) if strided else g._data.copy()) \
                if not create_graph else g * 1
        handed.add(id(_owner(g._data)))
        t._grad = g if create_graph else g.detach()
    elif create_graph or t._grad.requires_grad:
        t._grad = t._grad + g
    else:
        t._grad._data += g._data
        mark_modified(t._grad)


_NO_KWARGS: dict[str, Any] = {}

# The recorder of tinygrad_nn.compile while it traces a step, else None: apply, the first-order
# gradient sums and mark_modified each test it once, which is all tracing costs when it is off.
_trace: Any = None


def numpy_call(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args): numpy work outside any op whose result enters the graph as a constant (a mask
    computed from data, a max shift, random numbers). Called through here, a compiled step
    (tinygrad_nn.compile) records the call and repeats it on every replay, instead of freezing the
    value it had while tracing. Arguments are arrays and plain values, not Tensors."""
    out = fn(*args)
    if _trace is not None:
        _trace.call(fn, args, out)
    return out


if not TYPE_CHECKING:
    # The engine makes Tensors, and _tensor.py imports this module; _tensor.py fills this in.
    Tensor = None  # noqa: F811
