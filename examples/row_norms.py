"""Row norms and centered rows with slice reductions: `np.sum` and `np.dot` over `x[i, :]` are
serial loops inside one parallel iteration, so every thread owns a row and no reduction crosses
threads."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def row_norms(x: In[f64[:, :]], norms: Out[f64[:]], spread: Out[f64[:]], centered: Out[f64[:, :]]):
    for i in prange(x.shape[0]):
        norms[i] = np.sqrt(np.dot(x[i, :], x[i, :]))
        spread[i] = np.max(x[i, :]) - np.min(x[i, :])
        mean = np.sum(x[i, :]) / x.shape[1]
        for j in range(x.shape[1]):
            centered[i, j] = x[i, j] - mean


def demo_inputs(rng: np.random.Generator, rows: int = 300, cols: int = 64) -> tuple:
    return rng.standard_normal((rows, cols)) * 3 - 1, np.zeros(rows), np.zeros(rows), np.zeros((rows, cols))
