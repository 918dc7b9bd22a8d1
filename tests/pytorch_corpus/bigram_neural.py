"""The bigram model as a one-layer network: one-hot by indexing, softmax by hand, manual SGD
through .data (the weights start from fixed values, so both libraries see the same numbers)."""
# tolerance: 1e-5
import torch

words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn"]
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
V = len(stoi)

xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("examples", num, xs.dtype == torch.int64)

W = torch.sin(torch.arange(V * V).float().reshape(V, V)).requires_grad_()
xenc = torch.zeros(num, V)
xenc[torch.arange(num), xs] = 1.0
for k in range(30):
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
    W.grad = None
    loss.backward()
    W.data += -10 * W.grad
    if k % 6 == 5:
        print(k, f"{loss.item():.6f}")
print("argmax", torch.argmax(W, dim=1).tolist())
