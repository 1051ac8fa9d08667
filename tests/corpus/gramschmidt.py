"""NPBench gramschmidt, NumPy variant: `np.zeros_like`, column slices, `np.dot` of columns, a tuple returned."""

import numpy as np

from translator import kernel


@kernel
def gramschmidt(A):
    Q = np.zeros_like(A)
    R = np.zeros((A.shape[1], A.shape[1]), dtype=A.dtype)
    for k in range(A.shape[1]):
        nrm = np.dot(A[:, k], A[:, k])
        R[k, k] = np.sqrt(nrm)
        Q[:, k] = A[:, k] / R[k, k]
        for j in range(k + 1, A.shape[1]):
            R[k, j] = np.dot(Q[:, k], A[:, j])
            A[:, j] -= Q[:, k] * R[k, j]
    return Q, R


CASES = {gramschmidt: lambda rng: (rng.random((14, 10)),)}
