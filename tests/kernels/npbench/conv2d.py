"""conv2d (deep-learning convolution, stride 1, NHWC layout): 4-D input and weights; each output
pixel (two collapsed `prange`s) sums the product of a 3-D window of the input with a 3-D slice of
the weights."""

import numpy as np

from translator import In, Out, f32, kernel, prange


@kernel
def conv2d(x: In[f32[:, :, :, :]], weights: In[f32[:, :, :, :]], output: Out[f32[:, :, :, :]]):
    K = weights.shape[0]
    for i in prange(output.shape[1]):
        for j in prange(output.shape[2]):
            for n in range(x.shape[0]):
                for c in range(weights.shape[3]):
                    output[n, i, j, c] = np.sum(x[n, i:i + K, j:j + K, :] * weights[:, :, :, c])


def make_args(rng: np.random.Generator) -> tuple:
    x = rng.random((2, 10, 12, 3)).astype(np.float32)
    weights = rng.random((3, 3, 3, 4)).astype(np.float32)
    return x, weights, np.zeros((2, 8, 10, 4), np.float32)
