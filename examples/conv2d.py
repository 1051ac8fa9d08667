"""2-D convolution ("valid" mode, as correlation: the kernel is not flipped) of an image with a
small filter: a collapsed 2-D parallel loop over output pixels, two serial loops over the filter."""

import numpy as np

from translator import In, Out, f32, kernel, prange


@kernel
def conv2d(image: In[f32[:, :]], weights: In[f32[:, :]], out: Out[f32[:, :]]):
    kh = weights.shape[0]
    kw = weights.shape[1]
    for i in prange(out.shape[0]):
        for j in prange(out.shape[1]):
            acc: f32 = 0
            for a in range(kh):
                for b in range(kw):
                    acc += image[i + a, j + b] * weights[a, b]
            out[i, j] = acc


def demo_inputs(rng: np.random.Generator, n: int = 120, k: int = 5) -> tuple:
    image = rng.standard_normal((n, n)).astype(np.float32)
    weights = rng.standard_normal((k, k)).astype(np.float32)
    return image, weights, np.zeros((n - k + 1, n - k + 1), np.float32)
