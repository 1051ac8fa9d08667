"""NPBench spmv, Numba prange variant: CSR rows, locals bound to slices, a gather `x[cols]`, `vals @ ...`."""

import numpy as np

from translator import kernel, prange


@kernel
def spmv(A_row, A_col, A_val, x):
    y = np.empty(A_row.size - 1, A_val.dtype)
    for i in prange(A_row.size - 1):
        cols = A_col[A_row[i]:A_row[i + 1]]
        vals = A_val[A_row[i]:A_row[i + 1]]
        y[i] = vals @ x[cols]
    return y


def csr(rng: np.random.Generator, n: int, density: float) -> tuple:
    dense = np.where(rng.random((n, n)) < density, rng.random((n, n)), 0.0)
    rows, cols = np.nonzero(dense)
    row_ptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n)))).astype(np.int32)
    return row_ptr, cols.astype(np.int32), dense[rows, cols], rng.random(n)


CASES = {spmv: lambda rng: csr(rng, 30, 0.2)}
