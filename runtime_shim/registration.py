"""Registering NumPy's pageable memory with the CUDA driver: its entry points, and around one copy.

Staging (`staging`) is bound by the host's copy out of pageable memory into the pinned buffers (on
an H100 machine: 8-9 GB/s with one thread, 25-28 with eight, against the link's 50): the copy
engine cannot read pageable memory directly. Registered (page-locked) memory it reads at the link's
speed with no host copy at all, but registering costs: the driver locks every page, and
unregistering unlocks them. Whether register + copy + unregister beats staging for a NumPy array
is what `bench/register_rate.py` measures: for one copy it does not (staging wins 2x), so
`registered` (around one copy) is taken only under `PY2OMP_REGISTER=1`; by default registrations are
kept across calls instead (`kept`, through this module's `Driver`), for CUDA targets only (never on
host-offload, whose device memory is host memory).

The LLVM offload runtime's own `llvm_omp_target_lock_mem` does nothing on its CUDA plugin (measured:
no faster than pageable, docs/benchmarks.md), so this calls the driver itself, through ctypes and
no CUDA headers: `cuMemHostRegister` from `libcuda.so.1` (`$PY2OMP_LIBCUDA` names another, as the
tests' stand-in tests/native/fake_cuda.c), in the device's primary context (the one the LLVM CUDA
plugin uses), with `CU_MEMHOSTREGISTER_PORTABLE` so that every context sees the memory pinned.
OpenMP device k is CUDA device k (an nvptx build has the CUDA plugin alone, which numbers the
devices in CUDA's order). Where libcuda is absent, `cuInit` fails, or a registration fails (memory
someone else registered, a lock limit), `registered` says so and the copy is staged instead.
The same `Driver` sets how the host waits for each device before the offload runtime sees it
(`host_wait`).
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LIBRARY_ENV = "PY2OMP_LIBCUDA"
DEFAULT_LIBRARY = "libcuda.so.1"
PORTABLE = 0x01
"""`CU_MEMHOSTREGISTER_PORTABLE`: the memory counts as pinned in every CUDA context."""


class Driver:
    """The CUDA driver entry points registration needs, from one loaded library."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        pointer, size = ctypes.c_void_p, ctypes.c_size_t
        self._init = _entry(cdll, ("cuInit",), (ctypes.c_uint,))
        self._device_get = _entry(cdll, ("cuDeviceGet",), (ctypes.POINTER(ctypes.c_int), ctypes.c_int))
        self._retain = _entry(cdll, ("cuDevicePrimaryCtxRetain",), (ctypes.POINTER(pointer), ctypes.c_int))
        self._count = _entry(cdll, ("cuDeviceGetCount",), (ctypes.POINTER(ctypes.c_int),))
        self._state = _entry(cdll, ("cuDevicePrimaryCtxGetState",),
                             (ctypes.c_int, ctypes.POINTER(ctypes.c_uint), ctypes.POINTER(ctypes.c_int)))
        self._set_flags = _entry(cdll, ("cuDevicePrimaryCtxSetFlags_v2", "cuDevicePrimaryCtxSetFlags"),
                                 (ctypes.c_int, ctypes.c_uint))
        self._push = _entry(cdll, ("cuCtxPushCurrent_v2", "cuCtxPushCurrent"), (pointer,))
        self._pop = _entry(cdll, ("cuCtxPopCurrent_v2", "cuCtxPopCurrent"), (ctypes.POINTER(pointer),))
        self._register = _entry(cdll, ("cuMemHostRegister_v2", "cuMemHostRegister"), (pointer, size, ctypes.c_uint))
        self._unregister = _entry(cdll, ("cuMemHostUnregister",), (pointer,))
        if self._init(0) != 0:
            raise OSError("cuInit failed")
        self._contexts: dict[int, int | None] = {}
        self._lock = threading.Lock()

    def context(self, device: int) -> int | None:
        """The primary context of CUDA device `device` (retained once, for the process), or None."""
        with self._lock:
            if device not in self._contexts:
                handle, context = ctypes.c_int(), ctypes.c_void_p()
                found = self._device_get(ctypes.byref(handle), device) == 0 and \
                    self._retain(ctypes.byref(context), handle.value) == 0
                self._contexts[device] = context.value if found and context.value else None
            return self._contexts[device]

    def device_count(self) -> int:
        """How many CUDA devices the driver sees (0 where it cannot say)."""
        count = ctypes.c_int()
        return count.value if self._count(ctypes.byref(count)) == 0 else 0

    def schedule(self, device: int, flags: int) -> bool:
        """Device `device`'s primary context created with scheduling `flags` (`CU_CTX_SCHED_*`) and
        retained for the process, if nobody has activated it yet: whether it was. An active context
        keeps the flags whoever activated it chose."""
        handle, state, active = ctypes.c_int(), ctypes.c_uint(), ctypes.c_int()
        with self._lock:
            if device in self._contexts or self._device_get(ctypes.byref(handle), device) != 0:
                return False
            if self._state(handle.value, ctypes.byref(state), ctypes.byref(active)) != 0 or active.value:
                return False
            if self._set_flags(handle.value, flags) != 0:
                return False
        return self.context(device) is not None

    def register(self, address: int, nbytes: int, device: int, flags: int = PORTABLE) -> int:
        """`cuMemHostRegister(address, nbytes, flags)` in the device's primary context: 0 when done,
        else the driver's error code (-1: no context)."""
        return self._in_context(device, lambda: int(self._register(address, nbytes, flags)))

    def unregister(self, address: int, device: int) -> int:
        """`cuMemHostUnregister(address)`: 0 when done, else the driver's error code."""
        return self._in_context(device, lambda: int(self._unregister(address)))

    def _in_context(self, device: int, call: Callable[[], int]) -> int:
        context = self.context(device)
        if context is None or self._push(context) != 0:
            return -1
        try:
            return call()
        finally:
            self._pop(ctypes.byref(ctypes.c_void_p()))


def _entry(cdll: ctypes.CDLL, names: tuple[str, ...], argtypes: tuple[type, ...]) -> Callable[..., int]:
    """The first of `names` the library exports (versioned names first, as cuda.h maps them)."""
    for name in names:
        try:
            function = cdll[name]
        except AttributeError:
            continue
        function.argtypes, function.restype = argtypes, ctypes.c_int
        return function
    raise OSError(f"the CUDA driver library exports none of {', '.join(names)}")


_DRIVERS: dict[str, Driver | None] = {}
_LOADING = threading.Lock()


def driver() -> Driver | None:
    """The CUDA driver (`$PY2OMP_LIBCUDA`, else libcuda.so.1), loaded once per library name; None
    where it does not load or initialize."""
    name = os.environ.get(LIBRARY_ENV) or DEFAULT_LIBRARY
    with _LOADING:
        if name not in _DRIVERS:
            try:
                _DRIVERS[name] = Driver(ctypes.CDLL(name))
            except OSError:
                _DRIVERS[name] = None
        return _DRIVERS[name]


@contextmanager
def registered(address: int, nbytes: int, device: int) -> Iterator[bool]:
    """Around one copy: host memory `[address, address + nbytes)` registered with the driver for
    `device` (yields True; unregistered on the way out), or False where it cannot be (the caller
    then stages)."""
    found = driver()
    if found is None or found.register(address, nbytes, device) != 0:
        yield False
        return
    try:
        yield True
    finally:
        found.unregister(address, device)
