"""Julia set (Python-performance tutorials): `complex(...)` built per pixel, a `while` with two conditions."""

import numpy as np

from translator import kernel, prange


@kernel
def julia(width, height, c, max_iter):
    out = np.zeros((height, width), dtype=np.int32)
    for y in prange(height):
        for x in range(width):
            z = complex(-1.5 + 3.0 * x / width, -1.5 + 3.0 * y / height)
            n = 0
            while abs(z) < 2 and n < max_iter:
                z = z * z + c
                n += 1
            out[y, x] = n
    return out


CASES = {julia: lambda rng: (24, 20, complex(-0.8 + 0.05 * rng.random(), 0.156), 50)}
