"""Row-wise softmax: each row's maximum and sum are serial loops inside one parallel iteration,
so every thread owns a row (numerically stable: subtract the row maximum before `exp`)."""

import math

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def softmax_rows(x: In[f64[:, :]], out: Out[f64[:, :]]):
    for i in prange(x.shape[0]):
        top = x[i, 0]
        for j in range(1, x.shape[1]):
            top = max(top, x[i, j])
        total = 0.0
        for j in range(x.shape[1]):
            e = math.exp(x[i, j] - top)
            out[i, j] = e
            total += e
        for j in range(x.shape[1]):
            out[i, j] = out[i, j] / total


def demo_inputs(rng: np.random.Generator, rows: int = 200, cols: int = 100) -> tuple:
    return rng.standard_normal((rows, cols)) * 5, np.zeros((rows, cols))
