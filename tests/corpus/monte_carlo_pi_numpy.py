"""Monte Carlo pi, NumPy form: `np.mean` of a boolean array."""

import numpy as np

from translator import kernel


@kernel
def monte_carlo_pi_numpy(x, y):
    return 4.0 * np.mean(x ** 2 + y ** 2 < 1.0)


CASES = {monte_carlo_pi_numpy: lambda rng: (rng.random(1000), rng.random(1000))}
