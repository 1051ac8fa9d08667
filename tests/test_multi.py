"""`kernel.on(devices)(*args)`: one call split over several devices (host-offload's 4 virtual devices,
each with memory of its own), against the Python function on seeded random data; the C of the
chunked entry point; and the kernels that cannot be split, refused with the reason."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import runtime_shim
import runtime_shim.multi
from tests.kernels import multi
from translator import BuildError, TranslationError, devices, frontend, pipeline, prange
from translator.api import Kernel, kernel
from translator.oracle import arrays_close, results_close
from translator.targets import parse_target

pytestmark = pytest.mark.serial  # alone on the machine: several host-offload devices livelocked in libomp under load

ROOT = Path(__file__).resolve().parent.parent
TARGET = parse_target("host-offload")
ALL = [0, 1, 2, 3]


def _on_host_offload(k: Kernel) -> Kernel:
    """The test kernel pinned to host-offload, whatever `$PY2OMP_TARGET` says."""
    k._target_spec = "host-offload"
    return k


def _run(k: Kernel, args: tuple[Any, ...], chosen: list[int] = ALL) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """`k.on(chosen)` and `k.py_func` on copies of `args`: (actual, expected), each the result and the arrays."""
    mine = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    python = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    got = _on_host_offload(k).on(chosen)(*mine)
    return (got, *mine), (k.py_func(*python), *python)


def _agrees(k: Kernel, args: tuple[Any, ...], chosen: list[int] = ALL) -> None:
    (got, *mine), (want, *python) = _run(k, args, chosen)
    floats = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    assert results_close(got, want, floats), (got, want)
    for a, b in zip(mine, python):
        if isinstance(a, np.ndarray):
            assert arrays_close(a, b, floats)


RNG = np.random.default_rng(20261205)


def test_shares_run_their_regions_one_at_a_time_on_host_offload(monkeypatch: pytest.MonkeyPatch) -> None:
    """On host-offload each share takes `_HOST_REGIONS` before its split loop and gives it back after
    (concurrent regions livelocked in libomp), and every share of every loop does."""
    events: list[str] = []

    class Recording:
        def __init__(self) -> None:
            self.inner = threading.Lock()

        def acquire(self) -> None:
            self.inner.acquire()
            events.append("in")

        def release(self) -> None:
            events.append("out")
            self.inner.release()

    monkeypatch.setattr(runtime_shim.multi, "_HOST_REGIONS", Recording())
    _agrees(multi.gemm, (1.5, 1.2, RNG.random((45, 33)), RNG.random((45, 27)), RNG.random((27, 33))))
    assert len(events) >= 2 * len(ALL) and events == ["in", "out"] * (len(events) // 2)


@pytest.mark.parametrize("chosen", [ALL, [1, 3], [2]])
def test_triad(chosen: list[int]) -> None:
    n = 1001  # not a multiple of the devices: shares differ by one row
    _agrees(multi.triad, (RNG.random(n), RNG.random(n), RNG.random(n), 1.75), chosen)


def test_fewer_rows_than_devices() -> None:
    _agrees(multi.triad, (RNG.random(3), RNG.random(3), RNG.random(3), -2.0))


def test_stencil_reads_halos_and_keeps_the_border() -> None:
    """Each device reads the rows around its chunk; the border of B, never written, keeps the caller's values."""
    A, B = RNG.random((37, 19)), RNG.random((37, 19))
    (_, _, got), (_, _, want) = _run(multi.jacobi_step, (A, B))
    assert np.array_equal(got, want)
    assert np.array_equal(got[0], B[0]) and np.array_equal(got[:, -1], B[:, -1])


def test_gemm_rows_split() -> None:
    _agrees(multi.gemm, (1.5, 1.2, RNG.random((45, 33)), RNG.random((45, 27)), RNG.random((27, 33))))


def test_host_time_loop_exchanges_rows() -> None:
    """Two sweeps per step, each reading the rows the other wrote on the neighbouring devices."""
    A, B = RNG.random(61), RNG.random(61)
    (_, _, a, b), (_, _, a_py, b_py) = _run(multi.jacobi_1d, (20, A, B))
    assert np.array_equal(a, a_py) and np.array_equal(b, b_py)


def test_host_time_loop_moves_only_halos_between_devices() -> None:
    """jacobi_1d, 61 points, prange(1, 60) on 4 devices: rows [1, 15), [15, 30), [30, 44), [44, 60).
    Each sweep needs 6 halo rows that a neighbour wrote (rows 15, 14, 30, 29, 44, 43): the second
    sweep of each of the 19 steps, the first from the second step on (A is the caller's before)."""
    n, steps = 61, 20
    to_device, from_device, between = _moved(multi.jacobi_1d, (steps, RNG.random(n), RNG.random(n)), between=True)
    assert between == 6 * (19 + 18) * 8
    # from the host: every row of A, the 6 halo rows again (two devices read each), every row of B;
    # back: the interiors
    assert (to_device, from_device) == ((n + 6 + n) * 8, 2 * 59 * 8)


def test_host_time_loop_2d() -> None:
    A, B = RNG.random((23, 23)), RNG.random((23, 23))
    (_, _, a, b), (_, _, a_py, b_py) = _run(multi.jacobi_2d, (6, A, B), [0, 2, 3])
    assert np.array_equal(a, a_py) and np.array_equal(b, b_py)


def test_reduction_steers_the_host_loop() -> None:
    """Every device sees the combined maximum, so all stop at Python's step."""
    u = RNG.random(50)
    (steps, u_got, *_), (steps_py, u_py, *_) = _run(multi.relax, (u, u.copy(), 0.01, 10_000))
    assert steps == steps_py and 1 < steps < 10_000
    assert np.array_equal(u_got, u_py)


def test_sum_reduction() -> None:
    _agrees(multi.dot, (RNG.random(100_003), RNG.random(100_003)))


def test_integer_sum_counts_the_start_once() -> None:
    x = RNG.integers(-1000, 1000, 999)
    (got, _, out, _), (want, _, out_py, _) = _run(multi.count_and_scale, (x, RNG.integers(0, 9, 999), 17))
    assert got == want and np.array_equal(out, out_py)


def test_max_reduction_skips_nan_as_python() -> None:
    x = RNG.random(4096).astype(np.float32)
    x[[7, 2000, 4095]] = np.nan  # in the first, a middle and the last share
    (got, _), (want, _) = _run(multi.peak, (x,))
    assert got == want and got.dtype == np.float32


def test_max_reduction_of_an_empty_share() -> None:
    (got, _), (want, _) = _run(multi.peak, (np.array([-np.inf, -np.inf], dtype=np.float32),))
    assert got == want == -np.inf


def _moved(k: Kernel, args: tuple[Any, ...], between: bool = False) -> tuple[int, ...]:
    """Bytes one `k.on(ALL)` call moves to and from the devices (and, with `between`, from one device
    to another), after a first call that builds it."""
    k = _on_host_offload(k)
    k.on(ALL)(*args)
    stats = k._chunked.stats  # type: ignore[union-attr]
    before = (stats.bytes_to_device, stats.bytes_from_device, stats.bytes_between_devices)
    k.on(ALL)(*args)
    after = (stats.bytes_to_device, stats.bytes_from_device, stats.bytes_between_devices)
    return tuple(a - b for a, b in zip(after, before))[:3 if between else 2]


def test_each_device_moves_its_chunk_only() -> None:
    n = 4000
    assert _moved(multi.triad, (np.empty(n), RNG.random(n), RNG.random(n), 2.0)) == (2 * 8 * n, 8 * n)


def test_each_device_moves_its_chunk_and_halo() -> None:
    """prange(1, 36) on 4 devices: rows [1, 9), [9, 18), [18, 26), [26, 36). Each device gets those
    rows of A with one more on each side (43 rows in all) and its rows of B (35, B being partly
    written: its border columns come from the caller), and sends back its rows of B."""
    row = 19 * 8
    assert _moved(multi.jacobi_step, (RNG.random((37, 19)), RNG.random((37, 19)))) == ((43 + 35) * row, 35 * row)


def test_devices_lists_the_offload_devices() -> None:
    assert devices(_on_host_offload(multi.triad)) == ALL


def test_every_device_by_default() -> None:
    """`on()` splits over the 4 devices: the halo rows between them are those of `on(ALL)`."""
    k = _on_host_offload(multi.jacobi_1d)
    k.on()(20, RNG.random(61), RNG.random(61))
    stats = k._chunked.stats  # type: ignore[union-attr]
    before = stats.bytes_between_devices
    k.on()(20, RNG.random(61), RNG.random(61))
    assert stats.bytes_between_devices - before == 6 * (19 + 18) * 8


@pytest.mark.parametrize("chosen, error", [
    ([], "on(): expected a non-empty list of device numbers, got []"),
    ([0, 0], "on(): devices must be distinct, got [0, 0]"),
    ([1, 4], "on(): device 4 does not exist: the offload runtime sees 4 device(s), numbered from 0"),
])
def test_devices_refused(chosen: list[int], error: str) -> None:
    with pytest.raises(ValueError) as info:
        _on_host_offload(multi.triad).on(chosen)(np.empty(3), np.ones(3), np.ones(3), 1.0)
    assert str(info.value) == error


def test_arguments_checked_as_in_a_call() -> None:
    with pytest.raises(TypeError) as info:
        _on_host_offload(multi.triad).on(ALL)(np.empty(3), np.ones(3, dtype=np.float32), np.ones(3), 1.0)
    assert str(info.value) == "triad(): argument 'b' has dtype float32; expected float64"


def test_generic_kernel_refused() -> None:
    @kernel
    def untyped(x, y):  # type: ignore[no-untyped-def]
        for i in prange(x.shape[0]):
            y[i] = x[i]
    with pytest.raises(BuildError) as info:
        untyped.on(ALL)
    assert str(info.value) == ("kernel 'untyped' takes parameter types from each call; kernel.on(devices) needs "
                               "annotated parameters")


def test_chunked_entry_point_c() -> None:
    """The share's bounds come from the loop's own, the reductions of shares after the first start
    from the identity, and the C calls back after the loop with the reduction's address."""
    c = pipeline.translate(multi.__file__, TARGET, selection=frontend.Selection(only="dot", chunked=True)).c_source
    body = "\n".join(line for line in c[c.index("double dot__chunk("):].splitlines() if not line.startswith("#line"))
    assert body.startswith("double dot__chunk(const double *restrict x, int64_t x_n0, const double *restrict y, "
                           "int64_t y_n0, int64_t py2omp_part_, int64_t py2omp_parts_, "
                           "py2omp_chunk_sync_fn py2omp_chunk_sync)")
    assert ("py2omp_lo0_ = 0 + py2omp_floordiv_i64((x_n0 - 0 > 0 ? x_n0 - 0 : 0) * py2omp_part_, py2omp_parts_);"
            in body)
    assert "if (py2omp_part_ != 0) {\n        total = 0.0;\n    }" in body
    assert "for (int64_t i = py2omp_lo0_; i < py2omp_hi0_; i += 1) {" in body
    assert "py2omp_chunk_sync(0, py2omp_lo0_, py2omp_hi0_, (void **)0, 0);" in body
    assert "py2omp_chunk_sync(0, py2omp_lo0_, py2omp_hi0_, (void *[]){&total}, 1);" in body
    plain = pipeline.translate(multi.__file__, TARGET, selection=frontend.Selection(only="dot")).c_source
    assert "__chunk" not in plain and "py2omp_chunk_sync_fn" not in plain  # only built for kernel.on


def test_manifest_phases() -> None:
    emitted = pipeline.translate(multi.__file__, TARGET, selection=frontend.Selection(only="relax", chunked=True))
    (spec,) = runtime_shim.parse_manifest(emitted.manifest, Path("m.json")).kernels
    assert spec.chunk is not None
    # the float max comes with its class (passes/extremes.py), an integer max as well
    assert [(p.written, p.reads, p.reductions) for p in spec.chunk.phases] == [
        (("v",), (("v", (0, 0)), ("u", (-1, 1))), (("max", "float64"), ("max", "int64"))),
        (("u",), (("u", (0, 0)), ("v", (0, 0))), ())]
    emitted = pipeline.translate(multi.__file__, TARGET, selection=frontend.Selection(only="gemm", chunked=True))
    (spec,) = runtime_shim.parse_manifest(emitted.manifest, Path("m.json")).kernels
    assert spec.chunk is not None and spec.chunk.phases[0].reads == (("C", (0, 0)), ("A", (0, 0)), ("B", None))


HEADER = "import numpy as np\nfrom translator import In, InOut, Out, atomic_add, f64, i64, kernel, prange\n\n@kernel\n"
ROWS = "kernel.on() gives each device the rows [lo, hi) of the prange over '{}'"
WRITTEN = ", so each array the loop writes must be indexed by '{0}' alone in its first dimension ({1}[{0}, ...]) " \
          "for two devices never to write one element"
READ = ", so a device sees only its own writes until the loop ends; split the loop in two pranges"
HOST = ("written outside the prange loops: kernel.on() would run this on every device's copy and no device owns "
        "the result; write it inside a prange")


@pytest.mark.parametrize("body, error", [
    ("def smooth(u: InOut[f64[:]]):\n    for i in prange(1, u.shape[0] - 1):\n"
     "        u[i] = 0.5 * (u[i - 1] + u[i + 1])\n",
     "7:23: error: 'u' is read at u[i - 1], which another device's chunk may write in the same prange: "
     + ROWS.format("i") + READ),
    ("def histogram(bins: In[i64[:]], counts: InOut[i64[:]]):\n    for i in prange(bins.shape[0]):\n"
     "        atomic_add(counts, bins[i], 1)\n",
     "7:28: error: 'counts' is written at counts[bins[i]]: " + ROWS.format("i") + WRITTEN.format("i", "counts")),
    ("def evens(x: In[f64[:]], y: InOut[f64[:]]):\n    for i in prange(x.shape[0] // 2):\n        y[2 * i] = x[i]\n",
     "7:9: error: 'y' is written at y[2 * i]: " + ROWS.format("i") + WRITTEN.format("i", "y")),
    ("def gather(x: InOut[f64[:]], idx: In[i64[:]], y: Out[f64[:]]):\n    for i in prange(x.shape[0]):\n"
     "        x[i] = 2.0 * x[i]\n        y[i] = x[idx[i]]\n",
     "8:16: error: 'x' is read at x[idx[i]], which another device's chunk may write in the same prange: "
     + ROWS.format("i") + READ),
    ("def columns(A: InOut[f64[:, :]]):\n    for j in prange(A.shape[1]):\n        for i in range(A.shape[0]):\n"
     "            A[i, j] = 1.0\n",
     "8:13: error: 'A' is written at A[i, j]: " + ROWS.format("j") + WRITTEN.format("j", "A")),
    ("def first(x: In[f64[:]], y: InOut[f64[:]]):\n    y[0] = 1.0\n    for i in prange(x.shape[0]):\n"
     "        y[i] = x[i]\n", "6:5: error: 'y' is " + HOST),
    ("def down(x: InOut[f64[:]]):\n    for i in prange(x.shape[0] - 1, 0, -1):\n        x[i] = 1.0\n",
     "6:5: error: kernel.on() splits a prange with a positive step only, and this one steps by -1"),
    ("def serial(x: InOut[f64[:]]):\n    for i in range(x.shape[0]):\n        x[i] = x[i] + 1.0\n",
     "7:9: error: 'x' is " + HOST),
])
def test_refusals(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        pipeline.translate("k.py", TARGET, HEADER + body, selection=frontend.Selection(chunked=True))
    assert str(info.value).splitlines()[0] == "k.py:" + error


def test_refused_without_an_offload_target() -> None:
    with pytest.raises(TranslationError) as info:
        pipeline.translate(multi.__file__, "cpu", selection=frontend.Selection(only="triad", chunked=True))
    assert str(info.value).splitlines()[0].endswith(
        "error: kernel.on() runs 'triad' on offload devices, and its target does not offload "
        "(use nvptx:sm_XX, amdgcn:gfxNNN or host-offload)")


def test_gather_and_its_index_check() -> None:
    """Any device may read any element of an array no device writes; a failed index check on one
    device raises Python's IndexError after the call."""
    x, idx = RNG.random(500), RNG.integers(-500, 500, 800)
    _agrees(multi.gather, (x, idx, np.empty(800)))
    idx[700] = 500  # in the last device's share
    with pytest.raises(IndexError) as info:
        _on_host_offload(multi.gather).on(ALL)(x, idx, np.empty(800))
    with pytest.raises(IndexError) as python:
        multi.gather(x, idx, np.empty(800))
    assert str(info.value) == str(python.value)


def test_array_made_by_the_kernel_and_a_fixed_device() -> None:
    """The array the kernel makes is filled and written by rows on every device; `@kernel(device=1)`
    does not pin the shares to device 1."""
    x = RNG.random((30, 7)) + 0.5
    (got, _), (want, _) = _run(multi.normalize, (x,))
    assert arrays_close(got, want)
    c = pipeline.translate(multi.__file__, TARGET, selection=frontend.Selection(only="normalize", chunked=True)).c_source
    assert "device(1)" in c[:c.index("normalize__chunk(")] and "device(" not in c[c.index("normalize__chunk("):]


def test_arrays_in_a_data_region_refused() -> None:
    a, b, c = np.empty(8), RNG.random(8), RNG.random(8)
    k = _on_host_offload(multi.triad)
    k.on(ALL)(a, b, c, 1.0)
    with runtime_shim.data_region(In=[b]), pytest.raises(ValueError) as info:
        k.on(ALL)(a, b, c, 1.0)
    assert str(info.value) == ("triad(): argument 'b' is mapped by a data region, whose device copy may be newer "
                               "than the array; kernel.on(devices) takes arrays outside data regions")


_CHILD = """
import numpy as np, runtime_shim
import sys
triad = runtime_shim.load({build!r}).kernels["triad"]
print("CALL", file=sys.stderr, flush=True)
triad.on([1, 3])(np.empty(1000), np.ones(1000), np.ones(1000), 2.0)
"""
_DEVICE = re.compile(r"device (\d+) info: (?:Copying data|Entering OpenMP kernel|Launching kernel)")
_LAUNCH = re.compile(r"Launching kernel \S*triad__chunk")


def test_each_share_runs_on_its_device_and_the_bench_runs(tmp_path: Path) -> None:
    """The offload runtime's log: the chunked loop is launched twice, on devices 1 and 3 only, from
    the libraries `bench/multi_gpu.py` builds; and its run (runtime_shim only) agrees with NumPy."""
    bench = runpy.run_path(str(ROOT / "bench" / "multi_gpu.py"))
    bench["build"](tmp_path, "host-offload")
    log = subprocess.run([sys.executable, "-c", _CHILD.format(build=str(tmp_path / "triad"))], capture_output=True,
                         text=True, env={**os.environ, "LIBOMPTARGET_INFO": "-1"}, check=True, cwd=ROOT)
    # the runtime prints a line's device and its message in two writes, which the shares' threads may
    # interleave: so the devices its copies and launches name, and the number of launches
    call = log.stderr[log.stderr.index("CALL\n"):]
    assert set(_DEVICE.findall(call)) == {"1", "3"} and len(_LAUNCH.findall(call)) == 2
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "multi_gpu.py"), "run", str(tmp_path), "--small",
                          "--devices", "1,2", "--repeats", "1"], capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["kernel"], r["case"]) for r in rows] == [
        (k, case) for k in ("triad", "jacobi_2d", "gemm") for case in ("one call", "on 1 device(s)", "on 2 device(s)")]
    assert all(r["ok"] for r in rows)


def test_host_code_runs_whole_on_every_device() -> None:
    x = RNG.random(1000) + 0.5
    (_, _, got), (_, _, want) = _run(multi.scale_by_first, (x, np.empty(1000)))
    assert np.array_equal(got, want)


def test_a_share_the_others_wait_for_too_long_raises_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: a barrier that never fills (a share stuck, or far too slow) breaks after
    `PY2OMP_MULTI_TIMEOUT` seconds; every share stops waiting and the call raises. The next call
    (default timeout) is whole."""
    k = _on_host_offload(multi.growing_rows)
    x = RNG.random(257)
    k.on(ALL)(x, np.empty(4), 0)  # built before the timing
    monkeypatch.setattr(runtime_shim.multi.SETTINGS, "wait_seconds", 0.2)
    line = multi.growing_rows.py_func.__code__.co_firstlineno + 4
    start = time.monotonic()
    with pytest.raises(RuntimeError) as info:
        k.on(ALL)(x, np.empty(4), 40_000_000)  # the last share: 120 million terms, the first none
    call = "growing_rows.on([0, 1, 2, 3])"
    barrier = f"{call}: a share waited 0.2 s for the others after the loop at line {line} (PY2OMP_MULTI_TIMEOUT); " \
        "stopped every share there"
    # on a loaded machine the caller may give up first, before any share reached its call back
    joined = re.fullmatch(rf"{re.escape(call)}: the shares on devices \[[0-3, ]+\] have neither returned nor called back "
                          r"for 0\.2 s \(PY2OMP_MULTI_TIMEOUT\); stopped waiting for them", str(info.value))
    assert str(info.value) == barrier or joined, str(info.value)
    assert time.monotonic() - start < 60
    monkeypatch.undo()
    (got, _, out, _), (want, _, out_py, _) = _run(multi.growing_rows, (x, np.empty(4), 50))
    assert results_close(got, want, [np.dtype(np.float64)]) and arrays_close(out, out_py, [np.dtype(np.float64)])
