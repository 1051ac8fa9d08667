"""gesummv, y = alpha * A @ x + beta * B @ x, as NumPy writes it: one expression of matrix-vector
products, returned as a new array."""

import numpy as np

from translator import In, f64, kernel


@kernel
def gesummv(alpha: f64, beta: f64, A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]]):
    return alpha * A @ x + beta * B @ x


def make_args(rng: np.random.Generator) -> tuple:
    return 1.5, 1.2, rng.random((30, 30)), rng.random((30, 30)), rng.random(30)
