"""Array statements against the same loops written out, each repeated `steps` times inside one
kernel so the arrays stay on the device: (time(steps=S) - time(steps=s)) / (S - s) is one step.

`triad_statement` is STREAM's triad as one whole-array statement; `jacobi_slices` is NPBench's
jacobi_2d as NumPy writes it (2-D slices), `jacobi_loops` the same with explicit `prange`s."""

from translator import In, InOut, Out, f64, kernel, prange


@kernel
def triad_statement(a: Out[f64[:]], b: In[f64[:]], c: In[f64[:]], s: f64, steps: int):
    for t in range(steps):
        a[:] = b + s * c


@kernel
def jacobi_slices(steps: int, A: InOut[f64[:, :]], B: InOut[f64[:, :]]):
    for t in range(steps):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])


@kernel
def jacobi_loops(steps: int, A: InOut[f64[:, :]], B: InOut[f64[:, :]]):
    n = A.shape[0]
    m = A.shape[1]
    for t in range(steps):
        for i in prange(1, n - 1):
            for j in prange(1, m - 1):
                B[i, j] = 0.2 * (A[i, j] + A[i, j - 1] + A[i, j + 1] + A[i + 1, j] + A[i - 1, j])
        for i in prange(1, n - 1):
            for j in prange(1, m - 1):
                A[i, j] = 0.2 * (B[i, j] + B[i, j - 1] + B[i, j + 1] + B[i + 1, j] + B[i - 1, j])
