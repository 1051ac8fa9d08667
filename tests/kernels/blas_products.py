"""Matrix products that `passes/blas.py` hands to a vendor BLAS (cuBLAS on NVIDIA GPUs; on
host-offload, the stand-in tests/test_blas.py builds), written as NumPy code writes them: BLAS's
GEMM with scalars on either side, transposed operands, blocks of larger arrays (leading dimensions
and offsets from the slices), float32, matrix-vector and vector-matrix products, a product into an
array the kernel makes, sums of products (gesummv: one call each), and the loop forms NPBench writes: a prange of row (column) dot products and
GEMM row by row. `CASES` maps each kernel to its random arguments."""

import numpy as np

from translator import In, InOut, Out, f32, f64, kernel, prange


@kernel
def gemm(alpha: f64, beta: f64, C: InOut[f64[:, :]], A: In[f64[:, :]], B: In[f64[:, :]]):
    C[:] = alpha * A @ B + beta * C


@kernel
def gemm_transposed(alpha: f32, A: In[f32[:, :]], B: In[f32[:, :]], C: InOut[f32[:, :]]):
    C[:, :] = (A.T @ B.T) * alpha + C


@kernel
def block_update(A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]):
    C[1:, :-1] -= A[2:, 1:] @ B[:-1, 3:]


@kernel
def gemv(alpha: f64, beta: f64, A: In[f64[:, :]], x: In[f64[:]], y: InOut[f64[:]]):
    y[:] = alpha * (A @ x) + beta * y


@kernel
def gemv_transposed(A: In[f32[:, :]], x: In[f32[:]], y: InOut[f32[:]], z: Out[f32[:]]):
    y[1:] += A[:, 1:].T @ x
    z[:] = x[1:] @ A[1:, :]


@kernel
def product(A: In[f64[:, :]], B: In[f64[:, :]]):
    D = np.matmul(A, B)
    return D


@kernel
def row_dots(alpha: f64, A: In[f64[:, :]], x: In[f64[:]], w: In[f64[:]], y: InOut[f64[:]], z: Out[f64[:]]):
    for i in prange(1, A.shape[0]):
        y[i] += alpha * (A[i, 1:] @ x[1:])
    for j in prange(A.shape[1]):
        z[j] = np.dot(w, A[:, j]) * 0.5


@kernel
def both_ways(x1: InOut[f64[:]], x2: InOut[f64[:]], y1: In[f64[:]], y2: In[f64[:]], A: In[f64[:, :]]):
    for i in prange(A.shape[0]):
        x1[i] += A[i, :] @ y1
        x2[i] = 2.0 * (A[:, i] @ y2) - x2[i]


@kernel
def gemm_rows(alpha: f32, beta: f32, C: InOut[f32[:, :]], A: In[f32[:, :]], B: In[f32[:, :]]):
    for i in prange(C.shape[0]):
        C[i, :] *= beta
        for k in range(A.shape[1]):
            C[i, :] += alpha * A[i, k] * B[k, :]


@kernel
def gemm_rows_transposed(A: In[f64[:, :]], B: In[f64[:, :]], C: InOut[f64[:, :]]):
    for i in prange(2, C.shape[0]):
        for k in range(1, A.shape[0]):
            C[i, 1:] += A[k, i] * B[1:, k]


@kernel
def summed_gemvs(alpha: f64, beta: f64, A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]]):
    return alpha * A @ x + beta * B @ x


@kernel
def summed_into(alpha: f32, A: In[f32[:, :]], B: In[f32[:, :]], x: In[f32[:]], y: InOut[f32[:]]):
    y[:] = 0.5 * y - alpha * A.T @ x + B @ x


def _matrix(rng: np.random.Generator, rows: int, cols: int, dtype: type = np.float64) -> np.ndarray:
    return rng.standard_normal((rows, cols)).astype(dtype)


CASES = {
    gemm: lambda rng: (1.5, -0.7, _matrix(rng, 20, 24), _matrix(rng, 20, 30), _matrix(rng, 30, 24)),
    gemm_transposed: lambda rng: (np.float32(0.5), _matrix(rng, 17, 9, np.float32), _matrix(rng, 11, 17, np.float32),
                                  _matrix(rng, 9, 11, np.float32)),
    block_update: lambda rng: (_matrix(rng, 14, 8), _matrix(rng, 8, 13), _matrix(rng, 13, 11)),
    gemv: lambda rng: (2.0, 0.25, _matrix(rng, 19, 23), rng.standard_normal(23), rng.standard_normal(19)),
    gemv_transposed: lambda rng: (_matrix(rng, 12, 7, np.float32), rng.standard_normal(12).astype(np.float32),
                                  rng.standard_normal(7).astype(np.float32), np.empty(7, np.float32)),
    product: lambda rng: (_matrix(rng, 6, 33), _matrix(rng, 33, 5)),
    row_dots: lambda rng: (1.25, _matrix(rng, 15, 21), rng.standard_normal(21), rng.standard_normal(15),
                           rng.standard_normal(15), np.empty(21)),
    both_ways: lambda rng: (rng.standard_normal(16), rng.standard_normal(16), rng.standard_normal(16),
                            rng.standard_normal(16), _matrix(rng, 16, 16)),
    gemm_rows: lambda rng: (np.float32(1.5), np.float32(1.2), rng.random((20, 25), np.float32),
                            rng.random((20, 30), np.float32), rng.random((30, 25), np.float32)),
    gemm_rows_transposed: lambda rng: (_matrix(rng, 9, 12), _matrix(rng, 8, 9), _matrix(rng, 12, 8)),
    summed_gemvs: lambda rng: (1.5, -1.2, _matrix(rng, 18, 13), _matrix(rng, 18, 13), rng.standard_normal(13)),
    summed_into: lambda rng: (np.float32(0.75), _matrix(rng, 11, 7, np.float32), _matrix(rng, 7, 11, np.float32),
                              rng.standard_normal(11).astype(np.float32), rng.standard_normal(7).astype(np.float32)),
}
