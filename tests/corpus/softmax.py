"""NPBench softmax, NumPy variant: `np.max(..., axis=-1, keepdims=True)`, broadcasting, returned."""

import numpy as np

from translator import kernel


@kernel
def softmax(x):
    tmp_max = np.max(x, axis=-1, keepdims=True)
    tmp_out = np.exp(x - tmp_max)
    tmp_sum = np.sum(tmp_out, axis=-1, keepdims=True)
    return tmp_out / tmp_sum


CASES = {softmax: lambda rng: (rng.standard_normal((4, 3, 6, 8)).astype(np.float32),)}
