"""Neural-network building blocks with PyTorch's names and shapes.

>>> from tinygrad_nn import nn
>>> model = nn.MLP([3, 4, 2])          # Linear(3, 4) -> ReLU -> Linear(4, 2)
>>> model.num_parameters()
26
"""
from . import functional, init
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .activations import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .activations import (CELU, ELU, GELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish,  # opsmath
                          Hardtanh, LogSigmoid, Mish, PReLU, ReLU6, SiLU, Softshrink, Softsign,
                          Tanhshrink, Threshold)
from .layers import Dropout, Identity, Linear, Maxout
from .losses import (BCELoss, BCEWithLogitsLoss, BinaryHingeLoss, CrossEntropyLoss,
                     HingeEmbeddingLoss, L1Loss, MSELoss, MultiMarginLoss, NLLLoss)
from .mlp import MLP
from .module import IncompatibleKeys, Module, ModuleList, Parameter, Sequential
# nnlib: PyTorch's containers, lookup and normalisation layers, and more losses
from .containers import ModuleDict, ParameterDict, ParameterList
from .layers import Embedding, Flatten, Unflatten
from .losses import HuberLoss, KLDivLoss, SmoothL1Loss
# distances, bilinear, softmin and the ranking / embedding / likelihood losses; torch.nn.utils
from .activations import Softmin
from .layers import Bilinear, CosineSimilarity, PairwiseDistance
from .losses import (CosineEmbeddingLoss, GaussianNLLLoss, MarginRankingLoss, MultiLabelSoftMarginLoss,
                     PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss)
from . import utils
from .normalization import BatchNorm1d, LayerNorm

__all__ = [
    "functional", "init",
    "Parameter", "Module", "ModuleList", "Sequential", "IncompatibleKeys",
    "ModuleDict", "ParameterList", "ParameterDict", "Flatten", "Unflatten", "Embedding", "LayerNorm",
    "BatchNorm1d", "SmoothL1Loss", "HuberLoss", "KLDivLoss",
    "Linear", "Identity", "Dropout", "Maxout", "MLP",
    "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCEWithLogitsLoss", "BCELoss",
    "HingeEmbeddingLoss", "BinaryHingeLoss", "MultiMarginLoss",
    "clip_grad_norm_", "clip_grad_value_",
    # opsmath: activation modules
    "GELU", "SiLU", "ELU", "CELU", "SELU", "Mish", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish",
    "Softsign", "LogSigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "Threshold", "PReLU", "GLU",
    "utils", "Softmin", "Bilinear", "CosineSimilarity", "PairwiseDistance", "MarginRankingLoss",
    "TripletMarginLoss", "CosineEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
    "PoissonNLLLoss", "GaussianNLLLoss",
]
