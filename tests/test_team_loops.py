"""Host time loops run as one team's region (`passes/team_loops.py`): the C keeps both forms and
takes the team's where every region's trip count is at most the limit (`PY2OMP_TEAM_LOOPS`); the
kernels of tests/kernels/team_loops.py match Python on host-offload on both sides of the limit,
and the loops that must keep their launches do."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import team_loops
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.settings import TEAM_LOOP_LIMIT, team_loop_limit
from translator.targets import parse_target

PATH = "tests/kernels/team_loops.py"
LIMIT = 100
"""Below the larger and above the smaller size each kernel runs at."""


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root, with team loops on host-offload too. Their fallback launches synchronously there
    (the default off GPUs; tests/test_launches.py runs the `nowait` form): one intermittent crash in a
    full suite run under load, not reproduced in 12 runs of this file, was seen with both on."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PY2OMP_TEAM_LOOPS", str(LIMIT))


def _code(name: str) -> list[str]:
    """The pragmas, `if`s and loop headers of the GPU's C function `name`, stripped (continuations joined)."""
    text = translate(PATH, "nvptx:sm_90").c_source.replace(" \\\n", " ")
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if f" {name}(" in line and not line.startswith("/*"))
    body = [" ".join(line.split()) for line in lines[start:lines.index("}", start)] if not line.startswith("#line")]
    return [line for line in body if line.startswith(("#pragma", "for", "if", "} else"))]


@pytest.mark.parametrize("size", [40, 400], ids=["team", "launches"])
@pytest.mark.parametrize("k,make_args", list(team_loops.CASES.items()), ids=[k.__name__ for k in team_loops.CASES])
def test_matches_python(k: Kernel, make_args: Any, size: int) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(size), size), parse_target("host-offload"),
                                 repeats=1)
    assert result.ok, result.mismatches


def test_time_loop_runs_in_one_team_below_the_limit() -> None:
    """Both stencils of a step become worksharing loops of one region; the launches stay as the other branch."""
    code = _code("jacobi_1d")
    assert code[1] == f"if ((B_n0 - 1 - 1) <= {LIMIT} && (A_n0 - 1 - 1) <= {LIMIT}) {{"
    assert code[2].startswith("#pragma omp target parallel num_threads(1024) map(tofrom: A[0:")
    assert code[3:6] == ["for (int64_t t = 1; t < tsteps; t += 1) {", "#pragma omp for schedule(static, 1)",
                         "for (int64_t i__1 = 1; i__1 < B_n0 - 1; i__1 += 1) {"]
    assert code[6] == "#pragma omp for schedule(static, 1)"
    assert code[8] == "} else {" and code[9] == "for (int64_t t = 1; t < tsteps; t += 1) {"
    assert code[10].startswith("#pragma omp target teams ompx_bare ")  # elementwise: bare on nvptx (passes/bare.py)
    assert "nowait" not in code[10]  # synchronous launches by default (translator.settings.asynchronous_launches)


def test_collapsed_regions_keep_their_collapse() -> None:
    code = _code("jacobi_2d")
    assert code[1] == f"if (((B_n0 - 1 - 1) * (B_n1 - 1 - 1)) <= {LIMIT} && ((A_n0 - 1 - 1) * (A_n1 - 1 - 1)) <= {LIMIT}) {{"
    assert code[4] == "#pragma omp for collapse(2) schedule(static, 1)"


def test_device_entry_point_passes_device_pointers() -> None:
    code = _code("heat_1d__device")
    assert code[0] == f"if ((n - 1) <= {LIMIT} && (n - 1 - 1) <= {LIMIT} && (1) <= {LIMIT}) {{"
    assert code[1] == "#pragma omp target parallel num_threads(1024) is_device_ptr(flux, u, source)"


def test_the_team_waits_for_the_regions_launched_before_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With asynchronous launches (`PY2OMP_ASYNC=1`), `wave` sets its arrays up with `nowait` regions
    before the loop: the team's region follows them on the order variable (without it, the GPU ran
    both at once: five corpus kernels went wrong)."""
    monkeypatch.setenv("PY2OMP_ASYNC", "1")
    code = _code("wave")
    team = next(line for line in code if line.startswith("#pragma omp target parallel"))
    assert team.endswith(" nowait depend(inout: py2omp_order)")
    before = code[:code.index(team)]
    assert sum(line.endswith(" nowait depend(inout: py2omp_order)") for line in before) == 3


def test_the_team_runs_after_asynchronous_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both on host-offload, where the `nowait` regions run on the offload runtime's helper threads."""
    monkeypatch.setenv("PY2OMP_ASYNC", "1")
    for seed in range(3):
        result = compare_with_python(team_loops.wave, (6, np.random.default_rng(seed).random(60), np.empty(60)),
                                     parse_target("host-offload"), repeats=1)
        assert result.ok, result.mismatches


@pytest.mark.parametrize("name", ["converge", "sampled"])
def test_loops_the_host_reads_from_keep_their_launches(name: str) -> None:
    assert not any("target parallel" in line for line in _code(name))


def test_limit_defaults_to_gpus_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PY2OMP_TEAM_LOOPS")
    assert team_loop_limit(parse_target("nvptx:sm_90")) == TEAM_LOOP_LIMIT
    assert team_loop_limit(parse_target("host-offload")) == 0
    monkeypatch.setenv("PY2OMP_TEAM_LOOPS", "0")
    assert team_loop_limit(parse_target("nvptx:sm_90")) == 0
    assert not any("target parallel" in line for line in _code("jacobi_1d"))


def test_a_failed_gather_raises_after_the_steps() -> None:
    x, idx, y = np.random.default_rng(3).random(20), np.array([0, 5, 20]), np.empty(3)
    with pytest.raises(IndexError, match=r"^gather_steps\(\): index out of range for 'x' at .*team_loops.py:44$"):
        team_loops.gather_steps(3, x, idx, y)
