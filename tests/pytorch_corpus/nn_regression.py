"""torch.nn and torch.optim on a linspace regression: weights set in place under no_grad."""
# tolerance: 1e-5
import torch
from torch import nn

device = "cuda" if torch.cuda.is_available() else "cpu"
x = torch.linspace(-1, 1, 40).unsqueeze(1)
y = 0.5 * x ** 3 - x + 0.2

model = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1)).to(device)
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.cos(torch.arange(p.numel()).float() * (i + 1) * 0.9).reshape(p.shape) * 0.5)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(100):
    pred = model(x.to(device))
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 20 == 19:
        print(epoch, f"{loss.item():.6f}")
with torch.no_grad():
    print("test", [round(v, 5) for v in model(torch.tensor([[0.0], [0.5]])).flatten().tolist()])
print("params", sum(p.numel() for p in model.parameters()))
