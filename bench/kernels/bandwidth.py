"""The two memory-bound kernels of the bandwidth study (bench/bandwidth_variants.py): STREAM's triad
and one step of NPBench's jacobi_2d, written as the suite writes them."""

from translator import In, InOut, Out, f64, kernel, prange


@kernel
def triad(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@kernel
def jacobi_step(A: In[f64[:, :]], B: InOut[f64[:, :]]):
    B[1:-1, 1:-1] = 0.2 * (A[:-2, 1:-1] + A[1:-1, :-2] + A[1:-1, 1:-1] + A[1:-1, 2:] + A[2:, 1:-1])
