"""NPBench mvt, NumPy variant: in-place `+=` of a matrix-vector and a vector-matrix product."""

from translator import kernel


@kernel
def mvt(x1, x2, y_1, y_2, A):
    x1 += A @ y_1
    x2 += y_2 @ A


CASES = {mvt: lambda rng: (rng.random(28), rng.random(28), rng.random(28), rng.random(28), rng.random((28, 28)))}
