"""NPBench resnet's batch norm and ReLU: `np.mean`/`np.std` with `keepdims=True`, a default `eps`."""

import numpy as np

from translator import kernel


@kernel
def batchnorm_relu(x, eps=1e-5):
    mean = np.mean(x, axis=0, keepdims=True)
    std = np.std(x, axis=0, keepdims=True)
    return np.maximum((x - mean) / np.sqrt(std + eps), 0)


CASES = {batchnorm_relu: lambda rng: (rng.standard_normal((4, 6, 6, 8)).astype(np.float32),)}
