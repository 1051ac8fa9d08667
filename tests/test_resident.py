"""Run-time data movement on the host-offload virtual device (separate memory): Out coverage checks,
byte counts, data regions, device arrays, zero-copy device pointers, and the offload runtime's log."""

from __future__ import annotations

import ctypes
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
import runtime_shim.movement
from runtime_shim.resident import STATE
from tests.kernels import movement

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lib() -> runtime_shim.Library:
    return movement.triad.library("host-offload")


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(3)


def test_out_written_partly_copies_back_only_the_written_rows(lib: runtime_shim.Library,
                                                              rng: np.random.Generator) -> None:
    src, dst = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    expected = dst.copy()
    expected[2:] = src[2:]
    lib.rows.stats.reset()
    lib.rows(src, dst, 2)
    assert np.array_equal(dst, expected)
    assert (lib.rows.stats.bytes_to_device, lib.rows.stats.bytes_from_device) == (6 * 5 * 8, 4 * 5 * 8)
    lib.rows(src, dst, 0)
    assert np.array_equal(dst, src)


def test_writes_inside_a_loop_that_may_not_run_are_guarded(lib: runtime_shim.Library) -> None:
    a = np.full(4, 7.0)
    lib.repeated(a, 0)  # no step runs: nothing is written, nothing may change
    assert np.array_equal(a, np.full(4, 7.0))
    lib.repeated(a, 3)
    assert np.array_equal(a, np.full(4, 2.0))


def test_out_coverage_is_checked_at_each_call(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(5), np.zeros(5)
    lib.checked(x, y)
    assert np.array_equal(y, x)
    with pytest.raises(ValueError) as info:
        lib.checked(x, np.zeros(7))
    assert str(info.value) == (
        "checked(): argument 'y' is declared Out, but with these arguments the kernel writes only y[0:5] "
        "of its shape (7,); the other elements would come back undefined: declare it InOut"
    )


def test_out_stencil_keeps_the_border_and_moves_only_the_interior(lib: runtime_shim.Library,
                                                                  rng: np.random.Generator) -> None:
    u, v = rng.standard_normal((9, 7)), rng.standard_normal((9, 7))
    expected = v.copy()
    expected[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    lib.stencil_out.stats.reset()
    lib.stencil_out(u, v)
    assert np.array_equal(v, expected)
    # the interior's rows come back in one transfer (row 1, column 1 to row 7, column 5), the border
    # elements between them restored on the host
    stats = lib.stencil_out.stats
    assert (stats.bytes_to_device, stats.bytes_from_device) == (9 * 7 * 8, (6 * 7 + 5) * 8)
    w = rng.standard_normal((9, 7))  # the same through device memory: only the interior changes
    expected_w = w.copy()
    expected_w[1:-1, 1:-1] = expected[1:-1, 1:-1]
    lib.stencil_out(runtime_shim.to_device(u), w)
    assert np.array_equal(w, expected_w)


def test_inout_stencil_keeps_the_border(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    u, v = rng.standard_normal((9, 7)), rng.standard_normal((9, 7))
    expected = v.copy()
    expected[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    lib.stencil(u, v)
    assert np.array_equal(v, expected)


def test_stats_count_the_minimum_per_call(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 1000
    a, b, c = np.empty(n), rng.standard_normal(n), rng.standard_normal(n)
    triad = lib.triad
    triad.stats.reset()
    for _ in range(3):
        triad(a, b, c, 2.0)
    assert np.array_equal(a, b + 2.0 * c)
    assert (triad.stats.calls, triad.stats.bytes_to_device, triad.stats.bytes_from_device) == (3, 3 * 16 * n, 3 * 8 * n)
    assert triad.stats.seconds > 0


def test_data_region_moves_each_array_once(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 500
    a, b, c = np.zeros(n), rng.standard_normal(n), rng.standard_normal(n)
    triad = lib.triad
    triad.stats.reset()
    with runtime_shim.data_region(In=[b, c], Out=[a]) as region:
        for _ in range(100):
            triad(a, b, c, 0.5)
        assert not a.any()  # still only on the device
    assert np.array_equal(a, b + 0.5 * c)
    assert (triad.stats.calls, triad.stats.bytes_to_device, triad.stats.bytes_from_device) == (100, 0, 0)
    assert (region.bytes_to_device, region.bytes_from_device) == (16 * n, 8 * n)


def test_update_refreshes_either_side(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 64
    a, b, c = np.zeros(n), np.ones(n), np.ones(n)
    with runtime_shim.data_region(In=[b, c], Out=[a]) as region:
        lib.triad(a, b, c, 1.0)
        region.update(a, to="host")
        assert np.array_equal(a, np.full(n, 2.0))
        b[:] = 10.0
        lib.triad(a, b, c, 1.0)
        region.update(a, to="host")
        assert np.array_equal(a, np.full(n, 2.0))  # the device still has the old b
        region.update(b, to="device")
        lib.triad(a, b, c, 1.0)
    assert np.array_equal(a, np.full(n, 11.0))


def test_device_arrays_round_trip_without_transfers(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 300
    b, c = rng.standard_normal(n), rng.standard_normal(n)
    db, dc = runtime_shim.to_device(b), runtime_shim.to_device(c)
    da = runtime_shim.empty_on_device((n,), np.float64)
    assert np.array_equal(db.to_numpy(), b)
    lib.triad.stats.reset()
    lib.triad(da, db, dc, 3.0)
    assert (lib.triad.stats.bytes_to_device, lib.triad.stats.bytes_from_device) == (0, 0)
    assert np.array_equal(da.to_numpy(), b + 3.0 * c)
    a = np.zeros(n)  # NumPy arrays mixed in are staged through device memory
    lib.triad(a, db, dc, 1.0)
    assert np.array_equal(a, b + c)
    assert (lib.triad.stats.bytes_to_device, lib.triad.stats.bytes_from_device) == (0, 8 * n)
    with pytest.raises(TypeError, match=r"triad\(\): argument 'b' has dtype float32; expected float64"):
        lib.triad(da, runtime_shim.to_device(b.astype(np.float32)), dc, 1.0)


class FakeCudaArray:
    """A foreign device array: device memory from omp_target_alloc, described as CuPy describes its own."""

    def __init__(self, host: np.ndarray) -> None:
        self.owner = runtime_shim.to_device(host)
        self.__cuda_array_interface__ = {
            "shape": host.shape, "typestr": host.dtype.str, "data": (self.owner.ptr, False),
            "strides": None, "version": 3,
        }


def test_cuda_array_interface_is_zero_copy(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 128
    b, c = rng.standard_normal(n), rng.standard_normal(n)
    a, fb, fc = FakeCudaArray(np.zeros(n)), FakeCudaArray(b), FakeCudaArray(c)
    lib.triad.stats.reset()
    lib.triad(a, fb, fc, 2.0)
    assert np.array_equal(a.owner.to_numpy(), b + 2.0 * c)
    assert (lib.triad.stats.bytes_to_device, lib.triad.stats.bytes_from_device) == (0, 0)
    with pytest.raises(ValueError, match=r"argument 'b' has 2 dimensions; expected 1"):
        lib.triad(a, FakeCudaArray(np.zeros((2, 2))), fc, 2.0)


class FakeDLPack:
    """A foreign DLPack producer in device memory (device type 2, CUDA), as JAX would hand one over."""

    def __init__(self, host: np.ndarray) -> None:
        from runtime_shim.device import DLTensor
        self.owner = runtime_shim.to_device(host)
        self.shape = (ctypes.c_int64 * host.ndim)(*host.shape)
        self.tensor = DLTensor(data=self.owner.ptr, ndim=host.ndim, shape=self.shape, strides=None, byte_offset=0)
        self.tensor.device.device_type, self.tensor.device.device_id = 2, 0
        self.tensor.dtype.code, self.tensor.dtype.bits, self.tensor.dtype.lanes = 2, 8 * host.itemsize, 1

    def __dlpack_device__(self) -> tuple[int, int]:
        return (2, 0)

    def __dlpack__(self, stream: object = None) -> object:
        new = ctypes.pythonapi.PyCapsule_New
        new.argtypes, new.restype = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p), ctypes.py_object
        return new(ctypes.addressof(self.tensor), b"dltensor", None)


def test_dlpack_is_zero_copy(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    n = 64
    b, c = rng.standard_normal(n), rng.standard_normal(n)
    a = FakeDLPack(np.zeros(n))
    lib.triad.stats.reset()
    lib.triad(a, FakeDLPack(b), FakeDLPack(c), 2.0)
    assert np.array_equal(a.owner.to_numpy(), b + 2.0 * c)
    assert (lib.triad.stats.bytes_to_device, lib.triad.stats.bytes_from_device) == (0, 0)
    with pytest.raises(TypeError, match=r"argument 'b' has dtype float32; expected float64"):
        lib.triad(a, FakeDLPack(b.astype(np.float32)), FakeDLPack(c), 2.0)


_COPY = re.compile(r"Copying data from (host to device|device to host), .*Size=(\d+)")

_CHILD = """
import json, numpy as np, runtime_shim
n = 1000
a, b, c = np.zeros(n), np.ones(n), np.ones(n)
with runtime_shim.data_region(In=[b, c], Out=[a]) as region:  # opened before any library is loaded
    lib = runtime_shim.load({build!r})                          # ... so it maps the arrays now
    for _ in range(100):
        lib.triad(a, b, c, 2.0)
assert (a == 3.0).all()
lib.triad(a, b, c, 2.0)
u, v = np.ones((30, 20)), np.zeros((30, 20))
lib.stencil_out(u, v)
with runtime_shim.data_region(In=[u], Out=[v]) as held:  # v present: its written rows still come back
    lib.stencil_out(u, v)
s, t = lib.triad.stats, lib.stencil_out.stats
print(json.dumps([s.bytes_to_device + t.bytes_to_device + region.bytes_to_device + held.bytes_to_device,
                  s.bytes_from_device + t.bytes_from_device + region.bytes_from_device + held.bytes_from_device]))
"""


def test_counts_match_the_offload_runtime_log(lib: runtime_shim.Library) -> None:
    build = str(lib.manifest.path)
    result = subprocess.run([sys.executable, "-c", _CHILD.format(build=build)], capture_output=True, text=True,
                            env={**__import__("os").environ, "LIBOMPTARGET_INFO": "-1"}, check=True, cwd=ROOT)
    logged = {"host to device": 0, "device to host": 0}
    for direction, size in _COPY.findall(result.stderr):
        logged[direction] += int(size)
    counted = json.loads(result.stdout.strip().splitlines()[-1])
    assert counted == [logged["host to device"], logged["device to host"]]
    # v's interior comes back in one transfer: row 1, column 1 to row 28, column 18
    assert counted == [2 * 16000 + 2 * 30 * 20 * 8, 2 * 8000 + 2 * (27 * 20 + 18) * 8 + 30 * 20 * 8]


def test_resident_triad_bench_runs_on_host_offload(lib: runtime_shim.Library) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "resident_triad.py"), str(lib.manifest.path.parent),
         "--n", "4096", "--calls", "5"], capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["case"] for r in rows] == ["transfers per call", "data_region", "cupy zero-copy", "torch zero-copy"]
    assert rows[0]["bytes_to_device_per_call"] == 2 * 8 * 4096 and rows[1]["bytes_to_device_per_call"] == 0
    assert rows[1]["region_bytes_to_device"] == 2 * 8 * 4096


def test_state_has_no_leftover_mappings() -> None:
    assert STATE.present == [] and STATE.pending == []


@pytest.mark.parametrize(("boxes", "shape", "expected"), [
    ([[(0, 4), (0, 3)]], (4, 3), True),
    ([[(0, 2), (0, 3)], [(2, 4), (0, 3)]], (4, 3), True),
    ([[(0, 4), (0, 1)], [(0, 4), (1, 3)]], (4, 3), True),
    ([[(0, 4), (0, 1)], [(0, 1), (0, 3)]], (4, 3), False),
    ([[(1, 3), (1, 2)]], (4, 3), False),
    ([[(-1, 4)]], (4,), False),
    ([[(0, 9)]], (4,), True),
    ([], (0, 3), True),
])
def test_covers(boxes: list, shape: tuple, expected: bool) -> None:
    assert runtime_shim.movement.covers(boxes, shape) is expected


def test_runs_are_the_runs_the_c_copies_back() -> None:
    """Rows of the last dimension, merged over trailing dimensions the box spans entirely; one
    transfer from the first row to the last where the gaps between rows hold no more bytes than the
    box, else one per row, as the emitted `py2omp_copy_back` copies."""
    runs = runtime_shim.movement.runs
    assert runs([[(1, 3), (0, 4)]], (4, 4), 8) == [(32, 64)]
    assert runs([[(1, 3), (1, 3)]], (4, 4), 8) == [(40, 48)]  # 2 rows of 16 bytes, 16 between
    assert runs([[(1, 3), (1, 2)]], (4, 4), 8) == [(40, 8), (72, 8)]  # 24 bytes between 2 rows of 8
    assert runs([[(0, 2), (0, 2), (0, 5)]], (3, 2, 5), 1) == [(0, 20)]
    assert runs([[(0, 2), (1, 2), (0, 5)]], (3, 2, 5), 1) == [(5, 15)]
    assert runs([[(2, 2)]], (4,), 8) == []
    assert runs([[(1, 9)]], (4,), 8) == [(8, 24)]  # clamped to the extent
    assert runs([[(-1, 2)]], (4,), 8) == [(0, 16), (24, 8)]  # index -1 is the last element


def test_kernel_stats_are_the_compiled_kernels() -> None:
    assert movement.triad.stats is movement.triad.compiled().stats


def test_translator_to_device_loads_the_kernels_library() -> None:
    import translator
    x = translator.to_device(np.arange(5.0), kernel=translator.Kernel(movement.triad.py_func, "host-offload"))
    assert isinstance(x, translator.DeviceArray) and np.array_equal(x.to_numpy(), np.arange(5.0))


def test_data_region_argument_errors(lib: runtime_shim.Library) -> None:
    with pytest.raises(TypeError, match=r"data_region\(In=...\) takes C-contiguous numpy arrays, got list"):
        runtime_shim.data_region(In=[[1.0, 2.0]])
    a, other = np.zeros(4), np.zeros(4)
    with runtime_shim.data_region(InOut=[a]) as region:
        with pytest.raises(ValueError, match="not mapped by this data region"):
            region.update(other, to="host")
        with pytest.raises(ValueError, match="to must be 'device' or 'host'"):
            region.update(a, to="gpu")


@pytest.mark.parametrize(("name", "shape", "transfers"), [
    ("ragged_box", (11, 13), 1),  # rows 2..7, columns 1..11: one transfer, the border between restored
    ("ragged_box", (5, 7), 0),    # rows 2:2: nothing written, nothing copied
    ("ragged_box", (6, 1), 0),
    ("box3d", (7, 6, 20), 1),     # a 3-D box: dims 0 and 2 ragged, dim 1 up to the end
    ("box3d", (7, 6, 9), 16),     # the same, gaps larger than the box: one transfer per row
    ("box3d", (4, 4, 6), 1),      # 2 rows of 2 elements, 4 between them
    ("box3d", (3, 3, 5), 0),
    ("one_column", (9, 40), 9),   # sparse: the gaps hold more than the box, one transfer per row
])
def test_partly_written_out_keeps_the_callers_values(lib: runtime_shim.Library, rng: np.random.Generator,
                                                     name: str, shape: tuple[int, ...], transfers: int) -> None:
    """Written elements equal Python's, every other one keeps the caller's random value, in as many
    transfers as the copy-back helper's rule gives (counted by the runtime like the C)."""
    u, v = rng.standard_normal(shape), rng.standard_normal(shape)
    expected = v.copy()
    getattr(movement, name).py_func(u, expected)
    compiled = getattr(lib, name)
    compiled.stats.reset()
    compiled(u, v)
    assert np.array_equal(v, expected)
    copied = runtime_shim.movement.runs(movement_boxes(compiled, u, v), shape, 8)
    assert len(copied) == transfers
    assert compiled.stats.bytes_from_device == sum(length for _, length in copied)


def movement_boxes(compiled: runtime_shim.library.CompiledKernel, u: np.ndarray, v: np.ndarray) -> list:
    """The boxes of `v` the kernel writes for these arguments, from the manifest."""
    param = next(p for p in compiled.spec.params if p.name == "v")
    return runtime_shim.movement.written_boxes(param, {"u": u.shape, "v": v.shape}, {})
