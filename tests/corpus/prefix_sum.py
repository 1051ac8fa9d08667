"""Inclusive prefix sum, loop form: `np.empty_like(x)`, an accumulator typed by `x.dtype`'s zero."""

import numpy as np

from translator import kernel


@kernel
def prefix_sum(x):
    out = np.empty_like(x)
    acc = x.dtype.type(0)
    for i in range(x.shape[0]):
        acc += x[i]
        out[i] = acc
    return out


CASES = {prefix_sum: lambda rng: (rng.integers(-50, 50, 64).astype(np.int32),)}
