"""NPBench seidel_2d, NumPy variant: a row-slice update then a sequential sweep along the row."""

from translator import kernel


@kernel
def seidel_2d(TSTEPS, N, A):
    for t in range(0, TSTEPS - 1):
        for i in range(1, N - 1):
            A[i, 1:-1] += (A[i - 1, :-2] + A[i - 1, 1:-1] + A[i - 1, 2:] + A[i, 2:] + A[i + 1, :-2] + A[i + 1, 1:-1]
                           + A[i + 1, 2:])
            for j in range(1, N - 1):
                A[i, j] += A[i, j - 1]
                A[i, j] /= 9.0


CASES = {seidel_2d: lambda rng: (4, 16, rng.random((16, 16)))}
