"""bench/call_overhead.py's GPU mode, run on host-offload as far as it goes without CuPy: the
overhead kernels built as build_gpu.py's part `overhead` builds them, loaded as on the GPU machine,
the status word checks passing with both kinds of word, every py2omp call timed beside its raw
ctypes call, and the parts of one call; without CuPy the mode itself refuses with a message."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import runtime_shim
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import call_overhead as co  # noqa: E402


def test_the_gpu_mode_times_every_call_and_both_kinds_of_status_word(tmp_path: Path) -> None:
    co.build(tmp_path, "host-offload")
    library = runtime_shim.load(tmp_path / "overhead")
    figures = co.gpu_figures(library, None, lambda: None, count=3, runs=1)
    assert figures["status word checks"] == {"host": "ok", "device": "ok"}
    per_call, share = figures["us per call"], figures["Python's share us"]
    kernels = ("tiny_saxpy", "tiny_gemv", "tiny_atax", "tiny_gather")
    assert set(share) == {"empty_region py2omp"} | {f"{k} py2omp DeviceArray {kind} word" for k in kernels for kind in co.STATUS_KINDS}
    assert set(per_call) == set(share) | {f"{k} raw ctypes" for k in ("empty_region", *kernels)} | {
        "tiny_saxpy walk alone", "tiny_saxpy walk then raw ctypes"}
    assert all(value > 0 for value in per_call.values())
    parts = figures["tiny_gather parts us"]
    assert list(parts) == [f"{kind} word, DeviceArray" for kind in co.STATUS_KINDS]
    assert all(list(p) == list(co.BREAKDOWN) for p in parts.values())
    table = co.markdown(figures)
    assert "| tiny_gather py2omp DeviceArray host word |" in table and "| read word |" in table


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="CuPy is installed here")
def test_the_gpu_mode_needs_cupy(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "bench/call_overhead.py", "gpu", str(tmp_path), str(tmp_path / "out.json")],
                          cwd=ROOT, capture_output=True, text=True)
    assert (done.returncode, done.stderr.strip()) == (
        1, "call_overhead.py gpu needs CuPy (on the GPU machine: source .gpu/enter.sh first)")
