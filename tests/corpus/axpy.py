"""axpy, Numba prange style, with a default `a` and the result written into `out`."""

from translator import kernel, prange


@kernel
def axpy(x, y, out, a=2.0):
    for i in prange(x.shape[0]):
        out[i] = a * x[i] + y[i]


CASES = {axpy: lambda rng: (rng.random(100), rng.random(100), rng.random(100))}
