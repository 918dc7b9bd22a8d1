"""check_gradients: gradcheck over many hypothesis draws, shrinking any failure to a minimal case."""
from __future__ import annotations

from typing import Any, Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from .._tensor import Tensor
from .gradcheck import gradcheck, gradgradcheck


def check_gradients(fn: Any = None, *input_strategies: st.SearchStrategy, max_examples: int | None = None,
                    second_order: bool = False, **gradcheck_kwargs: Any) -> Any:
    """Gradcheck `fn` on inputs drawn from the strategies; a failure is shrunk and reported.

    Each strategy draws one input Tensor, or a tuple of Tensors that become several inputs
    (e.g. `broadcastable_tensors(2)`). `second_order=True` also runs gradgradcheck. Other keyword
    arguments go to gradcheck (eps, atol, rtol, method, ...).

    Call it directly::

        check_gradients(lambda x: x * x.sigmoid(), tensors(shape=(3,)))

    or use it as a test decorator (the decorated function is the op under test)::

        @check_gradients(tensors(elements=positive()), second_order=True)
        def test_my_log(x):
            return MyLog.apply(x)
    """
    if fn is None or isinstance(fn, st.SearchStrategy):
        strategies = input_strategies if fn is None else (fn, *input_strategies)

        def decorate(op: Callable[..., Tensor]) -> Callable[[], None]:
            def test() -> None:
                check_gradients(op, *strategies, max_examples=max_examples,
                                second_order=second_order, **gradcheck_kwargs)
            test.__name__ = op.__name__
            test.__qualname__ = op.__qualname__
            test.__doc__ = op.__doc__
            return test
        return decorate
    if not input_strategies:
        raise ValueError("check_gradients: give at least one input strategy, e.g. tensors()")

    overrides: dict[str, Any] = {"deadline": None}
    if max_examples is not None:
        overrides["max_examples"] = max_examples

    @settings(**overrides)
    @given(st.tuples(*input_strategies))
    def gradients_agree(drawn: tuple) -> None:
        inputs: list[Any] = []
        for item in drawn:
            inputs.extend(item if isinstance(item, tuple) else (item,))
        gradcheck(fn, inputs, **gradcheck_kwargs)
        if second_order:
            gradgradcheck(fn, inputs, **gradcheck_kwargs)

    gradients_agree()
    return None
