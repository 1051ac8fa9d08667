"""A call moves only the rows of its arrays that the kernel reaches (issue 14, items 1 and 4).

Every kernel runs on the host-offload virtual device, whose memory is separate from the host's, and
is compared with its Python function on seeded random data; the bytes `kernel.stats` counts are
compared with the exact sizes of the rows, and once with the offload runtime's own log. The
virtual device reads host memory through an unmapped pointer, so a section too short would still
give the right answer here: `py2omp audit` (which runs the C's index arithmetic) checks that every
section covers what the kernel touches.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from tests.kernels import sections
from translator import pipeline
from translator.explain import explain_file
from translator.ir.pytext import python_text
from translator.oracle import compare_compiled
from translator.passes import sections as sections_pass
from translator.passes.affine import Range, constant
from translator.targets import parse_target

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "tests" / "kernels" / "sections.py"


@pytest.fixture(scope="module")
def lib() -> runtime_shim.Library:
    return sections.head_mean.library("host-offload")


@pytest.fixture()
def rng() -> np.random.Generator:
    return np.random.default_rng(14)


def run(lib: runtime_shim.Library, name: str, *args: object) -> runtime_shim.KernelStats:
    """One call of kernel `name`, checked against Python; its stats for that call alone."""
    compiled = lib.kernels[name]
    compiled.stats.reset()
    comparison = compare_compiled(compiled, getattr(sections, name).py_func, args, "host-offload", repeats=1)
    assert comparison.ok, comparison.mismatches
    return compiled.stats


def moved(stats: runtime_shim.KernelStats) -> tuple[int, int]:
    return stats.bytes_to_device, stats.bytes_from_device


def test_reading_ten_elements_of_ten_million_moves_eighty_bytes(lib: runtime_shim.Library,
                                                                rng: np.random.Generator) -> None:
    x = rng.standard_normal(10_000_000)
    assert moved(run(lib, "head_mean", x, 10)) == (80, 0)
    assert moved(run(lib, "head_mean", x, 10_000_000)) == (80_000_000, 0)


def test_rows_follow_the_loop_bounds(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x = rng.standard_normal(1000)
    assert moved(run(lib, "smooth3", x, np.zeros(100))) == (8 * 102, 8 * 100)
    assert moved(run(lib, "decimate", x, np.zeros(300))) == (8 * 599, 8 * 300)
    a = rng.standard_normal((50, 7))
    assert moved(run(lib, "batch_norms", a, np.zeros(20))) == (20 * 7 * 8, 20 * 8)


def test_inout_moves_the_same_rows_both_ways_and_keeps_the_rest(lib: runtime_shim.Library,
                                                                 rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(64), rng.standard_normal(64)
    before = y.copy()
    assert moved(run(lib, "axpy_head", 0.5, x, y, 9)) == (2 * 9 * 8, 9 * 8)
    lib.axpy_head(0.5, x, y, 9)
    assert np.array_equal(y[9:], before[9:]) and np.array_equal(y[:9], before[:9] + 0.5 * x[:9])


def test_bounds_are_clamped_like_the_c(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    """A loop that does not run moves nothing; one past the end is refused before anything moves."""
    x, y = rng.standard_normal(16), rng.standard_normal(16)
    assert moved(run(lib, "axpy_head", 2.0, x, y, 0)) == (0, 0)
    assert moved(run(lib, "axpy_head", 2.0, x, y, -4)) == (0, 0)
    with pytest.raises(IndexError, match="'y' needs at least 17 elements along axis 0, and has 16"):
        lib.axpy_head(2.0, x, y, 17)


def test_two_loops_map_the_union_of_their_rows(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    """Rows 2 to 12 for y's loop, 4 to 14 for z's: one region maps rows 2 to 14 once."""
    x = rng.standard_normal(40)
    assert moved(run(lib, "shifted_twice", x, np.zeros(10), np.zeros(10))) == (8 * 12, 8 * 20)
    assert moved(run(lib, "shifted_twice", x, np.zeros(3), np.zeros(30))) == (8 * 32, 8 * 33)


def test_a_gather_maps_the_whole_array(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x, idx = rng.standard_normal(500), rng.integers(0, 500, 40)
    status = 4  # the hidden status array of the in-kernel index check: one int32, in and back
    assert moved(run(lib, "gather", x, idx, np.zeros(40))) == (500 * 8 + 40 * 8 + status, 40 * 8 + status)


def test_the_fast_path_counts_the_rows_too(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    a, b = rng.standard_normal(100), rng.standard_normal(1000)
    assert lib.dot.fast is not None
    lib.dot.stats.reset()
    assert lib.dot(a, b) == pytest.approx(float(a @ b[:100]))
    assert moved(lib.dot.stats) == (2 * 100 * 8, 0)


def test_inside_a_data_region_nothing_moves(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(30), rng.standard_normal(30)
    expected = y.copy()
    sections.axpy_head.py_func(3.0, x, expected, 12)
    lib.axpy_head.stats.reset()
    with runtime_shim.data_region(In=[x], InOut=[y]) as region:
        lib.axpy_head(3.0, x, y, 12)
    assert np.array_equal(y, expected)
    assert moved(lib.axpy_head.stats) == (0, 0) and (region.bytes_to_device, region.bytes_from_device) == (480, 240)


def test_explain_and_manifest_show_the_rows() -> None:
    text = explain_file(str(KERNELS), parse_target("host-offload"))
    assert ("  x: declared In, inferred In\n    map(to: x[0:k]) (rows the kernel reaches, clamped to the extent)\n"
            "    bytes per call: 8 * k to the device, 0 back\n") in text
    assert "map(to: x[2:max(y.shape[0] + 3, z.shape[0] + 4)])" in text
    assert ("    whole array: the index at line 54 is known only on the device (a gather, a data-dependent or "
            "negative index, or a device function's argument)") in text
    manifest = json.loads(sections.head_mean.library("host-offload").manifest.path.read_text())
    head_mean = next(k for k in manifest["kernels"] if k["name"] == "head_mean")
    assert head_mean["params"][0]["section"] == [0, {"param": "k"}]


_CHILD = """
import numpy as np, runtime_shim
lib = runtime_shim.load({build!r})
rng = np.random.default_rng(5)
x, y, z = rng.standard_normal(4000), np.zeros(100), np.zeros(300)
lib.head_mean(x, 37)
lib.shifted_twice(x, y, z)
lib.axpy_head(1.5, x, rng.standard_normal(4000), 250)
stats = [lib.kernels[k].stats for k in ("head_mean", "shifted_twice", "axpy_head")]
print(json.dumps([sum(s.bytes_to_device for s in stats), sum(s.bytes_from_device for s in stats)]))
"""
_COPY = re.compile(r"Copying data from (host to device|device to host), .*Size=(\d+)")


def test_counts_match_the_offload_runtime_log(lib: runtime_shim.Library) -> None:
    child = "import json\n" + _CHILD.format(build=str(lib.manifest.path))
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True, cwd=ROOT,
                            env={**os.environ, "LIBOMPTARGET_INFO": "-1"})
    logged = {"host to device": 0, "device to host": 0}
    for direction, size in _COPY.findall(result.stderr):
        logged[direction] += int(size)
    counted = json.loads(result.stdout.strip().splitlines()[-1])
    reduction = 8  # head_mean's `total`, mapped tofrom: not an array, not counted (KernelStats)
    assert counted == [logged["host to device"] - reduction, logged["device to host"] - reduction]
    assert counted == [8 * (37 + 302 + 250 * 2), 8 * (100 + 300 + 250)]


def test_the_audit_finds_every_section_covers_what_the_kernel_touches() -> None:
    from translator.cli import main
    assert main(["audit", str(KERNELS), "--target", "host-offload"]) == 0


# ---------------------------------------------------------------------------------------------
# Overlapping read-only arrays (issue 13, item 2): two views of one array, or one array twice.


def test_overlapping_views_are_mapped_once(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    b = rng.standard_normal(100)
    lib.dot.stats.reset()
    assert lib.dot(b[0:60], b[30:90]) == pytest.approx(float(b[0:60] @ b[30:90]), rel=1e-12)
    assert moved(lib.dot.stats) == (90 * 8, 0)  # the enclosing rows 0 to 90, once
    assert lib.dot(b, b) == pytest.approx(float(b @ b), rel=1e-12)
    assert lib.dot(b[30:90], b[0:60]) == pytest.approx(float(b[0:60] @ b[30:90]), rel=1e-12)
    assert runtime_shim.resident.STATE.present == []


def test_overlapping_views_in_a_data_region(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    b = rng.standard_normal(100)
    lib.dot.stats.reset()
    with runtime_shim.data_region(In=[b[0:60], b[30:90], b]) as region:
        assert lib.dot(b[0:60], b[30:90]) == pytest.approx(float(b[0:60] @ b[30:90]), rel=1e-12)
    assert (region.bytes_to_device, region.bytes_from_device) == (100 * 8, 0)
    assert moved(lib.dot.stats) == (0, 0)


def test_overlapping_views_from_threads(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    b = rng.standard_normal(1000)
    expected = float(b[0:600] @ b[300:900])
    results: list[float] = []

    def work() -> None:
        results.extend(float(lib.dot(b[0:600], b[300:900])) for _ in range(40))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 160 and all(r == pytest.approx(expected, rel=1e-12) for r in results)


# ---------------------------------------------------------------------------------------------
# Copy-backs of partly written Out arrays (issue 13, item 9; issue 14, item 4).


def test_a_thread_reading_the_border_never_sees_device_values(lib: runtime_shim.Library,
                                                               rng: np.random.Generator) -> None:
    """The interior comes back in one transfer, but never through the host's border columns."""
    u, v = rng.standard_normal((300, 300)), rng.standard_normal((300, 300))
    left, right = v[:, 0].copy(), v[:, -1].copy()
    done, changed = threading.Event(), []

    def watch() -> None:
        while not done.is_set():
            if not (np.array_equal(v[:, 0], left) and np.array_equal(v[:, -1], right)):
                changed.append(True)

    watcher = threading.Thread(target=watch)
    watcher.start()
    lib.relax.stats.reset()
    for _ in range(60):
        lib.relax(u, v)
    done.set()
    watcher.join()
    assert not changed
    assert moved(lib.relax.stats) == (60 * 300 * 300 * 8, 60 * (297 * 300 + 298) * 8)
    expected = v.copy()
    sections.relax.py_func(u, expected)
    assert np.array_equal(v, expected)


def test_softmax_rows_copies_out_back_once(lib: runtime_shim.Library, rng: np.random.Generator) -> None:
    x = rng.standard_normal((40, 25)) * 5
    out = rng.standard_normal((40, 25))
    assert moved(run(lib, "softmax_rows", x, out)) == (x.nbytes, out.nbytes)
    assert moved(run(lib, "softmax_rows", x, np.zeros((60, 30)))) == (x.nbytes, (39 * 30 + 25) * 8)


def test_rows_are_a_function_of_the_loop_ranges() -> None:
    """Rows for a part of a `prange` (as splitting it over devices needs): the same accesses with
    the loop variable's range replaced give that part's rows; on the lowered kernel too."""
    kernel = next(k for k in pipeline.lower(str(KERNELS), "host-offload").kernels if k.name == "smooth3")
    found = sections_pass.device_accesses(kernel, {"x"})
    whole = sections_pass.rows(found.forms, "x", found.accesses["x"], kernel.span)
    assert whole is not None and (python_text(whole.lo), python_text(whole.hi)) == ("0", "out.shape[0] + 2")
    (var,) = {v for _, ranges in found.accesses["x"] for v in ranges}
    part = Range(constant(10), constant(19))
    rows = sections_pass.rows(found.forms, "x", [(i, {**r, var: part}) for i, r in found.accesses["x"]], kernel.span)
    assert rows is not None and (python_text(rows.lo), python_text(rows.hi)) == ("10", "22")


def test_a_few_rows_of_a_large_array_move_by_the_maps_not_by_staging(staged_on_host: list[int],
                                                                      lib: runtime_shim.Library,
                                                                      rng: np.random.Generator) -> None:
    """Staging moves what the maps move: a call whose maps move 80 bytes of an 8 MB array does not
    stage; one that reads all of it does."""
    x = rng.standard_normal(1 << 20)
    assert moved(run(lib, "head_mean", x, 10)) == (80, 0) and staged_on_host == []
    assert moved(run(lib, "head_mean", x, 1 << 20)) == (8 << 20, 0) and sum(staged_on_host) == 8 << 20


def test_staging_moves_only_the_rows_read(staged_on_host: list[int], lib: runtime_shim.Library,
                                          rng: np.random.Generator) -> None:
    """batch_norms reads rows [0, 1000) of a 4000-row matrix: those rows (256 KB) are staged, the norms
    (8 KB) copied directly."""
    a = rng.standard_normal((4000, 32))
    assert moved(run(lib, "batch_norms", a, np.empty(1000))) == (8 * 1000 * 32, 8 * 1000)
    assert staged_on_host == [8 * 1000 * 32]


def test_staging_moves_inout_rows_both_ways_and_keeps_the_rest(staged_on_host: list[int], lib: runtime_shim.Library,
                                                               rng: np.random.Generator) -> None:
    x, y = rng.standard_normal(1 << 17), rng.standard_normal(1 << 17)
    tail = y[40_000:].copy()
    assert moved(run(lib, "axpy_head", 0.5, x, y, 40_000)) == (2 * 8 * 40_000, 8 * 40_000)
    assert staged_on_host == [8 * 40_000] * 3
    y_expected = y.copy()
    lib.axpy_head(0.5, x, y, 40_000)
    sections.axpy_head.py_func(0.5, x, y_expected, 40_000)
    assert np.array_equal(y, y_expected) and np.array_equal(y[40_000:], tail)


@pytest.fixture()
def staged_on_host(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Staging on for host-offload from 64 KiB on, in chunks of 64 KiB; the sizes it moved."""
    from runtime_shim import staging
    monkeypatch.setattr(staging.SETTINGS, "kinds", frozenset({"host-offload"}))
    monkeypatch.setattr(staging.SETTINGS, "min_bytes", 64 << 10)
    monkeypatch.setattr(staging.SETTINGS, "chunk_bytes", 64 << 10)
    moved_sizes: list[int] = []
    pipeline = staging._pipeline

    def counted(pool: object, nbytes: int, *stages: object) -> None:
        moved_sizes.append(nbytes)
        pipeline(pool, nbytes, *stages)

    monkeypatch.setattr(staging, "_pipeline", counted)
    return moved_sizes
