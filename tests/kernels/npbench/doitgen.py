"""doitgen, a multi-resolution kernel: every (r, q) row of the 3-D array A becomes its product with
the matrix C4 (a vector-matrix `@` assigned to a row slice)."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def doitgen(A: InOut[f64[:, :, :]], C4: In[f64[:, :]]):
    for r in prange(A.shape[0]):
        for q in range(A.shape[1]):
            A[r, q, :] = A[r, q, :] @ C4


def make_args(rng: np.random.Generator) -> tuple:
    return rng.random((12, 10, 20)), rng.random((20, 20))
