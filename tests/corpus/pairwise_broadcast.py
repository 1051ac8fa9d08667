"""Pairwise distances, the NumPy broadcasting one-liner: `X[:, None, :] - X`, `.sum(-1)`."""

import numpy as np

from translator import kernel


@kernel
def pairwise_broadcast(X):
    return np.sqrt(((X[:, None, :] - X) ** 2).sum(-1))


CASES = {pairwise_broadcast: lambda rng: (rng.random((30, 3)),)}
