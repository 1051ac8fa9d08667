"""Numba tutorial Mandelbrot: a device function with an early `return`, complex arithmetic, `np.linspace`
grids, a default parameter, `prange` over rows."""

import numpy as np

from translator import kernel, prange


def mandel_point(c, maxiter):
    z = 0j
    for n in range(maxiter):
        if abs(z) > 2:
            return n
        z = z * z + c
    return maxiter


@kernel
def mandelbrot(xmin, xmax, ymin, ymax, width, height, maxiter=80):
    r1 = np.linspace(xmin, xmax, width)
    r2 = np.linspace(ymin, ymax, height)
    n3 = np.empty((width, height), dtype=np.int64)
    for i in prange(width):
        for j in range(height):
            n3[i, j] = mandel_point(r1[i] + 1j * r2[j], maxiter)
    return n3


CASES = {mandelbrot: lambda rng: (-2.0 + 0.1 * rng.random(), 0.5, -1.25, 1.25, 24, 20)}
