"""Consecutive products that the vendor BLAS computes one after another, waited for once after the
last (`passes/library_runs.py`): atax's `A.T @ (A @ x)` in two statements, a power-iteration step
whose second product reads the first, a recurrent cell (two products summed, then an elementwise
activation: a target region that reads them), a chain of three products whose middle one can run
as loops, and a product, an update of the matrix, then two products (the update's region stands
between the first two). `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f32, f64, kernel


@kernel
def atax(A: In[f64[:, :]], x: In[f64[:]]):
    tmp = A @ x
    y = A.T @ tmp
    return y


@kernel
def power_step(A: In[f32[:, :]], v: In[f32[:]], u: Out[f32[:]]):
    w = A @ v
    u[:] = A @ w


@kernel
def rnn_cell(W: In[f64[:, :]], U: In[f64[:, :]], b: In[f64[:]], x: In[f64[:]], h: InOut[f64[:]]):
    z = W @ x + U @ h
    h[:] = np.tanh(z + b)


@kernel
def chain(beta: f64, A: In[f64[:, :]], x: In[f64[:]], u: InOut[f64[:]], v: Out[f64[:]]):
    t = A @ x
    u[:] = A.T @ t + beta * u
    v[:] = A @ u


@kernel
def update_between(A: InOut[f64[:, :]], a: In[f64[:]], b: In[f64[:]], x: In[f64[:]], y: InOut[f64[:]]):
    z = A @ x
    A[:] += np.outer(a, b)
    w = A.T @ z
    y[:] = A @ w


def _matrix(rng: np.random.Generator, rows: int, cols: int, dtype: type = np.float64) -> np.ndarray:
    return rng.standard_normal((rows, cols)).astype(dtype)


CASES = {
    atax: lambda rng: (_matrix(rng, 23, 17), rng.standard_normal(17)),
    power_step: lambda rng: (_matrix(rng, 14, 14, np.float32), rng.standard_normal(14).astype(np.float32),
                             np.empty(14, np.float32)),
    rnn_cell: lambda rng: (_matrix(rng, 12, 9), _matrix(rng, 12, 12), rng.standard_normal(12), rng.standard_normal(9),
                           rng.standard_normal(12)),
    chain: lambda rng: (0.5, _matrix(rng, 13, 10), rng.standard_normal(10), rng.standard_normal(10), np.empty(13)),
    update_between: lambda rng: (_matrix(rng, 11, 8), rng.standard_normal(11), rng.standard_normal(8),
                                 rng.standard_normal(8), rng.standard_normal(11)),
}
