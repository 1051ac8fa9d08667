"""2-D valid correlation (image-processing tutorials): `kh, kw = kernel.shape`, `(window * kernel).sum()`."""

import numpy as np

from translator import kernel, prange


@kernel
def convolve2d(image, kernel):
    kh, kw = kernel.shape
    H, W = image.shape
    out = np.empty((H - kh + 1, W - kw + 1), dtype=image.dtype)
    for i in prange(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out


CASES = {convolve2d: lambda rng: (rng.random((20, 18)), rng.random((3, 3)))}
