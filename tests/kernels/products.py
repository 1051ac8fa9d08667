"""Matrix products written row by row with slice statements inside a `prange`, the shapes
`passes.interchange` fuses into one collapsed nest with the serial loop inside (a register per
element). `tests/test_interchange.py` runs each compiled and as plain Python; `CASES` maps each
kernel to its random arguments."""

import numpy as np

from translator import In, InOut, f32, f64, kernel, prange


@kernel
def batched_matmul(X: In[f64[:, :, :]], Y: In[f64[:, :, :]], Z: InOut[f64[:, :, :]]):
    for b in prange(X.shape[0]):
        Z[b, :, :] = 0.0
        for k in range(X.shape[2]):
            Z[b, :, :] += X[b, :, k, None] * Y[b, k, :]


@kernel
def gram_rows(alpha: f32, A: In[f32[:, :]], G: InOut[f32[:, :]]):
    for i in prange(A.shape[1]):
        G[i, :] = 0.0
        for k in range(A.shape[0]):
            G[i, :] += A[k, i] * A[k, :]
        G[i, :] *= alpha


@kernel
def affine_rows(W: In[f64[:, :]], b: In[f64[:]], X: In[f64[:, :]], Y: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        Y[i, :] = b
        for k in range(X.shape[1]):
            Y[i, :] += X[i, k] * W[k, :]
        Y[i, :] = np.maximum(Y[i, :], 0.0)


@kernel
def dense_relu(X: In[f64[:, :]], W: In[f64[:, :]], b: In[f64[:]], H: InOut[f64[:, :]], Y: InOut[f64[:, :]]):
    for i in prange(X.shape[0]):
        H[i, :] = b
        for k in range(X.shape[1]):
            H[i, :] += X[i, k] * W[k, :]
        Y[i, :] = np.maximum(H[i, :], 0.0)


CASES = {
    batched_matmul: lambda rng: (rng.random((4, 6, 7)), rng.random((4, 7, 5)), rng.random((4, 6, 5))),
    gram_rows: lambda rng: (np.float32(0.5), rng.random((9, 8)).astype(np.float32),
                            rng.random((8, 8)).astype(np.float32)),
    affine_rows: lambda rng: (rng.standard_normal((6, 5)), rng.standard_normal(5), rng.standard_normal((7, 6)),
                              rng.random((7, 5))),
    dense_relu: lambda rng: (rng.standard_normal((7, 6)), rng.standard_normal((6, 5)), rng.standard_normal(5),
                             rng.random((7, 5)), rng.random((7, 5))),
}
