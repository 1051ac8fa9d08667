"""NPBench go_fast, Numba prange variant: a `prange` reduction of `np.tanh(a[i, i])`."""

import numpy as np

from translator import kernel, prange


@kernel
def go_fast_numba(a):
    trace = 0.0
    for i in prange(a.shape[0]):
        trace += np.tanh(a[i, i])
    return a + trace


CASES = {go_fast_numba: lambda rng: (rng.random((24, 24)),)}
