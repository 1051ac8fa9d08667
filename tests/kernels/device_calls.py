"""Kernels called with their arrays already in device memory (tests/test_device_calls.py): the
device path of a call (runtime_shim/devicepath.py) against Python, and the checked path's errors
on the same route."""

import numpy as np

from translator import In, Out, f64, i64, kernel, prange


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


@kernel
def bicg(A: In[f64[:, :]], p: In[f64[:]], r: In[f64[:]], s: Out[f64[:]], q: Out[f64[:]]):
    """PolyBench's bicg as NPBench writes it: `s` and `q` written at the loops' indices only, so the
    call checks that their lengths are the loops' (an `Out` array partly written would come back
    undefined)."""
    for j in prange(A.shape[1]):
        s[j] = r @ A[:, j]
    for i in prange(A.shape[0]):
        q[i] = A[i, :] @ p


@kernel
def scaled_rows(steps: i64, x: In[f64[:]], out: Out[f64[:, :]]):
    """Row `t` of `out` is `t * x`: written for `t < steps` and `i < len(x)`, a box of two bounds."""
    for t in range(steps):
        for i in prange(x.shape[0]):
            out[t, i] = x[i] * t
