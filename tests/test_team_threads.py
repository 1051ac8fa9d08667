"""A two-level team's size from its inner loops' trip count on nvptx (`passes/team_threads.py`,
docs/design.md "Parallelism mapping"): the `thread_limit` each kernel of `tests/kernels/team_threads.py`
and NPBench softmax get, the prelude helper's values, and the kernels against Python, both on
host-offload (whose C keeps `thread_limit(256)`) and as nvptx builds run by the offload runtime's host
fallback (no GPU here), which evaluates the run-time `thread_limit` at each launch."""

from __future__ import annotations

import ctypes
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
from tests.kernels import team_threads
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.targets import parse_target
from translator.toolchain import find_toolchain

PATH = "tests/kernels/team_threads.py"
NVPTX = "nvptx:sm_90"
BOUND = "ompx_attribute(__attribute__((launch_bounds(256))))"
TEAM_LIMITS = {
    "layer_norm": "py2omp_team_threads(x_n1)",
    "leading_scale": "py2omp_team_threads(py2omp_min_i64(py2omp_max_i64((n < 0 ? n + A_n1 : n), 0), A_n1))",
    "halved_rows": "256",
    "lower_rows": "256",
    "given_threads": "64",
}
"""Each kernel's `thread_limit` on nvptx, in its mapped and its device-pointer variant."""


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root, with `PY2OMP_BARE=0`: on nvptx these row loops take the bare row form by default
    (`passes/bare_rows.py`, tests/test_bare_rows.py); the OpenMP team form checked here is the one
    that setting and the other offload targets give."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PY2OMP_BARE", "0")


def _directives(c_source: str, symbol: str) -> list[str]:
    """Each target-teams directive of `symbol`, continuation lines joined into one."""
    lines = c_source.split(f"\nvoid {symbol}(", 1)[1].split("\n}\n", 1)[0].splitlines()
    found: list[str] = []
    current: list[str] | None = None
    for line in lines:
        text = line.strip()
        if text.startswith("#pragma omp target teams"):
            current = []
        if current is not None:
            current.append(text.rstrip("\\ "))
            if not text.endswith("\\"):
                found.append(" ".join(current))
                current = None
    return found


@pytest.mark.parametrize("name", TEAM_LIMITS)
def test_thread_limit_on_nvptx(name: str) -> None:
    """A row length known before the launch (an extent, a scalar parameter) sizes the team, with the
    constant 256 as the compiler's bound; one the region decides (a local assigned in the kernel, the
    team's own loop variable) keeps 256, and the user's `thread_limit=` stays, neither bounded."""
    c_source = translate(PATH, NVPTX).c_source
    for symbol in (name, f"{name}__device"):
        (directive,) = _directives(c_source, symbol)
        assert f"thread_limit({TEAM_LIMITS[name]})" in directive, directive
        assert (BOUND in directive) == TEAM_LIMITS[name].startswith("py2omp_team_threads"), directive


def test_softmax_rows_size_the_team() -> None:
    """NPBench softmax: the row `x[i, j, :]` and `out[i, j, :]`, checked equal before the call, count once."""
    c_source = translate("tests/kernels/npbench/softmax.py", NVPTX).c_source
    for symbol in ("softmax", "softmax__device"):
        (directive,) = _directives(c_source, symbol)
        assert f"thread_limit(py2omp_team_threads(x_n2)) {BOUND}" in directive


@pytest.mark.parametrize("target", ["host-offload", "amdgcn:gfx90a"])
def test_other_targets_keep_the_constant(target: str) -> None:
    """The measurement is NVIDIA's (warps of 32): host-offload and AMD keep `thread_limit(256)`."""
    c_source = translate(PATH, target).c_source
    assert "py2omp_team_threads" not in c_source and "launch_bounds" not in c_source
    (directive,) = _directives(c_source, "layer_norm")
    assert "thread_limit(256)" in directive


def test_helper_values(tmp_path: Path) -> None:
    """`py2omp_team_threads`, compiled from the emitted prelude: the power of two at or below trip / 32,
    within [32, 256] (rows of 64 and 512: 32; of 4096: 128; longer: 256; none or negative: 32)."""
    c_source = translate(PATH, NVPTX).c_source
    helper = re.search(r"static inline int64_t py2omp_team_threads\(int64_t trip\)\n\{\n.*?\n\}\n", c_source, re.DOTALL)
    assert helper is not None
    source = tmp_path / "team_threads.c"
    source.write_text("#include <stdint.h>\n" + helper.group(0).replace("static inline ", ""))
    library = tmp_path / "team_threads.so"
    subprocess.run(["clang-19", "-O2", "-shared", "-fPIC", str(source), "-o", str(library)], check=True)
    threads = ctypes.CDLL(str(library)).py2omp_team_threads
    threads.argtypes, threads.restype = [ctypes.c_int64], ctypes.c_int64
    trips = [-5, 0, 1, 64, 512, 2047, 2048, 4095, 4096, 8191, 8192, 10**9, 2**62]
    assert [threads(t) for t in trips] == [32, 32, 32, 32, 32, 32, 64, 64, 128, 128, 256, 256, 256]


@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in team_threads.CASES.items()])
def test_matches_python_on_host_offload(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(7)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def fallback_report() -> None:
    """Run in a process of its own (`nvptx_fallback`; tests/test_bare.py says why): prints, as JSON,
    each kernel's mismatches against Python on its nvptx build."""
    target = parse_target(NVPTX)
    rng = np.random.default_rng(7)
    print(json.dumps({k.__name__: list(compare_with_python(k, make(rng), target, 1).mismatches)
                      for k, make in team_threads.CASES.items()}))


@pytest.fixture(scope="module")
def nvptx_fallback() -> dict[str, Any]:
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(NVPTX)):
        pytest.skip("no clang-19 with the NVIDIA device pieces here")
    run = subprocess.run([sys.executable, "-c", "from tests.test_team_threads import fallback_report; fallback_report()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=900, env={**os.environ, "KMP_WARNINGS": "0"})
    assert run.returncode == 0, run.stderr[-3000:]
    found: dict[str, Any] = json.loads(run.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize("name", [k.__name__ for k in team_threads.CASES])
def test_nvptx_build_matches_python(name: str, nvptx_fallback: dict[str, Any]) -> None:
    """The nvptx C, its `thread_limit` computed at each launch, computes what Python does."""
    assert nvptx_fallback[name] == []
