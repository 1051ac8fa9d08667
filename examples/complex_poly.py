"""Evaluate a complex polynomial and its derivative at many points (Horner's scheme), then take
one Newton step toward a root: complex128 arrays in and out, complex arithmetic in C99 `_Complex`."""

import numpy as np

from translator import In, Out, c128, kernel, prange


@kernel
def newton_step(coeffs: In[c128[:]], z: In[c128[:]], value: Out[c128[:]], next_z: Out[c128[:]]):
    degree = coeffs.shape[0] - 1
    for i in prange(z.shape[0]):
        p = coeffs[0]
        dp = 0j
        for k in range(1, degree + 1):
            dp = dp * z[i] + p
            p = p * z[i] + coeffs[k]
        value[i] = p
        next_z[i] = z[i] - p / dp if dp != 0 else z[i]


def demo_inputs(rng: np.random.Generator, n: int = 20_000, degree: int = 7) -> tuple:
    coeffs = rng.standard_normal(degree + 1) + 1j * rng.standard_normal(degree + 1)
    z = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    return coeffs, z, np.zeros(n, np.complex128), np.zeros(n, np.complex128)
