"""The bare row form on nvptx (`passes/bare_rows.py`, `backend/bare.py`, docs/design.md "Parallelism
mapping"): which row loops take it, the C it is (golden), that its device code calls no OpenMP
runtime, and that the kernels compute what Python does.

No GPU runs here, so the nvptx builds run on the offload runtime's host fallback, where each team is
one thread and a row has one lane (the prelude's `row_*` helpers): this checks the rows' indexing,
the choice between the warp and the block kernel by the row's length (rows of 1023 and 1025), the
reductions' starts and NaN classes, not the shuffles (the GPU run of bench/row_variants.py does)."""

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
from tests.kernels import bare_rows, team_reductions, team_threads, two_level
from tests.kernels.npbench import softmax as npbench_softmax
from translator.ir import nodes as ir
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.pipeline import lower, translate
from translator.targets import parse_target
from translator.toolchain import find_toolchain

PATH = "tests/kernels/bare_rows.py"
NVPTX = "nvptx:sm_90"
LENGTHS = (1, 31, 32, 33, 1023, 1025)
"""Row lengths around a warp's 32 lanes and the warp kernel's limit of 1024."""


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PY2OMP_BARE", raising=False)


def _rows_by_kernel(path: str, target: str) -> dict[str, bool]:
    """Whether each kernel's distributed loops take the bare row form."""
    return {k.name: any(isinstance(n, ir.ParallelLoop) and isinstance(n.directive, ir.OmpTarget)
                        and n.directive.row_trip is not None for n in walk_all(k.body))
            for k in lower(path, target).kernels}


def test_row_loops_are_bare_on_nvptx_only() -> None:
    """Softmax, layer norm, min/max and integer rows take it; a row loop storing into an array between
    its loops keeps the OpenMP team form (`teams distribute` with `parallel for`)."""
    assert _rows_by_kernel(PATH, NVPTX) == {k.__name__: rows for k, rows in bare_rows.ROWS.items()}
    assert _rows_by_kernel(npbench_softmax.__file__, NVPTX) == {"softmax": True}
    for target in ("host-offload", "amdgcn:gfx90a"):
        assert not any(_rows_by_kernel(PATH, target).values())
    kept = _function(translate(PATH, NVPTX).c_source, "normalise_with_scale")
    assert "#pragma omp target teams distribute" in kept and "#pragma omp parallel for" in kept
    assert "py2omp_row_" not in kept


@pytest.mark.parametrize("path, kept", [
    ("tests/kernels/team_threads.py", {"halved_rows", "lower_rows", "given_threads"}),
    ("tests/kernels/team_reductions.py", {"rescaled_rows", "normalized_images", "orthogonalized_rows"}),
    ("tests/kernels/two_level.py", {"gemm", "syrk", "doitgen", "normalized_rows"}),
])
def test_what_keeps_the_team_form(path: str, kept: set[str]) -> None:
    """A row length the host does not know before the launch (a local, the row's own index) or the
    user's `thread_limit=`; array stores between the row's loops; a collapsed 2-D reduction; a serial
    loop around the row's loops; products and BLAS calls: the OpenMP form stays."""
    found = _rows_by_kernel(path, NVPTX)
    assert {name for name, rows in found.items() if not rows} == kept


def test_switched_off_with_the_bare_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_BARE", "0")
    assert not any(_rows_by_kernel(PATH, NVPTX).values())
    assert "py2omp_row_" not in translate(PATH, NVPTX).c_source


def test_golden_c(update_golden: bool) -> None:
    """The whole nvptx C of the row kernels: the two kernels chosen by the row's length, the lanes'
    loops, the reductions' starts and combining, the NaN class of the max."""
    golden = ROOT / "tests" / "golden" / "bare_rows.c"
    c_source = translate(PATH, NVPTX).c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


def _function(c_source: str, symbol: str) -> str:
    start = c_source.index(f"void {symbol}(")
    return re.sub(r"^#line .*\n", "", c_source[start:c_source.index("\n}\n", start)], flags=re.MULTILINE)


def test_npbench_softmax_takes_the_form() -> None:
    softmax = _function(translate(npbench_softmax.__file__, NVPTX).c_source, "softmax__device")
    for line in ("int64_t py2omp_row = x_n2;", "if (py2omp_row <= 1024) {",
                 "num_teams(py2omp_num_teams(py2omp_trip, 8)) \\", "num_teams(py2omp_num_teams(py2omp_trip, 1)) \\",
                 "const int64_t py2omp_lanes = 32;", "const int64_t py2omp_lanes = 256;",
                 "max__1 = py2omp_row_max_f32(max__1, py2omp_lanes);",
                 "max__1_seen = py2omp_row_max_i64(max__1_seen, py2omp_lanes);",
                 "sum__5 = py2omp_row_sum_f32(sum__5, py2omp_lanes);", "py2omp_row_sync(py2omp_lanes);"):
        assert line in softmax, line
    assert "parallel for" not in softmax and "distribute" not in softmax


def _device_assembly(path: str, tmp_path: Path) -> str:
    """The PTX of `path`'s sm_90 library as it is built, its temporaries kept: only there is the device
    runtime's bitcode linked into the device code (`--offload-device-only -S` leaves it out, and with
    it what it changes: NPBench softmax's shuffles through `__builtin_memcpy` became unreachable code).
    Without the `#line`s: `-save-temps` compiles the host's and the device's preprocessed files apart,
    and the kernels' names, taken from the file, would not match."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(NVPTX)):
        pytest.skip("no clang-19 with the NVIDIA device pieces here")
    (tmp_path / "rows.c").write_text(re.sub(r"^#line .*\n", "", translate(path, NVPTX).c_source, flags=re.MULTILINE))
    subprocess.run([toolchain.clang, "rows.c", "-o", "rows.so", *toolchain.flags(parse_target(NVPTX)), "-save-temps"],
                   check=True, capture_output=True, text=True, cwd=tmp_path)
    return (tmp_path / "rows-openmp-nvptx64-nvidia-cuda-sm_90.s").read_text()


@pytest.mark.parametrize("path, rows", [(PATH, {k.__name__: r for k, r in bare_rows.ROWS.items()}),
                                        (npbench_softmax.__file__, {"softmax": True})], ids=["rows", "npbench_softmax"])
def test_bare_row_device_code_calls_no_openmp_runtime(path: str, rows: dict[str, bool], tmp_path: Path) -> None:
    """The sm_90 build compiles, and the PTX of each bare row kernel, the warp's and the block's, calls
    none of the device runtime (`__kmpc`), shuffles, has no code clang proved unreachable, and only the
    block's has the block's barrier; a kernel that keeps the team form calls the runtime."""
    ptx = _device_assembly(path, tmp_path)
    names = "|".join(rows)
    kernels: dict[str, list[tuple[int, str]]] = {}
    for entry, line, code in re.findall(r"\.entry __omp_offloading_\w+?_((?:" + names + r")(?:__device)?)_l(\d+)\((.*?)\n}",
                                        ptx, flags=re.DOTALL):
        kernels.setdefault(entry, []).append((int(line), code))
    for name, rows_form in rows.items():  # the warp's and the block's kernel of each entry point, in order
        assert [len(kernels.get(entry, [])) for entry in (name, f"{name}__device")] == [2 if rows_form else 1] * 2, name
    for entry, found in kernels.items():
        rows_form = rows[entry.removesuffix("__device")]
        for number, (_, code) in enumerate(sorted(found)):
            assert ("__kmpc" in code) != rows_form, entry
            if rows_form:
                block_barrier = re.search(r"\bbar(?:rier)?\.sync\b", code) is not None  # not the warp's bar.warp.sync
                assert "shfl.sync.bfly" in code and block_barrier == (number == 1), entry
                assert "exit;" not in code, f"{entry}: code clang proved unreachable (undefined behaviour in the C)"


OTHERS = {k: make for module in (team_reductions, team_threads, two_level) for k, make in module.CASES.items()
          if k.__name__ in ("unit_rows", "below_peak", "projected_rows", "layer_norm", "leading_scale", "scaled_rows")}
"""The kernels of the two-level tests that take the bare row form on nvptx (`scaled_rows`: a row's element
written by one loop read by the statements after it; `leading_scale`: a row part as long as a parameter says)."""


def _rng() -> np.random.Generator:
    return np.random.default_rng(21)


def _with_extremes(x: np.ndarray) -> np.ndarray:
    """`x` with NaN, -inf and +inf in some rows (row 0: a NaN; 1: -inf; 2: +inf; 3: all -inf; 4: NaN and inf)."""
    x = x.copy()
    if x.shape[0] >= 5 and x.shape[1] >= 2:
        x[0, x.shape[1] // 2] = np.nan
        x[1, -1] = -np.inf
        x[2, 0] = np.inf
        x[3, :] = -np.inf
        x[4, 0], x[4, -1] = np.inf, np.nan
    return x


def _cases() -> dict[str, tuple[Any, ...]]:
    """Each case's kernel name and arguments: seeded random rows of every length of `LENGTHS`."""
    rng = _rng()
    cases: dict[str, tuple[Any, ...]] = {}
    for n in LENGTHS:
        x = rng.standard_normal((9, n))
        cases[f"softmax_rows-{n}"] = ((x * 3).astype(np.float32), np.zeros((9, n), np.float32))
        cases[f"layer_norm-{n}"] = (x + 2.0, rng.standard_normal(n), rng.standard_normal(n), np.zeros((9, n)), 1e-5)
        cases[f"row_span-{n}"] = (_with_extremes(x), np.zeros((9, n)))
        cases[f"centred_counts-{n}"] = (rng.integers(-50, 50, (9, n)), np.zeros((9, n), np.int64))
    cases["softmax_rows-extremes"] = (_with_extremes(rng.standard_normal((7, 40))).astype(np.float32), np.zeros((7, 40), np.float32))
    cases["normalise_with_scale-33"] = (rng.random((9, 33)) + 0.5, np.zeros((9, 33)), np.zeros(9))
    return cases


def _kernel(case: str) -> Any:
    return getattr(bare_rows, case.split("-")[0])


def fallback_report() -> None:
    """Run in a process of its own (as tests/test_bare.py's): prints, as JSON, each case's mismatches
    against Python on the nvptx build, and NPBench softmax's and those of `OTHERS`."""
    target = parse_target(NVPTX)
    with np.errstate(all="ignore"):
        report = {case: list(compare_with_python(_kernel(case), args, target, 1).mismatches) for case, args in _cases().items()}
        args = npbench_softmax.make_args(_rng())
        report["npbench_softmax"] = list(compare_with_python(npbench_softmax.softmax, args, target, 1).mismatches)
        for k, make_args in OTHERS.items():
            report[k.__name__] = list(compare_with_python(k, make_args(_rng()), target, 1).mismatches)
    print(json.dumps(report))


@pytest.fixture(scope="module")
def nvptx_fallback() -> dict[str, Any]:
    run = subprocess.run([sys.executable, "-c", "from tests.test_bare_rows import fallback_report; fallback_report()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "KMP_WARNINGS": "0", "PY2OMP_BARE": ""})
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("case", [*_cases(), "npbench_softmax", *(k.__name__ for k in OTHERS)])
def test_nvptx_build_matches_python(case: str, nvptx_fallback: dict[str, Any]) -> None:
    """The bare row C computes what Python does, NaN and infinities included (module docstring)."""
    assert nvptx_fallback[case] == []


@pytest.mark.parametrize("case", ["softmax_rows-33", "layer_norm-1025", "row_span-32", "softmax_rows-extremes"])
def test_matches_python_on_host_offload(case: str) -> None:
    """The same kernels in the OpenMP team form, which host-offload keeps."""
    with np.errstate(all="ignore"):
        result = compare_with_python(_kernel(case), _cases()[case], parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches
