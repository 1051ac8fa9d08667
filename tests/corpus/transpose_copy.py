"""A transposed copy: `A.T.copy()`."""

from translator import kernel


@kernel
def transpose_copy(A):
    return A.T.copy()


CASES = {transpose_copy: lambda rng: (rng.random((12, 7)),)}
