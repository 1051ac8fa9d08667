"""Registering NumPy arrays with the CUDA driver instead of staging them (`PY2OMP_REGISTER=1`,
runtime_shim/registration.py), on host-offload with a stand-in driver (tests/native/fake_cuda.c,
named in PY2OMP_LIBCUDA) that answers registrations as the driver does: a registered copy is then
one direct `omp_target_memcpy`, which must give the maps' results and `kernel.stats`; where the
driver is absent or refuses, the call stages through the pinned pool instead."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import runtime_shim
from runtime_shim import registration, staging
from tests.kernels import staging as kernels

ROOT = Path(__file__).resolve().parent.parent
N = 100_003


@pytest.fixture(scope="module")
def fake_cuda(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stand-in driver, built once."""
    clang = shutil.which("clang-19") or shutil.which("clang")
    if clang is None:
        pytest.skip("no clang to build the stand-in library")
    path = tmp_path_factory.mktemp("cuda") / "libfakecuda.so"
    subprocess.run([clang, "-O2", "-shared", "-fPIC", str(ROOT / "tests/native/fake_cuda.c"), "-o", str(path)],
                   check=True)
    return path


@pytest.fixture()
def driver(fake_cuda: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ctypes.CDLL]:
    """Registration on for host-offload through the stand-in; staging from 64 KiB in 64 KiB chunks."""
    monkeypatch.setenv(registration.LIBRARY_ENV, str(fake_cuda))
    for name, value in (("kinds", frozenset({"host-offload"})), ("register_kinds", frozenset({"host-offload"})),
                        ("register", "1"), ("min_bytes", 64 << 10), ("chunk_bytes", 64 << 10), ("buffers", 3)):
        monkeypatch.setattr(staging.SETTINGS, name, value)
    fake = ctypes.CDLL(str(fake_cuda))
    yield fake
    _int(fake, "fake_status").value = 0


@pytest.fixture()
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes the staging pool moved (one entry per pooled copy)."""
    moved: list[int] = []
    pipeline = staging._pipeline

    def counted(pool: Any, nbytes: int, *stages: Any) -> None:
        moved.append(nbytes)
        pipeline(pool, nbytes, *stages)

    monkeypatch.setattr(staging, "_pipeline", counted)
    return moved


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(14)


def _int(fake: ctypes.CDLL, name: str) -> ctypes.c_int:
    return ctypes.c_int.in_dll(fake, name)


def saxpy(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, runtime_shim.KernelStats]:
    """One saxpy call on random float32 arrays: the result, Python's, and the call's stats."""
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    expected = y.copy()
    kernels.saxpy.py_func(np.float32(1.75), x, expected)
    compiled = kernels.saxpy.library("host-offload").saxpy
    compiled.stats.reset()
    compiled(np.float32(1.75), x, y)
    return y, expected, compiled.stats


def test_registration_is_kept_by_default_and_for_cuda_only() -> None:
    """`PY2OMP_REGISTER`: unset or "keep" keeps arrays registered across calls (`kept`), "1" registers
    around each copy alone, "0" never; anything else is refused with the values it takes."""
    script = "from runtime_shim import staging; s = staging.SETTINGS; print(s.keeps('nvptx:sm_90'), s.registers('nvptx:sm_90'))"
    for value, expected in (("", "True False"), ("keep", "True False"), ("1", "False True"), ("0", "False False")):
        env = {**{k: v for k, v in os.environ.items() if k != "PY2OMP_REGISTER"}, **({"PY2OMP_REGISTER": value} if value else {})}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert done.stdout.strip() == expected
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**os.environ, "PY2OMP_REGISTER": "yes"},
                          capture_output=True, text=True)
    assert done.returncode != 0 and done.stderr.strip().splitlines()[-1] == \
        "ValueError: PY2OMP_REGISTER is 'yes': use 'keep' (the default), '1' or '0'"
    for mode, asks in (("1", staging.Settings.registers), (staging.KEEP, staging.Settings.keeps)):
        on = staging.Settings(register=mode)
        assert asks(on, "nvptx:sm_90") and not asks(on, "amdgcn:gfx90a")
        assert not asks(on, "host-offload") and not asks(on, "cpu")
        assert not asks(staging.Settings(register=mode, enabled=False), "nvptx:sm_90")


def test_registered_arrays_move_directly(driver: ctypes.CDLL, pooled: list[int], rng: np.random.Generator) -> None:
    calls = _int(driver, "fake_calls").value
    got, expected, stats = saxpy(rng)
    assert np.array_equal(got, expected) and pooled == []
    assert (stats.bytes_to_device, stats.bytes_from_device) == (8 * N, 4 * N)
    assert _int(driver, "fake_calls").value - calls == 3  # x and y in, y back: each registered for its copy
    assert _int(driver, "fake_live").value == 0 and ctypes.c_uint.in_dll(driver, "fake_flags").value == registration.PORTABLE


def test_a_refused_registration_stages_instead(driver: ctypes.CDLL, pooled: list[int], rng: np.random.Generator) -> None:
    _int(driver, "fake_status").value = 2  # CUDA_ERROR_OUT_OF_MEMORY: a lock limit
    got, expected, stats = saxpy(rng)
    assert np.array_equal(got, expected) and pooled == [4 * N] * 3
    assert (stats.bytes_to_device, stats.bytes_from_device) == (8 * N, 4 * N) and _int(driver, "fake_live").value == 0


def test_memory_registered_elsewhere_stages_and_stays_registered(driver: ctypes.CDLL, pooled: list[int]) -> None:
    """Memory someone else registered is refused (already registered): the copy is staged, and the
    other registration is left alone."""
    found = registration.driver()
    assert found is not None
    host = np.arange(1 << 15, dtype=np.float64)
    device = runtime_shim.empty_on_device(host.shape, host.dtype)
    assert found.register(host.ctypes.data, host.nbytes, 0) == 0
    try:
        openmp = runtime_shim.resident.openmp()
        staging.copy_to_device(openmp, device.ptr, host.ctypes.data, host.nbytes, device.device, register=True)
        assert pooled == [host.nbytes] and np.array_equal(device.to_numpy(), host)
        assert _int(driver, "fake_live").value == 1
    finally:
        assert found.unregister(host.ctypes.data, 0) == 0


def test_partly_written_out_arrays_under_registration(driver: ctypes.CDLL, pooled: list[int],
                                                     rng: np.random.Generator) -> None:
    """A written tail comes back registered, straight into the array; the interior of a grid comes
    back through the pinned buffers (its range holds the border, which must not be written)."""
    library = kernels.saxpy.library("host-offload")
    x, y = rng.random(N), rng.standard_normal(N)
    expected = y.copy()
    kernels.scale_tail.py_func(x, expected, 777)
    calls = _int(driver, "fake_calls").value
    library.scale_tail(x, y, 777)
    assert np.array_equal(y, expected) and pooled == [] and _int(driver, "fake_calls").value - calls == 2
    u, v = rng.standard_normal((301, 257)), rng.standard_normal((301, 257))
    expected = v.copy()
    kernels.relax.py_func(u, expected)
    library.relax(u, v)
    assert np.array_equal(v, expected) and len(pooled) == 1 and _int(driver, "fake_live").value == 0


def test_no_driver_library_stages(driver: ctypes.CDLL, pooled: list[int], rng: np.random.Generator,
                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(registration.LIBRARY_ENV, str(tmp_path / "libcuda.so.1"))
    assert registration.driver() is None
    got, expected, _ = saxpy(rng)
    assert np.array_equal(got, expected) and len(pooled) == 3


def test_the_register_rate_benchmark_runs_on_host_offload(fake_cuda: Path, tmp_path: Path) -> None:
    """bench/register_rate.py as the lead runs it on the GPU, here with the stand-in driver and small sizes."""
    build = tmp_path / "build"
    subprocess.run([sys.executable, str(ROOT / "bench" / "copy_rate.py"), "--build", str(build), "host-offload"],
                   check=True, capture_output=True)
    env = {**os.environ, registration.LIBRARY_ENV: str(fake_cuda), "BENCH_REGISTER_SIZES_MB": "1,3",
           "BENCH_REGISTER_REPEATS": "1"}
    subprocess.run([sys.executable, str(ROOT / "bench" / "register_rate.py"), str(build), str(tmp_path / "rates.json")],
                   check=True, env=env, capture_output=True)
    rows = json.loads((tmp_path / "rates.json").read_text())["rows"]
    sys.path.insert(0, str(ROOT / "bench"))
    import register_rate
    assert {(r["MB"], r["direction"], r["what"]) for r in rows} == {
        (mb * 1.048576, direction, what) for mb in (1, 3) for direction in ("to device", "to host")
        for what in register_rate.ROUTES}
    assert all(r["GB/s"] > 0 and r["ok"] for r in rows)
