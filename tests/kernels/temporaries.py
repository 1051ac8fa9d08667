"""Kernels that make arrays of run-time size inside a `prange` (docs/language.md, "Temporaries inside
a prange"): named ones (`t = A[r, q, :] @ C4`, `np.zeros(m)`) and those a right side that reads the
assigned array elsewhere needs (`x[i, 1:] = x[i, :-1] + x[i, 1:]`). Each runs compiled and as plain
Python in `tests/test_temporaries.py`; `CASES` maps each kernel to its random arguments.
"""

import numpy as np

from translator import In, InOut, Out, f32, f64, kernel, prange


@kernel
def doitgen_npbench(A: InOut[f64[:, :, :]], C4: In[f64[:, :]]):
    for r in prange(A.shape[0]):
        for q in range(A.shape[1]):
            tmp = A[r, q, :] @ C4
            A[r, q, :] = tmp


@kernel
def shift_add(x: InOut[f64[:, :]]):
    for i in prange(x.shape[0]):
        x[i, 1:] = x[i, :-1] + x[i, 1:]


@kernel
def shift_accumulate(x: InOut[f32[:, :]], y: InOut[f64[:, :]]):
    for i in prange(x.shape[0]):
        x[i, 1:] += x[i, :-1]
        y[i, :-1] = y[i, 1:] / np.sum(y[i, :])


@kernel
def strided_rows(x: InOut[f64[:, :]], lo: int, hi: int):
    for i in prange(lo, hi, 2):
        t = x[i, :] * 2.0
        x[i, :-1] = x[i, 1:] - t[1:]


@kernel
def collapsed_levels(a: InOut[f64[:, :, :]], m: int):
    for i in prange(1, a.shape[0], 2):
        for j in prange(a.shape[1] - 1, -1, -1):
            w = np.zeros(m)
            for k in range(m):
                w[k] = a[i, j, k % a.shape[2]] + k
            a[i, j, 1:] = a[i, j, :-1] * w[0] + w[m - 1]


@kernel
def nested_pranges(x: InOut[f64[:, :]], steps: int):
    for i in prange(x.shape[0]):
        for s in range(steps):
            for j in prange(2):
                t = np.full(x.shape[1], 0.5 * j, np.float64)
                t += x[i, :]
                x[i, 1:] = t[:-1] * 0.5
                x[i, 0] = np.sum(t)


@kernel
def growing(x: InOut[f64[:, :]]):
    for s in range(1, x.shape[1]):
        for i in prange(x.shape[0]):
            x[i, 1:s + 1] = x[i, :s] * 0.5 + x[i, 1:s + 1]


@kernel
def sweeps_outside_pranges(x: InOut[f64[:]], A: InOut[f64[:, :]]):
    """Overlapping statements between parallel loops (durbin's `y[:k] += alpha * np.flip(y[:k])`,
    seidel's row update): each runs in a one-iteration prange, which can hold the temporary."""
    for k in range(1, x.shape[0]):
        x[:k] += 0.25 * np.flip(x[:k])
    A[1:, :] = A[:-1, :] * 2.0
    A[0, 1:-1] += A[0, 2:] + A[0, :-2]


@kernel
def window_contrast(x: In[f64[:]], out: Out[f64[:]], w: int, k: int):
    """A moving window copied into an array made in each iteration (issue 13): `window[j]` is in
    range by the window's shape, `window[k]` (Python counts a negative `k` from the end) is checked."""
    for i in prange(out.shape[0]):
        window = np.empty(w)
        for j in range(w):
            window[j] = x[i + j]
        out[i] = window[k] - window[-1]


N = 23

CASES = {
    doitgen_npbench: lambda r: (r.standard_normal((7, 5, 9)), r.standard_normal((9, 9))),
    shift_add: lambda r: (r.standard_normal((N, 13)),),
    shift_accumulate: lambda r: (r.standard_normal((N, 13)).astype(np.float32), r.standard_normal((N, 8)) + 3.0),
    strided_rows: lambda r: (r.standard_normal((N, 6)), 3, N - 1),
    collapsed_levels: lambda r: (r.standard_normal((9, 4, 6)), 5),
    nested_pranges: lambda r: (r.standard_normal((N, 7)), 3),
    growing: lambda r: (r.standard_normal((N, 9)),),
    sweeps_outside_pranges: lambda r: (r.standard_normal(N), r.standard_normal((6, 8))),
    window_contrast: lambda r: (r.standard_normal(N), np.zeros(N - 4), 5, -3),
}
