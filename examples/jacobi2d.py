"""One Jacobi relaxation step on a 2-D grid: two nested `prange`s collapse into one parallel loop.

The border of `v` is not written, so only the interior of `v` is copied back: its border keeps the
caller's values, and nothing of `v` is copied to the device (`py2omp explain` shows it).
"""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def jacobi_step(u: In[f64[:, :]], v: Out[f64[:, :]]):
    for i in prange(1, u.shape[0] - 1):
        for j in prange(1, u.shape[1] - 1):
            v[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])


def demo_inputs(rng: np.random.Generator, n: int = 300) -> tuple:
    return rng.standard_normal((n, n)), rng.standard_normal((n, n))
