"""Root-mean-square error: `np.sqrt(np.mean((pred - target) ** 2))`."""

import numpy as np

from translator import kernel


@kernel
def rmse(pred, target):
    return np.sqrt(np.mean((pred - target) ** 2))


CASES = {rmse: lambda rng: (rng.random(200), rng.random(200))}
