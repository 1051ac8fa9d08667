"""NPBench-style kernels: the acceptance suite of issue 4 ("NPBench's Numba `prange` kernels translate
with only ownership annotations added").

One module per benchmark, as NPBench has one file per benchmark, because every kernel of a Python
file is translated together: a construct the translator rejects in one benchmark must not take the
others down with it. Each module defines one `@kernel` named after its benchmark and
`make_args(rng)`, its random arguments (small sizes, no zeros). The algorithms and the NumPy
constructs follow NPBench's Numba variants (`docs/npbench.md` lists them); the code is ours.
`tests/test_npbench.py` runs each compiled and as plain Python.
"""

BENCHMARKS = (
    "gemm", "gemver", "gesummv", "atax", "bicg", "mvt", "syrk", "syr2k", "trmm", "symm", "doitgen",
    "jacobi_1d", "jacobi_2d", "heat_3d", "covariance", "correlation", "cholesky", "floyd_warshall",
    "softmax", "go_fast", "compute", "spmv", "azimint_naive", "azimint_hist", "mandelbrot", "conv2d",
)
