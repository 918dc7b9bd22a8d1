"""One neuron, two classifiers: a sigmoid neuron is logistic regression; with a hinge loss the
same neuron is a linear SVM.

Run:  python examples/neuron.py [--quick]

A neuron computes a weighted sum of its inputs plus a bias, s = w·x + b, and passes it
through an activation. Trained on 2-D points from two clusters:
  1. sigmoid(s) read as P(class 1), trained with binary cross-entropy  -> logistic regression
  2. the raw score s, trained with max(0, 1 - y·s) for labels y = ±1
     plus a small L2 penalty on w                                       -> a (soft-margin) SVM
Both end up with a straight decision boundary w·x + b = 0.
"""
import argparse

import numpy as np

import tinygrad_nn as tg
from tinygrad_nn import Tensor, nn, optim
from tinygrad_nn.datasets import blobs


def train(neuron: nn.Linear, loss_fn, x: np.ndarray, targets: np.ndarray, steps: int,
          weight_decay: float = 0.0) -> float:
    """Full-batch gradient descent on one neuron; returns the last loss."""
    opt = optim.SGD(neuron.parameters(), lr=0.5, weight_decay=weight_decay)
    for _ in range(steps):
        opt.zero_grad()
        scores = neuron(Tensor(x))             # (N, 1): s = w·x + b for every point
        loss = loss_fn(scores, targets)
        loss.backward()
        opt.step()
    return loss.item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (for the tests)")
    steps = 30 if parser.parse_args().quick else 300

    # two Gaussian clusters, centred at (-1, -1) and (1, 1)
    x, y = blobs(n=200, centers=[[-1.0, -1.0], [1.0, 1.0]], std=0.7, seed=0)
    y01 = y[:, None].astype(np.float32)        # (N, 1) labels 0/1 for cross-entropy
    y_pm = 2 * y01 - 1                         # (N, 1) labels -1/+1 for the hinge loss

    tg.manual_seed(0)
    logistic = nn.Linear(2, 1)
    # BCEWithLogitsLoss applies the sigmoid itself, in a form that cannot overflow
    loss = train(logistic, nn.BCEWithLogitsLoss(), x, y01, steps)
    with tg.no_grad():
        p = logistic(Tensor(x)).sigmoid().numpy()          # P(class 1) for each point
    accuracy = ((p > 0.5) == (y01 > 0.5)).mean()
    w, b = logistic.weight.numpy()[0], logistic.bias.item()
    print(f"logistic regression: loss {loss:.3f}, accuracy {accuracy:.1%}, "
          f"boundary {w[0]:+.2f}·x1 {w[1]:+.2f}·x2 {b:+.2f} = 0")

    tg.manual_seed(0)
    svm = nn.Linear(2, 1)
    # the L2 penalty is what makes it an SVM: among separating lines, prefer the widest margin
    loss = train(svm, nn.BinaryHingeLoss(), x, y_pm, steps, weight_decay=0.01)
    with tg.no_grad():
        s = svm(Tensor(x)).numpy()
    accuracy = (np.sign(s) == y_pm).mean()
    w, b = svm.weight.numpy()[0], svm.bias.item()
    margin = 2 / np.linalg.norm(w)
    print(f"linear SVM:          loss {loss:.3f}, accuracy {accuracy:.1%}, "
          f"boundary {w[0]:+.2f}·x1 {w[1]:+.2f}·x2 {b:+.2f} = 0, margin width {margin:.2f}")
    # points with y·s < 1 are inside the margin or wrong: the support vectors that shape w
    print(f"support vectors (y·s < 1): {int((y_pm * s < 1).sum())} of {len(x)}")


if __name__ == "__main__":
    main()
