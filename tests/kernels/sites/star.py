"""`from translator import *`, as a script or a notebook would write it."""

import numpy as np

from translator import *

BINS = 32


@kernel
def histogram(x: In[f64[:]], lo: f64, hi: f64, counts: InOut[i64[:]]):
    width = (hi - lo) / BINS
    for i in prange(x.shape[0]):
        b = int((x[i] - lo) / width)
        if 0 <= b < BINS:
            atomic_add(counts, b, 1)


@kernel
def softplus(x: In[f32[:]], y: Out[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = np.log1p(np.exp(-np.abs(x[i]))) + max(x[i], f32(0))


CASES = {
    histogram: lambda r: (r.standard_normal(4000), -3.0, 3.0, r.integers(0, 5, BINS)),
    softplus: lambda r: (r.standard_normal(1000).astype(np.float32), r.standard_normal(1000).astype(np.float32)),
}
