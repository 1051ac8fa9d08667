"""Row-wise kernels whose teams' size comes, or not, from their rows (`passes/team_threads.py`):
`tests/test_team_threads.py` checks the `thread_limit` each gets on nvptx and runs each against
Python; `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f64, i64, kernel, prange


@kernel
def layer_norm(x: In[f64[:, :]], out: Out[f64[:, :]], eps: f64):
    """Rows of `x` normalized to mean 0 and variance 1: the rows' length sizes the team."""
    for i in prange(x.shape[0]):
        mean = np.sum(x[i, :]) / x.shape[1]
        out[i, :] = x[i, :] - mean
        var = np.sum(out[i, :] * out[i, :]) / x.shape[1]
        out[i, :] /= np.sqrt(var + eps)


@kernel
def leading_scale(A: InOut[f64[:, :]], n: i64):
    """The first `n` columns of each row divided by the row's first element: a scalar parameter in
    the row's length, known before the launch."""
    for i in prange(A.shape[0]):
        first = A[i, 0]
        A[i, :n] /= first


@kernel
def halved_rows(A: InOut[f64[:, :]], n: i64):
    """`m` is assigned in the kernel, so the row's length is not read before the region: 256 threads."""
    m = n // 2
    for i in prange(A.shape[0]):
        first = A[i, 0]
        A[i, :m] /= first


@kernel
def lower_rows(L: InOut[f64[:, :]]):
    """Triangular rows `L[i, :i + 1]`: the length reads the team's loop variable, 256 threads."""
    for i in prange(L.shape[0]):
        pivot = L[i, i]
        L[i, :i + 1] /= pivot


@kernel
def given_threads(x: In[f64[:, :]], out: Out[f64[:, :]]):
    """The user's `thread_limit=` stays."""
    for i in prange(x.shape[0], thread_limit=64):
        top = np.max(x[i, :])
        out[i, :] = x[i, :] - top


CASES = {
    layer_norm: lambda rng: (rng.standard_normal((13, 300)), np.zeros((13, 300)), 1e-5),
    leading_scale: lambda rng: (rng.random((11, 70)) + 0.5, 40),
    halved_rows: lambda rng: (rng.random((11, 70)) + 0.5, 50),
    lower_rows: lambda rng: (rng.random((12, 12)) + 0.5,),
    given_threads: lambda rng: (rng.standard_normal((9, 33)), np.zeros((9, 33))),
}
