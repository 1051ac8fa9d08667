"""Kernels whose accesses go out of range for some arguments (tests/test_bounds.py): each is correct
Python, and the call must raise IndexError where Python does, never crash or read garbage."""

import numpy as np

from translator import In, InOut, Out, Scratch, f32, f64, i32, i64, kernel, prange


@kernel
def saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


@kernel
def smooth(x: In[f64[:]], work: Scratch[f64[:]], y: Out[f64[:]]):
    n = x.shape[0]
    for i in prange(n):
        work[i] = 0.5 * x[i]
    for i in prange(1, n - 1):
        y[i] = work[i - 1] + work[i] + work[i + 1]
    y[0] = x[0]
    y[n - 1] = x[n - 1]


@kernel
def scatter_add(idx: In[i64[:]], v: In[f64[:]], y: InOut[f64[:]]):
    for i in range(idx.shape[0]):
        y[idx[i]] += v[i]


@kernel
def gather(idx: In[i32[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(idx.shape[0]):
        y[i] = x[idx[i]]


@kernel
def from_end(x: In[f64[:]], k: i64, y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = x[-k] + x[-6] * i


@kernel
def stencil(a: In[f64[:, :]], b: Out[f64[:, :]]):
    n = a.shape[0]
    m = a.shape[1]
    for i in prange(1, n - 1):
        for j in range(1, m - 1):
            b[i, j] = 0.25 * (a[i - 1, j] + a[i + 1, j] + a[i, j - 1] + a[i, j + 1])


@kernel
def shifted(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = x[i - 1]


@kernel
def truncate(x: In[f64[:]], y: Out[i64[:]]):
    for i in prange(x.shape[0]):
        y[i] = int(x[i])


@kernel(boundscheck=False)
def gather_unchecked(idx: In[i32[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(idx.shape[0]):
        y[i] = x[idx[i]]


@kernel
def strided(a: In[f64[:]], n: i32, y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = a[i * n]


@kernel
def binned(x: In[f32[:]], width: f32, counts: InOut[i64[:]]):
    for i in range(x.shape[0]):
        counts[int(x[i] / width)] += 1


@kernel
def leading_positive(x: In[f64[:, :]], counts: Out[i64[:]]):
    for r in prange(x.shape[0]):
        k = 0
        while k < x.shape[1] and x[r, k] > 0.0:
            k += 1
        counts[r] = k


@kernel
def clipped_gather(idx: In[i64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(idx.shape[0]):
        y[i] = x[idx[i]] if idx[i] < x.shape[0] else 0.0


@kernel
def head(x: In[f64[:]], n: i64, y: Out[f64[:]]):
    for i in prange(n):
        y[i] = 2.0 * x[i]


@kernel
def pair_sums(x: In[f64[:]], n: i64, y: InOut[f64[:]]):
    for i in prange(0, n, 2):
        y[i] = x[i] + x[i + 1]


def pair_at(x, i):
    return x[i] + x[i + 1]


def picked(x, idx, i):
    return x[idx[i]]


@kernel
def pair_means(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = 0.5 * pair_at(x, i)


@kernel
def gather_through(idx: In[i64[:]], x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = picked(x, idx, i)


@kernel
def upper_row_sums(A: In[f64[:, :]], n: i64, sums: Out[f64[:]]):
    """Row sums of the strict upper triangle of the leading n x n block: the last row is never read."""
    for i in prange(n):
        s = 0.0
        for j in range(i + 1, n):
            s += A[i, j]
        sums[i] = s


@kernel
def lower_products(L: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    """The strict lower triangle times x, as forward substitution reads it: `x[j]` for `j < i` only."""
    for i in prange(y.shape[0]):
        s = 0.0
        for j in range(i):
            s += L[i, j] * x[j]
        y[i] = s
