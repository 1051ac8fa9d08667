"""NPBench atax, NumPy variant: `return (A @ x) @ A`."""

from translator import kernel


@kernel
def atax(A, x):
    return (A @ x) @ A


CASES = {atax: lambda rng: (rng.random((24, 30)), rng.random(30))}
