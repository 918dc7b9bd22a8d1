"""Everyday tensor manipulation: stacking, broadcasting, masks, scatter/index adds, statistics."""
# tolerance: 1e-6
import torch

a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
b = torch.full((2, 3), 0.5)
print("hstack", list(torch.hstack([a, b]).shape), "vstack", torch.vstack([a, b]).tolist())
print("concat", torch.concat([a, b], dim=1).sum().item(), "column", torch.column_stack([a[0], b[0]]).tolist())
x, y = torch.broadcast_tensors(torch.tensor([[1.0], [2.0]]), torch.tensor([10.0, 20.0, 30.0]))
print("broadcast", x.tolist(), list(y.shape))
m = a.clone()
m.masked_fill_(m > 3, -1.0)
print("masked_fill_", m.tolist(), "where", a.where(a > 2, torch.zeros_like(a)).tolist())
counts = torch.zeros(4).scatter_add_(0, torch.tensor([0, 1, 1, 3, 3, 3]), torch.ones(6))
added = torch.zeros(3, 2).index_add_(0, torch.tensor([0, 2, 0]), torch.ones(3, 2))
print("scatter_add_", counts.tolist(), "index_add_", added.tolist())
print("argwhere", torch.argwhere(a > 2).tolist(), "nonzero", (a > 2).nonzero().tolist())
v = torch.tensor([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
print("quantile", [round(q, 5) for q in torch.quantile(v, torch.tensor([0.1, 0.5, 0.9])).tolist()])
print("bucketize", torch.bucketize(v, torch.tensor([1.0, 3.0, 5.0])).tolist(),
      "histc", torch.histc(v, bins=4, min=0, max=10).tolist())
lo, hi = torch.aminmax(v)
print("aminmax", lo.item(), hi.item(), "rot90", torch.rot90(a, 1, [0, 1]).tolist())
pts = torch.stack([v, v.flip(0) * 0.5])
print("cov", [round(c, 5) for c in torch.cov(pts).flatten().tolist()],
      "corr", round(torch.corrcoef(pts)[0, 1].item(), 6))
print("tensordot", torch.tensordot(a, a.T, dims=1).tolist(),
      "cartesian", torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([5, 6])).tolist())
print("new", a.new_ones(2).tolist(), a.new_full((1, 2), 7.0).tolist(),
      a.new_tensor([1, 2]).dtype == torch.int64,
      a.type_as(torch.tensor([1], dtype=torch.int64)).dtype == torch.int64)
print("stride", a.stride(), a.t().stride(), a.is_contiguous(), a.t().is_contiguous(), a.element_size())
print("nan_to_num", torch.tensor([float("nan"), float("inf"), -1.0]).nan_to_num(posinf=9.0).tolist())
with_nan = torch.tensor([1.0, float("nan"), 2.0])
print("nansum", torch.nansum(with_nan).item(), "nanmean", torch.nanmean(with_nan).item())
print("equal", torch.equal(a, a.clone()),
      "float_power", torch.float_power(torch.tensor([2, 3]), 2).dtype == torch.float64,
      "promote", torch.promote_types(torch.int32, torch.float32) == torch.float32,
      torch.result_type(torch.tensor([1, 2]), 2.5) == torch.float32)
print("in", 3.0 in a, "index", [10, 20, 30][torch.tensor(2)])
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
loss = (torch.hstack([w, w * w]).sum() + torch.quantile(w, 0.5) + torch.cov(torch.stack([w, w.exp()]))[0, 1])
loss.backward()
print("grad through stacks, quantile and cov", [round(g, 5) for g in w.grad.tolist()])
