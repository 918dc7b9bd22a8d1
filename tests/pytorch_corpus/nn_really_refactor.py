"""A logistic-regression model refactored step by step, as the classic "what is torch.nn really"
walk-through does: by hand, then F.cross_entropy, nn.Module with nn.Parameter, nn.Linear, optim,
TensorDataset/DataLoader, and a fit() loop with a validation set."""
# tolerance: 1e-5
import math

import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

n, d, c = 64, 6, 3
grid = torch.arange(n * d, dtype=torch.float32).reshape(n, d)
x_train = torch.sin(grid * 0.37) * torch.cos(grid * 0.11)
y_train = (x_train[:, :3].sum(1) > 0).long() + (x_train[:, 3] > 0.3).long()
x_valid, y_valid = x_train[48:], y_train[48:]
x_train, y_train = x_train[:48], y_train[:48]
bs, lr = 16, 0.5

weights = torch.cos(torch.arange(d * c, dtype=torch.float32)).reshape(d, c) / math.sqrt(d)
weights.requires_grad_()
bias = torch.zeros(c, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


xb, yb = x_train[0:bs], y_train[0:bs]
print("by hand", f"{nll(model(xb), yb).item():.6f}", f"{accuracy(model(xb), yb).item():.4f}")
gap = abs(F.cross_entropy(xb @ weights + bias, yb).item() - nll(model(xb), yb).item())
print("F.cross_entropy agrees", gap < 1e-6)
for epoch in range(3):
    for i in range((48 - 1) // bs + 1):
        xb, yb = x_train[i * bs:i * bs + bs], y_train[i * bs:i * bs + bs]
        loss = nll(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print("after the manual loop", f"{nll(model(x_train), y_train).item():.6f}")


class Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(d, c)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    m = Logistic()
    with torch.no_grad():
        m.lin.weight.copy_(torch.cos(torch.arange(c * d, dtype=torch.float32)).reshape(c, d) / math.sqrt(d))
        m.lin.bias.zero_()
    return m, optim.SGD(m.parameters(), lr=lr, momentum=0.9)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = sum(v * m for v, m in zip(losses, nums)) / sum(nums)
        print(epoch, f"{val_loss:.6f}")


train_dl = DataLoader(TensorDataset(x_train, y_train), batch_size=bs)
valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=bs * 2)
model, opt = get_model()
fit(4, model, F.cross_entropy, opt, train_dl, valid_dl)
print("parameters", sum(p.numel() for p in model.parameters()), model)
