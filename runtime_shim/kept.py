"""NumPy arrays kept registered with the CUDA driver across calls, from the second call that moves them.

Why: staging a NumPy (pageable) array is bound by the host's copy into the pinned buffers (17-29
GB/s), while registered memory the copy engines read directly (on an H200, registered once and
copied 10 times: 42-43 GB/s, 0.8x the link). Registering costs 33 ms and unregistering 18 ms per
GiB (docs/benchmarks.md), more than one copy gains, so one call never pays it: an array is
registered the second time a call moves it, and then stays registered while its memory lives.

Why it is safe: the memory belongs to an ndarray that owns its data (the end of the view's `.base`
chain, `OWNDATA`). A weak reference to that owner gets its callback in NumPy's `array_dealloc`
before the data is freed, and that callback unregisters it; while a weak reference exists NumPy
refuses `resize` (even with `refcheck=False`), and NumPy 2 makes `data` read-only, so the owner's
address and size never change under the registration. Memory an ndarray does not own (a `.base`
chain ending in bytes, an mmap, a pinned buffer, another library's object) is never kept: nobody
would tell us when it goes.

The callback may run in any thread (with the GIL), even inside this module's own work (a garbage
collection there frees an owner): the state is guarded by a reentrant lock, and nothing iterates
the tables while calling out. Registrations are capped (`limit` bytes, `staging.SETTINGS.keep_bytes`);
beyond it the least recently used are unregistered first, never one that a call in flight holds
(`Registry.hold`). A registration the driver refuses (memory someone else registered, a lock limit)
is not tried again for that owner: its calls stage as before.
"""

from __future__ import annotations

import atexit
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from . import registration

SEEN, KEPT, REFUSED = "seen", "kept", "refused"
"""An owner's states: moved by one call (or evicted), registered now, not to be registered."""


@dataclass
class _Owner:
    """What the registry knows of one ndarray owning its memory."""

    ref: weakref.ref[np.ndarray]
    address: int
    nbytes: int
    state: str = SEEN
    users: int = 0
    """Calls in flight holding it (`Registry.hold`): not evicted while any does."""
    device: int = 0
    driver: registration.Driver | None = None
    """The driver that registered it, which unregisters it."""


@dataclass(frozen=True)
class RegisteredMemory:
    """The registry's state: owners registered now and their bytes; owners whose registration the
    driver refused (never tried again while they live)."""

    arrays: int
    bytes: int
    refused: int


def owner_of(array: np.ndarray) -> np.ndarray | None:
    """The ndarray that owns `array`'s memory (itself, or the end of its `.base` chain), when that
    owns its data contiguously; None where the chain ends in another object (bytes, an mmap, a pinned
    buffer), whose memory may go without an ndarray's deallocation."""
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    flags = owner.flags
    if owner.base is not None or not flags.owndata or not (flags.c_contiguous or flags.f_contiguous):
        return None
    return owner


class Registry:
    """The owners seen by calls, the registered ones in least-recently-used order."""

    def __init__(self) -> None:
        self._owners: dict[int, _Owner] = {}
        """By the owner's data address (unique among live owners; an entry goes when its owner dies)."""
        self._kept: OrderedDict[int, None] = OrderedDict()
        """Addresses of the registered owners, the least recently used first."""
        self._bytes = 0
        self._lock = threading.RLock()

    @contextmanager
    def hold(self, arrays: Sequence[np.ndarray], device: int, limit: int) -> Iterator[None]:
        """Around one call that moves `arrays` (each large enough to keep): each one's owner is
        noted and held (not evicted) until the call returns; then those seen by an earlier call are
        registered (`limit`: the cap on registered bytes), so that the call moves them directly."""
        with self._lock:
            noted: dict[int, tuple[_Owner, bool]] = {}
            for array in arrays:
                owner = owner_of(array)
                if owner is not None and owner.ctypes.data not in noted:  # an owner counts once per call
                    found = self._note(owner)
                    if found is not None:
                        noted[owner.ctypes.data] = found
            for entry, _ in noted.values():
                entry.users += 1
            for entry, first in noted.values():
                if not first and entry.state == SEEN:
                    self._register(entry, device, limit)
        try:
            yield
        finally:
            with self._lock:
                for entry, _ in noted.values():
                    entry.users -= 1

    def covers(self, address: int, nbytes: int) -> bool:
        """Whether host memory `[address, address + nbytes)` lies in one registered owner's."""
        with self._lock:
            found = [self._owners.get(key) for key in list(self._kept)]
        return any(e is not None and e.address <= address and address + nbytes <= e.address + e.nbytes for e in found)

    def stats(self) -> RegisteredMemory:
        with self._lock:
            refused = sum(1 for entry in list(self._owners.values()) if entry.state == REFUSED)
            return RegisteredMemory(len(self._kept), self._bytes, refused)

    def release(self) -> int:
        """Unregister every owner no call in flight holds, and forget every owner (each counts
        from its next call as a first again); the number unregistered."""
        with self._lock:
            entries = [entry for entry in list(self._owners.values()) if entry.users == 0]
            dropped = 0
            for entry in entries:
                if entry.state == KEPT:
                    self._unregister(entry)
                    dropped += 1
                self._owners.pop(entry.address, None)
            return dropped

    def _note(self, owner: np.ndarray) -> tuple[_Owner, bool] | None:
        """The owner's entry, and whether this is its first call (the entry made now); a registered
        one moves to the recent end. None where it cannot be tracked."""
        key = owner.ctypes.data
        entry = self._owners.get(key)
        if entry is not None and entry.ref() is not owner:
            return None  # cannot be while callbacks run (the old owner's removed it); never trust it
        if entry is not None:
            if entry.state == KEPT:
                self._kept.move_to_end(key)
            return entry, False
        try:
            ref = weakref.ref(owner, functools.partial(self._died, key))
        except TypeError:
            return None
        entry = self._owners[key] = _Owner(ref, key, owner.nbytes)
        return entry, True

    def _register(self, entry: _Owner, device: int, limit: int) -> None:
        """Register the owner's memory, evicting the least recently used beyond `limit`; refused
        for good where it alone exceeds the cap or the driver says no; left `SEEN` (tried at its next
        call) where the held registrations leave no room."""
        if entry.nbytes > limit:
            entry.state = REFUSED
            return
        if not self._make_room(entry.nbytes, limit):
            return
        driver = registration.driver()
        if driver is None or driver.register(entry.address, entry.nbytes, device) != 0:
            entry.state = REFUSED
            return
        entry.state, entry.device, entry.driver = KEPT, device, driver
        self._kept[entry.address] = None
        self._bytes += entry.nbytes

    def _make_room(self, nbytes: int, limit: int) -> bool:
        """Unregister the least recently used owners no call holds until `nbytes` more fit under
        `limit`; whether they do."""
        for key in list(self._kept):
            if self._bytes + nbytes <= limit:
                break
            entry = self._owners.get(key)
            if entry is not None and entry.users == 0 and entry.state == KEPT:
                self._unregister(entry)
        return self._bytes + nbytes <= limit

    def _unregister(self, entry: _Owner) -> None:
        assert entry.driver is not None
        entry.driver.unregister(entry.address, entry.device)
        self._kept.pop(entry.address, None)
        self._bytes -= entry.nbytes
        entry.state = SEEN

    def _died(self, key: int, ref: weakref.ref[np.ndarray]) -> None:
        """The owner's weak reference callback, in `array_dealloc` before NumPy frees the memory:
        unregister it now, in the thread that frees it."""
        with self._lock:
            entry = self._owners.get(key)
            if entry is None or entry.ref is not ref:
                return
            del self._owners[key]
            if entry.state == KEPT:
                self._unregister(entry)


REGISTRY = Registry()
atexit.register(REGISTRY.release)  # unregistered while the driver is surely there, not in interpreter teardown


def registered_memory() -> RegisteredMemory:
    """NumPy arrays kept registered with the CUDA driver now, their bytes, and the refused."""
    return REGISTRY.stats()


def release_registered() -> int:
    """Unregister every kept NumPy array (none is kept again before its next two calls); how many."""
    return REGISTRY.release()
