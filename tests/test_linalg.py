"""Small dense `np.linalg.solve` and `np.linalg.inv` in kernels (issue 11): compiled results equal
Python's on random systems of several sizes (1 included), float32 and float64, complex and
integers, at the top level, in host loops (an `if` choosing `inv` or `solve`, of different shapes)
and per iteration of a `prange`; a singular matrix raises `numpy.linalg.LinAlgError` as NumPy does
(in a `prange` too), and so does a matrix that is not square; the located errors of the forms
kernels refuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import linalg
from translator import TranslationError, pipeline
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = "import numpy as np\nfrom translator import In, Out, f64, kernel, prange\n\n@kernel\n"


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in linalg.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, n: int) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(5 + n), n), parse_target("host-offload"),
                                 repeats=1)
    assert result.ok, result.mismatches


def test_newton_converges() -> None:
    """Not only the same numbers as Python: the root."""
    rng = np.random.default_rng(3)
    M, c, x0, steps = linalg.CASES[linalg.newton](rng, 6)
    x = linalg.newton.library("host-offload").kernels["newton"](M, c, x0, steps)
    assert np.allclose(x ** 3 + M @ x, c, atol=1e-10)


def test_singular_and_non_square_matrices_raise_linalg_error() -> None:
    solve = linalg.integer_matrix.library("host-offload").kernels["integer_matrix"]
    line = linalg.integer_matrix.py_func.__code__.co_firstlineno + 2
    singular = np.array([[1, 2, 3], [2, 4, 6], [1, 0, 1]], np.int32)
    b = np.array([1, 2, 3], np.int32)
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        linalg.integer_matrix.py_func(singular, b)
    with pytest.raises(np.linalg.LinAlgError) as info:
        solve(singular, b)
    assert str(info.value) == f"integer_matrix(): Singular matrix (np.linalg.solve() at line {line})"
    with pytest.raises(np.linalg.LinAlgError) as info:
        solve(np.zeros((3, 4), np.int32), b)
    assert str(info.value) == ("integer_matrix(): Last 2 dimensions of the array must be square (np.linalg.solve() "
                               f"at line {line})")
    with pytest.raises(ValueError) as info:
        solve(np.eye(4, dtype=np.int32), b)
    assert str(info.value) == (f"integer_matrix(): np.linalg.solve() at line {line}: the right-hand side's length "
                               "is not the matrix's; NumPy raises ValueError here")
    inverse = linalg.inverse.library("host-offload").kernels["inverse"]
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        inverse(np.zeros((2, 2)), np.ones(2))


def test_resolvents_take_the_shape_their_branch_makes() -> None:
    """`R` is `inv(M)` (n x n) when B is square and `solve(M, B)` (n x m) otherwise: one compiled
    kernel, whose allocation of `R` the caller sizes by the condition, matches Python both ways."""
    rng = np.random.default_rng(11)
    target = parse_target("host-offload")
    shifts = rng.standard_normal(4)
    for m in (5, 2, 7):
        args = (linalg._matrix(rng, 5), shifts, rng.standard_normal((5, m)))
        result = compare_with_python(linalg.shifted_resolvents, args, target, repeats=1)
        assert result.ok, (m, result.mismatches)


def test_batched_solves_raise_as_numpy() -> None:
    """A singular matrix in one iteration of the `prange` stops the call with NumPy's LinAlgError;
    a right-hand side of another length with a ValueError (the assignment's length check, made
    before the statement runs, where NumPy's solve raises first)."""
    solve = linalg.batched_solve.library("host-offload").kernels["batched_solve"]
    line = linalg.batched_solve.py_func.__code__.co_firstlineno + 3
    rng = np.random.default_rng(12)
    A, b, x = linalg.CASES[linalg.batched_solve](rng, 4)
    A[2, :, 1] = 0.0
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        linalg.batched_solve.py_func(A, b, x.copy())
    with pytest.raises(np.linalg.LinAlgError) as info:
        solve(A, b, x)
    assert str(info.value) == f"batched_solve(): Singular matrix (np.linalg.solve() at line {line})"
    with pytest.raises(ValueError) as wrong:
        solve(linalg.CASES[linalg.batched_solve](rng, 4)[0], rng.standard_normal((5, 3)), x)
    assert str(wrong.value) == (f"batched_solve(): the array statement at line {line} combines lengths 3 and 4 "
                                "(from the shapes of 'b' and 'x'); NumPy raises here: operands could not be "
                                "broadcast together")


@pytest.mark.parametrize("body, error", [
    ("while y[0] > 0.0:\n        z = np.linalg.inv(A)\n        y[0] -= z[0, 0]",
     "7:9: error: an array made inside a loop or branch is allocated once, before the kernel runs: bind it in a "
     "`for` body, directly or in every branch of an `if` there (not under a `while`), before any use of it in "
     "that body, and use it only there; or make it at the top level and assign into it (`r[:] = ...`)"),
    ("for k in range(3):\n        if k > 0:\n            z = np.linalg.inv(A)\n        y[k] = z[0, 0]",
     "8:13: error: an array made inside a loop or branch is allocated once"),
    ("for k in range(3):\n        if x[k] > 0.0:\n            z = np.linalg.inv(A)\n        else:\n"
     "            z = np.linalg.solve(A, A[:, :2])\n        y[k] = z[0, 0]",
     "7:12: error: 'z' is made in each branch of this `if` with another shape, and the caller allocates it once "
     "with the shape the condition chooses: the condition may only compare integer constants, scalar parameters, "
     "array extents and top-level locals assigned once (`if n == m:`)"),
    ("for i in prange(3):\n        z = np.linalg.inv(A[:i, :i])\n        y[i] = z[0, 0]",
     "7:13: error: this statement makes an array in each prange iteration whose length depends on 'i'"),
    ("z = np.linalg.solve(A)", "6:9: error: np.linalg.solve() in a kernel takes a matrix and a vector or matrix, "
     "positionally"),
    ("z = np.linalg.inv(x)", "6:9: error: np.linalg.inv() in a kernel takes a 2-D matrix"),
    ("z = np.linalg.solve(A, A[None, :, :])",
     "6:9: error: np.linalg.solve() in a kernel takes a 2-D matrix and a 1-D or 2-D right-hand side"),
])
def test_refused_forms_are_located_errors(body: str, error: str) -> None:
    source = HEADER + f"def k(x: In[f64[:]], A: In[f64[:, :]], y: Out[f64[:]]):\n    {body}\n"
    with pytest.raises(TranslationError) as info:
        pipeline.lower("k.py", "host-offload", source=source)
    assert str(info.value).startswith("k.py:" + error), str(info.value)
