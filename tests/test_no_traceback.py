"""No input gives a Python traceback from the translator (issue 11, "Done when").

Every probe of `tests/no_traceback_probes.py` (Python written as public numerical code is written,
at and past the edge of the language) either translates and then agrees with Python on seeded
random data on host-offload, or is refused with its exact located error: `file:line:col: error:`,
the source line and a caret under the column. A generated grid (NumPy functions and array methods
of issue 11 with unusual arguments: keywords, wrong counts, axis tuples, negative axes, dtype
strings, `out=`, `order=`) is drawn from with a fixed seed and must give one or the other. The
command line prints the located error with status 1, and the calls of a kernel whose parameters
take their types from the call refuse odd arguments with an exception a caller can catch.
"""

from __future__ import annotations

import importlib.util
import random
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.no_traceback_probes import ERRORS, HEAD, PROBES, Probe
from translator import TranslationError, pipeline
from translator.api import Kernel
from translator.lang import ArraySpec, DType, Owned
from translator.oracle import results_close
from translator.targets import parse_target

LOCATED = re.compile(r"(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)")

CAUGHT = (TypeError, ValueError, IndexError, OverflowError, ZeroDivisionError)
"""What a refused call may raise: what Python's function raises for such arguments."""


def _located(error: TranslationError, path: Path, source: str) -> str:
    """The message from its line on, after checking the report's form: `path:line:col: error: ...`,
    then the source line, then a caret under the column."""
    head, *rest = str(error).split("\n")
    found = LOCATED.fullmatch(head)
    assert found is not None and found["path"] == str(path), str(error)
    line, col = int(found["line"]), int(found["col"])
    assert rest == [source.splitlines()[line - 1], " " * (col - 1) + "^"], str(error)
    return head[len(str(path)) + 1:]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"probe_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _argument(annotation: Any, rng: np.random.Generator) -> Any:
    """Random data for a parameter's annotation: arrays of 5 (by 5) in [-0.5, 0.5) (complex ones with an
    imaginary part too), `n` = 3, other numbers 1.5."""
    spec = annotation.spec if isinstance(annotation, Owned) else annotation
    if isinstance(spec, ArraySpec):
        values = rng.random((5,) * spec.rank) - 0.5
        if np.dtype(spec.dtype.numpy_type).kind == "c":
            values = values + 1j * (rng.random((5,) * spec.rank) - 0.5)
        return values.astype(spec.dtype.numpy_type)
    if isinstance(spec, DType) and spec.name == "i64":
        return 3
    return 1.5


def _agrees(k: Kernel, rng: np.random.Generator) -> None:
    """The compiled kernel and its Python function on copies of the same arguments: the same
    arrays written and value returned, or the same kind of exception."""
    annotations = k.py_func.__annotations__
    names = k.py_func.__code__.co_varnames[:k.py_func.__code__.co_argcount]
    args = tuple(_argument(annotations[name], rng) for name in names)
    expected_args, actual_args = (tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args) for _ in "ab")
    compiled = k.library(parse_target("host-offload")).kernels["k"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # Python's own 1 / 0.0 and overflow
            expected = k.py_func(*expected_args)
    except CAUGHT as exc:
        with pytest.raises(type(exc)):
            compiled(*actual_args)
        return
    actual = compiled(*actual_args)
    floats = [a.dtype for a in args if isinstance(a, np.ndarray)]
    assert results_close(actual, expected, floats), (actual, expected)
    for got, want in zip(actual_args, expected_args):
        assert results_close(got, want, floats), (got, want)


@pytest.mark.parametrize("probe", [pytest.param(p, id=p.name) for p in PROBES])
def test_probe_translates_and_agrees_or_is_located(tmp_path: Path, probe: Probe) -> None:
    path = tmp_path / f"{probe.name}.py"
    path.write_text(probe.source, encoding="utf-8")
    if probe.name in ERRORS:
        with pytest.raises(TranslationError) as info:
            pipeline.translate(str(path), "host-offload")
        assert _located(info.value, path, probe.source) == ERRORS[probe.name]
        return
    pipeline.translate(str(path), "host-offload")
    _agrees(_load(path).k, np.random.default_rng(11))


def test_every_refusal_names_a_probe() -> None:
    assert set(ERRORS) <= {p.name for p in PROBES}
    assert len(PROBES) >= 150


FUNCTIONS = ("sum mean max min prod std var argmax argmin any all cumsum cumprod average linspace arange tile repeat "
             "outer where clip maximum minimum fmax fmin absolute power hypot arctan2 transpose reshape concatenate "
             "stack hstack vstack vdot inner matmul einsum roll diff isnan isfinite histogram linalg.norm "
             "linalg.solve linalg.inv empty_like zeros_like ones_like full_like zeros asarray angle nonzero sort dot "
             "flip round real imag conj median").split()
METHODS = ("sum mean max min prod std var argmax argmin any all cumsum reshape ravel flatten copy astype transpose "
           "real imag conj dot clip round").split()
ARGUMENTS = ("x", "x, x", "x, x, x", "", "x, axis=-1", "x, axis=(0, 1)", "x, axis=2", "x, dtype='float32'",
             "x, dtype=np.float32", "x, out=x", "x, order='F'", "(x, x)", "[x, x]", "x, 2", "x, -1", "x, 2.5", "x, n",
             "x > 0.5", "x, x > 0.5", "x, 0.0, 1.0", "x, None", "0.0, 1.0, n", "x, bins=n", "'ij,jk->ik', x, x",
             "x, axes=(1, 0)", "x, (2, 2)", "(n, n)", "x.shape", "x, 1j", "x[0]", "x, True", "x, keepdims=True",
             "x, ddof=1", "x, weights=x", "x, 'a'", "x, x, axis=0", "x, bogus=1")


def _grid() -> list[str]:
    """Kernel sources: each function and method with each argument list, of a 2-D and a 1-D array."""
    sources = []
    for annotation in ("f64[:, :]", "f64[:]"):
        head = f"{HEAD}@kernel\ndef k(x: In[{annotation}], n: i64):\n    return "
        sources += [f"{head}np.{f}({a})\n" for f in FUNCTIONS for a in ARGUMENTS]
        sources += [f"{head}x.{m}({a.removeprefix('x').removeprefix(', ')})\n" for m in METHODS for a in ARGUMENTS]
    return sources


GRID = random.Random(2026).sample(_grid(), 300)


@pytest.mark.parametrize("source", GRID, ids=[f"grid{k}" for k in range(len(GRID))])
def test_generated_call_translates_or_is_located(tmp_path: Path, source: str) -> None:
    path = tmp_path / "grid.py"
    path.write_text(source, encoding="utf-8")
    try:
        pipeline.translate(str(path), "host-offload")
    except TranslationError as exc:
        _located(exc, path, source)


CLI = ("lambda_recursive", "reshape_complex", "transpose_method_keyword", "yield", "median")


@pytest.mark.parametrize("name", CLI)
@pytest.mark.parametrize("command", [["build", "--target", "cpu"], ["explain", "--target", "host-offload"]],
                         ids=["build", "explain"])
def test_command_line_prints_the_located_error(tmp_path: Path, name: str, command: list[str]) -> None:
    probe = next(p for p in PROBES if p.name == name)
    path = tmp_path / f"{name}.py"
    path.write_text(probe.source, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "translator", command[0], str(path), *command[1:], "-o",
                             str(tmp_path)] if command[0] == "build" else
                            [sys.executable, "-m", "translator", command[0], str(path), *command[1:]],
                            capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 1, result.stderr
    line = probe.source.splitlines()[int(ERRORS[name].split(":")[0]) - 1]
    col = int(ERRORS[name].split(":")[1])
    assert result.stderr == f"{path}:{ERRORS[name]}\n{line}\n{' ' * (col - 1)}^\n"


UNTYPED = HEAD + ("@kernel\ndef scaled(x, s):\n    return x * s\n\n"
                  "@kernel\ndef first_column(A):\n    t = 0.0\n    for i in range(A.shape[0]):\n        t += A[i, 0]\n"
                  "    return t\n")


def test_calls_that_type_parameters_refuse_odd_arguments(tmp_path: Path) -> None:
    """Parameters without annotations take their types from the call: an argument no kernel takes is
    an exception that names the parameter, an array of the wrong rank the located error of the
    kernel's indexing; nothing else escapes (`GenericKernel`)."""
    path = tmp_path / "untyped.py"
    path.write_text(UNTYPED, encoding="utf-8")
    module = _load(path)
    x = np.random.default_rng(5).random(6)
    odd = [(x, "a"), (x, None), (x.astype(np.float16), 2.0), (np.zeros((1,) * 8), 2.0), ([1.0, 2.0], 2.0),
           (np.array([1.0, None]), 2.0), (x, 2 ** 70), (np.ones((3, 2))[:, 0], 2.0)]
    for args in odd:
        with pytest.raises((TypeError, ValueError, OverflowError)):
            module.scaled(*args)
    assert np.array_equal(module.scaled(x, 2.0), x * 2.0)
    with pytest.raises(TranslationError) as info:
        module.first_column(x)
    assert str(info.value).startswith(f"{path}:12:14: error: array 'A' has 1 dimension but is indexed with 2")
