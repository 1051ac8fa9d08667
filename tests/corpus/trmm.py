"""NPBench trmm, NumPy variant: `np.dot` of a column tail and a column tail, then `B *= alpha`."""

import numpy as np

from translator import kernel


@kernel
def trmm(alpha, A, B):
    for i in range(B.shape[0]):
        for j in range(B.shape[1]):
            B[i, j] += np.dot(A[i + 1:, i], B[i + 1:, j])
    B *= alpha


CASES = {trmm: lambda rng: (1.5, rng.random((12, 12)), rng.random((12, 14)))}
