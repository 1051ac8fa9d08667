"""NPBench trisolv, NumPy variant: forward substitution `x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]`."""

import numpy as np

from translator import kernel


@kernel
def trisolv(L, x, b):
    for i in range(x.shape[0]):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]


CASES = {trisolv: lambda rng: (np.tril(rng.random((20, 20))) + 20 * np.eye(20), rng.random(20), rng.random(20))}
