"""Sample covariance of the columns of `data` (rows are observations): a parallel pass for the
column means, then one parallel iteration per (i, j) pair of the upper triangle, mirrored.

`cov` is InOut: the triangular loop writes every element, but not in a shape the data-movement
analysis can prove (`range(i, m)`), so py2omp cannot promise that an `Out` copy-back is complete."""

import numpy as np

from translator import In, InOut, Scratch, f64, kernel, prange


@kernel
def covariance(data: In[f64[:, :]], mean: Scratch[f64[:]], cov: InOut[f64[:, :]]):
    n = data.shape[0]
    m = data.shape[1]
    for j in prange(m):
        s = 0.0
        for k in range(n):
            s += data[k, j]
        mean[j] = s / n
    for i in prange(m):
        for j in range(i, m):
            s = 0.0
            for k in range(n):
                s += (data[k, i] - mean[i]) * (data[k, j] - mean[j])
            cov[i, j] = s / (n - 1)
            cov[j, i] = cov[i, j]


def demo_inputs(rng: np.random.Generator, n: int = 300, m: int = 40) -> tuple:
    return rng.standard_normal((n, m)) + np.arange(m), rng.standard_normal(m), rng.standard_normal((m, m))
