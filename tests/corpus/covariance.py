"""NPBench covariance, NumPy variant: `np.mean(axis=0)`, broadcast `-=`, a chained assignment of a
column slice and a row slice from a vector-matrix product."""

import numpy as np

from translator import kernel


@kernel
def covariance(M, float_n, data):
    mean = np.mean(data, axis=0)
    data -= mean
    cov = np.zeros((M, M), dtype=data.dtype)
    for i in range(M):
        cov[i:M, i] = cov[i, i:M] = data[:, i] @ data[:, i:M] / (float_n - 1.0)
    return cov


CASES = {covariance: lambda rng: (14, 20.0, rng.random((20, 14)))}
