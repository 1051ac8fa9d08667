"""NPBench cholesky, NumPy variant: `A[0, 0] = np.sqrt(A[0, 0])`, then `np.dot` of row prefixes."""

import numpy as np

from translator import kernel


@kernel
def cholesky(A):
    A[0, 0] = np.sqrt(A[0, 0])
    for i in range(1, A.shape[0]):
        for j in range(i):
            A[i, j] -= np.dot(A[i, :j], A[j, :j])
            A[i, j] /= A[j, j]
        A[i, i] -= np.dot(A[i, :i], A[i, :i])
        A[i, i] = np.sqrt(A[i, i])


def spd(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.random((n, n))
    return m @ m.T + n * np.eye(n)


CASES = {cholesky: lambda rng: (spd(rng, 16),)}
