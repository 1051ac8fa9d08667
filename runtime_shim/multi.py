"""One call, several devices: `kernel.on(devices)(*args)` runs a kernel's chunked entry point
(`<symbol>__chunk`, manifest `chunk`) once per device, concurrently, each in a thread of its own.

Each device gets a buffer for every array (`omp_target_alloc` on that device), filled lazily: the
entry point takes the share `part` of `parts` and runs, of each outermost `prange`, the contiguous
chunk `[lo, hi)` of its outer level, and calls back before and after each such loop (`SYNC`).

- Before, the device gets the rows that loop touches (manifest `reads`: its chunk, the halo around
  it, or every row) that its buffer does not hold current: from the host, for the caller's values,
  or from the device that wrote them last (`omp_target_memcpy` device to device). `_Rows` keeps,
  per array, who holds the latest version of each row range and which rows each buffer has current.
  So triad moves each device's chunk only, a stencil its chunk and one halo row on each side, gemm
  its rows of `A` and `C` and all of `B`, and a host time loop only the halo rows per sweep.
- After, the devices wait for one another; each reduction is combined from the shares' values in
  device order with Python's operation (the shares after the first start from its identity) and
  written back to every device's variable; the rows each device wrote become its own.

A device writes only rows `[lo, hi)` of the arrays a loop writes (the translator refuses any other
loop), so no two devices write one element. After the call each device copies back the rows whose
latest version it holds; the rows nobody wrote keep the caller's values.

Like the rest of `runtime_shim`, this needs no compiler: only the built library and NumPy.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .binding import CTYPES
from .manifest import KernelSpec, ParamSpec
from .movement import KernelStats
from .resident import OpenMP, openmp

SYNC = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, ctypes.POINTER(ctypes.c_void_p),
                        ctypes.c_int64)
"""`py2omp_chunk_sync_fn`: `void (*)(int64_t phase, int64_t lo, int64_t hi, void **reduced, int64_t after)`."""

HOST = -1
"""The owner of rows whose latest version is the caller's array."""


@dataclass
class Settings:
    """`wait_seconds`: the longest a share waits at a barrier for the others, and the longest the
    caller waits for a share that has stopped calling back (`PY2OMP_MULTI_TIMEOUT`). Past it the call
    raises `RuntimeError` instead of hanging (issue 15): a share stuck in the offload runtime, or a
    share that never reaches the loop's end, must not hold the caller forever. Generous, as a share
    may compute a long loop between two call backs."""

    wait_seconds: float = float(os.environ.get("PY2OMP_MULTI_TIMEOUT", 600))


SETTINGS = Settings()

_ABANDONED: list[object] = []
"""Calls whose stuck shares still run: a freed ctypes call back would crash them when they call it."""

_COMBINE: dict[str, Callable[[object, object], object]] = {
    "+": lambda acc, value: acc + value,  # type: ignore[operator]
    "*": lambda acc, value: acc * value,  # type: ignore[operator]
    "max": lambda acc, value: value if value > acc else acc,  # type: ignore[operator]  # Python's max(acc, value)
    "min": lambda acc, value: value if value < acc else acc,  # type: ignore[operator]
}
"""How two shares' values of a reduction combine: as Python's `+`, `*`, `max` and `min` do (a NaN
share is kept only when it comes first, as `max(m, x)` keeps a NaN `m` and skips a NaN `x`)."""


def chunk_function(spec: KernelSpec, cdll: ctypes.CDLL, argtypes: Sequence[type]) -> object | None:
    """The chunked entry point with its argument types (`argtypes`: the kernel's own), or None."""
    if spec.chunk is None:
        return None
    function = cdll[spec.chunk.symbol]
    function.argtypes = (*argtypes, ctypes.c_int64, ctypes.c_int64, SYNC)
    function.restype = None if spec.returns is None else CTYPES[spec.returns]
    return function


def check_devices(devices: Sequence[int], count: int) -> tuple[int, ...]:
    """The devices of `kernel.on(devices)`, refused unless distinct OpenMP device numbers that exist."""
    chosen = tuple(devices)
    if not chosen or not all(isinstance(d, int) and not isinstance(d, bool) for d in chosen):
        raise ValueError(f"on(): expected a non-empty list of device numbers, got {list(chosen)!r}")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"on(): devices must be distinct, got {list(chosen)}")
    missing = [d for d in chosen if not 0 <= d < count]
    if missing:
        raise ValueError(f"on(): device {missing[0]} does not exist: the offload runtime sees {count} "
                         f"device(s), numbered from 0")
    return chosen


class Chunked(Protocol):
    """What a call needs of the compiled kernel (`library.CompiledKernel`, which imports this module)."""

    spec: KernelSpec
    stats: KernelStats
    chunk_function: Any
    target: str


Interval = tuple[int, int]

_HOST_REGIONS = threading.Lock()
"""On host-offload the "devices" are the host's own cores, so the shares gain nothing from running
their target regions at once, and doing so livelocked: in a full suite run on the 2-core machine
(2026-12-05) one share spun inside libomp's `__kmpc_fork_teams` of its region while the others
waited at the barrier. There, one share's region runs at a time: a share takes this lock at the
end of its call back before a split loop and gives it back first thing in the one after it."""


class _Rows:
    """Of one array: who holds the latest version of each row range (`latest`: `(start, end, owner)`,
    owner a share, `HOST` or None for rows nobody has written), and the rows each share's buffer holds
    current. Read and changed under the call's lock."""

    def __init__(self, rows: int, shares: int, on_host: bool) -> None:
        self.latest: list[tuple[int, int, int | None]] = [(0, rows, HOST if on_host else None)] if rows else []
        self.current: list[list[Interval]] = [[] for _ in range(shares)]

    def missing(self, part: int, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """The rows of `[lo, hi)` that share `part` lacks, with the share (or `HOST`) that holds them."""
        pieces = []
        for a, b in _gaps(self.current[part], lo, hi):
            pieces += [(max(s, a), min(e, b), owner) for s, e, owner in self.latest
                       if owner is not None and s < b and e > a]
        return pieces

    def got(self, part: int, lo: int, hi: int) -> None:
        self.current[part] = _added(self.current[part], lo, hi)

    def written(self, part: int, lo: int, hi: int) -> None:
        """Share `part` wrote rows `[lo, hi)`: its copy is the latest, every other one is stale."""
        if lo >= hi:
            return
        before = [(s, min(e, lo), o) for s, e, o in self.latest if s < lo]
        after = [(max(s, hi), e, o) for s, e, o in self.latest if e > hi]
        self.latest = [*before, (lo, hi, part), *after]
        self.current = [_added(c, lo, hi) if p == part else _removed(c, lo, hi) for p, c in enumerate(self.current)]


def _removed(intervals: list[Interval], lo: int, hi: int) -> list[Interval]:
    return [piece for s, e in intervals for piece in ((s, min(e, lo)), (max(s, hi), e)) if piece[0] < piece[1]]


def _added(intervals: list[Interval], lo: int, hi: int) -> list[Interval]:
    return sorted([*_removed(intervals, lo, hi), (lo, hi)]) if lo < hi else intervals


def _gaps(intervals: list[Interval], lo: int, hi: int) -> list[Interval]:
    """The parts of `[lo, hi)` that `intervals` (sorted, disjoint) leave out."""
    gaps, at = [], lo
    for s, e in intervals:
        if s > at and at < hi:
            gaps.append((at, min(s, hi)))
        at = max(at, e)
    return gaps + [(at, hi)] if at < hi else gaps


@dataclass
class _Array:
    """One array argument: where its pointer sits in the C arguments, the host array, its buffers
    (one per share) and the state of its rows."""

    position: int
    param: ParamSpec
    host: np.ndarray
    buffers: list[int] = field(default_factory=list)
    rows: _Rows | None = None

    @property
    def row_bytes(self) -> int:
        return self.host.nbytes // self.host.shape[0] if self.host.shape[0] else 0

    def clamp(self, lo: int, hi: int) -> Interval:
        n = self.host.shape[0]
        return min(max(lo, 0), n), min(max(hi, 0), n)


class ChunkedCall:
    """One `kernel.on(devices)(*args)` call: buffers, each share in a thread, the call backs, copy back."""

    def __init__(self, kernel: Chunked, devices: tuple[int, ...], values: list[object],
                 c_args: list[object]) -> None:
        chunk = kernel.spec.chunk
        assert chunk is not None and kernel.chunk_function is not None
        self.kernel, self.chunk, self.devices, self.c_args = kernel, chunk, devices, c_args
        self.openmp: OpenMP = openmp()
        self.arrays = {a.param.name: a for a in _arrays(kernel.spec, values, c_args)}
        self.barrier = threading.Barrier(len(devices))
        self.lock = threading.Lock()
        self.partials: list[list[object]] = [[] for _ in devices]
        self.errors: list[BaseException] = []
        self.results: list[object] = [None] * len(devices)
        self.local = threading.local()
        self.callback = SYNC(self._sync)  # kept alive for the whole call
        self.serial = kernel.target.partition(":")[0] == "host-offload"  # `_HOST_REGIONS`
        self.moved = [0, 0, 0]  # host to devices, devices to host, between devices
        self.progress = time.monotonic()
        """When a share last entered or left a call back (the caller's measure of a stuck share)."""

    def run(self) -> object:
        """Every share on its device; the first error any raised, else the C return value (the same on all)."""
        threads: list[threading.Thread] = []
        try:
            for array in self.arrays.values():
                self._stage(array)
            start = time.perf_counter()
            threads = [threading.Thread(target=self._share, args=(part,), daemon=True)
                       for part in range(len(self.devices))]
            for thread in threads:
                thread.start()
            self._join(threads)
            elapsed = time.perf_counter() - start
            if self.errors:
                raise self.errors[0]
            self._copy_back()
            self.kernel.stats.add(self.moved[0], self.moved[1], elapsed)
            self.kernel.stats.bytes_between_devices += self.moved[2]
            return self.results[0]
        finally:
            if not any(t.is_alive() for t in threads):  # a stuck share may still use its buffers: kept
                for array in self.arrays.values():
                    for device, pointer in zip(self.devices, array.buffers):
                        self.openmp.free(pointer, device)

    def _join(self, threads: list[threading.Thread]) -> None:
        """Wait for the shares; a share that neither returns nor calls back for `wait_seconds` is
        stuck (in the offload runtime): the others are stopped at their next call back and the call
        raises, leaving that share's buffers allocated (freeing memory it may still use could crash)."""
        for thread in threads:
            while thread.is_alive():
                thread.join(min(1.0, SETTINGS.wait_seconds))
                if thread.is_alive() and time.monotonic() - self.progress > SETTINGS.wait_seconds:
                    _ABANDONED.append(self)  # its call back and buffers stay alive while the stuck shares run
                    stuck = [self.devices[part] for part, t in enumerate(threads) if t.is_alive()]
                    self._fail(RuntimeError(
                        f"{self._call()}: the shares on devices {stuck} have neither returned nor called back for "
                        f"{SETTINGS.wait_seconds:g} s (PY2OMP_MULTI_TIMEOUT); stopped waiting for them"))
                    raise self.errors[0]

    def _call(self) -> str:
        return f"{self.kernel.spec.name}.on({list(self.devices)})"

    def _stage(self, array: _Array) -> None:
        """A buffer per device; the status array (one element) is copied to each, the others fill lazily."""
        status = array.param.name == self.kernel.spec.status
        for device in self.devices:
            pointer = int(self.openmp.alloc(max(array.host.nbytes, 1), device) or 0)
            if not pointer:
                raise MemoryError(f"omp_target_alloc of {array.host.nbytes} bytes on device {device} failed")
            array.buffers.append(pointer)
            if status:
                self.openmp.copy(pointer, array.host.ctypes.data, array.host.nbytes, to_device=True, device=device)
        if not status:
            param = array.param
            array.rows = _Rows(array.host.shape[0], len(self.devices), param.copy_in or param.written is not None)

    def _share(self, part: int) -> None:
        """Thread `part`: its device as the thread's default, its buffers in the C arguments, the call."""
        self.local.part = part
        try:
            self.openmp.set_thread_device(self.devices[part])
            args = list(self.c_args)
            for array in self.arrays.values():
                args[array.position] = array.buffers[part]
            self.results[part] = self.kernel.chunk_function(*args, part, len(self.devices), self.callback)
        except BaseException as exc:  # noqa: BLE001  # re-raised by `run` in the caller's thread
            self._fail(exc)
        finally:
            self._leave_region()

    def _fail(self, exc: BaseException) -> None:
        self.errors.append(exc)
        self.barrier.abort()  # the other shares stop waiting at their next call back

    def _sync(self, phase: int, lo: int, hi: int, reduced: ctypes.Array[ctypes.c_void_p], after: int) -> None:
        """The call back around split loop `phase` (an exception here would be lost in ctypes: kept instead)."""
        part = self.local.part
        self.progress = time.monotonic()
        if after:
            self._leave_region()
        if self.errors:
            return  # another share failed (or waited too long): this one runs on, moving nothing
        try:
            if after:
                self._after(part, phase, lo, hi, reduced)
            elif lo < hi:
                self._before(part, phase, lo, hi)
        except threading.BrokenBarrierError:
            pass  # another share failed; its error is the one raised
        except BaseException as exc:  # noqa: BLE001
            self._fail(exc)
        if not after and self.serial and not self.errors:
            _HOST_REGIONS.acquire()
            self.local.holding = True
        self.progress = time.monotonic()

    def _leave_region(self) -> None:
        """Give `_HOST_REGIONS` back, if this share's thread holds it."""
        if getattr(self.local, "holding", False):
            self.local.holding = False
            _HOST_REGIONS.release()

    def _before(self, part: int, phase: int, lo: int, hi: int) -> None:
        """The rows the loop touches on this share's device, brought up to date."""
        for name, offsets in self.chunk.phases[phase].reads:
            array = self.arrays[name]
            assert array.rows is not None
            first, last = (0, array.host.shape[0]) if offsets is None else array.clamp(lo + offsets[0], hi + offsets[1])
            with self.lock:
                missing = array.rows.missing(part, first, last)
            for start, end, owner in missing:
                self._fetch(array, part, start, end, owner)
            with self.lock:
                for start, end, _ in missing:
                    array.rows.got(part, start, end)

    def _fetch(self, array: _Array, part: int, start: int, end: int, owner: int) -> None:
        offset, length = start * array.row_bytes, (end - start) * array.row_bytes
        source = array.host.ctypes.data if owner == HOST else array.buffers[owner]
        devices = (self.devices[part], self.openmp.host if owner == HOST else self.devices[owner])
        if length and self.openmp.memcpy(array.buffers[part], source, length, offset, offset, *devices) != 0:
            raise RuntimeError(f"omp_target_memcpy of {length} bytes to device {devices[0]} failed")
        with self.lock:
            self.moved[0 if owner == HOST else 2] += length

    def _after(self, part: int, phase: int, lo: int, hi: int, reduced: ctypes.Array[ctypes.c_void_p]) -> None:
        """Every share done with the loop: reductions combined, written rows owned by their writer."""
        spec = self.chunk.phases[phase]
        dtypes = [np.dtype(dtype) for _, dtype in spec.reductions]
        self.partials[part] = [_read(reduced[k], t) for k, t in enumerate(dtypes)]
        self._wait(phase)
        for k, ((op, _), t) in enumerate(zip(spec.reductions, dtypes)):
            _write(reduced[k], _combined(op, [shares[k] for shares in self.partials], t))
        with self.lock:
            for name in spec.written:
                rows = self.arrays[name].rows
                assert rows is not None
                rows.written(part, *self.arrays[name].clamp(lo, hi))
        self._wait(phase)

    def _wait(self, phase: int) -> None:
        """The barrier after split loop `phase`, for at most `wait_seconds`: past it the barrier breaks,
        so no share waits any longer, and the call raises (a share that never arrives must not hang it)."""
        try:
            self.barrier.wait(SETTINGS.wait_seconds)
        except threading.BrokenBarrierError:
            with self.lock:
                if not self.errors:  # nobody failed: the wait ran out of time
                    line = self.chunk.phases[phase].line
                    self.errors.append(RuntimeError(
                        f"{self._call()}: a share waited {SETTINGS.wait_seconds:g} s for the others after the loop at "
                        f"line {line} (PY2OMP_MULTI_TIMEOUT); stopped every share there"))
            raise

    def _copy_back(self) -> None:
        """The rows whose latest version a device holds, into the caller's arrays; then the status."""
        for array in self.arrays.values():
            if array.rows is None:
                self._status(array)
                continue
            if not array.param.copy_out:
                continue
            for start, end, owner in array.rows.latest:
                if owner is None or owner == HOST:
                    continue
                offset, length = start * array.row_bytes, (end - start) * array.row_bytes
                if length and self.openmp.memcpy(array.host.ctypes.data, array.buffers[owner], length, offset, offset,
                                                 self.openmp.host, self.devices[owner]) != 0:
                    raise RuntimeError(f"omp_target_memcpy of {length} bytes from device {self.devices[owner]} failed")
                self.moved[1] += length

    def _status(self, array: _Array) -> None:
        """The first failed run-time check of any share (in device order), into the caller's status array."""
        for part, device in enumerate(self.devices):
            value = np.zeros_like(array.host)
            self.openmp.copy(value.ctypes.data, array.buffers[part], value.nbytes, to_device=False, device=device)
            if value[0]:
                array.host[...] = value
                return


def _arrays(spec: KernelSpec, values: Sequence[object], c_args: Sequence[object]) -> list[_Array]:
    """The arrays of the call with the index of their pointer among the C arguments (each array is a
    pointer and its extents, each scalar one value)."""
    found, position = [], 0
    for param, value in zip(spec.params, values):
        if param.is_array:
            assert isinstance(value, np.ndarray) and c_args[position] == value.ctypes.data
            found.append(_Array(position, param, value))
            position += 1 + param.rank
        else:
            position += 1
    return found


def _combined(op: str, values: list[object], dtype: np.dtype) -> np.ndarray:
    """The shares' values of one reduction combined in device order; integers wrap as in the C."""
    combined = values[0]
    with np.errstate(over="ignore"):
        for value in values[1:]:
            combined = _COMBINE[op](combined, value)
    return np.asarray(combined, dtype=dtype)


def _read(address: int | None, dtype: np.dtype) -> object:
    """The scalar of `dtype` at `address` (a reduction's variable in a share's C frame)."""
    assert address is not None
    value = np.empty((), dtype)
    ctypes.memmove(value.ctypes.data, address, dtype.itemsize)
    return value[()]


def _write(address: int | None, value: np.ndarray) -> None:
    assert address is not None
    ctypes.memmove(address, value.ctypes.data, value.dtype.itemsize)
