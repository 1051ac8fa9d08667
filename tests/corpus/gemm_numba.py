"""NPBench gemm, Numba prange variant: `m, n = C.shape`, rows in parallel, scalar triple loop."""

from translator import kernel, prange


@kernel
def gemm_numba(alpha, beta, C, A, B):
    m, n = C.shape
    for i in prange(m):
        for j in range(n):
            C[i, j] *= beta
        for k in range(A.shape[1]):
            for j in range(n):
                C[i, j] += alpha * A[i, k] * B[k, j]


CASES = {gemm_numba: lambda rng: (1.5, 1.2, rng.random((20, 24)), rng.random((20, 30)), rng.random((30, 24)))}
