"""Functions that return a pair (`frontend.tuple_calls`): each kernel of `tests/kernels/pairs.py`
compiled and run against its Python function on seeded random data, the signs of zeros and the
dtypes of the parts exactly as Python and NumPy give them, and the located errors of misuse."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.kernels import pairs
from tests.located import translation_error
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = "import math\nimport numpy as np\nfrom translator import kernel, prange, In, Out, f64, i64\n\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in pairs.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(19)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def _same_bits(got: np.ndarray, expected: np.ndarray) -> None:
    """Equal values, NaN where NaN, and the same sign of every zero."""
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_parts_of_special_values_as_python() -> None:
    """`math.modf(-0.0)` is `(-0.0, -0.0)`, `math.modf(-inf)` `(-0.0, -inf)`, `math.frexp(inf)`
    `(inf, 0)`, a subnormal's exponent is below -1021; `divmod(6.0, -3.0)` is `(-2.0, -0.0)`."""
    x = pairs.CASES[pairs.scalar_parts](np.random.default_rng(4))[0]
    outputs = [np.zeros_like(x), np.zeros_like(x), np.zeros_like(x), np.zeros(x.shape, np.int64)]
    pairs.scalar_parts(x, *outputs)
    modf = [math.modf(v) for v in x]
    frexp = [math.frexp(v) if math.isfinite(v) else (v, 0) for v in x]
    for got, expected in zip(outputs, [*zip(*modf), *zip(*frexp)]):
        _same_bits(got, np.array(expected, got.dtype))
    theta, period = np.array([6.0, -6.0, 7.5, -0.0]), np.array([-3.0, 3.0, -2.5, 2.0])
    turns, angle = np.zeros(4), np.zeros(4)
    pairs.wrapped_angles(theta, period, turns, angle)
    expected_turns, expected_angle = zip(*(divmod(a, b) for a, b in zip(theta, period)))
    _same_bits(turns, np.array(expected_turns))
    _same_bits(angle, np.array(expected_angle))


def test_numpy_parts_keep_numpy_dtypes() -> None:
    """`np.frexp` of float32 gives float32 mantissas and int32 exponents, of int64 `np.modf` float64."""
    args = pairs.CASES[pairs.array_parts](np.random.default_rng(6))
    with np.errstate(all="ignore"):
        expected = pairs.array_parts.py_func(*args)
    got = pairs.array_parts(*args)
    assert [g.dtype for g in got] == [np.float32, np.float32, np.float32, np.int32, np.float64, np.int32,
                                      np.float64, np.float64]
    for g, e in zip(got, expected):
        _same_bits(g, e)


@pytest.mark.parametrize("body, expected", [
    ("@kernel\ndef k(x: In[f64[:]]):\n    f, w = math.modf(x)\n    return f, w\n",
     "k.py:7:22: error: math.modf() takes a number (Python raises TypeError for an array); use np.modf() for arrays"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    for i in prange(1):\n        y[i], y[i + 1] = "
     "divmod(x[i])\n",
     "k.py:8:26: error: divmod() takes 2 positional arguments"),
    ("@kernel\ndef k(x: In[f64[:]]):\n    m, e = np.frexp(x, x)\n    return m, e\n",
     "k.py:7:12: error: np.frexp() takes 1 positional argument"),
])
def test_located_errors(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected
