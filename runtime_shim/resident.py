"""Data that stays on the device between kernel calls: data regions and device arrays.

Moving data is what costs most (TOOLCHAIN.md: about 8 GB/s to and from an H100 against 3000 GB/s
inside it), so arrays used by many calls should cross once:

- `data_region(In=[x], InOut=[y], Out=[z])` maps NumPy arrays with `target enter data` on entry and
  `target exit data` on exit (copying `InOut`/`Out` back). Kernel calls inside find them present in
  the offload runtime's table and move nothing for them; `update` refreshes either side in between.
- `to_device(a)` copies an array into device memory it owns (`omp_target_alloc`) and returns a
  `DeviceArray`; kernels take it as a device pointer (`is_device_ptr`), with no transfer, and
  `.to_numpy()` copies it back.

OpenMP has directives, not functions, to map host memory, so every offload library py2omp builds
exports `py2omp_enter_to` and friends (translator/backend/lower.py: DATA_HELPERS); the device-memory
functions (`omp_target_alloc`, ...) come from the offload runtime that library is linked against.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_HELPERS = ("py2omp_enter_to", "py2omp_enter_alloc", "py2omp_exit_from", "py2omp_exit_release",
            "py2omp_update_to", "py2omp_update_from")


class OpenMP:
    """The device API of the offload runtime, reached through one loaded py2omp offload library."""

    def __init__(self, cdll: ctypes.CDLL, target: str = "") -> None:
        self.cuda = target.split(":")[0] == "nvptx"
        """Device pointers are CUDA device pointers (the CUDA plugin's `cuMemAlloc`), which CuPy and
        PyTorch can wrap; on host-offload they are host addresses."""
        self.helpers = {}
        for name in _HELPERS:
            function = cdll[name]
            function.argtypes, function.restype = (ctypes.c_void_p, ctypes.c_int64), None
            self.helpers[name] = function
        self.alloc = cdll["omp_target_alloc"]
        self.alloc.argtypes, self.alloc.restype = (ctypes.c_size_t, ctypes.c_int), ctypes.c_void_p
        self.free = cdll["omp_target_free"]
        self.free.argtypes, self.free.restype = (ctypes.c_void_p, ctypes.c_int), None
        self.memcpy = cdll["omp_target_memcpy"]
        self.memcpy.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
                                ctypes.c_size_t, ctypes.c_int, ctypes.c_int)
        self.memcpy.restype = ctypes.c_int
        self.host_memory = HostMemory(cdll)
        self._set_default_device = cdll["omp_set_default_device"]
        self._set_default_device.argtypes, self._set_default_device.restype = (ctypes.c_int,), None
        self.num_devices = int(cdll["omp_get_num_devices"]())
        self.device = int(cdll["omp_get_default_device"]())
        self.host = int(cdll["omp_get_initial_device"]())

    def use_device(self, device: int) -> None:
        """Make `device` the default device of the calling thread (`omp_set_default_device`): the one
        kernels without `@kernel(device=...)`, data regions and new device arrays use from now on."""
        if not 0 <= device < self.num_devices:
            raise ValueError(f"device {device} does not exist: the offload runtime sees {self.num_devices} "
                             f"device(s), numbered from 0")
        self._set_default_device(device)
        self.device = device

    def set_thread_device(self, device: int) -> None:
        """Make `device` the default device of the calling thread only (a worker thread's own ICV)."""
        self._set_default_device(device)

    def copy(self, dst: int, src: int, nbytes: int, to_device: bool, device: int | None = None) -> None:
        """Copy between host and `device` memory (default: the current device), raising on failure."""
        device = self.device if device is None else device
        devices = (device, self.host) if to_device else (self.host, device)
        if nbytes and self.memcpy(dst, src, nbytes, 0, 0, *devices) != 0:
            raise RuntimeError(f"omp_target_memcpy of {nbytes} bytes failed")


class HostMemory:
    """The offload runtime's page-locked host memory (LLVM extensions of the OpenMP API, in every
    LLVM offload runtime since 17): `llvm_omp_target_alloc_host(bytes, device)` and its free. The
    CUDA plugin allocates with `cuMemAllocHost`, so the GPU's copy engines read and write it
    directly; the host plugin (host-offload) with `malloc`."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.alloc = cdll["llvm_omp_target_alloc_host"]
        self.alloc.argtypes, self.alloc.restype = (ctypes.c_size_t, ctypes.c_int), ctypes.c_void_p
        self.free = cdll["llvm_omp_target_free_host"]
        self.free.argtypes, self.free.restype = (ctypes.c_void_p, ctypes.c_int), None
        self.device = int(cdll["omp_get_default_device"]())


@dataclass
class _State:
    """The runtime found so far, the host ranges mapped by open regions, regions waiting for a runtime,
    and the bytes regions and device arrays have moved (kernel calls count their own)."""

    openmp: OpenMP | None = None
    present: list[tuple[int, int]] = field(default_factory=list)
    pending: list["DataRegion"] = field(default_factory=list)
    bytes_to_device: int = 0
    bytes_from_device: int = 0
    host_libraries: bool = False
    """A library that does not offload was loaded (`pinned` arrays are then plain memory)."""


STATE = _State()


def register(cdll: ctypes.CDLL, target: str = "") -> None:
    """Called for every loaded offload library (built for `target`): the first one provides the device
    API, and regions opened before any library was loaded are mapped now, before a kernel can run."""
    if STATE.openmp is None:
        try:
            STATE.openmp = OpenMP(cdll, target)
        except AttributeError:  # built by a py2omp without the data helpers: kernels still run
            return
    while STATE.pending:
        STATE.pending.pop(0).map()


def openmp() -> OpenMP:
    if STATE.openmp is None:
        raise RuntimeError("no offload library is loaded yet: load one (runtime_shim.load) or call a kernel first")
    return STATE.openmp


def is_present(address: int, nbytes: int) -> bool:
    """Whether host memory `[address, address + nbytes)` lies in an array an open region mapped."""
    return any(start <= address and address + nbytes <= end for start, end in STATE.present)


def _host_arrays(arrays: Iterable[Any], role: str) -> list[np.ndarray]:
    checked = []
    for array in arrays:
        if not isinstance(array, np.ndarray) or not array.flags.c_contiguous:
            raise TypeError(f"data_region({role}=...) takes C-contiguous numpy arrays, got {type(array).__name__}")
        checked.append(array)
    return checked


Mapping = tuple[int, int, str, str]
"""Host bytes `[start, stop)` entered with `enter` (`to`, `alloc`) and left with `exit` (`from`, `release`)."""


def merged(mappings: Iterable[Mapping]) -> list[Mapping]:
    """The mappings with those that overlap merged into one over their union, copied in if any of
    them is and back if any of them is. Mapped one by one, a range that overlaps one mapped before
    without lying inside it would extend that mapping, which the offload runtime refuses ("explicit
    extension not allowed", and the process aborts): two views of one array (`b[0:60]`,
    `b[30:90]`), or the same array passed twice. Empty ranges stay as they are."""
    found: list[list[Any]] = []
    for start, stop, enter, exit_ in sorted(mappings):
        last = found[-1] if found else None
        if last is not None and start < last[1] and stop > start:
            last[1] = max(last[1], stop)
            last[2] = "to" if "to" in (last[2], enter) else enter
            last[3] = "from" if "from" in (last[3], exit_) else exit_
        else:
            found.append([start, stop, enter, exit_])
    return [(start, stop, enter, exit_) for start, stop, enter, exit_ in found]


_OVERLAPS = threading.Lock()
"""Held by a call whose read-only arrays overlap, for the whole call: another thread's call of the
same arrays could otherwise find the union present (mapped by the first), skip its own, and map its
views one by one just as the first releases the union, which the offload runtime answers with an
abort ("explicit extension not allowed")."""


@contextlib.contextmanager
def overlaps_held(spans: Sequence[tuple[int, int]]) -> Iterator[int]:
    """Around one kernel call whose read-only arrays overlap in host memory (`merged`): each union
    of overlapping spans that no region holds is mapped `to` once before the call, so that the
    call's own maps find their rows present, and released after it. Yields the bytes copied in."""
    groups = [(start, stop) for start, stop, _, _ in merged((a, b, "to", "release") for a, b in spans)
              if sum(1 for a, b in spans if start <= a < b <= stop) > 1]
    if not groups:
        yield 0
        return
    with _OVERLAPS:
        unions = [(start, stop) for start, stop in groups if not is_present(start, stop - start)]
        helpers = openmp().helpers if unions else {}
        for start, stop in unions:
            helpers["py2omp_enter_to"](start, stop - start)
            STATE.present.append((start, stop))
        try:
            yield sum(stop - start for start, stop in unions)
        finally:
            for start, stop in reversed(unions):
                STATE.present.remove((start, stop))
                helpers["py2omp_exit_release"](start, stop - start)


class DataRegion:
    """Arrays mapped to the device for the duration of a `with` block (see `data_region`)."""

    def __init__(self, In: Iterable[Any] = (), InOut: Iterable[Any] = (), Out: Iterable[Any] = ()) -> None:
        self.arrays = ([(a, "to", "release") for a in _host_arrays(In, "In")]
                       + [(a, "to", "from") for a in _host_arrays(InOut, "InOut")]
                       + [(a, "alloc", "from") for a in _host_arrays(Out, "Out")])
        self.bytes_to_device = 0
        self.bytes_from_device = 0
        self.mapped: list[Mapping] = []

    def __enter__(self) -> "DataRegion":
        if STATE.openmp is None:
            STATE.pending.append(self)
        else:
            self.map()
        return self

    def map(self) -> None:
        """Enter the arrays, those that overlap in host memory once over their union (`merged`)."""
        helpers = openmp().helpers
        spans = ((a.ctypes.data, a.ctypes.data + a.nbytes, enter, exit_) for a, enter, exit_ in self.arrays)
        for start, stop, enter, exit_ in merged(spans):
            fresh = not is_present(start, stop - start)
            helpers[f"py2omp_enter_{enter}"](start, stop - start)
            if fresh and enter == "to":
                self._count(stop - start, 0)
            STATE.present.append((start, stop))
            self.mapped.append((start, stop, enter, exit_))

    def __exit__(self, *exc: object) -> None:
        if self in STATE.pending:
            STATE.pending.remove(self)
        for start, stop, _, exit_ in reversed(self.mapped):
            STATE.present.remove((start, stop))
            openmp().helpers[f"py2omp_exit_{exit_}"](start, stop - start)
            if exit_ == "from" and not is_present(start, stop - start):
                self._count(0, stop - start)
        self.mapped.clear()

    def update(self, array: np.ndarray, to: str) -> None:
        """Copy a mapped array's host values to the device (`to="device"`) or back (`to="host"`)."""
        if not self.mapped or not any(a is array for a, _, _ in self.arrays):
            raise ValueError("update(): the array is not mapped by this data region")
        if to not in ("device", "host"):
            raise ValueError(f"update(): to must be 'device' or 'host', got {to!r}")
        direction = "to" if to == "device" else "from"
        openmp().helpers[f"py2omp_update_{direction}"](array.ctypes.data, array.nbytes)
        self._count(*((array.nbytes, 0) if to == "device" else (0, array.nbytes)))

    def _count(self, to_device: int, from_device: int) -> None:
        self.bytes_to_device += to_device
        self.bytes_from_device += from_device
        STATE.bytes_to_device += to_device
        STATE.bytes_from_device += from_device


def use_device(device: int) -> None:
    """Run what follows on OpenMP device `device` (e.g. `local_rank % device_count()` for MPI).
    Needs a loaded offload library (`openmp()`), as `device_count` does."""
    openmp().use_device(device)


def device_count() -> int:
    """How many offload devices the runtime sees."""
    return openmp().num_devices


def data_region(In: Iterable[Any] = (), InOut: Iterable[Any] = (), Out: Iterable[Any] = ()) -> DataRegion:
    """`with data_region(In=[b, c], Out=[a]): ...`: map the arrays once around many kernel calls.

    `In` arrays are copied in, `Out` arrays allocated, `InOut` both; `Out` and `InOut` come back whole
    on exit, so an array the kernels write only partly belongs in `InOut`. Use the region's
    `update(array, to="device"|"host")` to refresh a side inside the block.
    """
    return DataRegion(In, InOut, Out)
