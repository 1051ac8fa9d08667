"""NPBench correlation, NumPy variant: `np.std(axis=0)`, a mask assignment, `np.eye`, chained slices."""

import numpy as np

from translator import kernel


@kernel
def correlation(M, float_n, data):
    mean = np.mean(data, axis=0)
    stddev = np.std(data, axis=0)
    stddev[stddev <= 0.1] = 1.0
    data -= mean
    data /= np.sqrt(float_n) * stddev
    corr = np.eye(M, dtype=data.dtype)
    for i in range(M - 1):
        corr[i + 1:M, i] = corr[i, i + 1:M] = data[:, i] @ data[:, i + 1:M]
    return corr


CASES = {correlation: lambda rng: (14, 20.0, rng.random((20, 14)))}
