"""`bench/peers.py`'s peers compute what our NPBench-style kernels compute, and its timing, checking
and report do what they say. Needs only NumPy: the Numba peers and the chart are tested where
Numba and matplotlib are installed and skipped otherwise; CuPy runs only on the GPU machine."""

from __future__ import annotations

import importlib
import inspect
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runtime_shim import DeviceArray, to_device

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))  # bench/ is a directory of scripts that import each other by name

import peer_kernels  # noqa: E402
import peer_report  # noqa: E402
import peers  # noqa: E402


def _outputs(case: peer_kernels.Case, returned: Any, args: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(a) for a in ([] if returned is None else [returned])) + tuple(args[i] for i in case.written)


def _run(case: peer_kernels.Case, function: Any, args: tuple[Any, ...]) -> tuple[np.ndarray, ...]:
    fresh = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    return _outputs(case, function(*fresh), fresh)


def _small_args(case: peer_kernels.Case, seed: int = 11) -> tuple[Any, ...]:
    return case.make(np.random.default_rng(seed), case.small)


def _assert_close(actual: tuple[np.ndarray, ...], expected: tuple[np.ndarray, ...]) -> None:
    tolerance = max(peers.TOLERANCE[e.dtype] for e in expected)
    assert peers.relative_error(actual, expected) <= tolerance


def _kernel(name: str) -> Any:
    return getattr(importlib.import_module(f"tests.kernels.npbench.{name}"), name)


@pytest.mark.parametrize("name", list(peer_kernels.CASES))
def test_numpy_peer_matches_our_kernel(name: str) -> None:
    """The NumPy peer, on the same seeded arguments, gives what our kernel's Python function gives."""
    case = peer_kernels.CASES[name]
    args = _small_args(case)
    _assert_close(_run(case, lambda *a: case.peer(np, *a), args), _run(case, _kernel(name).py_func, args))


@pytest.mark.parametrize("name", list(peer_kernels.CASES))
def test_written_positions_are_the_kernels_out_and_inout_arrays(name: str) -> None:
    """Fresh copies are made of exactly the arrays our kernel may overwrite."""
    parameters = inspect.signature(_kernel(name).py_func).parameters.values()
    owned = [i for i, p in enumerate(parameters) if getattr(p.annotation, "ownership", "in") in ("out", "inout")]
    assert peer_kernels.CASES[name].written == tuple(owned)


@pytest.mark.parametrize("name", list(peer_kernels.CASES))
def test_numba_peer_matches_the_numpy_peer(name: str) -> None:
    pytest.importorskip("numba")
    import peer_numba

    case = peer_kernels.CASES[name]
    args = _small_args(case, seed=5)
    _assert_close(_run(case, peer_numba.PEERS[name], args), _run(case, lambda *a: case.peer(np, *a), args))


def _device_copy(array: DeviceArray) -> DeviceArray:
    return to_device(array.to_numpy())


DEVICE = peers.Space(put=to_device, copy=_device_copy,
                     get=lambda a: a.to_numpy() if isinstance(a, DeviceArray) else np.asarray(a), sync=lambda: None)
"""py2omp's own device arrays on the host-offload target, standing in for CuPy's on the GPU."""


@pytest.mark.parametrize("name", list(peer_kernels.CASES))
def test_py2omp_with_the_data_on_the_device_matches_the_numpy_peer(name: str) -> None:
    """As the GPU run calls py2omp (device entry point, arrays already on the device), at a small scale."""
    case = peer_kernels.CASES[name]
    compiled = _kernel(name).library("host-offload").kernels[name]
    settings = _settings(scale=0.03, repeats=1)
    args, small = peers.arguments(case, settings)
    placed, placed_small = ([to_device(a) if isinstance(a, np.ndarray) else a for a in values] for values in (args, small))
    stats = compiled.stats  # the library is shared with other tests
    calls, copied_in, copied_out = stats.calls, stats.bytes_to_device, stats.bytes_from_device
    _, outputs = peers.measure(compiled, tuple(placed), tuple(placed_small), case, DEVICE, settings)
    _, expected = peers.measure(lambda *a: case.peer(np, *a), args, small, case, peers.HOST, settings)
    _assert_close(outputs, expected)
    # No array is copied in or back (those the kernel makes come back as device arrays); a kernel with
    # run-time checks stages its status word (int32, 4 bytes).
    assert stats.bytes_to_device - copied_in <= 4 * (stats.calls - calls)
    assert stats.bytes_from_device - copied_out <= 4 * (stats.calls - calls)


def test_scaled_sizes_stay_above_the_small_preset() -> None:
    conv2d = peer_kernels.CASES["conv2d"]
    assert peer_kernels.scaled(conv2d, 1.0) == dict(conv2d.paper)
    assert peer_kernels.scaled(conv2d, 0.05) == {"N": 2, "C_in": 3, "C_out": 4, "K": 3, "H": 13, "W": 13}


def _settings(**changes: Any) -> peers.Settings:
    base = peers.Settings(scale=1.0, repeats=3, peer_budget_s=10.0, cpu_cap_s=60.0, total_budget_s=400.0, seed=1, kernels=("gemm",),
                          peers=("numpy",))
    return peers.Settings(**{**peers.asdict(base), **changes})


def test_every_timed_run_gets_fresh_copies_of_what_the_kernel_overwrites() -> None:
    case = peer_kernels.CASES["jacobi_2d"]
    args, small = peers.arguments(case, _settings(scale=0.02))
    original = args[1].copy()
    seen: list[float] = []

    def sweep(tsteps: int, A: np.ndarray, B: np.ndarray) -> None:
        seen.append(float(A.sum()))
        case.peer(np, tsteps, A, B)

    measurement, outputs = peers.measure(sweep, args, small, case, peers.HOST, _settings())
    assert len(measurement.samples) == 3 and not measurement.over_budget
    assert seen[1:] == [float(original.sum())] * 4  # every full-size run after the small warm-up
    assert np.array_equal(args[1], original) and not np.array_equal(outputs[0], original)


def test_a_first_run_over_its_share_of_the_budget_is_the_only_sample() -> None:
    case = peer_kernels.CASES["go_fast"]
    args, small = peers.arguments(case, _settings(scale=0.01))

    def slow(a: np.ndarray) -> np.ndarray:
        time.sleep(0.02)
        return case.peer(np, a)

    measurement, _ = peers.measure(slow, args, small, case, peers.HOST, _settings(peer_budget_s=0.05))
    assert len(measurement.samples) == 1 and measurement.over_budget
    measurement, _ = peers.measure(slow, args, small, case, peers.HOST, _settings(peer_budget_s=1.0))
    assert len(measurement.samples) == 3 and not measurement.over_budget


def test_a_child_process_measures_numpy_on_the_same_data() -> None:
    settings = _settings(scale=0.05)
    measurement, outputs = peers.measure_in_child("numpy", "gemm", settings, time.perf_counter() + 60.0)
    case = peer_kernels.CASES["gemm"]
    args, _ = peers.arguments(case, settings)
    assert len(measurement.samples) == 3 and outputs is not None
    assert np.array_equal(outputs[0], _run(case, lambda *a: case.peer(np, *a), args)[0])


def test_a_child_is_stopped_at_its_cap_and_none_starts_after_the_deadline() -> None:
    settings = _settings(cpu_cap_s=0.5)  # NumPy's jacobi_2d at paper size takes minutes
    started = time.perf_counter()
    measurement, outputs = peers.measure_in_child("numpy", "jacobi_2d", settings, started + 60.0)
    assert measurement.stopped_after_s == pytest.approx(0.5) and outputs is None
    assert time.perf_counter() - started < 5.0
    measurement, outputs = peers.measure_in_child("numpy", "gemm", settings, time.perf_counter())
    assert measurement.skipped and outputs is None
    assert peer_report.cell(peers.asdict(measurement)) == "not run (total budget spent)"


def test_check_falls_back_to_numba_and_flags_a_wrong_result() -> None:
    rng = np.random.default_rng(3)
    expected = rng.random((4, 5))
    off = expected.copy()
    off[2, 3] += 1e-3
    measurements = {name: peers.Measurement(samples=(0.1,)) for name in ("numba", "py2omp", "cupy")}
    measurements["numpy"] = peers.Measurement(stopped_after_s=60.0)
    reference, checked = peers.check(measurements, {"numba": (expected,), "py2omp": (expected * (1 + 1e-14),),
                                                    "cupy": (off,)})
    assert reference == "numba"
    assert checked["py2omp"].correct and checked["py2omp"].max_error == pytest.approx(1e-14, rel=0.2)
    assert checked["cupy"].correct is False
    assert checked["numpy"].correct is None


def test_relative_error_of_mismatched_shapes_and_nans_is_infinite() -> None:
    a = np.ones((2, 3))
    assert peers.relative_error((a,), (np.ones((3, 2)),)) == float("inf")
    assert peers.relative_error((np.full((2, 3), np.nan),), (a,)) == float("inf")
    assert peers.relative_error((a,), (a, a)) == float("inf")


def _report() -> dict[str, Any]:
    timed = {"samples": [0.002, 0.001, 0.003], "over_budget": False, "stopped_after_s": None, "skipped": False,
             "error": None, "max_error": 1e-16, "correct": True}
    return {"machine": {"date": "2026-12-02 18:00 UTC", "cores": 16, "numpy": "2.1", "numba": "0.60, 16 threads",
                        "gpu": "NVIDIA H200", "cupy": "13.3"},
            "settings": peers.asdict(_settings(peers=("py2omp", "cupy", "numba", "numpy"))),
            "py2omp_target": "nvptx:sm_90", "wall_s": 300.0,
            "kernels": [{"kernel": "jacobi_2d", "sizes": {"TSTEPS": 1000, "N": 2800}, "reference": "numpy", "peers": {
                "numpy": {**timed, "samples": [95.0], "over_budget": True, "max_error": None, "correct": None},
                "numba": {**timed, "samples": [], "stopped_after_s": 60.0, "max_error": None, "correct": None},
                "py2omp": {**timed, "samples": [0.25, 0.26, 0.27]},
                "cupy": {**timed, "samples": [0.5, 0.52, 0.55], "max_error": 0.1, "correct": False}}}]}


def test_table_row_says_median_spread_single_runs_stops_ratio_and_correctness() -> None:
    row = peer_report.markdown(_report(), "cupy").splitlines()[6]
    assert row == ("| jacobi_2d | TSTEPS=1000 N=2800 | 260 (250-270) | 520 (500-550) | > 60 s (stopped) | "
                   "95,000 (1 run, over budget) | 0.5 | py2omp ok 1e-16, CuPy **WRONG** 1e-01 |")


def test_a_rerun_replaces_only_the_marked_section(tmp_path: Path) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nearlier runs\n")
    peer_report.update_docs(docs, "first table")
    peer_report.update_docs(docs, "second table")
    text = docs.read_text()
    assert text == f"# Benchmarks\n\nearlier runs\n\n{peer_report.BEGIN}\nsecond table\n{peer_report.END}\n"


def test_chart_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    peer_report.chart(_report(), "cupy", tmp_path / "peers.png")
    assert (tmp_path / "peers.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

