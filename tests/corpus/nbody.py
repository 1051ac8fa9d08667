"""NPBench nbody's `getAcc`: column views `pos[:, 0:1]`, `x.T - x` outer differences, a mask power,
matrix products with the mass column, `np.hstack`."""

import numpy as np

from translator import kernel


@kernel
def nbody(pos, mass, G, softening):
    x = pos[:, 0:1]
    y = pos[:, 1:2]
    z = pos[:, 2:3]
    dx = x.T - x
    dy = y.T - y
    dz = z.T - z
    inv_r3 = (dx ** 2 + dy ** 2 + dz ** 2 + softening ** 2)
    inv_r3[inv_r3 > 0] = inv_r3[inv_r3 > 0] ** (-1.5)
    ax = G * (dx * inv_r3) @ mass
    ay = G * (dy * inv_r3) @ mass
    az = G * (dz * inv_r3) @ mass
    a = np.hstack((ax, ay, az))
    return a


CASES = {nbody: lambda rng: (rng.standard_normal((16, 3)), rng.random((16, 1)) + 1.0, 1.0, 0.1)}
