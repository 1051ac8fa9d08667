"""bench/bandwidth_variants.py: the variants change the emitted C as they say, build for host-offload
and run there against NumPy (the GPU run times them against CuPy), and build for nvptx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from translator import pipeline
from translator.targets import parse_target
from translator.toolchain.discover import find_toolchain

sys.path.insert(0, str(ROOT / "bench"))
import bandwidth_variants as bw  # noqa: E402

VARIANTS = {v.name: v for v in bw.VARIANTS}


@pytest.fixture(scope="module")
def sources() -> dict[bool, str]:
    """The nvptx C with the OpenMP loop (False: what the variants edit) and as emitted by default (True)."""
    return {bare: bw.translated(parse_target("nvptx:sm_90"), bare) for bare in (False, True)}


@pytest.fixture(scope="module")
def emitted(sources: dict[bool, str]) -> str:
    return sources[False]


def functions(c_source: str, name: str) -> dict[str, str]:
    return {k: bw.variant_function(bw.device_function(c_source, k), k, VARIANTS[name]) for k in bw.NAMES}


def test_each_variant_is_a_different_build(sources: dict[bool, str]) -> None:
    builds = {(bw.variant_source(sources[bw.form_of(v)], v, []), v.add, v.drop) for v in bw.VARIANTS}
    assert len(builds) == len(bw.VARIANTS) == len(VARIANTS)


def test_the_emitted_variant_is_the_bare_form_and_the_others_edit_the_loop(sources: dict[bool, str]) -> None:
    """On nvptx py2omp emits the bare form (`passes/bare.py`), one 64-bit kernel a nest; every other
    variant edits the OpenMP loop or is written by hand, whichever the environment says (`translated`
    sets `PY2OMP_BARE` and puts it back)."""
    emitted = functions(sources[True], "emitted")
    assert all(f.count("#pragma omp target teams ompx_bare") == 1 and "uint32_t" not in f for f in emitted.values())
    assert "ompx_bare" not in sources[False] and "PY2OMP_BARE" not in os.environ
    assert bw.argument_kinds(emitted["jacobi_step"]) == ["ptr", "i64", "i64", "ptr", "i64", "i64"]


def test_launch_clauses_follow_the_trip_count(emitted: str) -> None:
    current, wide = functions(emitted, "current"), functions(emitted, "threads512")
    assert "num_teams(py2omp_num_teams(a_n0, 256)) \\\n        thread_limit(256)" in current["triad"]
    assert "num_teams(py2omp_num_teams(a_n0, 512)) thread_limit(512)" in wide["triad"]
    assert ("num_teams(py2omp_num_teams((B_n0 - 1 - 1) * (B_n1 - 1 - 1), 512)) thread_limit(512)"
            in wide["jacobi_step"]) and "256" not in wide["jacobi_step"]
    assert "num_teams" not in functions(emitted, "no_clauses")["triad"]
    assert "#line" not in current["triad"] and current["triad"].startswith("void triad__device(")


def test_index32_narrows_indices_and_extents(emitted: str) -> None:
    narrow = functions(emitted, "index32")
    assert all("int64_t" not in f for f in narrow.values())
    assert bw.argument_kinds(narrow["jacobi_step"]) == ["ptr", "i32", "i32", "ptr", "i32", "i32"]
    assert bw.argument_kinds(functions(emitted, "current")["triad"]) == ["ptr", "i64", "ptr", "i64", "ptr", "i64", "f64"]


def test_host_offload_variants_run_and_a_wrong_one_is_caught(tmp_path: Path) -> None:
    """Built for host-offload and run on its virtual device (no CuPy here: no peer); a variant that
    leaves the triad's last element unwritten fails its check, since outputs are placed afresh."""
    chosen = {"current", "index32", "threads512", "unroll4", "simd"}
    folder = tmp_path / "variants"
    built = bw.build(folder, "host-offload", chosen)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.so" for n in chosen)
    assert all(p.stat().st_size < 200_000 for p in built)
    toolchain, target = find_toolchain(), parse_target("host-offload")
    assert toolchain is not None
    c_source = pipeline.translate(str(ROOT / bw.KERNELS), target).c_source
    wrong = bw.variant_source(c_source, VARIANTS["current"], []).replace("i < a_n0;", "i < a_n0 - 1;")
    assert wrong.count("i < a_n0 - 1;") == 1
    bw.compile_variant(toolchain.clang, wrong, folder / "wrong.so", toolchain.flags(target))
    out = tmp_path / "report.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "bandwidth_variants.py"), "run", str(folder), str(out),
                          "--n", "3000", "--grid", "37", "--repeats", "5", "--calls", "2", "--skip", "simd"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "KMP_WARNINGS": "0"})
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    measured = chosen - {"simd"} | {"wrong"}
    assert sorted((r["kernel"], r["variant"]) for r in rows) == sorted((k, v) for k in bw.NAMES for v in measured)
    assert [(r["kernel"], r["variant"]) for r in rows if not r["ok"]] == [("triad", "wrong")]
    assert all(r["GBps"] > 0 and r["floor_us"] > 0 and r["of_cupy"] is None for r in rows)
    assert next(r for r in rows if r["variant"] == "index32")["about"] == "32-bit loop indices and extents"


def test_every_variant_compiles_for_nvptx(tmp_path: Path) -> None:
    """The GPU build (sm_90) compiles: one variant of each kind of change (clauses, simd, unroll, the
    32-bit index with flags added, a flag swapped, ompx_bare, the emitted bare form; all 24 build in about 30 s here, 0.8 MB),
    and the folder holds .so files only, small enough to carry."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target("nvptx:sm_90")):
        pytest.skip("no NVIDIA offload toolchain here")
    chosen = {"dist_schedule", "simd", "unroll4", "index32_assume_all", "fp_contract_fast", "ompx_bare", "emitted"}
    built = bw.build(tmp_path, "nvptx:sm_90", chosen)
    assert len(built) == len(chosen) and all(p.stat().st_size < 15_000_000 // len(bw.VARIANTS) for p in built)
    assert {p.suffix for p in tmp_path.iterdir()} == {".so"}


SHAPES = [v.name for v in bw.VARIANTS if v.shape is not None]


def test_bare_shapes_match_numpy_on_host_offload(tmp_path: Path) -> None:
    """The hand-written bare kernels (`bandwidth_bare`) built for host-offload and run on its host
    fallback (a team one thread) against NumPy: an odd triad (the pairs' last element alone), an even
    grid (the pairs of columns) and an odd one (the scalar kernel the host falls back to)."""
    folder = tmp_path / "shapes"
    bw.build(folder, "host-offload", set(SHAPES))
    for n, grid in ((3001, 38), (2048, 41)):
        out = tmp_path / f"report{n}.json"
        run = subprocess.run([sys.executable, str(ROOT / "bench" / "bandwidth_variants.py"), "run", str(folder), str(out),
                              "--n", str(n), "--grid", str(grid), "--repeats", "5", "--calls", "1"],
                             capture_output=True, text=True, timeout=600, env={**os.environ, "KMP_WARNINGS": "0"})
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
        rows = json.loads(out.read_text())["rows"]
        assert sorted((r["kernel"], r["variant"]) for r in rows if r["ok"]) == sorted((k, v) for k in bw.NAMES for v in SHAPES)


def test_ptx_counts_of_the_shapes() -> None:
    """The PTX (sm_90, built as the library is) says what each shape changes: the rewritten emitted form
    is the emitted form instruction for instruction, without its loop the hand-written `ompx_bare`
    kernel; the 32-bit kernels divide in 32 bits only; the block-per-row jacobi divides once, in 32 bits; `ldg` loads non-coherently; `vec2` loads 16 bytes."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target("nvptx:sm_90")):
        pytest.skip("no NVIDIA offload toolchain here")
    table = bw.ptx_table({"emitted", "bare_k64", "bare_i32", "bare_i32_once", "bare_once", "ompx_bare",
                          "bare_2d", "bare_ldg", "bare_vec2"})
    counts = {(cells[0], cells[1]): dict(zip(bw.PTX_CLASSES, map(int, cells[2:])))
              for cells in ([c.strip() for c in line.strip("|").split("|")] for line in table[2:])}
    for kernel in ("triad__device", "jacobi_step__device"):
        assert counts["bare_k64", kernel] == counts["emitted", kernel]
        assert counts["bare_ldg", kernel]["non-coherent loads"] == counts["emitted", kernel]["global loads"] > 0
        assert counts["bare_i32", kernel]["64-bit div/rem"] == 0 and counts["bare_i32", f"{kernel}#2"] == counts["emitted", kernel]
        assert counts["bare_i32", kernel]["instructions"] < counts["emitted", kernel]["instructions"]
        assert counts["bare_once", kernel] == counts["ompx_bare", kernel]
        assert counts["bare_i32_once", kernel]["64-bit div/rem"] == 0
    assert counts["emitted", "jacobi_step__device"]["64-bit div/rem"] == 1
    assert counts["bare_2d", "jacobi_step__device"]["64-bit div/rem"] == 0
    assert counts["bare_2d", "jacobi_step__device"]["32-bit div/rem"] == 1
    ptx_vec = bw.device_assembly(toolchain.clang, bw.variant_source(
        bw.translated(parse_target("nvptx:sm_90"), True), VARIANTS["bare_vec2"], []), toolchain.flags(parse_target("nvptx:sm_90")))
    assert "ld.global.v2.f64" in ptx_vec and "st.global.v2.f64" in ptx_vec
