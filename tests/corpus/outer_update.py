"""A rank-2 update (NPBench gemver's first line): `A += np.outer(u1, v1) + np.outer(u2, v2)`."""

import numpy as np

from translator import kernel


@kernel
def outer_update(A, u1, v1, u2, v2):
    A += np.outer(u1, v1) + np.outer(u2, v2)


CASES = {outer_update: lambda rng: (rng.random((12, 10)), rng.random(12), rng.random(10), rng.random(12),
                                    rng.random(10))}
