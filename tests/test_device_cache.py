"""The cache of freed DeviceArray blocks (runtime_shim/device_cache.py), on host-offload, whose
virtual devices allocate separate memory through the same `omp_target_alloc`: a second array of a
size class takes the freed block (no new allocation, by the counters of `device_memory_stats`), other
classes and other devices do not, the byte cap gives the least recently freed blocks back, release
empties the cache, a cap of 0 turns it off, a failed allocation empties it and tries once more, and
kernels returning new arrays, called again and again on fresh random data, match Python exactly."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

import runtime_shim
from runtime_shim import DeviceArray, device_memory_stats, empty_on_device, release_device_memory, to_device
from runtime_shim.device_cache import DEFAULT_LIMIT, DEVICE_CACHE, limit_from_environment, size_class
from runtime_shim.resident import openmp
from tests.kernels import device_cache as zero_kernels
from tests.kernels import device_results as kernels

F64 = np.dtype(np.float64)


@pytest.fixture()
def given_back(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The blocks given back to a device (`omp_target_free`) while the test runs, with the cache
    empty at the start and a cap of 4000 bytes."""
    kernels.gathered.library("host-offload")  # a loaded offload library: the device API
    release_device_memory()
    monkeypatch.setattr(DEVICE_CACHE, "limit", 4000)
    freed: list[int] = []
    real_free = openmp().free

    def free(pointer: int, device: int) -> None:
        freed.append(pointer)
        real_free(pointer, device)

    monkeypatch.setattr(openmp(), "free", free)
    yield freed
    release_device_memory()


def allocations() -> int:
    return device_memory_stats().allocations


def test_a_second_array_of_the_class_takes_the_freed_block(given_back: list[int]) -> None:
    before = allocations()
    first = empty_on_device((100,), F64)  # 800 bytes: the 832-byte class (64-byte steps from 512 to 1024)
    pointer = first.ptr
    first.free()
    assert device_memory_stats()[1:] == (1, 832) and given_back == []
    second = empty_on_device((104,), F64)  # 832 bytes: the same class
    assert second.ptr == pointer and allocations() - before == 1
    assert device_memory_stats()[1:] == (0, 0)
    del second  # the last reference: freed into the cache
    third = empty_on_device((10, 10), F64)
    assert third.ptr == pointer and allocations() - before == 1


def test_a_size_beyond_the_class_allocates(given_back: list[int]) -> None:
    before = allocations()
    empty_on_device((100,), F64).free()  # 832-byte class
    other = empty_on_device((105,), F64)  # 840 bytes: the 896-byte class
    assert allocations() - before == 2 and device_memory_stats()[1:] == (1, 832)
    assert size_class(840) == 896 and size_class(1) == size_class(512) == 512
    other.free()
    assert device_memory_stats()[1:] == (2, 832 + 896) and given_back == []


def test_the_cap_gives_the_least_recently_freed_blocks_back(given_back: list[int],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DEVICE_CACHE, "limit", 2000)
    a, b, c = (empty_on_device((100,), F64) for _ in range(3))
    pointers = [a.ptr, b.ptr, c.ptr]
    for array in (a, b, c):
        array.free()
    assert given_back == pointers[:1] and device_memory_stats()[1:] == (2, 2 * 832)  # 3 * 832 > 2000
    big = empty_on_device((600,), F64)  # 4800 bytes, the 5120-byte class: over the cap, given straight back
    big_pointer = big.ptr
    big.free()
    assert given_back == [pointers[0], big_pointer]
    assert empty_on_device((100,), F64).ptr == pointers[2]  # the most recently freed block of the class


def test_release_gives_every_block_back(given_back: list[int]) -> None:
    arrays = [empty_on_device((n,), F64) for n in (10, 100, 300)]
    pointers = {array.ptr for array in arrays}
    for array in arrays:
        array.free()
    assert device_memory_stats()[1:] == (3, 512 + 832 + 2560) and given_back == []
    release_device_memory()
    assert set(given_back) == pointers and len(given_back) == 3
    assert device_memory_stats()[1:] == (0, 0)


def test_a_cap_of_zero_turns_the_cache_off(given_back: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(DEVICE_CACHE, "limit", 0)
    before = allocations()
    first = empty_on_device((100,), F64)
    pointer = first.ptr
    first.free()
    assert given_back == [pointer] and device_memory_stats()[1:] == (0, 0)
    empty_on_device((100,), F64).free()
    assert allocations() - before == 2 and len(given_back) == 2


def test_arrays_on_different_devices_never_share_a_block(given_back: list[int]) -> None:
    if runtime_shim.device_count() < 2:
        pytest.skip("needs two offload devices")
    current = openmp().device
    before = allocations()
    on_first = empty_on_device((100,), F64)
    pointer = on_first.ptr
    on_first.free()
    try:
        runtime_shim.use_device(1 - current if current < 2 else 0)
        on_second = empty_on_device((100,), F64)
    finally:
        runtime_shim.use_device(current)
    assert on_second.device != current and on_second.ptr != pointer and allocations() - before == 2
    on_second.free()
    assert device_memory_stats()[1:] == (2, 2 * 832)
    assert empty_on_device((100,), F64).ptr == pointer  # back on its device: its own block


def test_a_failed_allocation_empties_the_cache_and_tries_again(given_back: list[int],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cached = empty_on_device((300,), F64)
    cached_pointer = cached.ptr
    cached.free()
    real_alloc, failures = openmp().alloc, [1]

    def alloc(nbytes: int, device: int) -> int | None:
        if failures:
            failures.pop()
            return None  # NULL: the device is full
        return real_alloc(nbytes, device)  # type: ignore[no-any-return]

    monkeypatch.setattr(openmp(), "alloc", alloc)
    before = allocations()
    fresh = empty_on_device((100,), F64)
    assert fresh.ptr and given_back == [cached_pointer] and allocations() - before == 2
    assert device_memory_stats()[1:] == (0, 0)
    monkeypatch.setattr(openmp(), "alloc", lambda nbytes, device: None)
    with pytest.raises(MemoryError, match=r"^omp_target_alloc of 832 bytes on device \d+ failed "
                                          r"\(after the cached device blocks were given back\)$"):
        empty_on_device((100,), F64)


def test_a_block_freed_while_the_lock_is_held_is_filed_later(given_back: list[int]) -> None:
    """A finalizer the garbage collector runs inside the cache's lock must not wait for it."""
    array = empty_on_device((100,), F64)
    pointer = array.ptr
    with DEVICE_CACHE._lock:
        del array  # the last reference: DeviceArray.__del__ frees it, queued
    assert device_memory_stats()[1:] == (1, 832)
    assert empty_on_device((100,), F64).ptr == pointer


def test_an_array_another_object_holds_is_not_cached(given_back: list[int]) -> None:
    """A view's owner reference (what CuPy keeps from `__cuda_array_interface__`) keeps the block."""
    array = empty_on_device((100,), F64)
    holder = [array]
    del array
    assert device_memory_stats()[1:] == (0, 0)
    holder.clear()
    assert device_memory_stats()[1:] == (1, 832)


def test_threads_never_get_one_block_at_once(given_back: list[int]) -> None:
    live: set[int] = set()
    clashes: list[int] = []
    guard = threading.Lock()

    def churn(seed: int) -> None:
        rng = np.random.default_rng(seed)
        for _ in range(300):
            values = rng.standard_normal(int(rng.integers(1, 200)))
            array = to_device(values)
            with guard:
                if array.ptr in live:
                    clashes.append(array.ptr)
                live.add(array.ptr)
            if not np.array_equal(array.to_numpy(), values):  # another thread wrote into it meanwhile
                clashes.append(array.ptr)
            with guard:
                live.discard(array.ptr)
            array.free()

    threads = [threading.Thread(target=churn, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert clashes == [] and device_memory_stats().cached_bytes <= 4000


def test_kernels_returning_new_arrays_match_python_call_after_call(given_back: list[int],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call's result takes the block of the one before, which holds that call's values: only a
    kernel that writes (or zero-fills) every element gives Python's answer."""
    monkeypatch.setattr(DEVICE_CACHE, "limit", DEFAULT_LIMIT)
    gathered = kernels.gathered.library("host-offload").kernels["gathered"]
    positive_part = zero_kernels.positive_part.library("host-offload").kernels["positive_part"]
    rng = np.random.default_rng(53)
    counts, pointers = [], set()
    for _ in range(6):
        before = allocations()
        idx, x = rng.integers(0, 40, 64), rng.standard_normal(40)
        y = gathered(to_device(idx), to_device(x))
        assert isinstance(y, DeviceArray)
        np.testing.assert_array_equal(y.to_numpy(), kernels.gathered.py_func(idx, x))
        signed = rng.standard_normal(64)
        z = positive_part(to_device(signed))
        assert isinstance(z, DeviceArray)
        np.testing.assert_array_equal(z.to_numpy(), zero_kernels.positive_part.py_func(signed))
        pointers.add(z.ptr)
        del y, z
        counts.append(allocations() - before)
    assert counts[1:] == [0] * 5 and len(pointers) <= 2


def test_the_setting_is_read_as_a_whole_number_of_bytes() -> None:
    assert limit_from_environment({}) == DEFAULT_LIMIT == 1 << 30
    assert limit_from_environment({"PY2OMP_DEVICE_CACHE_BYTES": "0"}) == 0
    assert limit_from_environment({"PY2OMP_DEVICE_CACHE_BYTES": "65536"}) == 65536
    for text in ("1e9", "-1", "", "1 GiB"):
        with pytest.raises(ValueError, match=r"^PY2OMP_DEVICE_CACHE_BYTES must be a whole number of bytes "
                                             r"\(0 turns the cache off\), got '.*'$"):
            limit_from_environment({"PY2OMP_DEVICE_CACHE_BYTES": text})
