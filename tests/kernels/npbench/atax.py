"""atax, y = A^T (A x): the intermediate A x and the result are arrays the kernel creates (with a
size known only at run time); the result is returned."""

import numpy as np

from translator import In, f64, kernel, prange


@kernel
def atax(A: In[f64[:, :]], x: In[f64[:]]):
    tmp = np.empty(A.shape[0])
    y = np.empty(A.shape[1])
    for i in prange(A.shape[0]):
        tmp[i] = A[i, :] @ x[:]
    for j in prange(A.shape[1]):
        y[j] = A[:, j] @ tmp[:]
    return y


def make_args(rng: np.random.Generator) -> tuple:
    return rng.random((30, 25)), rng.random(25)
