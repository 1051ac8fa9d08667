"""symm, C = alpha * A B + beta * C with A symmetric (lower triangle stored): C is scaled whole
(`C *= beta`), then a host loop over rows updates every column in parallel with column slices of C
and B and a row slice of A."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def symm(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    C *= beta
    for i in range(C.shape[0]):
        for j in prange(C.shape[1]):
            C[:i, j] += alpha * B[i, j] * A[i, :i]
            C[i, j] += alpha * B[i, j] * A[i, i] + alpha * (B[:i, j] @ A[i, :i])


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, 1.2, rng.random((30, 25)), rng.random((30, 30)), rng.random((30, 25))
