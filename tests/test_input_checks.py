"""Checks of a kernel's inputs (docs/language.md, "Checks of the inputs"): `assert` and `if ...:
raise` at the top of a kernel, evaluated by the caller before the call. On host-offload each call
of `tests/kernels/input_checks.py` raises what the Python function raises (the same exception, the
same text for the checks; the runtime's own words for NumPy's length and index errors), and where
several checks fail, the one first in the source; passing calls match Python's results. The
refused forms give located errors; the header lists the checks for C callers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from runtime_shim.checks import CheckSpec, InputChecks, value_json
from tests.conftest import ROOT
from tests.corpus import ewma, jacobi_solve
from tests.kernels import input_checks
from translator import TranslationError
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.targets import parse_target

TARGET = parse_target("host-offload")
GOLDEN = ROOT / "tests" / "golden"


def _outcome(f: object, args: tuple[object, ...]) -> tuple[str, str] | None:
    try:
        f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])  # type: ignore[operator]
    except Exception as error:  # noqa: BLE001  # the outcome is what is compared
        return type(error).__name__, str(error)
    return None


@pytest.mark.parametrize("name", list(input_checks.CALLS))
def test_checks_raise_as_python(name: str) -> None:
    """Every call: the compiled kernel raises Python's exception (the check's own text exactly; a
    length or index error of NumPy in the runtime's words) or matches Python's results."""
    k, calls = input_checks.CALLS[name]
    compiled = k.library(TARGET).kernels[name]  # type: ignore[attr-defined]
    for n, make in enumerate(calls):
        args = make(np.random.default_rng(40 + n))
        expected = _outcome(k.py_func, args)  # type: ignore[attr-defined]
        if expected is None:
            result = compare_with_python(k, args, TARGET, repeats=1)  # type: ignore[arg-type]
            assert result.ok, (n, result.mismatches)
            continue
        got = _outcome(compiled, args)
        assert got is not None and got[0] == expected[0], (n, got, expected)
        if not got[1].startswith(f"{name}(): "):  # a check of the inputs: Python's text
            assert got[1] == expected[1], (n, got, expected)


CORPUS_CALLS = [
    (jacobi_solve.jacobi_solve, lambda rng: (rng.random((6, 5)), rng.random(6), rng.random(6))),
    (jacobi_solve.jacobi_solve, lambda rng: (rng.random((6, 6)), rng.random(6), rng.random(5))),
    (jacobi_solve.jacobi_solve, lambda rng: (rng.random((6, 6)), rng.random(6), rng.random(6), 0)),
    (ewma.ewma, lambda rng: (rng.random(10), 1.5)),
    (ewma.ewma, lambda rng: (rng.random(10), 0)),
    (ewma.ewma, lambda rng: (np.zeros(0), 0.5)),
]


@pytest.mark.parametrize("k, make", CORPUS_CALLS)
def test_corpus_checks_raise_as_python(k: object, make: object) -> None:
    """The corpus kernels that start with checks (generic: typed by the call) raise Python's text."""
    args = make(np.random.default_rng(8))  # type: ignore[operator]
    expected = _outcome(k.py_func, args)  # type: ignore[attr-defined]
    assert expected is not None and expected[0] == "ValueError"
    assert _outcome(k.specialization(*args, target=TARGET), args) == expected  # type: ignore[attr-defined]


def test_checks_and_numpy_errors_in_source_order() -> None:
    """Where a check and a length check (or an access's precondition) both fail, the first in the
    source raises: NumPy's broadcast error before a later assert, an assert before a later
    broadcast, a raise before the loop whose accesses it guards, a loop's IndexError before a
    later assert."""
    rng = np.random.default_rng(5)
    a, b, y = rng.random(6), rng.random(5), rng.random(6)
    library = input_checks.check_after_statement.library(TARGET)
    with pytest.raises(ValueError, match="NumPy raises here: operands could not be broadcast together"):
        library.kernels["check_after_statement"](a, b, 0, y)
    library = input_checks.check_before_statement.library(TARGET)
    with pytest.raises(AssertionError, match="^n must be positive$"):
        library.kernels["check_before_statement"](a, b, 0, y)
    library = input_checks.check_before_loop.library(TARGET)
    with pytest.raises(IndexError, match=r"^n=9 is past the end of x \(length 6\)$"):
        library.kernels["check_before_loop"](a, 9, y)
    library = input_checks.loop_before_check.library(TARGET)
    with pytest.raises(IndexError, match="index out of range"):
        library.kernels["loop_before_check"](a, b)


def test_checked_kernels_keep_the_fast_path() -> None:
    """A kernel with checks still takes the fast path for plain arguments; a failing check on
    the same kind of arguments leaves it for the checked path, which raises."""
    compiled = input_checks.blocked_sum.library(TARGET).kernels["blocked_sum"]
    rng = np.random.default_rng(9)
    x, out = rng.random(12), np.zeros(4)
    assert compiled.fast is not None
    assert compiled.fast.arguments((x, 3, out)) is not None
    assert compiled.fast.arguments((x, 5, out)) is None
    assert compiled.fast.arguments((x, 0, out)) is None
    with pytest.raises(ValueError, match=r"^len\(x\)=12 is not a multiple of block=5$"):
        compiled(x, 5, out)
    compiled(x, 3, out)
    assert np.allclose(out, x.reshape(4, 3).sum(axis=1))


def test_assert_without_message_and_errors_while_checking() -> None:
    """`assert cond` raises AssertionError with no text; `%` by zero in a condition raises
    ZeroDivisionError as Python does there."""
    rng = np.random.default_rng(3)
    compiled = input_checks.same_shape_axpy.library(TARGET).kernels["same_shape_axpy"]
    with pytest.raises(AssertionError) as info:
        compiled(2.0, rng.random((3, 4)), rng.random((4, 3)))
    assert info.value.args == ()
    blocked = input_checks.blocked_sum.library(TARGET).kernels["blocked_sum"]
    with pytest.raises(ValueError, match="^block must be positive$"):
        blocked(rng.random(12), 0, np.zeros(4))


def test_manifest_and_header_state_the_checks() -> None:
    """The manifest's `checks` (line, exception, condition, message parts) and the header's
    comment for C callers, in the C parameters' names."""
    emitted = translate(input_checks.__file__, "host-offload")
    kernels = {k["name"]: k for k in json.loads(json.dumps(emitted.manifest))["kernels"]}
    checks = kernels["scaled_matvec"]["checks"]
    assert [(c["error"], c["message"] is None) for c in checks] == [
        ("ValueError", False), ("ValueError", False), ("AssertionError", False)]  # `A.ndim == 2` always holds
    assert checks[0]["fails"] == {"op": "!=", "args": [{"extent": ["A", 1]}, {"extent": ["x", 0]}]}
    line = input_checks.scaled_matvec.py_func.__code__.co_firstlineno
    assert (f" *   checks of the inputs (else Python raises): ValueError when A_n1 != x_n0 (line {line + 3})\n"
            f" *     ValueError when not (0 <= alpha and alpha <= 1) (line {line + 5})\n"
            f" *     AssertionError when not A_n0 == y_n0 (line {line + 8})\n") in emitted.h_source


def test_golden_c_of_a_checked_kernel(update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The C of a kernel with checks is the C of the same kernel without them; its header lists them."""
    monkeypatch.chdir(ROOT)
    emitted = translate("tests/kernels/checked_gemv.py", "nvptx:sm_90")
    for suffix, text in ((".c", emitted.c_source), (".h", emitted.h_source)):
        golden = GOLDEN / f"checked_gemv{suffix}"
        if update_golden:
            golden.write_text(text)
        assert golden.read_text() == text, f"{golden} differs; rerun with --update-golden if intended"
    assert "assert" not in emitted.c_source and "not aligned" not in emitted.c_source


HEADER = "import numpy as np\nfrom translator import In, Out, f64, i64, kernel, prange\n\n@kernel\n"
REFUSED = [
    ("def k(x: In[f64[:]], y: Out[f64[:]]):\n    assert np.all(x >= 0), 'x must be non-negative'\n    y[:] = x\n",
     "6:12: error: this check reads the values of an array; a check of the inputs may read only scalar parameters, "
     "array shapes (`A.shape[0]`, `A.shape`, `len(x)`, `x.ndim`, `x.size`), constants and locals bound once to "
     "those; check array values before calling the kernel"),
    ("def k(x: In[f64[:, :]]):\n    return softmax(x)\n\ndef softmax(x):\n    assert x.shape[1] > 0, 'no columns'\n"
     "    e = np.exp(x - np.max(x, axis=-1, keepdims=True))\n    return e / np.sum(e, axis=-1, keepdims=True)\n",
     "9:5: error: `assert` is checked by the caller before the kernel runs, so it must be at the kernel's top level "
     "(not in a loop, a branch or a helper function); move it to the top of the kernel"),
    ("def k(x: In[f64[:]], y: Out[f64[:]]):\n    for i in range(len(x)):\n        assert x[i] >= 0\n        y[i] = x[i]\n",
     "7:9: error: `assert` is checked by the caller before the kernel runs, so it must be at the kernel's top level "
     "(not in a loop, a branch or a helper function); move it to the top of the kernel"),
    ("def k(n: i64, y: Out[f64[:]]):\n    m = n\n    m += 1\n    assert m > 1\n    y[:] = 1.0\n",
     "8:12: error: this check reads 'm', a value the kernel computes; a check of the inputs may read only scalar "
     "parameters, array shapes (`A.shape[0]`, `A.shape`, `len(x)`, `x.ndim`, `x.size`), constants and locals bound "
     "once to those; check array values before calling the kernel"),
    ("def k(n: i64, y: Out[f64[:]]):\n    assert n > 0, 'n is ' + str(n)\n    y[:] = 1.0\n",
     "6:19: error: a check's message must be a string or an f-string of scalar parameters and shapes "
     "(`f\"shapes {A.shape} and {x.shape} differ\"`)"),
    ("def k(n: i64, y: Out[f64[:]]):\n    if n > 0:\n        y[:] = 1.0\n    else:\n        raise ValueError('n')\n",
     "9:9: error: `raise` is supported only as a check of the inputs at the kernel's top level, alone in its "
     "branch: `if n <= 0: raise ValueError(\"n must be positive\")`"),
    ("def k(n: i64, y: Out[f64[:]]):\n    if n <= 0:\n        raise KeyError('n')\n    y[:] = 1.0\n",
     "7:15: error: a check raises one of the builtin exceptions AssertionError, ValueError, TypeError, IndexError, "
     "RuntimeError"),
    ("def k(n: i64, y: Out[f64[:]]):\n    assert n > 0, f'{n=}'\n    y[:] = 1.0\n",
     "6:21: error: `{x=}` is not supported in a check's message; write `x={x}`"),
    ("def k(idx: In[i64[:]], x: In[f64[:]], y: Out[f64[:]]):\n    for i in prange(len(idx)):\n"
     "        y[i] = x[idx[i]]\n    assert len(x) > 0, 'x is empty'\n",
     "8:5: error: this check of the inputs is made by the caller before the kernel runs, but the statement at line 6 "
     "before it has a check only the running kernel can make (Python would raise that one first); move this check "
     "before line 6"),
]


@pytest.mark.parametrize("body, error", REFUSED)
def test_refused_checks(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate("k.py", "host-offload", HEADER + body)
    assert str(info.value).splitlines()[0] == "k.py:" + error


def test_check_values_compile_as_python() -> None:
    """The runtime's reading of manifest `checks`: an infinite constant (JSON's Infinity), a whole
    shape in a message with a format spec, keywords (the checked path); a malformed value is refused."""
    checks = [CheckSpec(3, 5, "ValueError", value_json("not", value_json("<", {"param": "tol"}, float("inf"))),
                        ("tol is ", {"value": {"param": "tol"}, "spec": ">6", "conversion": "r"})),
              CheckSpec(4, 5, "AssertionError", value_json("!=", {"tuple": [{"extent": ["x", 0]}]}, {"tuple": [3]}),
                        None)]
    inputs = InputChecks("k", checks, {"tol": 0, "x": 1}, lambda a: a.shape, {"tol": 0, "x": 1})  # type: ignore[attr-defined]
    failed = inputs.failure([float("nan"), np.zeros(3)])
    assert failed is not None and failed[0] == 3 and str(failed[1]) == "tol is    nan"
    failed = inputs.failure([1.0, np.zeros(4)])
    assert failed is not None and failed[0] == 4 and type(failed[1]) is AssertionError and failed[1].args == ()
    assert inputs.failure([1.0, np.zeros(3)]) is None
    with pytest.raises(ValueError, match="malformed check value in manifest"):
        InputChecks("k", [CheckSpec(1, 1, "ValueError", {"op": "import", "args": []}, None)], {}, len, {})  # type: ignore[arg-type]
    compiled = input_checks.blocked_sum.library(TARGET).kernels["blocked_sum"]
    with pytest.raises(ValueError, match="^block must be positive$"):
        compiled(x=np.ones(12), block=0, out=np.zeros(4))
