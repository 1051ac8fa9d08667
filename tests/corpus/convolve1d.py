"""1-D valid convolution, loop-and-slice form: `signal.size`, a reversed kernel `kernel[::-1]`."""

import numpy as np

from translator import kernel, prange


@kernel
def convolve1d(signal, kernel):
    n = signal.size
    m = kernel.size
    out = np.zeros(n - m + 1)
    for i in prange(n - m + 1):
        out[i] = np.sum(signal[i:i + m] * kernel[::-1])
    return out


CASES = {convolve1d: lambda rng: (rng.random(64), rng.random(5))}
