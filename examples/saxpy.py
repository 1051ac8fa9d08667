"""SAXPY: y = a * x + y, the "hello world" of offloading (one read, one read-write array)."""

import numpy as np

from translator import In, InOut, f32, kernel, prange


@kernel
def saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


def demo_inputs(rng: np.random.Generator, n: int = 200_000) -> tuple:
    return (np.float32(rng.uniform(-2, 2)), rng.standard_normal(n, dtype=np.float32),
            rng.standard_normal(n, dtype=np.float32))
