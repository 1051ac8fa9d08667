"""The launch floor of host time loops: the same kernels launched synchronously, `nowait`, and as one
team's region (issue 12 item 3).

    python bench/build_gpu.py .gpubuild nvptx:sm_90 launch          # here, where clang-19 is
    source .gpu/enter.sh; python3 bench/launch_floor.py .gpubuild [OUT.json]   # there
    python bench/launch_floor.py --build DIR [TARGET]; python bench/launch_floor.py DIR   # a CPU try

`build` translates NPBench's jacobi_1d (tests/kernels/npbench/jacobi_1d.py: two regions per time step)
three times from the same source into DIR/launch/<mode>: `async` (`PY2OMP_ASYNC=1`: regions `nowait` +
`depend`, one `taskwait`), `sync` (`PY2OMP_ASYNC=0`: synchronous launches) and `team` (the whole time
loop in one team's region whatever the size, `passes.team_loops`; the other two never take it). The
run times them in one process, interleaved, for BENCH_LAUNCH_TSTEPS steps (default 4000: 8000
launches) at each N of BENCH_LAUNCH_SIZES (default `34000,16`: npbench's paper size, and the floor,
launch cost alone), data resident on the device (`to_device`), median of BENCH_LAUNCH_REPEATS
(default 5) with the spread, and checks each result against NumPy's. The sizes where `team` wins
set `translator.settings.TEAM_LOOP_LIMIT`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's runtime_shim

import runtime_shim  # noqa: E402

KERNEL = "tests/kernels/npbench/jacobi_1d.py"
TSTEPS = int(os.environ.get("BENCH_LAUNCH_TSTEPS", 4000))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_LAUNCH_SIZES", "34000,16").split(","))
REPEATS = int(os.environ.get("BENCH_LAUNCH_REPEATS", 5))
MODES = {"async": ("1", "0"), "sync": ("0", "0"), "team": ("1", str(2**62))}
"""Each build's `PY2OMP_ASYNC` and `PY2OMP_TEAM_LOOPS`."""


def build(out: Path, target: str) -> None:
    """Both forms of jacobi_1d into `out/launch/<mode>` (needs the translator and clang)."""
    from translator import pipeline
    from translator.frontend import module_name
    from translator.targets import parse_target
    from translator.toolchain.cache import build_cached, export_build
    chosen = parse_target(target)
    for mode, (asynchronous, team_limit) in MODES.items():
        os.environ.update(PY2OMP_ASYNC=asynchronous, PY2OMP_TEAM_LOOPS=team_limit)
        emitted = pipeline.translate(str(ROOT / KERNEL), chosen)
        built = build_cached(module_name(KERNEL), emitted.c_source, emitted.h_source, emitted.manifest, chosen)
        export_build(built, out / "launch" / mode)
    for name in ("PY2OMP_ASYNC", "PY2OMP_TEAM_LOOPS"):
        os.environ.pop(name)


def reference(A: np.ndarray, B: np.ndarray, tsteps: int) -> tuple[np.ndarray, np.ndarray]:
    A, B = A.copy(), B.copy()
    for _ in range(1, tsteps):
        B[1:-1] = (A[:-2] + A[1:-1] + A[2:]) / 3.0
        A[1:-1] = (B[:-2] + B[1:-1] + B[2:]) / 3.0
    return A, B


def measure(build_dir: Path) -> list[dict[str, Any]]:
    kernels = {mode: runtime_shim.load(build_dir / "launch" / mode).kernels["jacobi_1d"] for mode in MODES}
    rows = []
    for n in SIZES:
        rng = np.random.default_rng(0)
        A0, B0 = rng.random(n), rng.random(n)
        expected = reference(A0, B0, TSTEPS)
        samples: dict[str, list[float]] = {mode: [] for mode in MODES}
        ok = dict.fromkeys(MODES, True)
        for repeat in range(REPEATS + 1):  # the first round warms up and is not counted
            for mode in list(MODES) if repeat % 2 == 0 else list(MODES)[::-1]:
                A, B = runtime_shim.to_device(A0), runtime_shim.to_device(B0)
                start = time.perf_counter()
                kernels[mode](TSTEPS, A, B)
                seconds = time.perf_counter() - start
                ok[mode] &= bool(np.allclose(A.to_numpy(), expected[0]) and np.allclose(B.to_numpy(), expected[1]))
                if repeat:
                    samples[mode].append(seconds)
        for mode, times in samples.items():
            launches = 2 * (TSTEPS - 1)
            rows.append({"kernel": "jacobi_1d", "n": n, "mode": mode, "tsteps": TSTEPS,
                         "ms": statistics.median(times) * 1e3, "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3,
                         "us_per_launch": statistics.median(times) / launches * 1e6, "ok": ok[mode]})
    return rows


def main(build_dir: Path, out: Path | None) -> int:
    rows = measure(build_dir)
    print("| kernel | n | launches | mode | median ms (min-max) | us per launch | ok |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['kernel']} | {r['n']} | {2 * (r['tsteps'] - 1)} | {r['mode']} | {r['ms']:.1f} ({r['min_ms']:.1f}-"
              f"{r['max_ms']:.1f}) | {r['us_per_launch']:.1f} | {r['ok']} |")
    if out is not None:
        out.write_text(json.dumps(rows, indent=2))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    if sys.argv[1] == "--build":
        build(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "host-offload")
    else:
        sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None))
