"""Kernels for the per-call cost: one that launches an empty target region, one that maps 16 floats."""

from translator import In, InOut, f32, kernel, prange


@kernel
def empty_region(n: int):
    for i in prange(n):
        pass


@kernel
def tiny_saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]
