"""Kernels whose host code launches a sequence of target regions (`passes.launches`): host time loops,
consecutive dependent steps, a convergence loop whose test reads a reduction, temporaries, gathers
whose run-time checks may fail in a later step."""

import numpy as np

from translator import In, InOut, Out, c128, f64, i64, kernel, prange


@kernel
def pingpong(tsteps: int, A: InOut[f64[:]], B: InOut[f64[:]]):
    """The 1-D Jacobi stencil written as loops: each step reads what the step before wrote."""
    n = A.shape[0]
    for t in range(tsteps):
        for i in prange(1, n - 1):
            B[i] = 0.33333 * (A[i - 1] + A[i] + A[i + 1])
        for i in prange(1, n - 1):
            A[i] = 0.33333 * (B[i - 1] + B[i] + B[i + 1])


@kernel
def smooth_then_scale(x: In[f64[:]], y: InOut[f64[:]], z: InOut[f64[:]], w: Out[f64[:]]):
    """Consecutive dependent steps, no host loop: each reads the array the previous one wrote."""
    n = x.shape[0]
    y[:] = x * 2.0 + 1.0
    for i in prange(n):
        z[i] = y[i] + y[n - 1 - i]
    w[1:] = z[1:] - z[:-1]
    w[0] = z[0]


@kernel
def relax(u: InOut[f64[:]], f: In[f64[:]], tol: float, max_iter: int) -> int:
    """Damped Jacobi sweeps until the update's size drops below `tol`: the host reads the
    reduction of each sweep before deciding on the next."""
    n = u.shape[0]
    v = np.empty_like(u)
    change = tol + 1.0
    it = 0
    while change > tol and it < max_iter:
        for i in prange(1, n - 1):
            v[i] = 0.5 * u[i] + 0.25 * (u[i - 1] + u[i + 1] + f[i])
        change = 0.0
        for i in prange(1, n - 1):
            change += abs(v[i] - u[i])
        u[1:-1] = v[1:-1]
        it += 1
    return it


@kernel
def scaled_rows(steps: int, A: InOut[f64[:, :]]):
    """A host loop around a `prange` whose body makes an array per row (a temporary: its buffer is
    freed after each launch)."""
    m = A.shape[1]
    for t in range(steps):
        for i in prange(A.shape[0]):
            row = A[i, :] * 0.5
            A[i, 1:] = row[: m - 1] + A[i, 1:]


@kernel
def gather_steps(steps: int, x: InOut[f64[:]], idx: In[i64[:]], y: Out[f64[:]]):
    """Every step gathers through `idx`: an index out of range fails the bounds check in the first
    step, and the call raises IndexError there after the later steps ran."""
    for t in range(steps):
        for i in prange(y.shape[0]):
            y[i] = x[idx[i]] + t
        for i in prange(x.shape[0]):
            x[i] = x[i] * 0.5


@kernel
def decay_total(steps: int, x: InOut[f64[:]]) -> float:
    """A host loop of launches, then a whole reduction whose value the kernel returns."""
    for t in range(steps):
        x[:] = x * 0.9 + 0.1
    return np.sum(x)


@kernel
def damped_trace(steps: int, A: InOut[f64[:, :]]) -> float:
    """Each step updates the matrix on the device, then host code reads one of its elements (run on
    the device, its scalar handed back to the host): the sum needs the step before it."""
    n = A.shape[0]
    trace = 0.0
    for t in range(steps):
        for i in prange(n):
            for j in range(n):
                A[i, j] = A[i, j] * 0.5 + 1.0
        trace += A[t % n, t % n]
    return trace


@kernel
def rotate_series(phases: In[c128[:]], Z: InOut[c128[:]], S: InOut[c128[:]]):
    """A host loop over complex phases, each step scaling one array by a complex number the host
    computes and accumulating it into another (contour_integral's shape): the scaling reads a
    complex128 the host assigns again at the next step, the sum does not."""
    for k in range(phases.shape[0]):
        w = phases[k] ** 2 + 1j
        Z[:] = Z * w
        S += Z


CASES = {
    pingpong: lambda r: (25, r.random(300), r.random(300)),
    smooth_then_scale: lambda r: (r.standard_normal(257), r.random(257), r.random(257), np.empty(257)),
    relax: lambda r: (r.random(64), r.random(64) * 0.01, 1e-3, 40),
    scaled_rows: lambda r: (6, r.standard_normal((17, 9))),
    gather_steps: lambda r: (5, r.standard_normal(40), r.integers(0, 40, 33), np.empty(33)),
    decay_total: lambda r: (30, r.random(500)),
    damped_trace: lambda r: (12, r.random((7, 7))),
    rotate_series: lambda r: (np.exp(2j * np.pi * r.random(9)) * 0.9, r.random(50) + 1j * r.random(50),
                              r.random(50) + 1j * r.random(50)),
}
