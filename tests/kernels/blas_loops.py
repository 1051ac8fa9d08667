"""Products written as loops, which `passes/blas_loops.py` hands to a vendor BLAS, as NPBench and
textbook NumPy code write them: syrk and syr2k row by row over the lower triangle (float64 and
float32, with and without the scaling), a covariance matrix filled over its upper triangle and
mirrored, a correlation matrix off its diagonal, a Gram matrix of two data sets, trmm's update of B
by the unit lower triangle of A (float64 and float32; scaled after the loops, `B *= alpha`, or
element by element in them, PolyBench's order; and scaled where the routine's alpha cannot stand
for the scaling: part of B, another statement between, a wider alpha), and doitgen's rows of a
3-D array each multiplied by a matrix in place (float64, and float32 with the transpose); then
forms the library cannot compute, which keep their loops. `CASES` maps each kernel to its random
arguments; `CALLED` says whether the library computes it."""

import numpy as np

from translator import In, InOut, f32, f64, kernel, prange


@kernel
def syrk(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


@kernel
def syrk_accumulate(C: InOut[f32[:, :]], A: In[f32[:, :]], B: In[f32[:, :]]):
    for i in prange(C.shape[0]):
        for k in range(A.shape[1]):
            C[i, :i + 1] += A[i, k] * B[:i + 1, k] * 0.5


@kernel
def syr2k(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += A[:i + 1, k] * alpha * B[i, k] + B[:i + 1, k] * alpha * A[i, k]


@kernel
def covariance(float_n: f64, data: InOut[f64[:, :]]):
    m = data.shape[1]
    mean = np.sum(data, axis=0) / float_n
    data -= mean
    cov = np.zeros((m, m))
    for i in prange(m):
        for j in range(i, m):
            cov[i, j] = data[:, i] @ data[:, j] / (float_n - 1.0)
            cov[j, i] = cov[i, j]
    return cov


@kernel
def correlation_off_diagonal(data: In[f32[:, :]], corr: InOut[f32[:, :]]):
    m = data.shape[1]
    for i in prange(m - 1):
        for j in range(i + 1, m):
            corr[i, j] = data[:, i] @ data[:, j]
            corr[j, i] = corr[i, j]


@kernel
def gram(X: In[f64[:, :]], Y: In[f64[:, :]], G: InOut[f64[:, :]]):
    for i in prange(X.shape[1]):
        for j in range(i, Y.shape[1]):
            G[i, j] = np.dot(X[1:, i], Y[1:, j]) * 2.0


@kernel
def trmm(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B *= alpha


@kernel
def trmm_f32(A: In[f32[:, :]], B: InOut[f32[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] = B[i, j] + B[i + 1:, j] @ A[i + 1:, i]


@kernel
def trmm_scaled(alpha: f32, A: In[f32[:, :]], B: InOut[f32[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] = B[i, j] + alpha * (B[i + 1:, j] @ A[i + 1:, i])  # the diagonal unscaled: no trmm


@kernel
def trmm_upward(A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[:i, i], B[:i, j])  # rows above, already updated: no trmm


@kernel
def trmm_polybench(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += A[i + 1:, i] @ B[i + 1:, j]
            B[i, j] = alpha * B[i, j]  # PolyBench scales each element after its update


@kernel
def trmm_scaled_rows(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B[1:, :] *= alpha  # not all of B: its own loops


@kernel
def trmm_shifted(alpha: f64, A: In[f64[:, :]], B: InOut[f64[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B += 1.0  # between the product and its scaling
    B *= alpha


@kernel
def trmm_f32_wide_alpha(alpha: f64, A: In[f32[:, :]], B: InOut[f32[:, :]]):
    for i in range(B.shape[0]):
        for j in prange(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B *= alpha  # computed in float64, then rounded to float32: not the routine's alpha


@kernel
def doitgen(A: InOut[f64[:, :, :]], C4: In[f64[:, :]]):
    for r in prange(A.shape[0]):
        for q in range(A.shape[1]):
            A[r, q, :] = A[r, q, :] @ C4


@kernel
def doitgen_transposed(A: InOut[f32[:, :, :]], C4: In[f32[:, :]]):
    for r in prange(A.shape[0]):
        for q in range(A.shape[1]):
            A[r, q, :] = 0.5 * (A[r, q, :] @ C4.T)


@kernel
def doitgen_partial(A: InOut[f64[:, :, :]], C4: In[f64[:, :]]):
    for r in prange(A.shape[0]):
        for q in range(1, A.shape[1]):  # the first row of each r is left alone
            A[r, q, :] = A[r, q, :] @ C4


@kernel
def covariance_short(data: In[f64[:, :]], cov: InOut[f64[:, :]]):
    m = data.shape[1]
    for i in prange(m):
        for j in range(i, m - 1):  # the last column is left out: not the whole triangle
            cov[i, j] = data[:, i] @ data[:, j]
            cov[j, i] = cov[i, j]


@kernel
def syrk_strict(C: InOut[f64[:, :]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        for k in range(A.shape[1]):
            C[i, :i] += A[i, k] * A[:i, k]  # below the diagonal only


def _matrix(rng: np.random.Generator, rows: int, cols: int, dtype: type = np.float64) -> np.ndarray:
    return rng.standard_normal((rows, cols)).astype(dtype)


CASES = {
    syrk: lambda rng: (1.5, 1.2, _matrix(rng, 23, 23), _matrix(rng, 23, 17)),
    syrk_accumulate: lambda rng: (_matrix(rng, 14, 14, np.float32), _matrix(rng, 14, 9, np.float32),
                                  _matrix(rng, 14, 9, np.float32)),
    syr2k: lambda rng: (-0.5, 2.0, _matrix(rng, 19, 19), _matrix(rng, 19, 26), _matrix(rng, 19, 26)),
    covariance: lambda rng: (32.0, rng.random((32, 21))),
    correlation_off_diagonal: lambda rng: (_matrix(rng, 25, 12, np.float32), np.eye(12, dtype=np.float32)),
    gram: lambda rng: (_matrix(rng, 15, 11), _matrix(rng, 15, 11), _matrix(rng, 11, 11)),
    trmm: lambda rng: (1.5, _matrix(rng, 21, 21), _matrix(rng, 21, 16)),
    trmm_f32: lambda rng: (_matrix(rng, 13, 13, np.float32), _matrix(rng, 13, 18, np.float32)),
    trmm_scaled: lambda rng: (np.float32(0.5), _matrix(rng, 13, 13, np.float32), _matrix(rng, 13, 18, np.float32)),
    trmm_upward: lambda rng: (_matrix(rng, 11, 11), _matrix(rng, 11, 7)),
    trmm_polybench: lambda rng: (-0.75, _matrix(rng, 17, 17), _matrix(rng, 17, 12)),
    trmm_scaled_rows: lambda rng: (2.5, _matrix(rng, 15, 15), _matrix(rng, 15, 9)),
    trmm_shifted: lambda rng: (1.25, _matrix(rng, 12, 12), _matrix(rng, 12, 10)),
    trmm_f32_wide_alpha: lambda rng: (1.1, _matrix(rng, 14, 14, np.float32), _matrix(rng, 14, 8, np.float32)),
    doitgen: lambda rng: (rng.random((7, 6, 9)), rng.random((9, 9))),
    doitgen_transposed: lambda rng: (rng.random((5, 4, 11), np.float32), rng.random((11, 11), np.float32)),
    doitgen_partial: lambda rng: (rng.random((4, 5, 6)), rng.random((6, 6))),
    covariance_short: lambda rng: (_matrix(rng, 10, 8), _matrix(rng, 8, 8)),
    syrk_strict: lambda rng: (_matrix(rng, 12, 12), _matrix(rng, 12, 7)),
}
CALLED = {k: k not in (covariance_short, syrk_strict, trmm_scaled, trmm_upward, doitgen_partial) for k in CASES}
