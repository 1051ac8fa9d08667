"""NPBench durbin, NumPy variant: `np.empty_like`, `np.flip` of prefixes, scalars carried across steps."""

import numpy as np

from translator import kernel


@kernel
def durbin(r):
    y = np.empty_like(r)
    alpha = -r[0]
    beta = 1.0
    y[0] = -r[0]
    for k in range(1, r.shape[0]):
        beta *= 1.0 - alpha * alpha
        alpha = -(r[k] + np.dot(np.flip(r[:k]), y[:k])) / beta
        y[:k] += alpha * np.flip(y[:k])
        y[k] = alpha
    return y


CASES = {durbin: lambda rng: (rng.random(16) * 0.1,)}
