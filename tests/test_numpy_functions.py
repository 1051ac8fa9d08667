"""NumPy functions and array methods of public code (issue 11): compiled results equal Python's on
random data (NaNs and infinities included where NumPy has rules for them), NumPy 2's result types,
the C the functions become, the GPU translation, and the located errors of the variants kernels
do not take."""

from __future__ import annotations

import inspect

from typing import Any

import numpy as np
import pytest

from tests.kernels import numpy_functions
from translator import TranslationError, frontend
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.passes.typing import type_kernel
from translator.pipeline import translate
from translator.targets import parse_target

PATH = "tests/kernels/numpy_functions.py"
HEADER = ("import numpy as np\nfrom translator import In, InOut, Out, b1, f32, f64, i32, u8, kernel, prange\n\n"
          "@kernel\n")


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in numpy_functions.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, target: str) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def test_returned_arrays_have_numpy_dtypes() -> None:
    """NumPy 2 keeps integer types through np.maximum, np.sign, np.square, np.floor and np.abs."""
    rng = np.random.default_rng(5)
    args = numpy_functions.CASES[numpy_functions.integer_ufuncs](rng)
    compiled = numpy_functions.integer_ufuncs.library("host-offload").kernels["integer_ufuncs"]
    got = compiled(*args)
    expected = numpy_functions.integer_ufuncs.py_func(*args)
    assert [a.dtype for a in got] == [a.dtype for a in expected] == [np.dtype(np.int32)] * 7


def test_a_reshape_of_another_size_raises_as_numpy_does() -> None:
    """NumPy raises ValueError when the sizes differ; so does the call, before the kernel runs, with
    NumPy's message (its -1 as "newaxis") and the line of the first reshape that fails."""
    compiled = numpy_functions.reshapes.library("host-offload").kernels["reshapes"]
    rng = np.random.default_rng(3)
    with pytest.raises(ValueError) as expected:
        numpy_functions.reshapes.py_func(rng.standard_normal((4, 5)), rng.standard_normal(10))
    with pytest.raises(ValueError) as info:
        compiled(rng.standard_normal((4, 5)), rng.standard_normal(10))
    lines, first = inspect.getsourcelines(numpy_functions.reshapes.py_func)
    line = first + next(k for k, text in enumerate(lines) if "x.reshape(3, -1)" in text)
    assert str(info.value) == f"reshapes(): the reshape at line {line}: {expected.value}"
    assert str(expected.value) == "cannot reshape array of size 10 into shape (3,newaxis)"


@pytest.mark.parametrize("data, bins", [
    (np.array([0.5, np.nan, 1.5]), 4), (np.array([0.5, np.inf]), 4), (np.array([0.5, 1.5]), 0),
])
def test_a_histogram_raises_where_numpy_does(data: np.ndarray, bins: int) -> None:
    """NaN or inf in the data (no range given) and a bin count that is not positive: ValueError."""
    compiled = numpy_functions.intensity_histogram.library("host-offload").kernels["intensity_histogram"]
    image = np.tile(data.astype(np.float32), (2, 1))
    with pytest.raises(ValueError):
        numpy_functions.intensity_histogram.py_func(image, bins)
    with pytest.raises(ValueError) as info:
        compiled(image, bins)
    line = numpy_functions.intensity_histogram.py_func.__code__.co_firstlineno + 2
    assert str(info.value).startswith(f"intensity_histogram(): np.histogram() at line {line}: the data holds NaN")


@pytest.mark.parametrize("statement, dtype", [
    ("out[:] = np.floor(v)", "i32"), ("out[:] = np.sign(v)", "i32"), ("out[:] = np.square(flags)", "i8"),
    ("out[:] = np.maximum(v, 3)", "i32"), ("out[:] = np.fmax(x, 0.5)", "f32"), ("out[:] = np.rint(v)", "f64"),
    ("out[:] = np.cbrt(x)", "f32"), ("out[:] = np.where(flags, x, 0.0)", "f32"), ("out[:] = np.clip(v, 0, 9)", "i32"),
    ("out[:] = np.clip(v, 0, 9.5)", "f64"), ("out[:] = np.mod(v, 4)", "i32"), ("out[:] = x.astype(np.int64)", "i64"),
    ("out[:] = np.true_divide(v, 2)", "f64"),
])
def test_numpy2_result_types(statement: str, dtype: str) -> None:
    """The element type of the right side, as NumPy 2 computes it (Python numbers are weak)."""
    source = HEADER + ("def k(x: In[f32[:]], v: In[i32[:]], flags: In[b1[:]], out: Out[f64[:]]):\n"
                       f"    {statement}\n")
    kernel = type_kernel(frontend.parse_module("k.py", source).kernels[0])
    (assign,) = [n for n in walk_all(kernel.body) if isinstance(n, ir.ArrayAssign)]
    assert assign.type is not None and str(assign.type.dtype) == dtype


def test_elementwise_functions_stay_in_the_array_tier() -> None:
    """np.where, np.clip, astype and transposes are elementwise: array statements the tier lowers
    into independent loops, not frontend loops."""
    source = HEADER + ("def k(x: In[f64[:, :]], out: Out[f64[:, :]]):\n"
                       "    out[:, :] = np.where(x > 0, np.clip(x.transpose(), 0.0, 1.0), x.T.astype(np.float32))\n")
    kernel = frontend.parse_module("k.py", source).kernels[0]
    assert [type(s).__name__ for s in kernel.body] == ["ArrayAssign"]


def test_a_scan_runs_in_order_once_before_its_statement() -> None:
    """`c = np.cumsum(w)` at the top level: one serial loop in a prange of one iteration fills the
    scan's array (made by the kernel, after `c`, whose fill it is made for), then the statement reads
    it; made once."""
    source = HEADER + "def k(w: In[f64[:]]):\n    c = np.cumsum(w)\n    return c\n"
    kernel = frontend.parse_module("k.py", source).kernels[0]
    assert [p.name for p in kernel.params] == ["w", "c", "cumsum__3"]
    once, fill = kernel.body[:2]
    assert isinstance(once, ir.Loop) and once.parallel and isinstance(once.stop, ir.Const) and once.stop.value == 1
    (start, scan) = once.body
    assert isinstance(scan, ir.Loop) and not scan.parallel
    assert isinstance(fill, ir.Loop) and fill.parallel
    assert fill.body == (ir.Assign(ir.Index("c", (ir.Name(fill.var, fill.span),), fill.span),
                                   ir.Index("cumsum__3", (ir.Name(fill.var, fill.span),), fill.span), fill.span),)


def test_the_gpu_translation_calls_the_math_library() -> None:
    """Every kernel translates for the GPU; ufuncs become <math.h> calls of the element's precision."""
    c_source = translate(PATH, "nvptx:sm_90").c_source
    for call in ("cbrtf(", "exp2f(", "rintf(", "fmaxf(", "fminf(", "asinhf(", "atanhf(", "acoshf(", "fmax("):
        assert call in c_source, call
    assert "#pragma omp target teams distribute parallel for" in c_source


@pytest.mark.parametrize("body, error", [
    ("y[:] = np.where(x > 0)", "6:12: error: np.where() in a kernel takes a condition and two values"),
    ("y[:] = np.reciprocal(v)", "6:12: error: np.reciprocal() of an integer truncates to 0"),
    ("y[:] = np.sign(x > 0)", "6:12: error: np.sign() of a bool is not defined in NumPy"),
    ("y[:] = np.clip(x, None, None)", "6:12: error: np.clip() needs at least one bound that is not None"),
    ("y[:] = np.arange(0.0, 1.0, 0.1)", "6:12: error: np.arange() in a kernel takes integers"),
    ("y[:] = x.astype(7)", "6:12: error: a.astype() in a kernel takes one scalar type"),
    ("z = x.reshape(-1)\n    z[0] = 1.0\n    y[:] = z",
     "6:9: error: in NumPy 'z' would be a view sharing memory with the array it reshapes, and the kernel writes"),
    ("z = x.transpose()\n    z = x + 1.0", "7:5: error: view 'z' is bound more than once"),
    ("s = np.linspace(0.0, 1.0, 5) + 1.0\n    y[:] = s[0] + np.roll(x, 1, axis=2)",
     "7:19: error: axis 2 is out of range for 1 dimension"),
    ("y[:] = np.concatenate(x)", "6:27: error: np.concatenate() in a kernel takes a tuple of arrays"),
    ("y[:] = np.linspace(0.0, 1.0, 5, retstep=True)", "6:12: error: np.linspace(..., retstep=True) returns a tuple"),
    ("y[:] = x.reshape(2, -1, -1)", "6:12: error: a new shape has at most one -1"),
    ("y[:] = np.diff(x, n=-1)", "6:12: error: np.diff(): n must be non-negative"),
    ("y[:] = np.where(x > 0, np.linspace(0.0, 1.0, 5), 0.0) + np.tile(x, (2, 2))",
     "6:61: error: cannot broadcast this 2-dimensional array into 1 dimension"),
    ("t = np.sum(np.transpose(x, (1, 1)))", "6:16: error: transpose() takes a permutation of the 1 axes"),
    ("y[:] = np.clip(v.astype(np.uint8), -1, 200)", "6:40: error: the Python integer -1 is out of the range of u8"),
    ("t = np.histogram(x)", "6:9: error: np.histogram() returns the counts and the edges"),
    ("for i in range(3):\n        c, e = np.histogram(x, 4)",
     "7:16: error: np.histogram() in a kernel is a statement of its"),
    ("c, e = np.histogram(x, 4, weights=x)", "6:39: error: np.histogram() in a kernel counts values: weights="),
    ("c, e = np.histogram(x, bins=x)", "6:33: error: np.histogram() in a kernel takes a number of bins"),
    ("y[:] = np.round(x, v[0])", "6:24: error: np.round(): decimals takes an integer constant"),
    ("y[:] = np.round(v, -1)", "6:12: error: np.round() of integers to negative decimals is not supported"),
    ("t = np.sum(np.cumsum(x, axis=1))", "6:16: error: axis 1 is out of range for 1 dimension"),
    ("t = np.average(x, weights=x, returned=True)",
     "6:43: error: np.average(..., returned=True) returns a tuple, which kernels do not make"),
    ("t = np.average(x, weights=x[None, :])",
     "6:31: error: np.average() takes weights of the array's shape, or 1-D weights along the one axis= it reduces"),
    ("t = np.average(x[x > 0], weights=x)", "6:38: error: np.average() of a masked read takes no weights= in kernels"),
    ("y[:] = np.positive(x > 0)", "6:12: error: np.positive() of a bool is not defined in NumPy"),
    ("y[:] = np.gcd(x, v)", "6:12: error: np.gcd() takes integers"),
    ("y[:] = np.ldexp(x, x)", "6:12: error: np.ldexp() takes a real mantissa and integer exponents"),
    ("y[:] = np.bitwise_and(x, 1)", "6:12: error: `&` needs integer operands, not f64"),
])
def test_unsupported_variants_are_located_errors(body: str, error: str) -> None:
    source = HEADER + f"def k(x: In[f64[:]], v: In[i32[:]], y: Out[f64[:]]):\n    {body}\n"
    with pytest.raises(TranslationError) as info:
        type_kernel(frontend.parse_module("k.py", source).kernels[0])
    assert str(info.value).startswith("k.py:" + error), str(info.value)
