"""Pinned arrays (`translator.empty_pinned`, ...) and pinned staging of NumPy arrays (`runtime_shim.staging`)
on the host-offload virtual device, whose memory is separate from the host's: a wrong copy gives a
wrong result here, as on a GPU. Staging is on by default for GPU targets only; these tests turn it
on for host-offload with small chunks, so that a call of a few hundred kilobytes runs many chunks
through the pool."""

from __future__ import annotations

import gc
import itertools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import runtime_shim
import translator
from runtime_shim import overlap, staging
from runtime_shim.pinned import is_pinned
from tests.kernels import staging as kernels
from translator.oracle import arrays_close

ROOT = Path(__file__).resolve().parent.parent
N = 100_003  # not a multiple of any chunk: the last chunk is short


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(14)


@pytest.fixture()
def staged(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Staging on for host-offload, chunks of 64 KiB through 3 buffers; yields the sizes the pipeline
    moved (one entry per staged copy)."""
    monkeypatch.setattr(staging.SETTINGS, "kinds", frozenset({"host-offload"}))
    monkeypatch.setattr(staging.SETTINGS, "min_bytes", 64 << 10)
    monkeypatch.setattr(staging.SETTINGS, "chunk_bytes", 64 << 10)
    monkeypatch.setattr(staging.SETTINGS, "buffers", 3)
    moved: list[int] = []
    pipeline = staging._pipeline

    def counted(pool: Any, nbytes: int, *stages: Any) -> None:
        moved.append(nbytes)
        pipeline(pool, nbytes, *stages)

    monkeypatch.setattr(staging, "_pipeline", counted)
    yield moved


def library() -> runtime_shim.Library:
    return kernels.saxpy.library("host-offload")


def run_both(name: str, args: tuple[Any, ...]) -> tuple[Any, Any, tuple[Any, ...], tuple[Any, ...]]:
    """The compiled kernel on `args` (their arrays written in place) and its Python function on copies:
    (compiled result, Python result, compiled arguments, Python arguments)."""
    expected_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    expected = getattr(kernels, name).py_func(*expected_args)
    return library().kernels[name](*args), expected, args, expected_args


# Pinned arrays

def test_pinned_arrays_are_numpy_arrays_in_memory_the_runtime_allocated() -> None:
    library()
    before = runtime_shim.pinned_bytes()
    a = translator.empty_pinned((300, 7), np.float32)
    z = translator.zeros_pinned(5, "i8")
    like = translator.zeros_pinned_like(np.ones((2, 3), np.complex128))
    assert (type(a), a.shape, a.dtype, a.flags.c_contiguous, a.flags.writeable) == (np.ndarray, (300, 7), np.float32, True, True)
    assert np.array_equal(z, np.zeros(5, np.int64)) and like.dtype == np.complex128 and not like.any()
    assert translator.empty_pinned_like(a, np.float64).shape == (300, 7)
    assert is_pinned(a.ctypes.data, a.nbytes) and not is_pinned(np.empty(10).ctypes.data, 80)
    assert runtime_shim.pinned_bytes() == before + a.nbytes + z.nbytes + like.nbytes


def test_pinned_memory_is_freed_when_its_last_array_dies() -> None:
    library()
    before = runtime_shim.pinned_bytes()
    a = translator.zeros_pinned(1000)
    view = a[10:20]
    del a
    gc.collect()
    assert runtime_shim.pinned_bytes() == before + 8000  # the view keeps the allocation
    view[:] = 3.0
    assert view.sum() == 30.0
    del view
    gc.collect()
    assert runtime_shim.pinned_bytes() == before


def test_pinned_arguments_bad_shapes_are_refused() -> None:
    library()
    with pytest.raises(ValueError, match="negative dimensions"):
        translator.empty_pinned((3, -1))
    with pytest.raises(TypeError, match="Python objects"):
        translator.empty_pinned(3, object)


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_kernels_take_pinned_arrays(target: str, rng: np.random.Generator) -> None:
    library()
    x, y = translator.empty_pinned(N, np.float32), translator.empty_pinned(N, np.float32)
    x[:], y[:] = rng.standard_normal(N), rng.standard_normal(N)
    expected = y.copy()
    kernels.saxpy.py_func(np.float32(1.5), x, expected)
    compiled = kernels.saxpy.library(target).saxpy
    compiled.stats.reset()
    compiled(1.5, x, y)
    assert np.array_equal(y, expected)
    moved = (compiled.stats.bytes_to_device, compiled.stats.bytes_from_device)
    assert moved == ((2 * 4 * N, 4 * N) if target == "host-offload" else (0, 0))


def test_pinned_arrays_move_with_no_staging_copy(staged: list[int], rng: np.random.Generator) -> None:
    b, c = translator.empty_pinned(N), translator.empty_pinned(N)
    b[:], c[:] = rng.standard_normal(N), rng.standard_normal(N)
    a = translator.zeros_pinned(N)
    got, expected, args, expected_args = run_both("triad", (a, b, c, 3.0))
    assert np.array_equal(args[0], expected_args[0]) and got is expected is None
    assert staged == []


@pytest.mark.parametrize(("target", "pinned"), [("host-offload", 40), ("cpu", 0)])
def test_pinned_memory_needs_a_loaded_library(target: str, pinned: int) -> None:
    """In a fresh process: before any library, a refusal; `kernel=` loads one first; with only a `cpu`
    library (no offload runtime), plain NumPy memory."""
    script = ("import runtime_shim, translator\n"
              "try:\n    runtime_shim.empty_pinned(3)\nexcept RuntimeError as error:\n    print(error)\n"
              "from tests.kernels import staging\n"
              "a = translator.zeros_pinned(5, kernel=staging.saxpy)\n"
              "print(a.sum(), runtime_shim.pinned_bytes())\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PY2OMP_TARGET": target})
    assert done.stdout.splitlines() == [
        "no offload library is loaded yet: load one (runtime_shim.load) or call a kernel first "
        "(translator.empty_pinned(..., kernel=k) loads k's library)", f"0.0 {pinned}"]


# Staging

def test_staging_is_for_gpus_by_default() -> None:
    assert staging.Settings().stages("nvptx:sm_90") and staging.Settings().stages("amdgcn:gfx90a")
    assert not staging.Settings().stages("host-offload") and not staging.Settings().stages("cpu")


def test_saxpy_stages_both_ways_and_counts_the_same_bytes(staged: list[int], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    compiled = library().saxpy
    compiled.stats.reset()
    _, _, args, expected_args = run_both("saxpy", (np.float32(2.5), x, y))
    assert np.array_equal(args[2], expected_args[2])
    assert staged == [4 * N, 4 * N, 4 * N]  # x and y in, y out
    assert (compiled.stats.calls, compiled.stats.bytes_to_device, compiled.stats.bytes_from_device) == (1, 8 * N, 4 * N)


def test_the_fast_path_gives_way_to_staging(staged: list[int], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    expected = y.copy()
    kernels.saxpy.py_func(np.float32(2.0), x, expected)
    library().saxpy(2.0, x, y)  # positional NumPy arrays and a float: what the fast path takes
    assert np.array_equal(y, expected) and len(staged) == 3


def test_a_small_call_is_not_staged(staged: list[int], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(1000).astype(np.float32), rng.standard_normal(1000).astype(np.float32)
    _, _, args, expected_args = run_both("saxpy", (np.float32(2.5), x, y))
    assert np.array_equal(args[2], expected_args[2]) and staged == []


def test_triad_out_array_comes_back_whole(staged: list[int], rng: np.random.Generator) -> None:
    a, b, c = rng.standard_normal(N), rng.standard_normal(N), rng.standard_normal(N)
    _, _, args, expected_args = run_both("triad", (a, b, c, -0.5))
    assert np.array_equal(args[0], expected_args[0])
    assert sorted(staged) == [8 * N] * 3


def test_interior_writes_keep_the_border(staged: list[int], rng: np.random.Generator) -> None:
    u, v = rng.standard_normal((301, 257)), rng.standard_normal((301, 257))
    border = v.copy()
    _, _, args, expected_args = run_both("jacobi", (u, v))
    assert np.array_equal(args[1], expected_args[1])
    assert np.array_equal(args[1][0], border[0]) and np.array_equal(args[1][:, -1], border[:, -1])
    assert len(staged) == 3


def test_a_reduction_returns_its_value(staged: list[int], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N), rng.standard_normal(N)
    got, expected, _, _ = run_both("dot", (x, y))
    assert got == pytest.approx(expected, rel=1e-12) and len(staged) == 2


def staged_like_the_maps(name: str, args: tuple[Any, ...], staged: list[int],
                         monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """The call through the maps alone, then staged, each on fresh copies of `args`: both give the
    Python function's arrays (so no element the kernel leaves alone changes on the host) and the
    same `kernel.stats`, which this returns; only the second stages."""
    compiled = library().kernels[name]
    counts = []
    for enabled in (False, True):
        monkeypatch.setattr(staging.SETTINGS, "enabled", enabled)
        before = len(staged)
        compiled.stats.reset()
        _, _, got, expected = run_both(name, tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args))
        assert all(np.array_equal(g, e) for g, e in zip(got, expected) if isinstance(g, np.ndarray))
        assert (len(staged) > before) == enabled
        counts.append((compiled.stats.bytes_to_device, compiled.stats.bytes_from_device))
    assert counts[0] == counts[1]
    return counts[1]


def test_a_partly_written_out_array_keeps_the_hosts_elements(staged: list[int], rng: np.random.Generator,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    moved = staged_like_the_maps("scale_tail", (rng.random(N), rng.standard_normal(N), 777), staged, monkeypatch)
    assert moved == (8 * N, 8 * (N - 777)) and staged == [8 * N, 8 * (N - 777)]  # x in, the written tail back


def test_the_interior_of_a_grid_comes_back_through_the_pool(staged: list[int], rng: np.random.Generator,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The C copies back v[1:300, 1:256] as one range (the gaps, two elements a row, are smaller than
    the box); staged, that range crosses the pinned buffers in slabs of rows, and only the box's
    elements leave them."""
    u, v = rng.standard_normal((301, 257)), rng.standard_normal((301, 257))
    moved = staged_like_the_maps("relax", (u, v), staged, monkeypatch)
    span = 8 * (298 * 257 + 255)  # v from its element [1, 1] to [299, 255]: what the C moves and counts
    assert moved == (8 * 301 * 257, span)
    # 31 rows of 257 fit 64 KiB: 10 slabs, without the two-element gaps between them
    assert staged == [8 * 301 * 257, span - 9 * 2 * 8]


def test_the_interior_of_a_3d_grid_is_cut_below_its_planes(staged: list[int], rng: np.random.Generator,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A plane of v (72 KB) spans more than a 64 KiB buffer: each plane's rows go in slabs of their own."""
    u, v = rng.standard_normal((12, 90, 100)), rng.standard_normal((12, 90, 100))
    moved = staged_like_the_maps("relax3d", (u, v), staged, monkeypatch)
    assert moved == (8 * 12 * 90 * 100, 8 * (9 * 9000 + 87 * 100 + 98))  # the C's range: v[1, 1, 1] to v[10, 88, 98]
    # 81 rows of a plane fit 64 KiB: each plane in two slabs (81 and 7 rows of 98 elements)
    assert staged == [8 * 12 * 90 * 100, 10 * 8 * ((80 * 100 + 98) + (6 * 100 + 98))]


def test_columns_come_back_row_by_row(staged: list[int], rng: np.random.Generator,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """y[:, 0:7] of a 600 x 300 matrix: the gaps are wider than the box, so (as the C) each row's
    seven elements come back apart, straight into the array."""
    x, y = rng.standard_normal((600, 300)), rng.standard_normal((600, 300))
    moved = staged_like_the_maps("left_columns", (x, y, 7), staged, monkeypatch)
    assert moved == (8 * 600 * 300, 8 * 600 * 7) and staged == [8 * 600 * 300]


@pytest.mark.parametrize("boxes", [[[(2, 40), (3, 250)]], [[(-5, -1), (0, 257)]], [[(0, 301), (100, 101)]],
                                   [[(-4, 3), (-2, 257)], [(10, 11), (0, 257)]], [[(5, 5), (0, 257)]]],
                         ids=["interior", "wrapped-rows", "column", "wrapped-corners", "empty"])
def test_boxes_come_back_and_nothing_else(staged: list[int], rng: np.random.Generator,
                                          boxes: list[list[tuple[int, int]]]) -> None:
    """`staging.copy_boxes_from_device` writes exactly the boxes' elements, negative bounds wrapped
    as Python (and the C) wrap them."""
    library()
    openmp = runtime_shim.resident.openmp()
    values = rng.standard_normal((301, 257))
    device, host = runtime_shim.to_device(values), rng.standard_normal((301, 257))
    expected = host.copy()
    for box in boxes:
        for variant in itertools.product(*[[(lo, hi), *([(lo + n, hi + n)] if lo < 0 else [])]
                                           for (lo, hi), n in zip(box, host.shape)]):
            region = tuple(slice(max(lo, 0), max(hi, 0)) for lo, hi in variant)
            expected[region] = values[region]
    staging.copy_boxes_from_device(openmp, host, device.ptr, boxes, device.device)
    assert np.array_equal(host, expected)


def test_arrays_a_data_region_holds_are_not_staged(staged: list[int], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    expected = y.copy()
    compiled = library().saxpy
    with translator.data_region(In=[x], InOut=[y]):
        compiled(2.0, x, y)
        compiled(2.0, x, y)
    for _ in range(2):
        kernels.saxpy.py_func(np.float32(2.0), x, expected)
    assert np.array_equal(y, expected) and staged == []


def test_staged_calls_check_their_arguments_as_every_call(staged: list[int]) -> None:
    y = np.ones(N, np.float32)
    with pytest.raises(ValueError, match="overlaps argument"):
        library().saxpy(2.0, y, y)
    with pytest.raises(IndexError, match="needs at least 100003 elements"):
        library().saxpy(2.0, np.ones(N, np.float32), np.ones(N - 1, np.float32))
    assert staged == []


@pytest.mark.parametrize("copy", [staging.copy_to_device, staging.copy_from_device])
def test_a_failed_transfer_raises_after_the_pipeline_drains(staged: list[int], monkeypatch: pytest.MonkeyPatch,
                                                            copy: Callable[..., None]) -> None:
    openmp = runtime_shim.resident.openmp()
    calls: list[int] = []

    def failing(dst: int, src: int, nbytes: int, to_device: bool, device: int | None = None) -> None:
        calls.append(nbytes)
        if len(calls) == 2:
            raise RuntimeError("omp_target_memcpy of 65536 bytes failed")

    monkeypatch.setattr(openmp, "copy", failing)
    host, device = np.zeros(1 << 20, np.uint8), runtime_shim.empty_on_device((1 << 20,), np.uint8)
    with pytest.raises(RuntimeError, match="omp_target_memcpy of 65536 bytes failed"):
        copy(openmp, *((device.ptr, host.ctypes.data) if copy is staging.copy_to_device else (host.ctypes.data, device.ptr)),
             host.nbytes, device.device)
    assert len(calls) <= 16


@pytest.mark.serial  # alone on the machine: four host threads forking host-offload teams livelocked in libomp under CI's load
def test_staged_calls_from_two_threads_take_turns_with_the_pool(staged: list[int], rng: np.random.Generator) -> None:
    pairs = [(rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)) for _ in range(4)]
    expected = [y.copy() for _, y in pairs]
    for (x, _), want in zip(pairs, expected):
        kernels.saxpy.py_func(np.float32(0.5), x, want)
    threads = [threading.Thread(target=library().saxpy, args=(0.5, x, y)) for x, y in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.array_equal(y, want) for (_, y), want in zip(pairs, expected)) and len(staged) == 12


def test_the_copy_rate_benchmark_runs_on_host_offload(tmp_path: Path) -> None:
    """bench/copy_rate.py, as the lead runs it on the GPU, here on a small array (CuPy absent: part a empty),
    with thresholds under its size (the `--staging` library of part e stages it in 4 chunks)."""
    env = {**os.environ, "BENCH_COPY_RATE_N": str(1 << 18), "BENCH_COPY_RATE_REPEATS": "1",
           "PY2OMP_STAGING_MIN_BYTES": str(64 << 10), "PY2OMP_STAGING_CHUNK_BYTES": str(256 << 10)}
    script = [sys.executable, str(ROOT / "bench" / "copy_rate.py")]
    subprocess.run([*script, "--build", str(tmp_path / "build"), "host-offload"], check=True, env=env, capture_output=True)
    subprocess.run([*script, str(tmp_path / "build"), str(tmp_path / "rates.json")], check=True, env=env, capture_output=True)
    rows = json.loads((tmp_path / "rates.json").read_text())["rows"]
    saxpy = [r for r in rows if r["part"] == "b"]
    assert [r.get("ok") for r in saxpy] == [True] * 6 + [None] * 3 and all(r["MB"] == 12 * (1 << 18) / 1e6 for r in saxpy)
    staged = [r for r in rows if r["part"] == "c" and r["what"] == "staged"]
    assert len(staged) == 2 * len(copy_rate_sweep()) and all(r["GB/s"] > 0 for r in rows)
    assert {r["what"] for r in rows if r["part"] == "c"} >= {"lock_mem + copy + unlock", "omp_target_memcpy, pinned"}
    callers = [r for r in rows if r["part"] == "e"]  # the C entry point, with and without --staging
    assert [(r["what"].split(", ", 1)[1], r["ok"]) for r in callers] == [
        ("NumPy arrays, maps", True), ("empty_pinned arrays, maps", True), ("NumPy arrays, built with --staging", True)]


def copy_rate_sweep() -> list[tuple[int, int]]:
    sys.path.insert(0, str(ROOT / "bench"))
    import copy_rate
    return [(chunk, copiers) for chunk in copy_rate.CHUNKS for copiers in copy_rate.COPIERS]


# Overlap: staged calls of elementwise kernels in pieces

@pytest.fixture()
def overlapped(staged: list[int], monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """Staging as `staged`, in pieces of 96 KiB of the widest array; yields the pieces each call ran."""
    monkeypatch.setattr(staging.SETTINGS, "piece_bytes", 96 << 10)
    monkeypatch.setattr(staging.SETTINGS, "overlap", True)
    cut: list[tuple[int, int]] = []
    run = overlap.run

    def recorded(openmp: Any, cuts: list[tuple[int, int]], *rest: Any) -> None:
        cut.extend(cuts)
        run(openmp, cuts, *rest)

    monkeypatch.setattr(overlap, "run", recorded)
    yield cut


def test_which_kernels_are_elementwise() -> None:
    chunked = {k.name: k.chunk_over for k in library().manifest.kernels}
    assert chunked == {"saxpy": "x", "triad": "a", "clipped_gain": "y", "jacobi": None, "dot": None,
                       "scale_tail": None, "ramp": None, "forward_difference": None, "normalized": None,
                       "gather": None, "softplus": None, "relax": None, "relax3d": None, "left_columns": None}


@pytest.mark.parametrize(("name", "dtype", "scalars"), [("saxpy", np.float32, (np.float32(-1.25),)),
                                                        ("triad", np.float64, (0.75,)),
                                                        ("clipped_gain", np.float32, (np.float32(3.0), np.float32(2.0)))])
def test_elementwise_kernels_run_in_pieces_exactly(overlapped: list[tuple[int, int]], name: str, dtype: type,
                                                   scalars: tuple[Any, ...], rng: np.random.Generator) -> None:
    arrays = [rng.standard_normal(N).astype(dtype) for _ in range(3 if name == "triad" else 2)]
    args = (*arrays, *scalars) if name != "saxpy" else (*scalars, *arrays)
    compiled = library().kernels[name]
    compiled.stats.reset()
    _, _, got, expected = run_both(name, args)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected) if isinstance(a, np.ndarray))
    step = (96 << 10) // np.dtype(dtype).itemsize
    assert overlapped == [(lo, min(lo + step, N)) for lo in range(0, N, step)] and len(overlapped) >= 4
    in_bytes = {"saxpy": 2, "triad": 2, "clipped_gain": 1}[name] * N * np.dtype(dtype).itemsize
    assert (compiled.stats.calls, compiled.stats.bytes_to_device, compiled.stats.bytes_from_device) == \
        (1, in_bytes, N * np.dtype(dtype).itemsize)


@pytest.mark.parametrize("name", ["ramp", "forward_difference", "normalized"])
def test_near_misses_run_whole(overlapped: list[tuple[int, int]], name: str, rng: np.random.Generator) -> None:
    _, _, got, expected = run_both(name, (rng.standard_normal(N), rng.standard_normal(N)))
    assert np.array_equal(got[1], expected[1]) and overlapped == []


def test_arrays_of_other_lengths_run_whole(overlapped: list[tuple[int, int]], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N + 5).astype(np.float32)
    _, _, got, expected = run_both("saxpy", (np.float32(2.0), x, y))
    assert np.array_equal(got[2], expected[2]) and overlapped == []


def test_pieces_run_on_the_device_use_device_chose(overlapped: list[tuple[int, int]], rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32)
    library()
    translator.use_device(2)
    try:
        _, _, got, expected = run_both("saxpy", (np.float32(0.5), x, y))
    finally:
        translator.use_device(0)
    assert np.array_equal(got[2], expected[2]) and len(overlapped) > 1


def test_a_failed_check_raises_from_a_staged_call(staged: list[int], rng: np.random.Generator) -> None:
    x, index = rng.standard_normal(N), rng.integers(0, N, N)
    got, _, args, expected_args = run_both("gather", (x, index, np.empty(N)))
    assert np.array_equal(args[2], expected_args[2]) and len(staged) == 3
    index[N // 2] = N
    with pytest.raises(IndexError, match="index out of range"):
        library().gather(x, index, np.empty(N))


def test_arrays_the_kernel_makes_come_back_from_a_staged_call(staged: list[int], rng: np.random.Generator) -> None:
    x = rng.standard_normal(N)
    got, expected, _, _ = run_both("softplus", (x,))
    assert arrays_close(got, expected, [np.dtype(np.float64)]) and len(staged) == 2
