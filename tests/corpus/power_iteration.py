"""Power iteration: `v = A @ v` then `v /= np.linalg.norm(v)`, the Rayleigh quotient returned."""

import numpy as np

from translator import kernel


@kernel
def power_iteration(A, v, iters):
    for _ in range(iters):
        v = A @ v
        v /= np.linalg.norm(v)
    return v @ A @ v


def symmetric(rng: np.random.Generator, n: int) -> np.ndarray:
    m = rng.random((n, n))
    return m + m.T


CASES = {power_iteration: lambda rng: (symmetric(rng, 12), rng.random(12), 20)}
