"""Sparse matrix-vector product y = A @ x with A in CSR form (`indptr`, `indices`, `data`):
one parallel iteration per row, an indirect load of `x` per nonzero."""

import numpy as np

from translator import In, Out, f64, i64, kernel, prange


@kernel
def csr_spmv(indptr: In[i64[:]], indices: In[i64[:]], data: In[f64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for row in prange(y.shape[0]):
        acc = 0.0
        for k in range(indptr[row], indptr[row + 1]):
            acc += data[k] * x[indices[k]]
        y[row] = acc


def demo_inputs(rng: np.random.Generator, rows: int = 2000, cols: int = 1500, per_row: int = 8) -> tuple:
    counts = rng.integers(0, 2 * per_row, rows)
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    indices = rng.integers(0, cols, int(indptr[-1])).astype(np.int64)
    return indptr, indices, rng.standard_normal(int(indptr[-1])), rng.standard_normal(cols), np.zeros(rows)
