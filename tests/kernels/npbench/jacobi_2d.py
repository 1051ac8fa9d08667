"""jacobi_2d: a host time loop of two 2-D slice stencils (`B[1:-1, 1:-1] = 0.2 * (A[1:-1, :-2] + ...)`)."""

import numpy as np

from translator import InOut, f64, kernel


@kernel
def jacobi_2d(tsteps: int, A: InOut[f64[:, :]], B: InOut[f64[:, :]]):
    for t in range(1, tsteps):
        B[1:-1, 1:-1] = 0.2 * (A[:-2, 1:-1] + A[1:-1, :-2] + A[1:-1, 1:-1] + A[1:-1, 2:] + A[2:, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[:-2, 1:-1] + B[1:-1, :-2] + B[1:-1, 1:-1] + B[1:-1, 2:] + B[2:, 1:-1])


def make_args(rng: np.random.Generator) -> tuple:
    return 6, rng.random((24, 30)), rng.random((24, 30))
