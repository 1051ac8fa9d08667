"""A kernel that returns a zero-filled array it writes only in part (tests/test_device_cache.py): called
on device arrays, its result's block comes from the cache of freed DeviceArray blocks, holding the
previous call's values, so only the kernel's own zero fill makes it right."""

import numpy as np

from translator import In, f64, kernel, prange


@kernel
def positive_part(x: In[f64[:]]):
    y = np.zeros(x.shape[0])
    for i in prange(x.shape[0]):
        if x[i] > 0.0:
            y[i] = x[i]
    return y
