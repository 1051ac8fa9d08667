"""One n-body step: all-pairs gravity through a device function, then a leapfrog update.

`pair_strength` is a plain function: the kernel's call makes it a `declare target` C function,
specialized for the argument types of that call (here all float64).
"""

import math

import numpy as np

from translator import In, InOut, Out, f64, kernel, prange

SOFTENING = 1e-3


def pair_strength(dx, dy, dz, mass):
    r2 = dx * dx + dy * dy + dz * dz + SOFTENING
    return mass / (r2 * math.sqrt(r2))


@kernel
def nbody_step(pos: In[f64[:, :]], vel: InOut[f64[:, :]], mass: In[f64[:]], new_pos: Out[f64[:, :]], dt: float):
    n = pos.shape[0]
    for i in prange(n):
        ax = 0.0
        ay = 0.0
        az = 0.0
        for j in range(n):
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            s = pair_strength(dx, dy, dz, mass[j])
            ax += dx * s
            ay += dy * s
            az += dz * s
        vel[i, 0] += dt * ax
        vel[i, 1] += dt * ay
        vel[i, 2] += dt * az
        for d in range(3):
            new_pos[i, d] = pos[i, d] + dt * vel[i, d]


def demo_inputs(rng: np.random.Generator, n: int = 256) -> tuple:
    return (rng.standard_normal((n, 3)), rng.standard_normal((n, 3)) * 0.1, rng.uniform(0.5, 1.5, n),
            np.zeros((n, 3)), 0.01)
