"""One Haar wavelet step: strided slices `x[::2]`, `x[1::2]`, two arrays returned."""

import numpy as np

from translator import kernel


@kernel
def haar_step(x):
    approx = (x[::2] + x[1::2]) / np.sqrt(2)
    detail = (x[::2] - x[1::2]) / np.sqrt(2)
    return approx, detail


CASES = {haar_step: lambda rng: (rng.random(64),)}
