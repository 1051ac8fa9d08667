"""`runtime_shim.host_offload`: a host-offload library starts libomp with waiting threads that sleep
at once (`KMP_BLOCKTIME=0`) unless the user chose otherwise; other libraries leave libomp's default.
Each case is a fresh process, since libomp reads its settings once, when it starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.kernels import staging as kernels

SCRIPT = """
import ctypes, sys
import numpy as np
from tests.kernels import staging as kernels
x, y = np.arange(1000, dtype=np.float32), np.ones(1000, np.float32)
kernels.saxpy.library(sys.argv[1]).saxpy(0.5, x, y)
assert np.array_equal(y, np.float32(0.5) * np.arange(1000, dtype=np.float32) + 1)
print(ctypes.CDLL("libomp.so.5").kmp_get_blocktime())
"""

LIBOMP_DEFAULT_MS = 200


def blocktime(target: str, chosen: str | None) -> int:
    """libomp's block time (ms) after a call of saxpy built for `target`, `KMP_BLOCKTIME` set to `chosen`."""
    kernels.saxpy.library(target)  # built here, where the suite audits its C; the child finds it cached
    env = {name: value for name, value in os.environ.items() if name != "KMP_BLOCKTIME"}
    env.update({"PYTHONPATH": str(ROOT), "KMP_WARNINGS": "0", **({"KMP_BLOCKTIME": chosen} if chosen else {})})
    done = subprocess.run([sys.executable, "-c", SCRIPT, target], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


@pytest.mark.parametrize(("target", "chosen", "expected"), [
    ("host-offload", None, 0), ("host-offload", "70", 70), ("cpu", None, LIBOMP_DEFAULT_MS)],
    ids=["host-offload", "host-offload-user-choice", "cpu"])
def test_host_offload_libraries_start_libomp_with_no_spinning_wait(target: str, chosen: str | None,
                                                                    expected: int) -> None:
    assert blocktime(target, chosen) == expected
