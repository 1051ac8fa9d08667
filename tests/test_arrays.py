"""Array statements between loops (`C *= beta`, `y[:] = x`, `y -= mean`), N-D slices (stencils),
broadcasting, reductions along an axis and matrix products: compiled results match Python on random
data on every target; a whole-array statement outside any prange is its own parallel loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import arrays
from translator.api import Kernel
from translator.demo import compare_with_python
from translator.ir.types import Ownership
from translator.pipeline import lower, translate
from translator.toolchain.targets import parse_target


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in arrays.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(5)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


HEADER = ("import numpy as np\nfrom translator import In, Out, InOut, f64, kernel, prange\n\n@kernel\n"
          "def k(a: In[f64[:, :]], b: {}[f64[:, :]]):\n{}")


def test_top_level_statement_is_a_parallel_loop_in_one_data_region() -> None:
    source = HEADER.format("InOut", "    b *= 2.0\n    b[1:-1, :] += a[:-2, :]\n")
    c = translate("k.py", "nvptx:sm_90", source).c_source
    c = c[c.index("void k("):c.index("void k__device(")]
    assert c.count("#pragma omp target teams distribute parallel for") == 2
    assert c.count("collapse(2)") == 2
    assert "#pragma omp target data" in c
    assert "b[i__3 * b_n1 + i__4] = b[i__3 * b_n1 + i__4] + a[(i__3 - 1) * a_n1 + i__4];" in c


def test_slice_assignment_of_an_interior_is_a_proven_box() -> None:
    """`b[1:-1, 2:] = ...` writes a box the access analysis proves: an Out array copied back partly."""
    kernel = lower("k.py", "host-offload", HEADER.format("Out", "    b[1:-1, 2:] = a[1:-1, 2:]\n")).kernels[0]
    movement = {m.array: m for m in kernel.movement}
    assert movement["b"].inferred is Ownership.OUT and movement["b"].sectioned


def test_whole_assignment_proves_an_out_array_written() -> None:
    kernel = lower("k.py", "host-offload", HEADER.format("Out", "    b[:] = a * 2.0\n")).kernels[0]
    assert {m.array: m.written for m in kernel.movement}["b"] is None


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_lengths_that_differ_are_refused_before_the_call(target: str) -> None:
    k = arrays.mismatched.library(target).kernels["mismatched"]
    a, b, m = np.ones(5), np.ones(6), np.ones((3, 5))
    y, s = np.zeros(5), np.zeros(5)
    k(a, b, m, y, s)
    assert y.tolist() == [2.0] * 5 and s.tolist() == [3.0] * 5
    line = arrays.mismatched.py_func.__code__.co_firstlineno + 2
    with pytest.raises(ValueError) as info:
        k(a, np.ones(5), m, y, s)
    assert str(info.value) == (
        f"mismatched(): the array statement at line {line} combines lengths 4 and 5 (from the shapes of 'b' and 'y'); "
        "NumPy raises here: operands could not be broadcast together")
    with pytest.raises(ValueError) as info:
        k(a, b, np.ones((3, 4)), y, s)
    assert str(info.value) == (
        f"mismatched(): the array statement at line {line + 1} combines lengths 4 and 5 (from the shapes of 'm' and "
        "'s'); NumPy raises here: operands could not be broadcast together")
