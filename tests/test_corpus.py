"""The corpus of issue 11: kernels written the way public numerical Python code is written
(`tests/corpus/`, one module per kernel), each compiled for `host-offload` and compared with its
Python function on seeded random data.

What the translator cannot take yet is listed, with its first error, in `KNOWN_FAILURES`: those
are strict expected failures, so a kernel that starts to work fails the run until its entry is
removed (and docs/corpus.md updated). Each listed failure must be a `TranslationError` whose first
line is located (`file:line:col: error: ...`) and contains the listed text. `KNOWN_BUGS` lists the
kernels on which the translator or the runtime misbehaves instead: a Python exception other than a
located error, a refusal NumPy would not make, or an answer that differs from Python's. They are
strict expected failures too, of both tests, so a fix (a match, or a located error) flips them.
"""

from __future__ import annotations

import importlib
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests import corpus
from translator import TranslationError
from translator.api import GenericKernel, Kernel
from translator.oracle import Comparison, compare_compiled, compare_with_python
from translator.targets import parse_target

ROOT = Path(__file__).resolve().parent.parent
TARGET = parse_target("host-offload")
sys.path.insert(0, str(ROOT / "bench"))  # bench/ is a directory of scripts that import each other by name

import build_gpu  # noqa: E402
import gpu_run  # noqa: E402

KNOWN_FAILURES: dict[str, str] = {
}
"""Kernels the translator rejects today, with (a part of) the first line of its message."""

KNOWN_BUGS: dict[str, str] = {
    "mandelbrot_numpy": "Z differs from NumPy's by 2e-13 (relative 1e-13) after 20 iterations of z * z + c: the kernel "
                        "equals NumPy computing z * z as (re*re - im*im) + (re*im + im*re)j exactly, NumPy's own "
                        "`Z ** 2` rounds differently, and the iteration amplifies it",
}
"""Kernels on which py2omp misbehaves (docs/corpus.md, "Bugs found"): never a located error."""


def run(k: Kernel, args: tuple[Any, ...]) -> Comparison:
    """Build `k` for the types of `args` on host-offload and compare it with its Python function."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the Python reference's own warnings
        if isinstance(k, GenericKernel):
            compiled = k.specialization(*args, target=TARGET)
            return compare_compiled(compiled, k.py_func, args, str(TARGET), repeats=1)
        return compare_with_python(k, args, TARGET, repeats=1)


def case(name: str) -> tuple[Kernel, tuple[Any, ...]]:
    """The corpus kernel `name` and its arguments from the seeded factory."""
    (k, make_args), = importlib.import_module(f"tests.corpus.{name}").CASES.items()
    return k, make_args(np.random.default_rng(20261205))


def _marks(name: str) -> list[pytest.MarkDecorator]:
    if name in KNOWN_FAILURES:
        return [pytest.mark.xfail(strict=True, raises=TranslationError, reason=KNOWN_FAILURES[name])]
    if name in KNOWN_BUGS:
        return [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])]
    return []


@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n), id=n) for n in corpus.NAMES])
def test_matches_python(name: str) -> None:
    k, args = case(name)
    result = run(k, args)
    assert result.ok, result.mismatches


LOCATED = re.compile(r"^(?P<file>[^\n]+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


@pytest.mark.parametrize("name", sorted(KNOWN_FAILURES))
def test_failure_is_a_located_error(name: str) -> None:
    """A rejected kernel gets `file:line:col: error: message`, the source line and a caret."""
    k, args = case(name)
    with pytest.raises(TranslationError) as info:
        run(k, args)
    first, source, caret = str(info.value).splitlines()[:3]
    located = LOCATED.match(first)
    assert located, first
    assert located["file"].endswith(f"tests/corpus/{name}.py")
    assert KNOWN_FAILURES[name] in located["message"]
    lines = (ROOT / "tests" / "corpus" / f"{name}.py").read_text().splitlines()
    assert source == lines[int(located["line"]) - 1] and caret.strip() == "^"


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n]), id=n)
                                  for n in sorted(KNOWN_BUGS)])
def test_bug_is_fixed(name: str) -> None:
    """A kernel of `KNOWN_BUGS` either matches Python or is refused with a located error."""
    k, args = case(name)
    try:
        result = run(k, args)
    except TranslationError as error:
        assert LOCATED.match(str(error).splitlines()[0])
        return
    assert result.ok, result.mismatches


def test_tables_name_corpus_kernels() -> None:
    """A misspelt or removed name would silently stop being expected to fail."""
    assert set(KNOWN_FAILURES) <= set(corpus.NAMES) and set(KNOWN_BUGS) <= set(corpus.NAMES)
    assert not set(KNOWN_FAILURES) & set(KNOWN_BUGS)


def test_corpus_modules_are_one_kernel_each() -> None:
    """Issue 11 asks for at least 60 kernels; each module holds one, named after it, with its case."""
    modules = corpus.modules()
    assert len(modules) >= 60
    for module in modules:
        (k,) = module.CASES
        assert isinstance(k, Kernel) and module.__name__ == f"tests.corpus.{k.__name__}"
        assert module.__doc__ and module.__doc__.strip()


def test_docs_table_agrees() -> None:
    """docs/corpus.md shows every kernel, with `works` exactly for those in neither table."""
    text = (ROOT / "docs" / "corpus.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]* \| (works|fails|bug) \|", text, re.MULTILINE))
    assert set(rows) == set(corpus.NAMES)
    assert {n for n, s in rows.items() if s == "fails"} == set(KNOWN_FAILURES)
    assert {n for n, s in rows.items() if s == "bug"} == set(KNOWN_BUGS)


def test_bench_part_builds_what_translates_and_checks_it(tmp_path: Path) -> None:
    """`build_gpu.py ... corpus` builds the kernels that translate, for their test arguments' types,
    under their own names; `gpu_run.py` part `corpus` runs them against Python (here on host-offload)."""
    chosen = {"gemm", "dot", *sorted(KNOWN_FAILURES)[:1]}  # with a kernel it rejects, while there is one
    assert build_gpu.build_corpus(tmp_path, TARGET, chosen) == ["dot", "gemm"]
    rows = gpu_run.check_corpus(tmp_path, str(TARGET))
    assert [(row["kernel"], row["ok"]) for row in rows] == [("dot", True), ("gemm", True)]
