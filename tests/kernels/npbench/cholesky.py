"""cholesky (in place, lower triangle): a host loop over columns; the diagonal element is computed
on the host side of the loop (`A[j, j] = np.sqrt(A[j, j] - np.dot(...))`), then the rows below it
in parallel, each with a row-slice dot product."""

import numpy as np

from translator import InOut, f64, kernel, prange


@kernel
def cholesky(A: InOut[f64[:, :]]):
    n = A.shape[0]
    for j in range(n):
        A[j, j] = np.sqrt(A[j, j] - np.dot(A[j, :j], A[j, :j]))
        for i in prange(j + 1, n):
            A[i, j] = (A[i, j] - np.dot(A[i, :j], A[j, :j])) / A[j, j]


def make_args(rng: np.random.Generator) -> tuple:
    r = rng.random((24, 24))
    return (r @ r.T + 24.0 * np.eye(24),)
