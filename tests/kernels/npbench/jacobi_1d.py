"""jacobi_1d: a host time loop of two whole-array 1-D slice stencils (`B[1:-1] = ... A[:-2] ...`)."""

import numpy as np

from translator import InOut, f64, kernel


@kernel
def jacobi_1d(tsteps: int, A: InOut[f64[:]], B: InOut[f64[:]]):
    for t in range(1, tsteps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0


def make_args(rng: np.random.Generator) -> tuple:
    return 8, rng.random(40), rng.random(40)
