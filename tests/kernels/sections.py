"""Kernels that touch part of their arrays: the maps move only the rows they reach."""

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def head_mean(x: In[f64[:]], k: i64) -> f64:
    total = 0.0
    for i in prange(k):
        total += x[i]
    return total / k


@kernel
def smooth3(x: In[f64[:]], out: Out[f64[:]]):
    for i in prange(out.shape[0]):
        out[i] = (x[i] + x[i + 1] + x[i + 2]) / 3.0


@kernel
def decimate(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = x[2 * i]


@kernel
def batch_norms(a: In[f64[:, :]], norms: Out[f64[:]]):
    for i in prange(norms.shape[0]):
        s = 0.0
        for j in range(a.shape[1]):
            s += a[i, j] * a[i, j]
        norms[i] = np.sqrt(s)


@kernel
def axpy_head(alpha: f64, x: In[f64[:]], y: InOut[f64[:]], k: i64):
    for i in prange(k):
        y[i] += alpha * x[i]


@kernel
def shifted_twice(x: In[f64[:]], y: Out[f64[:]], z: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = x[i + 3] - x[i + 2]
    for i in prange(z.shape[0]):
        z[i] = 2.0 * x[i + 4]


@kernel
def gather(x: In[f64[:]], idx: In[i64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = x[idx[i]]


@kernel
def dot(a: In[f64[:]], b: In[f64[:]]) -> f64:
    total = 0.0
    for i in prange(a.shape[0]):
        total += a[i] * b[i]
    return total


@kernel
def relax(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@kernel
def softmax_rows(x: In[f64[:, :]], out: Out[f64[:, :]]):
    for i in prange(x.shape[0]):
        top = x[i, 0]
        for j in range(1, x.shape[1]):
            top = max(top, x[i, j])
        total = 0.0
        for j in range(x.shape[1]):
            out[i, j] = np.exp(x[i, j] - top)
            total += out[i, j]
        for j in range(x.shape[1]):
            out[i, j] /= total
