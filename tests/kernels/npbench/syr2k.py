"""syr2k, the lower triangle of C = alpha * (A B^T + B A^T) + beta * C: as syrk, with two column
slices per update."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def syr2k(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += A[:i + 1, k] * alpha * B[i, k] + B[:i + 1, k] * alpha * A[i, k]


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, 1.2, rng.random((30, 30)), rng.random((30, 20)), rng.random((30, 20))
