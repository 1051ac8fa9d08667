"""Kernels with masked reads (`np.mean(data[mask])`), mask locals and masks of views and scalars;
each runs compiled and as plain Python in `tests/test_masks.py`. `CASES` maps each kernel to its
random arguments; every kernel has selections that are empty (a mean of NaN, a sum of 0)."""

import numpy as np

from translator import In, InOut, Out, b1, f32, f64, i32, i64, kernel, prange


@kernel
def binned(data: In[f64[:]], radius: In[f64[:]], lo: f64, means: Out[f64[:]], sums: Out[f64[:]],
           counts: Out[i64[:]]):
    nbins = means.shape[0]
    width = (1.0 - lo) / nbins
    for i in prange(nbins):
        r1 = lo + width * i
        r2 = r1 + width
        inside = (r1 <= radius) & (radius < r2)
        means[i] = np.mean(data[inside])
        sums[i] = np.sum(data[inside & ~(data < 0)])
        counts[i] = np.count_nonzero(inside)


@kernel
def top_level(x: In[f32[:]], a: In[f64[:, :]], lows: In[f64[:]], v: In[i32[:]], t: f32, out: Out[f64[:]]) -> f32:
    big = x > t
    out[0] = np.mean(a[a > 1e9])
    out[1] = np.sum(a[np.logical_and(a > lows, np.logical_not(a > 2.0 * t))])
    out[2] = np.count_nonzero(x[big])
    out[3] = np.sum(v[np.logical_xor(v % 3 == 0, v > 0)])
    out[4] = np.mean(v[v > 1000])
    return np.sum(x[big]) + np.mean(x[big | (x < -t)])


@kernel
def view_masks(x: In[f64[:]], d: In[f64[:]], a: In[f64[:, :]], t: f64, res: Out[f64[:]], top: Out[f64[:]]):
    for i in prange(a.shape[0]):
        above = (a[:, :] > a[i, :]) & (t < a)
        res[i] = np.mean(a[above]) + np.sum(d[(x[1:] > x[:-1]) | (d < t * i)])
    top[0] = np.sum(d[(x[1:] > x[:-1]) & (d > t)])


@kernel
def two_loops(x: In[f64[:]], below: Out[f64[:]], above: Out[f64[:]]):
    for i in prange(below.shape[0]):
        low = x < i * 0.1 - 1.0
        below[i] = np.mean(x[low])
    for i in prange(above.shape[0]):
        high = x >= i * 0.1 - 1.0
        above[i] = np.sum(x[high])


@kernel
def materialised(x: InOut[f64[:]], flags: In[b1[:]]) -> f64:
    negative = x < 0
    x[negative] = 0.5
    keep = ~flags
    x[keep] *= 3.0
    return np.sum(x[negative])


@kernel
def selections(data: In[f64[:]], weights: In[f64[:]], width: f64, stats: Out[f64[:, :]]) -> f64:
    """Masked reads bound to names and reduced by their methods, as NPBench azimint writes them:
    `values = data[mask]`, then `values.mean()`; the selection's length is known only at run time."""
    for b in range(stats.shape[0]):
        lo = width * b - 0.1
        hi = lo + width
        inside = np.logical_and(lo <= weights, weights < hi)
        values = data[inside]
        stats[b, 0] = values.mean()
        stats[b, 1] = values.sum()
        stats[b, 2] = np.count_nonzero(data[inside & (data > 0.5)])
        stats[b, 3] = np.prod(data[inside & (data > 0.9)])
        stats[b, 4] = values.any() + 2 * np.all(weights[inside & (data < 0.5)])
    positive = data[data > 0]
    return positive.sum()


@kernel
def replace_where(x: InOut[f64[:]], y: In[f64[:]], A: InOut[f64[:, :]], B: In[f64[:, :]], t: f64):
    x[x > t] = y[x > t]
    m = A < t
    A[m] = 0.5 * B[m] + A[m]


@kernel
def class_means(X: In[f64[:, :]], labels: In[i64[:]], means: Out[f64[:, :]], sizes: Out[f64[:]]):
    for c in range(means.shape[0]):
        means[c, :] = X[labels == c].mean(axis=0)
    sizes[:] = np.sum(X[labels > 0, :], axis=0) + X[:, X[0] > 0.5].sum(axis=1).sum()


@kernel
def rows_and_columns(B: InOut[f64[:, :]], keep: In[b1[:]], cols: In[b1[:]]):
    B[keep] = 0.0
    B[:, cols] *= 2.0
    B[~keep, :] += 1.0


CASES = {
    binned: lambda r: (r.standard_normal(300), r.random(300), -0.25, np.zeros(12), np.zeros(12), np.zeros(12, np.int64)),
    top_level: lambda r: (r.standard_normal(200).astype(np.float32), r.standard_normal((9, 14)), r.standard_normal(14),
                          r.integers(-50, 50, 77).astype(np.int32), np.float32(0.5), np.zeros(5)),
    view_masks: lambda r: (r.standard_normal(41), r.standard_normal(40), r.standard_normal((11, 7)), 0.25,
                           np.zeros(11), np.zeros(1)),
    two_loops: lambda r: (r.standard_normal(90), np.zeros(30), np.zeros(30)),
    materialised: lambda r: (r.standard_normal(60), r.random(60) < 0.5),
    selections: lambda r: (r.random(250), r.random(250), 0.25, np.zeros((6, 5))),
    class_means: lambda r: (r.random((40, 3)), r.integers(0, 4, 40), np.zeros((5, 3)), np.zeros(3)),
    rows_and_columns: lambda r: (r.random((7, 6)), r.random(7) < 0.5, r.random(6) < 0.5),
    replace_where: lambda r: (r.random(30), r.random(30), r.random((5, 6)), r.random((5, 6)), 0.5),
}
