"""The bare column form on nvptx (`passes/bare_columns.py`, `backend/bare.py`, docs/design.md
"Parallelism mapping"): which loops of column reductions take it, the C it is (golden), that its
device code calls no OpenMP runtime, and that the kernels compute what Python does.

No GPU runs here, so the nvptx builds run on the offload runtime's host fallback, where each team is
one thread taking one column at a time and all its rows (the prelude's `col_*` helpers): this checks
the columns' indexing and stepping, the reductions' starts, the owner's epilogue and its index
check, not the warps' shares and their combining (the GPU run of bench/column_sums.py does)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import bare_columns
from tests.kernels.npbench import correlation as npbench_correlation
from tests.kernels.npbench import covariance as npbench_covariance
from tests.test_bare_rows import _device_assembly, _function
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.pipeline import lower, translate
from translator.targets import parse_target

PATH = "tests/kernels/bare_columns.py"
NVPTX = "nvptx:sm_90"
SHAPES = ((1, 1), (7, 31), (8, 32), (9, 33), (100, 65), (0, 5))
"""Rows around a block's 8 warps, columns around a block's 32 lanes, and no rows at all."""


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PY2OMP_BARE", raising=False)
    monkeypatch.setenv("PY2OMP_BARE_COLUMNS", "1")  # off by default (settings.bare_columns)


def _columns_by_kernel(path: str, target: str) -> dict[str, bool]:
    """Whether each kernel has a distributed loop in the bare column form."""
    return {k.name: any(isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget)
                        and n.directive.columns for n in walk_all(k.body))
            for k in lower(path, target).kernels}


def test_column_loops_are_bare_on_nvptx_only() -> None:
    """np.sum/np.mean/np.std/np.max over axis 0, hand-written column loops, integer max and min, an
    index check after the loop take it; a broadcast row weight and Python's float `max` do not."""
    assert _columns_by_kernel(PATH, NVPTX) == {k.__name__: columns for k, columns in bare_columns.COLUMNS.items()}
    assert _columns_by_kernel(npbench_covariance.__file__, NVPTX) == {"covariance": True}
    assert _columns_by_kernel(npbench_correlation.__file__, NVPTX) == {"correlation": True}
    for target in ("host-offload", "amdgcn:gfx90a", "cpu"):
        assert not any(_columns_by_kernel(PATH, target).values())
    kept = _function(translate(PATH, NVPTX).c_source, "python_max")
    assert "#pragma omp target teams distribute parallel for" in kept and "py2omp_col_" not in kept


@pytest.mark.parametrize("setting", [("PY2OMP_BARE", "0"), ("PY2OMP_BARE_COLUMNS", ""), ("PY2OMP_BARE_COLUMNS", "0")])
def test_switched_off_with_the_bare_form_and_by_default(monkeypatch: pytest.MonkeyPatch, setting: tuple[str, str]) -> None:
    monkeypatch.setenv(*setting)
    assert not any(_columns_by_kernel(PATH, NVPTX).values())
    assert "py2omp_col_" not in translate(PATH, NVPTX).c_source


def test_golden_c(update_golden: bool) -> None:
    """The whole nvptx C of the column kernels: 32 columns a block, the warps' shares of the rows, the
    reductions' starts and combining, the owner's epilogue."""
    golden = ROOT / "tests" / "golden" / "bare_columns.c"
    c_source = translate(PATH, NVPTX).c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


def test_npbench_covariance_means_take_the_form() -> None:
    covariance = _function(translate(npbench_covariance.__file__, NVPTX).c_source, "covariance")
    for line in ("num_teams(py2omp_num_teams(py2omp_trip, 32)) \\",
                 "for (int64_t py2omp_k = py2omp_col_first(); py2omp_k < py2omp_trip; py2omp_k += py2omp_col_stride()) {",
                 "int64_t i__1 = py2omp_col_at(py2omp_k, py2omp_trip);",
                 "sum__2 = py2omp_col_warp() == 0 ? sum__2 : -0.0;",
                 "for (int64_t k__3 = py2omp_col_warp(); k__3 < data_n0; k__3 += py2omp_col_warps()) {",
                 "sum__2 = py2omp_col_sum_f64(sum__2);", "if (py2omp_col_owner(py2omp_k, py2omp_trip)) {",
                 "mean[i__1] = sum__2 / float_n;"):
        assert line in covariance, line


@pytest.mark.parametrize("path", [PATH, npbench_correlation.__file__], ids=["columns", "npbench_correlation"])
def test_bare_column_device_code_calls_no_openmp_runtime(path: str, tmp_path: Path) -> None:
    """The sm_90 build compiles; each entry point has one kernel that calls none of the device runtime
    (`__kmpc`) and has the block's barrier (the combining) per loop in the column form; its kernels
    that call none of the runtime have no code clang proved unreachable; a kernel that keeps the
    OpenMP loop calls the runtime."""
    ptx = _device_assembly(path, tmp_path)
    columns = {k.name: sum(1 for n in walk_all(k.body) if isinstance(n, ir.ParallelLoop)
                           and isinstance(n.directive, ir.OmpTarget) and n.directive.columns)
               for k in lower(path, NVPTX).kernels}
    kernels: dict[str, list[str]] = {}
    for entry, code in re.findall(r"\.entry __omp_offloading_\w+?_((?:" + "|".join(columns) + r")(?:__device)?)_l\d+\((.*?)\n}",
                                  ptx, flags=re.DOTALL):
        kernels.setdefault(entry, []).append(code)
    for name, count in columns.items():
        for entry in (name, f"{name}__device"):
            bare = [code for code in kernels[entry] if "__kmpc" not in code]
            assert sum(1 for code in bare if re.search(r"\bbar(?:rier)?\.sync\b", code)) == count, entry
            assert not any("exit;" in code for code in bare), entry
            assert count or len(bare) < len(kernels[entry]), entry


def _rng() -> np.random.Generator:
    return np.random.default_rng(33)


def _with_extremes(x: np.ndarray) -> np.ndarray:
    """`x` with NaN, -inf and +inf in some columns (0: a NaN; 1: -inf; 2: +inf; 3: all -inf; 4: NaN and inf)."""
    x = x.copy()
    if x.shape[0] >= 2 and x.shape[1] >= 5:
        x[x.shape[0] // 2, 0] = np.nan
        x[-1, 1] = -np.inf
        x[0, 2] = np.inf
        x[:, 3] = -np.inf
        x[0, 4], x[-1, 4] = np.inf, np.nan
    return x


def _cases() -> dict[str, tuple[Any, ...]]:
    """Each case's kernel name and arguments: seeded random columns of every shape of `SHAPES`."""
    rng = _rng()
    cases: dict[str, tuple[Any, ...]] = {}
    for n, m in SHAPES:
        shape = f"{n}x{m}"
        x = rng.standard_normal((n, m))
        cases[f"column_sums-{shape}"] = (x * 10,)
        cases[f"column_norms-{shape}"] = (x, rng.permutation(m), np.zeros(m))
        if n > 0:
            cases[f"column_means-{shape}"] = (x + 1.0, np.zeros(m))
            cases[f"standardize-{shape}"] = ((x * 3 + 2).astype(np.float32), np.zeros((n, m), np.float32))
            cases[f"column_peaks-{shape}"] = (_with_extremes(x),)
            cases[f"column_span-{shape}"] = (rng.integers(-1000, 1000, (n, m)), np.zeros(m, np.int64))
    cases["column_sums-integers"] = (rng.integers(-2**40, 2**40, (300, 40)).astype(np.float64),)
    return cases


def _kernel(case: str) -> Any:
    return getattr(bare_columns, case.split("-")[0])


def fallback_report() -> None:
    """Run in a process of its own (as tests/test_bare_rows.py's): prints, as JSON, each case's
    mismatches against Python on the nvptx build, NPBench covariance's and correlation's, and the
    error of an index check that fails after the loop."""
    target = parse_target(NVPTX)
    report: dict[str, Any] = {}
    with np.errstate(all="ignore"):
        for case, args in _cases().items():
            report[case] = list(compare_with_python(_kernel(case), args, target, 1).mismatches)
        norms = bare_columns.column_norms.library(target).kernels["column_norms"]
        try:  # an order one past the end in the last column
            norms(_rng().standard_normal((9, 33)), np.arange(33) + 1, np.zeros(33))
            report["bad_order"] = "no error"
        except IndexError as error:
            report["bad_order"] = f"IndexError: {error}"
        for module, name in ((npbench_covariance, "covariance"), (npbench_correlation, "correlation")):
            args = module.make_args(_rng())
            report[f"npbench_{name}"] = list(compare_with_python(getattr(module, name), args, target, 1).mismatches)
    print(json.dumps(report))


@pytest.fixture(scope="module")
def nvptx_fallback() -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-c", "from tests.test_bare_columns import fallback_report; fallback_report()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "KMP_WARNINGS": "0", "PY2OMP_BARE": "", "PY2OMP_BARE_COLUMNS": "1"})
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("case", [*_cases(), "npbench_covariance", "npbench_correlation"])
def test_nvptx_build_matches_python(case: str, nvptx_fallback: dict[str, Any]) -> None:
    """The bare column C computes what Python does, NaN and infinities included (module docstring)."""
    assert nvptx_fallback[case] == []


def test_index_check_after_the_loop_still_fails(nvptx_fallback: dict[str, Any]) -> None:
    """`norms[order[j]]` with an order one past the end: the owner's check raises Python's IndexError."""
    assert nvptx_fallback["bad_order"].startswith("IndexError: "), nvptx_fallback["bad_order"]


@pytest.mark.parametrize("case", ["column_sums-9x33", "column_peaks-100x65", "standardize-8x32", "column_span-7x31"])
def test_matches_python_on_host_offload(case: str) -> None:
    """The same kernels in the OpenMP form, which host-offload keeps."""
    with np.errstate(all="ignore"):
        result = compare_with_python(_kernel(case), _cases()[case], parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches
