"""Kernels that make and return arrays, called with their data already in device memory
(tests/test_device_results.py): the arrays they make must come back as device arrays."""

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def plus_trace(a: In[f64[:, :]]):
    trace = 0.0
    for i in prange(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


@kernel
def column_sums(A: In[f64[:, :]]):
    return np.sum(A, axis=0)


@kernel
def envelope(x: In[f64[:]], width: f64 = 1.0):
    lo = np.empty(x.shape[0] - 1)
    hi = np.empty(x.shape[0] - 1)
    total = 0.0
    peak = 0.0
    for i in prange(x.shape[0] - 1):
        lo[i] = min(x[i], x[i + 1]) - width
        hi[i] = max(x[i], x[i + 1]) + width
        total += x[i]
        peak = max(peak, abs(x[i]))
    return lo, total, hi, peak


@kernel
def scaled_and_magnitude(a: InOut[f64[:]], s: f64):
    for i in prange(a.shape[0]):
        a[i] = a[i] * s
    return a, np.abs(a)


@kernel
def smooth_twice(x: In[f64[:]], out: Out[f64[:]]):
    t = np.empty(x.shape[0])
    for i in prange(x.shape[0]):
        t[i] = x[i] * 0.5 + x[i - 1] * 0.25 + x[(i + 1) % x.shape[0]] * 0.25
    for i in prange(x.shape[0]):
        out[i] = t[i] * 0.5 + t[i - 1] * 0.25 + t[(i + 1) % x.shape[0]] * 0.25


@kernel
def gathered(idx: In[i64[:]], x: In[f64[:]]):
    y = np.empty(idx.shape[0])
    for i in prange(idx.shape[0]):
        y[i] = 2.0 * x[idx[i]]
    return y
