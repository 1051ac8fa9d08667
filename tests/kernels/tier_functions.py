"""NumPy's array functions as values of the IR's array tier (`np.flip` of an expression,
`np.arange`, `np.diff`), the way numerical code writes them: reversed correlations, index gathers
with `np.arange`, higher differences along either axis, inside `prange` bodies too.
`tests/test_tier_functions.py` runs each compiled and as plain Python; `CASES` maps each kernel to
its random arguments."""

import numpy as np

from translator import In, Out, b1, f64, i64, kernel, prange


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


@kernel
def picked_losses(probs: In[f64[:, :]], labels: In[i64[:]], losses: Out[f64[:]], grid: Out[i64[:, :]]) -> f64:
    losses[:] = -np.log(probs[np.arange(probs.shape[0]), labels])
    grid[:, :] = np.arange(grid.shape[0])[:, None] * grid.shape[1] + np.flip(np.arange(3, grid.shape[1] + 3))
    return np.mean(losses) + np.sum(np.arange(labels.shape[0], 0, -2) * labels[::2])


@kernel
def differences(x: In[f64[:]], A: In[f64[:, :]], flags: In[b1[:]], d2: Out[f64[:]], dA: Out[f64[:, :]],
                changes: Out[b1[:]]) -> f64:
    d2[:] = np.diff(x, n=2)
    dA[:, :] = np.diff(A, n=2, axis=0) * 0.5
    changes[:] = np.diff(flags)
    return np.sum(np.abs(np.diff(x * x)))


@kernel
def row_slopes(Y: In[f64[:, :]], t: In[f64[:]], slopes: Out[f64[:, :]], curvature: Out[f64[:]],
               evens: Out[f64[:]]):
    for i in prange(Y.shape[0]):
        slopes[i, :] = np.diff(Y[i, :]) / np.diff(t)
        curvature[i] = np.sum(np.diff(Y[i, :], n=2) * np.arange(Y.shape[1] - 2))
        evens[i] = np.sum(Y[i, np.arange(0, Y.shape[1], 2)]) + np.dot(np.diff(Y[:, i], axis=0), np.flip(t[1:] - t[0]))


@kernel
def combined(x: In[f64[:]], y: In[f64[:]], A: In[f64[:, :]], idx: In[i64[:]], P: Out[f64[:, :]],
             D: Out[f64[:, :]], F: Out[f64[:, :]], r: Out[f64[:]], s: Out[f64[:]]) -> f64:
    """The three together, through broadcasting, kept reductions and gathers."""
    P[:, :] = np.flip(x[:, None] * y[None, :] + A.sum(axis=0, keepdims=True), axis=0)
    D[:, :] = np.diff(A - A.mean(axis=1, keepdims=True), axis=0)
    F[:, :] = np.flip(np.diff(A, axis=1), axis=1) * np.flip(A[:, 1:] - A.max(axis=1, keepdims=True))
    r[:] = np.diff(x[idx]) * np.arange(x.shape[0] - 1, dtype=np.float32) * 0.5
    s[:] = np.flip(np.arange(2, 3 * y.shape[0] + 2, 3)) + np.diff(np.arange(0, 3 * y.shape[0] + 3, 3))
    return np.sum(np.flip(x[2:]) * np.diff(np.flip(y), n=1))


@kernel
def rolled_changes(flags: In[b1[:]], x: In[f64[:]], changes: Out[b1[:]], steps: Out[f64[:]]):
    """Differences of rolls (index maps, `tests/kernels/index_maps.py`), bools' `np.diff` typed `!=`."""
    changes[:] = np.diff(flags) ^ np.roll(flags[1:], 1)
    steps[:] = np.diff(np.roll(x, 2), n=2) / np.sum(np.diff(x))


CASES = {
    reversed_correlation: lambda rng: (rng.standard_normal(11), rng.standard_normal(11)),
    flipped_parts: lambda rng: (rng.standard_normal((5, 4)), np.zeros((5, 4)), rng.standard_normal(8), np.zeros(4)),
    row_reversals: lambda rng: (rng.standard_normal((6, 5)), np.zeros(6), np.zeros((6, 5))),
    picked_losses: lambda rng: (rng.uniform(0.1, 1.0, (6, 4)), rng.integers(0, 4, 6), np.zeros(6),
                                np.zeros((3, 5), np.int64)),
    differences: lambda rng: (rng.standard_normal(9), rng.standard_normal((5, 3)), rng.random(7) < 0.5, np.zeros(7),
                              np.zeros((3, 3)), np.zeros(6, bool)),
    combined: lambda rng: (rng.standard_normal(6), rng.standard_normal(5), rng.standard_normal((6, 5)),
                           rng.permutation(6), np.zeros((6, 5)), np.zeros((5, 5)), np.zeros((6, 4)), np.zeros(5),
                           np.zeros(5)),
    rolled_changes: lambda rng: (rng.random(9) < 0.5, rng.standard_normal(9), np.zeros(8, bool), np.zeros(7)),
    row_slopes: lambda rng: (rng.standard_normal((6, 6)), np.cumsum(rng.uniform(0.5, 1.0, 6)), np.zeros((6, 5)),
                             np.zeros(6), np.zeros(6)),
}
