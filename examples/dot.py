"""Dot product: a `+=` into a scalar inside `prange` becomes an OpenMP reduction; the kernel returns it."""

import numpy as np

from translator import In, f64, kernel, prange


@kernel
def dot(x: In[f64[:]], y: In[f64[:]]):
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * y[i]
    return s


def demo_inputs(rng: np.random.Generator, n: int = 200_000) -> tuple:
    return rng.standard_normal(n), rng.standard_normal(n)
