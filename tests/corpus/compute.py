"""NPBench compute (Cython tutorial's): `np.clip` of an int64 array, scaled and offset, returned."""

import numpy as np

from translator import kernel


@kernel
def compute(array_1, array_2, a, b, c):
    return np.clip(array_1, 2, 10) * a + array_2 * b + c


CASES = {compute: lambda rng: (rng.integers(0, 15, (20, 24)), rng.integers(0, 15, (20, 24)), 4, 3, 9)}
