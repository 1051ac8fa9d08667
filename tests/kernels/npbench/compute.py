"""compute (Cython's NumPy tutorial): clip an integer array to [2, 10] with `np.minimum` /
`np.maximum`, scale and add a second array, on 64-bit integers, row by row
(`out` is `InOut`: it is written only through slice assignments)."""

import numpy as np

from translator import In, Out, i64, kernel, prange


@kernel
def compute(array_1: In[i64[:, :]], array_2: In[i64[:, :]], a: i64, b: i64, c: i64, out: Out[i64[:, :]]):
    for i in prange(array_1.shape[0]):
        out[i, :] = np.minimum(np.maximum(array_1[i, :], 2), 10) * a + array_2[i, :] * b + c


def make_args(rng: np.random.Generator) -> tuple:
    shape = (25, 30)
    return (rng.integers(-5, 20, shape), rng.integers(-50, 50, shape), np.int64(4), np.int64(3), np.int64(9),
            np.zeros(shape, np.int64))
