"""Dot product as a `prange` reduction over `len(a)`, a float returned."""

from translator import kernel, prange


@kernel
def dot(a, b):
    s = 0.0
    for i in prange(len(a)):
        s += a[i] * b[i]
    return s


CASES = {dot: lambda rng: (rng.random(300), rng.random(300))}
