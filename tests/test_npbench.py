"""The NPBench-style acceptance suite (issue 4): each benchmark of `tests/kernels/npbench/`, written
the way NPBench's Numba kernels are, matches its Python function when compiled for `host-offload`.

Benchmarks that need a construct the translator rejects today are strict expected failures that
must fail with a `TranslationError`: when the construct lands, the test passes, strict xfail turns
that into a failure, and the entry below is removed. A kernel that translates but disagrees with
Python fails outright. `docs/npbench.md` records each benchmark's constructs and its first error.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest

from tests.kernels.npbench import BENCHMARKS
from translator import TranslationError
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.targets import parse_target

PENDING: dict[str, str] = {}


def _pending(name: str) -> list[pytest.MarkDecorator]:
    if name not in PENDING:
        return []
    return [pytest.mark.xfail(strict=True, raises=TranslationError, reason=PENDING[name])]


@pytest.mark.parametrize("name", [pytest.param(name, marks=_pending(name), id=name) for name in BENCHMARKS])
def test_matches_python(name: str) -> None:
    module = importlib.import_module(f"tests.kernels.npbench.{name}")
    result = compare_with_python(getattr(module, name), module.make_args(np.random.default_rng(7)),
                                 parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("name", [pytest.param(name, marks=_pending(name), id=name) for name in BENCHMARKS])
def test_translates_for_the_gpu(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The C the GPU runs (`nvptx:sm_90`) comes out of the whole pipeline, verifier included, with
    its loops offloaded (the parallelism mapping's passes ran; elementwise nests as bare kernels)."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    c_source = translate(f"tests/kernels/npbench/{name}.py", "nvptx:sm_90").c_source
    assert "#pragma omp target teams distribute" in c_source or "#pragma omp target teams ompx_bare" in c_source


def test_pending_names_are_benchmarks() -> None:
    """A misspelt or removed benchmark in PENDING would silently stop being expected to fail."""
    assert set(PENDING) <= set(BENCHMARKS)


def test_status_table_agrees() -> None:
    """docs/npbench.md says `works` for exactly the benchmarks that are not pending, and shows every one."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "npbench.md").read_text(encoding="utf-8")
    status = text[text.index("## Status in py2omp today"):]
    rows = dict(re.findall(r"^\| (\w+) \| .* \| (works|``).*\|$", status, re.MULTILINE))
    assert set(rows) == set(BENCHMARKS)
    assert {name for name, verdict in rows.items() if verdict == "works"} == set(BENCHMARKS) - set(PENDING)
