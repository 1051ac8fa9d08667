"""NPBench floyd_warshall, NumPy variant: `np.minimum` with `np.add.outer` of a column and a row."""

import numpy as np

from translator import kernel


@kernel
def floyd_warshall(path):
    for k in range(path.shape[0]):
        path[:] = np.minimum(path[:], np.add.outer(path[:, k], path[k, :]))


CASES = {floyd_warshall: lambda rng: (rng.integers(1, 100, (20, 20)).astype(np.int32),)}
