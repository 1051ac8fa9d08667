"""correlation: column means and standard deviations by axis reductions, a boolean-mask assignment
(`stddev[stddev <= 0.1] = 1.0`), broadcast normalisation, an identity matrix made by the kernel
(`np.eye`), filled in parallel with column dot products and returned."""

import numpy as np

from translator import InOut, f64, kernel, prange


@kernel
def correlation(float_n: f64, data: InOut[f64[:, :]]):
    m = data.shape[1]
    mean = np.mean(data, axis=0)
    stddev = np.std(data, axis=0)
    stddev[stddev <= 0.1] = 1.0
    data -= mean
    data /= np.sqrt(float_n) * stddev
    corr = np.eye(m)
    for i in prange(m - 1):
        for j in range(i + 1, m):
            corr[i, j] = data[:, i] @ data[:, j]
            corr[j, i] = corr[i, j]
    return corr


def make_args(rng: np.random.Generator) -> tuple:
    data = rng.random((32, 28))
    data[:, 3] = 0.5 + 0.01 * rng.random(32)  # a column with stddev <= 0.1: the mask matters
    return 32.0, data
