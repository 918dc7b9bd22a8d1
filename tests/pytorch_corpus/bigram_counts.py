"""A makemore-style bigram model from counts: int32 count table, normalization in place,
negative log-likelihood; sampling with a seeded Generator (whose draws differ between libraries,
so only their validity is printed)."""
# tolerance: 1e-5
import torch

words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia", "harper",
         "evelyn", "abigail", "emily", "elizabeth", "mila", "ella", "avery", "sofia", "camila"]
chars = sorted(list(set("".join(words))))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)

N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
print("counts", N.sum().item(), N[0].tolist()[:8], N.dtype == torch.int32)

P = (N + 1).float()
P /= P.sum(1, keepdim=True)
print("row sums", [round(s, 5) for s in P.sum(1).tolist()[:5]])

log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        logprob = torch.log(P[stoi[ch1], stoi[ch2]])
        log_likelihood += logprob
        n += 1
nll = -log_likelihood
print(f"nll={nll.item():.6f}", f"mean={(nll / n).item():.6f}", n)

g = torch.Generator().manual_seed(2147483647)
names = []
for i in range(5):
    out = []
    ix = 0
    while True:
        p = P[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0 or len(out) > 30:
            break
    names.append("".join(out))
print("sampled", len(names), all(name.endswith(".") or len(name) > 30 for name in names))
