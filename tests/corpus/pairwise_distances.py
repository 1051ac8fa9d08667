"""Pairwise Euclidean distances, the Numba-benchmark loop form: `M, N = X.shape`, `np.sqrt` of a sum."""

import numpy as np

from translator import kernel, prange


@kernel
def pairwise_distances(X):
    M, N = X.shape
    D = np.empty((M, M), dtype=np.float64)
    for i in prange(M):
        for j in range(M):
            d = 0.0
            for k in range(N):
                tmp = X[i, k] - X[j, k]
                d += tmp * tmp
            D[i, j] = np.sqrt(d)
    return D


CASES = {pairwise_distances: lambda rng: (rng.random((30, 3)),)}
