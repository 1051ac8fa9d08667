"""Matrix products of the IR's array tier (`ir.ArrayReduce` of op `dot`, lowered by
`passes.lower_arrays` with the contraction in a register) as public NumPy code writes them: GEMM with
`@`, matrix-vector and vector-matrix products, rows times a matrix inside a prange, Gram matrices
with `np.inner`, outer products, dots of vectors and integer matrices. `tests/test_array_reductions.py`
runs each compiled and as plain Python; `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f32, f64, i32, kernel, prange


@kernel
def gemm(alpha: f64, beta: f64, A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]):
    C[:, :] = alpha * A @ B + beta * C


@kernel
def mat_vec(A: In[f32[:, :]], x: In[f32[:]], w: In[f32[:]], y: Out[f32[:]], z: Out[f32[:]]) -> f32:
    y[:] = A @ x
    z[:] = np.dot(w, A)
    return np.dot(x, x) + np.vdot(x, x) - x.dot(x)


@kernel
def rows_times(A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]], C: Out[f64[:, :]], y: Out[f64[:]]):
    for i in prange(A.shape[0]):
        y[i] = A[i, :] @ x
        C[i, :] = np.matmul(A[i, :], B) / (1.0 + np.abs(y[i]))


@kernel
def gram_outer(A: In[f64[:, :]], w: In[f64[:]], x: In[f64[:]], G: Out[f64[:, :]], P: Out[f64[:, :]]):
    G[:, :] = np.inner(A, A)
    P[:, :] = np.outer(w, x) + 1.0


@kernel
def int_matmul(A: In[i32[:, :]], B: In[i32[:, :]], K: Out[i32[:, :]]):
    K[:, :] = A.dot(B) + 2 * (A @ B.T.T)


CASES = {
    gemm: lambda rng: (1.5, 0.5, rng.standard_normal((5, 4)), rng.standard_normal((4, 6)), rng.standard_normal((5, 6))),
    mat_vec: lambda rng: (rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32),
                          rng.standard_normal(5).astype(np.float32), np.zeros(5, np.float32), np.zeros(3, np.float32)),
    rows_times: lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(3),
                             np.zeros((4, 5)), np.zeros(4)),
    gram_outer: lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal(3),
                             np.zeros((4, 4)), np.zeros((4, 3))),
    int_matmul: lambda rng: (rng.integers(-50, 50, (3, 4)).astype(np.int32), rng.integers(-50, 50, (4, 2)).astype(np.int32),
                             np.zeros((3, 2), np.int32)),
}
