"""py2omp against CuPy, Numba and NumPy on NPBench-style kernels, timed and checked in the same run.

    python bench/build_gpu.py .gpubuild nvptx:sm_90 modules     # here, where clang-19 is
    python3 bench/peers.py .gpubuild                            # on the GPU machine (source .gpu/enter.sh)
    python bench/peers.py --cpu-only                            # anywhere: NumPy, Numba, py2omp on the CPU

Each benchmark of `bench/peer_kernels.py` runs at NPBench's "paper" sizes (times BENCH_SCALE) in
every implementation on the same seeded data: py2omp (the library built from
`tests/kernels/npbench/<name>.py`, called with CuPy arrays so that the data is already on the device),
CuPy and NumPy (our NumPy-style peers, `xp=cupy` and `xp=numpy`), Numba (`bench/peer_numba.py`).
How one implementation is timed (`measure`): a warm-up at the small size (Numba compiles, CuPy and
the offload runtime load their kernels), one run at full size, then BENCH_REPEATS timed runs, unless
(BENCH_REPEATS + 1) times that first run exceeds BENCH_PEER_BUDGET_S: then the first run is the only
sample, marked. Every run gets fresh copies of the arrays the kernel overwrites, made and (on the
GPU) synchronised before the clock starts; the device is synchronised before it stops.

NumPy and Numba run in a child process each (`--child`), which regenerates the same data from the
seed: a child still running after BENCH_CPU_CAP_S is stopped and its column marked, so that one slow
CPU implementation (NumPy's 1000 Jacobi sweeps of 2800 x 2800) cannot take the whole run's time.
Once the run has taken BENCH_TOTAL_BUDGET_S, no CPU child is started any more (the rest runs on the
GPU only, checked against CuPy's result): the GPU columns are what the run is for.
Correctness: every implementation's outputs (returned array and overwritten arguments) against
NumPy's, or against Numba's, then CuPy's, where NumPy was stopped (the row says which).

Writes all samples to bench/results/peers-<device>.json, the table into the marked section of
docs/benchmarks.md and the chart to docs/peers.png (`--no-docs` to leave docs/ alone; `--cpu-only`
leaves it alone unless `--docs`). Other settings: BENCH_KERNELS and BENCH_PEERS (comma-separated
names), BENCH_SEED.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

import peer_report
from peer_kernels import CASES, Args, Case, scaled

ROOT = Path(__file__).resolve().parent.parent
CPU_PEERS = ("numpy", "numba")
Resolver = Callable[[str], "Callable[..., Any] | None"]
"""A benchmark's name -> the implementation's function for it (None: not built)."""
TOLERANCE = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-4}
"""Largest error relative to the result's magnitude (max |a - b| / max |b|) still counted correct:
float sums in another order, reductions across threads, exp/tanh of another math library."""


@dataclass(frozen=True)
class Settings:
    """What a run measures and how long it may take (module docstring)."""

    scale: float
    repeats: int
    peer_budget_s: float
    cpu_cap_s: float
    total_budget_s: float
    seed: int
    kernels: tuple[str, ...]
    peers: tuple[str, ...]


def read_settings(default_scale: float) -> Settings:
    """The settings from the BENCH_* environment variables (module docstring), with their defaults."""
    environ = os.environ
    return Settings(
        scale=float(environ.get("BENCH_SCALE", default_scale)), repeats=int(environ.get("BENCH_REPEATS", 3)),
        peer_budget_s=float(environ.get("BENCH_PEER_BUDGET_S", 8.0)),
        cpu_cap_s=float(environ.get("BENCH_CPU_CAP_S", 45.0)),
        total_budget_s=float(environ.get("BENCH_TOTAL_BUDGET_S", 420.0)), seed=int(environ.get("BENCH_SEED", 2026)),
        kernels=tuple(k for k in environ.get("BENCH_KERNELS", ",".join(CASES)).split(",") if k),
        peers=tuple(p for p in environ.get("BENCH_PEERS", "py2omp,cupy,numba,numpy").split(",") if p))


@dataclass(frozen=True)
class Space:
    """Where an implementation's arrays live, and how they get there and back."""

    put: Callable[[np.ndarray], Any]
    copy: Callable[[Any], Any]
    get: Callable[[Any], np.ndarray]
    sync: Callable[[], None]


HOST = Space(put=lambda a: a, copy=np.copy, get=np.asarray, sync=lambda: None)


def device_space(cupy: ModuleType) -> Space:
    """CuPy arrays: py2omp takes them through `__cuda_array_interface__`, with no transfer, and
    returns the arrays its kernel makes as CuPy arrays (as CuPy does), which `get` brings to the
    host for the check, outside the timed call."""
    return Space(put=cupy.asarray, copy=cupy.copy, get=cupy.asnumpy, sync=cupy.cuda.Device().synchronize)


@dataclass(frozen=True)
class Measurement:
    """One implementation of one benchmark: its timed samples (seconds) and how the run ended."""

    samples: tuple[float, ...] = ()
    over_budget: bool = False
    stopped_after_s: float | None = None
    skipped: bool = False
    error: str | None = None
    max_error: float | None = None
    correct: bool | None = None


def run_once(call: Callable[..., Any], args: Args, written: tuple[int, ...], space: Space) -> tuple[float, Any, Args]:
    """One timed call on fresh copies of the overwritten arguments: (seconds, returned, arguments)."""
    fresh = tuple(space.copy(a) if i in written else a for i, a in enumerate(args))
    space.sync()
    start = time.perf_counter()
    returned = call(*fresh)
    space.sync()
    return time.perf_counter() - start, returned, fresh


def measure(call: Callable[..., Any], args: Args, small: Args, case: Case, space: Space,
            settings: Settings) -> tuple[Measurement, tuple[np.ndarray, ...]]:
    """Warm up at the small size, run once at full size (its outputs are the ones checked), and
    repeat when the budget allows (module docstring)."""
    run_once(call, small, case.written, space)
    first, returned, fresh = run_once(call, args, case.written, space)
    results = () if returned is None else returned if isinstance(returned, tuple) else (returned,)
    outputs = tuple(space.get(a) for a in results) + tuple(
        space.get(fresh[i]) for i in case.written)
    if first * (settings.repeats + 1) > settings.peer_budget_s:
        return Measurement(samples=(first,), over_budget=True), outputs
    samples = tuple(run_once(call, args, case.written, space)[0] for _ in range(settings.repeats))
    return Measurement(samples=samples), outputs


def arguments(case: Case, settings: Settings) -> tuple[Args, Args]:
    """The full-size and small arguments, from the seed (a child process makes the same ones)."""
    rng = np.random.default_rng(settings.seed)
    return case.make(rng, scaled(case, settings.scale)), case.make(rng, case.small)


def cpu_function(peer: str, name: str) -> Callable[..., Any]:
    """The NumPy or Numba implementation (Numba imported only here: a NumPy child does without it)."""
    if peer == "numpy":
        return lambda *args: CASES[name].peer(np, *args)
    from peer_numba import PEERS
    return PEERS[name]


def run_child(peer: str, name: str, out: Path, settings: Settings) -> None:
    """`--child`: measure one CPU implementation with the parent's settings, save its outputs to
    `out`/outputs.npz and print the measurement as JSON (the parent reads both)."""
    case = CASES[name]
    args, small = arguments(case, settings)
    measurement, outputs = measure(cpu_function(peer, name), args, small, case, HOST, settings)
    np.savez(out / "outputs.npz", *outputs)
    print(json.dumps(asdict(measurement)))


def measure_in_child(peer: str, name: str, settings: Settings,
                     deadline: float) -> tuple[Measurement, tuple[np.ndarray, ...] | None]:
    """A CPU implementation in its own process, stopped after `settings.cpu_cap_s` seconds or at
    the run's `deadline` (time.perf_counter), whichever comes first; not started after it."""
    allowed = min(settings.cpu_cap_s, deadline - time.perf_counter())
    if allowed <= 0:
        return Measurement(skipped=True), None
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", peer, name, scratch,
                   json.dumps(asdict(settings))]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            stdout, stderr = child.communicate(timeout=allowed)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            return Measurement(stopped_after_s=allowed), None
        if child.returncode != 0:
            return Measurement(error=_last_line(stderr)), None
        data = json.loads(stdout.strip().splitlines()[-1])
        with np.load(Path(scratch) / "outputs.npz") as saved:
            outputs = tuple(saved[f"arr_{i}"] for i in range(len(saved.files)))
        return Measurement(samples=tuple(data["samples"]), over_budget=data["over_budget"]), outputs


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "failed with no message"


def relative_error(actual: tuple[np.ndarray, ...], expected: tuple[np.ndarray, ...]) -> float:
    """max |a - b| / max |b| over the outputs (inf when shapes differ or NaNs appear where the
    reference has none)."""
    worst = 0.0
    if len(actual) != len(expected):
        return float("inf")
    for a, e in zip(actual, expected):
        if a.shape != e.shape:
            return float("inf")
        gap = np.abs(a.astype(np.float64) - e.astype(np.float64))
        if np.isnan(gap).any():
            return float("inf")
        worst = max(worst, float(gap.max(initial=0.0)) / max(float(np.abs(e).max(initial=0.0)), 1e-300))
    return worst


def check(measurements: dict[str, Measurement],
          outputs: dict[str, tuple[np.ndarray, ...]]) -> tuple[str | None, dict[str, Measurement]]:
    """Each implementation's outputs against the reference: NumPy's, else Numba's, else CuPy's."""
    reference = next((p for p in ("numpy", "numba", "cupy") if p in outputs), None)
    if reference is None:
        return None, measurements
    expected = outputs[reference]
    tolerance = max(TOLERANCE.get(e.dtype, 0.0) for e in expected) if expected else 0.0
    checked = {}
    for peer, measurement in measurements.items():
        if peer not in outputs:
            checked[peer] = measurement
            continue
        error = relative_error(outputs[peer], expected)
        checked[peer] = Measurement(**{**asdict(measurement), "max_error": error, "correct": error <= tolerance})
    return reference, checked


def in_process_functions(build: Path | None, target: str, cupy: ModuleType | None) -> dict[str, Resolver]:
    """The implementations measured in this process: py2omp (built here for `target` with
    --cpu-only, else loaded from `build`/modules) and CuPy."""
    functions: dict[str, Resolver] = {}
    if build is not None:
        import runtime_shim

        def built(name: str) -> Callable[..., Any] | None:
            directory = build / "modules" / name
            return runtime_shim.load(directory).kernels[name] if directory.is_dir() else None
        functions["py2omp"] = built
    else:
        sys.path.insert(0, str(ROOT))
        functions["py2omp"] = lambda name: getattr(
            importlib.import_module(f"tests.kernels.npbench.{name}"), name).library(target).kernels[name]
    if cupy is not None:
        functions["cupy"] = lambda name: (lambda *args: CASES[name].peer(cupy, *args))
    return functions


def run_case(case: Case, settings: Settings, functions: dict[str, Resolver], space: Space,
             deadline: float) -> dict[str, Any]:
    """Every chosen implementation of one benchmark, checked against the reference; the CPU ones
    only until the run's `deadline`."""
    measurements: dict[str, Measurement] = {}
    outputs: dict[str, tuple[np.ndarray, ...]] = {}
    for peer in (p for p in CPU_PEERS if p in settings.peers):
        print(f"{case.name}: {peer}", file=sys.stderr, flush=True)
        measurements[peer], produced = measure_in_child(peer, case.name, settings, deadline)
        if produced is not None:
            outputs[peer] = produced
    args, small = arguments(case, settings)
    placed, placed_small = (tuple(space.put(a) if isinstance(a, np.ndarray) else a for a in values)
                            for values in (args, small))
    for peer in (p for p in functions if p in settings.peers):
        print(f"{case.name}: {peer}", file=sys.stderr, flush=True)
        try:
            function = functions[peer](case.name)
            if function is None:
                measurements[peer] = Measurement(error="not built")
                continue
            measurements[peer], outputs[peer] = measure(function, placed, placed_small, case, space, settings)
        except Exception as error:  # one implementation failing is a result, not the end of the run
            measurements[peer] = Measurement(error=f"{type(error).__name__}: {str(error).splitlines()[0][:300]}")
    reference, checked = check(measurements, outputs)
    return {"kernel": case.name, "sizes": scaled(case, settings.scale), "reference": reference,
            "peers": {peer: asdict(m) for peer, m in checked.items()}}


def describe_machine(cupy: ModuleType | None) -> dict[str, Any]:
    """What the run ran on (GPU, cores, library versions): figures mean little without it."""
    found: dict[str, Any] = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                             "python": platform.python_version(), "numpy": np.__version__,
                             "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    if cupy is not None:
        found["gpu"] = cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()
        found["cupy"] = cupy.__version__
    try:
        import numba
        threads = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
        found["numba"] = f"{numba.__version__}, {threads} threads"
    except ImportError:
        pass
    return found


def write_outputs(report: dict[str, Any], baseline: str, json_path: Path | None, docs: bool) -> None:
    """The JSON of all samples, the table (printed, and into docs/benchmarks.md with the chart when `docs`)."""
    device = "cpu" if baseline != "cupy" else "-".join(report["machine"]["gpu"].lower().split()[1:])  # NVIDIA H200: h200
    destination = json_path or ROOT / "bench" / "results" / f"peers-{device}.json"
    destination.write_text(json.dumps(report, indent=2))
    table = peer_report.markdown(report, baseline)
    print(table)
    if docs:
        peer_report.update_docs(ROOT / "docs" / "benchmarks.md", table)
        peer_report.chart(report, baseline, ROOT / "docs" / "peers.png")
    print(f"{report['wall_s']:.0f} s; samples in {destination}", file=sys.stderr)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", type=Path, help="build directory of bench/build_gpu.py (GPU runs)")
    parser.add_argument("--cpu-only", action="store_true", help="no GPU: py2omp on --target, NumPy and Numba")
    parser.add_argument("--target", default="cpu", help="py2omp's target with --cpu-only (cpu or host-offload)")
    parser.add_argument("--docs", action=argparse.BooleanOptionalAction, default=None,
                        help="write docs/benchmarks.md's section and docs/peers.png (default: not with --cpu-only)")
    parser.add_argument("--json", type=Path, help="where the samples go (default bench/results/peers-<device>.json)")
    options = parser.parse_args(argv)
    if options.cpu_only == (options.build is not None):
        parser.error("give either a build directory (GPU run) or --cpu-only")
    settings = read_settings(default_scale=0.05 if options.cpu_only else 1.0)
    cupy = None if options.cpu_only else importlib.import_module("cupy")
    space = HOST if cupy is None else device_space(cupy)
    functions = in_process_functions(None if options.cpu_only else options.build, options.target, cupy)
    machine = describe_machine(cupy)
    started = time.perf_counter()
    rows = []
    for name in settings.kernels:
        rows.append(run_case(CASES[name], settings, functions, space, started + settings.total_budget_s))
        if cupy is not None:  # the next benchmark's arrays need the memory more than CuPy's cache does
            cupy.get_default_memory_pool().free_all_blocks()
    report = {"machine": machine, "settings": asdict(settings), "py2omp_target": options.target if options.cpu_only
              else "nvptx:sm_90", "wall_s": time.perf_counter() - started, "kernels": rows}
    write_outputs(report, "numba" if cupy is None else "cupy", options.json,
                  options.docs if options.docs is not None else not options.cpu_only)
    return 0 if all(p.get("correct") is not False for row in rows for p in row["peers"].values()) else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        given = json.loads(sys.argv[5])
        run_child(sys.argv[2], sys.argv[3], Path(sys.argv[4]),
                  Settings(**{**given, "kernels": tuple(given["kernels"]), "peers": tuple(given["peers"])}))
    else:
        sys.exit(main(sys.argv[1:]))
