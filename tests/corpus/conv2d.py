"""NPBench conv2d (lenet/resnet's): NHWC input, `np.newaxis` broadcasting, `np.sum(axis=(1, 2, 3))`."""

import numpy as np

from translator import kernel


@kernel
def conv2d(input, weights):
    K = weights.shape[0]
    N = input.shape[0]
    H_out = input.shape[1] - K + 1
    W_out = input.shape[2] - K + 1
    C_out = weights.shape[3]
    output = np.empty((N, H_out, W_out, C_out), dtype=np.float32)
    for i in range(H_out):
        for j in range(W_out):
            output[:, i, j, :] = np.sum(input[:, i:i + K, j:j + K, :, np.newaxis] * weights[np.newaxis, :, :, :],
                                        axis=(1, 2, 3))
    return output


CASES = {conv2d: lambda rng: (rng.random((2, 8, 8, 3)).astype(np.float32), rng.random((3, 3, 3, 4)).astype(np.float32))}
