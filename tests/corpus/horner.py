"""Horner's rule over an array of points: `np.zeros_like`, `for c in coeffs`, rebinding the result array."""

import numpy as np

from translator import kernel


@kernel
def horner(coeffs, x):
    result = np.zeros_like(x)
    for c in coeffs:
        result = result * x + c
    return result


CASES = {horner: lambda rng: (rng.standard_normal(6), rng.uniform(-1.0, 1.0, 40))}
