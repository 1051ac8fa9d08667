"""NPBench syrk, NumPy variant: host loops over rows and `k`, triangular row slices `C[i, :i + 1]`."""

from translator import kernel


@kernel
def syrk(alpha, beta, C, A):
    for i in range(A.shape[0]):
        C[i, :i + 1] *= beta
        for k in range(A.shape[1]):
            C[i, :i + 1] += alpha * A[i, k] * A[:i + 1, k]


CASES = {syrk: lambda rng: (1.5, 1.2, rng.random((20, 20)), rng.random((20, 24)))}
