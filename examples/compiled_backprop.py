"""The straight-line program of one training step of a 3-2-1 tanh network, beside the course
notes' backprop update rules: tinygrad_nn.compile records every numpy call of the step, and the
recording reads like the hand-written backward pass.

Run:  python examples/compiled_backprop.py [--quick]

The notes write the error as e = y - ŷ and then update w -= lr * e * (...): with that e the step
goes *up* the loss. The rules below use e = ŷ - y (the derivative of (ŷ - y)² / 2), so
w -= lr * e * (...) goes down, which is what the recorded program does too.
"""
import argparse

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn
from tinygrad_nn.datasets import regression

LR = 0.1

# The course notes' rules, sign error fixed, in the order the program computes them: each is put
# beside the next line of the program that contains its key.
NOTES = [
    ("= linear(x,", "z1 = W1 x + b1"),
    ("= tanh(", "h = tanh(z1)"),
    ("= linear(", "ŷ = W2 h + b2"),
    ("= sub(", "e = ŷ - y            (the notes: y - ŷ)"),
    ("= pow(", "loss = mean(e²)"),
    ("= pow(", "d(e²)/de = 2 e        (its 2 / N is folded into the next constant)"),
    ("= mul(", "dŷ = 2 e / N"),
    ("= matmul(", "dh = dŷ W2"),
    ("= matmultn(", "dW2 = dŷᵀ h"),
    ("= sum(", "db2 = Σ dŷ"),
    ("= tanhderivative(", "dz1 = dh ⊙ (1 - h²)  (tanh' = 1 - tanh²)"),
    ("= matmultn(", "dW1 = dz1ᵀ x"),
    ("= sum(", "db1 = Σ dz1"),
    ("weight -=", "W1 ← W1 - lr · dW1    (the notes: w -= lr · (y - ŷ) · ...)"),
    ("bias -=", "b1 ← b1 - lr · db1"),
    ("weight -=", "W2 ← W2 - lr · dW2"),
    ("bias -=", "b2 ← b2 - lr · db2"),
]


def make_step(model: nn.MLP):
    params = list(model.parameters())

    def step(x: Tensor, y: Tensor) -> Tensor:
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        with tg.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=LR)   # w ← w - lr · dw
                p.grad = None
        return loss
    return step


def beside(code: str) -> str:
    lines, rules = [], list(NOTES)
    for line in code.splitlines():
        body = line.split("#")[0].rstrip() if "# ---" not in line else line
        rule = ""
        if rules and rules[0][0] in body:
            rule = "| " + rules.pop(0)[1]
        lines.append(f"{body:<52} {rule}".rstrip())
    assert not rules, f"rules without a line in the program: {rules}"
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer training steps (for the tests)")
    steps = 30 if parser.parse_args().quick else 300

    tg.set_default_dtype(np.float64)
    x, y = regression(n=100, weights=(2.0, -1.0, 5.0), seed=0, dtype=np.float64)
    x, y = Tensor(x), Tensor(y[:, None])        # (N, 3), (N, 1)
    tg.manual_seed(0)
    model, twin = nn.MLP([3, 2, 1], activation="tanh"), nn.MLP([3, 2, 1], activation="tanh")
    twin.load_state_dict(model.state_dict())
    step, eager = tg.compile(make_step(model)), make_step(twin)

    for i in range(1, steps + 1):
        loss, loss_eager = step(x, y), eager(x, y)
        assert abs(loss.item() - loss_eager.item()) <= 1e-12
        if i % (steps // 3) == 0:
            print(f"step {i:4d}: mean squared error {loss.item():.5f} (eager: {loss_eager.item():.5f})")
    worst = max(np.abs(p.numpy() - q.numpy()).max()
                for p, q in zip(model.parameters(), twin.parameters()))
    print(f"after {steps} steps the compiled and eager weights differ by at most {worst:.1e}")
    print(f"{step.explain().splitlines()[0]}\n")
    print("the recorded program (one line per numpy call)  | the course notes' rule")
    print(beside(step.code))


if __name__ == "__main__":
    main()
