"""Device functions imported from a module marked with `device_functions()`, under an alias, next to
a function of this module with the same name as one of the helper's."""

import numpy as np

from tests.kernels._marked_helpers import strength as pull
from ._marked_helpers import twice as double
from translator import In, Out, f64, kernel, prange


def twice(v):
    return v + 100.0


@kernel
def imported_functions(x: In[f64[:]], y: In[f64[:]], out: Out[f64[:]]):
    for i in prange(x.shape[0]):
        out[i] = pull(x[i], y[i]) + double(x[i]) + twice(y[i])


N = 333
CASES = {
    imported_functions: lambda r: (r.standard_normal(N), r.standard_normal(N), np.zeros(N)),
}
