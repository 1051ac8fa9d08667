"""How the host waits for the GPU: each CUDA device's scheduling flag, chosen before the offload runtime sees it.

A synchronous target region ends in the CUDA plugin's `cuStreamSynchronize`, and how long that takes
to return once the kernel is done depends on the primary context's scheduling flag: spinning
notices at once, blocking sleeps until the GPU's interrupt wakes the thread. The LLVM CUDA plugin,
initialising a device whose primary context nobody has activated, sets it to
`CU_CTX_SCHED_BLOCKING_SYNC`; CuPy and PyTorch, activating it first, leave CUDA's default (`auto`:
spin while the process has fewer active contexts than cores, else yield). So the same call waited
differently depending on whether CuPy touched the device before py2omp's first library loaded.

Before the first CUDA library of the process loads (the offload runtime initialises the devices as
it registers the library's images), every device whose primary context is still inactive is created
with the flag of `PY2OMP_CUDA_WAIT` and retained for the process, so the plugin finds it active and
keeps it: `auto` (the default, what CuPy and PyTorch users get), `spin`, `yield`, `blocking`, or
`runtime` (leave the choice to the offload runtime). A context someone activated already keeps its
flag: the driver would change it (setting `auto` on the context the runtime had made blocking, after a
first call, made the calls as fast as choosing it first: bench/context_flags.py's mode `after`), but
its owner (CuPy, PyTorch, the program) chose it. Without a CUDA driver this does nothing.
"""

from __future__ import annotations

import os
import threading

from . import registration

WAIT_ENV = "PY2OMP_CUDA_WAIT"
FLAGS = {"auto": 0, "spin": 1, "yield": 2, "blocking": 4}
"""`CU_CTX_SCHED_AUTO`, `_SPIN`, `_YIELD` and `_BLOCKING_SYNC`."""
LEAVE = "runtime"
DEFAULT = "auto"

_DONE: list[bool] = []
_LOCK = threading.Lock()


def chosen_flags() -> int | None:
    """The flag `PY2OMP_CUDA_WAIT` asks for, None for `runtime`; ValueError naming the variable for anything else."""
    choice = os.environ.get(WAIT_ENV, "").strip().lower() or DEFAULT
    if choice == LEAVE:
        return None
    if choice not in FLAGS:
        raise ValueError(f"{WAIT_ENV}={choice!r}: expected one of {', '.join([*FLAGS, LEAVE])}")
    return FLAGS[choice]


def schedule_devices(driver: registration.Driver, flags: int) -> list[int]:
    """Every device whose primary context was inactive, now active with `flags`: their numbers."""
    return [device for device in range(driver.device_count()) if driver.schedule(device, flags)]


def prepare() -> None:
    """Once per process, before a CUDA library loads: the devices' flags as `PY2OMP_CUDA_WAIT` says."""
    flags = chosen_flags()  # a bad value is an error at every load, not only the first
    with _LOCK:
        if _DONE:
            return
        _DONE.append(True)
        if flags is not None and (found := registration.driver()) is not None:
            schedule_devices(found, flags)
