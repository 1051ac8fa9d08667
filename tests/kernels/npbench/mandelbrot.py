"""mandelbrot (NPBench's mandelbrot1): a host loop of iterations; every point (two collapsed
`prange`s) still inside the horizon records the iteration and squares its complex value; finally
points that never escaped are reset."""

import numpy as np

from translator import In, InOut, c128, f64, i64, kernel, prange


@kernel
def mandelbrot(C: In[c128[:, :]], maxiter: int, horizon: f64, Z: InOut[c128[:, :]], N: InOut[i64[:, :]]):
    for n in range(maxiter):
        for j in prange(C.shape[0]):
            for k in prange(C.shape[1]):
                if abs(Z[j, k]) < horizon:
                    N[j, k] = n
                    Z[j, k] = Z[j, k] ** 2 + C[j, k]
    for j in prange(C.shape[0]):
        for k in prange(C.shape[1]):
            if N[j, k] == maxiter - 1:
                N[j, k] = 0


def make_args(rng: np.random.Generator) -> tuple:
    shape = (20, 30)
    C = rng.uniform(-2.0, 1.0, shape) + 1j * rng.uniform(-1.5, 1.5, shape)
    Z = 0.01 * (rng.random(shape) + 1j * rng.random(shape))
    return C, 20, 2.0, Z, rng.integers(1, 5, shape)
