"""The bare form of elementwise nests on nvptx (`passes/bare.py`, `backend/bare.py`, docs/design.md
"Parallelism mapping"): which nests take it, the C it is (golden), that the device code needs no
OpenMP runtime, and that the kernels of `tests/kernels/bare.py` still compute what Python does.

No GPU runs here, so the nvptx builds run on the offload runtime's host fallback, where each team is
one thread and a thread's iterations step by the number of teams the host formed (2 here, against
the trip count over 256 asked for): the stepping loop that covers a trip count above what
`num_teams` can launch (2^31 - 1 teams of 256, `py2omp_num_teams` clamps) runs here many times per
thread, and `odd_planes`' `+=` would show an element done twice or never."""

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
from tests.kernels import bare
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.pipeline import lower, translate
from translator.settings import translation_settings
from translator.targets import parse_target
from translator.toolchain import find_toolchain

PATH = "tests/kernels/bare.py"
NVPTX = "nvptx:sm_90"


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PATH` and the C's `#line` paths are relative to the repository root, as `py2omp translate` shows them."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PY2OMP_BARE", raising=False)


def _target_loops(kernel: ir.Kernel) -> list[ir.OmpTarget]:
    """The directives of the kernel's target loop nests (its device-pointer variant's too)."""
    bodies = (kernel.body, *(() if kernel.device_variant is None else (kernel.device_variant.body,)))
    return [n.directive for body in bodies for n in walk_all(body)
            if isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget)]


def _bare_by_kernel(target: str) -> dict[str, set[bool]]:
    return {k.name: {d.bare for d in _target_loops(k)} for k in lower(PATH, target).kernels}


def test_elementwise_straight_line_nests_are_bare_on_nvptx() -> None:
    """Triad, stencils, a checked gather with a branch and `thread_limit=` are bare; a reduction, a
    serial loop per element and `num_teams=` keep the OpenMP loop."""
    assert _bare_by_kernel(NVPTX) == {name: {bare_} for name, bare_ in bare.BARE.items()}


@pytest.mark.parametrize("target", ["amdgcn:gfx90a", "host-offload", "cpu"])
def test_other_targets_keep_the_openmp_loop(target: str) -> None:
    assert not any(True in found for found in _bare_by_kernel(target).values())
    assert "ompx_bare" not in translate(PATH, target).c_source


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """`PY2OMP_BARE=0`: every nest as before (the bandwidth benchmark times both forms from one build
    family); the call index keys its records by the setting, so a build of one form is not taken for the other."""
    default = translation_settings()
    monkeypatch.setenv("PY2OMP_BARE", "0")
    assert translation_settings() != default
    assert not any(True in found for found in _bare_by_kernel(NVPTX).values())
    c_source = translate(PATH, NVPTX).c_source
    assert "ompx_bare" not in c_source and "py2omp_bare_first" not in c_source


def test_golden_c(update_golden: bool) -> None:
    """The whole nvptx C of the bare kernels and of those that are not, as a reviewed diff."""
    golden = ROOT / "tests" / "golden" / "bare.c"
    c_source = translate(PATH, NVPTX).c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


def _function(c_source: str, symbol: str) -> str:
    start = c_source.index(f"void {symbol}(")
    return re.sub(r"^#line .*\n", "", c_source[start:c_source.index("\n}\n", start)], flags=re.MULTILINE)


def test_the_launch_covers_any_trip_count() -> None:
    """The teams are the trip count over the block, clamped to what `num_teams` takes (32 bits), and each
    thread steps by all the launch's threads: a trip count above 2^31 * 256 is covered (the stepping
    runs here, test_nvptx_build_matches_python); the innermost level varies fastest."""
    c_source = translate(PATH, NVPTX).c_source
    assert "return teams < 2147483647 ? teams : 2147483647;" in c_source
    stencil = _function(c_source, "jacobi_step")
    for line in ("int64_t py2omp_n0 = py2omp_max_i64(B_n0 - 1 - 1, 0);",
                 "int64_t py2omp_trip = py2omp_n0 * py2omp_n1;",
                 "#pragma omp target teams ompx_bare \\", "num_teams(py2omp_num_teams(py2omp_trip, 256)) \\",
                 "for (int64_t py2omp_k = py2omp_bare_first(); py2omp_k < py2omp_trip; py2omp_k += py2omp_bare_stride()) {",
                 "int64_t i__1 = 1 + py2omp_k / py2omp_n1;", "int64_t i__2 = 1 + py2omp_k % py2omp_n1;"):
        assert line in stencil
    assert "thread_limit(128)" in _function(c_source, "scaled_narrow")


def test_bare_device_code_calls_no_openmp_runtime(tmp_path: Path) -> None:
    """A bare kernel starts without the device runtime's state: its PTX (sm_90) must call none of it,
    index checks (atomic status updates) included; the kernels that keep the loop do call it."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(NVPTX)):
        pytest.skip("no clang-19 with the NVIDIA device pieces here")
    c_path = tmp_path / "bare.c"
    c_path.write_text(translate(PATH, NVPTX).c_source)
    flags = [f for f in toolchain.flags(parse_target(NVPTX)) if f not in ("-shared", "-fPIC", "-lm") and not f.startswith(("-L", "-Wl"))]
    ptx = subprocess.run([toolchain.clang, str(c_path), *flags, "--offload-device-only", "-S", "-o", "-"],
                         check=True, capture_output=True, text=True).stdout
    entries = dict(re.findall(r"\.entry __omp_offloading_\w+?_((?:" + "|".join(bare.BARE) + r")(?:__device)?)_l\d+\((.*?)\n}",
                              ptx, flags=re.DOTALL))
    assert {name.removesuffix("__device") for name in entries} == set(bare.BARE)
    for name, code in entries.items():
        assert ("__kmpc" in code) != bare.BARE[name.removesuffix("__device")], name


def fallback_report() -> None:
    """Run in a process of its own (`nvptx_fallback`), since an nvptx library in a process whose offload
    runtime already holds host-offload's device would be sent there: prints, as JSON, each case's
    mismatches against Python, whether empty levels left the arrays around them alone, and whether a
    bad index raised IndexError, all on the nvptx build."""
    target = parse_target(NVPTX)
    report: dict[str, Any] = {"cases": {k.__name__: list(compare_with_python(k, make(_rng()), target, 1).mismatches)
                                        for k, make in bare.CASES.items()}}
    kernel = bare.jacobi_step.library(target).kernels["jacobi_step"]
    report["empty"] = {}
    for shape in EMPTY_SHAPES:
        whole = np.random.default_rng(3).standard_normal((2, 64))
        expected = whole.copy()
        bare.jacobi_step.py_func(*(e[:shape[0] * shape[1]].reshape(shape) for e in expected))
        kernel(*(w[:shape[0] * shape[1]].reshape(shape) for w in whole))
        report["empty"][str(shape)] = bool(np.array_equal(whole, expected))
    try:
        bare.clipped_gather.library(target).kernels["clipped_gather"](*bad_gather())
        report["index_error"] = False
    except IndexError:
        report["index_error"] = True
    print(json.dumps(report))


EMPTY_SHAPES = ((1, 1), (0, 1), (1, 0), (1, 5), (3, 3))


def _rng() -> np.random.Generator:
    return np.random.default_rng(12)


def bad_gather() -> tuple[Any, ...]:
    """`clipped_gather`'s arguments with one index past the end of `x`."""
    args: list[Any] = list(bare.CASES[bare.clipped_gather](_rng()))
    args[2][17] = args[1].shape[0]
    return tuple(args)


@pytest.fixture(scope="module")
def nvptx_fallback() -> dict[str, Any]:
    """`fallback_report`'s findings, from a fresh process (the nvptx library built there, cached)."""
    run = subprocess.run([sys.executable, "-c", "from tests.test_bare import fallback_report; fallback_report()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "KMP_WARNINGS": "0", "PY2OMP_BARE": ""})
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("name", bare.BARE)
def test_nvptx_build_matches_python(name: str, nvptx_fallback: dict[str, Any]) -> None:
    """The bare C computes what Python does (through the host fallback, module docstring)."""
    assert nvptx_fallback["cases"][name] == []


@pytest.mark.parametrize("shape", EMPTY_SHAPES)
def test_empty_levels_run_nothing(shape: tuple[int, int], nvptx_fallback: dict[str, Any]) -> None:
    """Two empty levels do not multiply into iterations (each count is clamped at 0 first): the
    arrays are views at the start of larger ones, whose elements past them must stay as they were."""
    assert nvptx_fallback["empty"][str(shape)]


def test_index_error_in_a_bare_kernel(nvptx_fallback: dict[str, Any]) -> None:
    """The gather's index check records its failure with an atomic update of the status, which the
    bare kernel keeps: the call raises IndexError, as Python does."""
    with pytest.raises(IndexError):
        bare.clipped_gather.py_func(*bad_gather())
    assert nvptx_fallback["index_error"]


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in bare.CASES.items()])
def test_matches_python_on_host_offload(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(_rng()), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches
