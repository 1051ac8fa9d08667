"""Naive matrix product C = A @ B: a collapsed 2-D parallel loop with a serial inner `range`."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def matmul(a: In[f64[:, :]], b: In[f64[:, :]], c: Out[f64[:, :]]):
    for i in prange(a.shape[0]):
        for j in prange(b.shape[1]):
            acc = 0.0
            for k in range(a.shape[1]):
                acc += a[i, k] * b[k, j]
            c[i, j] = acc


def demo_inputs(rng: np.random.Generator, n: int = 64) -> tuple:
    return rng.standard_normal((n, n + 3)), rng.standard_normal((n + 3, n - 5)), np.empty((n, n - 5))
