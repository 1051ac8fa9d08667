"""Kernel-PCA centering of a Gram matrix (scikit-learn's KernelCenterer, by hand): row and column means
with `keepdims=True`, the grand mean, broadcasting on a square matrix."""

import numpy as np

from translator import kernel


@kernel
def center_gram(K):
    row_mean = np.mean(K, axis=1, keepdims=True)
    col_mean = np.mean(K, axis=0, keepdims=True)
    return K - row_mean - col_mean + np.mean(K)


def gram(rng: np.random.Generator, n: int) -> np.ndarray:
    X = rng.random((n, 3))
    return X @ X.T


CASES = {center_gram: lambda rng: (gram(rng, 12),)}
