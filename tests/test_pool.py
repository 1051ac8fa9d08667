"""The cache of freed device blocks (templates/pool.c.j2): on host-offload, kernels with a temporary
buffer (tests/kernels/pool.py) against Python on random data, with the library's counters read through
`Library.memory_stats` (runtime_shim/pool.py): a call again allocates nothing, a block is reused only
for a request of half its size or more, the cap (`PY2OMP_POOL_BYTES`, 0 turns the cache off) gives the
least recently freed blocks back, `release_memory` empties it, and calls from several host threads get
their own buffers. The in-place BLAS product's buffer is tested in tests/test_blas.py."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import runtime_shim
from tests.kernels import pool
from translator.pipeline import translate
from translator.targets import parse_target

HOST_OFFLOAD = parse_target("host-offload")
ROW_BYTES = 8 * 28
"""The temporary of `smooth_rows` on 30 columns: one f64 row of 28 (the interior) per iteration."""


@pytest.fixture
def lib(monkeypatch: pytest.MonkeyPatch) -> Iterator[runtime_shim.Library]:
    """The kernels' library with its cache empty and the default cap."""
    monkeypatch.delenv("PY2OMP_POOL_BYTES", raising=False)
    library = pool.smooth_rows.library(HOST_OFFLOAD)
    library.release_memory()
    yield library
    library.release_memory()


def _smooth(lib: runtime_shim.Library, rng: np.random.Generator, rows: int) -> int:
    """Run `smooth_rows` on `rows` x 30 random values, check it against Python, and return the
    omp_target_alloc calls it made."""
    x = rng.standard_normal((rows, 30))
    expected = x.copy()
    pool.smooth_rows.py_func(expected)
    before = lib.memory_stats().allocations
    lib.smooth_rows(x)
    np.testing.assert_array_equal(x, expected)
    return lib.memory_stats().allocations - before


def test_a_second_call_reuses_the_buffer(lib: runtime_shim.Library) -> None:
    rng = np.random.default_rng(41)
    assert [_smooth(lib, rng, 50) for _ in range(3)] == [1, 0, 0]
    assert lib.memory_stats()[1:] == (1, 50 * ROW_BYTES)


def test_a_block_serves_requests_from_half_its_size_up(lib: runtime_shim.Library) -> None:
    """50 rows, then 80 (larger: a new block), 60 (the 80-row block), 20 (under half of the 50-row
    block: a new one)."""
    rng = np.random.default_rng(42)
    assert [_smooth(lib, rng, rows) for rows in (50, 80, 60, 20)] == [1, 1, 0, 1]
    assert lib.memory_stats()[1:] == (3, (50 + 80 + 20) * ROW_BYTES)


def test_the_cap_gives_the_least_recently_freed_blocks_back(lib: runtime_shim.Library,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_POOL_BYTES", str(100 * ROW_BYTES))
    rng = np.random.default_rng(43)
    assert [_smooth(lib, rng, rows) for rows in (30, 40, 50)] == [1, 1, 1]
    assert lib.memory_stats()[1:] == (2, (40 + 50) * ROW_BYTES)  # the 30-row block made room for 50
    assert _smooth(lib, rng, 120) == 1  # larger than the cap: given back at once
    assert lib.memory_stats()[1:] == (2, (40 + 50) * ROW_BYTES)


def test_a_cap_of_zero_allocates_every_call(lib: runtime_shim.Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PY2OMP_POOL_BYTES", "0")
    rng = np.random.default_rng(44)
    assert [_smooth(lib, rng, 50) for _ in range(3)] == [1, 1, 1]
    assert lib.memory_stats()[1:] == (0, 0)


def test_release_gives_every_block_back(lib: runtime_shim.Library) -> None:
    rng = np.random.default_rng(45)
    x = rng.standard_normal((16, 9))
    expected = x.copy()
    pool.center_rows.py_func(expected, 0.5)
    lib.center_rows(x, 0.5)
    np.testing.assert_allclose(x, expected, rtol=1e-13, atol=1e-15)
    _smooth(lib, rng, 50)
    assert lib.memory_stats()[1:] == (2, 16 * 9 * 8 + 50 * ROW_BYTES)
    lib.release_memory()
    assert lib.memory_stats()[1:] == (0, 0)
    assert _smooth(lib, rng, 50) == 1


def test_calls_from_several_threads_get_buffers_of_their_own(lib: runtime_shim.Library) -> None:
    """Four threads, 120 calls of three sizes, each checked against Python: a block lent to one call
    is never another's. A size allocates only while every block that fits it is lent, to at most
    the other three threads: four blocks per size at most."""
    sizes = (20, 50, 130)  # no block serves another size: each is over twice the one before
    before = lib.memory_stats().allocations
    seeds = np.random.SeedSequence(46).spawn(120)
    with ThreadPoolExecutor(max_workers=4) as workers:
        list(workers.map(lambda k: _smooth(lib, np.random.default_rng(seeds[k]), sizes[k % 3]), range(120)))
    stats = lib.memory_stats()
    assert 3 <= stats.allocations - before <= 4 * len(sizes)
    assert stats.cached_blocks == stats.allocations - before  # every block came back to the cache


def test_host_targets_keep_no_device_memory() -> None:
    """On `cpu` the temporaries are host memory (malloc): no cache, and the library exports neither
    function; its `memory_stats` are zeros and `release_memory` does nothing."""
    assert "py2omp_device_alloc" not in translate("tests/kernels/pool.py", "cpu").c_source
    library = pool.smooth_rows.library(parse_target("cpu"))
    library.release_memory()
    assert library.memory_stats() == (0, 0, 0)


def test_the_header_declares_the_functions() -> None:
    h = translate("tests/kernels/pool.py", "host-offload").h_source
    assert "void py2omp_release_device_memory(void);" in h
    assert "void py2omp_device_memory_stats(int64_t stats[3]);" in h
    assert "py2omp_release_device_memory" not in translate("examples/saxpy.py", "host-offload").h_source
