"""A micrograd-style neuron and a tiny MLP made of plain tensors, checked against hand math."""
# tolerance: 1e-10
import random

import torch

x1 = torch.Tensor([2.0]).double()
x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()
x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()
w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()
w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()
b.requires_grad = True
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
print(o.data.item())
o.backward()
print("x2", x2.grad.item(), "w2", w2.grad.item(), "x1", x1.grad.item(), "w1", w1.grad.item())

random.seed(0)


class Neuron:
    def __init__(self, nin):
        self.w = [torch.tensor(random.uniform(-1, 1), dtype=torch.float64, requires_grad=True)
                  for _ in range(nin)]
        self.b = torch.tensor(random.uniform(-1, 1), dtype=torch.float64, requires_grad=True)

    def __call__(self, x):
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        return act.tanh()

    def parameters(self):
        return self.w + [self.b]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [[Neuron(sizes[i]) for _ in range(sizes[i + 1])] for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = [n(x) for n in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


model = MLP(3, [4, 4, 1])
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
for k in range(20):
    ypred = [model(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
    for p in model.parameters():
        p.grad = None
    loss.backward()
    for p in model.parameters():
        p.data += -0.05 * p.grad
    if k % 5 == 4:
        print(k, f"{loss.item():.10f}")
print([round(model(x).item(), 10) for x in xs])
