"""Benchmarks: tinygrad_nn side by side with hand-written numpy and PyTorch (run `python -m benchmarks`).

BLAS is pinned to one thread here, before anything imports numpy: a BLAS pool that grows to
all cores would make the matmul-heavy workloads measure the machine's load, not the framework.
"""
import os

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def pin_threads() -> None:
    """Set every BLAS/OpenMP thread variable to 1 (effective only before numpy is imported)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"


pin_threads()
