"""Bounds by default (docs/language.md, "Bounds"): every access out of range raises IndexError where
Python does, from the caller's preconditions (affine accesses) or the kernel's own checks (gathers,
scatters, wrapped indices), and calls in range match Python. The probes run in a subprocess: a
crash (the segfault these accesses caused before) fails the test instead of killing pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.kernels import bounds
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.targets import parse_target

ROOT = Path(__file__).resolve().parents[1]
KERNELS = ROOT / "tests" / "kernels" / "bounds.py"

PROBES = """
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")  # NumPy's int32 overflow warning in the Python function
from tests.kernels import bounds as b
rng = np.random.default_rng(13)
f32 = np.float32
probes = {
    "saxpy": (b.saxpy, (f32(2), rng.random(100000, dtype=f32), rng.random(10, dtype=f32))),
    "saxpy_fast": (b.saxpy, (2.0, rng.random(100000, dtype=f32), rng.random(10, dtype=f32))),
    "smooth": (b.smooth, (rng.random(50), np.empty(10), np.empty(50))),
    "scatter": (b.scatter_add, (np.array([1, 5, 12]), rng.random(3), rng.random(10))),
    "gather": (b.gather, (np.array([3, 9, 10], dtype=np.int32), rng.random(10), np.empty(3))),
    "negative": (b.from_end, (rng.random(4), 1, np.empty(3))),
    "wrapped": (b.from_end, (rng.random(8), 9, np.empty(3))),
    "stencil": (b.stencil, (rng.random((6, 7)), np.empty((6, 5)))),
    "int32": (b.strided, (rng.random(8), np.int32(2**30), np.empty(4))),
    "nan": (b.truncate, (np.array([1.5, np.nan, -2.5]), np.empty(3, np.int64))),
    "inf": (b.truncate, (np.array([1.5, -np.inf, -2.5]), np.empty(3, np.int64))),
    "huge": (b.truncate, (np.array([1.5, 1e300, -2.5]), np.empty(3, np.int64))),
    "nan_index": (b.binned, (np.array([0.5, np.nan], np.float32), np.float32(1), np.zeros(4, np.int64))),
    "clipped": (b.clipped_gather, (np.array([2, -9, 1]), rng.random(5), np.empty(3))),
    "head": (b.head, (rng.random(5), 7, np.empty(7))),
    "pairs": (b.pair_sums, (rng.random(7), 7, np.empty(7))),
    "past_bins": (b.binned, (np.array([0.5, 9.5], np.float32), np.float32(1), np.zeros(4, np.int64))),
}
for name, (k, args) in probes.items():
    compiled = k.library(sys.argv[1]).kernels[k.py_func.__name__]
    outcome = {}
    for who, f in (("c", compiled), ("python", k.py_func)):
        try:
            f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
            outcome[who] = None
        except Exception as e:
            outcome[who] = [type(e).__name__, str(e)]
    print(json.dumps([name, outcome]), flush=True)
"""


def _at(line: int, col: int) -> str:
    return f"{KERNELS}:{line}:{col}"


EXPECTED = {
    "saxpy": f"saxpy(): index out of range at {_at(12, 11)}: 'y' needs at least 100000 elements along axis 0, and has 10",
    "saxpy_fast": f"saxpy(): index out of range at {_at(12, 11)}: 'y' needs at least 100000 elements along axis 0, and has 10",
    "smooth": f"smooth(): index out of range at {_at(19, 14)}: 'work' needs at least 50 elements along axis 0, and has 10",
    "scatter": f"scatter_add(): index out of range for 'y' at {KERNELS}:29",
    "gather": f"gather(): index out of range for 'x' at {KERNELS}:35",
    "negative": f"from_end(): index out of range at {_at(41, 26)}: 'x' needs at least 6 elements along axis 0, and has 4",
    "wrapped": f"from_end(): index out of range for 'x' at {KERNELS}:41",
    "stencil": f"stencil(): index out of range at {_at(50, 18)}: 'b' needs at least 6 elements along axis 1, and has 5",
    "int32": f"strided(): index out of range for 'a' at {KERNELS}:74",
    "past_bins": f"binned(): index out of range for 'counts' at {KERNELS}:80",
    "head": f"head(): index out of range at {_at(101, 24)}: 'x' needs at least 7 elements along axis 0, and has 5",
    "pairs": f"pair_sums(): index out of range at {_at(107, 25)}: 'x' needs at least 8 elements along axis 0, and has 7",
    "clipped": f"clipped_gather(): index out of range for 'x' at {KERNELS}:95",
}
CASTS = {
    "nan": ("ValueError", f"truncate(): cannot convert float NaN to integer (int() at {KERNELS}:62)"),
    "inf": ("OverflowError", f"truncate(): cannot convert float infinity to integer (int() at {KERNELS}:62)"),
    "huge": ("OverflowError", f"truncate(): Python int too large to convert to C long (int() at {KERNELS}:62: py2omp's "
                              "int is int64)"),
    "nan_index": ("ValueError", f"binned(): cannot convert float NaN to integer (int() at {KERNELS}:80)"),
}


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_out_of_range_raises_as_python(target: str) -> None:
    run = subprocess.run([sys.executable, "-c", PROBES, target], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"the probes crashed ({run.returncode}): {run.stderr[-2000:]}"
    outcomes = dict(json.loads(line) for line in run.stdout.splitlines())
    expected = {**{name: ("IndexError", message) for name, message in EXPECTED.items()}, **CASTS}
    assert sorted(expected) == sorted(outcomes)
    for name, (error, message) in expected.items():
        assert outcomes[name]["python"][0] == error, name  # the probe raises the same in Python
        assert outcomes[name]["c"] == [error, message], name


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("case", [
    lambda rng: (bounds.saxpy, (np.float32(1.5), rng.random(1000, dtype=np.float32), rng.random(1200, dtype=np.float32))),
    lambda rng: (bounds.smooth, (rng.random(64), np.empty(70), np.empty(64))),
    lambda rng: (bounds.scatter_add, (rng.integers(-10, 10, 40), rng.random(40), rng.random(10))),
    lambda rng: (bounds.gather, (rng.integers(-7, 7, 30).astype(np.int32), rng.random(7), np.empty(30))),
    lambda rng: (bounds.from_end, (rng.random(9), 9, np.empty(5))),
    lambda rng: (bounds.stencil, (rng.random((9, 11)), rng.random((9, 11)))),
    lambda rng: (bounds.shifted, (rng.random(33), np.empty(33))),
    lambda rng: (bounds.gather_unchecked, (rng.integers(-7, 7, 30).astype(np.int32), rng.random(7), np.empty(30))),
    lambda rng: (bounds.leading_positive, (rng.standard_normal((20, 6)) + 1.0, np.empty(20, np.int64))),
    lambda rng: (bounds.clipped_gather, (rng.integers(-5, 12, 40), rng.random(5), np.empty(40))),
    lambda rng: (bounds.head, (rng.random(9), 6, np.empty(7))),
    lambda rng: (bounds.pair_sums, (rng.random(6), 6, rng.random(6))),
    lambda rng: (bounds.pair_sums, (rng.random(8), 7, rng.random(7))),
    lambda rng: (bounds.strided, (rng.random(40), np.int32(3), np.empty(13))),
    lambda rng: (bounds.truncate, (rng.uniform(-1e15, 1e15, 50), np.empty(50, np.int64))),
    lambda rng: (bounds.binned, (rng.uniform(-4, 4, 60).astype(np.float32), np.float32(0.5), np.zeros(8, np.int64))),
])
def test_in_range_matches_python(case, target: str) -> None:  # type: ignore[no-untyped-def]
    k, args = case(np.random.default_rng(7))
    result = compare_with_python(k, args, parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_boundscheck_false_keeps_preconditions_only() -> None:
    library = bounds.gather_unchecked.library(parse_target("cpu")).kernels["gather_unchecked"]
    assert library.spec.failures == () and [n.array for _, n in library.spec.index_needs] == ["y"]
    with pytest.raises(IndexError, match=r"'y' needs at least 3 elements along axis 0, and has 2"):
        library(np.array([0, 1, 2], dtype=np.int32), np.random.default_rng(3).random(4), np.empty(2))


def test_a_reduction_over_a_slice_is_checked_before_the_call() -> None:
    """trmm's `np.dot(A[i + 1:, i], B[i + 1:, j])`: the tier's reduction loop reads clamped slices, so
    its elements need no test; only `i` along A's axis 1 does, and it becomes a precondition. Checking
    it per element made trmm 5x slower on an H100 (docs/benchmarks.md, 2026-12-05)."""
    from tests.kernels.npbench.trmm import trmm
    c = translate("tests/kernels/npbench/trmm.py", "nvptx:sm_90").c_source
    body = c.split("void trmm(")[1].split("void trmm__device(")[0]
    loops, library = body.split("else if (py2omp_blas > 0)")  # the loops are cuBLAS trmm's fallback
    assert loops.count("py2omp_failed[0] =") == 1  # the lengths of the two slices only, outside the k loop
    assert library.count("py2omp_failed[0] =") == 1  # the library's failure
    rng = np.random.default_rng(11)
    with pytest.raises(IndexError, match=r"'A' needs at least 30 elements along axis 1, and has 20"):
        trmm(1.5, rng.random((30, 20)), rng.random((30, 25)))


def test_the_fast_path_checks_the_preconditions_in_its_own_walk() -> None:
    """The preconditions are compares of the C arguments the fast path made (no second pass over
    the arguments): a failing one sends the call to the checked path, which raises the message."""
    saxpy = bounds.saxpy.library(parse_target("cpu")).kernels["saxpy"]
    assert saxpy.fast is not None and saxpy.fast.failing is not None
    rng = np.random.default_rng(4)
    x, y = rng.random(9, dtype=np.float32), rng.random(9, dtype=np.float32)
    c_args = saxpy.fast.arguments((1.5, x, y))
    assert c_args is not None and c_args[0][1:] == [x.ctypes.data, 9, y.ctypes.data, 9]
    assert saxpy.fast.arguments((1.5, x, y[:8])) is None
    with pytest.raises(IndexError, match="'y' needs at least 9 elements along axis 0, and has 8"):
        saxpy(1.5, x, y[:8])


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_a_device_functions_accesses_are_checked_at_its_call(target: str) -> None:
    """`pair_at(x, i)` reads `x[i + 1]`: a precondition of the caller, located at the call; the
    gather `x[idx[i]]` in `picked` is the caller's in-kernel test, with the caller's line."""
    rng = np.random.default_rng(17)
    pair_means = bounds.pair_means.library(parse_target(target)).kernels["pair_means"]
    with pytest.raises(IndexError) as caught:
        pair_means(rng.random(4), np.empty(4))
    assert str(caught.value) == (f"pair_means(): index out of range at {_at(121, 22)}: 'x' needs at least 5 elements "
                                 "along axis 0, and has 4")
    gather = bounds.gather_through.library(parse_target(target)).kernels["gather_through"]
    with pytest.raises(IndexError) as caught:
        gather(np.array([0, 7, 1]), rng.random(4), np.empty(3))
    assert str(caught.value) == f"gather_through(): index out of range for 'x' at {KERNELS}:127"
    with pytest.raises(IndexError, match="bounds.py:127:16: 'idx' needs at least 3 elements along axis 0, and has 2"):
        gather(np.array([0, 1]), rng.random(4), np.empty(3))
    for k, args in ((bounds.pair_means, (rng.random(9), np.empty(8))),
                    (bounds.gather_through, (rng.integers(-6, 6, 12), rng.random(6), np.empty(12)))):
        result = compare_with_python(k, args, parse_target(target), repeats=1)
        assert result.ok, result.mismatches


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("case", [
    lambda rng: (bounds.upper_row_sums, (rng.standard_normal((6, 6)), 6, np.empty(6))),
    lambda rng: (bounds.upper_row_sums, (rng.standard_normal((5, 6)), 6, np.empty(6))),  # the last row is not read
    lambda rng: (bounds.upper_row_sums, (rng.standard_normal((0, 0)), 1, np.empty(1))),  # nor any element
    lambda rng: (bounds.lower_products, (rng.standard_normal((7, 6)), rng.standard_normal(6), np.empty(7))),
    lambda rng: (bounds.lower_products, (rng.standard_normal((1, 0)), rng.standard_normal(0), np.empty(1))),
])
def test_triangular_loops_match_python(case, target: str) -> None:  # type: ignore[no-untyped-def]
    """Exactly the elements Python reads are required: an array one short where the triangle never
    reaches, or empty where the inner loop never runs, is accepted."""
    k, args = case(np.random.default_rng(9))
    result = compare_with_python(k, args, parse_target(target), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k, args, message", [
    (bounds.upper_row_sums, (np.ones((6, 5)), 6, np.empty(6)), f"{_at(136, 23)}: 'A' needs at least 6 elements along "
     "axis 1, and has 5"),
    (bounds.upper_row_sums, (np.ones((4, 6)), 6, np.empty(6)), f"{_at(136, 20)}: 'A' needs at least 5 elements along "
     "axis 0, and has 4"),
    (bounds.lower_products, (np.ones((7, 5)), np.ones(6), np.empty(7)), f"{_at(146, 23)}: 'L' needs at least 6 "
     "elements along axis 1, and has 5"),
    (bounds.lower_products, (np.ones((7, 6)), np.ones(5), np.empty(7)), f"{_at(146, 30)}: 'x' needs at least 6 "
     "elements along axis 0, and has 5"),
])
def test_triangular_loops_are_checked_before_the_call(k, args, message: str) -> None:  # type: ignore[no-untyped-def]
    """`for j in range(i + 1, n)` and `for j in range(i)`: the preconditions follow from the extents
    (`i` only where the inner loop runs), so the kernel tests nothing and the call raises before it."""
    with pytest.raises(IndexError):
        k.py_func(*args)
    compiled = k.library(parse_target("host-offload")).kernels[k.py_func.__name__]
    assert not compiled.spec.failures  # no test in the kernel: no status array
    with pytest.raises(IndexError) as info:
        compiled(*args)
    assert str(info.value) == f"{k.py_func.__name__}(): index out of range at {message}"
