"""NPBench mandelbrot1, NumPy variant: a complex grid from broadcasting, whole-array masked updates."""

import numpy as np

from translator import kernel


@kernel
def mandelbrot_numpy(xmin, xmax, ymin, ymax, xn, yn, maxiter, horizon=2.0):
    X = np.linspace(xmin, xmax, xn, dtype=np.float64)
    Y = np.linspace(ymin, ymax, yn, dtype=np.float64)
    C = X + Y[:, None] * 1j
    N = np.zeros(C.shape, dtype=np.int64)
    Z = np.zeros(C.shape, dtype=np.complex128)
    for n in range(maxiter):
        I = np.less(abs(Z), horizon)
        N[I] = n
        Z[I] = Z[I] ** 2 + C[I]
    N[N == maxiter - 1] = 0
    return Z, N


CASES = {mandelbrot_numpy: lambda rng: (-2.25 + 0.1 * rng.random(), 0.75, -1.25, 1.25, 20, 16, 20)}
