"""GEMM as BLAS defines it, C = alpha * A @ B + beta * C, in float32: the collapsed (i, j) loop
keeps a per-thread accumulator, so C is read and written once per element."""

import numpy as np

from translator import In, InOut, f32, kernel, prange


@kernel
def gemm(alpha: f32, a: In[f32[:, :]], b: In[f32[:, :]], beta: f32, c: InOut[f32[:, :]]):
    for i in prange(c.shape[0]):
        for j in prange(c.shape[1]):
            acc: f32 = 0
            for k in range(a.shape[1]):
                acc += a[i, k] * b[k, j]
            c[i, j] = alpha * acc + beta * c[i, j]


def demo_inputs(rng: np.random.Generator, n: int = 64) -> tuple:
    def matrix(rows: int, cols: int) -> np.ndarray:
        return rng.standard_normal((rows, cols)).astype(np.float32)

    return np.float32(1.5), matrix(n, n + 7), matrix(n + 7, n - 3), np.float32(-0.5), matrix(n, n - 3)
