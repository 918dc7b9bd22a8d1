"""Embeddings compared by cosine similarity and distances, trained a few steps with a triplet
loss; nearest neighbours with topk."""
# tolerance: 1e-5
import torch
import torch.nn as nn
import torch.nn.functional as F

emb = nn.Embedding(10, 4)
with torch.no_grad():
    emb.weight.copy_(torch.cos(torch.arange(40, dtype=torch.float32) * 0.61).reshape(10, 4))
ids = torch.tensor([0, 3, 7])
v = emb(ids)
unit = F.normalize(v, p=2, dim=1)
print("unit norms", [round(x, 5) for x in torch.linalg.vector_norm(unit, dim=1).tolist()])
print("cos", [round(x, 5) for x in F.cosine_similarity(v[0:1], emb.weight, dim=1).tolist()])
print("cdist", [round(x, 4) for x in torch.cdist(v, emb.weight).flatten()[:8].tolist()])
print("pairwise", [round(x, 5) for x in F.pairwise_distance(v[0:2], v[1:3]).tolist()])
sims = unit @ F.normalize(emb.weight, dim=1).T
values, idx = sims.topk(3, dim=1)
print("neighbours", idx.tolist(), [round(x, 4) for x in values.flatten().tolist()])

opt = torch.optim.SGD(emb.parameters(), lr=0.2, momentum=0.5)
anchor, positive, negative = torch.tensor([0, 1, 2]), torch.tensor([9, 4, 6]), torch.tensor([5, 8, 3])
for step in range(5):
    opt.zero_grad()
    loss = F.triplet_margin_loss(emb(anchor), emb(positive), emb(negative), margin=2.0)
    cosine = nn.CosineEmbeddingLoss(margin=0.1)(emb(anchor), emb(negative), torch.tensor([-1.0, 1.0, -1.0]))
    (loss + cosine).backward()
    opt.step()
    print(step, f"{loss.item():.5f}", f"{cosine.item():.5f}")
print("grad norm", f"{emb.weight.grad.norm().item():.5f}")
