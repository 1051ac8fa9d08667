"""A textbook Jacobi iteration for `A x = b` in Numba prange style, starting with the input checks library code writes."""

import numpy as np

from translator import kernel, prange


@kernel
def jacobi_solve(A, b, x0, iterations=50):
    n, m = A.shape
    if n != m:
        raise ValueError(f"A must be square, got shape {A.shape}")
    if b.shape != (n,) or x0.shape != (n,):
        raise ValueError(f"shapes {A.shape}, {b.shape} and {x0.shape} not aligned")
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    x = x0.copy()
    x_new = np.empty_like(x0)
    for _ in range(iterations):
        for i in prange(n):
            s = 0.0
            for j in range(n):
                if j != i:
                    s += A[i, j] * x[j]
            x_new[i] = (b[i] - s) / A[i, i]
        x[:] = x_new
    return x


def _diagonally_dominant(rng: np.random.Generator, n: int) -> np.ndarray:
    A = rng.random((n, n))
    return A + np.diag(A.sum(axis=1) + 1.0)


CASES = {jacobi_solve: lambda rng: (_diagonally_dominant(rng, 24), rng.random(24), rng.random(24))}
