"""The optimizer base class: parameter groups, per-parameter state, zero_grad, step(closure) and
state dicts. Each algorithm lives in its own file (sgd.py, adam.py, ...), as in PyTorch."""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ..function import enable_grad
from .._tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: parameter groups, per-parameter state, zero_grad and state dicts.

    `params` is an iterable of Tensors, or of dicts {'params': [...], 'lr': ...} (groups whose
    missing hyperparameters come from `defaults`). Subclasses implement `_update(group)`, one
    update of the group's parameters that have a .grad; `step()` runs it for every group.
    """

    _unshaped_state: tuple[str, ...] = ()   # state arrays not shaped like their parameter (LBFGS's)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors or of dicts, got a "
                            "single Tensor (wrap it in a list)")
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}  # Tensor hashes by identity
        given: list[Any] = list(params)
        if not given:
            raise ValueError(f"{name}: got an empty parameter list")
        groups: list[dict[str, Any]] = given if isinstance(given[0], dict) else [{"params": given}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (others from the defaults)."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can only optimize leaf tensors (a parameter of shape "
                                 f"{p.shape} was produced by an op)")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError(f"{name}: a parameter appears more than once in the parameter groups")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{name}: unknown hyperparameters {sorted(unknown)} in a parameter "
                             f"group; expected some of {sorted(self.defaults)}")
        full = {**self.defaults, **group, "params": params}
        self._check_hyperparameters(full)
        self.param_groups.append(full)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        for key in ("lr", "momentum", "dampening", "weight_decay", "eps", "lr_decay",
                    "initial_accumulator_value", "alpha", "momentum_decay"):
            if key in group and not group[key] >= 0.0:   # `not >=` also refuses NaN
                raise ValueError(f"{name}: {key} must be >= 0, got {group[key]}")
        if "betas" in group:
            betas = group["betas"]
            if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
                raise ValueError(f"{name}: betas must be two numbers in [0, 1), got {betas}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's .grad: to None (default, as PyTorch), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor(np.zeros_like(p._data))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a .grad; returns closure()'s loss, or None.

        `closure` (optional) re-evaluates the model and returns the loss; it runs first, with
        the graph recorded even inside `no_grad`, as in PyTorch::

            def closure():
                opt.zero_grad()
                loss = loss_fn(model(x), y)
                loss.backward()
                return loss
            loss = opt.step(closure)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update(group)
        return loss

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update(group)")

    def _stepping(self, group: dict[str, Any], *buffers: str) -> Iterator[tuple[Tensor, np.ndarray, dict]]:
        """(p, gradient, state) for each parameter of the group that has a .grad: the gradient
        negated under maximize=True; the state made on p's first step (step 0 and an array of
        zeros like p for each name in `buffers`), with this step counted."""
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self.state.get(p)
            if state is None:
                state = self.state[p] = {"step": 0, **{name: np.zeros_like(p._data) for name in buffers}}
            state["step"] += 1
            yield p, _grad(p, group), state

    # --- state dicts ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [indices]}]}.

        Parameters are referred to by their position across all groups, as in PyTorch; state
        arrays are shared with the optimizer, not copied (tinygrad_nn.save writes a snapshot).
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = len(index)
                ids.append(index[id(p)])
            groups.append({**group, "params": ids})
        state = {index[id(p)]: dict(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by state_dict() for the same parameters.

        Everything is validated first (group count and sizes, state shapes); on any mismatch a
        ValueError says what differs and the optimizer is unchanged. Arrays are copied.
        """
        name = type(self).__name__
        try:
            saved_groups = list(state_dict["param_groups"])
            saved_state = dict(state_dict["state"])
        except (KeyError, TypeError):
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             "'param_groups', as made by state_dict()") from None
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state has {len(saved_groups)} parameter "
                             f"groups, the optimizer has {len(self.param_groups)}")
        by_index: dict[Any, Tensor] = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: group {i} has {len(saved['params'])} "
                                 f"parameters in the state but {len(group['params'])} here")
            by_index.update(zip(saved["params"], group["params"]))
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, values in saved_state.items():
            if key not in by_index:
                raise ValueError(f"{name}.load_state_dict: state for parameter {key!r}, which no "
                                 "group lists")
            p = by_index[key]
            entry = {}
            for k, v in values.items():
                if isinstance(v, (np.ndarray, Tensor)):
                    array = np.array(v._data if isinstance(v, Tensor) else v, dtype=p.dtype)  # a copy
                    if array.shape != p.shape and k not in self._unshaped_state:
                        raise ValueError(f"{name}.load_state_dict: state {k!r} of parameter {key!r} "
                                         f"has shape {array.shape}, the parameter {p.shape}")
                    v = array
                entry[k] = v
            new_state[p] = entry
        for saved, group in zip(saved_groups, self.param_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
            if "betas" in group:
                group["betas"] = tuple(group["betas"])  # a checkpoint may hold a list
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        return "\n".join(lines) + "\n)"


def _grad(p: Tensor, group: dict[str, Any]) -> np.ndarray:
    """p's gradient as numpy, negated when the group maximizes (PyTorch's maximize=True)."""
    g = p.grad._data  # type: ignore[union-attr]
    return -g if group.get("maximize", False) else g


def _decayed(p: Tensor, g: np.ndarray, group: dict[str, Any]) -> np.ndarray:
    """The gradient after the group's weight decay: g + wd * p (a new array: the user's .grad
    stays as backward left it), or, with decoupled_weight_decay (AdamW's), g itself with p
    shrunk in place by lr * wd."""
    wd = group["weight_decay"]
    if wd == 0:
        return g
    if group.get("decoupled_weight_decay", False):
        p._data *= 1 - group["lr"] * wd
        return g
    return g + wd * p._data


def _lerp_(m: np.ndarray, g: np.ndarray, weight: float) -> None:
    """m <- m + weight * (g - m), in place, the way torch.lerp_ computes it (bit for bit)."""
    if weight < 0.5:
        m += weight * (g - m)
    else:   # PyTorch's form for large weights: exact at weight 1
        np.subtract(g, (g - m) * (1 - weight), out=m)
