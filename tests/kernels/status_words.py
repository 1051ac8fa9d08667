"""Kernels whose run-time checks fail on many lanes at once (tests/test_status_words.py): a
gather through two index arrays, as a sparse or graph code writes it, whose two checks are
numbered in program order; and a normalisation whose input check fails before any lane runs."""

import numpy as np

from translator import In, Out, f64, i64, kernel, prange


@kernel
def gather_pairs(src: In[i64[:]], dst: In[i64[:]], weight: In[f64[:]], value: In[f64[:]], out: Out[f64[:]]):
    for e in prange(src.shape[0]):
        a = value[src[e]]
        b = weight[dst[e]]
        out[e] = a * b


@kernel
def edge_flux(src: In[i64[:]], dst: In[i64[:]], potential: In[f64[:]]):
    flux = np.empty(src.shape[0])
    for e in prange(src.shape[0]):
        flux[e] = potential[dst[e]] - potential[src[e]]
    return flux
