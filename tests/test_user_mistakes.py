"""Issue 13: a careless user loses nothing and always learns what went wrong.

Each test does what a user did and asserts what they now see."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, cli, nn
from tinygrad_nn import train as T
from tinygrad_nn.serialization import STRUCTURE_KEY
from tinygrad_nn.function import Function, grad
from tinygrad_nn.nn.module import Parameter
from tinygrad_nn.nn.layers import Linear
from tinygrad_nn.testing.gradcheck import gradcheck, gradgradcheck, GradcheckError


# --- 1. integer tensors never get a silently truncated gradient ---------------------------------

def test_setting_requires_grad_on_an_integer_tensor_is_refused_at_backward():
    x = Tensor(np.array([1, 2, 3]))
    x.requires_grad = True
    with pytest.raises(TypeError, match=r"shape \(3,\) and dtype int64 requires grad \(requires_grad "
                                        r"was set on it directly\).*truncated.*\.float\(\)"):
        (x * 0.5).sum().backward()
    assert x.grad is None


def test_integer_root_and_grad_are_refused_too():
    x = Tensor(np.array([1, 2, 3]))
    x.requires_grad = True
    with pytest.raises(TypeError, match="int64 requires grad"):
        (x * 2).sum().backward()          # the root itself is int64
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="int64 requires grad"):
        grad(((x * 2) * w).sum(), [w])    # a float root, an integer leaf inside
    assert w.grad is None                 # refused before any gradient was accumulated


def test_an_integer_parameter_is_refused_and_load_state_dict_keeps_floats():
    with pytest.raises(TypeError, match="only floating point tensors can require grad"):
        Parameter(np.array([1, 2]))
    layer = Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[1, 2]]), "bias": np.array([3])})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    layer(Tensor([[0.5, 0.25]])).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), [[0.5, 0.25]])
    with pytest.raises(TypeError, match="cannot hold int64"):
        layer.weight.data = np.array([[1, 2]])


class RoundToInt(Function):
    @staticmethod
    def forward(ctx, x):
        return np.round(x).astype(np.int64)

    @staticmethod
    def backward(ctx, g):
        return g


@pytest.mark.parametrize("use", [lambda y: (y * 0.5).sum(), lambda y: y.float().sum(),
                                 lambda y: y.sum()], ids=["mul", "cast back", "root"])
def test_a_custom_function_returning_integers_is_named(use):
    x = Tensor([0.4, 1.6], requires_grad=True)
    with pytest.raises(TypeError, match=r"roundtoint's forward returned int64 values.*return floating"):
        use(RoundToInt.apply(x)).backward()
    assert x.grad is None


# --- 2. a custom backward that returns the wrong thing -----------------------------------------

class NumpySquare(Function):
    """The natural mistake: forward is numpy, so backward returns numpy too."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x.numpy() * g.numpy()


def test_a_numpy_gradient_is_accepted_for_first_order():
    x = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    NumpySquare.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -6.0])
    assert isinstance(x.grad, Tensor) and x.grad.dtype == np.float64
    assert gradcheck(NumpySquare.apply, [x])


def test_a_numpy_gradient_under_create_graph_says_first_order_only():
    x = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"numpysquare.backward returned a numpy array as the "
                                           r"gradient of argument 0.*first-order gradients only"):
        grad(NumpySquare.apply(x).sum(), [x], create_graph=True)
    with pytest.raises(RuntimeError, match="numpysquare.backward returned a numpy array"):
        gradgradcheck(NumpySquare.apply, [x])   # its first-order function raises, named


def _op(result):
    class Custom(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return result(g)
    return Custom


@pytest.mark.parametrize("result, error, message", [
    (lambda g: [g, g], RuntimeError,
     r"custom.backward returned 1 gradient\(s\) for 2 forward arguments; expected a tuple of 2.*"
     r"it returned a list: return a tuple"),
    (lambda g: g, RuntimeError, r"returned 1 gradient\(s\) for 2 forward arguments"),
    (lambda g: (g, g, g), RuntimeError, r"returned 3 gradient\(s\) for 2 forward arguments"),
    (lambda g: (g, "oops"), TypeError,
     r"custom.backward returned a str as the gradient of argument 1; expected a Tensor of shape "
     r"\(2,\) and dtype float64, or None"),
    (lambda g: (g, 2.0), TypeError, r"returned a float as the gradient of argument 1"),
    (lambda g: (g, Tensor(np.ones((3,)))), RuntimeError,
     r"custom.backward returned a gradient of shape \(3,\) for argument 1 of shape \(2,\)"),
    (lambda g: (g, Tensor(np.array([1, 1]))), TypeError,
     r"custom.backward returned a gradient of dtype int64 for argument 1 \(\(2,\) float64\); expected a "
     r"floating point gradient, of dtype float64"),
    (lambda g: (np.array([True, False]), g), TypeError, r"returned a gradient of dtype bool for argument 0"),
])
def test_a_wrong_gradient_names_the_op_the_argument_and_what_was_expected(result, error, message):
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    op = _op(result)
    with pytest.raises(error, match=message):
        op.apply(x, y).sum().backward()
    with pytest.raises(GradcheckError, match=message):
        gradcheck(op.apply, [x, y])


# --- 4. hostile or absurd checkpoints are refused before anything is allocated ------------------

def _npz(path, members, compression=zipfile.ZIP_STORED):
    """An .npz written by hand: name -> (npy header dict, data bytes)."""
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, (header, data) in members.items():
            buffer = io.BytesIO()
            np.lib.format.write_array_header_1_0(buffer, header)
            z.writestr(name + ".npy", buffer.getvalue() + data)
    return path


STRUCTURE = '{"format": "tinygrad_nn.checkpoint", "version": 1, "tree": {"ndarray": "a0"}}'


def _structure_member():
    value = np.array(STRUCTURE)
    return ({"descr": np.lib.format.dtype_to_descr(value.dtype), "fortran_order": False,
             "shape": ()}, value.tobytes())


def test_a_tiny_file_declaring_a_huge_array_is_refused_naming_the_path(tmp_path):
    path = _npz(tmp_path / "huge.npz", {
        STRUCTURE_KEY: _structure_member(),
        "a0": ({"descr": "<f8", "fortran_order": False, "shape": (10**12,)}, b"\0" * 16)})
    assert path.stat().st_size < 1000
    with pytest.raises(ValueError, match=r"huge.npz' is not a readable .*entry 'a0' declares shape "
                                         r"\(1000000000000,\) float64 \(8,000,000,000,000 bytes\) "
                                         r"but holds 16 bytes"):
        tinygrad_nn.load(path)


def test_a_decompression_bomb_is_refused_before_decompressing(tmp_path):
    zeros = b"\0" * (20 * 2**20)
    path = _npz(tmp_path / "bomb.npz", {
        "a0": ({"descr": "|u1", "fortran_order": False, "shape": (len(zeros),)}, zeros)},
        compression=zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValueError, match=r"bomb.npz'.*entry 'a0' would expand from [\d,]+ to "
                                         r"20,971,6\d\d bytes \(more than 100 times\)"):
        tinygrad_nn.load(path)


def test_checkpoints_over_the_size_limit_are_refused_and_the_limit_can_be_raised(tmp_path):
    path = tmp_path / "big.npz"
    tinygrad_nn.save({"w": np.zeros(100_000)}, path)
    with pytest.raises(ValueError, match=r"big.npz'.*over the limit of 100,000 .*max_bytes="):
        tinygrad_nn.load(path, max_bytes=100_000)
    assert tinygrad_nn.load(path, max_bytes=10**6)["w"].shape == (100_000,)


def test_fortran_and_big_endian_arrays_still_load(tmp_path):
    path = tmp_path / "orders.npz"
    f = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    b = np.arange(4, dtype=">i4")
    tinygrad_nn.save({"f": f, "b": b, "empty": np.zeros((0, 3)), "scalar": np.float32(2.5)}, path)
    back = tinygrad_nn.load(path)
    np.testing.assert_array_equal(back["f"], f)
    np.testing.assert_array_equal(back["b"], b)
    assert back["empty"].shape == (0, 3) and back["scalar"] == np.float32(2.5)
    assert back["f"].flags.writeable


def test_an_absurd_stored_architecture_is_refused_before_building(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    arch = T.Architecture(4, (3,), 2)
    T.save_model(path, T.build_model(arch), arch, "xor")
    ckpt = tinygrad_nn.load(path)
    ckpt["architecture"]["hidden"] = [200000, 200000]
    tinygrad_nn.save(ckpt, path)
    built = []
    monkeypatch.setattr(T, "build_model", lambda a: built.append(a))
    with pytest.raises(ValueError, match=r"model.npz' holds a damaged model: its architecture \(hidden "
                                         r"\[200000, 200000\]\) has 40,001,600,002 parameters, but the "
                                         r"file stores 23"):
        T.load_model(path)
    ckpt["architecture"]["hidden"] = [0]
    tinygrad_nn.save(ckpt, path)
    with pytest.raises(ValueError, match="architecture hidden is 0; sizes must be at least 1"):
        T.load_model(path)
    assert built == []


def test_huge_hidden_layers_on_the_command_line_are_estimated_and_refused(tmp_path, capsys):
    code = cli.main(["train", "--hidden", "100000,100000", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert err.startswith("tinygrad-nn train: error: --hidden 100000,100000 makes a "
                          "784-100000-100000-10 MLP with 10,079,600,010 parameters, which needs at "
                          "least 150.4 GiB to train")
    assert "choose smaller layers" in err
    assert not (tmp_path / "r").exists()


# --- 6. smaller snags ---------------------------------------------------------------------------

def test_linear_takes_a_nested_list_and_says_what_it_expects_otherwise():
    layer = Linear(4, 2)
    out = layer([[1.0, 2.0, 3.0, 4.0]])
    expected = layer(Tensor([[1.0, 2.0, 3.0, 4.0]]))
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    out.sum().backward()
    np.testing.assert_array_equal(layer.weight.grad.numpy(), [[1.0, 2.0, 3.0, 4.0]] * 2)
    with pytest.raises(TypeError, match=r"linear: expected a Tensor, or a nested list of numbers, as "
                                        r"the input; got a list of <U1 values"):
        layer([["a", "b", "c", "d"]])
    with pytest.raises(TypeError, match="linear: expected a Tensor, or a nested list of numbers.*"
                                        "inhomogeneous"):
        layer([[1.0], [1.0, 2.0]])


def test_modules_name_what_they_expect_for_a_list():
    with pytest.raises(TypeError, match=r"Softmax: expected a Tensor as the input, got a list \('list' "
                                        r"object has no attribute 'softmax'\); wrap it: Tensor\(x\)"):
        nn.Softmax(dim=0)([1.0, -1.0])
    # activations are the Tensor methods' function forms, which take array-likes (as tinygrad_nn.relu)
    assert nn.ReLU()([1.0, -1.0]).tolist() == [1.0, 0.0]
    out = nn.MLP([2, 3, 1])([[1.0, 2.0]])     # an MLP starts with a Linear: the list is taken
    assert out.shape == (1, 1)


def test_numpy_ufuncs_run_as_tensor_ops_with_gradients():
    x = Tensor(np.array([0.5, 1.0, 2.0]), requires_grad=True)
    y = np.sin(x) + np.exp(x) * np.log(x) - np.tanh(x) ** 2 + np.sqrt(x) + np.abs(-x)
    assert isinstance(y, Tensor) and y.requires_grad
    (gx,) = grad(y.sum(), [x])
    v = x.numpy()
    expected = (np.cos(v) + np.exp(v) * np.log(v) + np.exp(v) / v
                - 2 * np.tanh(v) * (1 - np.tanh(v) ** 2) + 0.5 / np.sqrt(v) + 1)
    np.testing.assert_allclose(gx.numpy(), expected, rtol=1e-12)
    assert gradcheck(lambda t: np.sin(t) * np.exp(t), [x])


def test_a_numpy_array_on_the_left_still_gives_a_tensor():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = np.array([3.0, 5.0])
    for result, values in [(a * x, [3.0, 10.0]), (a - x, [2.0, 3.0]), (a / x, [3.0, 2.5]),
                           (a + x, [4.0, 7.0]), (a ** x, [3.0, 25.0]), (np.float64(2.0) * x, [2.0, 4.0]),
                           (np.maximum(a, x), [3.0, 5.0])]:
        assert isinstance(result, Tensor) and result.requires_grad
        np.testing.assert_allclose(result.numpy(), values)
    assert isinstance(a @ x, Tensor) and (a @ x).item() == 13.0
    less = a < x
    assert isinstance(less, Tensor) and less.tolist() == [False, False]
    (a * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a)


def test_numpy_ufuncs_without_a_tensor_op_say_so():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError,
                       match=r"np.spacing has no Tensor op.*np.spacing\(x.numpy\(\)\) for the values"):
        np.spacing(x)
    with pytest.raises(TypeError, match=r"np.add.reduce is not supported on a Tensor; use the Tensor's "
                                        r"own methods"):
        np.add.reduce(x)
    a = np.zeros(2, np.float32)
    with pytest.raises(TypeError, match=r"out= would write into a numpy array.*array \+= x.numpy\(\)"):
        a += x
    assert a.tolist() == [0.0, 0.0]


def test_reading_grad_of_a_non_leaf_warns_as_pytorch_does():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.sum().backward()
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf Tensor is "
                                         "being accessed.*retain_grad"):
        assert y.grad is None
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert x.grad is not None          # a leaf: no warning
        z = x * 3
        z.retain_grad()
        z.sum().backward()
        assert z.grad is not None          # retained: no warning
        from tinygrad_nn.viz import format_graph, to_dot
        format_graph(y), to_dot(y)         # the package's own readers of every .grad: no warning


def test_a_huge_learning_rate_that_stays_finite_is_caught_with_a_hint(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(["train", "--data", "xor", "--lr", "1000", "--epochs", "5", "--progress", "none",
                     "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "training diverged in epoch" in err and "more than 10 times the first batch's" in err
    assert err.endswith("lower the learning rate (--lr)")
    assert not out.exists()


def test_a_batch_larger_than_the_data_says_it_became_one_full_batch(tmp_path, capsys):
    code = cli.main(["train", "--data", "xor", "--epochs", "1", "--batch-size", "100000",
                     "--progress", "none", "--out", str(tmp_path / "r")])
    printed = capsys.readouterr().out
    assert code == 0
    assert ("note: --batch-size 100,000 is more than the 300 training examples, so each epoch is one "
            "full batch of 300") in printed
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["settings"]["batch_size"] == 300


def test_train_piped_into_head_ends_quietly(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(tinygrad_nn.__file__).parent.parent))
    process = subprocess.Popen(
        [sys.executable, "-m", "tinygrad_nn", "train", "--data", "xor", "--epochs", "40",
         "--progress", "plain", "--out", str(tmp_path / "r")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = process.stdout.readline()      # what `| head -1` reads, then it exits
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    # the first line is the run's header, or the note that plots are skipped without matplotlib
    assert first.startswith((b"training a 2-16-16-2", b"note: matplotlib is not installed"))
    assert stderr == ""                    # no "[Errno 32] Broken pipe", no traceback
    assert process.returncode == 1
    assert not (tmp_path / "r").exists()


# --- 5. BLAS threads ----------------------------------------------------------------------------

TINY = ["--data", "xor", "--epochs", "1", "--hidden", "4", "--progress", "none"]


def test_blas_threads_are_capped_while_training_and_the_flag_overrides(tmp_path, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    seen = []
    real_fit = T.fit

    def fit(*args, **kwargs):
        seen.append({pool["num_threads"] for pool in threadpoolctl.threadpool_info()
                     if pool["user_api"] == "blas"})
        return real_fit(*args, **kwargs)
    monkeypatch.setattr(T, "fit", fit)
    assert cli.main(["train", *TINY, "--out", str(tmp_path / "a")]) == 0
    assert cli.main(["train", *TINY, "--threads", "2", "--out", str(tmp_path / "b")]) == 0
    if seen[0]:   # a numpy without a BLAS that threadpoolctl knows has nothing to cap
        assert seen == [{cli.DEFAULT_THREADS}, {2}]


def test_without_threadpoolctl_training_still_runs(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)   # import fails
    assert cli.main(["train", *TINY, "--threads", "2", "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "model.npz").is_file()
