"""`import translator as t` and `import numpy` without an alias: every py2omp name through `t.`."""

import numpy

import translator as t

EPS = 1e-12


@t.kernel(target="host-offload")
def normalize_rows(a: t.In[t.f64[:, :]], out: t.Out[t.f64[:, :]]):
    for i in t.prange(a.shape[0]):
        norm = 0.0
        for j in range(a.shape[1]):
            norm += a[i, j] * a[i, j]
        scale = 1.0 / numpy.sqrt(norm + EPS)
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * scale


@t.kernel
def rms(x: t.In[t.f32[:]]) -> t.f64:
    total = 0.0
    for i in t.prange(x.shape[0]):
        total += t.f64(x[i]) * t.f64(x[i])
    return numpy.sqrt(total / x.shape[0])


CASES = {
    normalize_rows: lambda r: (r.standard_normal((60, 17)), r.standard_normal((60, 17))),
    rms: lambda r: (r.standard_normal(999).astype(numpy.float32),),
}
