"""Weights move between tinygrad_nn and PyTorch in the safetensors format, both ways, giving the
same outputs (torch parts skipped without torch; all skipped without the safetensors package)."""
import numpy as np
import pytest

import tinygrad_nn
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.safetensors_io import load_safetensors, save_safetensors

pytest.importorskip("safetensors")


class Ours(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(10, 4, padding_idx=0)
        self.body = nn.Sequential(nn.Linear(8, 6), nn.BatchNorm1d(6), nn.Tanh(), nn.Linear(6, 6),
                                  nn.LayerNorm(6), nn.ReLU(), nn.Linear(6, 3))

    def forward(self, idx):
        return self.body(self.embed(idx).flatten(1))                # (N, 2) -> (N, 8) -> (N, 3)


def _torch_model(torch):
    class Theirs(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(10, 4, padding_idx=0)
            self.body = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.BatchNorm1d(6), torch.nn.Tanh(),
                                            torch.nn.Linear(6, 6), torch.nn.LayerNorm(6), torch.nn.ReLU(),
                                            torch.nn.Linear(6, 3))

        def forward(self, idx):
            return self.body(self.embed(idx).flatten(1))
    return Theirs()


IDX = np.random.default_rng(0).integers(0, 10, (16, 2))
LABELS = np.random.default_rng(1).integers(0, 3, 16)


def _train_ours(model, steps=20):
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.cross_entropy(model(IDX), LABELS).backward()
        opt.step()


def test_round_trip_keeps_names_dtypes_and_values(tmp_path):
    tinygrad_nn.manual_seed(0)
    model = Ours()
    _train_ours(model, 3)
    path = tmp_path / "model.safetensors"
    tinygrad_nn.save(model.state_dict(), path)          # the suffix picks the format
    loaded = tinygrad_nn.load(path)
    state = model.state_dict()
    assert sorted(loaded) == sorted(state)                 # safetensors keeps its own order
    for name, value in state.items():
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name].numpy(), value.numpy())
    counter = loaded["body.1.num_batches_tracked"]
    assert counter.dtype == np.int64 and counter.item() == 3
    fresh = Ours()
    fresh.load_state_dict(loaded)
    model.eval()
    fresh.eval()
    np.testing.assert_array_equal(fresh(IDX).numpy(), model(IDX).numpy())
    save_safetensors({"w": np.ones(3)}, tmp_path / "meta.safetensors", metadata={"epoch": "3"})
    assert load_safetensors(tmp_path / "meta.safetensors")["w"].tolist() == [1.0, 1.0, 1.0]


def test_a_model_trained_here_runs_the_same_in_pytorch(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file
    tinygrad_nn.manual_seed(0)
    model = Ours()
    _train_ours(model)
    tinygrad_nn.save(model.state_dict(), tmp_path / "ours.safetensors")
    theirs = _torch_model(torch)
    theirs.load_state_dict(load_file(str(tmp_path / "ours.safetensors")))    # strict: every name matches
    assert theirs.body[1].num_batches_tracked.item() == 20
    model.eval()
    theirs.eval()
    np.testing.assert_allclose(model(IDX).numpy(), theirs(torch.tensor(IDX)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    model.train()
    theirs.train()                                                          # batch statistics too
    np.testing.assert_allclose(model(IDX).numpy(), theirs(torch.tensor(IDX)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_a_model_trained_in_pytorch_runs_the_same_here(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file
    torch.manual_seed(0)
    theirs = _torch_model(torch).double()
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    for _ in range(15):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(theirs(torch.tensor(IDX)), torch.tensor(LABELS)).backward()
        opt.step()
    save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    model = Ours().double()
    model.load_state_dict(tinygrad_nn.load(tmp_path / "theirs.safetensors"))
    assert model.body[1].num_batches_tracked.item() == 15 and model.body[0].weight.dtype == np.float64
    for mode in (False, True):
        model.train(mode)
        theirs.train(mode)
        np.testing.assert_allclose(model(IDX).numpy(), theirs(torch.tensor(IDX)).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(TypeError, match="'optim' is a dict; a .safetensors file holds only tensors"):
        tinygrad_nn.save({"optim": {"lr": 0.1}}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="one flat dict"):
        tinygrad_nn.save([Tensor([1.0])], tmp_path / "x.safetensors")
    with pytest.raises(FileNotFoundError, match="no file at"):
        tinygrad_nn.load(tmp_path / "missing.safetensors")
    (tmp_path / "bad.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        tinygrad_nn.load(tmp_path / "bad.safetensors")
    assert not list(tmp_path.glob(".*.tmp"))                                 # no temporary file left behind
