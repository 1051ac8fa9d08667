"""`from numpy import *` and `from math import *`: what the star binds is what Python binds, so
`abs` is NumPy's here and `sqrt` is math's (the later star wins)."""

from numpy import *
from math import *

from translator import In, Out, f64, kernel, prange


@kernel
def polar(x: In[f64[:]], y: In[f64[:]], r: Out[f64[:]], theta: Out[f64[:]]):
    for i in prange(x.shape[0]):
        r[i] = sqrt(x[i] * x[i] + y[i] * y[i])
        theta[i] = arctan2(y[i], x[i]) * 180 / pi + abs(minimum(x[i], 0.0))


N = 700
CASES = {
    polar: lambda r: (r.standard_normal(N), r.standard_normal(N), r.standard_normal(N), r.standard_normal(N)),
}
