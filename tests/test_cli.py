"""The `py2omp` command end to end, as a user runs it (in a subprocess, from the repository root)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import runtime_shim
from tests.conftest import ROOT


def py2omp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "translator", *args], capture_output=True, text=True, cwd=ROOT)


def test_translate_writes_c_and_header(tmp_path: Path) -> None:
    result = py2omp("translate", "examples/saxpy.py", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "saxpy.c"), str(tmp_path / "saxpy.h")]
    assert (tmp_path / "saxpy.c").read_text() == (ROOT / "tests" / "golden" / "saxpy.c").read_text()


def test_translate_ir_prints_typed_ir() -> None:
    result = py2omp("translate", "examples/dot.py", "--ir", "--target", "cpu")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("kernel dot(x: In f64[:], y: In f64[:]) -> f64\n  local s: f64\n  s:f64 = 0.0:f64\n")


def test_build_output_runs_with_runtime_shim_alone(tmp_path: Path) -> None:
    result = py2omp("build", "examples/dot.py", "--target", "host-offload", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "dot.json").read_text())
    assert manifest["target"] == "host-offload" and manifest["kernels"][0]["returns"] == "float64"
    x = np.random.default_rng().standard_normal(1000)
    assert np.isclose(runtime_shim.load(tmp_path).dot(x, x), x @ x)


def test_unknown_target_is_a_clear_error() -> None:
    result = py2omp("build", "examples/dot.py", "--target", "gpu")
    assert result.returncode == 2
    assert result.stderr.startswith("py2omp: error: unknown target 'gpu'; valid targets:")


def test_demo_checks_every_example() -> None:
    result = py2omp("demo", "--target", "host-offload")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    examples = len(list((ROOT / "examples").glob("*.py")))
    matches = sum(line.endswith("  match") for line in lines)
    assert matches >= examples
    assert lines[-1] == f"{matches} passed, 0 failed"


def test_doctor_reports_working_targets() -> None:
    result = py2omp("doctor")
    assert result.returncode == 0, result.stdout
    assert "  host-offload   ok" in result.stdout and "  cpu            ok" in result.stdout
