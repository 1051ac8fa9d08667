"""Numba tutorial Monte Carlo pi, with the random points given: an integer `prange` reduction, a float returned."""

from translator import kernel, prange


@kernel
def monte_carlo_pi(x, y):
    n = x.shape[0]
    inside = 0
    for i in prange(n):
        if x[i] ** 2 + y[i] ** 2 < 1.0:
            inside += 1
    return 4.0 * inside / n


CASES = {monte_carlo_pi: lambda rng: (rng.random(1000), rng.random(1000))}
