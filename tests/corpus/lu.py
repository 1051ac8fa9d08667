"""NPBench lu, NumPy variant: host loops, row-by-column dot products `A[i, :j] @ A[:j, j]`."""

import numpy as np

from translator import kernel


@kernel
def lu(A):
    N = A.shape[0]
    for i in range(N):
        for j in range(i):
            A[i, j] -= A[i, :j] @ A[:j, j]
            A[i, j] /= A[j, j]
        for j in range(i, N):
            A[i, j] -= A[i, :i] @ A[:i, j]


def dominant(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random((n, n)) + n * np.eye(n)


CASES = {lu: lambda rng: (dominant(rng, 16),)}
