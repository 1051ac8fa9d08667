"""Explicit 3-D heat equation: `steps` time steps of a 7-point stencil, ping-ponging between two
grids. The host loop runs the steps; each sweep is a collapsed 3-D parallel loop, and both grids
stay on the device for the whole run (one `target data` region)."""

import numpy as np

from translator import InOut, Out, f64, kernel, prange


@kernel
def heat3d(u: InOut[f64[:, :, :]], v: Out[f64[:, :, :]], alpha: float, steps: int):
    for t in range(steps):
        for i in prange(1, u.shape[0] - 1):
            for j in prange(1, u.shape[1] - 1):
                for k in prange(1, u.shape[2] - 1):
                    v[i, j, k] = u[i, j, k] + alpha * (
                        u[i - 1, j, k] + u[i + 1, j, k] + u[i, j - 1, k] + u[i, j + 1, k]
                        + u[i, j, k - 1] + u[i, j, k + 1] - 6.0 * u[i, j, k])
        for i in prange(1, u.shape[0] - 1):
            for j in prange(1, u.shape[1] - 1):
                for k in prange(1, u.shape[2] - 1):
                    u[i, j, k] = v[i, j, k]


def demo_inputs(rng: np.random.Generator, n: int = 24) -> tuple:
    u = rng.standard_normal((n, n, n))
    return u, u.copy(), 0.1, 4
