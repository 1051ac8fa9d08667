"""bicg, s = r @ A and q = A @ p: a column dot product per element of s, a row dot product per
element of q."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def bicg(A: In[f64[:, :]], p: In[f64[:]], r: In[f64[:]], s: Out[f64[:]], q: Out[f64[:]]):
    for j in prange(A.shape[1]):
        s[j] = r[:] @ A[:, j]
    for i in prange(A.shape[0]):
        q[i] = A[i, :] @ p[:]


def make_args(rng: np.random.Generator) -> tuple:
    return rng.random((30, 25)), rng.random(25), rng.random(30), np.zeros(25), np.zeros(30)
