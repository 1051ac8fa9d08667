"""Kernels for `kernel.on(devices)`: each outermost prange split into one chunk of rows per device.

Written as NPBench and the numerical tutorials write them (STREAM triad, Jacobi 2-D, gemm by rows,
a heat equation stepped by a host loop), plus reductions whose shares combine on the host.
"""

import numpy as np

from translator import In, InOut, Out, f32, f64, i64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], scalar: f64):
    for i in prange(a.shape[0]):
        a[i] = b[i] + scalar * c[i]


@kernel
def jacobi_step(A: In[f64[:, :]], B: Out[f64[:, :]]):
    """One 5-point sweep: each chunk reads the row above and below its own (the halo)."""
    for i in prange(1, A.shape[0] - 1):
        for j in range(1, A.shape[1] - 1):
            B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])


@kernel
def gemm(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    """NPBench's gemm: rows of C split across the devices, A's rows with them, B read whole."""
    for i in prange(C.shape[0]):
        C[i, :] *= beta
        for k in range(A.shape[1]):
            C[i, :] += alpha * A[i, k] * B[k, :]


@kernel
def jacobi_1d(TSTEPS: i64, A: InOut[f64[:]], B: InOut[f64[:]]):
    """NPBench's jacobi_1d: two sweeps per time step, each reading the rows the other wrote."""
    N = A.shape[0]
    for t in range(1, TSTEPS):
        for i in prange(1, N - 1):
            B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
        for i in prange(1, N - 1):
            A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])


@kernel
def relax(u: InOut[f64[:]], v: InOut[f64[:]], tol: f64, max_steps: i64) -> i64:
    """Sweeps until the largest change is below `tol`: a max reduction steers the host loop, so every
    device must see the combined value to stop at the same step."""
    n = u.shape[0]
    steps = 0
    change = tol + 1.0
    while change > tol and steps < max_steps:
        change = 0.0
        for i in prange(1, n - 1):
            v[i] = 0.5 * (u[i - 1] + u[i + 1])
            change = max(change, abs(v[i] - u[i]))
        for i in prange(1, n - 1):
            u[i] = v[i]
        steps += 1
    return steps


@kernel
def dot(x: In[f64[:]], y: In[f64[:]]) -> f64:
    total = 0.0
    for i in prange(x.shape[0]):
        total += x[i] * y[i]
    return total


@kernel
def peak(x: In[f32[:]]) -> f32:
    m = -np.inf
    for i in prange(x.shape[0]):
        m = max(m, x[i])
    return m


@kernel
def count_and_scale(x: In[i64[:]], out: Out[i64[:]], start: i64) -> i64:
    """An integer sum that starts from `start` (added once, not once per device) beside a row write."""
    total = start
    for i in prange(x.shape[0]):
        out[i] = 3 * x[i]
        total += x[i]
    return total


@kernel
def gather(x: In[f64[:]], idx: In[i64[:]], y: Out[f64[:]]):
    """Reads anywhere in `x`, which no device writes; an index out of range raises IndexError."""
    for i in prange(y.shape[0]):
        y[i] = x[idx[i]]


@kernel
def jacobi_2d(TSTEPS: i64, A: InOut[f64[:, :]], B: InOut[f64[:, :]]):
    """NPBench's jacobi_2d, row loops split: each step reads the halo rows the other devices wrote."""
    N = A.shape[0]
    for t in range(1, TSTEPS):
        for i in prange(1, N - 1):
            for j in range(1, N - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in prange(1, N - 1):
            for j in range(1, N - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])


@kernel(device=1)
def normalize(x: In[f64[:, :]]):
    """Rows scaled to unit sum into an array the kernel makes; `device=1` is for ordinary calls."""
    y = np.zeros((x.shape[0], x.shape[1]))
    for i in prange(x.shape[0]):
        total = 0.0
        for j in range(x.shape[1]):
            total += x[i, j]
        for j in range(x.shape[1]):
            y[i, j] = x[i, j] / total
    return y


@kernel
def scale_by_first(x: In[f64[:]], y: Out[f64[:]]):
    """Host code reading an element (run on the device): every device needs the same `first`."""
    first = x[0]
    for i in prange(x.shape[0]):
        y[i] = x[i] / first


@kernel
def growing_rows(x: In[f64[:]], out: Out[f64[:]], work: i64) -> f64:
    """Row i sums `i * work` terms, so the last device's share is the longest: the others wait for it."""
    total = 0.0
    for i in prange(out.shape[0]):
        s = 0.0
        for k in range(i * work):
            s += x[k % x.shape[0]]
        out[i] = s
        total += s
    return total
