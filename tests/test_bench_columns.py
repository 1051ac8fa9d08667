"""bench/column_sums.py: both forms build for nvptx (the bare column form and the OpenMP loop) and run
here through `run` on the offload runtime's host fallback against NumPy on small shapes (the GPU run
times them against CuPy); a form that leaves a row out fails its check and makes `run` fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from translator.targets import parse_target
from translator.toolchain.discover import find_toolchain

sys.path.insert(0, str(ROOT / "bench"))
import column_sums as cs  # noqa: E402

NVPTX = "nvptx:sm_90"


def test_forms_build_and_run_and_a_wrong_one_is_caught(tmp_path: Path) -> None:
    toolchain, target = find_toolchain(), parse_target(NVPTX)
    if toolchain is None or toolchain.missing_for(target):
        pytest.skip("no clang-19 with the NVIDIA device pieces here")
    folder = tmp_path / "forms"
    built = cs.build(folder, NVPTX)
    assert sorted(p.name for p in built) == ["bare_columns.so", "bare_columns_unroll4.so", "openmp_loop.so"]
    flags = toolchain.flags(target)
    source = cs.form_source(target, "bare_columns", flags)
    assert "py2omp_col_sum_f64(sum__2)" in source and "py2omp_col_" not in cs.form_source(target, "openmp_loop", flags)
    unrolled = cs.form_source(target, "bare_columns_unroll4", flags)
    assert f"#pragma unroll 4\n            {cs.ROWS_LOOP}" in unrolled and "#pragma unroll" not in source
    wrong = source.replace("k__3 < a_n0;", "k__3 < a_n0 - 1;")
    assert wrong.count("k__3 < a_n0 - 1;") == 1
    cs.compile_variant(toolchain.clang, wrong, folder / "wrong.so", flags)
    out = tmp_path / "report.json"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "column_sums.py"), "run", str(folder), str(out),
                          "--shapes", "300x70,5x40", "--repeats", "3", "--calls", "2"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "KMP_WARNINGS": "0"})
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    forms = ("bare_columns", "bare_columns_unroll4", "openmp_loop", "wrong")
    assert sorted((tuple(r["shape"]), r["variant"]) for r in rows) == sorted((s, v) for s in ((300, 70), (5, 40)) for v in forms)
    assert sorted(tuple(r["shape"]) for r in rows if not r["ok"]) == [(5, 40), (300, 70)]
    assert all(r["variant"] == "wrong" for r in rows if not r["ok"])
    assert all(r["GBps"] > 0 and r["of_cupy"] is None for r in rows)
