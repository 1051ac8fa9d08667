"""A matrix-vector product that checks its inputs first, as library code does: the golden C and
header of a kernel with checks of the inputs (tests/test_input_checks.py)."""

from translator import In, Out, f64, kernel, prange


@kernel
def checked_gemv(alpha: f64, A: In[f64[:, :]], x: In[f64[:]], y: Out[f64[:]]):
    m, n = A.shape
    if n != x.shape[0]:
        raise ValueError(f"shapes {A.shape} and {x.shape} not aligned")
    assert len(y) == m, "y must have one entry per row of A"
    for i in prange(m):
        s = 0.0
        for j in range(n):
            s += A[i, j] * x[j]
        y[i] = alpha * s
