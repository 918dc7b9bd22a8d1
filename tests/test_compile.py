"""tinygrad_nn.compile: a compiled step equals eager execution, call after call, and whatever a
replay could not repeat is refused while tracing, naming the line."""
import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_nn
from tinygrad_nn import Function, Tensor, nn, optim
from tinygrad_nn.compile import CompileError
from tinygrad_nn.nn import functional as F
from tinygrad_nn.testing.catalogue import OPS

RTOL = {np.float64: 1e-12, np.float32: 1e-6}


def assert_same(a, b, what=""):
    a = a.numpy() if isinstance(a, Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, Tensor) else np.asarray(b)
    assert a.shape == b.shape, what
    tol = RTOL.get(a.dtype.type, 0)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True, err_msg=what)


def assert_same_tree(a, b, what="output"):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_tree(x, y, f"{what}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same_tree(a[k], b[k], f"{what}[{k!r}]")
    elif a is None:
        assert b is None, what
    else:
        assert_same(a, b, what)


# --- training: two identical worlds, one eager and one compiled --------------------------------

def make_world(seed, dtype, optimizer, dropout=0.0):
    tinygrad_nn.manual_seed(seed)
    layers = [nn.Linear(4, 8, dtype=dtype), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(8, 8, dtype=dtype), nn.Tanh(), nn.Linear(8, 3, dtype=dtype)]
    model = nn.Sequential(*layers)
    opt = optimizer(model.parameters())

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, step


def batches(n, dtype, seed=1, size=16):
    rng = np.random.default_rng(seed)
    return [(Tensor(rng.standard_normal((size, 4)).astype(dtype)), rng.integers(0, 3, size))
            for _ in range(n)]


def opt_state_arrays(opt):
    return [v for s in opt.state.values() for v in s.values() if isinstance(v, np.ndarray)]


OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd momentum nesterov wd": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                    weight_decay=1e-2),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adamw amsgrad": lambda p: optim.AdamW(p, lr=0.01, amsgrad=True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_training_equals_eager(name, dtype):
    eager_model, eager_opt, eager_step = make_world(0, dtype, OPTIMIZERS[name], dropout=0.25)
    model, opt, step = make_world(0, dtype, OPTIMIZERS[name], dropout=0.25)
    compiled = tinygrad_nn.compile(step)
    # the same seed draws the same dropout masks in both worlds, call after call
    for i, (x, y) in enumerate(batches(6, dtype)):
        tinygrad_nn.manual_seed(100 + i)
        want = eager_step(x, y)
        tinygrad_nn.manual_seed(100 + i)
        got = compiled(x, y)
        assert_same(got, want, f"loss at step {i}")
        for (n, p), q in zip(model.named_parameters(), eager_model.parameters()):
            assert_same(p, q, f"{n} after step {i}")
            assert_same(p.grad, q.grad, f"{n}.grad after step {i}")
        for a, b in zip(opt_state_arrays(opt), opt_state_arrays(eager_opt)):
            assert_same(a, b, f"optimizer state after step {i}")
    assert compiled.replays == 4 and compiled.traces == 2, compiled.explain()


def test_manual_sgd_with_data_and_grad_none_equals_eager():
    """The benchmarks' loop: backward, p.sub_(p.grad, alpha=lr) under no_grad, p.grad = None."""
    rng = np.random.default_rng(0)
    init = [rng.standard_normal((5, 3)), rng.standard_normal(5)]
    worlds = [[Tensor(a.copy(), requires_grad=True) for a in init] for _ in range(2)]
    x = Tensor(rng.standard_normal((7, 3)))

    def make(params):
        def step(x):
            w, b = params
            loss = ((x @ w.T + b).relu() ** 2).mean()
            loss.backward()
            with tinygrad_nn.no_grad():
                for p in params:
                    p.sub_(p.grad, alpha=0.1)
                    p.grad = None
            b.data -= 0.01 * b.data   # through .data, as PyTorch users write
            return loss
        return step

    eager, compiled = make(worlds[0]), tinygrad_nn.compile(make(worlds[1]))
    for i in range(5):
        assert_same(compiled(x), eager(x))
        for p, q in zip(worlds[1], worlds[0]):
            assert_same(p, q)
            assert p.grad is None and q.grad is None
    assert compiled.replays == 3


def test_gradient_accumulation_without_zero_grad():
    w = [Tensor(np.arange(3.0), requires_grad=True) for _ in range(2)]

    def make(p):
        def step(x):
            (p * x).sum().backward()
        return step

    eager, compiled = make(w[0]), tinygrad_nn.compile(make(w[1]))
    for i in range(5):
        x = np.full(3, float(i + 1))
        eager(x)
        compiled(x)
        assert_same(w[1].grad, w[0].grad)
    # the first call found .grad None, the later ones add into it: two recordings, both guarded
    assert len(compiled.recordings) == 2, compiled.explain()


def test_eval_mode_and_grad_mode_are_guards():
    tinygrad_nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3, dtype=np.float64), nn.Dropout(0.5))
    compiled = tinygrad_nn.compile(lambda x: model(x))
    x = Tensor(np.ones((2, 3)))
    for _ in range(3):
        compiled(x)
    model.eval()
    out = compiled(x)
    assert "eval mode" in compiled.explain()
    assert_same(out, model(x))
    with tinygrad_nn.no_grad():
        compiled(x)
    assert "grad mode" in compiled.explain()


def test_guard_on_shapes_and_scalars_retraces():
    compiled = tinygrad_nn.compile(lambda x, k: (x * k).sum())
    compiled(Tensor(np.ones(3)), 2.0)
    compiled(Tensor(np.ones(4)), 2.0)
    assert "argument x: Tensor (4,)" in compiled.explain()
    assert_same(compiled(Tensor(np.ones(4)), 3.0), Tensor(12.0))
    assert "argument k: float 3.0 instead of float 2.0" in compiled.explain()


# --- second order and custom Functions -----------------------------------------------------------

def test_hessian_vector_product_and_gradient_penalty():
    rng = np.random.default_rng(0)
    w = Tensor(rng.standard_normal((4, 3)), requires_grad=True)

    def hvp(x, v):
        loss = (x @ w.T).tanh().sum()
        (g,) = tinygrad_nn.grad(loss, [w], create_graph=True)
        (hv,) = tinygrad_nn.grad((g * v).sum(), [w], retain_graph=True)
        penalty = (g * g).sum()   # a gradient penalty, differentiated once more
        penalty.backward()
        return hv, penalty

    compiled = tinygrad_nn.compile(hvp)
    for i in range(4):
        x, v = Tensor(rng.standard_normal((5, 3))), Tensor(rng.standard_normal((4, 3)))
        w.grad = None
        got = compiled(x, v)
        got_grad = w.grad
        w.grad = None
        want = hvp(x, v)
        assert_same_tree(got, want)
        assert_same(got_grad, w.grad)
    assert compiled.replays == 2


class ScaledSquare(Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.twice = 2 * k * x            # a forward-time array kept on ctx: replayed with forward
        ctx.save_for_backward(x)
        return k * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.twice, None


def test_custom_function():
    compiled = tinygrad_nn.compile(lambda x: _grad_of(lambda t: ScaledSquare.apply(t, 3.0), x))
    rng = np.random.default_rng(0)
    for _ in range(4):
        x = rng.standard_normal((2, 3))
        assert_same_tree(compiled(Tensor(x, requires_grad=True)),
                         _grad_of(lambda t: ScaledSquare.apply(t, 3.0), Tensor(x, requires_grad=True)))


def _grad_of(f, *xs, weights=None):
    out = f(*xs)
    if weights is None:
        weights = Tensor(np.linspace(0.5, 1.5, out.numel()).reshape(out.shape).astype(out.dtype))
    (out * weights).sum().backward()
    return out, [x.grad for x in xs if isinstance(x, Tensor) and x.requires_grad]


# --- every catalogue op: traced on one draw, replayed on new draws of the same shapes -----------

@pytest.mark.parametrize("case", OPS, ids=lambda c: c.id)
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_catalogue_op_compiled_equals_eager(case, data):
    drawn = data.draw(st.tuples(*case.inputs))
    args = []
    for item in drawn:
        args.extend(item if isinstance(item, tuple) else (item,))
    rng = np.random.default_rng(0)

    def fresh():   # a new draw of the same shapes: values shrunk elementwise by 0.9 .. 1 (in domain)
        return [Tensor(a.numpy() * rng.uniform(0.9, 1.0, a.shape).astype(a.dtype), requires_grad=True)
                if isinstance(a, Tensor) else a for a in args]

    def run(*xs):
        return _grad_of(case.fn, *xs)

    compiled = tinygrad_nn.compile(run)
    for _ in range(4):
        xs = fresh()
        want = run(*[Tensor(a.numpy(), requires_grad=True) if isinstance(a, Tensor) else a
                     for a in xs])
        assert_same_tree(compiled(*xs), want)
    assert compiled.replays == 2, compiled.explain()


# --- random graphs from the fuzzer's op set --------------------------------------------------------

def test_random_graphs_compiled_equal_eager():
    from test_graph_fuzzer import BINARY, UNARY
    unary, binary = sorted(UNARY), sorted(BINARY)
    rng = np.random.default_rng(0)
    for graph in range(15):
        program = []
        for _ in range(8):
            if rng.random() < 0.5:
                program.append((UNARY[unary[rng.integers(len(unary))]], 1))
            else:
                program.append((BINARY[binary[rng.integers(len(binary))]], 2))
        picks = [rng.integers(0, 3 + k, size=2) for k in range(len(program))]

        def f(a, b, c):
            nodes = [a, b, c]
            for (op, arity), pick in zip(program, picks):
                nodes.append(op(*[nodes[i] for i in pick[:arity]]))
            return nodes[-1]

        compiled = tinygrad_nn.compile(lambda *xs: _grad_of(f, *xs))
        for _ in range(4):
            xs = [rng.uniform(-1, 1, s) for s in ((2, 3), (3,), (2, 1))]
            got = compiled(*[Tensor(x, requires_grad=True) for x in xs])
            want = _grad_of(f, *[Tensor(x, requires_grad=True) for x in xs])
            assert_same_tree(got, want, f"graph {graph}")


# --- verify, printing ---------------------------------------------------------------------------

def test_verify_reports_differences_per_parameter():
    model, opt, step = make_world(0, np.float64, OPTIMIZERS["adam"])
    compiled = tinygrad_nn.compile(step)
    data = batches(4, np.float64)
    compiled(*data[0])
    compiled(*data[1])
    report = compiled.verify(*data[2])
    assert report.ok and report.max_difference <= 1e-12, str(report)
    names = {k for k, _, _ in report.rows}
    assert {"0.weight", "0.weight.grad", "output 0", "Adam[0.weight].exp_avg"} <= names
    # after verify the state is the compiled one, and training goes on equal to eager
    eager_model, eager_opt, eager_step = make_world(0, np.float64, OPTIMIZERS["adam"])
    for x, y in data[:3]:
        eager_step(x, y)
    assert_same(compiled(*data[3]), eager_step(*data[3]))
    for p, q in zip(model.parameters(), eager_model.parameters()):
        assert_same(p, q)


def test_verify_catches_a_stale_replay():
    w = Tensor(np.ones(3), requires_grad=True)
    compiled = tinygrad_nn.compile(lambda x: (w * x).sum(), verify=True)
    x = Tensor(np.arange(3.0))
    compiled(x)
    compiled(x)
    assert_same(compiled(x), Tensor(3.0))
    # break the recording on purpose: its constant no longer matches what eager computes
    recording = compiled.recordings[0]
    key = next(k for k, v in recording.program.env.items() if k.startswith("F"))
    real = recording.program.env[key]
    recording.program._run.__globals__[key] = lambda *a: real(*a) + 1
    with pytest.raises(CompileError, match="compiled and eager differ"):
        compiled(x)


def test_printed_program_reads_like_backprop():
    model, opt, step = make_world(0, np.float32, OPTIMIZERS["sgd"])
    compiled = tinygrad_nn.compile(step)
    compiled(*batches(1, np.float32)[0])
    code = str(compiled)
    assert code.startswith("def step(x, y):")
    assert "# --- forward" in code and "# --- backward" in code and "# --- update" in code
    assert "= linear(x, 0.weight, 0.bias)" in code
    assert "= relu(" in code and ".mask)" in code       # backward reads the replayed mask
    assert "0.weight.grad = " in code and "SGD.step()" in code
    assert code.index("# --- forward") < code.index("# --- backward") < code.index("# --- update")


# --- refusals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("leak", [lambda t: t.item(), lambda t: bool(t.sum() > 0), lambda t: float(t),
                                  lambda t: t.numpy(), lambda t: np.asarray(t), lambda t: t.tolist(),
                                  lambda t: (t > 0).any()],
                         ids=["item", "bool", "float", "numpy", "asarray", "tolist", "any"])
def test_refuses_values_leaving_for_python(leak):
    def f(x):
        y = (x * 2).sum()
        leak(y)
        return y
    compiled = tinygrad_nn.compile(f)
    with pytest.raises(CompileError, match=r"traced tensor.*test_compile.py:\d+"):
        compiled(Tensor(np.ones(1), requires_grad=True))
    # nothing is left patched: eager mode works as before
    assert Tensor(np.ones(1)).item() == 1.0


def test_refuses_numpy_work_on_data_that_would_be_frozen():
    w = Tensor(np.ones(3), requires_grad=True)

    def f(x):
        shift = x._data.mean()          # numpy on the data, outside any op: frozen if replayed
        return ((x - shift) * w).sum()

    compiled = tinygrad_nn.compile(f)
    compiled(Tensor(np.arange(3.0)))
    with pytest.raises(CompileError,
                       match=r"test_compile.py:\d+ in f uses a value that changed between two calls"):
        compiled(Tensor(np.arange(3.0) * 2))


def test_refuses_a_random_generator_it_cannot_see():
    rng = np.random.default_rng(0)
    compiled = tinygrad_nn.compile(lambda x: x * Tensor(rng.standard_normal(3)))
    compiled(Tensor(np.ones(3)))
    with pytest.raises(CompileError, match="generator other than tinygrad_nn's"):
        compiled(Tensor(np.ones(3)))


def test_tinygrad_randomness_draws_afresh_on_every_replay():
    compiled = tinygrad_nn.compile(lambda x: x + tinygrad_nn.randn(3, dtype=np.float64))
    x = Tensor(np.zeros(3))
    draws = []
    for i in range(4):
        tinygrad_nn.manual_seed(i)
        draws.append(compiled(x).numpy())
        tinygrad_nn.manual_seed(i)
        assert_same(draws[-1], tinygrad_nn.randn(3, dtype=np.float64))
    assert len({tuple(d) for d in draws}) == 4


def test_refuses_inplace_writes_it_cannot_replay():
    from tinygrad_nn.function import mark_modified
    w = Tensor(np.ones(3), requires_grad=True)

    def f(x):
        loss = (w * x).sum()
        loss.backward()
        w._data[0] = 5.0                 # bypasses the recorded in-place methods
        mark_modified(w)
        return loss

    with pytest.raises(CompileError, match=r"changed in place.*test_compile.py:\d+"):
        tinygrad_nn.compile(f)(Tensor(np.ones(3)))


def test_relu_mask_is_recomputed_not_frozen():
    w = Tensor(np.ones(4), requires_grad=True)

    def f(x):
        w.grad = None
        (w * x).relu().sum().backward()
        return w.grad

    compiled = tinygrad_nn.compile(f)
    compiled(Tensor(np.array([1.0, -1.0, 1.0, -1.0])))
    compiled(Tensor(np.array([-1.0, 1.0, 1.0, -1.0])))
    out = compiled(Tensor(np.array([-1.0, -1.0, 2.0, 3.0])))
    assert_same(out, Tensor(np.array([0.0, 0.0, 2.0, 3.0])))


def test_returns_structures_and_none():
    w = Tensor(np.ones(2), requires_grad=True)
    compiled = tinygrad_nn.compile(lambda x: {"y": x * w, "pair": (x.sum(), None), "n": 3})
    for _ in range(3):
        out = compiled(Tensor(np.array([1.0, 2.0])))
    assert out["n"] == 3 and out["pair"][1] is None
    assert_same(out["y"], Tensor(np.array([1.0, 2.0])))
    assert tinygrad_nn.compile(lambda x: None)(Tensor(np.ones(1))) is None


def test_compile_as_decorator_and_copy_safety():
    @tinygrad_nn.compile
    def f(x):
        return x * 2

    assert_same(f(Tensor(np.ones(2))), Tensor(np.full(2, 2.0)))
    assert copy.copy(f.fn) is f.fn


# --- tinygrad-nn train --compile ----------------------------------------------------------------

def test_train_compile_gives_the_same_curves_as_eager(tmp_path, capsys):
    import json

    from tinygrad_nn import cli
    runs = {}
    for name, extra in (("eager", []), ("compiled", ["--compile"])):
        out = tmp_path / name
        code = cli.main(["train", "--data", "spiral", "--epochs", "3", "--hidden", "16",
                         "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01", "--seed", "3",
                         "--progress", "none", "--out", str(out), *extra])
        assert code == 0, capsys.readouterr().err
        runs[name] = json.loads((out / "metrics.json").read_text())
    for eager, compiled in zip(runs["eager"]["epochs"], runs["compiled"]["epochs"]):
        for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
            assert compiled[key] == pytest.approx(eager[key], rel=1e-6), key
    assert runs["compiled"]["test_accuracy"] == runs["eager"]["test_accuracy"]


def test_refuses_rebinding_data():
    w = Tensor(np.ones(3), requires_grad=True)

    def f(x):
        w.data = (w * x).data   # a new array for w: a replay could not repeat the rebinding
        return w

    with pytest.raises(CompileError, match=r"rebinds a tensor's array at .*test_compile.py:\d+"):
        tinygrad_nn.compile(f)(Tensor(np.ones(3)))
    w.data = np.zeros(3)   # outside a trace it works as before
    assert w.numpy().tolist() == [0.0, 0.0, 0.0]


def test_a_compiled_function_called_while_tracing_another_is_inlined():
    w = Tensor(np.ones(3), requires_grad=True)
    inner = tinygrad_nn.compile(lambda x: (w * x).sum())
    outer = tinygrad_nn.compile(lambda x: inner(x) * 2)
    for i in range(4):
        assert_same(outer(Tensor(np.full(3, float(i)))), Tensor(6.0 * i))
    assert outer.replays == 2 and inner.calls == 0


LEARNING_RATE = 0.5


def test_python_values_the_function_reads_are_guards():
    global LEARNING_RATE
    w = Tensor(np.ones(2), requires_grad=True)
    scale = [2.0]

    def make():
        factor = scale[0]

        def step(x):
            loss = (w * x).sum() * factor
            loss.backward()
            with tinygrad_nn.no_grad():
                w.sub_(w.grad, alpha=LEARNING_RATE)   # a module-level hyperparameter
                w.grad = None
            return loss
        return step

    step = tinygrad_nn.compile(make())
    x = Tensor(np.ones(2))
    for _ in range(3):
        step(x)
    assert_same(w, Tensor(np.full(2, 1.0 - 3 * 0.5 * 2.0)))
    LEARNING_RATE = 0.25
    try:
        step(x)
        assert "global LEARNING_RATE changed" in step.explain()
        assert_same(w, Tensor(np.full(2, -2.0 - 0.25 * 2.0)))
    finally:
        LEARNING_RATE = 0.5


class TensorForward(Function):
    """A forward written in Tensor ops (as user Functions may be): its ops are what is recorded."""

    @staticmethod
    def forward(ctx, x):
        t = Tensor(x)
        return ((t * t).exp())._data

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return g * 2 * x * ctx.output


def test_a_forward_made_of_tensor_ops_is_recorded_once():
    compiled = tinygrad_nn.compile(lambda x: _grad_of(TensorForward.apply, x))
    rng = np.random.default_rng(1)
    for _ in range(4):
        x = rng.standard_normal(3)
        assert_same_tree(compiled(Tensor(x, requires_grad=True)),
                         _grad_of(TensorForward.apply, Tensor(x, requires_grad=True)))
    assert "tensorforward" not in compiled.code and "exp(" in compiled.code


def test_zero_grad_to_zeros_then_accumulate():
    worlds = []
    for _ in range(2):
        tinygrad_nn.manual_seed(0)
        model = nn.Linear(3, 2, dtype=np.float64)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)

        def step(x, model=model, opt=opt):
            opt.zero_grad(set_to_none=False)   # zeros where a .grad exists: backward adds into them
            model(x).sum().backward()
            model(x * 2).sum().backward()      # a second backward accumulates in place
            opt.step()
        worlds.append((model, step))
    (eager_model, eager), (model, compiled) = worlds[0], (worlds[1][0], tinygrad_nn.compile(worlds[1][1]))
    for i in range(5):
        x = Tensor(np.full((4, 3), float(i)))
        eager(x)
        compiled(x)
        for p, q in zip(model.parameters(), eager_model.parameters()):
            assert_same(p, q)
            assert_same(p.grad, q.grad)
    assert compiled.replays >= 2, compiled.explain()


def test_an_error_inside_the_traced_function_leaves_nothing_patched():
    def f(x):
        raise KeyError("boom")
    originals = dict(vars(Tensor))
    with pytest.raises(KeyError):
        tinygrad_nn.compile(f)(Tensor(np.ones(1)))
    from tinygrad_nn import function
    assert function._trace is None
    t = Tensor(np.ones(1), requires_grad=True)
    assert t.item() == 1.0 and bool(t) and float(t) == 1.0
    t.grad = Tensor(np.ones(1))
    assert dict(vars(Tensor)) == originals


def test_verify_with_dropout_uses_the_same_random_numbers():
    model, opt, step = make_world(0, np.float64, OPTIMIZERS["sgd momentum nesterov wd"], dropout=0.5)
    compiled = tinygrad_nn.compile(step, verify=True)
    for x, y in batches(5, np.float64):
        compiled(x, y)       # raises if eager and compiled differ on any call after the traces
    assert compiled.last_report is not None and compiled.last_report.ok
    assert compiled.last_report.max_difference == 0.0, str(compiled.last_report)


def test_gradient_clipping_by_value_compiles_and_by_norm_is_refused():
    from tinygrad_nn.nn import clip_grad_norm_, clip_grad_value_
    w = [Tensor(np.array([1.0, -2.0]), requires_grad=True) for _ in range(2)]

    def make(p):
        def step(x):
            p.grad = None
            (p * x).sum().backward()
            clip_grad_value_([p], 1.5)
            return p.grad
        return step

    eager, compiled = make(w[0]), tinygrad_nn.compile(make(w[1]))
    for k in (1.0, 2.0, 0.5, 3.0):
        x = Tensor(np.array([k, -k]))
        assert_same(compiled(x), eager(x))

    def by_norm(x):
        (w[0] * x).sum().backward()
        return clip_grad_norm_([w[0]], 1.0)

    with pytest.raises(CompileError,
                       match=r"clip_grad_norm_ at .*test_compile.py:\d+ in by_norm turns the grad"):
        tinygrad_nn.compile(by_norm)(Tensor(np.ones(2)))


def test_detect_anomaly_runs_the_function_eagerly():
    compiled = tinygrad_nn.compile(lambda x: x.log())
    for _ in range(3):
        compiled(Tensor(np.ones(2)))
    with tinygrad_nn.detect_anomaly():
        with pytest.raises(FloatingPointError, match="log produced nan"):
            compiled(Tensor(-np.ones(2)))


def test_a_leaf_made_inside_the_step_replays():
    # the leaf is new on every call, so its .grad starts as None each time (W2's benchmark shape)
    x0 = np.linspace(-1.0, 1.0, 6).reshape(2, 3)

    def step():
        x = Tensor(x0, requires_grad=True)
        (x.tanh() * x).sum().backward()
        return x.grad

    compiled = tinygrad_nn.compile(step)
    for _ in range(4):
        assert_same(compiled(), step())
    assert compiled.replays == 2, compiled.explain()


def _update_by_in_place_variants(p, ema, x):
    loss = (p * x).sum()
    loss.backward()
    with tinygrad_nn.no_grad():
        p.sub_(0.5 * p.grad)
        p.clamp_min_(-1.0)
        p.masked_fill_(p > 2.5, 2.5)
        p.addcdiv_(p.grad, p.grad.abs() + 1, value=-0.1)
        ema.lerp_(p, 0.3)
        p.tanh_()
    p.grad = None
    return loss


def test_in_place_variants_replay_as_eager():
    start = np.array([1.0, -2.0, 3.0, 0.5])
    p1, e1 = Tensor(start.copy(), requires_grad=True), Tensor(np.zeros(4))
    p2, e2 = Tensor(start.copy(), requires_grad=True), Tensor(np.zeros(4))
    step = tinygrad_nn.compile(lambda x: _update_by_in_place_variants(p1, e1, x))
    for k in range(1, 7):
        x = Tensor(np.array([1.0, 2.0, -1.0, 0.5]) * k)
        assert step(x).item() == _update_by_in_place_variants(p2, e2, x).item()
        np.testing.assert_array_equal(p1.numpy(), p2.numpy())
        np.testing.assert_array_equal(e1.numpy(), e2.numpy())
    assert step.replays >= 3
    assert "p0.clamp_min_(-1.0)" in step.code and "p0.tanh_()" in step.code
    assert "relu" not in step.code and "clip" not in step.code   # the ops inside are not recorded twice


def test_a_view_in_place_op_is_refused_with_the_line():
    p = Tensor(np.ones((1, 3)), requires_grad=True)

    def step():
        with tinygrad_nn.no_grad():
            p.squeeze_(0)
        return p.sum()
    with pytest.raises(CompileError, match=r"changed in place.*test_compile.py:\d+"):
        tinygrad_nn.compile(step)()


def _manual_sgd(params, x, clear_after):
    if not clear_after:
        for p in params:
            p.grad = None
    loss = ((x @ params[0]).tanh() @ params[1]).pow(2).mean()
    loss.backward()
    with tinygrad_nn.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=0.1)
    if clear_after:
        for p in params:
            p.grad = None
    return loss


@pytest.mark.parametrize("clear_after", [True, False])
def test_a_dead_gradient_is_scaled_in_place_and_a_kept_one_is_not(clear_after):
    rng = np.random.default_rng(0)
    start = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 2)).astype(np.float32)]
    mine = [Tensor(a.copy(), requires_grad=True) for a in start]
    ref = [Tensor(a.copy(), requires_grad=True) for a in start]
    step = tinygrad_nn.compile(lambda x: _manual_sgd(mine, x, clear_after))
    for k in range(5):
        x = Tensor(rng.standard_normal((5, 3)).astype(np.float32))
        step(x)
        _manual_sgd(ref, x, clear_after)
        for a, b in zip(mine, ref):   # bitwise: the same roundings as eager's lr * g
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert (a.grad is None) == (b.grad is None)
            if a.grad is not None:    # a gradient kept after the step is not scaled
                np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())
    source = step.recordings[0].program.source
    assert ("out=" in source) == clear_after, source


def test_a_gradient_viewed_after_the_update_is_not_scaled_in_place():
    w = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)

    def step():
        (w * w).sum().backward()
        first_row = w.grad[0]          # a view of the gradient, read after the update
        with tinygrad_nn.no_grad():
            w.sub_(w.grad, alpha=0.5)
        w.grad = None
        return first_row * 1.0
    compiled = tinygrad_nn.compile(step)
    w_ref = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    for _ in range(4):
        got = compiled()
        (w_ref * w_ref).sum().backward()
        want = w_ref.grad[0] * 1.0
        with tinygrad_nn.no_grad():
            w_ref.sub_(w_ref.grad, alpha=0.5)
        w_ref.grad = None
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        np.testing.assert_array_equal(w.numpy(), w_ref.numpy())
