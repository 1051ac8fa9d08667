"""Host time loops whose steps launch only target regions (`passes.team_loops`): the 1-D and 2-D
Jacobi sweeps as NPBench and tutorials write them (slices, or `prange` loops), an explicit heat
equation with three regions per step, and a step that gathers through an index array; loops that
must keep their launches (a reduction the host reads, host code between regions)."""

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def jacobi_1d(tsteps: int, A: InOut[f64[:]], B: InOut[f64[:]]):
    for t in range(1, tsteps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0


@kernel
def jacobi_2d(tsteps: int, A: InOut[f64[:, :]], B: InOut[f64[:, :]]):
    for t in range(1, tsteps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


@kernel
def heat_1d(nsteps: int, alpha: float, u: InOut[f64[:]], source: In[f64[:]]):
    """Explicit Euler for u_t = alpha u_xx + s(t): fluxes, then the update, then the boundary."""
    n = u.shape[0]
    flux = np.empty(n - 1)
    for step in range(nsteps):
        for i in prange(n - 1):
            flux[i] = alpha * (u[i + 1] - u[i])
        for i in prange(1, n - 1):
            u[i] += flux[i] - flux[i - 1] + 1e-3 * step * source[i]
        for i in prange(1):
            u[0] = u[1]


@kernel
def gather_steps(steps: int, x: InOut[f64[:]], idx: In[i64[:]], y: Out[f64[:]]):
    """Every step gathers through `idx`: an index out of range raises IndexError after the call."""
    for t in range(steps):
        for i in prange(y.shape[0]):
            y[i] = x[idx[i]] + t
        for i in prange(x.shape[0]):
            x[i] = x[i] * 0.5


@kernel
def wave(steps: int, u0: In[f64[:]], u: InOut[f64[:]]):
    """The wave equation's leapfrog: arrays set up by regions launched before the time loop, which
    the loop's first step reads (the team's region must wait for them)."""
    u_prev = u0.copy()
    u[:] = u0 * 1.01
    u_next = np.zeros_like(u0)
    for n in range(steps):
        u_next[1:-1] = 2.0 * u[1:-1] - u_prev[1:-1] + 0.1 * (u[2:] - 2.0 * u[1:-1] + u[:-2])
        u_prev[:] = u
        u[:] = u_next


@kernel
def converge(u: InOut[f64[:]], tol: float, max_iter: int) -> int:
    """The host reads each sweep's reduction: the loop keeps its launches."""
    n = u.shape[0]
    v = np.empty_like(u)
    change = tol + 1.0
    it = 0
    while change > tol and it < max_iter:
        for i in prange(1, n - 1):
            v[i] = 0.5 * (u[i - 1] + u[i + 1])
        change = 0.0
        for i in prange(1, n - 1):
            change += abs(v[i] - u[i])
        u[1:-1] = v[1:-1]
        it += 1
    return it


@kernel
def sampled(steps: int, A: InOut[f64[:]]) -> float:
    """Host code between the regions (it reads an element each step): the loop keeps its launches."""
    total = 0.0
    for t in range(steps):
        A[1:] = 0.5 * (A[1:] + A[:-1])
        total += A[t % A.shape[0]]
    return total


CASES = {
    jacobi_1d: lambda r, n: (20, r.random(n), r.random(n)),
    jacobi_2d: lambda r, n: (6, r.random((n // 8 + 3, 11)), r.random((n // 8 + 3, 11))),
    heat_1d: lambda r, n: (15, 0.2, r.random(n), r.standard_normal(n)),
    gather_steps: lambda r, n: (4, r.standard_normal(n), r.integers(0, n, n // 2 + 1), np.empty(n // 2 + 1)),
    wave: lambda r, n: (12, r.random(n), np.empty(n)),
    converge: lambda r, n: (r.random(n), 1e-3, 30),
    sampled: lambda r, n: (9, r.random(n)),
}
