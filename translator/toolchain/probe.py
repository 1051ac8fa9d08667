"""Ask the OpenMP runtime itself whether a target region really runs on a GPU (NVIDIA or AMD).

The presence of a driver proves nothing: the LLVM runtime may reject the cubins (see TOOLCHAIN.md) and
then silently runs target regions on the host. So the probe builds a tiny library, runs a target
region, and asks `omp_is_initial_device()` inside it. The library is run in a child process: a broken
driver can hang or abort, and `OMP_TARGET_OFFLOAD=mandatory` aborts when no device answers; neither
may take the user's process down. The same library is the doctor's test kernel, for every target.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from translator.targets import DEFAULT_NVPTX_ARCH, Target
from translator.toolchain.cache import build_cached
from translator.version import __version__

logger = logging.getLogger("py2omp")

PROBE_MODULE = "py2omp_probe"
CHECK_EXPECTED = 999000  # sum of 2*i for i < 1000

PROBE_C = """\
/* py2omp toolchain probe: the doctor builds it for every target, "auto" for nvptx. */
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define N 1000

/* Doubles 0..N-1 in a target region through to/from maps and sums the result: 999000 when the data
   went to the device and came back. */
int py2omp_check(void) {
  int a[N], b[N];
  for (int i = 0; i < N; i++) { a[i] = i; b[i] = -1; }
#pragma omp target teams distribute parallel for map(to: a[0:N]) map(from: b[0:N])
  for (int i = 0; i < N; i++) b[i] = 2 * a[i];
  int sum = 0;
  for (int i = 0; i < N; i++) sum += b[i];
  return sum;
}

/* The number of offload devices, negated when a target region ran on the host after all. */
int py2omp_probe(void) {
#ifdef _OPENMP
  int on_host = 1;
#pragma omp target map(from: on_host)
  on_host = omp_is_initial_device();
  return on_host ? -omp_get_num_devices() : omp_get_num_devices();
#else
  return 0;
#endif
}
"""

PROBE_H = "int py2omp_check(void);\nint py2omp_probe(void);\n"

_CHILD = "import ctypes, sys\nlib = ctypes.CDLL(sys.argv[1])\nprint(lib.py2omp_check(), lib.py2omp_probe())\n"
_CHILD_TIMEOUT_S = 120


_DRIVER_FILES = {"NVIDIA": "/dev/nvidia0", "AMD": "/dev/kfd"}
_DRIVER_TOOLS = {"NVIDIA": "nvidia-smi", "AMD": "rocm-smi"}


def nvidia_devices_visible() -> int:
    """How many NVIDIA GPUs a py2omp nvptx library really runs on in this process's environment."""
    return gpus_visible(Target("nvptx", DEFAULT_NVPTX_ARCH))


def gpus_visible(target: Target) -> int:
    """How many GPUs a library built for the GPU target `target` really runs on in this environment."""
    if not target.is_gpu or not _driver_present(str(target.vendor)):
        return 0
    try:
        _, devices = run_probe(build_probe(target))
    except Exception as exc:  # any failure means "no usable GPU", by contract
        logger.debug("%s probe failed, assuming no GPU: %s", target.vendor, exc)
        return 0
    return max(devices, 0)


def build_probe(target: Target) -> Path:
    """The probe library for `target`, through the cache (so a carried cache serves the GPU machine)."""
    kernels: list[dict[str, object]] = [
        {"name": name, "symbol": name, "returns": "int32", "line": None, "params": []}
        for name in ("py2omp_check", "py2omp_probe")
    ]
    manifest = {
        "format": 1,
        "py2omp_version": __version__,
        "module": PROBE_MODULE,
        "source": None,
        "target": str(target),
        "kernels": kernels,
    }
    return build_cached(PROBE_MODULE, PROBE_C, PROBE_H, manifest, target) / f"{PROBE_MODULE}.so"


def run_probe(library: Path) -> tuple[int, int]:
    """(py2omp_check(), py2omp_probe()) from `library`, called through ctypes in a child process."""
    # DEFAULT lets a region fall back to the host instead of aborting; the probe reports the fallback.
    env = {**os.environ, "OMP_TARGET_OFFLOAD": "DEFAULT"}
    try:
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, str(library)],
            capture_output=True, text=True, env=env, timeout=_CHILD_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{library} did not finish within {_CHILD_TIMEOUT_S} s") from exc
    fields = result.stdout.split()
    if result.returncode != 0 or len(fields) != 2:
        raise RuntimeError(f"{library} failed (exit status {result.returncode}): {result.stderr.strip()}")
    return int(fields[0]), int(fields[1])


def _driver_present(vendor: str) -> bool:
    """Cheap check first, so machines without that vendor's GPU (CI) never build the probe."""
    return Path(_DRIVER_FILES[vendor]).exists() or shutil.which(_DRIVER_TOOLS[vendor]) is not None
