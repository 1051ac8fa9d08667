"""Typing runs once, over scalars and arrays (docs/design.md, "Tiers and typing"): the arrays the
frontend makes carry `ir.ArrayLike` until typing decides their dtype, and the checks that depend
on a dtype are typing's. Kernels of `tests/kernels/typing_once.py` run compiled and as plain Python
on the same random data; the dtypes of what they return and the exact error texts are checked.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.kernels import typing_once
from tests.located import translation_error
from translator import frontend
from translator.ir import nodes as ir
from translator.oracle import compare_with_python
from translator.pipeline import lower
from translator.targets import parse_target

HEADER = "import numpy as np\nfrom translator import *\n\n\n"


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in typing_once.CASES.items()])
def test_matches_python(k, make_args) -> None:  # type: ignore[no-untyped-def]
    result = compare_with_python(k, make_args(np.random.default_rng(5)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("k, dtypes", [
    (typing_once.follows_made_dtypes, ["float32", "float32", "float32"]),
    (typing_once.kept_where_positive, ["bool", "bool", "float32", "int64"]),
    (typing_once.stepped_levels, ["int64", "int64"]),
    (typing_once.scaled_by_peak, ["float32"]),
    (typing_once.zeroed_where_missing, ["bool", "float64", "float64", "float64"]),
])
def test_results_have_numpys_dtypes(k, dtypes: list[str]) -> None:  # type: ignore[no-untyped-def]
    args = typing_once.CASES[k](np.random.default_rng(6))
    compiled = k.library(parse_target("host-offload")).kernels[k.__name__]
    results = compiled(*args)
    results = results if isinstance(results, tuple) else (results,)
    expected = k.py_func(*args)
    expected = expected if isinstance(expected, tuple) else (expected,)
    assert [np.asarray(r).dtype.name for r in results] == [np.asarray(e).dtype.name for e in expected] == dtypes


def test_the_frontend_leaves_made_arrays_dtypes_to_typing(tmp_path: Path) -> None:
    """Before typing, `c = a * s` has an `ArrayLike` type (its value's element); after, float32 (a Python
    float is weak)."""
    path = tmp_path / "k.py"
    path.write_text(HEADER + "@kernel\ndef k(a: In[f32[:]], s: float):\n    c = a * s\n    return c\n")
    (untyped,) = frontend.parse_module(str(path)).kernels
    made = untyped.param("c")
    assert made is not None and isinstance(made.type, ir.ArrayLike) and made.type.rank == 1
    assert isinstance(made.type.like, ir.Binary) and made.type.like.type is None
    (typed,) = lower(str(path), "host-offload").kernels
    assert str(typed.param("c").type) == "f32[:]"  # type: ignore[union-attr]


@pytest.mark.parametrize("body, expected", [
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    u = x.copy()\n    v = x > 0\n    for i in range(n):\n"
     "        u, v = v, u\n    return u\n",
     "k.py:10:16: error: 'u' is bound again in a loop or branch to a 1-D array of bool, and held a 1-D array of f64; "
     "a kernel keeps one array per name there: bind this one under a name of its own"),
    ("@kernel\ndef k(x: In[f64[:]], n: i64):\n    y = np.zeros_like(x)\n    for i in range(n):\n"
     "        y = np.outer(x, x)\n    return y\n",
     "k.py:9:13: error: 'y' is bound again in a loop or branch to a 2-D array, and held a 1-D array; a kernel keeps "
     "one array per name there: bind this one under a name of its own"),
    ("@kernel\ndef k(z: In[c128[:]]):\n    counts, edges = np.histogram(z, bins=4)\n    return counts, edges\n",
     "k.py:7:21: error: np.histogram() of complex numbers is not supported"),
    ("@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]]):\n    y[:] = np.roll(x, 1) * np.arange(0.0, x.shape[0])\n",
     "k.py:7:28: error: np.arange() in a kernel takes integers (its length is then exact); for evenly spaced floats "
     "use np.linspace, as NumPy advises"),
])
def test_dtype_checks_are_typings(tmp_path: Path, body: str, expected: str) -> None:
    assert translation_error(tmp_path, HEADER, body).splitlines()[0] == expected
