"""Layer normalization (transformer tutorials): `x.mean(axis=-1, keepdims=True)`, `x.var`, a default `eps`."""

import numpy as np

from translator import kernel


@kernel
def layer_norm(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


CASES = {layer_norm: lambda rng: (rng.standard_normal((8, 16)).astype(np.float32), rng.random(16).astype(np.float32),
                                  rng.random(16).astype(np.float32))}
