"""trmm, B = alpha * (unit lower-triangular A)^T-product: a host loop over rows, each row's columns
in parallel reduce a column slice against a column slice, then the whole of B is scaled (`B *= alpha`)."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def trmm(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B *= alpha


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, rng.random((30, 30)), rng.random((30, 25))
