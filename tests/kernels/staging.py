"""Kernels for the staging tests (tests/test_staging.py): the STREAM kernels, a stencil that writes
the interior of an InOut array, a reduction, kernels whose Out array is written only partly (a tail,
the interior of a 2-D or 3-D grid, the first columns of a matrix), and
elementwise kernels (which the runtime may run in pieces) next to near misses that it must not cut
(the index used as a value, a neighbour read, an extent read in the body)."""

import numpy as np

from translator import In, InOut, Out, f32, f64, i64, kernel, prange


@kernel
def saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@kernel
def jacobi(u: In[f64[:, :]], v: InOut[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.5 * v[i, j] + 0.125 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@kernel
def dot(x: In[f64[:]], y: In[f64[:]]) -> f64:
    total = 0.0
    for i in prange(x.shape[0]):
        total += x[i] * y[i]
    return total


@kernel
def scale_tail(x: In[f64[:]], y: Out[f64[:]], first: i64):
    for i in prange(first, x.shape[0]):
        y[i] = np.sqrt(x[i]) * 2.0


@kernel
def ramp(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = x[i] * i


@kernel
def forward_difference(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0] - 1):
        y[i] = x[i + 1] - x[i]
    y[x.shape[0] - 1] = 0.0


@kernel
def normalized(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = x[i] / x.shape[0]


@kernel
def clipped_gain(x: In[f32[:]], y: Out[f32[:]], gain: f32, limit: f32):
    for i in prange(y.shape[0]):
        v = gain * x[i]
        if v > limit:
            v = limit
        y[i] = v


@kernel
def gather(x: In[f64[:]], index: In[i64[:]], y: Out[f64[:]]):
    for i in prange(y.shape[0]):
        y[i] = x[index[i]]


@kernel
def softplus(x: In[f64[:]]):
    return np.log1p(np.exp(x))


@kernel
def relax(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


@kernel
def relax3d(u: In[f64[:, :, :]], v: Out[f64[:, :, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            for k in range(1, u.shape[2] - 1):
                v[i, j, k] = (u[i - 1, j, k] + u[i + 1, j, k] + u[i, j - 1, k] + u[i, j + 1, k]
                              + u[i, j, k - 1] + u[i, j, k + 1]) / 6.0


@kernel
def left_columns(x: In[f64[:, :]], y: Out[f64[:, :]], k: i64):
    for i in prange(x.shape[0]):
        for j in range(k):
            y[i, j] = 2.0 * x[i, j] - 1.0
