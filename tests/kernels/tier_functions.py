"""NumPy's array functions as values of the IR's array tier (`np.flip` of an expression,
`np.arange`, `np.diff`), the way numerical code writes them: reversed correlations, index gathers
with `np.arange`, higher differences along either axis, inside `prange` bodies too.
`tests/test_tier_functions.py` runs each compiled and as plain Python; `CASES` maps each kernel to
its random arguments."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def reversed_correlation(x: In[f64[:]], y: In[f64[:]]) -> f64:
    return np.dot(np.flip(x * 2.0 - y), y)


@kernel
def flipped_parts(A: In[f64[:, :]], B: Out[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    B[:, :] = np.flip(A - A.mean(axis=1, keepdims=True), axis=0)
    y[:] = np.flip(x[1::2]) + np.flipud(np.sqrt(np.abs(x[::2])))


@kernel
def row_reversals(A: In[f64[:, :]], out: Out[f64[:]], R: Out[f64[:, :]]):
    for i in prange(A.shape[0]):
        out[i] = np.flip(A[i, :] * 2.0) @ A[i, :]
        R[i, :] = np.flip(A[i, :] + A[i, 0])


CASES = {
    reversed_correlation: lambda rng: (rng.standard_normal(11), rng.standard_normal(11)),
    flipped_parts: lambda rng: (rng.standard_normal((5, 4)), np.zeros((5, 4)), rng.standard_normal(8), np.zeros(4)),
    row_reversals: lambda rng: (rng.standard_normal((6, 5)), np.zeros(6), np.zeros((6, 5))),
}
