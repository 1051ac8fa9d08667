"""Kernels for slice reductions and slice assignment; each runs compiled and as plain Python in
`tests/test_slices.py`. `CASES` maps each kernel to its random arguments (negatives and NaNs included).
"""

import numpy as np

from translator import In, InOut, Out, f32, f64, i32, i64, kernel, prange

WIDTH = 8


@kernel
def row_reductions(a: In[f64[:, :]], sums: Out[f64[:]], highs: Out[f64[:]], lows: Out[f64[:]], dots: Out[f64[:]]):
    for i in prange(a.shape[0]):
        sums[i] = np.sum(a[i, :])
        highs[i] = np.max(a[i, 1:]) + np.min(a[i, :-1])
        lows[i] = np.min(a[i, -3:])
        dots[i] = np.dot(a[i, :], a[i, :]) - a[i, 1:4] @ a[i, 2:5]


@kernel
def column_reductions(a: In[f32[:, :]], x: In[f32[:]], lo: int, hi: int, out: Out[f32[:]], total: Out[f32[:]]):
    for j in prange(a.shape[1]):
        out[j] = np.sum(a[:, j]) + np.dot(a[lo:hi, j], x[lo:hi]) + np.max(x[:])
        total[j] = np.sum(a[lo:hi, j]) * 2


@kernel
def integer_reductions(m: In[i32[:, :]], out: Out[i64[:]], ext: Out[i32[:]]):
    for i in prange(m.shape[0]):
        out[i] = np.sum(m[i, :]) + np.dot(m[i, :], m[i, :])
        ext[i] = np.max(m[i, :]) - np.min(m[i, :])


@kernel
def nan_extremes(a: In[f64[:, :]], highs: Out[f64[:]], lows: Out[f64[:]]):
    for i in prange(a.shape[0]):
        highs[i] = np.max(a[i, :])
        lows[i] = np.min(a[i, :])


@kernel
def local_slices(a: In[f64[:, :]], out: Out[f64[:]]):
    for i in prange(a.shape[0]):
        t = np.zeros(WIDTH, np.float64)
        for k in range(WIDTH):
            t[k] = a[i, k] * k
        if np.sum(t[:]) > 0:
            out[i] = np.sum(t[2:])
        elif np.max(t[:3]) > 1:
            out[i] = np.min(t[3:])
        else:
            out[i] = t[1:] @ a[i, :WIDTH - 1]


@kernel
def slice_assignments(a: In[f64[:, :]], b: In[f64[:, :]], v: float, c: InOut[f64[:, :]], y: InOut[f32[:]],
                      lo: int, hi: int):
    for i in prange(a.shape[0]):
        c[i, :] = a[i, :] * 2.0 + b[i, :]
        c[i, 1:] += v
        c[i, :3] = np.sqrt(np.abs(a[i, :3])) - np.exp(b[i, 1:4] * 0.1)
        c[i, -2:] = np.minimum(a[i, -2:], b[i, :2]) + np.maximum(a[i, :2], 0.0)
        c[i, :] /= np.sum(c[i, :])
    for j in prange(1):
        y[lo:hi] = y[lo:hi] * 0.5
        y[:2] = 0.0


@kernel
def local_row(a: In[f64[:, :]], out: InOut[f64[:, :]]):
    for i in prange(a.shape[0]):
        row = np.empty(WIDTH, np.float64)
        row[:] = 0.0
        row[1:] = a[i, :WIDTH - 1] - a[i, 1:WIDTH]
        out[i, :WIDTH] = row[:] * row[:]


@kernel
def nan_minimum_maximum(a: In[f64[:]], b: In[f32[:]], lows: Out[f64[:]], highs: Out[f32[:]]):
    for i in prange(a.shape[0]):
        lows[i] = np.minimum(a[i], b[i])
        highs[i] = np.maximum(b[i], f32(a[i]))


def _with_nans(rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal((60, 9))
    a[rng.random(a.shape) < 0.05] = np.nan
    return a


N = 200
CASES = {
    row_reductions: lambda r: (r.standard_normal((N, 7)), np.zeros(N), np.zeros(N), np.zeros(N), np.zeros(N)),
    column_reductions: lambda r: (r.standard_normal((N, 13)).astype(np.float32), r.standard_normal(N).astype(np.float32),
                                  int(r.integers(0, 50)), int(r.integers(50, 300)), np.zeros(13, np.float32),
                                  np.zeros(13, np.float32)),
    integer_reductions: lambda r: (r.integers(-1000, 1000, (N, 11)).astype(np.int32), np.zeros(N, np.int64),
                                   np.zeros(N, np.int32)),
    nan_extremes: lambda r: (_with_nans(r), np.zeros(60), np.zeros(60)),
    local_slices: lambda r: (r.standard_normal((N, WIDTH)), np.zeros(N)),
    slice_assignments: lambda r: (_with_nans(r), r.standard_normal((60, 9)), float(r.standard_normal()),
                                  np.zeros((60, 9)), r.standard_normal(N).astype(np.float32),
                                  int(r.integers(-50, 50)), int(r.integers(20, 300))),
    nan_minimum_maximum: lambda r: (_with_nans(r)[:, 0], _with_nans(r)[:, 1].astype(np.float32), np.zeros(60),
                                    np.zeros(60, np.float32)),
    local_row: lambda r: (r.standard_normal((N, WIDTH + 2)), np.zeros((N, WIDTH + 2))),
}
