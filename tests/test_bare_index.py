"""`PY2OMP_BARE_INDEX=32` (`settings.bare_index_bits`, `backend.bare.bare_kernels`): each bare nest is a
32-bit kernel, launched where the trip count fits `int32_t`, and the 64-bit kernel above. Which nests
take it, the C (golden), the PTX as the library is built (the 32-bit kernel divides in 32 bits only,
neither calls the OpenMP runtime, no code clang proved unreachable), and the kernels of
`tests/kernels/bare.py` against Python through the nvptx build's host fallback (tests/test_bare.py
says how it runs) and on host-offload, which keeps the OpenMP loop."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.kernels import bare
from tests.test_bare import EMPTY_SHAPES, _function, _target_loops
from translator.pipeline import lower, translate
from translator.settings import translation_settings
from translator.targets import parse_target
from translator.toolchain import find_toolchain

PATH = "tests/kernels/bare.py"
NVPTX = "nvptx:sm_90"


@pytest.fixture(autouse=True)
def narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root (the C's `#line` paths), the bare form on, its index 32 bits."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("PY2OMP_BARE", raising=False)
    monkeypatch.setenv("PY2OMP_BARE_INDEX", "32")


def test_the_setting_marks_the_bare_nests_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bare nests get 32 bits, the others and the bare row loops keep the default (the call index keys
    its records by the setting); unset or any other value: 64."""
    found = {k.name: {(d.bare, d.bare_index32) for d in _target_loops(k)} for k in lower(PATH, NVPTX).kernels}
    assert found == {name: {(is_bare, is_bare)} for name, is_bare in bare.BARE.items()}
    rows = [d for k in lower("tests/kernels/bare_rows.py", NVPTX).kernels for d in _target_loops(k) if d.row_trip is not None]
    assert rows and not any(d.bare_index32 for d in rows)
    narrow_key = translation_settings()
    for value in ("", "64", "16"):
        monkeypatch.setenv("PY2OMP_BARE_INDEX", value)
        assert not any(d.bare_index32 for k in lower(PATH, NVPTX).kernels for d in _target_loops(k))
    assert translation_settings() != narrow_key


def test_golden_c(update_golden: bool) -> None:
    """The whole nvptx C of the bare kernels with the 32-bit index, as a reviewed diff."""
    golden = ROOT / "tests" / "golden" / "bare_index32.c"
    c_source = translate(PATH, NVPTX).c_source
    if update_golden:
        golden.write_text(c_source)
    assert golden.read_text() == c_source, f"{golden} differs; rerun with --update-golden if intended"


def test_the_host_picks_the_kernel_by_the_trip_count() -> None:
    """The 32-bit kernel up to 2^31 - 1 iterations: its flat number, its next one (on the GPU the trip
    count: one iteration a thread), the counts it divides by, the quotients widened before the start
    and the step (odd_planes: from 1 in steps of 2); the 64-bit kernel above, as without the setting."""
    c_source = translate(PATH, NVPTX).c_source
    stencil = _function(c_source, "jacobi_step")
    for line in ("if (py2omp_trip <= 2147483647) {", "} else {",
                 "for (uint32_t py2omp_k = py2omp_bare_first_u32(); py2omp_k < (uint32_t)py2omp_trip; "
                 "py2omp_k = py2omp_bare_next_u32(py2omp_k, (uint32_t)py2omp_trip)) {",
                 "int64_t i__1 = 1 + (int64_t)(py2omp_k / (uint32_t)py2omp_n1);",
                 "int64_t i__2 = 1 + (int64_t)(py2omp_k % (uint32_t)py2omp_n1);",
                 "for (int64_t py2omp_k = py2omp_bare_first(); py2omp_k < py2omp_trip; py2omp_k += py2omp_bare_stride()) {",
                 "int64_t i__1 = 1 + py2omp_k / py2omp_n1;"):
        assert line in stencil, line
    assert stencil.count("#pragma omp target teams ompx_bare") == 2
    planes = _function(c_source, "odd_planes")
    assert "int64_t i = 1 + (int64_t)(py2omp_k / ((uint32_t)py2omp_n1 * (uint32_t)py2omp_n2)) * 2;" in planes
    assert "static inline uint32_t py2omp_bare_first_u32(void)" in c_source
    assert "static inline uint32_t py2omp_bare_next_u32(uint32_t k, uint32_t trip)" in c_source
    assert not any("py2omp_trip <=" in _function(c_source, k) for k in ("row_sums", "scaled_in_teams"))


def _device_assembly(tmp_path: Path) -> str:
    """The PTX of `PATH`'s sm_90 library as it is built (`-save-temps`, tests/test_bare_rows.py says why)."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(NVPTX)):
        pytest.skip("no clang-19 with the NVIDIA device pieces here")
    (tmp_path / "bare.c").write_text(re.sub(r"^#line .*\n", "", translate(PATH, NVPTX).c_source, flags=re.MULTILINE))
    subprocess.run([toolchain.clang, "bare.c", "-o", "bare.so", *toolchain.flags(parse_target(NVPTX)), "-save-temps"],
                   check=True, capture_output=True, text=True, cwd=tmp_path)
    return (tmp_path / "bare-openmp-nvptx64-nvidia-cuda-sm_90.s").read_text()


def test_ptx_of_the_two_kernels(tmp_path: Path) -> None:
    """Each bare entry point has its two kernels, the 32-bit one first in the source: it compares and
    divides in 32 bits only (no `div`/`rem` of 64 bits, the wide kernel's) and has no loop (the wide
    one has), and neither calls the device runtime nor holds code clang proved unreachable (`exit;`)."""
    ptx = _device_assembly(tmp_path)
    kernels: dict[str, list[tuple[int, str]]] = {}
    for entry, line, code in re.findall(r"\.entry __omp_offloading_[0-9a-f]+_[0-9a-f]+_(\w+?)_l(\d+)\((.*?)\n}", ptx, flags=re.DOTALL):
        kernels.setdefault(entry.removesuffix("__device"), []).append((int(line), code))
    assert {name: len(found) for name, found in kernels.items()} == {name: 4 if b else 2 for name, b in bare.BARE.items()}
    for name, found in kernels.items():
        if not bare.BARE[name]:
            continue
        for number, (_, code) in enumerate(sorted(found)):  # narrow, wide, then the __device entry's narrow, wide
            assert "__kmpc" not in code and "exit;" not in code, name
            if number % 2 == 0:
                assert not re.search(r"\b(?:div|rem)\.[su]64\b", code) and "setp.ge.u32" in code, name
                assert not _has_loop(code), name
    wide = sorted(kernels["jacobi_step"])[1][1]
    assert re.search(r"\bdiv\.s64\b", wide) and _has_loop(wide)


def _has_loop(ptx: str) -> bool:
    """Whether some branch of `ptx` goes back to a label above it."""
    return any(ptx.rfind(f"{label}:", 0, at) >= 0 for at, label in
               ((m.start(), m.group(1)) for m in re.finditer(r"\bbra(?:\.uni)?\s+(\$\w+);", ptx)))


@pytest.fixture(scope="module")
def nvptx_fallback() -> dict[str, Any]:
    """tests/test_bare.py's `fallback_report` on the nvptx build with the 32-bit index, in a fresh process."""
    run = subprocess.run([sys.executable, "-c", "from tests.test_bare import fallback_report; fallback_report()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900,
                         env={**os.environ, "KMP_WARNINGS": "0", "PY2OMP_BARE": "", "PY2OMP_BARE_INDEX": "32"})
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("name", bare.BARE)
def test_nvptx_build_matches_python(name: str, nvptx_fallback: dict[str, Any]) -> None:
    assert nvptx_fallback["cases"][name] == []


@pytest.mark.parametrize("shape", EMPTY_SHAPES)
def test_empty_levels_run_nothing(shape: tuple[int, int], nvptx_fallback: dict[str, Any]) -> None:
    assert nvptx_fallback["empty"][str(shape)]


def test_index_error_in_the_narrow_kernel(nvptx_fallback: dict[str, Any]) -> None:
    assert nvptx_fallback["index_error"]
