"""The `<kernel>_check` functions: C and Fortran callers make the checks Python makes before a call.

A library exports, beside each kernel whose Python call checks its arguments first, a function of
the same parameters (the status array aside) that makes those checks in Python's order and returns
the message of the first that fails, or NULL (docs/embedding.md, translator/backend/checks.py).
A C program built against a host-offload library calls them for the seeded calls of
`tests/kernels/input_checks.py` (passing ones and ones breaking one check or several) and for
`checked_gemv`'s wrong lengths; each answer must name the exception and the line Python raises at,
and a Fortran program reads one message through the module's `py2omp_check_message`.
"""

from __future__ import annotations

import ast
import json
import re
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.kernels import input_checks
from tests.test_embedding import needs, run
from translator.cli import main
from translator.errors import TranslationError
from translator.pipeline import translate

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "tests" / "kernels"
MESSAGE = re.compile(r"^(\w+)(?::| when) .*\(\w*,? ?line (\d+)\)$")

EXTRA_CALLS: list[tuple[str, Callable[[np.random.Generator], tuple[object, ...]]]] = [
    # x too short (line 17), alpha out of range (line 19), y too long (line 22): Python raises line 17's
    ("scaled_matvec", lambda rng: (1.5, rng.random((6, 5)), rng.random(4), rng.random(7))),
    # alpha out of range (line 19) and y too long (line 22): line 19's
    ("scaled_matvec", lambda rng: (2.0, rng.random((6, 5)), rng.random(5), rng.random(7))),
    # lengths of `a + b` (line 53) before `n > 0` (line 54)
    ("check_after_statement", lambda rng: (rng.random(6), rng.random(4), -1, rng.random(6))),
    # `n > 0` (line 60) before the lengths of `a + b` (line 61)
    ("check_before_statement", lambda rng: (rng.random(6), rng.random(4), -1, rng.random(6))),
    ("blocked_sum", lambda rng: (rng.random(12), 5, rng.random(2))),
]
"""Calls breaking several checks at once, beside `input_checks.CALLS`."""


def _calls() -> list[tuple[str, tuple[object, ...]]]:
    """Every call the C program makes: each kernel's seeded calls, then `EXTRA_CALLS`."""
    calls = [(name, make(np.random.default_rng(40 + n)))
             for name, (_, makers) in input_checks.CALLS.items() if name != "made_after_check"  # a hidden array
             for n, make in enumerate(makers)]
    return calls + [(name, make(np.random.default_rng(90 + n))) for n, (name, make) in enumerate(EXTRA_CALLS)]


def _python_raises(name: str, args: tuple[object, ...]) -> tuple[str, int] | None:
    """The exception the Python function raises for `args` and the kernel line it raises at."""
    try:
        input_checks.CALLS[name][0].py_func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])  # type: ignore[attr-defined]
    except Exception as error:  # noqa: BLE001  # the outcome is what is compared
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith("input_checks.py")]
        assert frames and frames[-1].lineno is not None
        return type(error).__name__, RAISED_BY.get(frames[-1].lineno, frames[-1].lineno)
    return None


RAISED_BY = {node.body[0].lineno: node.lineno
             for node in ast.walk(ast.parse((KERNELS / "input_checks.py").read_text(encoding="utf-8")))
             if isinstance(node, ast.If) and isinstance(node.body[0], ast.Raise)}
"""The line of a `raise` -> the line of its `if` (or `elif`), where the header and the check put it."""


def _c_arguments(params: list[dict[str, object]], args: tuple[object, ...]) -> str:
    """The C arguments of a call: any buffer for an array (the check reads none), its extents, the scalars."""
    out: list[str] = []
    for param, value in zip(params, args, strict=True):
        if param["kind"] == "array":
            assert isinstance(value, np.ndarray)
            out += ["buffer", *(str(n) for n in value.shape)]
        else:
            out.append(repr(float(value)) if isinstance(value, float) else str(int(value)))  # type: ignore[call-overload]
    return ", ".join(out)


def _c_program(manifest: dict[str, object], calls: list[tuple[str, tuple[object, ...]]]) -> str:
    params = {k["name"]: [p for p in k["params"] if p["name"] != "py2omp_failed"]  # type: ignore[attr-defined, index]
              for k in manifest["kernels"]}  # type: ignore[index]
    lines = [f'    say({name}_check({_c_arguments(params[name], args)}));' for name, args in calls]
    return "\n".join([
        "#include <stdio.h>", '#include "input_checks.h"', "static double buffer[1];",
        "static void say(const char *message) { puts(message ? message : \"NULL\"); }",
        "int main(void)", "{", *lines, "    return 0;", "}", ""])


def test_c_checks_raise_what_python_raises_first(tmp_path: Path) -> None:
    """Each call's check answer names the exception Python raises and its line (NULL where Python
    runs), the earlier check where a call breaks several; the texts are the header's."""
    needs()
    out = tmp_path / "lib"
    assert main(["build", str(KERNELS / "input_checks.py"), "--target", "host-offload", "-o", str(out)]) == 0
    manifest = json.loads((out / "input_checks.json").read_text(encoding="utf-8"))
    calls = _calls()
    (tmp_path / "main.c").write_text(_c_program(manifest, calls), encoding="utf-8")
    run(["clang-19", "-std=c99", "-pedantic", "-Wall", "-Werror", str(tmp_path / "main.c"), f"-I{out}",
         str(out / "input_checks.so"), f"-Wl,-rpath,{out}", "-o", str(tmp_path / "checks")])
    answers = run([str(tmp_path / "checks")]).stdout.splitlines()
    assert len(answers) == len(calls)
    header = (out / "input_checks.h").read_text(encoding="utf-8")
    for (name, args), answer in zip(calls, answers, strict=True):
        expected = _python_raises(name, args)
        if expected is None:
            assert answer == "NULL", (name, answer)
            continue
        match = MESSAGE.match(answer)
        assert match is not None and (match[1], int(match[2])) == expected, (name, answer, expected)
        assert answer.removeprefix("IndexError: ") in header
    assert answers[-5:] == [
        "ValueError when A_n1 != x_n0 (line 17)",
        "ValueError when not (0 <= alpha and alpha <= 1) (line 19)",
        "ValueError when b_n0 != y_n0 (line 53)",
        "AssertionError when not n > 0 (line 60)",
        "ValueError when x_n0 % block != 0 (line 34)",
    ]


FORTRAN = """\
program checks
  use, intrinsic :: iso_c_binding, only: c_associated, c_double, c_int64_t, c_ptr
  use py2omp_checked_gemv, only: checked_gemv, checked_gemv_check, py2omp_check_message
  implicit none
  real(c_double) :: a(5, 6), x(5), y(7)
  type(c_ptr) :: failed

  call random_number(a)
  call random_number(x)
  failed = checked_gemv_check(2.0_c_double, a, 6_c_int64_t, 5_c_int64_t, x, 5_c_int64_t, y, 7_c_int64_t)
  print '(a)', py2omp_check_message(failed)
  failed = checked_gemv_check(2.0_c_double, a, 6_c_int64_t, 5_c_int64_t, x, 5_c_int64_t, y, 6_c_int64_t)
  if (.not. c_associated(failed)) then
    call checked_gemv(2.0_c_double, a, 6_c_int64_t, 5_c_int64_t, x, 5_c_int64_t, y, 6_c_int64_t)
    print '(a, l1)', 'called: ', maxval(abs(y(1:6) - 2 * matmul(x, a))) < 1e-12
  end if
end program checks
"""


def test_fortran_caller_reads_a_check_message(tmp_path: Path) -> None:
    """A Fortran program gets `checked_gemv`'s assert message for a `y` one row too long, and calls the
    kernel once its check passes (c_null_ptr), with the right product."""
    needs("gfortran")
    out = tmp_path / "lib"
    assert main(["build", str(KERNELS / "checked_gemv.py"), "--target", "host-offload", "--emit", "f90",
                 "-o", str(out)]) == 0
    (tmp_path / "main.f90").write_text(FORTRAN, encoding="utf-8")
    run(["gfortran", "-std=f2008", "-Wall", "-Werror", "-J", str(tmp_path), str(out / "checked_gemv.f90"),
         str(tmp_path / "main.f90"), str(out / "checked_gemv.so"), f"-Wl,-rpath,{out}", "-o", str(tmp_path / "checks")],
        cwd=tmp_path)
    assert run([str(tmp_path / "checks")]).stdout == (
        "AssertionError when not y_n0 == A_n0 (line 12)\ncalled: T\n")


CLASH = """\
from translator import In, Out, f64, kernel, prange


@kernel
def scale(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(len(x)):
        y[i] = 2.0 * x[i]


@kernel
def scale_check(x: In[f64[:]], y: Out[f64[:]]):
    for i in prange(len(x)):
        y[i] = 3.0 * x[i]
"""


def test_a_kernel_named_like_a_check_function_is_a_located_error(tmp_path: Path) -> None:
    source = tmp_path / "clash.py"
    source.write_text(CLASH, encoding="utf-8")
    with pytest.raises(TranslationError) as raised:
        translate(str(source), "host-offload")
    assert str(raised.value) == (
        f"{source}:5:5: error: the library exports 'scale_check', the checks of 'scale' (docs/embedding.md), "
        "and kernel 'scale_check' has that name too; rename 'scale_check'\n"
        "def scale(x: In[f64[:]], y: Out[f64[:]]):\n"
        "    ^")


def test_each_kind_of_check_is_in_source_order() -> None:
    """`backend.checks` merges the three kinds of checks by line, which gives the check Python raises
    only where each kind is in source order in the IR: so it is for every kernel the tests translate."""
    from translator.pipeline import lower
    for path in sorted([*KERNELS.glob("*.py"), *(ROOT / "examples").glob("*.py")]):
        try:
            module = lower(str(path), "host-offload")
        except TranslationError:  # files of refused forms
            continue
        for k in module.kernels:
            for lines in ([c.span.line for c in k.input_checks], [c.span.line for c in k.length_checks if c.array]):
                assert lines == sorted(lines), (path.name, k.name, lines)
