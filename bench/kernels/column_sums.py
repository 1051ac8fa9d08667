"""Column sums of a C-ordered matrix (`np.sum(a, axis=0)`, NPBench covariance's and correlation's
column means without the division): the kernel of bench/column_sums.py, which times its bare column
form (`passes/bare_columns.py`) against the OpenMP loop it replaces and CuPy's `a.sum(axis=0)`."""

import numpy as np

from translator import In, Out, f64, kernel


@kernel
def column_sums(a: In[f64[:, :]], sums: Out[f64[:]]):
    sums[:] = np.sum(a, axis=0)
