"""Loop nests that take the bare form on nvptx (`passes/bare.py`: one element per thread, no OpenMP
loop) and nests that must not, written as numerical Python writes them. `tests/test_bare.py` checks
the decision per kernel and runs each kernel's nvptx build (through the offload runtime's host
fallback here) and its host-offload build against Python; `CASES` gives each kernel's random
arguments and `BARE` whether its nests are bare on nvptx."""

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64):
    """STREAM's triad."""
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@kernel
def jacobi_step(A: In[f64[:, :]], B: InOut[f64[:, :]]):
    """One step of NPBench's jacobi_2d, in its slice form: a 2-D nest over the interior."""
    B[1:-1, 1:-1] = 0.2 * (A[:-2, 1:-1] + A[1:-1, :-2] + A[1:-1, 1:-1] + A[1:-1, 2:] + A[2:, 1:-1])


@kernel
def odd_planes(u: InOut[f64[:, :, :]], v: In[f64[:, :, :]], alpha: f64):
    """Every other plane of a 3-D grid relaxed towards another, in place: three levels, the outer
    one starting at 1 with step 2 (each element updated once: `+=` shows a repeat)."""
    for i in prange(1, u.shape[0], 2):
        for j in prange(u.shape[1]):
            for k in prange(1, u.shape[2] - 1):
                u[i, j, k] += alpha * (v[i, j, k - 1] - 2.0 * v[i, j, k] + v[i, j, k + 1])


@kernel
def scaled_grid(u: In[f64[:, :]], s: f64, out: Out[f64[:, :]]):
    """A 2-D statement over whole arrays of one shape: one flat index, no division (`passes/flat_nests.py`)."""
    out[:] = s * u


@kernel
def clipped_gather(out: Out[f64[:]], x: In[f64[:]], idx: In[i64[:]], hi: f64):
    """`out = np.minimum(x[idx], hi)` with a branch: each index checked (a bad one raises IndexError)."""
    for i in prange(out.shape[0]):
        v = x[idx[i]]
        if v > hi:
            out[i] = hi
        else:
            out[i] = v


@kernel
def vdot(x: In[f64[:]], y: In[f64[:]]) -> f64:
    """A reduction: keeps the OpenMP loop and its `reduction` clause."""
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * y[i]
    return s


@kernel
def row_sums(A: In[f64[:, :]], out: Out[f64[:]]):
    """A serial loop per element: not straight-line, keeps the OpenMP loop."""
    for i in prange(A.shape[0]):
        acc = 0.0
        for j in range(A.shape[1]):
            acc += A[i, j]
        out[i] = acc


@kernel
def scaled_in_teams(x: InOut[f64[:]], s: f64, teams: i64):
    """The user's `num_teams=`: the OpenMP loop's distribution is asked for, kept."""
    for i in prange(x.shape[0], num_teams=teams):
        x[i] *= s


@kernel
def scaled_narrow(x: InOut[f64[:]], s: f64):
    """The user's `thread_limit=`: the bare kernel's block size."""
    for i in prange(x.shape[0], thread_limit=128):
        x[i] *= s


CASES = {
    triad: lambda rng: (np.zeros(1001), rng.standard_normal(1001), rng.standard_normal(1001), 3.0),
    jacobi_step: lambda rng: (rng.standard_normal((37, 29)), rng.standard_normal((37, 29))),
    odd_planes: lambda rng: (rng.standard_normal((9, 7, 13)), rng.standard_normal((9, 7, 13)), 0.25),
    scaled_grid: lambda rng: (rng.standard_normal((37, 29)), -1.25, np.zeros((37, 29))),
    clipped_gather: lambda rng: (np.zeros(500), rng.standard_normal(300), rng.integers(-300, 300, 500), 0.5),
    vdot: lambda rng: (rng.standard_normal(777), rng.standard_normal(777)),
    row_sums: lambda rng: (rng.standard_normal((41, 17)), np.zeros(41)),
    scaled_in_teams: lambda rng: (rng.standard_normal(333), 1.5, 3),
    scaled_narrow: lambda rng: (rng.standard_normal(333), -2.5),
}

BARE = {"triad": True, "jacobi_step": True, "odd_planes": True, "scaled_grid": True, "clipped_gather": True, "vdot": False,
        "row_sums": False, "scaled_in_teams": False, "scaled_narrow": True}
