"""mvt, x1 += A @ y1 and x2 += A^T @ y2, as one loop over i updating both (row and column dot
products, `+=` of a slice reduction)."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def mvt(x1: InOut[f64[:]], x2: InOut[f64[:]], y_1: In[f64[:]], y_2: In[f64[:]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        x1[i] += A[i, :] @ y_1[:]
        x2[i] += A[:, i] @ y_2[:]


def make_args(rng: np.random.Generator) -> tuple:
    n = 30
    return rng.random(n), rng.random(n), rng.random(n), rng.random(n), rng.random((n, n))
