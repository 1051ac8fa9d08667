"""How the host waits for the GPU: the CUDA context's scheduling flag against the per-call gap (issue 12).

    source .gpu/enter.sh; python3 bench/context_flags.py BUILD OUT.json [MODE ...]

`bench/bandwidth_profile.py` found py2omp's kernels as fast as CuPy's on the device and 92-348 us of
wall time a call between them (CuPy: 15-27). The LLVM CUDA plugin, when it initialises a device whose
primary context nobody has activated yet, sets that context to `CU_CTX_SCHED_BLOCKING_SYNC`: its
`cuStreamSynchronize` then sleeps until the GPU's interrupt wakes it. bandwidth_profile's
`BENCH_CTX_SCHED` set the flag but did not activate the context, and the library loaded before CuPy
touched the device, so the plugin overrode it: every setting it tried ran blocking. Here each MODE
runs in a child process of its own, so that the context is new in each:

- `plugin`: nothing done first (`PY2OMP_CUDA_WAIT=runtime`); the library loads before CuPy (the
  plugin's blocking sync: how every py2omp call waited before `runtime_shim.host_wait`);
- `cupy_first`: CuPy activates the context (CUDA's default, `auto`) before the library loads;
- `auto`, `spin`, `yield`, `blocking`: the flag set and the context retained through the driver first;
- `after`: as `plugin`, then, after a first call, the flag set to `auto` on the active context;
- `shim`: what py2omp's runtime does by default as it loads a library (`runtime_shim.host_wait`);
  the raw entry points load the same way (`bandwidth_variants.Loaded`).

In each: the triad on 2^27 doubles and one jacobi_2d step (11586^2) as py2omp emits them (the
`emitted` entry point of `bench/bandwidth_variants.py`'s build, raw ctypes on CuPy arrays) beside
CuPy's ElementwiseKernel (`bandwidth_variants.rows`: medians, GB/s, floors at a tiny size, results
checked), the triad through py2omp's own call path (examples/stream_triad on CuPy arrays), the flag
the context ends with, and, for `plugin` and `spin`, the offload runtime's own time trace
(`LIBOMPTARGET_PROFILE`) of 20 triad calls: its launch, its wait, and the host time between calls.
"""

from __future__ import annotations

import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from runtime_shim import host_wait, registration
from runtime_shim.host_wait import FLAGS
from runtime_trace import scopes

MODES = ("plugin", "cupy_first", "auto", "spin", "yield", "blocking", "shim", "after")
TRACED = ("plugin", "spin")
REPEATS, CALLS = 5, 20


def cuda_driver() -> ctypes.CDLL:
    driver = ctypes.CDLL("libcuda.so.1")
    if driver.cuInit(0):
        raise SystemExit("context_flags: cuInit failed")
    return driver


def retain_with(flag: int) -> None:
    """Device 0's primary context set to `flag` and activated, before any library sees it (as
    `host_wait` does it, through the runtime's own driver binding)."""
    driver = registration.driver()
    if driver is None or not driver.schedule(0, flag):
        raise SystemExit(f"context_flags: could not set flag {flag}")


def context_flag() -> str:
    """The scheduling flag device 0's primary context holds now, by name."""
    flags, active = ctypes.c_uint(), ctypes.c_int()
    cuda_driver().cuDevicePrimaryCtxGetState(0, ctypes.byref(flags), ctypes.byref(active))
    names = {v: k for k, v in FLAGS.items()}
    return f"{names.get(flags.value & 7, flags.value)}{'' if active.value else ' (inactive)'}"


def product_triad(build: Path, cupy: Any) -> dict[str, float]:
    """The triad through py2omp's call path on CuPy arrays: per-call us at 2^27 and at 16 elements."""
    import runtime_shim

    triad = runtime_shim.load(build / "examples" / "stream_triad").triad
    found: dict[str, float] = {}
    for n in (2**27, 16):
        b, c = cupy.random.standard_normal(n), cupy.random.standard_normal(n)
        a = cupy.empty(n)
        triad(a, b, c, 3.0)
        cupy.cuda.Device().synchronize()
        if not bool(cupy.allclose(a, b + 3.0 * c)):
            raise SystemExit("context_flags: py2omp's triad is wrong")
        samples = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            for _ in range(CALLS):
                triad(a, b, c, 3.0)
            cupy.cuda.Device().synchronize()
            samples.append((time.perf_counter() - start) / CALLS * 1e6)
        found[f"us_{n}"] = statistics.median(samples)
    return found


def runtime_trace(path: Path) -> dict[str, float]:
    """Means per call from the offload runtime's time trace: launch (`Kernel Target`), wait
    (`Runtime: synchronize`), the whole region (`Runtime: target exe`) and the host time between
    one region's end and the next one's start."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    for event in scopes(path):
        by_name.setdefault(event["name"], []).append(event)
    regions = sorted(by_name.get("Runtime: target exe", []), key=lambda e: e["ts"])[-CALLS:]
    first = regions[0]["ts"] if regions else 0
    within = {name: [e["dur"] for e in found if e["ts"] >= first] for name, found in by_name.items()}
    gaps = [b["ts"] - (a["ts"] + a["dur"]) for a, b in zip(regions, regions[1:])]
    mean = lambda values: statistics.fmean(values) if values else float("nan")  # noqa: E731
    return {"launch_us": mean(within.get("Kernel Target", [])), "wait_us": mean(within.get("Runtime: synchronize", [])),
            "region_us": mean([e["dur"] for e in regions]), "between_us": mean(gaps), "regions": len(regions)}


def set_after_first_call(bw: Any, memory: Any, loaded: dict[str, Any]) -> str:
    """Mode `after`: one call (the runtime has surely initialised the device and set its flag), then
    the flag set to `auto` on the active context (CUDA 11 and later accept that): whether a program
    can still choose how it waits once the runtime has chosen. The flag before, by name."""
    case = bw.problem("triad", 16, np.random.default_rng(2))
    arrays = [memory.put(x) for x in case.inputs]
    bw.calls_of(memory, loaded, case, arrays)["emitted"]()
    memory.sync()
    before = context_flag()
    if cuda_driver().cuDevicePrimaryCtxSetFlags_v2(0, FLAGS["auto"]):
        raise SystemExit("context_flags: setting the flag of the active context failed")
    return before


def child(mode: str, build: Path) -> dict[str, Any]:
    """One mode's figures, in this (fresh) process."""
    import bandwidth_variants as bw

    if mode in FLAGS:
        retain_with(FLAGS[mode])
    import cupy

    if mode == "cupy_first":
        cupy.zeros(1)
        cupy.cuda.Device().synchronize()
    loaded = {"emitted": bw.Loaded(build / "bandwidth" / "emitted.so")}
    memory = bw.CupyMemory(cupy)
    before = set_after_first_call(bw, memory, loaded) if mode == "after" else None
    rows = (bw.rows(memory, loaded, "triad", 2**27, 16, REPEATS, CALLS)
            + bw.rows(memory, loaded, "jacobi_step", 11586, 34, REPEATS, CALLS))
    found = {"rows": rows, "product_triad": product_triad(build, cupy), "flag": context_flag()}
    if before is not None:
        found["flag_before"] = before
    trace = os.environ.get("LIBOMPTARGET_PROFILE")
    if trace:
        case = bw.problem("triad", 2**27, np.random.default_rng(1))
        arrays = [memory.put(x) for x in case.inputs]
        call = bw.calls_of(memory, loaded, case, arrays)["emitted"]
        for _ in range(CALLS):
            call()
        found["trace_file"] = trace
    return found


def run_mode(mode: str, build: Path) -> dict[str, Any]:
    """`mode` in a child process (its trace summarised here, after the child wrote it at exit)."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as scratch:
        trace = Path(scratch) / "trace.json"
        if mode in ("plugin", "after"):
            env[host_wait.WAIT_ENV] = host_wait.LEAVE
        if mode in TRACED:
            env.update(LIBOMPTARGET_PROFILE=str(trace), LIBOMPTARGET_PROFILE_GRANULARITY="1")
        done = subprocess.run([sys.executable, __file__, "--child", mode, str(build)], env=env,
                              capture_output=True, text=True, timeout=240)
        if done.returncode != 0:
            return {"error": done.stderr[-2000:]}
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        if trace.exists():
            found["runtime_trace"] = runtime_trace(trace)
    return found


def report(mode: str, found: dict[str, Any]) -> list[str]:
    if "error" in found:
        return [f"{mode}: failed: {found['error'].splitlines()[-1] if found['error'] else ''}"]
    before = f", before the change: {found['flag_before']}" if "flag_before" in found else ""
    lines = [f"== {mode} (context flag at the end: {found['flag']}{before})"]
    for row in found.get("rows", []):
        of = "" if row["of_cupy"] is None else f", {row['of_cupy']:.3f} of CuPy"
        lines.append(f"  {row['kernel']} {row['variant']}: {row['ms']:.3f} ms ({row['min_ms']:.3f}-{row['max_ms']:.3f}), "
                     f"{row['GBps']:.0f} GB/s{of}, floor {row['floor_us']:.1f} us, ok {row['ok']}")
    product = found["product_triad"]
    lines.append(f"  py2omp call path, triad: {product['us_134217728']:.1f} us a call at 2^27, {product['us_16']:.1f} at 16")
    if "runtime_trace" in found:
        t = found["runtime_trace"]
        lines.append(f"  runtime trace ({t['regions']} regions): region {t['region_us']:.1f} us, launch {t['launch_us']:.1f}, "
                     f"wait {t['wait_us']:.1f}, host between regions {t['between_us']:.1f}")
    return lines


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(argv[1], Path(argv[2]))))
        return 0
    build, out = Path(argv[0]), Path(argv[1])
    results: dict[str, Any] = {}
    for mode in argv[2:] or MODES:  # each reported and saved as it ends: a run cut short keeps what it measured
        results[mode] = run_mode(mode, build)
        print("\n".join(report(mode, results[mode])), flush=True)
        out.write_text(json.dumps(results, indent=1))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main(sys.argv[1:]))
