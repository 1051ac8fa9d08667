"""Kernels that make arrays at their top level (docs/language.md, "Arrays made by the kernel"); each
runs compiled and as plain Python in `tests/test_allocations.py`. `CASES` maps each kernel to its
random arguments.
"""

import numpy as np

from translator import In, InOut, Out, f32, f64, i64, kernel, prange


@kernel
def scaled_column(a: In[f64[:, :]], alpha: f64):
    n = a.shape[0]
    y = np.empty(n, np.float64)
    for i in prange(n):
        y[i] = alpha * a[i, 0] + a[i, a.shape[1] - 1]
    return y


@kernel
def row_sums(a: In[f32[:, :]]):
    s = np.zeros(len(a), dtype=np.float32)
    for i in prange(a.shape[0]):
        for j in range(a.shape[1]):
            s[i] += a[i, j]
    return s


@kernel
def ones_and_full(x: In[f64[:]], k: int):
    o = np.ones(x.shape[0] + k)
    f = np.full((2, x.shape[0]), 2.5, np.float32)
    c = np.full(3, 7)
    for i in prange(x.shape[0]):
        o[i] = o[i] + x[i]
        f[1, i] = f[0, i] * x[i]
    for i in prange(3):
        c[i] += i
    return o, f, c


@kernel
def outer(a: In[f64[:]], b: In[f64[:]], m: int):
    rows = a.shape[0] // 2
    c = np.zeros((rows, b.shape[0] * m), np.float32)
    for i in prange(rows):
        for j in prange(b.shape[0] * m):
            c[i, j] = a[2 * i] * b[j % b.shape[0]] + j // b.shape[0]
    return c


@kernel
def stats(x: In[f64[:]]):
    lo = np.empty(x.shape[0] - 1)
    hi = np.empty(x.shape[0] - 1, np.float32)
    total = 0.0
    for i in prange(x.shape[0] - 1):
        lo[i] = min(x[i], x[i + 1])
        hi[i] = max(x[i], x[i + 1])
        total += x[i]
    return lo, total, hi


@kernel
def smooth_twice(x: In[f64[:]], out: Out[f64[:]]):
    t = np.empty(x.shape[0])
    for i in prange(x.shape[0]):
        t[i] = x[i] * 0.5 + x[i - 1] * 0.25 + x[(i + 1) % x.shape[0]] * 0.25
    for i in prange(x.shape[0]):
        out[i] = t[i] * 0.5 + t[i - 1] * 0.25 + t[(i + 1) % x.shape[0]] * 0.25


@kernel
def doubled(a: InOut[i64[:]]):
    for i in prange(a.shape[0]):
        a[i] = a[i] * 2
    return a


@kernel
def signs(a: In[f64[:, :]]):
    s = np.zeros(a.shape, np.int32)
    for i in prange(a.shape[0]):
        for j in prange(a.shape[1]):
            if a[i, j] > 0:
                s[i, j] = 1
    return s


N = 37

CASES = {
    scaled_column: lambda r: (r.standard_normal((N, 5)), float(r.standard_normal())),
    row_sums: lambda r: (r.standard_normal((N, 11)).astype(np.float32),),
    ones_and_full: lambda r: (r.standard_normal(N), int(r.integers(0, 5))),
    outer: lambda r: (r.standard_normal(N), r.standard_normal(9), int(r.integers(1, 4))),
    stats: lambda r: (r.standard_normal(N),),
    smooth_twice: lambda r: (r.standard_normal(N), np.zeros(N)),
    doubled: lambda r: (r.integers(-1000, 1000, N),),
    signs: lambda r: (r.standard_normal((N, 6)),),
}
