"""Kernels for the per-call cost: one that launches an empty target region, one that maps 16 floats,
two of three arrays called with their data on the device (a gemv, and atax's loops making two
arrays), and a gather whose index check gives it the status word of the run-time checks (the one
kernel timed here that has one: what `PY2OMP_STATUS_WORD` changes). `gather_pairs`, whose two
checks fail on many lanes at once, checks on the GPU that the word keeps the first check in
program order (an `atomic compare` max) with either kind of word."""

import numpy as np

from translator import In, InOut, Out, f32, i64, kernel, prange


@kernel
def empty_region(n: int):
    for i in prange(n):
        pass


@kernel
def tiny_saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


@kernel
def tiny_gemv(A: In[f32[:, :]], x: In[f32[:]], y: Out[f32[:]]):
    for i in prange(y.shape[0]):
        s = np.float32(0.0)
        for j in range(x.shape[0]):
            s += A[i, j] * x[j]
        y[i] = s


@kernel
def tiny_atax(A: In[f32[:, :]], x: In[f32[:]]):
    tmp = np.empty(A.shape[0], dtype=np.float32)
    for i in prange(A.shape[0]):
        s = np.float32(0.0)
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        tmp[i] = s
    y = np.empty(A.shape[1], dtype=np.float32)
    for j in prange(A.shape[1]):
        s = np.float32(0.0)
        for i in range(A.shape[0]):
            s += A[i, j] * tmp[i]
        y[j] = s
    return y


@kernel
def tiny_gather(x: In[f32[:]], idx: In[i64[:]]):
    y = np.empty(idx.shape[0], dtype=np.float32)
    for i in prange(idx.shape[0]):
        y[i] = x[idx[i]]
    return y


@kernel
def gather_pairs(x: In[f32[:]], idx: In[i64[:]], w: In[f32[:]], jdx: In[i64[:]]):
    y = np.empty(idx.shape[0], dtype=np.float32)
    for i in prange(idx.shape[0]):
        a = x[idx[i]]
        b = w[jdx[i]]
        y[i] = a * b
    return y
