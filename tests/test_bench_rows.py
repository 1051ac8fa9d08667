"""bench/row_variants.py: the softmax variants change the emitted C as they say, build for host-offload
and run there through `run` against NumPy on tiny shapes (the GPU run times them against CuPy), and
build for nvptx, the hand-written bare kernels without calls into the OpenMP device runtime."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from translator.targets import parse_target
from translator.toolchain.discover import find_toolchain

sys.path.insert(0, str(ROOT / "bench"))
import row_variants as rv  # noqa: E402

VARIANTS = {v.name: v for v in rv.VARIANTS}
NVPTX = "nvptx:sm_90"


@pytest.fixture(scope="module")
def emitted() -> str:
    """The emitted nvptx `softmax__device` in the OpenMP team form, which every OpenMP variant edits."""
    return rv.device_function(rv.emitted_source(parse_target(NVPTX), "team"), rv.NAME)


def edited(function: str, name: str) -> str:
    return rv.variant_function(function, VARIANTS[name])


def test_each_variant_is_a_different_build(emitted: str) -> None:
    builds = {(edited(emitted, v.name), v.add, v.form) for v in rv.VARIANTS}
    assert len(builds) == len(VARIANTS) == len(rv.VARIANTS)
    assert VARIANTS["assume"].add == ("-fopenmp-assume-no-thread-state", "-fopenmp-assume-no-nested-parallelism")
    assert edited(emitted, "emitted") == emitted and "#line" not in emitted


def test_launch_edits(emitted: str) -> None:
    assert ("num_teams(py2omp_num_teams(x_n0 * x_n1, 1)) \\\n        thread_limit(py2omp_team_threads(x_n2)) \\\n"
            "        ompx_attribute(__attribute__((launch_bounds(256))))") in emitted
    for threads in (64, 256):
        constant = edited(emitted, f"threads{threads}")
        assert f"thread_limit({threads}) \\\n        is_device_ptr" in constant
        assert "py2omp_team_threads(x_n2)" not in constant and "launch_bounds" not in constant
    assert "num_teams(py2omp_num_teams(x_n0 * x_n1, 4))" in edited(emitted, "rows_per_team4")
    assert "num_teams(1056)" in edited(emitted, "teams1056") and "py2omp_num_teams" not in edited(emitted, "teams1056")


def test_the_max_as_one_reduction(emitted: str) -> None:
    """Each form reduces the max once; the class (`max__1_seen`) is gone from all but the emitted."""
    assert "reduction(max: max__1, max__1_seen)" in emitted
    declared, keyed, plain = (edited(emitted, n) for n in ("max_declare_reduction", "max_int_key", "max_plain"))
    assert "reduction(py2omp_nanmax: max__1)" in declared and "reduction(max: max__1)" in plain
    assert "reduction(max: max__1_key)" in keyed and "int32_t max__1_key;" in keyed
    assert "max__1_key = py2omp_rows_imax(max__1_key, py2omp_rows_key(x[(i * x_n1 + j) * x_n2 + k__2]));" in keyed
    assert "max__1 = py2omp_rows_unkey(max__1_key);" in keyed and "max__1 = (x[" not in keyed
    assert all("_seen" not in f for f in (declared, keyed, plain))
    assert all(f.count("#pragma omp parallel for") == 4 for f in (declared, keyed, plain))


def test_fused_exp_sum(emitted: str) -> None:
    """The exp's loop sums what it writes: three loops, the sum started before them."""
    fused = edited(emitted, "fused_exp_sum")
    assert fused.count("#pragma omp parallel for") == 3 and "k__6" not in fused
    assert re.search(r"sum__5 = 0\.0f;\n\s*#pragma omp parallel for reduction\(\+: sum__5\)\n\s*for \(int64_t i__3 = 0; "
                     r"[^\n]*\n\s*out\[(?P<at>[^\n]*)\] = expf\([^\n]*\n\s*sum__5 = sum__5 \+ out\[(?P=at)\];\n", fused)


def test_an_emitted_form_the_edits_do_not_know_is_refused(emitted: str) -> None:
    with pytest.raises(ValueError, match="thread_limit"):
        edited(emitted.replace("thread_limit(py2omp_team_threads(x_n2))", "thread_limit(128)"), "threads64")
    with pytest.raises(ValueError, match="max__1_seen on 3 lines, not 4"):
        edited(emitted.replace("int64_t max__1_seen;", ""),
               "max_declare_reduction")


def test_host_offload_variants_run_and_a_wrong_one_is_caught(tmp_path: Path) -> None:
    """Built for host-offload and run through `run` on tiny shapes (no CuPy here: no peer), the NaN
    rows included (rows of 7 held in registers by `bare_warp_held`, of 300 not); a variant that leaves each row's last element unwritten fails its check (the output
    is NaN-filled first) and makes `run` fail."""
    chosen = {"max_int_key", "fused_exp_sum", "bare_warp_held"}
    folder = tmp_path / "variants"
    built = rv.build(folder, "host-offload", chosen)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{n}.so" for n in chosen)
    toolchain, target = find_toolchain(), parse_target("host-offload")
    assert toolchain is not None
    c_source = rv.emitted_source(target, "team")
    wrong = rv.variant_source(c_source, VARIANTS["emitted"], []).replace("i__4 < out_n2;", "i__4 < out_n2 - 1;")
    assert wrong.count("i__4 < out_n2 - 1;") == 1
    rv.compile_variant(toolchain.clang, wrong, folder / "wrong.so", toolchain.flags(target))
    out = tmp_path / "report.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "row_variants.py"), "run", str(folder), str(out),
                          "--shapes", "3x5x7,2x3x300", "--repeats", "3", "--calls", "2"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "KMP_WARNINGS": "0"})
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    assert sorted((r["row"], r["variant"]) for r in rows) == sorted((n, v) for n in (7, 300) for v in chosen | {"wrong"})
    assert sorted((r["row"], r["variant"]) for r in rows if not r["ok"]) == [(7, "wrong"), (300, "wrong")]
    assert all(r["nan_ok"] for r in rows if r["variant"] != "wrong")
    assert all(r["GBps"] > 0 and r["of_cupy"] is None for r in rows) and len(built) == len(chosen)


def test_variants_compile_for_nvptx_and_the_bare_kernels_call_no_runtime(tmp_path: Path) -> None:
    """The GPU build (sm_90) of the reductions' forms, a flag and the bare kernels; the bare kernels' PTX
    calls nothing of the OpenMP device runtime (a bare region starts without its state), shuffles, and
    keeps what it holds in registers."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(NVPTX)):
        pytest.skip("no NVIDIA offload toolchain here")
    bare = {"bare_warp", "bare_warp_held", "bare_block", "emitted_bare"}
    chosen = {"max_declare_reduction", "max_int_key", "declare_fused_assume", *bare}
    built = rv.build(tmp_path, NVPTX, chosen)
    assert len(built) == len(chosen) and {p.suffix for p in tmp_path.iterdir()} == {".so"}
    target = parse_target(NVPTX)
    flags = [f for f in toolchain.flags(target) if f not in ("-shared", "-fPIC", "-lm") and not f.startswith(("-L", "-Wl"))]
    for name in sorted(bare):
        path = tmp_path / f"{name}.c"
        path.write_text(rv.variant_source(rv.emitted_source(target, VARIANTS[name].form), VARIANTS[name], []))
        ptx = subprocess.run([toolchain.clang, str(path), *flags, "--offload-device-only", "-S", "-o", "-"],
                             check=True, capture_output=True, text=True).stdout
        entries = re.findall(r"\.entry __omp_offloading_\w+\((.*?)\n}", ptx, flags=re.DOTALL)
        assert entries and all("__kmpc" not in e and "shfl.sync.bfly" in e for e in entries), name
        assert all(".local" not in e for e in entries), name  # `held` in registers, not in local memory
