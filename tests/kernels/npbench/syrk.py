"""syrk, the lower triangle of C = alpha * A A^T + beta * C: row slices that grow with i
(`C[i, :i + 1]`), updated with column slices of A (`A[:i + 1, k]`)."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def syrk(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, 1.2, rng.random((30, 30)), rng.random((30, 20))
