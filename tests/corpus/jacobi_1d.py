"""NPBench jacobi_1d, NumPy variant: host time loop, shifted slices `A[:-2] + A[1:-1] + A[2:]`."""

from translator import kernel


@kernel
def jacobi_1d(TSTEPS, A, B):
    for t in range(1, TSTEPS):
        B[1:-1] = 0.33333 * (A[:-2] + A[1:-1] + A[2:])
        A[1:-1] = 0.33333 * (B[:-2] + B[1:-1] + B[2:])


CASES = {jacobi_1d: lambda rng: (6, rng.random(40), rng.random(40))}
