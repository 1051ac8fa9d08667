"""Array statements between loops (`C *= beta`, `y[:] = x`, `y -= mean`), N-D slices (stencils),
broadcasting, reductions along an axis and matrix products: compiled results match Python on random
data on every target; a whole-array statement outside any prange is its own parallel loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import arrays
from translator import TranslationError
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.ir.types import Ownership
from translator.pipeline import lower, translate
from translator.targets import parse_target


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
    assert c.count("#pragma omp target teams ompx_bare") == 2  # elementwise nests on nvptx: passes/bare.py
    assert "int64_t py2omp_trip = b_n0 * b_n1;" in c  # `b *= 2.0`: one flat index (passes/flat_nests.py)
    assert "b[py2omp_e] = b[py2omp_e] * 2.0;" in c
    assert c.count("int64_t py2omp_trip = py2omp_n0 * py2omp_n1;") == 1  # the shifted read's 2-D nest, collapsed
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
def test_slices_past_the_end_are_empty(target: str) -> None:
    """`x[1:]` of an empty `x` has length 0 (its bounds give -1), as `x[:-1]` has: no refused call."""
    k = arrays.differences.library(target).kernels["differences"]
    for n in (0, 1, 5):
        x = np.random.default_rng(n).standard_normal(n)
        assert np.array_equal(k(x), arrays.differences.py_func(x))


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_lengths_known_only_in_loops_are_checked_by_the_kernel(target: str) -> None:
    """Lengths that depend on a loop variable: the kernel checks them (in a prange, and on the host
    between pranges), skips the statement and the call raises; equal lengths run as Python does."""
    k = arrays.mismatched_in_loops.library(target).kernels["mismatched_in_loops"]
    c, a = np.random.default_rng(2).standard_normal((6, 6)), np.random.default_rng(3).standard_normal(6)
    expected = c.copy()
    arrays.mismatched_in_loops.py_func(expected, a)
    k(c, a)
    assert np.allclose(c, expected)
    line = arrays.mismatched_in_loops.py_func.__code__.co_firstlineno + 3
    with pytest.raises(ValueError) as info:
        k(c, a[:3])
    assert str(info.value) == (
        f"mismatched_in_loops(): the array statement at line {line} combines lengths that differ there (the operand "
        "at column 25); NumPy raises here: operands could not be broadcast together")
    with pytest.raises(ValueError) as info:
        k(c, np.ones(7))
    assert str(info.value).startswith(f"mismatched_in_loops(): the array statement at line {line + 2} combines")


GUARDED = ("from translator import kernel, prange, In, InOut, f64\n\n{}\n@kernel\n"
           "def k(c: InOut[f64[:, :]], a: In[f64[:]]):\n{}    for i in prange(c.shape[0]):\n        {}\n")


@pytest.mark.parametrize("function, before, statement, error", [
    ("", "    py2omp_failed = 2.0\n", "c[i, :i + 1] += a[:i + 1] * py2omp_failed",
     "8:25: error: this kernel uses 'py2omp_failed', the name py2omp gives its run-time checks' status; rename it"),
])
def test_run_time_check_rejections(function: str, before: str, statement: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate("k.py", "cpu", GUARDED.format(function, before, statement))
    assert str(info.value).splitlines()[0] == "k.py:" + error


def test_a_run_time_check_guards_its_statement_in_c() -> None:
    c = translate("tests/kernels/arrays.py", "host-offload").c_source
    c = c[c.index("void mismatched_in_loops("):c.index("void mismatched_in_loops__device(")]
    assert "int32_t *restrict py2omp_failed, int64_t py2omp_failed_n0)" in c
    assert "map(tofrom: c[0:c_n0 * c_n1], py2omp_failed[0:py2omp_failed_n0])" in c
    assert "py2omp_failed[0] = py2omp_value > py2omp_failed[0] ? py2omp_value : py2omp_failed[0];" in c
    assert c.count("} else {") == 2


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


@pytest.mark.parametrize("corner", [-10.0, 10.0])
def test_axis_max_and_min_start_from_their_own_row_or_column(corner: float) -> None:
    """An axis= max/min starts from the first element of its own column, not of the array: with the
    array's first element the smallest (largest) of all, every other column's min (max) would take it.
    Found on the H200, where unseeded random data hit it."""
    data = np.random.default_rng(11).random((25, 18))
    data[0, 0] = corner
    outputs = [np.random.default_rng(12).random(n) for n in (18, 18, 18, 18)]
    result = compare_with_python(arrays.axis_reductions, (data, *outputs), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches
