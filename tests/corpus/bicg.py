"""NPBench bicg, NumPy variant: two vector-matrix products returned as a tuple."""

from translator import kernel


@kernel
def bicg(A, p, r):
    return r @ A, A @ p


CASES = {bicg: lambda rng: (rng.random((24, 30)), rng.random(30), rng.random(24))}
