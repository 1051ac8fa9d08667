"""Many ranks, one device each: device choice at run time, halo rows of device arrays, and the MPI
example (examples/mpi/heat2d.py) under `mpirun -n 2` on host-offload against a NumPy solve."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from runtime_shim.resident import STATE
from tests.kernels import movement
from translator import device_count, to_device, use_device

pytestmark = pytest.mark.serial  # alone on the machine: several host-offload devices livelocked in libomp under load

ROOT = Path(__file__).resolve().parent.parent
HEAT = ROOT / "examples" / "mpi" / "heat2d.py"


@pytest.fixture()
def lib() -> Iterator[runtime_shim.Library]:
    """The host-offload library (4 virtual devices); the default device is put back to 0 afterwards,
    since it is the process's (the runtime's) state."""
    library = movement.triad.library("host-offload")
    yield library
    use_device(0)


def test_use_device_moves_kernels_and_device_arrays(lib: runtime_shim.Library) -> None:
    rng = np.random.default_rng(15)
    b, c = rng.standard_normal(1000), rng.standard_normal(1000)
    assert device_count() == 4
    use_device(2)
    db, dc, da = to_device(b), to_device(c), to_device(np.zeros(1000))
    assert (db.device, da.device) == (2, 2)
    lib.triad(da, db, dc, 0.5)
    assert np.array_equal(da.to_numpy(), b + 0.5 * c)
    a = rng.standard_normal(1000)
    lib.triad(a, b, c, 2.0)  # NumPy arguments are mapped on the new default device alike
    assert np.array_equal(a, b + 2.0 * c)
    use_device(1)
    with pytest.raises(ValueError, match=r"^triad\(\): argument 'a' is on device 2; kernels run on device 1"):
        lib.triad(da, db, dc, 0.5)


def test_use_device_rejects_a_device_that_does_not_exist(lib: runtime_shim.Library) -> None:
    with pytest.raises(ValueError) as info:
        use_device(4)
    assert str(info.value) == "device 4 does not exist: the offload runtime sees 4 device(s), numbered from 0"


def test_device_array_rows_move_only_those_rows(lib: runtime_shim.Library) -> None:
    grid = np.random.default_rng(7).standard_normal((6, 5))
    device = to_device(grid)
    before = STATE.bytes_from_device, STATE.bytes_to_device
    assert np.array_equal(device.to_numpy(rows=slice(4, 6)), grid[4:6])
    halo = np.arange(5.0).reshape(1, 5)
    device.copy_from(halo, rows=slice(0, 1))
    assert (STATE.bytes_from_device - before[0], STATE.bytes_to_device - before[1]) == (2 * 5 * 8, 5 * 8)
    expected = grid.copy()
    expected[0] = halo
    assert np.array_equal(device.to_numpy(), expected)
    with pytest.raises(ValueError, match=r"^copy_from\(\): expected float64 array of shape \(2, 5\), got float64 of"):
        device.copy_from(halo, rows=slice(1, 3))
    with pytest.raises(ValueError, match=r"^to_numpy\(\): rows must be a slice with step 1"):
        device.to_numpy(rows=slice(0, 6, 2))


_CPU_FIRST = """
import ctypes
import numpy as np
from runtime_shim.resident import STATE
from tests.kernels import movement
from translator import device_count, to_device, use_device
movement.triad.library("cpu")
lib = movement.triad.library("host-offload")
use_device(3)
rng = np.random.default_rng(11)
b, c, a = to_device(rng.standard_normal(500)), rng.standard_normal(500), to_device(np.zeros(500))
lib.triad(a, b, c, 1.5)
in_c = ctypes.CDLL(str(lib.path))
print(device_count(), STATE.openmp.host, in_c.omp_get_num_devices(), in_c.omp_get_initial_device(), a.device,
      np.array_equal(a.to_numpy(), b.to_numpy() + 1.5 * c))
"""


def test_devices_are_seen_after_a_cpu_library_loaded_libomp() -> None:
    """A process that loads a `cpu` library (which loads libomp) before an offload library still sees
    the 4 virtual devices, in the runtime shim and in the library's C, and the host stays device 4:
    libomp's `omp_get_num_devices` forwards to the offload runtime only through the scope of the
    library that loaded libomp, so offload libraries name libomptarget ahead of libomp
    (`discover.portable_flags`). It answered 0 when an xdist worker ran a `cpu` test first.
    A fresh process, since the order of the first loads is what matters."""
    movement.triad.library("cpu"), movement.triad.library("host-offload")  # built here, audited, cached
    result = subprocess.run([sys.executable, "-c", _CPU_FIRST], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["4", "4", "4", "4", "3", "True"], result.stdout + result.stderr


def _mpi_missing() -> str | None:
    if shutil.which("mpirun") is None:
        return "mpirun not found: apt-get install -y openmpi-bin libopenmpi-dev (bash scripts/bootstrap.sh test)"
    if importlib.util.find_spec("mpi4py") is None:
        return "mpi4py not installed: pip install mpi4py (bash scripts/bootstrap.sh test)"
    return None


def run_heat(ranks: int, *args: str, script: Path = HEAT) -> subprocess.CompletedProcess[str]:
    """`mpirun -n ranks python examples/mpi/heat2d.py args` on host-offload (root allowed, as in CI;
    oversubscribed, as CI machines may have fewer cores than ranks)."""
    env = {**os.environ, "PY2OMP_TARGET": "host-offload", "PYTHONPATH": str(ROOT),
           "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    command = ["mpirun", "-n", str(ranks), "--oversubscribe", sys.executable, str(script), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)


@pytest.mark.skipif(_mpi_missing() is not None, reason=str(_mpi_missing()))
@pytest.mark.parametrize(("ranks", "n"), [(2, 61), (3, 40)])
def test_mpi_heat_matches_numpy(ranks: int, n: int) -> None:
    """Uneven blocks (59 interior rows over 2 ranks, 38 over 3), each rank on its own virtual device,
    equal bit for bit to the one-process NumPy solve; the kernel calls themselves move nothing."""
    result = run_heat(ranks, "--n", str(n), "--steps", "40")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    devices = dict(re.findall(r"rank (\d+): device (\d+) of 4, \d+ rows; kernel calls moved 0 bytes", result.stdout))
    assert devices == {str(r): str(r) for r in range(ranks)}, output
    assert f"{ranks} ranks, {n}x{n} grid, 40 steps: max |MPI - NumPy| = 0\n" in result.stdout, output


@pytest.mark.skipif(_mpi_missing() is not None, reason=str(_mpi_missing()))
def test_mpi_heat_fails_loudly_when_halos_are_wrong(tmp_path: Path) -> None:
    """The comparison can fail: the same example with the halo copy to the device removed exits non-zero."""
    broken = tmp_path / "heat2d.py"
    source = HEAT.read_text()
    assert source.count("u.copy_from(ghost_top, rows=slice(0, 1))") == 1
    broken.write_text(source.replace("u.copy_from(ghost_top, rows=slice(0, 1))", "pass"))
    result = run_heat(2, "--n", "32", "--steps", "10", script=broken)
    assert result.returncode != 0
    error = re.search(r"2 ranks, 32x32 grid, 10 steps: max \|MPI - NumPy\| = (\S+)", result.stdout)
    assert error is not None and float(error.group(1)) > 0, result.stdout + result.stderr
