"""The primitive ops, one file per family: for each op, forward (numpy) and backward (Tensor ops)
side by side, its `derivative` rule, and the Tensor method that calls it. Importing the package
attaches every op to Tensor (see register.tensor_method); everything else on Tensor is composed
of these in _tensor.py.

Backward formulas use only Tensor operations and constants, so under `create_graph=True` they
are recorded and can be differentiated again. Gradients at kinks follow PyTorch: relu'(0) = 0,
abs'(0) = 0, leaky_relu'(0) = negative_slope, clip passes the gradient at its bounds, and ties in
maximum / max share the gradient equally.
"""
from .activations import (LeakyRelu, Relu, Sigmoid, SigmoidDerivative, Softplus, Tanh,
                          TanhDerivative, leaky_relu, relu, sigmoid, softplus, tanh)
from .arithmetic import (Add, Div, Maximum, Minimum, Mul, Pow, Sub, Where, add, div, maximum,
                         minimum, mul, power, sub, where)
from .elementwise import (Abs, Cast, Clip, Cos, Exp, Log, Neg, Sin, absolute, astype, clip, cos,
                          exp, log, neg, sin)
from .index import GetItem, ScatterAdd, getitem
from .linalg import Linear, MatMul, MatMulTN, linear, matmul, matmul_tn
from .reduce import (Max, Min, Sum, ValuesIndices, amax, amin, argmax, argmin, reduce_max,
                     reduce_min, reduce_sum)
from .register import ONE, ZERO, tensor_method
from .shape import Cat, Expand, Permute, Reshape, cat, concatenate, expand, permute, reshape, stack
# === opsshape: shape, indexing, cumulative and einsum ops ===
from .shape import Clone, clone, contiguous
from .index import Scatter, gather, index_select, masked_fill, masked_select, scatter, scatter_add, \
    scatter_reduce, take, take_along_dim
from . import layout  # noqa: F401  (flip, roll, split, repeat, tril, ...: Tensor methods)
from .pad import pad
from .cumulative import Cumprod, Cumsum, cummax, cummin, cumprod, cumsum
from .linalg import Einsum, bmm, cross, einsum, inner, kron, mv, outer
# opsmath: more math, rounding and comparison families (importing them attaches their methods)
from . import compare, math, rounding, sort  # noqa: E402,F401
from .math import (Acos, Acosh, Asin, Asinh, Atan, Atan2, Atanh, Cosh, Erf, Erfc, Expm1, Log1p,
                   Log2, Log10, Sinh, Tan)
from .rounding import Ceil, Floor, FloorDivide, Fmod, Remainder, Round, Sign, Trunc
from .reduce import Median, Prod
from .sort import bucketize, searchsorted
# more methods and functions PyTorch scripts use: bitwise operators, statistics, joining helpers
from . import bitwise, statistics  # noqa: E402,F401
from .joining import (atleast_1d, atleast_2d, atleast_3d, broadcast_tensors, cartesian_prod,  # noqa: E402
                      column_stack, concat, dstack, hstack, row_stack, vstack)
from .linalg import tensordot  # noqa: E402
# last: the in-place variants are made from the out-of-place methods above
from . import inplace  # noqa: E402,F401

__all__ = [
    "Abs", "Add", "Cast", "Cat", "Clip", "Cos", "Div", "Exp", "Expand", "GetItem", "LeakyRelu",
    "Linear", "Log", "MatMul", "MatMulTN", "Max", "Maximum", "Mul", "Neg", "Permute", "Pow",
    "Relu", "Reshape", "ScatterAdd", "Sigmoid", "SigmoidDerivative", "Sin", "Softplus", "Sub",
    "Sum", "Tanh", "TanhDerivative", "Where", "ONE", "ZERO", "absolute", "add", "astype", "cat",
    "clip", "concatenate", "cos", "div", "exp", "expand", "getitem", "leaky_relu", "linear", "log",
    "matmul", "matmul_tn", "maximum", "mul", "neg", "permute", "power", "reduce_max",
    "reduce_sum", "relu", "reshape", "sigmoid", "sin", "softplus", "stack", "sub", "tanh",
    "tensor_method", "where",
    # opsshape
    "Clone", "Cumprod", "Cumsum", "Einsum", "Scatter", "bmm", "clone", "contiguous", "cummax",
    "cummin", "cumprod", "cumsum", "einsum", "gather", "index_select", "inner", "kron",
    "masked_fill", "masked_select", "mv", "outer", "pad", "scatter", "scatter_add",
    "scatter_reduce", "take", "take_along_dim", "cross",
    # opsmath
    "Min", "Minimum", "ValuesIndices", "amax", "amin", "argmax", "argmin", "minimum", "reduce_min",
    "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atan2", "Atanh", "Cosh", "Erf", "Erfc", "Expm1",
    "Log1p", "Log2", "Log10", "Sinh", "Tan", "Ceil", "Floor", "FloorDivide", "Fmod", "Remainder",
    "Round", "Sign", "Trunc", "Median", "Prod", "searchsorted",
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_tensors", "bucketize", "cartesian_prod",
    "column_stack", "concat", "dstack", "hstack", "row_stack", "tensordot", "vstack",
]
# square-matrix ops (inverse, det, slogdet, logdet: Tensor methods; solve: a function)
from .linalg_solve import Det, Inverse, LogAbsDet, Solve, SignLogAbsDet, solve  # noqa: E402
__all__ += ["Det", "Inverse", "LogAbsDet", "Solve", "SignLogAbsDet", "solve"]
