"""RGB to grayscale (image tutorials): `img[..., 0]` with an Ellipsis, luma weights."""

import numpy as np

from translator import kernel


@kernel
def rgb_to_gray(img):
    return 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2]


CASES = {rgb_to_gray: lambda rng: (rng.random((12, 16, 3)).astype(np.float32),)}
