"""Inside the offload runtime during one call: its own time trace, per NPBench kernel (issue 12, item a).

    source .gpu/enter.sh; python3 bench/runtime_trace.py BUILD OUT.json [KERNEL ...]

`bench/kernel_profile.py` showed py2omp's device time at most CuPy's for every kernel still slower
than CuPy (covariance, go_fast, doitgen, correlation): what is left happens on the host, in the
offload runtime's launches and waits, which CUPTI does not show (the CUDA plugin's own driver calls
are invisible to it but for the launches). The runtime keeps a time trace of itself
(`LIBOMPTARGET_PROFILE=FILE`, written at exit; `LIBOMPTARGET_PROFILE_GRANULARITY=1` keeps every
scope of a microsecond or more): each target region (`Runtime: target exe`), its launch (`Kernel
Target`), its wait (`Runtime: synchronize`), copies, allocations, `nowait` tasks. For each kernel,
in a child process of its own with the trace on, `CALLS` calls of py2omp's call on the peers' data
(CuPy arrays at the paper size, after warm-up calls) are traced; this reports per call each scope's
count and mean, the calls' wall time under the trace, and the host time outside the runtime.
The trace holds the calling thread's scopes only: a region launched `nowait` is launched by the
runtime's hidden helper threads and does not show (measured: covariance's regions, all `nowait`, are
absent), so the host time "outside" includes theirs.

Each `ENV_VARIANTS` entry then times every kernel (wall only, no trace) in a child with one runtime
setting changed, against the default in its own child:
`LIBOMPTARGET_MEMORY_MANAGER_THRESHOLD` (the size below which the runtime reuses freed device blocks,
8 KiB by default; a kernel with a reduction gets its reduction buffer allocated at every launch).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

CALLS = int(os.environ.get("BENCH_TRACE_CALLS", 20))
DEFAULT = ("covariance", "go_fast", "doitgen", "correlation", "gesummv", "softmax", "atax")
ENV_VARIANTS = {"default": {}, "mm_64MiB": {"LIBOMPTARGET_MEMORY_MANAGER_THRESHOLD": str(64 << 20)}}


def timed_calls(build: Path, names: list[str]) -> dict[str, float]:
    """Each kernel's median wall time per synchronised call (ms), CuPy arrays, in this process."""
    import cupy
    import numpy as np

    import runtime_shim
    from peer_kernels import CASES

    found: dict[str, float] = {}
    for name in names:
        case = CASES[name]
        args = tuple(cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in case.make(np.random.default_rng(42), case.paper))
        kernel = runtime_shim.load(build / "modules" / name).kernels[name]
        for _ in range(3):
            kernel(*args)
        samples = []
        for _ in range(CALLS):
            cupy.cuda.Device().synchronize()
            start = time.perf_counter()
            kernel(*args)
            cupy.cuda.Device().synchronize()
            samples.append(time.perf_counter() - start)
        found[name] = statistics.median(samples) * 1e3
    return found


def in_child(arguments: list[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", *arguments], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def scopes(trace: Path) -> list[dict[str, Any]]:
    return [e for e in json.loads(trace.read_text())["traceEvents"] if e.get("ph") == "X" and not e["name"].startswith("Total ")]


def summary(events: list[dict[str, Any]], calls: int, wall_ms: float) -> dict[str, Any]:
    """Per call: each scope's count and mean (us), over the last `calls` calls' span of the trace."""
    regions = sorted((e for e in events if e["name"] == "Runtime: target exe"), key=lambda e: e["ts"])
    by_name: dict[str, list[float]] = defaultdict(list)
    for event in events:
        by_name[event["name"]].append(float(event["dur"]))
    per_call = {name: {"count": len(durations) / calls, "mean_us": statistics.fmean(durations),
                       "us_per_call": sum(durations) / calls} for name, durations in sorted(by_name.items())}
    in_regions = sum(e["dur"] for e in regions) / calls
    return {"wall_ms_traced": wall_ms, "regions_per_call": len(regions) / calls, "region_us_per_call": in_regions,
            "outside_regions_us_per_call": wall_ms * 1e3 - in_regions, "scopes": per_call}


def traced(build: Path, name: str) -> dict[str, Any]:
    """`name`'s per-call trace summary (a child runs the calls; the runtime writes the trace at its exit).
    The child traces warm-up calls too: only the scopes after its marker call are kept."""
    with tempfile.TemporaryDirectory() as scratch:
        trace = Path(scratch) / "trace.json"
        found = in_child(["trace", str(build), name], {"LIBOMPTARGET_PROFILE": str(trace),
                                                        "LIBOMPTARGET_PROFILE_GRANULARITY": "1"})
        if "error" in found or not trace.exists():
            return found if "error" in found else {"error": "no trace written"}
        events = scopes(trace)
    regions = sorted((e for e in events if e["name"] == "Runtime: target exe"), key=lambda e: e["ts"])
    per_call = len(regions) // (CALLS + 3) if regions else 0  # 3 warm-up calls, then CALLS traced
    start = regions[3 * per_call]["ts"] if per_call else 0
    kept = [e for e in events if e["ts"] >= start]
    return summary(kept, CALLS, found["wall_ms"])


def child_trace(build: Path, name: str) -> dict[str, Any]:
    """The calls of one traced kernel: 3 warm-up calls, then `CALLS` synchronised calls timed together."""
    import cupy
    import numpy as np

    import runtime_shim
    from peer_kernels import CASES

    case = CASES[name]
    args = tuple(cupy.asarray(a) if isinstance(a, np.ndarray) else a for a in case.make(np.random.default_rng(42), case.paper))
    kernel = runtime_shim.load(build / "modules" / name).kernels[name]
    for _ in range(3):
        kernel(*args)
    cupy.cuda.Device().synchronize()
    start = time.perf_counter()
    for _ in range(CALLS):
        kernel(*args)
        cupy.cuda.Device().synchronize()
    return {"wall_ms": (time.perf_counter() - start) / CALLS * 1e3}


def report(results: dict[str, Any]) -> list[str]:
    lines = []
    for name, found in results["traces"].items():
        if "error" in found:
            lines.append(f"## {name}: failed: {found['error'].strip().splitlines()[-1:]}")
            continue
        lines.append(f"## {name}: {found['wall_ms_traced']:.3f} ms a call traced, {found['regions_per_call']:g} regions "
                     f"({found['region_us_per_call']:.1f} us inside them, {found['outside_regions_us_per_call']:.1f} outside)")
        for scope, s in sorted(found["scopes"].items(), key=lambda kv: -kv[1]["us_per_call"]):
            lines.append(f"    {s['count']:6.2f} x {s['mean_us']:8.1f} us = {s['us_per_call']:8.1f} us  {scope}")
    variants = results["variants"]
    lines.append("| kernel | " + " | ".join(f"{v} ms" for v in variants) + " |")
    lines.append("| --- |" + " --- |" * len(variants))
    for name in results["kernels"]:
        cells = [f"{variants[v][name]:.3f}" if name in variants[v] else "-" for v in variants]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        kind, build = argv[1], Path(argv[2])
        found = child_trace(build, argv[3]) if kind == "trace" else timed_calls(build, argv[3:])
        print(json.dumps(found))
        return 0
    build, out, names = Path(argv[0]), Path(argv[1]), argv[2:] or list(DEFAULT)
    results: dict[str, Any] = {"kernels": names, "traces": {name: traced(build, name) for name in names}, "variants": {}}
    for variant, env in ENV_VARIANTS.items():
        found = in_child(["time", str(build), *names], env)
        results["variants"][variant] = {} if "error" in found else found
        if "error" in found:
            print(f"{variant}: failed: {found['error'][-500:]}", file=sys.stderr)
    print("\n".join(report(results)), flush=True)
    out.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
