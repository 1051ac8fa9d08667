"""`prange` bodies of array statements, as NumPy code writes row-by-row algorithms: on offload
targets the `prange` goes to teams and each statement's loop to the team's threads
(`passes.two_level`), with serial statements between them (scalars the statements read, rows
normalized by an element of their own, a serial loop over k around a row update).
`tests/test_two_level.py` runs each compiled and as plain Python; `CASES` maps each kernel to its
random arguments."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel
def gemm(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    for i in prange(C.shape[0]):
        C[i, :] *= beta
        for k in range(A.shape[1]):
            C[i, :] += alpha * A[i, k] * B[k, :]


@kernel
def syrk(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


@kernel
def doitgen(A: InOut[f64[:, :, :]], C4: In[f64[:, :]], work: InOut[f64[:, :, :]]):
    for r in prange(A.shape[0]):
        work[r, :, :] = 0.0
        for s in range(C4.shape[0]):
            work[r, :, :] += A[r, :, s, None] * C4[s, :]
        A[r, :, :] = work[r, :, :]


@kernel
def scaled_rows(X: In[f64[:, :]], Y: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        first = X[i, 0]
        scale = 1.0 / (1.0 + first * first)
        Y[i, :] = X[i, :] * scale
        shift = Y[i, -1] - first
        Y[i, 1:] -= shift
        if scale > 0.5:
            Y[i, :] *= 2.0


@kernel
def normalized_rows(B: InOut[f64[:, :]]):
    for i in prange(B.shape[0]):
        B[i, :] /= B[i, i]
        B[i, 1:] += 0.5 * B[i, :-1]


CASES = {
    gemm: lambda rng: (1.5, 1.2, rng.random((20, 25)), rng.random((20, 30)), rng.random((30, 25))),
    syrk: lambda rng: (1.5, 1.2, rng.random((30, 30)), rng.random((30, 20))),
    doitgen: lambda rng: (rng.random((6, 5, 8)), rng.random((8, 8)), rng.random((6, 5, 8))),
    scaled_rows: lambda rng: (rng.standard_normal((17, 9)), rng.standard_normal((17, 9))),
    normalized_rows: lambda rng: (rng.random((9, 9)) + 1.0,),
}
