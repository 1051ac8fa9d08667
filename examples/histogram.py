"""Histogram of values in [lo, hi): every iteration adds one to a shared bin with `atomic_add`."""

import numpy as np

from translator import In, InOut, atomic_add, f64, i64, kernel, prange


@kernel
def histogram(x: In[f64[:]], counts: InOut[i64[:]], lo: float, hi: float):
    bins = counts.shape[0]
    for i in prange(x.shape[0]):
        if lo <= x[i] < hi:
            b = int((x[i] - lo) / (hi - lo) * bins)
            atomic_add(counts, min(b, bins - 1), 1)


def demo_inputs(rng: np.random.Generator, n: int = 200_000) -> tuple:
    return rng.standard_normal(n), np.zeros(64, np.int64), -3.0, 3.0
