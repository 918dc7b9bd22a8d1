"""nn modules: registration and naming, state dicts, layers, activations, MLP, dropout, init,
gradients of every layer and activation (float64, first and second order), and XOR."""
import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_nn
from tinygrad_nn import Tensor, nn, no_grad, optim
from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init

from nn_gradcheck import check_grads


def _float64(model):
    with no_grad():
        for p in model.parameters():
            p.data = p.numpy().astype(np.float64)
    return model


def _leaf(array):
    return Tensor(np.asarray(array, np.float64), requires_grad=True)


# (that the checker can fail is shown in test_gradcheck_catches_bugs.py)


# --- registration, naming, traversal ----------------------------------------------------------

class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(1, np.float32))
        self.note = "plain attributes are not registered"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


def test_attributes_are_registered_with_dotted_names():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert [type(c).__name__ for c in m.children()] == ["Linear", "Linear"]
    assert [type(c).__name__ for c in m.modules()] == ["TwoLayer", "Linear", "Linear"]
    assert m.num_parameters() == 1 + 12 + 4 + 8 + 2
    assert m.hidden.weight.shape == (4, 3)          # (out, in), as PyTorch


def test_reassigning_and_deleting_attributes():
    m = TwoLayer()
    m.out = nn.Identity()
    assert [n for n, _ in m.named_parameters()] == ["scale", "hidden.weight", "hidden.bias"]
    del m.hidden
    assert [n for n, _ in m.named_parameters()] == ["scale"]
    with pytest.raises(TypeError, match="Parameter or None"):
        m.scale = Tensor([1.0])
    m.scale = None
    assert list(m.parameters()) == []
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        m.missing


def test_forgetting_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_and_module_list():
    seq = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    assert len(seq) == 3 and isinstance(seq[1], nn.Tanh)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = tinygrad_nn.randn(5, 3)
    np.testing.assert_allclose(seq(x).numpy(), seq[2](seq[1](seq[0](x))).numpy())
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    ml = nn.ModuleList([nn.Linear(1, 1)]).append(nn.Linear(1, 2))
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_repr_is_nested_like_pytorch():
    model = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.2), nn.Dropout(0.1))
    assert repr(model) == ("Sequential(\n"
                           "  (0): Linear(in_features=3, out_features=4, bias=True)\n"
                           "  (1): LeakyReLU(negative_slope=0.2)\n"
                           "  (2): Dropout(p=0.1)\n"
                           ")")
    assert "(layers): ModuleList(\n    (0): Linear(in_features=3" in repr(nn.MLP([3, 4, 1]))
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\nTensor(")


def test_train_eval_zero_grad():
    m = nn.MLP([2, 3, 1], dropout=0.5)
    assert m.training and m.dropout.training
    assert m.eval() is m and not m.dropout.training and not m.layers[0].training
    m.train()
    assert all(sub.training for sub in m.modules())
    m(tinygrad_nn.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


# --- MLP ------------------------------------------------------------------------------------------

def test_mlp_parameter_counts_match_the_course_notes():
    assert nn.MLP([3, 4, 2]).num_parameters() == 26      # 20 weights + 6 biases
    assert nn.MLP([3, 4, 4, 1]).num_parameters() == 41   # 32 weights + 9 biases
    assert nn.MLP([3, 4, 2], bias=False).num_parameters() == 20
    assert nn.MLP([3, 4, 2]).layers[0].weight.shape == (4, 3)


def test_mlp_structure_and_activation_choices():
    x = tinygrad_nn.randn(5, 3)
    m = nn.MLP([3, 4, 2], activation="tanh", output_activation=nn.Sigmoid)
    expected = m.layers[1](m.layers[0](x).tanh()).sigmoid()
    np.testing.assert_allclose(m(x).numpy(), expected.numpy())
    m = nn.MLP([3, 4, 4, 2], activation=nn.LeakyReLU(0.3))
    assert m.activations[0] is not m.activations[1] and m.activations[1].negative_slope == 0.3
    no_hidden = nn.MLP([3, 2])
    np.testing.assert_allclose(no_hidden(x).numpy(), no_hidden.layers[0](x).numpy())
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP([3, 2, 1], activation="gelu")
    with pytest.raises(TypeError, match="activation must be"):
        nn.MLP([3, 2, 1], activation=3)
    with pytest.raises(ValueError, match="at least an input and an output"):
        nn.MLP([3])


def test_mlp_learns_xor():
    tinygrad_nn.manual_seed(0)
    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32))
    y = Tensor(np.array([[0], [1], [1], [0]], np.float32))
    model = nn.MLP([2, 8, 1], activation="tanh")
    opt = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    predictions = (model(x).numpy() > 0).astype(np.float32)
    assert np.all(predictions == y.numpy()), f"final loss {loss.item()}"
    assert loss.item() < 0.05


# --- layers ---------------------------------------------------------------------------------------

def test_linear_shapes_default_init_and_errors():
    tinygrad_nn.manual_seed(1)
    layer = nn.Linear(16, 5)
    assert layer.weight.shape == (5, 16) and layer.bias.shape == (5,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert np.abs(layer.weight.numpy()).max() <= 0.25 and np.abs(layer.bias.numpy()).max() <= 0.25
    assert layer(tinygrad_nn.ones(2, 7, 16)).shape == (2, 7, 5)
    assert nn.Linear(3, 2, bias=False).bias is None
    with pytest.raises(ValueError, match=r"linear: input of shape \(2, 4\) needs last dimension 16"):
        layer(tinygrad_nn.ones(2, 4))
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 3)


def test_manual_seed_reproduces_a_model():
    tinygrad_nn.manual_seed(7)
    a = nn.MLP([3, 5, 2])
    tinygrad_nn.manual_seed(7)
    b = nn.MLP([3, 5, 2])
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert np.array_equal(pa.numpy(), pb.numpy())


def test_maxout_is_the_max_of_affine_pieces():
    layer = nn.Maxout(3, 2, pieces=3)
    assert layer.weight.shape == (6, 3) and layer.num_parameters() == 6 * 3 + 6
    x = tinygrad_nn.randn(4, 3)
    z = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()                # (4, 6)
    np.testing.assert_allclose(layer(x).numpy(), z.reshape(4, 2, 3).max(axis=-1), rtol=1e-6)


def test_dropout_eval_is_identity_and_train_drops_at_rate_with_scale():
    x = tinygrad_nn.ones(200, 500)
    drop = nn.Dropout(0.3)
    tinygrad_nn.manual_seed(3)
    y = drop(x).numpy()
    kept = y != 0
    assert abs(1 - kept.mean() - 0.3) < 0.005                      # 100k draws: sd 0.0015
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)          # survivors scaled by 1/(1-p)
    assert abs(y.mean() - 1) < 0.01                                  # expectation preserved
    tinygrad_nn.manual_seed(3)
    assert np.array_equal(drop(x).numpy(), y)                           # manual_seed reproduces masks
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, 0.3, training=False) is x
    assert np.all(F.dropout(x, 1.0).numpy() == 0)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_gradient_is_the_scaled_mask():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    tinygrad_nn.manual_seed(5)
    y = F.dropout(x, 0.25)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())


# --- gradients of every layer and activation (float64, first and second order) -----------------

def _away_from_zero(shape, seed):
    r = np.random.default_rng(seed)
    return r.uniform(0.2, 2.0, shape) * r.choice([-1.0, 1.0], shape)


LAYERS = {
    "Linear": lambda: nn.Linear(3, 2, dtype=np.float64),
    "Linear(bias=False)": lambda: nn.Linear(3, 2, bias=False, dtype=np.float64),
    "Maxout": lambda: nn.Maxout(3, 2, pieces=2, dtype=np.float64),
    "MLP(tanh)": lambda: _float64(nn.MLP([3, 4, 2], activation="tanh")),
    "MLP(relu, sigmoid out)": lambda: _float64(nn.MLP([3, 4, 2], output_activation="sigmoid")),
    "Sequential": lambda: nn.Sequential(nn.Linear(3, 3, dtype=np.float64), nn.Softplus(),
                                        nn.Linear(3, 2, dtype=np.float64)),
    "ReLU": nn.ReLU, "LeakyReLU": lambda: nn.LeakyReLU(0.1), "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh, "Softplus": nn.Softplus, "Identity": nn.Identity,
    "Softmax": nn.Softmax, "Softmax(axis=0)": lambda: nn.Softmax(axis=0),
    "LogSoftmax": nn.LogSoftmax, "LogSoftmax(axis=0)": lambda: nn.LogSoftmax(axis=0),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_gradients_match_finite_differences(name):
    tinygrad_nn.manual_seed(11)
    layer = LAYERS[name]()
    x = _leaf(_away_from_zero((2, 3), seed=len(name)))
    check_grads(lambda: layer(x), [x, *layer.parameters()])


def test_dropout_gradients_with_a_fixed_mask():
    x = _leaf(_away_from_zero((3, 4), seed=1))

    def fn():
        tinygrad_nn.manual_seed(2)
        return F.dropout(x, 0.4) * x
    check_grads(fn, [x])


# --- state dicts ----------------------------------------------------------------------------------

def test_state_dict_names_and_round_trip():
    a, b = nn.MLP([3, 4, 2]), nn.MLP([3, 4, 2])
    state = a.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    b_weight = b.layers[0].weight
    version = b_weight._version
    assert b.load_state_dict(state) == ([], [])
    assert b.layers[0].weight is b_weight and b_weight._version > version  # copied in place
    x = tinygrad_nn.randn(5, 3)
    assert np.array_equal(a(x).numpy(), b(x).numpy())


def test_load_state_dict_with_a_wrong_shape_leaves_the_model_unchanged():
    model = nn.MLP([3, 4, 2])
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    state = {k: np.zeros_like(v.numpy()) for k, v in nn.MLP([3, 4, 2]).state_dict().items()}
    state["layers.1.weight"] = np.zeros((3, 4), np.float32)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    assert "'layers.1.weight': shape (3, 4) in the state dict, but the parameter has shape (2, 4)" \
        in str(info.value)
    for k, v in model.state_dict().items():
        assert np.array_equal(v.numpy(), before[k])                 # even the keys before the bad one


def test_load_state_dict_lists_missing_and_unexpected_keys():
    model = nn.MLP([3, 4, 2])
    state = dict(model.state_dict())
    del state["layers.0.bias"]
    state["layers.2.weight"] = np.zeros((1, 1))
    with pytest.raises(RuntimeError, match="missing keys: 'layers.0.bias'") as info:
        model.load_state_dict(state)
    assert "unexpected keys: 'layers.2.weight'" in str(info.value)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["layers.0.bias"] and result.unexpected_keys == ["layers.2.weight"]
    state["layers.0.weight"] = np.array([["a"] * 3] * 4)
    with pytest.raises(RuntimeError, match="expected a float array, got dtype <U1"):
        model.load_state_dict(state, strict=False)


def test_deepcopy_gives_an_independent_model():
    a = nn.MLP([2, 3, 1])
    b = copy.deepcopy(a)
    assert b.layers[0].weight is not a.layers[0].weight
    assert isinstance(b.layers[0].weight, nn.Parameter)
    np.testing.assert_array_equal(a.layers[0].weight.numpy(), b.layers[0].weight.numpy())


# --- init -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fill, check", [
    (lambda w: init.xavier_uniform_(w), lambda d: np.abs(d).max() <= np.sqrt(6 / 500)),
    (lambda w: init.kaiming_uniform_(w), lambda d: np.abs(d).max() <= np.sqrt(6 / 200)),
    (lambda w: init.xavier_normal_(w), lambda d: abs(d.std() - np.sqrt(2 / 500)) < 0.002),
    (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
     lambda d: abs(d.std() - np.sqrt(2 / 300)) < 0.003),
    (lambda w: init.normal_(w, 1.0, 0.5), lambda d: abs(d.mean() - 1) < 0.01 and abs(d.std() - 0.5) < 0.01),
    (lambda w: init.uniform_(w, -2, 3),
     lambda d: d.min() >= -2 and d.max() <= 3 and abs(d.mean() - 0.5) < 0.05),
    (lambda w: init.zeros_(w), lambda d: np.all(d == 0)),
])
def test_init_functions(fill, check):
    w = nn.Parameter(np.empty((300, 200), np.float32))   # fan_out 300, fan_in 200
    version = w._version
    tinygrad_nn.manual_seed(0)
    assert fill(w) is w and check(w.numpy()) and w._version > version
    first = w.numpy().copy()
    tinygrad_nn.manual_seed(0)
    with no_grad():
        fill(w)
    assert np.array_equal(w.numpy(), first)                 # seeded, and fine under no_grad too


def test_init_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(nn.Parameter(np.zeros(3)))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(nn.Parameter(np.zeros((2, 2))), mode="fan")
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")
    assert init.calculate_gain("leaky_relu", 5 ** 0.5) == pytest.approx(1 / 3 ** 0.5)


# --- PyTorch, when it is installed ---------------------------------------------------------------

@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2 ** 16))
def test_linear_and_activations_match_pytorch(n_in, n_out, seed):
    torch = pytest.importorskip("torch")
    tinygrad_nn.manual_seed(seed)
    layer = nn.Linear(n_in, n_out, dtype=np.float64)
    x = np.random.default_rng(seed).standard_normal((3, n_in))
    ours = layer(Tensor(x))
    ref = torch.nn.functional.linear(torch.tensor(x), torch.tensor(layer.weight.numpy()),
                                     torch.tensor(layer.bias.numpy()))
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)
    for ours_fn, torch_fn in [(F.leaky_relu, torch.nn.functional.leaky_relu),
                              (F.softplus, torch.nn.functional.softplus),
                              (lambda t: F.log_softmax(t, 0), lambda t: torch.log_softmax(t, 0))]:
        np.testing.assert_allclose(ours_fn(Tensor(x)).numpy(), torch_fn(torch.tensor(x)).numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_embedding_max_norm_renormalises_the_used_rows_in_place():
    w = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    emb = nn.Embedding.from_pretrained(Tensor(w.copy()), freeze=False, max_norm=1.0)
    out = emb(np.array([0, 1, 0]))
    np.testing.assert_allclose(out.numpy(), [[0.6, 0.8], [0.3, 0.4], [0.6, 0.8]], rtol=1e-6)
    np.testing.assert_allclose(emb.weight.numpy()[:2], [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    assert emb.weight.numpy()[2].tolist() == [6.0, 8.0]        # not looked up: unchanged


def test_embedding_scale_grad_by_freq_divides_by_the_count():
    emb = nn.Embedding.from_pretrained(Tensor(np.ones((3, 2))), freeze=False, scale_grad_by_freq=True)
    emb(np.array([0, 0, 0, 2])).sum().backward()
    assert emb.weight.grad.tolist() == [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]   # 3 uses / 3; 1 / 1
    with pytest.raises(NotImplementedError, match="sparse=True"):
        nn.Embedding(3, 2, sparse=True)
