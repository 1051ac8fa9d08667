"""Kernels of bench/blas_overhead.py: a gemv the library takes, and the same loops it does not."""

from translator import In, Out, f64, kernel


@kernel
def gemv_library(A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    y[:] = A @ x


@kernel
def gemv_loops(A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    y[:] = A @ x + 0.0  # a term other than the target: not a library call, no status array
