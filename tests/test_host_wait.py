"""How the host waits for the GPU (runtime_shim/host_wait.py): before the first CUDA library loads,
each device whose primary context nobody activated is created with `PY2OMP_CUDA_WAIT`'s scheduling
flag and retained, so that the offload runtime's CUDA plugin finds it active and keeps the flag
(it would set `CU_CTX_SCHED_BLOCKING_SYNC`); a context already active keeps its own. Checked with
the stand-in driver (tests/native/fake_cuda.c), which records each device's flags and retains."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime_shim import host_wait, registration
from tests.conftest import ROOT
from tests.test_registration import fake_cuda  # noqa: F401 (fixture)


class Fake:
    """The stand-in's per-device state, reset for each test."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.cdll = cdll
        self.devices = ctypes.c_int.in_dll(cdll, "fake_devices")
        self.active = (ctypes.c_int * 8).in_dll(cdll, "fake_active")
        self.sched = (ctypes.c_uint * 8).in_dll(cdll, "fake_sched")
        self.retains = (ctypes.c_int * 8).in_dll(cdll, "fake_retains")

    def reset(self, devices: int) -> None:
        self.devices.value = devices
        for i in range(8):
            self.active[i], self.sched[i], self.retains[i] = 0, 0, 0


@pytest.fixture()
def fake(fake_cuda: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:  # noqa: F811
    """Three devices, none active; `host_wait.prepare` not yet run in this process's eyes."""
    monkeypatch.setenv(registration.LIBRARY_ENV, str(fake_cuda))
    monkeypatch.setattr(host_wait, "_DONE", [])
    found = Fake(ctypes.CDLL(str(fake_cuda)))
    found.reset(3)
    yield found
    found.reset(2)


def fresh_driver(fake: Fake) -> registration.Driver:
    """A driver with no context retained yet (the process-wide one remembers earlier tests' contexts)."""
    return registration.Driver(fake.cdll)


def test_inactive_contexts_are_created_with_the_chosen_flag_and_retained(fake: Fake) -> None:
    assert host_wait.schedule_devices(fresh_driver(fake), host_wait.FLAGS["spin"]) == [0, 1, 2]
    assert list(fake.sched[:3]) == [1, 1, 1]
    assert list(fake.active[:3]) == [1, 1, 1]
    assert list(fake.retains[:3]) == [1, 1, 1]


def test_an_active_context_keeps_the_flag_its_owner_chose(fake: Fake) -> None:
    fake.active[1], fake.sched[1] = 1, host_wait.FLAGS["blocking"]
    assert host_wait.schedule_devices(fresh_driver(fake), host_wait.FLAGS["auto"]) == [0, 2]
    assert list(fake.sched[:3]) == [0, 4, 0]
    assert list(fake.retains[:3]) == [1, 0, 1]


@pytest.mark.parametrize("value, expected", [("", 0), ("auto", 0), ("spin", 1), ("Yield", 2), ("blocking", 4),
                                             ("runtime", None)])
def test_the_setting_names_a_flag_or_leaves_it_to_the_runtime(value: str, expected: int | None,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(host_wait.WAIT_ENV, value)
    assert host_wait.chosen_flags() == expected


def test_a_bad_setting_is_an_error_naming_the_variable(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(host_wait.WAIT_ENV, "fast")
    with pytest.raises(ValueError) as error:
        host_wait.prepare()
    assert str(error.value) == "PY2OMP_CUDA_WAIT='fast': expected one of auto, spin, yield, blocking, runtime"
    assert list(fake.retains[:3]) == [0, 0, 0]


def test_prepare_sets_the_flags_once_per_process(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(host_wait.WAIT_ENV, "yield")
    monkeypatch.setattr(registration, "driver", lambda: fresh_driver(fake))
    host_wait.prepare()
    assert list(fake.sched[:3]) == [2, 2, 2] and list(fake.retains[:3]) == [1, 1, 1]
    fake.reset(3)
    host_wait.prepare()  # a second library's load: the devices are the runtime's already
    assert list(fake.retains[:3]) == [0, 0, 0]


def test_runtime_leaves_every_context_to_the_offload_runtime(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(host_wait.WAIT_ENV, "runtime")
    monkeypatch.setattr(registration, "driver", lambda: fresh_driver(fake))
    host_wait.prepare()
    assert list(fake.active[:3]) == [0, 0, 0] and list(fake.retains[:3]) == [0, 0, 0]


def test_without_a_driver_prepare_does_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(registration.LIBRARY_ENV, str(tmp_path / "no-such-libcuda.so"))
    monkeypatch.setattr(host_wait, "_DONE", [])
    host_wait.prepare()
    assert host_wait._DONE == [True]


LOAD_AND_CALL = """
import ctypes, json, os, sys
import numpy as np
sys.path.insert(0, "examples")
from saxpy import saxpy
fake = ctypes.CDLL(os.environ["PY2OMP_LIBCUDA"])
x, y = np.arange(8, dtype=np.float32), np.ones(8, np.float32)
saxpy.library(sys.argv[1]).kernels["saxpy"](2.0, x, y)
print(json.dumps({"retains": list((ctypes.c_int * 8).in_dll(fake, "fake_retains")[:2]),
                  "sched": list((ctypes.c_uint * 8).in_dll(fake, "fake_sched")[:2]), "y": y.tolist()}))
"""


@pytest.mark.parametrize("target, wait, retains, sched", [
    ("nvptx:sm_90", "", [1, 1], [0, 0]), ("nvptx:sm_90", "spin", [1, 1], [1, 1]),
    ("nvptx:sm_90", "runtime", [0, 0], [0, 0]), ("host-offload", "spin", [0, 0], [0, 0])])
def test_loading_a_cuda_library_sets_the_flag_first(target: str, wait: str, retains: list[int], sched: list[int],
                                                    fake_cuda: Path) -> None:  # noqa: F811
    """A library built for nvptx (run here on the offload runtime's host fallback) loads after every
    device's context was made with the flag; a host-offload library leaves the driver alone."""
    from translator.targets import parse_target
    from translator.toolchain.discover import find_toolchain

    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(parse_target(target)):
        pytest.skip(f"no toolchain for {target} here")
    env = {**os.environ, registration.LIBRARY_ENV: str(fake_cuda), host_wait.WAIT_ENV: wait, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", LOAD_AND_CALL, target], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    found = json.loads(run.stdout.splitlines()[-1])
    assert (found["retains"], found["sched"]) == (retains, sched)
    assert found["y"] == [1.0 + 2.0 * k for k in range(8)]
