"""Elementwise sigmoid, Numba prange style over a 2-D array with `x.shape` unpacked and `math.exp`."""

import math

import numpy as np

from translator import kernel, prange


@kernel
def sigmoid_numba(x):
    out = np.empty_like(x)
    rows, cols = x.shape
    for i in prange(rows):
        for j in range(cols):
            out[i, j] = 1.0 / (1.0 + math.exp(-x[i, j]))
    return out


CASES = {sigmoid_numba: lambda rng: (rng.standard_normal((10, 12)),)}
