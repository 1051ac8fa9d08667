"""softmax over the last axis of a 3-D array, numerically stable: each (i, j) row subtracts its
maximum, exponentiates and divides by its sum (slice reductions and slice assignments in two
collapsed `prange`s). `out` is written only through slice assignments, which the access
analysis cannot prove cover a row, so it is `InOut`."""

import numpy as np

from translator import In, Out, f32, kernel, prange


@kernel
def softmax(x: In[f32[:, :, :]], out: Out[f32[:, :, :]]):
    for i in prange(x.shape[0]):
        for j in prange(x.shape[1]):
            top = np.max(x[i, j, :])
            out[i, j, :] = np.exp(x[i, j, :] - top)
            out[i, j, :] /= np.sum(out[i, j, :])


def make_args(rng: np.random.Generator) -> tuple:
    return rng.standard_normal((6, 8, 20)).astype(np.float32), np.zeros((6, 8, 20), np.float32)
