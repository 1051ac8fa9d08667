"""Column sums (`np.sum(a, axis=0)`) in py2omp's bare column form, in the OpenMP loop it replaces, and
with CuPy, on the GPU (issue 12: NPBench covariance's column means took 0.19 ms against CuPy's 0.17).

    python bench/column_sums.py build .colbuild [TARGET]          # here, where clang-19 is
    source .gpu/enter.sh; python3 bench/column_sums.py run .colbuild OUT.json   # there: numpy, cupy

`build` translates `bench/kernels/column_sums.py` twice with the translator of this checkout and
compiles its device entry point (`column_sums__device`, `is_device_ptr`) from each: `bare_columns` as
emitted (on nvptx the bare column form, `passes/bare_columns.py`: 32 columns a block of 256, its 8
warps sharing each column's rows, combined in team-shared memory) and `openmp_loop` with
`PY2OMP_BARE=0` (one thread per column walking all its rows: the C before the column form), and
`bare_columns_unroll4`, the emitted form with its warps' loop over rows unrolled 4 times (the same
additions in the same order; a warp's loads no longer wait one for another: a question for the GPU
run, not emitted). One `<variant>.so` each, carrying its description (`py2omp_variant`).

`run` loads every `.so` of the folder in one process with CuPy and, for each shape of `--shapes`
(default (1400, 1200): NPBench covariance's; (22000, 18000): 3.2 GB; (100000, 64): few columns, long;
(64, 100000): many columns, short), places random float64 data once, checks every variant and CuPy's
`a.sum(axis=0)` against NumPy's (the output prefilled with NaN, so a column not written shows), then
times each in `--repeats` rounds (default 7, after one warm-up round) of `--calls` back-to-back calls,
synchronised around each round (bandwidth_variants.sampled). Reports the median, min and max per
call, GB/s over the median (the matrix read once) and CuPy's time over each one's, prints a table,
writes JSON; fails (1) where a result differs from NumPy's. Without CuPy (a CPU try of a
host-offload build) it runs on the offload runtime's own memory, peerless.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bandwidth_variants import (ROOT, CupyMemory, Loaded, Memory, OmpMemory, argument_kinds, compile_variant,
                                device_function, environment, prelude, sampled)

KERNEL = "bench/kernels/column_sums.py"
NAME = "column_sums"
SHAPES = ((1400, 1200), (22000, 18000), (100000, 64), (64, 100000))
FORMS = {"bare_columns": (True, "the bare column form (nvptx; PY2OMP_BARE_COLUMNS=1)"),
         "bare_columns_unroll4": (True, "the bare column form, its warp's loop over rows with `#pragma unroll 4` "
                                        "(the same additions in the same order, up to 4 loads in flight)"),
         "openmp_loop": (False, "PY2OMP_BARE=0: one thread per column, all its rows (as emitted by default)")}
ROWS_LOOP = "for (int64_t k__3 = py2omp_col_warp();"
"""The warp's loop over a column's rows in the emitted bare column form, which `bare_columns_unroll4` unrolls."""
RTOL = 1e-12
"""float64 sums of a column in another order than NumPy's pairwise one."""


def build(out: Path, target_name: str = "nvptx:sm_90") -> list[Path]:
    """Both forms into `out/<form>.so`; needs the translator and clang."""
    sys.path.insert(0, str(ROOT))
    from translator.targets import parse_target
    from translator.toolchain.discover import find_toolchain
    target, toolchain = parse_target(target_name), find_toolchain()
    if toolchain is None:
        raise SystemExit("column_sums build: no clang-19 here (docs: ../shared/TOOLCHAIN.md)")
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for name in FORMS:
        flags = toolchain.flags(target)
        compile_variant(toolchain.clang, form_source(target, name, flags), out / f"{name}.so", flags)
        built.append(out / f"{name}.so")
    return built


def form_source(target: Any, name: str, flags: list[str]) -> str:
    """The C of the form `name` of `FORMS`: the emitted helpers, `column_sums__device`, its description."""
    from translator import pipeline
    bare, about = FORMS[name]
    with environment(PY2OMP_BARE="1" if bare else "0", PY2OMP_BARE_COLUMNS="1"):
        c_source = pipeline.translate(str(ROOT / KERNEL), target).c_source
    function = device_function(c_source, NAME)
    if name.endswith("_unroll4"):
        if function.count(ROWS_LOOP) != 1:
            raise ValueError(f"{name}: the emitted loop over rows changed (no `{ROWS_LOOP}`)")
        at = function.index(ROWS_LOOP)
        indent = function[function.rindex("\n", 0, at) + 1:at]
        function = function[:at] + "#pragma unroll 4\n" + indent + function[at:]
    info = {"about": about, "index32": False, "flags": flags, "kernels": {NAME: argument_kinds(function)}}
    return prelude(c_source) + "\n" + function + f"\nconst char py2omp_variant[] = {json.dumps(json.dumps(info))};\n"


def bound_calls(memory: Memory, loaded: dict[str, Loaded], a: Any, sums: Any, shape: tuple[int, int],
                cupy: Any) -> dict[str, Any]:
    """Each variant's call on the placed `a` into `sums`, and CuPy's where it is here."""
    n, m = shape
    found: dict[str, Any] = {name: (lambda f=lib.functions[NAME]: f(memory.ptr(a), n, m, memory.ptr(sums), m))
                             for name, lib in loaded.items()}
    if cupy is not None:
        found["cupy"] = lambda: a.sum(axis=0, out=sums)
    return found


def measured(memory: Memory, loaded: dict[str, Loaded], shape: tuple[int, int], cupy: Any,
             options: argparse.Namespace) -> list[dict[str, Any]]:
    """The report's rows of one shape: each variant and CuPy, checked on a NaN-filled output and timed."""
    host = np.random.default_rng(0).random(shape)
    expected = host.sum(axis=0)
    a, nbytes = memory.put(host), host.nbytes
    del host
    ok = {}
    for name, call in bound_calls(memory, loaded, a, memory.put(np.zeros(shape[1])), shape, cupy).items():
        print(f"checking {shape} {name}", file=sys.stderr, flush=True)  # the last line, if the runtime aborts
        sums = memory.put(np.full(shape[1], np.nan))
        bound_calls(memory, loaded, a, sums, shape, cupy)[name]()
        memory.sync()
        ok[name] = bool(np.allclose(memory.get(sums), expected, rtol=RTOL, atol=0))
    sums = memory.put(np.zeros(shape[1]))
    samples = sampled(memory, bound_calls(memory, loaded, a, sums, shape, cupy), options.repeats, options.calls)
    found = []
    for name, times in samples.items():
        median = statistics.median(times)
        found.append({"shape": list(shape), "variant": name, "ms": median * 1e3, "min_ms": min(times) * 1e3,
                      "max_ms": max(times) * 1e3, "GBps": nbytes / median / 1e9, "ok": ok[name],
                      "about": loaded[name].info["about"] if name in loaded else "CuPy: a.sum(axis=0, out=sums)",
                      "flags": loaded[name].info["flags"] if name in loaded else None})
    peer = next((r["ms"] for r in found if r["variant"] == "cupy"), None)
    for row in found:
        row["of_cupy"] = None if peer is None else peer / row["ms"]
    return sorted(found, key=lambda r: r["ms"])


def run(folder: Path, out: Path, options: argparse.Namespace) -> int:
    """Load every variant of `folder`, check and time each shape, print a table, write the JSON to `out`."""
    loaded = {path.stem: Loaded(path) for path in sorted(folder.glob("*.so"))}
    if not loaded:
        raise SystemExit(f"column_sums run: no variant .so in {folder}")
    try:
        import cupy
        machine = {"gpu": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(), "cupy": cupy.__version__}
        memory: Memory = CupyMemory(cupy)
    except Exception:  # no CuPy, or no GPU: a CPU try, peerless
        cupy, memory, machine = None, OmpMemory(next(iter(loaded.values())).cdll), {"gpu": None}
    found = [r for shape in options.shapes for r in measured(memory, loaded, shape, cupy, options)]
    print("| shape | variant | median ms (min-max) | GB/s | CuPy's time over it | ok |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in found:
        of_cupy = "" if r["of_cupy"] is None else f"{r['of_cupy']:.3f}"
        print(f"| {tuple(r['shape'])} | {r['variant']} | {r['ms']:.3f} ({r['min_ms']:.3f}-{r['max_ms']:.3f}) | "
              f"{r['GBps']:.0f} | {of_cupy} | {r['ok']} |")
    report = {"machine": machine, "repeats": options.repeats, "calls": options.calls, "rows": found}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return 0 if all(r["ok"] for r in found) else 1


def shapes(text: str) -> list[tuple[int, int]]:
    """`1400x1200,64x100000`: the shapes of the matrix (rows, columns)."""
    found = [tuple(int(e) for e in item.split("x")) for item in text.split(",")]
    if any(len(s) != 2 or min(s) < 1 for s in found):
        raise argparse.ArgumentTypeError(f"shapes are AxB with positive extents: {text}")
    return found  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build both forms (here, with clang-19)")
    make.add_argument("folder", type=Path)
    make.add_argument("target", nargs="?", default="nvptx:sm_90")
    measure = commands.add_parser("run", help="check and time the forms against CuPy (on the GPU machine)")
    measure.add_argument("folder", type=Path)
    measure.add_argument("out", type=Path)
    measure.add_argument("--shapes", type=shapes, default=list(SHAPES),
                         help="comma-separated AxB shapes (default 1400x1200,22000x18000,100000x64,64x100000)")
    measure.add_argument("--repeats", type=int, choices=range(3, 101), default=7, metavar="R",
                         help="timed rounds after a warm-up, median reported (default 7; 3 to 100)")
    measure.add_argument("--calls", type=int, default=10, help="back-to-back calls per sample (default 10)")
    options = parser.parse_args(argv)
    if options.command == "build":
        built = build(options.folder, options.target)
        print(f"built {len(built)} forms into {options.folder}: {sum(p.stat().st_size for p in built) / 1e6:.1f} MB")
        return 0
    return run(options.folder, options.out, options)


if __name__ == "__main__":
    sys.exit(main())
