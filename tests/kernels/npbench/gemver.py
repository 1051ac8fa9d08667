"""gemver: a rank-2 update of A (outer products, written as row updates), then x += beta * A^T y + z
(column dot products) and w += alpha * A x (row dot products), in three parallel loops."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def gemver(alpha: f64, beta: f64, A: InOut[f64[:, :]], u1: In[f64[:]], v1: In[f64[:]], u2: In[f64[:]],
           v2: In[f64[:]], w: InOut[f64[:]], x: InOut[f64[:]], y: In[f64[:]], z: In[f64[:]]):
    n = A.shape[0]
    for i in prange(n):
        A[i, :] += u1[i] * v1[:] + u2[i] * v2[:]
    for i in prange(n):
        x[i] += beta * np.dot(A[:, i], y[:]) + z[i]
    for i in prange(n):
        w[i] += alpha * (A[i, :] @ x[:])


def make_args(rng: np.random.Generator) -> tuple:
    n = 30
    return (1.5, 1.2, rng.random((n, n)), rng.random(n), rng.random(n), rng.random(n), rng.random(n),
            rng.random(n), rng.random(n), rng.random(n), rng.random(n))
