"""An exponentially weighted moving average as signal-processing tutorials write it: checks first, then a serial recurrence."""

import numpy as np

from translator import kernel


@kernel
def ewma(x, alpha):
    assert x.ndim == 1, "x must be one-dimensional"
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    if len(x) == 0:
        raise ValueError("x is empty")
    out = np.empty_like(x)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = alpha * x[i] + (1.0 - alpha) * out[i - 1]
    return out


CASES = {ewma: lambda rng: (rng.random(200), 0.3)}
