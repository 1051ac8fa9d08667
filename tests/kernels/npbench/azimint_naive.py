"""azimint_naive: the mean of the data in each radial bin, the bin edges from the maximum radius;
each bin (in parallel) selects its points with a boolean mask (`data[mask]`) and averages them."""

import numpy as np

from translator import In, Out, f64, kernel, prange


@kernel
def azimint_naive(data: In[f64[:]], radius: In[f64[:]], res: Out[f64[:]]):
    npt = res.shape[0]
    rmax = np.max(radius)
    for i in prange(npt):
        r1 = rmax * i / npt
        r2 = rmax * (i + 1) / npt
        mask = (r1 <= radius) & (radius < r2)
        res[i] = np.mean(data[mask])


def make_args(rng: np.random.Generator) -> tuple:
    return rng.random(400), rng.random(400), np.zeros(12)
