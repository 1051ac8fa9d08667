"""1-D wave equation, leapfrog (Barba-style): three time levels, `u_prev, u = u, u_next` rebinding."""

import numpy as np

from translator import kernel


@kernel
def wave_1d(u0, c, dt, dx, steps):
    r2 = (c * dt / dx) ** 2
    u_prev = u0.copy()
    u = u0.copy()
    for n in range(steps):
        u_next = np.zeros_like(u)
        u_next[1:-1] = 2 * u[1:-1] - u_prev[1:-1] + r2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u_prev, u = u, u_next
    return u


CASES = {wave_1d: lambda rng: (np.sin(np.linspace(0, np.pi, 40)) * rng.random(), 1.0, 0.01, 0.025, 10)}
