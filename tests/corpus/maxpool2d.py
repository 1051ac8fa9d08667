"""NPBench lenet's max-pool: NHWC input, `np.empty` of a 4-D shape, `np.max` of 2x2 windows with a tuple `axis=(1, 2)`."""

import numpy as np

from translator import kernel


@kernel
def maxpool2d(x):
    output = np.empty([x.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3]], dtype=x.dtype)
    for i in range(x.shape[1] // 2):
        for j in range(x.shape[2] // 2):
            output[:, i, j, :] = np.max(x[:, 2 * i:2 * i + 2, 2 * j:2 * j + 2, :], axis=(1, 2))
    return output


CASES = {maxpool2d: lambda rng: (rng.random((2, 8, 8, 3)).astype(np.float32),)}
