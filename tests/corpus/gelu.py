"""GELU, the tanh approximation (GPT-2 from-scratch tutorials): `np.sqrt(2 / np.pi)`, `x ** 3`."""

import numpy as np

from translator import kernel


@kernel
def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


CASES = {gelu: lambda rng: (rng.standard_normal((8, 16)).astype(np.float32),)}
