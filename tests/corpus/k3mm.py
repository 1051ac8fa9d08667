"""NPBench 3mm, NumPy variant: `return A @ B @ C @ D`."""

from translator import kernel


@kernel
def k3mm(A, B, C, D):
    return A @ B @ C @ D


CASES = {k3mm: lambda rng: (rng.random((16, 18)), rng.random((18, 20)), rng.random((20, 22)), rng.random((22, 24)))}
