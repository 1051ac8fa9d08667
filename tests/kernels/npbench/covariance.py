"""covariance: column means by an axis reduction, centring by broadcasting (`data -= mean`), then
a new M x M matrix, filled in parallel with column dot products and returned."""

import numpy as np

from translator import InOut, f64, kernel, prange


@kernel
def covariance(float_n: f64, data: InOut[f64[:, :]]):
    m = data.shape[1]
    mean = np.sum(data, axis=0) / float_n
    data -= mean
    cov = np.zeros((m, m))
    for i in prange(m):
        for j in range(i, m):
            cov[i, j] = data[:, i] @ data[:, j] / (float_n - 1.0)
            cov[j, i] = cov[i, j]
    return cov


def make_args(rng: np.random.Generator) -> tuple:
    return 32.0, rng.random((32, 28))
