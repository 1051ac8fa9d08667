"""Forward differences of samples: `np.diff(y) / dx`."""

import numpy as np

from translator import kernel


@kernel
def finite_difference(y, dx):
    return np.diff(y) / dx


CASES = {finite_difference: lambda rng: (np.sin(np.linspace(0.0, 3.0, 40)) + 0.01 * rng.random(40), 3.0 / 39)}
