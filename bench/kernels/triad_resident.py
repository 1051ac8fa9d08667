"""STREAM triad repeated `reps` times inside one kernel: the arrays are mapped once (a `target data`
region around the host loop), so (time(reps=R) - time(reps=1)) / (R - 1) is one launch's kernel time."""

from translator import In, Out, f64, kernel, prange


@kernel
def triad_reps(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64, reps: int):
    for r in range(reps):
        for i in prange(a.shape[0]):
            a[i] = b[i] + s * c[i]

