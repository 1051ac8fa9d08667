"""Small dense `np.linalg.solve` and `np.linalg.inv` in kernels (issue 11): compiled results equal
Python's on random systems of several sizes (1 included), float32 and float64 and integers; a
singular matrix raises `numpy.linalg.LinAlgError` as NumPy does, and so does a matrix that is not
square; the located errors of the forms kernels refuse."""

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


@pytest.mark.parametrize("body, error", [
    ("for i in prange(3):\n        z = np.linalg.inv(A)",
     "7:13: error: np.linalg.inv() in a kernel is a statement of its own that makes an array"),
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
