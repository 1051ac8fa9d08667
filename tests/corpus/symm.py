"""NPBench symm, NumPy variant: `np.empty((C.shape[1], ), dtype=C.dtype)`, `C *= beta`, column and row slices."""

import numpy as np

from translator import kernel


@kernel
def symm(alpha, beta, C, A, B):
    temp2 = np.empty((C.shape[1], ), dtype=C.dtype)
    C *= beta
    for i in range(C.shape[0]):
        for j in range(C.shape[1]):
            C[:i, j] += alpha * B[i, j] * A[i, :i]
            temp2[j] = B[:i, j] @ A[i, :i]
        C[i, :] += alpha * B[i, :] * A[i, i] + alpha * temp2


CASES = {symm: lambda rng: (1.5, 1.2, rng.random((12, 14)), rng.random((12, 12)), rng.random((12, 14)))}
