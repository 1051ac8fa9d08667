"""The kernel of bench/copy_rate.py: saxpy on float32, whose data moves on every call (x in, y in
and out: 12 bytes per element), so its time end to end is the transfers'."""

from translator import In, InOut, f32, kernel, prange


@kernel
def saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]
