"""Run the op catalogue through gradcheck and summarise it as a table (`tinygrad-nn gradcheck`)."""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .catalogue import OPS, OpCase
from .gradcheck import GradcheckError, check


@dataclass
class RowResult:
    """How one catalogue row fared over the examples tried."""
    op: str
    examples: int = 0
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    first_order_ok: bool = True
    second_order_ok: bool = True
    failure: str = ""

    @property
    def ok(self) -> bool:
        return self.first_order_ok and self.second_order_ok


def run_catalogue(max_examples: int = 10, ops: list[str] | None = None) -> list[RowResult]:
    """Gradcheck (first and second order) every catalogue row, or the rows named in `ops`."""
    cases = [c for c in OPS if ops is None or c.name in ops or c.id in ops]
    if ops is not None and not cases:
        raise ValueError(f"gradcheck: no catalogue row is named {', '.join(ops)}")
    return [_run_row(case, max_examples) for case in cases]


def _run_row(case: OpCase, max_examples: int) -> RowResult:
    result = RowResult(case.id)

    @settings(max_examples=max_examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.tuples(*case.inputs))
    def one_example(drawn: tuple) -> None:
        inputs: list = []
        for item in drawn:
            inputs.extend(item if isinstance(item, tuple) else (item,))
        result.examples += 1
        first = check(case.fn, inputs, **case.gradcheck_kwargs)
        result.max_abs_error = max(result.max_abs_error, first.max_abs_error)
        result.max_rel_error = max(result.max_rel_error, first.max_rel_error)
        if not first.ok:
            result.first_order_ok = False
            raise GradcheckError(first)
        if case.second_order:
            from .gradcheck import gradgradcheck
            gradgradcheck(case.fn, inputs, **case.gradcheck_kwargs)

    try:
        one_example()
    except GradcheckError as e:
        if result.first_order_ok:
            result.second_order_ok = False
        result.failure = str(e)
    return result


def format_table(results: list[RowResult]) -> str:
    """A markdown table: op, examples, max abs/rel error, first and second order verdicts."""
    lines = ["| op | examples | max abs error | max rel error | 1st order | 2nd order |",
             "|---|---:|---:|---:|:---:|:---:|"]
    for r in results:
        lines.append(f"| {r.op} | {r.examples} | {r.max_abs_error:.1e} | {r.max_rel_error:.1e} | "
                     f"{'pass' if r.first_order_ok else 'FAIL'} | "
                     f"{'pass' if r.second_order_ok else 'FAIL'} |")
    failed = [r for r in results if not r.ok]
    lines.append(f"\n{len(results) - len(failed)} of {len(results)} ops pass.")
    for r in failed:
        lines.append(f"\n{r.op}:\n{r.failure}")
    return "\n".join(lines)
