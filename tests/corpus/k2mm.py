"""NPBench 2mm, NumPy variant: a chained product `alpha * A @ B @ C` assigned into `D[:]`."""

from translator import kernel


@kernel
def k2mm(alpha, beta, A, B, C, D):
    D[:] = alpha * A @ B @ C + beta * D


CASES = {k2mm: lambda rng: (1.5, 1.2, rng.random((16, 20)), rng.random((20, 18)), rng.random((18, 22)),
                            rng.random((16, 22)))}
