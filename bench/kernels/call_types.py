"""The same tiny saxpy twice: annotated, and with every type taken from the call (bench/call_types.py)."""

from translator import In, InOut, f32, kernel, prange


@kernel
def saxpy_annotated(a: float, x: In[f32[:]], y: InOut[f32[:]]):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]


@kernel
def saxpy_from_call(a, x, y):
    for i in prange(x.shape[0]):
        y[i] = a * x[i] + y[i]
