"""azimint_hist: the mean of the data in each radial bin by histograms: uniform bin edges from the
extreme radii, a bin per point from a plain function, and weighted and unweighted counts summed
concurrently (NPBench's `hist[bin] += w` races under `prange`; here the sums are atomic)."""

import numpy as np

from translator import In, Out, Scratch, atomic_add, f64, kernel, prange


def bin_of(x, lo, hi, bins):
    if x == hi:
        return bins - 1
    return int(bins * (x - lo) / (hi - lo))


@kernel
def azimint_hist(data: In[f64[:]], radius: In[f64[:]], counts: Scratch[f64[:]], sums: Scratch[f64[:]],
                 res: Out[f64[:]]):
    bins = res.shape[0]
    lo = np.min(radius[:])
    hi = np.max(radius[:])
    for b in prange(bins):
        counts[b] = 0.0
        sums[b] = 0.0
    for i in prange(radius.shape[0]):
        slot = bin_of(radius[i], lo, hi, bins)
        atomic_add(counts, slot, 1.0)
        atomic_add(sums, slot, data[i])
    for b in prange(bins):
        res[b] = sums[b] / counts[b]


def make_args(rng: np.random.Generator) -> tuple:
    bins = 12
    return rng.random(400), rng.random(400), rng.random(bins), rng.random(bins), np.zeros(bins)
