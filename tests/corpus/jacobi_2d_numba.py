"""Jacobi 2-D, Numba prange style: `n, m = A.shape`, nested loops, `out = np.empty_like(A)` returned."""

import numpy as np

from translator import kernel, prange


@kernel
def jacobi_2d_numba(A, iterations):
    n, m = A.shape
    out = np.empty_like(A)
    out[:] = A
    for it in range(iterations):
        for i in prange(1, n - 1):
            for j in range(1, m - 1):
                out[i, j] = 0.25 * (A[i - 1, j] + A[i + 1, j] + A[i, j - 1] + A[i, j + 1])
        A[1:-1, 1:-1] = out[1:-1, 1:-1]
    return out


CASES = {jacobi_2d_numba: lambda rng: (rng.random((20, 16)), 4)}
