"""STREAM triad: a = b + s * c, the memory-bandwidth benchmark (two reads, one write per element)."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


def demo_inputs(rng: np.random.Generator, n: int = 200_000) -> tuple:
    return np.empty(n), rng.standard_normal(n), rng.standard_normal(n), rng.uniform(0.5, 3.0)
