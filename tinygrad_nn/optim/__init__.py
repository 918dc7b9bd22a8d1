"""Optimizers: SGD (with momentum, Nesterov, weight decay), Adam, AdamW, RMSprop and Adagrad, with
PyTorch's rules; learning-rate schedules in `optim.lr_scheduler`.

An optimizer holds parameter groups (dicts with 'params' and hyperparameters such as 'lr')
and per-parameter state (momentum buffers, moment estimates). `step()` updates every
parameter that has a .grad, in place, with numpy on `p._data`: nothing is recorded in the
graph, and each updated parameter's `_version` moves on so a stale graph cannot be reused
silently.

Typical loop::

    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..function import mark_modified
from .._tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: parameter groups, per-parameter state, zero_grad and state dicts.

    `params` is an iterable of Tensors, or of dicts {'params': [...], 'lr': ...} (groups whose
    missing hyperparameters come from `defaults`). Subclasses implement `step()`.
    """

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
        for key in ("lr", "momentum", "dampening", "weight_decay", "eps"):
            if key in group and not group[key] >= 0.0:
                raise ValueError(f"{name}: {key} must be >= 0, got {group[key]}")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's .grad: to None (default, as PyTorch), or to zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor(np.zeros_like(p._data))

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

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
                    if array.shape != p.shape:
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


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.

    With g = grad + weight_decay * p (weight decay is L2 regularisation, 0.5 * wd * |p|^2):
        b = g                                    on the first step (momentum > 0)
        b = momentum * b + (1 - dampening) * g   afterwards
        d = g + momentum * b if nesterov else b  (d = g when momentum == 0)
        p = p - lr * d
    These are PyTorch's update rules exactly.

    Example: with lr=0.1 and p.grad = [1.0], one step takes p = [2.0] to [1.9].
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      nesterov=nesterov, weight_decay=weight_decay))

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                d = p.grad._data
                if wd != 0:
                    d = d + wd * p._data  # a new array: the user's .grad stays as backward left it
                if momentum != 0:
                    state = self.state.get(p)
                    if state is None:
                        buf = np.array(d, copy=True)
                        self.state[p] = {"momentum_buffer": buf}
                    else:
                        buf = state["momentum_buffer"]
                        buf *= momentum
                        buf += (1 - dampening) * d
                    d = d + momentum * buf if nesterov else buf
                p._data -= lr * d
                mark_modified(p)


class Adam(Optimizer):
    """Adam (Kingma & Ba) with PyTorch's update rule; weight_decay adds L2 to the gradient.

    With g = grad + weight_decay * p and t the step count:
        m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
        v_max = max(v_max, v) if amsgrad (then used in place of v below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    State per parameter: step, exp_avg (m), exp_avg_sq (v) and max_exp_avg_sq with amsgrad.
    """

    _decoupled = False  # AdamW sets this: decay the weights directly, not through the gradient

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        betas = group["betas"]
        if len(betas) != 2 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"{type(self).__name__}: betas must be two numbers in [0, 1), got {betas}")

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr, eps, wd, amsgrad = group["lr"], group["eps"], group["weight_decay"], group["amsgrad"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                state = self.state.get(p)
                if state is None:
                    state = {"step": 0, "exp_avg": np.zeros_like(p._data),
                             "exp_avg_sq": np.zeros_like(p._data)}
                    if amsgrad:
                        state["max_exp_avg_sq"] = np.zeros_like(p._data)
                    self.state[p] = state
                if wd != 0:
                    if self._decoupled:
                        p._data *= 1 - lr * wd
                    else:
                        g = g + wd * p._data
                state["step"] += 1
                t = state["step"]
                m, v = state["exp_avg"], state["exp_avg_sq"]
                # m moves towards g by (1 - beta1): PyTorch's lerp, m + w * (g - m), for w < 0.5
                m += (1 - beta1) * (g - m)
                v *= beta2
                v += (1 - beta2) * (g * g)
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v)
                denom /= math.sqrt(1 - beta2 ** t)
                denom += eps
                np.divide(m, denom, out=denom)
                denom *= step_size
                p._data -= denom
                mark_modified(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): p = p * (1 - lr * weight_decay)
    before the Adam step, instead of adding weight_decay * p to the gradient. As PyTorch,
    weight_decay defaults to 0.01.
    """

    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes) with PyTorch's update rule.

    With g = grad + weight_decay * p:
        v = alpha * v + (1 - alpha) * g^2
        m_g = m_g + (1 - alpha) * (g - m_g);  v~ = v - m_g^2      if centered (else v~ = v)
        d = g / (sqrt(v~) + eps)
        b = momentum * b + d;  p = p - lr * b                   if momentum > 0
        p = p - lr * d                                          otherwise
    State per parameter: step, square_avg (v), momentum_buffer (b) and grad_avg (m_g) when used.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if not group["alpha"] >= 0.0:
            raise ValueError(f"RMSprop: alpha must be >= 0, got {group['alpha']}")

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered = group["momentum"], group["centered"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                state = self.state.get(p)
                if state is None:
                    state = {"step": 0, "square_avg": np.zeros_like(p._data)}
                    if momentum > 0:
                        state["momentum_buffer"] = np.zeros_like(p._data)
                    if centered:
                        state["grad_avg"] = np.zeros_like(p._data)
                    self.state[p] = state
                state["step"] += 1
                if wd != 0:
                    g = g + wd * p._data
                v = state["square_avg"]
                v *= alpha
                v += (1 - alpha) * (g * g)
                if centered:
                    m = state["grad_avg"]
                    m += (1 - alpha) * (g - m)
                    denom = np.sqrt(v - m * m)
                else:
                    denom = np.sqrt(v)
                denom += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf *= momentum
                    buf += g / denom
                    p._data -= lr * buf
                else:
                    p._data -= lr * (g / denom)
                mark_modified(p)


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.) with PyTorch's update rule.

    With g = grad + weight_decay * p and t the step count:
        s = s + g^2                        (s starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    State per parameter (made for every parameter at construction, as PyTorch): step, sum (s).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        for key in ("lr_decay", "initial_accumulator_value"):
            if not group[key] >= 0.0:
                raise ValueError(f"Adagrad: {key} must be >= 0, got {group[key]}")

    def add_param_group(self, group: dict[str, Any]) -> None:
        """As Optimizer's; each new parameter's sum starts at initial_accumulator_value at once."""
        super().add_param_group(group)
        added = self.param_groups[-1]
        for p in added["params"]:
            start = np.full_like(p._data, added["initial_accumulator_value"])
            self.state.setdefault(p, {"step": 0, "sum": start})

    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group in self.param_groups:
            lr, lr_decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad._data
                state = self.state[p]
                state["step"] += 1
                if wd != 0:
                    g = g + wd * p._data
                clr = lr / (1 + (state["step"] - 1) * lr_decay)
                s = state["sum"]
                s += g * g
                denom = np.sqrt(s)
                denom += eps
                p._data -= clr * (g / denom)
                mark_modified(p)


from . import lr_scheduler  # noqa: E402,F401  (optim.lr_scheduler, as in PyTorch)
