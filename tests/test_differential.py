"""Differential testing: random Python expressions, compiled, must compute what Python computes.

Hypothesis draws expression trees over int64 (`a`, `b`) and float64 (`x`, `y`) values: negatives,
mixed types, `//`, `%`, `**`, `/`, bitwise operators, comparisons, conditional expressions,
`and`/`or`, `abs`, `min`/`max`. Building a module costs about a second, so each example batches
`EXPRESSIONS` expressions into one kernel (one output column each), built once for `cpu` and run
against the Python function on the same arrays. Integers must match exactly; floats within a few
ulps (every operation used is correctly rounded in both, so in practice they match bit for bit).
Values stay NumPy scalars throughout (`ONE`, `ZERO`, `e + 0.0` instead of `1`, `0`, `float(e)`):
Python's own ints and floats raise on division by zero where NumPy's give 0, inf or nan, as the
kernels do; for the same reason no subtree is made of literals only.
"""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translator.demo import import_file
from translator.targets import parse_target

EXPRESSIONS = 60
ROWS = 64
ONE, ZERO = "(a ** 0)", "(a * 0)"
"""int64 one and zero that stay NumPy scalars in the Python run."""

Expr = tuple[str, str]
"""C-free Python source of an expression and its kind, `int` or `float`."""

INT_OPS = ("+", "-", "*", "//", "%", "&", "|", "^")
FLOAT_OPS = ("+", "-", "*", "/", "//", "%")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")

_variables = st.sampled_from([("a", "int"), ("b", "int"), ("x", "float"), ("y", "float")])
_int_literals = st.integers(-9, 9).filter(bool).map(lambda v: (f"({v})", "int"))
_float_literals = st.sampled_from([0.5, -0.25, 1.5, -3.0, 2.0]).map(lambda v: (f"({v!r})", "float"))


def _combine(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    """One operator over `children`; the left operand always holds a variable."""
    right = st.one_of(children, _int_literals, _float_literals)
    binary = st.tuples(children, st.sampled_from(INT_OPS + FLOAT_OPS), right).map(_binary)
    return st.one_of(
        binary, binary, binary,  # weighted: arithmetic is what most needs checking
        st.tuples(children, st.sampled_from((0, 1, 2, 3, 4))).map(_power),
        st.tuples(children, st.sampled_from(COMPARISONS), right).map(
            lambda t: (f"({ONE} if {t[0][0]} {t[1]} {t[2][0]} else {ZERO})", "int")),
        st.tuples(children, children, st.sampled_from(COMPARISONS), children, children).map(_select),
        st.tuples(st.sampled_from(("min", "max")), children, children).map(_min_max),
        st.tuples(st.sampled_from(("and", "or")), children, children).map(_logical),
        children.map(lambda e: (f"(-{e[0]})", e[1])),
        children.map(lambda e: (f"abs({e[0]})", e[1])),
    )


def _binary(t: tuple[Expr, str, Expr]) -> Expr:
    (left, lk), op, (right, rk) = t
    if "float" not in (lk, rk) and op not in INT_OPS:
        op = "//"  # `/` of two ints is fine too, but keep integer columns integral
    if "float" in (lk, rk) and op in ("&", "|", "^"):
        op = "+"
    kind = "float" if "float" in (lk, rk) or op == "/" else "int"
    return f"({left} {op} {right})", kind


def _power(t: tuple[Expr, int]) -> Expr:
    """Integer powers up to 4; float bases only squared (exactly what `pow` gives)."""
    (base, kind), exponent = t
    return f"({base} ** {exponent if kind == 'int' else 2})", kind


def _same_kind(first: Expr, second: Expr) -> Expr:
    """`second`, converted to `first`'s kind: mixed branches would change later arithmetic."""
    if first[1] == second[1]:
        return second
    if first[1] == "float":
        return f"({second[0]} + 0.0)", "float"
    return f"({ONE} if {second[0]} > 0 else {ZERO})", "int"


def _select(t: tuple[Expr, Expr, str, Expr, Expr]) -> Expr:
    then, left, op, right, orelse = t
    orelse = _same_kind(then, orelse)
    return f"({then[0]} if {left[0]} {op} {right[0]} else {orelse[0]})", then[1]


def _min_max(t: tuple[str, Expr, Expr]) -> Expr:
    func, first, second = t
    return f"{func}({first[0]}, {_same_kind(first, second)[0]})", first[1]


def _logical(t: tuple[str, Expr, Expr]) -> Expr:
    op, first, second = t
    return f"({first[0]} {op} {_same_kind(first, second)[0]})", first[1]


_trees = st.recursive(_variables, _combine, max_leaves=14)
expressions = st.tuples(_trees, st.sampled_from(INT_OPS + FLOAT_OPS), st.one_of(_trees, _int_literals)).map(_binary)
"""Rooted at an arithmetic operator, so that even Hypothesis's simplest examples exercise one."""


def kernel_source(exprs: list[Expr]) -> str:
    """One kernel computing every expression per row, ints into `iout`, floats into `fout` (InOut:
    a batch may hold no expression of one kind, and its array then keeps the caller's zeros)."""
    lines = [
        "from translator import In, InOut, f64, i64, kernel, prange", "", "", "@kernel",
        "def exprs(ai: In[i64[:]], bi: In[i64[:]], xf: In[f64[:]], yf: In[f64[:]], iout: InOut[i64[:, :]], "
        "fout: InOut[f64[:, :]]):",
        "    for r in prange(ai.shape[0]):",
        "        a = ai[r]", "        b = bi[r]", "        x = xf[r]", "        y = yf[r]",
    ]
    for column, (text, kind) in enumerate(exprs):
        lines.append(f"        {'iout' if kind == 'int' else 'fout'}[r, {column}] = {text}")
    return "\n".join(lines) + "\n"


def _inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Small integers (zero included) and floats on a 0.25 grid (ties and zeros for // and %)."""
    ints = rng.integers(-40, 40, (2, ROWS))
    ints[:, :4] = [[0, -1, 7, -40], [0, 3, -7, 0]]
    floats = np.round(rng.uniform(-12, 12, (2, ROWS)) * 4) / 4
    floats[:, :3] = [[0.0, -0.0, 2.5], [0.0, 1.5, -0.0]]
    zeros = np.zeros((ROWS, EXPRESSIONS))
    return ints[0], ints[1], floats[0], floats[1], zeros.astype(np.int64), zeros.copy()


def _floats_match(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    both_nan = np.isnan(got) & np.isnan(want)
    with np.errstate(invalid="ignore"):
        close = np.isclose(got, want, rtol=4 * np.finfo(np.float64).eps, atol=0.0) | (got == want)
    return both_nan | close


_counter = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("differential")


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                                    HealthCheck.data_too_large,
                                                                                    HealthCheck.function_scoped_fixture])
@given(exprs=st.lists(expressions, min_size=EXPRESSIONS, max_size=EXPRESSIONS))
def test_expressions_match_python(exprs: list[Expr], workdir: Path) -> None:
    path = workdir / f"exprs_{next(_counter)}.py"
    path.write_text(kernel_source(exprs), encoding="utf-8")
    k = import_file(path).exprs
    args = _inputs(np.random.default_rng(11))
    compiled_args = tuple(a.copy() for a in args)
    k.library(parse_target("cpu")).kernels["exprs"](*compiled_args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        k.py_func(*args)
    for column, (text, kind) in enumerate(exprs):
        got, want = (compiled_args[4], args[4]) if kind == "int" else (compiled_args[5], args[5])
        ok: Callable[[np.ndarray, np.ndarray], np.ndarray] = np.equal if kind == "int" else _floats_match
        bad = ~ok(got[:, column], want[:, column])
        assert not bad.any(), (
            f"{text}: row {int(np.argmax(bad))} gives {got[np.argmax(bad), column]!r}, Python "
            f"{want[np.argmax(bad), column]!r} (a, b, x, y = {[args[i][np.argmax(bad)] for i in range(4)]})")
