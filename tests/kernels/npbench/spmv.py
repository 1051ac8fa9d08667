"""spmv, y = A x with A in CSR form: each row is a dot product of a slice of the values with x
gathered through a slice of the column indices (`x[A_col[lo:hi]]`)."""

import numpy as np

from translator import In, Out, f64, i64, kernel, prange


@kernel
def spmv(A_row: In[i64[:]], A_col: In[i64[:]], A_val: In[f64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(A_row.shape[0] - 1):
        y[i] = A_val[A_row[i]:A_row[i + 1]] @ x[A_col[A_row[i]:A_row[i + 1]]]


def make_args(rng: np.random.Generator) -> tuple:
    rows, cols = 30, 25
    mask = rng.random((rows, cols)) < 0.3
    A_row = np.concatenate(([0], np.cumsum(mask.sum(axis=1)))).astype(np.int64)
    A_col = np.nonzero(mask)[1].astype(np.int64)
    return A_row, A_col, rng.random(A_col.shape[0]), rng.random(cols), np.zeros(rows)
