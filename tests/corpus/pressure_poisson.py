"""NPBench cavity_flow's `pressure_poisson`: `pn = p.copy()` each iteration, slice stencil, boundary
conditions through negative column and row indices."""

import numpy as np

from translator import kernel


@kernel
def pressure_poisson(nit, p, dx, dy, b):
    pn = np.empty_like(p)
    pn = p.copy()
    for q in range(nit):
        pn = p.copy()
        p[1:-1, 1:-1] = (((pn[1:-1, 2:] + pn[1:-1, 0:-2]) * dy ** 2 + (pn[2:, 1:-1] + pn[0:-2, 1:-1]) * dx ** 2)
                         / (2 * (dx ** 2 + dy ** 2))
                         - dx ** 2 * dy ** 2 / (2 * (dx ** 2 + dy ** 2)) * b[1:-1, 1:-1])
        p[:, -1] = p[:, -2]
        p[0, :] = p[1, :]
        p[:, 0] = p[:, 1]
        p[-1, :] = 0


CASES = {pressure_poisson: lambda rng: (5, rng.random((16, 16)), 2 / 15, 2 / 15, rng.random((16, 16)))}
