"""Matrix product as three loops (the canonical Numba example): `np.zeros((m, n))`, a local accumulator."""

import numpy as np

from translator import kernel, prange


@kernel
def matmul_loops(A, B):
    m, p = A.shape
    n = B.shape[1]
    C = np.zeros((m, n))
    for i in prange(m):
        for j in range(n):
            tmp = 0.0
            for k in range(p):
                tmp += A[i, k] * B[k, j]
            C[i, j] = tmp
    return C


CASES = {matmul_loops: lambda rng: (rng.random((14, 10)), rng.random((10, 12)))}
