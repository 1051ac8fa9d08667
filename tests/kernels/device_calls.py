"""Kernels called with their arrays already in device memory (tests/test_device_calls.py): the
device path of a call (runtime_shim/devicepath.py) against Python, and the checked path's errors
on the same route."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def atax(A: In[f64[:, :]], x: In[f64[:]]):
    """PolyBench's atax, y = A.T @ (A @ x), as its loops: a temporary and a result the call makes."""
    tmp = np.empty(A.shape[0])
    for i in prange(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        tmp[i] = s
    y = np.empty(A.shape[1])
    for j in prange(A.shape[1]):
        s = 0.0
        for i in range(A.shape[0]):
            s += A[i, j] * tmp[i]
        y[j] = s
    return y


@kernel
def axpby(a: f64, x: In[f64[:]], b: f64, y: In[f64[:]], out: Out[f64[:]]):
    out[:] = a * x + b * y


@kernel
def row_normalize(A: In[f64[:, :]], out: Out[f64[:, :]]):
    if out.shape[0] != A.shape[0] or out.shape[1] != A.shape[1]:
        raise ValueError(f"out has shape {out.shape}, A has {A.shape}")
    for i in prange(out.shape[0]):
        total = 0.0
        for j in range(A.shape[1]):
            total += abs(A[i, j])
        for j in range(out.shape[1]):
            out[i, j] = A[i, j] / total
