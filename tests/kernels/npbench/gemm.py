"""gemm, C = alpha * A @ B + beta * C, row by row: each iteration scales its row of C, then adds
scaled rows of B (row-slice statements inside `prange`)."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def gemm(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    for i in prange(C.shape[0]):
        C[i, :] *= beta
        for k in range(A.shape[1]):
            C[i, :] += alpha * A[i, k] * B[k, :]


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, 1.2, rng.random((20, 25)), rng.random((20, 30)), rng.random((30, 25))
