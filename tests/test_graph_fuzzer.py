"""A stateful fuzzer: hypothesis builds random graphs of built-in ops (reusing nodes,
broadcasting, reducing, gathering with repeats) and every gradient of the result is checked
against finite differences, first and second order."""
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from tinygrad_nn import Tensor, cat, where
from tinygrad_nn.testing import arrays, gradcheck, gradgradcheck

# Every node has a shape that broadcasts against (2, 3); ops are smooth where the values can go.
UNARY = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "sin": lambda x: x.sin(),
    "softplus": lambda x: x.softplus(),
    "neg": lambda x: -x,
    "half": lambda x: x * 0.5,
    "exp of tanh": lambda x: x.tanh().exp(),
    "square": lambda x: x * x,
    "sum rows": lambda x: x.sum(axis=0, keepdims=True),
    "mean cols": lambda x: x.mean(axis=-1, keepdims=True),
    "logsumexp": lambda x: x.logsumexp(axis=-1, keepdims=True),
    "softmax": lambda x: x.softmax(axis=-1),
    "gather repeated": lambda x: x.expand(2, 3)[np.array([1, 1])],
    "transpose round trip": lambda x: x.expand(2, 3).T.reshape(2, 3),
    "cat halves": lambda x: cat([x.expand(2, 3)[:, :1], x.expand(2, 3)[:, 1:]], axis=1),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "where": lambda a, b: where(np.array([[True, False, True], [False, True, False]]), a, b),
    "matmul": lambda a, b: a.expand(2, 3) @ b.expand(2, 3).T @ a.expand(2, 3) * 0.1,
}


class GraphFuzzer(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.leaves: list[np.ndarray] = []
        self.program: list[tuple[str, tuple[int, ...]]] = []   # node k: (op, argument nodes)

    @initialize(a=arrays((2, 3), elements=st.floats(-2, 2)), b=arrays((3,), elements=st.floats(-2, 2)),
                c=arrays((2, 1), elements=st.floats(-2, 2)))
    def make_leaves(self, a, b, c):
        self.leaves = [a, b, c]

    @property
    def n_nodes(self):
        return len(self.leaves) + len(self.program)

    @rule(data=st.data(), op=st.sampled_from(sorted(UNARY)))
    def unary(self, data, op):
        self.program.append((op, (data.draw(st.integers(0, self.n_nodes - 1)),)))

    @rule(data=st.data(), op=st.sampled_from(sorted(BINARY)))
    def binary(self, data, op):
        args = tuple(data.draw(st.integers(0, self.n_nodes - 1)) for _ in range(2))
        self.program.append((op, args))

    def replay(self, *leaves):
        nodes = list(leaves)
        for op, args in self.program:
            fn = UNARY.get(op) or BINARY[op]
            nodes.append(fn(*(nodes[a] for a in args)))
        weights = np.linspace(0.5, 1.5, 6).reshape(2, 3)
        return sum((node * weights).sum() for node in nodes[len(leaves):]) if self.program else \
            sum(leaf.sum() for leaf in leaves)

    @invariant()
    def gradients_agree_with_finite_differences(self):
        if not self.leaves:
            return
        inputs = [Tensor(x, requires_grad=True) for x in self.leaves]
        assert gradcheck(self.replay, inputs, atol=1e-6, rtol=1e-4)

    def teardown(self):
        if self.leaves and self.program:
            inputs = [Tensor(x, requires_grad=True) for x in self.leaves]
            assert gradgradcheck(self.replay, inputs, atol=1e-5, rtol=1e-3)


GraphFuzzer.TestCase.settings = settings(max_examples=15, stateful_step_count=8, deadline=None)
test_random_graphs = GraphFuzzer.TestCase
