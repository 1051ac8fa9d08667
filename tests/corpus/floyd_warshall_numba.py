"""Floyd-Warshall, Numba prange style: rows in parallel, `min(...)` of scalars, a host loop over `k`."""

import numpy as np

from translator import kernel, prange


@kernel
def floyd_warshall_numba(path):
    n = path.shape[0]
    for k in range(n):
        for i in prange(n):
            for j in range(n):
                path[i, j] = min(path[i, j], path[i, k] + path[k, j])


CASES = {floyd_warshall_numba: lambda rng: (rng.integers(1, 100, (20, 20)).astype(np.int64),)}
