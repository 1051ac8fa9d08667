"""Asynchronous launches (`passes/launches.py`): a kernel's sequence of target regions is launched
`nowait` with `depend(inout: py2omp_order)`, the host waiting (`taskwait`) only where it needs
their results; the kernels of tests/kernels/launches.py still match Python on host-offload
(`PY2OMP_ASYNC=1`), where the regions really run asynchronously (on the offload runtime's helper
threads)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import runtime_shim
from tests.conftest import ROOT
from tests.kernels import launches
from translator.api import Kernel
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.settings import translation_settings
from translator.targets import parse_target

PATH = "tests/kernels/launches.py"


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the root, with asynchronous launches on host-offload too (by default on GPUs only), and no
    host loop run as one team's region (tests/test_team_loops.py), so that the GPU's C shows the launches."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PY2OMP_ASYNC", "1")
    monkeypatch.setenv("PY2OMP_TEAM_LOOPS", "0")


def _code(name: str, path: str = PATH) -> list[str]:
    """The pragmas and loop headers of the C function `name` for the GPU, stripped, without `#line`s
    (continuation lines of a pragma joined)."""
    text = translate(path, "nvptx:sm_90").c_source.replace(" \\\n", " ")
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if f" {name}(" in line and not line.startswith("/*"))
    body = [" ".join(line.split()) for line in lines[start:lines.index("}", start)] if not line.startswith("#line")]
    return [line for line in body if line.startswith(("#pragma", "for", "while", "char"))]


@pytest.mark.parametrize("k,make_args", list(launches.CASES.items()), ids=[k.__name__ for k in launches.CASES])
def test_matches_python(k: Kernel, make_args: Any) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def test_host_loop_launches_nowait_and_waits_once() -> None:
    """Both regions of each step are ordered and not waited for; one wait ends the data region."""
    code = _code("pingpong")
    assert code[0] == "char py2omp_order;" and code[1].startswith("#pragma omp target data ")
    assert code[2] == "for (int64_t t = 0; t < tsteps; t += 1) {"
    regions = [line for line in code if line.startswith("#pragma omp target teams")]
    assert len(regions) == 2 and all(line.endswith(" nowait depend(inout: py2omp_order)") for line in regions)
    assert code[-1] == "#pragma omp taskwait" and sum("taskwait" in line for line in code) == 1


def test_device_entry_point_waits_before_returning() -> None:
    code = _code("pingpong__device")
    assert code[0] == "char py2omp_order;" and code[-1] == "#pragma omp taskwait"
    assert sum("nowait depend(inout: py2omp_order)" in line for line in code) == 2


def test_a_reduction_the_host_reads_stays_synchronous() -> None:
    """The convergence test reads `change`: its region waits for the sweep before it and runs
    synchronously; the copy after it is launched `nowait` again."""
    pragmas = [line for line in _code("relax") if line.startswith("#pragma omp t")]
    assert [("reduction" in p, "nowait" in p) for p in pragmas if "target teams" in p] == [
        (False, True), (True, False), (False, True)]
    assert [" ".join(p.split()[2:4]) for p in pragmas] == [
        "target data", "target teams", "taskwait", "target teams", "target teams", "taskwait"]


def test_a_complex128_the_host_assigns_is_read_by_a_synchronous_region() -> None:
    """clang 19 passes a scalar wider than a pointer by reference and a deferred launch copies it when
    it runs, after the host has assigned the next step's value (wrong results on an H100): each region
    that reads `w` waits for the regions before it and runs synchronously; the sum is still deferred."""
    pragmas = [line for line in _code("rotate_series") if line.startswith("#pragma omp t")]
    assert [("nowait" in p) for p in pragmas if "target teams" in p] == [False, False, True]
    assert [" ".join(p.split()[2:4]) for p in pragmas] == [
        "target data", "taskwait", "target teams", "taskwait", "target teams", "target teams", "taskwait"]


def test_no_wait_is_emitted_where_nothing_was_launched_before_it() -> None:
    """NPBench go_fast: its reduction region comes first and runs synchronously, and a `taskwait`
    before it would wait for nothing; the region after it is waited for before the return."""
    pragmas = [" ".join(p.split()[2:4]) for p in _code("go_fast__device", "tests/kernels/npbench/go_fast.py")
               if p.startswith("#pragma omp t")]
    assert pragmas == ["target teams", "target teams", "taskwait"]


def test_temporaries_alone_keep_synchronous_launches() -> None:
    """A host loop whose only region makes temporaries (freed right after it) gains nothing: the C is
    what it was."""
    assert not any("nowait" in line or "taskwait" in line for line in _code("scaled_rows"))


def test_one_region_stays_synchronous() -> None:
    assert not any("nowait" in line or "taskwait" in line for line in _code("saxpy", "examples/saxpy.py"))


def test_failed_check_raises_after_the_steps() -> None:
    """A gather out of range in the first step: the later steps ran, and the call raises Python's
    error with the line of the gather."""
    idx = np.arange(33)
    idx[5] = 40
    compiled = launches.gather_steps.library(parse_target("host-offload")).kernels["gather_steps"]
    with pytest.raises(IndexError, match=r"^gather_steps\(\): index out of range for 'x' at .*launches.py:68$"):
        compiled(3, np.ones(40), idx, np.empty(33))
    with pytest.raises(IndexError):
        launches.gather_steps.py_func(3, np.ones(40), idx, np.empty(33))


def test_device_arrays_take_the_device_entry_point() -> None:
    rng = np.random.default_rng(5)
    A, B = rng.random(200), rng.random(200)
    expected_A, expected_B = A.copy(), B.copy()
    launches.pingpong.py_func(40, expected_A, expected_B)
    compiled = launches.pingpong.library(parse_target("host-offload")).kernels["pingpong"]
    dA, dB = runtime_shim.to_device(A), runtime_shim.to_device(B)
    compiled(40, dA, dB)
    assert np.allclose(dA.to_numpy(), expected_A, rtol=1e-14) and np.allclose(dB.to_numpy(), expected_B, rtol=1e-14)


def test_py2omp_async_0_keeps_every_launch_synchronous(monkeypatch: pytest.MonkeyPatch) -> None:
    asynchronous = translation_settings()
    monkeypatch.setenv("PY2OMP_ASYNC", "0")
    assert translation_settings() != asynchronous  # the call index keys its records by it
    c_source = translate(PATH, "nvptx:sm_90").c_source
    assert "nowait" not in c_source and "taskwait" not in c_source and "py2omp_order" not in c_source


def test_every_target_launches_synchronously_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Since the host waits by spinning (runtime_shim.host_wait), synchronous launches were faster on
    an H100 than `nowait` ones in every kernel that had them (translator.settings)."""
    monkeypatch.delenv("PY2OMP_ASYNC")
    assert "nowait" not in translate(PATH, "host-offload").c_source
    assert "nowait" not in translate(PATH, "nvptx:sm_90").c_source
