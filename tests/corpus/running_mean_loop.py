"""Running mean, loop form: a window sum updated incrementally, `len(x)`, a result from `np.empty`."""

import numpy as np

from translator import kernel


@kernel
def running_mean_loop(x, window):
    n = len(x)
    out = np.empty(n - window + 1)
    acc = 0.0
    for i in range(window):
        acc += x[i]
    out[0] = acc / window
    for i in range(window, n):
        acc += x[i] - x[i - window]
        out[i - window + 1] = acc / window
    return out


CASES = {running_mean_loop: lambda rng: (rng.random(50), 5)}
