"""bench/runtime_trace.py and bench/context_flags.py read the offload runtime's own time trace
(`LIBOMPTARGET_PROFILE`): here a real trace, written by the runtime on host-offload for a known
number of saxpy calls (one target region each), must give one region per call and the calls' own
launch scopes; the GPU run reads the same format for the NPBench kernels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import context_flags  # noqa: E402
import runtime_trace  # noqa: E402

CALLS = 7
SCRIPT = f"""
import sys
import numpy as np
sys.path.insert(0, {str(ROOT / 'examples')!r})
from saxpy import saxpy
call = saxpy.library("host-offload").kernels["saxpy"]
rng = np.random.default_rng(5)
x, y = rng.standard_normal(4096).astype(np.float32), rng.standard_normal(4096).astype(np.float32)
expected = y.copy()
for _ in range({CALLS}):
    call(2.0, x, y)
    expected = np.float32(2.0) * x + expected
assert np.allclose(y, expected, rtol=1e-5), "saxpy differs from NumPy"
"""


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime's trace of `CALLS` saxpy calls on host-offload (written when the process exits)."""
    path = tmp_path_factory.mktemp("trace") / "trace.json"
    env = {**os.environ, "LIBOMPTARGET_PROFILE": str(path), "LIBOMPTARGET_PROFILE_GRANULARITY": "0",
           "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True, timeout=600, cwd=ROOT)
    return path


def test_a_call_of_one_region_is_one_region_per_call(trace: Path) -> None:
    events = runtime_trace.scopes(trace)
    found = runtime_trace.summary(events, CALLS, wall_ms=1.0)
    assert found["regions_per_call"] == 1.0
    assert found["scopes"]["Kernel Target"]["count"] == 1.0
    assert found["scopes"]["Runtime: target exe"]["us_per_call"] == pytest.approx(found["region_us_per_call"])
    assert found["outside_regions_us_per_call"] == pytest.approx(1000.0 - found["region_us_per_call"])
    assert not any(name.startswith("Total ") for name in found["scopes"])


def test_context_flags_reads_the_last_calls_of_the_trace(trace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_flags, "CALLS", 3)
    found = context_flags.runtime_trace(trace)
    regions = sorted((e for e in json.loads(trace.read_text())["traceEvents"] if e["name"] == "Runtime: target exe"),
                     key=lambda e: e["ts"])[-3:]
    assert found["regions"] == 3
    assert found["region_us"] == pytest.approx(sum(e["dur"] for e in regions) / 3)
    assert found["between_us"] == pytest.approx(sum(b["ts"] - a["ts"] - a["dur"] for a, b in zip(regions, regions[1:])) / 2)
