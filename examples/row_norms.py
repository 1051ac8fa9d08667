"""Row norms, spreads and centered rows with slices: `np.dot`, `np.max`, `np.min` and `np.sum` over
`x[i, :]` and the slice assignment to `centered[i, :]` are serial loops inside one parallel
iteration, so every thread owns a row and no reduction crosses threads. The row's sum is computed once,
before the loop over the row, as NumPy computes the right side before assigning.

`centered` is Out: the slice assignment runs over every element of the row, and the parallel loop
over every row, so the access analysis proves that the kernel writes all of it."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def row_norms(x: In[f64[:, :]], norms: Out[f64[:]], spread: Out[f64[:]], centered: Out[f64[:, :]]):
    for i in prange(x.shape[0]):
        norms[i] = np.sqrt(np.dot(x[i, :], x[i, :]))
        spread[i] = np.max(x[i, :]) - np.min(x[i, :])
        centered[i, :] = x[i, :] - np.sum(x[i, :]) / x.shape[1]


def demo_inputs(rng: np.random.Generator, rows: int = 300, cols: int = 64) -> tuple:
    return rng.standard_normal((rows, cols)) * 3 - 1, np.zeros(rows), np.zeros(rows), np.zeros((rows, cols))
