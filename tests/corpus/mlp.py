"""NPBench mlp: `relu` and `softmax` helpers on whole arrays, `x @ w + b` with a broadcast bias."""

import numpy as np

from translator import kernel


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    tmp_max = np.max(x, axis=-1, keepdims=True)
    tmp_out = np.exp(x - tmp_max)
    tmp_sum = np.sum(tmp_out, axis=-1, keepdims=True)
    return tmp_out / tmp_sum


@kernel
def mlp(input, w1, b1, w2, b2, w3, b3):
    x = relu(input @ w1 + b1)
    x = relu(x @ w2 + b2)
    x = softmax(x @ w3 + b3)
    return x


CASES = {mlp: lambda rng: (rng.random((8, 12)).astype(np.float32), rng.random((12, 16)).astype(np.float32),
                           rng.random(16).astype(np.float32), rng.random((16, 10)).astype(np.float32),
                           rng.random(10).astype(np.float32), rng.random((10, 4)).astype(np.float32),
                           rng.random(4).astype(np.float32))}
