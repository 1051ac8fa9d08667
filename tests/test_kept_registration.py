"""NumPy arrays kept registered with the CUDA driver across calls (`runtime_shim.kept`, issue 14),
on host-offload with the stand-in driver (tests/native/fake_cuda.c), which logs every registration
and unregistration with its address and size: an array is staged by its first call, registered by
its second and moved directly from then on, unregistered exactly once when the ndarray owning its
memory dies (in whatever thread), evicted least recently used beyond the cap; memory no ndarray owns
is never kept, and a refused registration stages. Every call's result is Python's."""

from __future__ import annotations

import ctypes
import gc
import mmap
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from runtime_shim import kept, registration, staging
from tests.kernels import staging as kernels
from tests.test_registration import N, _int, fake_cuda, pooled  # noqa: F401 (fixtures)

REGISTER, UNREGISTER = 1, -1
ITEM = 4 * N
"""Bytes of one float32 array of the tests."""


@pytest.fixture()
def keeping(fake_cuda: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ctypes.CDLL]:  # noqa: F811
    """Keeping on for host-offload through the stand-in, from 64 KiB (every test array), with room
    for 16 arrays; staging from 64 KiB in 64 KiB chunks. Every registration is dropped afterwards."""
    monkeypatch.setenv(registration.LIBRARY_ENV, str(fake_cuda))
    for name, value in (("kinds", frozenset({"host-offload"})), ("register_kinds", frozenset({"host-offload"})),
                        ("register", staging.KEEP), ("keep_min_bytes", 64 << 10), ("keep_bytes", 16 * ITEM),
                        ("min_bytes", 64 << 10), ("chunk_bytes", 64 << 10), ("buffers", 3)):
        monkeypatch.setattr(staging.SETTINGS, name, value)
    fake = ctypes.CDLL(str(fake_cuda))
    runtime_shim.release_registered()
    yield fake
    runtime_shim.release_registered()
    _int(fake, "fake_status").value = 0


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(142)


class Log:
    """The stand-in's log of registrations, from the moment this is made."""

    def __init__(self, fake: ctypes.CDLL) -> None:
        self.fake, self.start = fake, _int(fake, "fake_log_count").value

    def entries(self) -> list[tuple[int, int, int]]:
        """`(REGISTER or UNREGISTER, address, size)` since the start, and moves the start past them."""
        count = _int(self.fake, "fake_log_count").value
        kinds = (ctypes.c_int * 256).in_dll(self.fake, "fake_log_kind")
        addresses = (ctypes.c_uint64 * 256).in_dll(self.fake, "fake_log_address")
        sizes = (ctypes.c_uint64 * 256).in_dll(self.fake, "fake_log_size")
        assert count <= 256
        found = [(kinds[k], addresses[k], sizes[k]) for k in range(self.start, count)]
        self.start = count
        return found


def of(kind: int, array: np.ndarray) -> tuple[int, int, int]:
    return kind, array.ctypes.data, array.nbytes


def saxpy(x: np.ndarray, y: np.ndarray) -> None:
    """One compiled saxpy call on `x` and `y`, checked against the Python function on copies."""
    expected = y.copy()
    kernels.saxpy.py_func(np.float32(-0.625), x, expected)
    kernels.saxpy.library("host-offload").saxpy(np.float32(-0.625), x, y)
    assert np.array_equal(y, expected)


def arrays(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    return [rng.standard_normal(N).astype(np.float32) for _ in range(count)]


def test_an_array_is_registered_by_its_second_call_and_moves_directly(keeping: ctypes.CDLL, pooled: list[int],
                                                                      rng: np.random.Generator) -> None:
    x, y = arrays(rng, 2)
    log, compiled = Log(keeping), kernels.saxpy.library("host-offload").saxpy
    compiled.stats.reset()
    saxpy(x, y)
    assert log.entries() == [] and pooled == [ITEM] * 3  # the first call stages: x and y in, y back
    assert runtime_shim.registered_memory() == kept.RegisteredMemory(0, 0, 0)
    saxpy(x, y)
    assert log.entries() == [of(REGISTER, x), of(REGISTER, y)] and pooled == [ITEM] * 3
    assert runtime_shim.registered_memory() == kept.RegisteredMemory(2, 2 * ITEM, 0)
    for _ in range(2):
        saxpy(x, y)
    assert log.entries() == [] and pooled == [ITEM] * 3 and _int(keeping, "fake_live").value == 2
    assert (compiled.stats.calls, compiled.stats.bytes_to_device, compiled.stats.bytes_from_device) == \
        (4, 4 * 2 * ITEM, 4 * ITEM)


def test_the_owner_dying_unregisters_it_once(keeping: ctypes.CDLL, rng: np.random.Generator) -> None:
    """A view passed in registers the ndarray owning its memory, which stays registered while any
    view keeps it alive and is unregistered, with the same address and size, when it dies."""
    owner = rng.standard_normal(N + 9).astype(np.float32)
    x, (y,) = owner[9:], arrays(rng, 1)
    log = Log(keeping)
    saxpy(x, y)
    saxpy(x, y)
    registered = [of(REGISTER, owner), of(REGISTER, y)]
    assert log.entries() == registered
    del owner
    gc.collect()
    assert log.entries() == []  # the view holds it
    gone = of(UNREGISTER, x.base)
    del x
    assert log.entries() == [gone] and runtime_shim.registered_memory() == kept.RegisteredMemory(1, ITEM, 0)
    release = of(UNREGISTER, y)
    assert runtime_shim.release_registered() == 1 and log.entries() == [release]
    del y
    assert log.entries() == [] and _int(keeping, "fake_live").value == 0


def test_an_owner_dying_in_another_thread_is_unregistered_there(keeping: ctypes.CDLL, rng: np.random.Generator) -> None:
    x, y = arrays(rng, 2)
    log = Log(keeping)
    saxpy(x, y)
    saxpy(x, y)
    assert len(log.entries()) == 2
    gone, last = of(UNREGISTER, x), [x]
    del x
    thread = threading.Thread(target=last.clear)
    thread.start()
    thread.join()
    assert log.entries() == [gone] and runtime_shim.registered_memory().arrays == 1


def test_the_cap_evicts_the_least_recently_used(keeping: ctypes.CDLL, rng: np.random.Generator,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Room for two arrays: a third evicts the least recently used one that the call does not use;
    the evicted one is registered again at its next call."""
    monkeypatch.setattr(staging.SETTINGS, "keep_bytes", 2 * ITEM)
    a, b, c = arrays(rng, 3)
    log = Log(keeping)
    for x, y in ((a, b), (a, b), (c, b)):
        saxpy(x, y)
    assert log.entries() == [of(REGISTER, a), of(REGISTER, b)]
    saxpy(c, b)  # c's second call: a, used least recently, goes
    assert log.entries() == [of(UNREGISTER, a), of(REGISTER, c)]
    saxpy(a, b)  # a again: c goes, not b, which this call uses
    assert log.entries() == [of(UNREGISTER, c), of(REGISTER, a)]
    assert runtime_shim.registered_memory() == kept.RegisteredMemory(2, 2 * ITEM, 0)


def test_memory_no_ndarray_owns_is_never_kept(keeping: ctypes.CDLL, pooled: list[int], rng: np.random.Generator) -> None:
    """Arrays over an mmap and over a bytearray: their memory goes when those go, which no ndarray
    deallocation announces, so every call stages them."""
    shared = mmap.mmap(-1, ITEM)
    x = np.frombuffer(shared, np.float32)
    y = np.frombuffer(bytearray(ITEM), np.float32)
    x[:], y[:] = arrays(rng, 2)
    assert kept.owner_of(x) is None and kept.owner_of(y[1:][::1]) is None
    log = Log(keeping)
    for _ in range(3):
        saxpy(x, y)
    assert log.entries() == [] and pooled == [ITEM] * 9
    del x
    owner = np.empty((4, N), np.float32)
    assert kept.owner_of(owner[1:3].reshape(-1)) is owner and kept.owner_of(owner[:, ::2]) is owner


def test_a_refused_registration_stages_and_is_not_tried_again(keeping: ctypes.CDLL, pooled: list[int],
                                                              rng: np.random.Generator) -> None:
    """x registered by someone else (the driver answers 'already registered'): its calls stage it,
    while y, kept, moves directly in the same calls; a lock limit refuses y2 alike, once for good."""
    x, y, y2 = arrays(rng, 3)
    found = registration.driver()
    assert found is not None and found.register(x.ctypes.data, x.nbytes, 0) == 0
    log = Log(keeping)
    try:
        for _ in range(3):
            saxpy(x, y)
        assert log.entries() == [of(REGISTER, y)] and pooled == [ITEM] * 3 + [ITEM] * 2
        assert runtime_shim.registered_memory() == kept.RegisteredMemory(1, ITEM, 1)
    finally:
        assert found.unregister(x.ctypes.data, 0) == 0
    log.entries()
    pooled.clear()
    saxpy(y, y2)
    _int(keeping, "fake_status").value = 2  # CUDA_ERROR_OUT_OF_MEMORY: a lock limit
    saxpy(y, y2)
    _int(keeping, "fake_status").value = 0
    saxpy(y, y2)
    assert log.entries() == [] and pooled == [ITEM] * 6  # y2 in and back, three times
    assert runtime_shim.registered_memory() == kept.RegisteredMemory(1, ITEM, 2)


def test_small_arrays_and_other_modes_keep_nothing(keeping: ctypes.CDLL, rng: np.random.Generator,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = arrays(rng, 2)
    log = Log(keeping)
    monkeypatch.setattr(staging.SETTINGS, "keep_min_bytes", ITEM + 1)
    for _ in range(3):
        saxpy(x, y)
    monkeypatch.setattr(staging.SETTINGS, "keep_min_bytes", 64 << 10)
    monkeypatch.setattr(staging.SETTINGS, "register", "0")
    for _ in range(3):
        saxpy(x, y)
    assert log.entries() == [] and runtime_shim.registered_memory() == kept.RegisteredMemory(0, 0, 0)


def test_the_copy_rate_benchmark_route_of_repeated_calls(keeping: ctypes.CDLL, monkeypatch: pytest.MonkeyPatch,
                                                         rng: np.random.Generator) -> None:
    """bench/copy_rate.py's route "NumPy arrays, repeated calls" on this saxpy: both arrays registered
    by the second call, the result right, every registration dropped after it."""
    for name in ("enabled", "overlap"):
        monkeypatch.setattr(staging.SETTINGS, name, getattr(staging.SETTINGS, name))
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parent.parent / "bench"))
    import copy_rate
    x, y = arrays(rng, 2)
    log = Log(keeping)
    found = copy_rate.repeated_row(kernels.saxpy.library("host-offload").saxpy, x, y)
    assert found["ok"] is True and found["registered_MB"] == 2 * ITEM / 1e6 and found["MB"] == 3 * ITEM / 1e6
    assert [kind for kind, _, _ in log.entries()] == [REGISTER, REGISTER, UNREGISTER, UNREGISTER]
    assert runtime_shim.registered_memory() == kept.RegisteredMemory(0, 0, 0) and staging.SETTINGS.register == "0"


def test_threads_calling_under_a_tight_cap(keeping: ctypes.CDLL, rng: np.random.Generator,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Four threads call with their own arrays, room for three: registrations come and go while
    other calls hold theirs; every result is Python's, and once the arrays are gone every
    registration has been undone exactly once."""
    monkeypatch.setattr(staging.SETTINGS, "keep_bytes", 3 * ITEM)
    pairs = [arrays(rng, 2) for _ in range(4)]
    log, failures = Log(keeping), []

    def calls(x: np.ndarray, y: np.ndarray) -> None:
        try:
            for _ in range(4):
                saxpy(x, y)
        except AssertionError as error:
            failures.append(error)

    threads = [threading.Thread(target=calls, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and runtime_shim.registered_memory().bytes <= 3 * ITEM
    pairs.clear()
    entries = log.entries()
    registered = [(address, size) for kind, address, size in entries if kind == REGISTER]
    unregistered = [(address, size) for kind, address, size in entries if kind == UNREGISTER]
    assert registered and sorted(registered) == sorted(unregistered) and _int(keeping, "fake_live").value == 0
