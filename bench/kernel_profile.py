"""What the GPU runs for one call: py2omp's kernels, copies and driver calls against CuPy's, from CUPTI.

    source .gpu/enter.sh; python3 bench/kernel_profile.py BUILD OUT.json [KERNEL ...]

`bench/call_trace.py` splits a call's wall time into the C function and Python's share; this looks
inside the C function. For each NPBench kernel of `bench/peers.py` (default: those at or above CuPy's
time in the last run), with data on the device at the paper size, it records `BENCH_PROFILE_CALLS`
(5) calls of py2omp's kernel and of CuPy's code under `torch.profiler` (CUPTI: every kernel, copy and
memset on the device, whoever launched it: the offload runtime, cuBLAS, CuPy), each after warm-up
calls, and reports per call: the device's busy time (kernels, copies, memsets), each kernel by name
with its mean duration, the host API calls CUPTI saw (launches, synchronisations, copies) with their
count and time, and the wall time of the calls under the profiler. Two implementations doing the
same arithmetic differ there by their kernels (a slower one, an extra one) or by what lies between
them (synchronisations, the runtime's own copies). The GPU machine has torch (CUPTI) but no Nsight.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import cupy
import numpy as np
from torch.profiler import ProfilerActivity, profile

import runtime_shim
from peer_kernels import CASES

CALLS = int(os.environ.get("BENCH_PROFILE_CALLS", 5))
DEFAULT = ("covariance", "go_fast", "doitgen", "bicg", "atax", "mvt", "correlation", "gemm")
DEVICE = ("kernel", "gpu_memcpy", "gpu_memset")
HOST_API = ("cuda_runtime", "cuda_driver")


def trace_events(call: Callable[[], Any]) -> tuple[list[dict[str, Any]], float]:
    """The chrome-trace events of `CALLS` synchronised calls, and their wall time per call in ms."""
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        start = time.perf_counter()
        for _ in range(CALLS):
            call()
            cupy.cuda.Device().synchronize()
        wall = (time.perf_counter() - start) / CALLS * 1e3
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace.json"
        prof.export_chrome_trace(str(path))
        events = json.loads(path.read_text())["traceEvents"]
    return [e for e in events if e.get("ph") == "X"], wall


def summary(events: list[dict[str, Any]], wall_ms: float) -> dict[str, Any]:
    """Per call: the device's busy time, each device activity by name, each host API call by name."""
    device: dict[str, list[float]] = defaultdict(list)
    api: dict[str, list[float]] = defaultdict(list)
    for e in events:
        if e.get("cat") in DEVICE:
            device[f"{e['cat']}: {e['name'][:90]}"].append(float(e.get("dur", 0)))
        elif e.get("cat") in HOST_API:
            api[e["name"]].append(float(e.get("dur", 0)))
    per_call = {name: {"per_call": len(d) / CALLS, "mean_us": statistics.fmean(d), "us_per_call": sum(d) / CALLS}
                for name, d in sorted(device.items(), key=lambda kv: -sum(kv[1]))}
    calls = {name: {"per_call": len(d) / CALLS, "us_per_call": sum(d) / CALLS}
             for name, d in sorted(api.items(), key=lambda kv: -sum(kv[1]))}
    busy = sum(sum(d) for d in device.values()) / CALLS
    return {"wall_ms_under_profiler": wall_ms, "device_busy_us": busy, "device": per_call, "host_api": calls}


def profiled(name: str, build: Path) -> dict[str, Any]:
    """Both implementations of one kernel, on the same device data."""
    case = CASES[name]
    args = tuple(cupy.asarray(a) if isinstance(a, np.ndarray) else a
                 for a in case.make(np.random.default_rng(42), case.paper))
    kernel = runtime_shim.load(build / "modules" / name).kernels[name]
    result = {}
    for label, call in (("py2omp", lambda: kernel(*args)), ("cupy", lambda: case.peer(cupy, *args))):
        for _ in range(3):
            call()
        cupy.cuda.Device().synchronize()
        result[label] = summary(*trace_events(call))
    return result


def report(name: str, figures: dict[str, Any]) -> str:
    """A few readable lines per kernel (the JSON has everything)."""
    lines = [f"## {name}"]
    for label, f in figures.items():
        lines.append(f"{label}: wall {f['wall_ms_under_profiler']:.3f} ms/call (profiled), device busy "
                     f"{f['device_busy_us']:.1f} us/call")
        for what, d in list(f["device"].items())[:8]:
            lines.append(f"    {d['per_call']:g} x {d['mean_us']:.1f} us  {what}")
        for what, d in list(f["host_api"].items())[:8]:
            lines.append(f"    api {d['per_call']:g} x = {d['us_per_call']:.1f} us  {what}")
    return "\n".join(lines)


def main(build: Path, out: Path, names: list[str]) -> None:
    results = {}
    for name in names or DEFAULT:
        try:
            results[name] = profiled(name, build)
            print(report(name, results[name]), flush=True)
        except Exception as error:  # one kernel's failure leaves the others' figures
            results[name] = {"error": repr(error)}
            print(f"## {name}: {error!r}", flush=True)
        out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
