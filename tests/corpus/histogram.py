"""Histogram, the Numba tutorial loop: `for v in x`, `int(...)` bins, a chained comparison `0 <= k < bins`."""

import numpy as np

from translator import kernel


@kernel
def histogram(x, bins, lo, hi):
    hist = np.zeros(bins, dtype=np.int64)
    width = (hi - lo) / bins
    for v in x:
        k = int((v - lo) / width)
        if 0 <= k < bins:
            hist[k] += 1
    return hist


CASES = {histogram: lambda rng: (rng.standard_normal(500), 12, -3.0, 3.0)}
