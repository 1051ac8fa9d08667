"""NPBench gemver, NumPy variant: outer products, `beta * y @ A + z`, `alpha * A @ x`."""

import numpy as np

from translator import kernel


@kernel
def gemver(alpha, beta, A, u1, v1, u2, v2, w, x, y, z):
    A += np.outer(u1, v1) + np.outer(u2, v2)
    x += beta * y @ A + z
    w += alpha * A @ x


CASES = {gemver: lambda rng: (1.5, 1.2, rng.random((16, 16)), *(rng.random(16) for _ in range(8)))}
