"""Integer array indexing on the left (issue 11; `frontend/scatters.py`), as NumPy code writes it:
counting labels, scattering a permutation, filling a dense matrix from coordinates, updating rows
through column lists inside a `prange`. Indices repeat and count from the end on purpose: NumPy keeps
the last value stored at a repeated index, and `x[idx] += v` adds once there. `CASES` maps each kernel to
its random arguments; `tests/test_scatters.py` runs them compiled and as plain Python."""

import numpy as np

from translator import In, InOut, f64, i64, kernel, prange


@kernel
def label_counts(labels, n_labels):
    counts = np.zeros(n_labels, dtype=np.int64)
    counts[labels] += 1
    return counts


@kernel
def inverse_permutation(perm, x):
    y = np.empty_like(x)
    y[perm] = x
    inverse = np.empty_like(perm)
    inverse[perm] = np.arange(perm.shape[0])
    return y, inverse


@kernel
def dense_from_coordinates(rows, cols, vals, m, n):
    A = np.zeros((m, n))
    A[rows, cols] = vals
    A[rows, -1] += 0.5 * vals
    return A


@kernel
def swap_through_indices(a, idx):
    b = a.copy()
    b[idx] = b[idx[::-1]] * 2.0
    a[idx] = 0.0
    return a, b


@kernel
def rows_through_columns(A, cols, B):
    for i in prange(A.shape[0]):
        B[i, cols] = A[i, cols] * 2.0 + B[i, cols]


@kernel
def bump(x: InOut[f64[:]], idx: In[i64[:]], v: In[f64[:]]):
    x[idx] += v


def _repeating(rng, n, size):
    idx = rng.integers(-n, n, size)
    idx[-1] = idx[0]  # a repeated index: NumPy keeps the last store
    return idx


CASES = {
    label_counts: lambda rng: (rng.integers(0, 6, 40), 6),
    inverse_permutation: lambda rng: (rng.permutation(9), rng.random(9)),
    dense_from_coordinates: lambda rng: (_repeating(rng, 5, 12), _repeating(rng, 7, 12), rng.random(12), 5, 7),
    swap_through_indices: lambda rng: (rng.random(10), _repeating(rng, 10, 6)),
    rows_through_columns: lambda rng: (rng.random((6, 8)), _repeating(rng, 8, 5), rng.random((6, 8))),
}
