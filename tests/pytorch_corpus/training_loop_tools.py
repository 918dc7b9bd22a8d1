"""A classic training loop: DataLoader batches, AdamW with OneCycleLR, gradient clipping,
accuracy from boolean masks, predictions gathered with torch.cat under no_grad."""
# tolerance: 1e-5
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

n = 96
t = torch.arange(n, dtype=torch.float32)
X = torch.stack([torch.sin(t * 0.37), torch.cos(t * 0.21), torch.sin(t * 0.11 + 1.0)], dim=1)
y = ((X[:, 0] + 0.5 * X[:, 1] - X[:, 2]) > 0).long()
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=False)

model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Dropout(p=0.0), nn.Linear(16, 2))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(0.4 * torch.sin(torch.arange(p.numel(), dtype=torch.float32) * (0.7 + i)).view_as(p))
optimizer = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01)
epochs = 6
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=epochs,
                                                steps_per_epoch=len(loader))
for epoch in range(epochs):
    model.train()
    total, norms = 0.0, []
    for xb, yb in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
        optimizer.step()
        scheduler.step()
        total += loss.item() * xb.size(0)
    print(f"epoch {epoch} loss {total / n:.5f} max-norm {max(norms):.5f} lr {scheduler.get_last_lr()[0]:.6f}")

model.eval()
with torch.no_grad():
    logits = torch.cat([model(xb) for xb, _ in loader])
    pred = logits.argmax(dim=1)
    correct = (pred == y)
    both = correct & (y == 1)
    print("accuracy", f"{correct.float().mean().item():.4f}", "ones right", int(both.sum()),
          "of", int((y == 1).sum()), "wrong", int((~correct).sum()))
    probs = F.softmax(logits, dim=-1)
    print("confidence", [round(v, 4) for v in probs.max(dim=1).values[:5].tolist()])
