"""NPBench syr2k, NumPy variant: triangular row slices with two column terms."""

from translator import kernel


@kernel
def syr2k(alpha, beta, C, A, B):
    for i in range(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += A[:i + 1, k] * alpha * B[i, k] + B[:i + 1, k] * alpha * A[i, k]


CASES = {syr2k: lambda rng: (1.5, 1.2, rng.random((14, 14)), rng.random((14, 10)), rng.random((14, 10)))}
