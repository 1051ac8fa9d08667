"""NPBench jacobi_2d, NumPy variant: five-point 2-D slice stencil, ping-pong between two arrays."""

from translator import kernel


@kernel
def jacobi_2d(TSTEPS, A, B):
    for t in range(1, TSTEPS):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


CASES = {jacobi_2d: lambda rng: (5, rng.random((18, 18)), rng.random((18, 18)))}
