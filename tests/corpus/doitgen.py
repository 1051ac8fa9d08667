"""NPBench doitgen, NumPy variant: `A[:] = np.reshape(np.reshape(A, (NR, NQ, 1, NP)) @ C4, (NR, NQ, NP))`."""

import numpy as np

from translator import kernel


@kernel
def doitgen(NR, NQ, NP, A, C4):
    A[:] = np.reshape(np.reshape(A, (NR, NQ, 1, NP)) @ C4, (NR, NQ, NP))


CASES = {doitgen: lambda rng: (6, 8, 10, rng.random((6, 8, 10)), rng.random((10, 10)))}
