"""nn layers, containers, buffers, init and losses against PyTorch (skipped without torch), plus the
checks that need no torch (structure, errors)."""
import math

import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn
from tinygrad_nn.nn import functional as F
from tinygrad_nn.nn import init

torch = pytest.importorskip("torch")
tF = torch.nn.functional

RNG = np.random.default_rng(0)


def _close(ours, theirs, rtol=1e-10, atol=1e-12):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(np.asarray(ours.numpy() if isinstance(ours, Tensor) else ours, np.float64),
                               np.asarray(theirs, np.float64), rtol=rtol, atol=atol)


def _both(array, grad=True):
    return Tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


# --- losses: values and input gradients, every reduction ----------------------------------------

X = RNG.standard_normal((5, 4))
Y = RNG.standard_normal((5, 4))
LABELS = np.array([0, 3, 1, 1, 2])
IGNORED = np.array([0, -100, 1, 3, -100])
W = np.array([0.5, 2.0, 1.0, 3.0])
XK = RNG.standard_normal((3, 4, 2, 2))            # (N, C, d1, d2)
LABELS_K = RNG.integers(0, 4, (3, 2, 2))
PROBS = np.exp(Y) / np.exp(Y).sum(1, keepdims=True)
BITS = (RNG.random((5, 4)) > 0.5).astype(np.float64)

LOSSES = {
    "mse": (lambda x, r: F.mse_loss(x, Y, reduction=r),
            lambda t, r: tF.mse_loss(t, torch.tensor(Y), reduction=r), X),
    "l1": (lambda x, r: F.l1_loss(x, Y, reduction=r),
           lambda t, r: tF.l1_loss(t, torch.tensor(Y), reduction=r), X),
    "smooth_l1": (lambda x, r: F.smooth_l1_loss(x, Y, reduction=r, beta=0.7),
                  lambda t, r: tF.smooth_l1_loss(t, torch.tensor(Y), reduction=r, beta=0.7), X),
    "smooth_l1 beta=0": (lambda x, r: F.smooth_l1_loss(x, Y, reduction=r, beta=0.0),
                         lambda t, r: tF.smooth_l1_loss(t, torch.tensor(Y), reduction=r, beta=0.0), X),
    "huber": (lambda x, r: F.huber_loss(x, Y, reduction=r, delta=0.6),
              lambda t, r: tF.huber_loss(t, torch.tensor(Y), reduction=r, delta=0.6), X),
    "kl_div": (lambda x, r: F.kl_div(x.log_softmax(1), PROBS, reduction=r),
               lambda t, r: tF.kl_div(t.log_softmax(1), torch.tensor(PROBS), reduction=r), X),
    "kl_div log_target": (lambda x, r: F.kl_div(x.log_softmax(1), np.log(PROBS), reduction=r,
                                                log_target=True),
                          lambda t, r: tF.kl_div(t.log_softmax(1), torch.tensor(np.log(PROBS)), reduction=r,
                                                 log_target=True), X),
    "kl_div zero targets": (lambda x, r: F.kl_div(x.log_softmax(1), BITS, reduction=r),
                            lambda t, r: tF.kl_div(t.log_softmax(1), torch.tensor(BITS), reduction=r), X),
    "cross_entropy": (lambda x, r: F.cross_entropy(x, LABELS, reduction=r),
                      lambda t, r: tF.cross_entropy(t, torch.tensor(LABELS), reduction=r), X),
    "cross_entropy weight": (lambda x, r: F.cross_entropy(x, LABELS, W, reduction=r),
                             lambda t, r: tF.cross_entropy(t, torch.tensor(LABELS), torch.tensor(W),
                                                           reduction=r),
                             X),
    "cross_entropy ignore_index": (
        lambda x, r: F.cross_entropy(x, IGNORED, reduction=r),
        lambda t, r: tF.cross_entropy(t, torch.tensor(IGNORED), reduction=r), X),
    "cross_entropy weight+ignore+smoothing": (
        lambda x, r: F.cross_entropy(x, IGNORED, W, reduction=r, label_smoothing=0.2),
        lambda t, r: tF.cross_entropy(t, torch.tensor(IGNORED), torch.tensor(W), reduction=r,
                                      label_smoothing=0.2), X),
    "cross_entropy smoothing": (
        lambda x, r: F.cross_entropy(x, LABELS, reduction=r, label_smoothing=0.1),
        lambda t, r: tF.cross_entropy(t, torch.tensor(LABELS), reduction=r, label_smoothing=0.1), X),
    "cross_entropy ignore a real class": (
        lambda x, r: F.cross_entropy(x, LABELS, W, ignore_index=1, reduction=r),
        lambda t, r: tF.cross_entropy(t, torch.tensor(LABELS), torch.tensor(W), ignore_index=1,
                                      reduction=r), X),
    "cross_entropy probabilities+weight+smoothing": (
        lambda x, r: F.cross_entropy(x, PROBS, W, reduction=r, label_smoothing=0.3),
        lambda t, r: tF.cross_entropy(t, torch.tensor(PROBS), torch.tensor(W), reduction=r,
                                      label_smoothing=0.3), X),
    "cross_entropy K-dim": (
        lambda x, r: F.cross_entropy(x, LABELS_K, W, reduction=r, label_smoothing=0.1),
        lambda t, r: tF.cross_entropy(t, torch.tensor(LABELS_K), torch.tensor(W), reduction=r,
                                      label_smoothing=0.1), XK),
    "cross_entropy K-dim probabilities": (
        lambda x, r: F.cross_entropy(x, XK ** 2 / (XK ** 2).sum(1, keepdims=True), reduction=r),
        lambda t, r: tF.cross_entropy(t, torch.tensor(XK ** 2 / (XK ** 2).sum(1, keepdims=True)),
                                      reduction=r), XK),
    "cross_entropy 1-D": (lambda x, r: F.cross_entropy(x[0], np.int64(2), W, reduction=r),
                          lambda t, r: tF.cross_entropy(t[0], torch.tensor(2), torch.tensor(W),
                                                        reduction=r), X),
    "nll_loss weight+ignore": (
        lambda x, r: F.nll_loss(x.log_softmax(1), IGNORED, W, reduction=r),
        lambda t, r: tF.nll_loss(t.log_softmax(1), torch.tensor(IGNORED), torch.tensor(W), reduction=r), X),
    "nll_loss K-dim": (lambda x, r: F.nll_loss(x, LABELS_K, W, reduction=r),
                       lambda t, r: tF.nll_loss(t, torch.tensor(LABELS_K), torch.tensor(W), reduction=r), XK),
    "bce weight": (lambda x, r: F.binary_cross_entropy(x.sigmoid(), BITS, W, reduction=r),
                   lambda t, r: tF.binary_cross_entropy(t.sigmoid(), torch.tensor(BITS), torch.tensor(W),
                                                        reduction=r), X),
    "bce_with_logits weight+pos_weight": (
        lambda x, r: F.binary_cross_entropy_with_logits(x, BITS, W[None] * np.ones((5, 1)), reduction=r,
                                                        pos_weight=W[::-1].copy()),
        lambda t, r: tF.binary_cross_entropy_with_logits(
            t, torch.tensor(BITS), torch.tensor(W[None] * np.ones((5, 1))), reduction=r,
            pos_weight=torch.tensor(W[::-1].copy())), X),
}


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")   # torch's note on kl_div's 'mean'
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_match_pytorch(name, reduction):
    ours_fn, theirs_fn, x = LOSSES[name]
    ours_x, theirs_x = _both(x)
    ours, theirs = ours_fn(ours_x, reduction), theirs_fn(theirs_x, reduction)
    _close(ours, theirs)
    g = RNG.standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    _close(ours_x.grad, theirs_x.grad, rtol=1e-9)


def test_kl_div_batchmean_and_modules_match_pytorch():
    x, t = _both(X)
    ours = nn.KLDivLoss(reduction="batchmean")(x.log_softmax(1), PROBS)
    theirs = torch.nn.KLDivLoss(reduction="batchmean")(t.log_softmax(1), torch.tensor(PROBS))
    _close(ours, theirs)
    pairs = [(nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5), Y),
             (nn.HuberLoss(delta=2.0), torch.nn.HuberLoss(delta=2.0), Y),
             (nn.CrossEntropyLoss(weight=Tensor(W), ignore_index=3, label_smoothing=0.05),
              torch.nn.CrossEntropyLoss(weight=torch.tensor(W), ignore_index=3, label_smoothing=0.05),
              LABELS),
             (nn.NLLLoss(weight=W), torch.nn.NLLLoss(weight=torch.tensor(W)), LABELS),
             (nn.BCEWithLogitsLoss(pos_weight=W), torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(W)),
              BITS)]
    for ours_m, theirs_m, target in pairs:
        _close(ours_m(Tensor(X), target), theirs_m(torch.tensor(X), torch.tensor(target)))


def test_every_target_ignored_gives_nan_as_pytorch():
    all_ignored = np.full(5, -100)
    assert np.isnan(F.cross_entropy(Tensor(X), all_ignored).item())
    assert np.isnan(tF.cross_entropy(torch.tensor(X), torch.tensor(all_ignored)).item())
    assert np.isnan(F.cross_entropy(Tensor(X), all_ignored, label_smoothing=0.1).item())
    assert F.cross_entropy(Tensor(X), all_ignored, reduction="sum").item() == 0.0


def test_one_hot_matches_pytorch():
    labels = np.array([[0, 2], [1, 4]])
    for n in (-1, 6):
        ours = F.one_hot(labels, n)
        theirs = tF.one_hot(torch.tensor(labels), n)
        assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(ValueError, match="one_hot: class index 4 is out of range for num_classes=3"):
        F.one_hot(labels, 3)
    with pytest.raises(TypeError, match="one_hot: expected an integer tensor"):
        F.one_hot(np.array([0.0]))


def test_softmax_dim_forms():
    x = RNG.standard_normal((2, 3, 4))
    for dim in (0, 1, -1):
        _close(F.softmax(Tensor(x), dim=dim), tF.softmax(torch.tensor(x), dim=dim))
        _close(F.log_softmax(Tensor(x), dim), tF.log_softmax(torch.tensor(x), dim))
        _close(nn.Softmax(dim=dim)(Tensor(x)), torch.nn.Softmax(dim=dim)(torch.tensor(x)))
        _close(nn.LogSoftmax(dim)(Tensor(x)), torch.nn.LogSoftmax(dim)(torch.tensor(x)))
    assert repr(nn.Softmax(dim=1)) == repr(torch.nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert nn.Softmax(axis=0).dim == 0
    _close(F.softmax(Tensor(x.astype(np.float32)), dim=1, dtype=np.float64),
           tF.softmax(torch.tensor(x.astype(np.float32)), dim=1, dtype=torch.float64), rtol=1e-6)


# --- layers ----------------------------------------------------------------------------------------

def _copy_weights(ours, theirs):
    """Load our model's state dict into the torch model (the names are the same)."""
    theirs.load_state_dict({k: torch.tensor(np.array(v.numpy())) for k, v in ours.state_dict().items()})


def test_flatten_unflatten():
    x = RNG.standard_normal((2, 3, 4, 5))
    for args in [(), (0,), (1, 2), (2, -1)]:
        _close(nn.Flatten(*args)(Tensor(x)), torch.nn.Flatten(*args)(torch.tensor(x)))
    _close(nn.Unflatten(1, (2, -1))(Tensor(x.reshape(2, 60))),
           torch.nn.Unflatten(1, (2, -1))(torch.tensor(x.reshape(2, 60))))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(nn.Unflatten(1, (3, 4))) == repr(torch.nn.Unflatten(1, (3, 4)))
    with pytest.raises(ValueError, match=r"Unflatten: cannot split axis 1 of length 60"):
        nn.Unflatten(1, (7, -1))(Tensor(x.reshape(2, 60)))


def test_embedding_with_padding_matches_pytorch():
    tinygrad_nn.manual_seed(0)
    ours = nn.Embedding(6, 3, padding_idx=2, dtype=np.float64)
    assert np.all(ours.weight.numpy()[2] == 0)
    theirs = torch.nn.Embedding(6, 3, padding_idx=2).double()
    _copy_weights(ours, theirs)
    with tinygrad_nn.no_grad():
        ours.weight[2] = 0.5             # a padding row the user changed is still returned
    with torch.no_grad():
        theirs.weight[2] = 0.5
    idx = np.array([[1, 2, 2], [5, 1, 0]])
    out, ref = ours(idx), theirs(torch.tensor(idx))
    _close(out, ref)
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    _close(ours.weight.grad, theirs.weight.grad)
    assert np.all(ours.weight.grad.numpy()[2] == 0)
    assert repr(ours) == repr(theirs) == "Embedding(6, 3, padding_idx=2)"
    with pytest.raises(IndexError, match=r"embedding: indices must be in \[0, 6\)"):
        ours(np.array([6]))


def test_embedding_from_pretrained():
    w = RNG.standard_normal((4, 2))
    frozen = nn.Embedding.from_pretrained(Tensor(w))
    assert not frozen.weight.requires_grad
    trainable = nn.Embedding.from_pretrained(w, freeze=False, padding_idx=0)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=False, padding_idx=0)
    _close(trainable(np.array([0, 3])), theirs(torch.tensor([0, 3])))
    assert trainable.weight.requires_grad and list(trainable.state_dict()) == ["weight"]


@pytest.mark.parametrize("options", [{"max_norm": 1.0}, {"max_norm": 1.5, "norm_type": 1.0},
                                     {"scale_grad_by_freq": True},
                                     {"max_norm": 1.0, "scale_grad_by_freq": True, "padding_idx": 5}])
def test_embedding_max_norm_and_scale_grad_by_freq_match_pytorch(options):
    w = RNG.standard_normal((6, 3)) * 2
    ours = nn.Embedding.from_pretrained(Tensor(w.copy()), freeze=False, **options)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w.copy()), freeze=False, **options)
    idx = np.array([[0, 2, 2], [4, 2, 5]])
    out, ref = ours(idx), theirs(torch.tensor(idx))
    _close(out, ref)
    _close(ours.weight, theirs.weight)             # max_norm renormalises the used rows in place
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    _close(ours.weight.grad, theirs.weight.grad)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("shape, normalized, affine, bias", [
    ((4, 5), 5, True, True), ((2, 3, 4), (3, 4), True, False), ((3, 4), [4], False, True)])
def test_layer_norm_matches_pytorch(shape, normalized, affine, bias):
    ours = nn.LayerNorm(normalized, eps=1e-3, elementwise_affine=affine, bias=bias, dtype=np.float64)
    theirs = torch.nn.LayerNorm(normalized, eps=1e-3, elementwise_affine=affine, bias=bias).double()
    if affine:
        with tinygrad_nn.no_grad():
            for p in ours.parameters():
                p.copy_(RNG.standard_normal(p.shape))
        _copy_weights(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    x, t = _both(RNG.standard_normal(shape))
    out, ref = ours(x), theirs(t)
    _close(out, ref)
    g = RNG.standard_normal(out.shape)
    out.backward(g)
    ref.backward(torch.tensor(g))
    _close(x.grad, t.grad, rtol=1e-8)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        _close(p.grad, q.grad, rtol=1e-8)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batch_norm_training_and_eval_match_pytorch(momentum, shape):
    ours = nn.BatchNorm1d(3, eps=1e-4, momentum=momentum, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(3, eps=1e-4, momentum=momentum).double()
    with tinygrad_nn.no_grad():
        ours.weight.copy_(RNG.standard_normal(3))
        ours.bias.copy_(RNG.standard_normal(3))
    _copy_weights(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    for step in range(4):
        x, t = _both(RNG.standard_normal(shape) * 2 + step)
        out, ref = ours(x), theirs(t)
        _close(out, ref)
        g = RNG.standard_normal(out.shape)
        out.backward(g)
        ref.backward(torch.tensor(g))
        _close(x.grad, t.grad, rtol=1e-8)
        _close(ours.weight.grad, theirs.weight.grad, rtol=1e-8)
        for name, buf in ours.named_buffers():
            _close(buf, getattr(theirs, name))
    assert ours.num_batches_tracked.item() == 4 and ours.num_batches_tracked.dtype == np.int64
    ours.eval()
    theirs.eval()
    x = RNG.standard_normal(shape)
    _close(ours(Tensor(x)), theirs(torch.tensor(x)))
    assert ours.num_batches_tracked.item() == 4                    # eval does not count
    assert repr(ours) == repr(theirs)


def test_batch_norm_without_running_stats_or_affine():
    ours = nn.BatchNorm1d(2, affine=False, track_running_stats=False, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(2, affine=False, track_running_stats=False).double()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    x = RNG.standard_normal((5, 2))
    for mode in (True, False):
        ours.train(mode)
        theirs.train(mode)
        _close(ours(Tensor(x)), theirs(torch.tensor(x)))
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        nn.BatchNorm1d(2).train()(Tensor(np.ones((1, 2), np.float32)))
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected input of shape \(N, 2\)"):
        nn.BatchNorm1d(2)(Tensor(np.ones((4, 3), np.float32)))


# --- modules: buffers, state dicts, containers, printing -----------------------------------------

class _Ours(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(7, 4)
        self.body = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 3))
        self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.LayerNorm(3)})
        self.scales = nn.ParameterList([nn.Parameter(np.ones(3, np.float32)),
                                        nn.Parameter(np.ones(2, np.float32))])
        self.register_buffer("step", Tensor(np.zeros((), np.float32)))
        self.register_buffer("scratch", Tensor(np.zeros(2, np.float32)), persistent=False)

    def forward(self, idx):
        h = self.heads["b"](self.body(self.embed(idx).sum(1)) * self.scales[0])
        return self.heads["a"](h) * self.scales[1]


class _Theirs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(7, 4)
        self.body = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.Tanh(),
                                        torch.nn.Linear(5, 3))
        self.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 2), "b": torch.nn.LayerNorm(3)})
        self.scales = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(3)),
                                              torch.nn.Parameter(torch.ones(2))])
        self.register_buffer("step", torch.zeros(()))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, idx):
        h = self.heads["b"](self.body(self.embed(idx).sum(1)) * self.scales[0])
        return self.heads["a"](h) * self.scales[1]


def test_a_model_with_every_container_matches_pytorch_names_and_outputs():
    ours, theirs = _Ours(), _Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert len(list(ours.children())) == len(list(theirs.children()))
    _copy_weights(ours, theirs)
    idx = np.array([[1, 2], [3, 6], [0, 0]])
    _close(ours(idx), theirs(torch.tensor(idx)), rtol=1e-5, atol=1e-6)
    ours.eval()
    theirs.eval()
    _close(ours(idx), theirs(torch.tensor(idx)), rtol=1e-5, atol=1e-6)


def test_print_model_is_pytorch_s():
    ours, theirs = _Ours(), _Theirs()
    expected = repr(theirs).replace("_Theirs", "_Ours").replace("torch.float32", "float32")
    assert repr(ours) == expected


def test_buffers_move_with_double_and_to():
    m = _Ours().double()
    assert m.step.dtype == np.float64 and m.scratch.dtype == np.float64
    assert m.body[1].running_mean.dtype == np.float64
    assert m.body[1].num_batches_tracked.dtype == np.int64        # a counter stays an integer
    m.to(np.float32)
    assert m.body[1].running_var.dtype == np.float32


def test_buffer_assignment_and_loading():
    m = nn.BatchNorm1d(2)
    m.running_mean = Tensor(np.array([1.0, 2.0], np.float32))
    assert "running_mean" in dict(m.named_buffers()) and m.state_dict()["running_mean"].tolist() == [1, 2]
    with pytest.raises(TypeError, match="cannot assign a list to buffer 'running_mean'"):
        m.running_mean = [1.0, 2.0]
    state = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    state["num_batches_tracked"] = np.array(7)
    fresh = nn.BatchNorm1d(2)
    fresh.load_state_dict(state)
    assert fresh.num_batches_tracked.item() == 7 and fresh.running_mean.tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="'running_var': shape \\(3,\\) in the state dict, but the buffer"):
        fresh.load_state_dict({**state, "running_var": np.ones(3)})
    with pytest.raises(KeyError, match="already a parameter"):
        m.register_buffer("weight", Tensor([1.0]))


def test_apply_visits_children_first_like_pytorch():
    ours, theirs = _Ours(), _Theirs()
    seen_ours, seen_theirs = [], []
    ours.apply(lambda m: seen_ours.append(type(m).__name__))
    theirs.apply(lambda m: seen_theirs.append(type(m).__name__))
    assert seen_ours == [n.replace("_Theirs", "_Ours") for n in seen_theirs]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            init.zeros_(m.weight)
    assert ours.apply(init_weights) is ours
    assert np.all(ours.body[0].weight.numpy() == 0)


def test_containers_behave_like_pytorch_s():
    md = nn.ModuleDict({"x": nn.Tanh()})
    md["y"] = nn.Sigmoid()
    assert list(md) == ["x", "y"] and "y" in md and len(md) == 2 and isinstance(md.pop("x"), nn.Tanh)
    with pytest.raises(KeyError, match="ModuleDict: no module 'z'"):
        md["z"]
    pl = nn.ParameterList([Tensor(np.zeros(2))])
    pl.append(nn.Parameter(np.ones(1)))
    assert len(pl) == 2 and isinstance(pl[0], nn.Parameter)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"a": nn.Parameter(np.zeros(2))})
    assert [n for n, _ in pd.named_parameters()] == ["a"] and "a" in pd


def test_requires_grad_zero_grad_and_train_eval():
    m = _Ours()
    assert m.requires_grad_(False) is m and not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    m(np.array([[1, 2]] * 3)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert not m.eval().body[1].training and m.train().heads["a"].training


# --- init ------------------------------------------------------------------------------------------

def test_calculate_gain_matches_pytorch():
    for name in ["linear", "conv1d", "conv2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "selu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)
    for slope in (None, 0.2, 5 ** 0.5):
        assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
            torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-15)


def test_deterministic_inits_match_pytorch():
    for shape in [(3, 5), (4, 2)]:
        ours = nn.Parameter(np.empty(shape))
        theirs = torch.empty(shape, dtype=torch.float64)
        _close(init.eye_(ours), torch.nn.init.eye_(theirs))
        _close(init.constant_(ours, 0.3), torch.nn.init.constant_(theirs, 0.3))
        _close(init.ones_(ours), torch.nn.init.ones_(theirs))


def test_random_inits_have_pytorch_s_distribution():
    w = nn.Parameter(np.empty((400, 300)))
    tinygrad_nn.manual_seed(0)
    bound = 1 / np.sqrt(300)      # kaiming_uniform_(a=sqrt(5)) is Linear's U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    d = init.kaiming_uniform_(w, a=5 ** 0.5).numpy()
    assert d.max() <= bound and d.min() >= -bound and d.max() > 0.99 * bound
    d = init.trunc_normal_(w, mean=0.5, std=1.0, a=-1.0, b=1.5).numpy()
    assert d.min() >= -1.0 and d.max() <= 1.5
    # the mean of N(0.5, 1) truncated to [-1, 1.5]: mu + (pdf(alpha) - pdf(beta)) / (cdf(beta) - cdf(alpha))
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    cdf = lambda z: (1 + math.erf(z / math.sqrt(2))) / 2             # noqa: E731
    expected = 0.5 + (pdf(-1.5) - pdf(1.0)) / (cdf(1.0) - cdf(-1.5))
    assert abs(d.mean() - expected) < 0.005                           # 120,000 samples: std error 0.0015
    theirs = torch.nn.init.trunc_normal_(torch.empty(400, 300, dtype=torch.float64), 0.5, 1.0, -1.0, 1.5)
    assert abs(theirs.mean().item() - expected) < 0.005
    q = init.orthogonal_(nn.Parameter(np.empty((3, 7))), gain=2.0).numpy()
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-12)
    layer = nn.Linear(300, 4)
    layer.reset_parameters()
    assert np.abs(layer.weight.numpy()).max() <= bound
