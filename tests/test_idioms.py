"""NumPy code as others write it (issue 11): each idiom of `tests/kernels/idioms.py` compiled and run
against its Python function on seeded random data, calls that lean on defaults and keywords, the
located errors of what stays unsupported, and translation for the GPU."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kernels import idioms
from tests.located import translation_error
from translator import pipeline
from translator.frontend import Selection
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

ANNOTATED = Selection(skip_untyped=True)
HEADER = "import numpy as np\nfrom translator import kernel, prange, In, InOut, Out, f64\n\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in idioms.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def test_translates_for_the_gpu() -> None:
    emitted = pipeline.translate(idioms.__file__, "nvptx:sm_90", selection=ANNOTATED)
    assert "#pragma omp target teams distribute parallel for" in emitted.c_source


def test_defaults_and_keywords_from_python() -> None:
    """A Python call may omit defaulted parameters (the runtime passes the manifest's `default`) and
    name any argument; C callers pass every argument, so the header keeps every parameter."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal(9), rng.standard_normal(9)
    compiled = idioms.axpby.library("host-offload").kernels["axpby"]
    for kwargs in [{}, {"beta": 3.0}, {"alpha": 2.0, "beta": -1.0}]:
        got, expected = y.copy(), y.copy()
        compiled(x, got, **kwargs)
        idioms.axpby.py_func(x, expected, **kwargs)
        np.testing.assert_array_equal(got, expected)
    got, expected = y.copy(), y.copy()
    compiled(y=got, x=x, alpha=0.25)
    idioms.axpby.py_func(x, expected, 0.25)
    np.testing.assert_array_equal(got, expected)
    spec = {p.name: p for p in compiled.spec.params}
    assert (spec["alpha"].default, spec["beta"].default) == (1.5, 0.5)
    header = pipeline.translate(idioms.__file__, "host-offload", selection=ANNOTATED).h_source
    assert "void axpby(const double *x, int64_t x_n0, double *y, int64_t y_n0, double alpha, double beta);" in header
    out = idioms.moving_sum.library("host-offload").kernels["moving_sum"](x.astype(np.float32))
    np.testing.assert_allclose(out, idioms.moving_sum.py_func(x.astype(np.float32)), rtol=1e-6)


def test_a_returned_value_keeps_its_length_check() -> None:
    """`return e` whose gather needs a run-time check: the check guards the value, and fails as NumPy does."""
    probs = np.random.default_rng(3).random((9, 4)) + 0.01
    compiled = idioms.picked_loss.library("host-offload").kernels["picked_loss"]
    with pytest.raises(IndexError, match="the gather at line 345 indexes with arrays of lengths that differ .*shape "
                       "mismatch: indexing arrays could not be broadcast together"):
        compiled(probs, np.zeros(5, np.int64))
    with pytest.raises(IndexError):
        idioms.picked_loss.py_func(probs, np.zeros(5, np.int64))


def test_scalars_after_the_first_come_back_as_numpy_scalars() -> None:
    """`return mean, x - mean, var, count`: the first scalar is the C return value, the others the one
    element of arrays the kernel makes, returned as NumPy scalars of their dtype (as NumPy's are)."""
    x = np.random.default_rng(8).random(10)
    mean, centred, var, count = idioms.running_stats.library("host-offload").kernels["running_stats"](x)
    assert isinstance(var, np.float64) and isinstance(count, np.int64) and centred.shape == (10,)
    assert (var, count) == pytest.approx((np.var(x, ddof=1), 10)) and mean == pytest.approx(np.mean(x))


def test_defaults_of_parameters_typed_by_the_call() -> None:
    """A parameter without annotation and with a default takes the default's type when left out."""
    x = np.random.default_rng(2).standard_normal(6).astype(np.float32)
    for kwargs in [{}, {"alpha": 2}, {"alpha": np.float32(0.25)}]:
        got, expected = np.zeros_like(x), np.zeros_like(x)
        idioms.scale_into(x, got, **kwargs)
        idioms.scale_into.py_func(x, expected, **kwargs)
        np.testing.assert_array_equal(got, expected)
    assert idioms.scale_into.signatures == ["(f32[:], f32[:], float)", "(f32[:], f32[:], int)", "(f32[:], f32[:], f32)"]


def test_a_column_of_too_few_columns_is_refused_as_numpy_refuses_it() -> None:
    """`x = pos[:, 0:1]` broadcasts as a column of length 1; an array without that column has none,
    and `x.T - x` then fails to broadcast, in NumPy and in the kernel (checked before the call)."""
    compiled = idioms.column_differences.library("host-offload").kernels["column_differences"]
    pos = np.random.default_rng(4).standard_normal((9, 0))
    with pytest.raises(ValueError):
        idioms.column_differences.py_func(pos)
    with pytest.raises(ValueError, match="combines lengths"):
        compiled(pos)


@pytest.mark.parametrize("N", [4, -3, 25, -25])
def test_computed_slice_bounds_size_new_arrays_as_numpy_does(N: int) -> None:
    """`c[N:] - c[:-N]` makes an array whose length the caller computes from `N`, wrapped as Python
    wraps a negative bound and clamped to the array (a negative N and one past the end included);
    with N = 0 the lengths differ, and both raise."""
    x = np.random.default_rng(6).random(20)
    compiled = idioms.window_means.library("host-offload").kernels["window_means"]
    np.testing.assert_allclose(compiled(x, N), idioms.window_means.py_func(x, N), rtol=1e-12)
    with pytest.raises(ValueError):
        idioms.window_means.py_func(x, 0)
    with pytest.raises(ValueError, match="combines lengths that differ"):
        compiled(x, 0)


@pytest.mark.parametrize("body, expected", [
    ("@kernel\ndef k(x: In[f64[:]] = 0.0):\n    pass\n",
     "k.py:5:23: error: parameter 'x' has a default value that is not a number; a kernel's defaults are numeric "
     "constants of scalar parameters"),
    ("@kernel\ndef k(x: In[f64[:]], s: f64 = 'a'):\n    pass\n",
     "k.py:5:31: error: parameter 's' has a default value that is not a number; a kernel's defaults are numeric "
     "constants of scalar parameters"),
    ("@kernel\ndef k(A: In[f64[:, :]], y: Out[f64[:]]):\n    m, n, p = A.shape\n    y[0] = m\n",
     "k.py:6:15: error: 'A.shape' has 2 extents; the left side names 3 (Python raises ValueError when unpacking)"),
    ("def f(a, b=1.0):\n    return a + b\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n"
     "    for i in prange(1):\n        y[i] = f(x[i], 2.0, 3.0)\n",
     "k.py:10:29: error: f() takes 2 arguments, got 3"),
    ("def f(a, b=1.0):\n    return a + b\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n"
     "    for i in prange(1):\n        y[i] = f(x[i], c=3.0)\n",
     "k.py:10:24: error: f() got an unexpected keyword argument 'c'"),
    ("def f(a, b=1.0):\n    return a + b\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n"
     "    for i in prange(1):\n        y[i] = f(x[i], a=3.0)\n",
     "k.py:10:24: error: f() got multiple values for argument 'a'"),
    ("def f(a, b=x):\n    return a + b\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n"
     "    for i in prange(1):\n        y[i] = f(x[i])\n",
     "k.py:4:12: error: parameter 'b' has a default value that is not a number; a device function's defaults are "
     "numeric constants"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    f = lambda v: v[0]\n    for i in prange(1):\n"
     "        y[i] = f(x)\n",
     "k.py:6:19: error: a lambda in a kernel computes with numbers; index arrays at the call (`f(x[i])`), or write a "
     "function of the module for arrays"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    f = lambda v: v\n    f = lambda v: 2 * v\n"
     "    for i in prange(1):\n        y[i] = f(x[i])\n",
     "k.py:6:5: error: 'f' is bound to a lambda and bound again; bind a lambda once, under a name of its own"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    f = lambda v: v\n    for i in prange(1):\n"
     "        y[i] = f(x[i], 1)\n",
     "k.py:8:16: error: this lambda takes 1 positional argument"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    from math import *\n    for i in prange(1):\n"
     "        y[i] = x[i]\n",
     "k.py:6:5: error: `import *` is only allowed at module level (Python rejects it in a function)"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    v = y[1:]\n    v = y[:-1]\n    y[:] = x\n",
     "k.py:7:5: error: view 'v' is bound more than once; a name bound to a view stands for that view wherever it "
     "is used, so bind it once, under a name of its own (write through it with `v[...] = value`)"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    v = y[1:]\n    y[:] = x\n    v[0] = 1.0\n",
     "k.py:8:5: error: 'v' names a view; use it whole (`v[...] = value`, `v * 2`) or index the array it views: a view "
     "name takes no indices or slices"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    m = 1\n    m = m + 1\n    v = y[m:]\n    y[:] = x\n",
     "k.py:8:11: error: view 'v' uses 'm', which is not assigned exactly once before the view; the view's bounds "
     "are taken where it is used, so copy 'm' into a new local just before the view"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    y[:] = x.astype(x)\n",
     "k.py:6:12: error: a.astype() in a kernel takes one scalar type or an array's .dtype: np.float32, np.int64, "
     "f64, x.dtype, ..."),
    ("@kernel\ndef k(x: In[f64[:]], n: int):\n    y = np.zeros_like(n)\n    return y\n",
     "k.py:6:23: error: the `_like` constructors take an array or a slice of one here (`np.zeros_like(a)`, "
     "`np.empty_like(A[1:, :])`)"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    v = x[1:]\n    for i in prange(1):\n        y[i] = v\n",
     "k.py:8:16: error: an array slice is a value only in array statements (`c[i, :] = a[i, :] * 2`, "
     "`b = a[1:] - a[:-1]`) and as the argument of a reduction (np.sum, np.max, np.min, np.mean, np.dot, `@`); "
     "index one element here (`a[i, j]`)"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    y[:] = x[::0]\n",
     "k.py:6:16: error: a slice's step is a non-zero integer (`x[::2]`, `x[::-1]`, `x[i * i::i]`)"),
    ("@kernel\ndef k(x: InOut[f64[:]]):\n    while x[0] > 1.0:\n        x[:] = x / 2.0\n",
     "k.py:6:11: error: array 'x' is read in the condition of a `while` loop that also holds parallel loops, which "
     "runs on the host: read it into a local before the loop and at the end of its body"),
    ("@kernel\ndef k(A: In[f64[:, :]], y: Out[f64[:]]):\n    t = 0.0\n    for row in A:\n        t += 1.0\n"
     "    y[0] = t\n",
     "k.py:7:16: error: iterating over a 2-D array gives its rows, which kernels cannot bind to a name; loop over "
     "`range(A.shape[0])` and index `A[i, ...]`"),
    ("@kernel\ndef k(y: Out[f64[:]], s: f64):\n    t = 0.0\n    for v in (s, 1.0):\n        t += v\n    y[0] = t\n",
     "k.py:7:15: error: a kernel loops over a tuple of numeric constants only (`for d in (-1, 0, 1)`); loop over "
     "range(...) and compute the value instead"),
    ("@kernel\ndef k(y: Out[f64[:]]):\n    for v in y * 2.0:\n        y[0] = v\n",
     "k.py:6:14: error: kernels loop over range(...), prange(...), a 1-D array or a tuple of constants only"),
    ("@kernel\ndef k(x: InOut[f64[:]], y: InOut[f64[:]]):\n    x[1:] = y[:-1] = x[:-1] * 2.0\n",
     "k.py:6:22: error: this chained assignment's value reads 'x', which one of its targets assigns; assign the "
     "value to a new name first, then that name to each target"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    y[:] = np.flip(x, 1)\n",
     "k.py:6:12: error: np.flip() takes distinct constant axes of the 1-D view it reverses"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return np.insert(x, 1, 0.0)\n",
     "k.py:6:12: error: np.insert() in a kernel puts one scalar before the first element of a 1-D array: "
     "np.insert(x, 0, v)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return np.pad(x, 1, mode=\"reflect\")\n",
     "k.py:6:12: error: np.pad() in a kernel takes one integer width for every side and mode \"constant\", "
     "\"edge\" or \"wrap\": np.pad(img, 1, mode=\"edge\")"),
    ("@kernel\ndef k(X: In[f64[:, :]], w: In[f64[:]], n: int):\n    for i in range(n):\n        r = X @ w\n"
     "    return r\n",
     "k.py:7:9: error: an array made inside a loop or branch is allocated once, before the kernel runs: bind it in "
     "a `for` body, directly or in every branch of an `if` there (not under a `while`), before any use of it in "
     "that body, and use it only there; or make it at the top level and assign into it (`r[:] = ...`)"),
    ("@kernel\ndef k(x: In[f64[:]], n: int):\n    m = n\n    m = m + 1\n    return x[:m] * 2\n",
     "k.py:8:12: error: the shape of this array uses 'm', which is assigned more than once; the shape of an array "
     "made by the kernel may only use integer constants, scalar parameters, array extents (a.shape[k], len(a)), "
     "top-level locals assigned once from those, and + - * //: the caller allocates the array before the kernel "
     "runs"),
    ("@kernel\ndef k(x: InOut[f64[:]], y: In[f64[:]]):\n    x[x > 0] = y[y > 0] * 2\n",
     "k.py:6:16: error: a masked assignment in a kernel takes a scalar (`x[x < 0] = 0.0`), or a value that reads "
     "arrays of the target's shape through the target's own mask (`x[m] = x[m] ** 2 + y[m]`)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    for t in enumerate(x):\n        pass\n",
     "k.py:6:9: error: each item is a tuple of 2 here (enumerate, zip): unpack it into 2 names"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    for i, a, b in zip(x, x):\n        pass\n",
     "k.py:6:9: error: each item here holds 2 values: a kernel loop unpacks them into as many names "
     "(`for i, v in enumerate(x)`)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    for a, b in zip(x, x * 2.0):\n        pass\n",
     "k.py:6:24: error: a kernel loops over a 1-D array or slice, a tuple of numeric constants, or enumerate()/zip() "
     "of those (`for i, v in enumerate(x)`, `zip(x[1:], x[:-1])`), or over range(...)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    w = np.array([[1.0, 2.0], [3.0]])\n    return w\n",
     "k.py:6:18: error: np.array() in a kernel takes a list of numbers or a list of rows of equal length (NumPy "
     "refuses a ragged one)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    w = np.array([x[0], 1.0])\n    return w\n",
     "k.py:6:18: error: np.array() in a kernel takes 1 to 64 numeric constants (a table of weights); pass other "
     "values as an array argument"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return sum(x)\n",
     "k.py:6:12: error: sum() in a kernel adds the terms of a generator over tuples "
     "of constants or range() of constants (`sum(np.roll(Z, i, 0) for i in (-1, 1))`); for the elements of an array use np.sum(x)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return sum(v * 2 for v in x)\n",
     "k.py:6:31: error: sum() in a kernel adds the terms of a generator over tuples "
     "of constants or range() of constants (`sum(np.roll(Z, i, 0) for i in (-1, 1))`); for the elements of an array use np.sum(x)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return sum(x[i] for i in range(3) if x[i] > 0)\n",
     "k.py:6:42: error: an `if` of an unrolled sum uses only the loop names and constants (`if i != 0 or j != 0`)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    G = np.meshgrid(x, x)\n    return G[0]\n",
     "k.py:6:5: error: np.meshgrid() in a kernel makes one grid per 1-D array, unpacked into names (`X, Y = "
     "np.meshgrid(x, y)`), with indexing='xy' or 'ij' only"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return np.clip(x, lo=0.1)\n",
     "k.py:6:23: error: this call takes no keyword 'lo' here (its parameters: a, a_min, a_max)"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    return np.asarray(x[1:], dtype=np.float32)\n",
     "k.py:6:12: error: np.asarray() of a view with a dtype copies or not depending on the dtype in NumPy; write "
     "`a[1:].astype(dtype)` for a copy"),
])
def test_located_errors(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected
