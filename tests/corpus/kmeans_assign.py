"""k-means assignment step, Numba style: `np.inf`, a row difference squared and summed, argmin by hand."""

import numpy as np

from translator import kernel, prange


@kernel
def kmeans_assign(points, centroids):
    n = points.shape[0]
    k = centroids.shape[0]
    labels = np.empty(n, dtype=np.int64)
    for i in prange(n):
        best = 0
        best_d = np.inf
        for c in range(k):
            d = np.sum((points[i] - centroids[c]) ** 2)
            if d < best_d:
                best_d = d
                best = c
        labels[i] = best
    return labels


CASES = {kmeans_assign: lambda rng: (rng.random((60, 3)), rng.random((5, 3)))}
