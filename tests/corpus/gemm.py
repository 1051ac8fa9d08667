"""NPBench gemm, NumPy variant: one whole-array statement with two matrix products."""

from translator import kernel


@kernel
def gemm(alpha, beta, C, A, B):
    C[:] = alpha * A @ B + beta * C


CASES = {gemm: lambda rng: (1.5, 1.2, rng.random((20, 24)), rng.random((20, 30)), rng.random((30, 24)))}
