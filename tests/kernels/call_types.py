"""Kernels whose parameters (all or some) take their types from each call, as with `numba.njit`."""

import numpy as np

from translator import In, InOut, f64, kernel, prange


@kernel(target="host-offload")
def floyd_warshall(path):
    n = path.shape[0]
    for k in range(n):
        for i in prange(n):
            for j in range(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])


@kernel(target="host-offload")
def scale(x, alpha):
    for i in prange(x.shape[0]):
        x[i] = x[i] * alpha


@kernel(target="host-offload")
def shifted(x, shift):
    return x + shift


@kernel(target="host-offload")
def weighted_update(weights: In[f64[:]], x, y):
    for i in prange(x.shape[0]):
        y[i] += weights[i] * x[i]


@kernel(target="host-offload")
def dot(x, y):
    total = 0.0
    for i in prange(x.shape[0]):
        total += x[i] * y[i]
    return total


@kernel(target="host-offload")
def axpy(a: f64, x: In[f64[:]], y: InOut[f64[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


def random_graph(rng: np.random.Generator, n: int, dtype: type) -> np.ndarray:
    """Edge weights from 1 to 99 with zeros on the diagonal, as Floyd-Warshall's benchmarks make them."""
    path = rng.integers(1, 100, (n, n)).astype(dtype)
    np.fill_diagonal(path, 0)
    return path
