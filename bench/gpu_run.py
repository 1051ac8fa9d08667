"""Run on a GPU machine with no compiler: the examples against Python, and the offload figures.

    python bench/build_gpu.py .gpubuild            # here, where clang-19 is
    python bench/gpu_run.py .gpubuild [OUT.json]   # there (after `source .gpu/enter.sh`)

Measures, for libraries built by `py2omp build --target nvptx:sm_90`:
1. every example kernel on fresh random data against its Python function (correctness on the GPU);
2. the STREAM triad kernel with its data resident on the device, for each launch-clause variant
   built by build_gpu.py: (time(reps=551) - time(reps=51)) / 500 is one launch, transfers cancel out;
3. the cost of one call: an empty target region, and a 16-element saxpy with its maps;
4. saxpy with transfers on every call: bytes moved (x in, y in and out) over wall time;
5. the NPBench-style kernels against Python, and array statements (whole-array triad, the 2-D slice
   Jacobi stencil) against the same loops written as `prange`s, data resident.
6. the copy-back of partly written `Out` arrays (bench/copyback.py, part `copyback`);
7. every kernel of the test suite's modules against Python (part `suite`);
8. every corpus kernel that translates (tests/corpus, docs/corpus.md) against Python (part `corpus`).

BENCH_SUITE_SKIP (kernel names, comma-separated) leaves kernels out of part `suite`. BENCH_ROUNDS (default 1) repeats the launch variants and the Jacobi pair in alternating order.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

import copyback
import runtime_shim
from translator.demo import import_file
from translator.oracle import compare_compiled

ROOT = Path(__file__).resolve().parent.parent
TRIAD_N = int(os.environ.get("BENCH_TRIAD_N", 1 << 27))
ARRAY_N = int(os.environ.get("BENCH_ARRAY_N", 4096))
SUITE_SKIP = os.environ.get("BENCH_SUITE_SKIP", "").split(",")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 1))
SAXPY_SIZES = [int(s) for s in os.environ.get("BENCH_SAXPY_LOG2", "16,20,24,26").split(",")]


def best_time(call: Callable[[], Any], repeats: int = 5) -> float:
    call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return min(samples)


def check_examples(build: Path) -> list[dict[str, Any]]:
    rows = []
    rng = np.random.default_rng()
    for path in sorted((ROOT / "examples").glob("*.py")):
        module = import_file(path)
        library = runtime_shim.load(build / "examples" / path.stem)
        for name, compiled in library.kernels.items():
            result = compare_compiled(compiled, getattr(module, name).py_func, module.demo_inputs(rng), "nvptx:sm_90")
            rows.append({"kernel": name, "compiled_ms": result.compiled_seconds * 1e3, "ok": result.ok,
                         "mismatches": list(result.mismatches)})
    return rows


def triad_variants(build: Path, n: int, few: int = 51, many: int = 551) -> list[dict[str, Any]]:
    """Each variant's launch time, measured in ROUNDS rounds that alternate the variants' order (so
    that clock ramps and neighbours do not favour one); the median and every sample are reported."""
    rng = np.random.default_rng(0)
    b, c = rng.standard_normal(n), rng.standard_normal(n)
    variants = sorted(p.name for p in (build / "triad").iterdir())
    samples: dict[str, list[float]] = {variant: [] for variant in variants}
    for round_ in range(ROUNDS):
        for variant in variants if round_ % 2 == 0 else variants[::-1]:
            kernel = runtime_shim.load(build / "triad" / variant).triad_reps
            a = np.empty(n)
            t_few = best_time(lambda: kernel(a, b, c, 3.0, few), 2)
            t_many = best_time(lambda: kernel(a, b, c, 3.0, many), 2)
            assert np.allclose(a, b + 3.0 * c)
            samples[variant].append((t_many - t_few) / (many - few))
    return [{"variant": variant, "n": n, "kernel_us": statistics.median(times) * 1e6,
             "GB_per_s": 3 * 8 * n / statistics.median(times) / 1e9, "samples_us": [t * 1e6 for t in times]}
            for variant, times in samples.items()]


def call_overhead(build: Path, calls: int = 2000) -> dict[str, float]:
    library = runtime_shim.load(build / "examples" / "overhead")
    x, y = np.ones(16, np.float32), np.ones(16, np.float32)
    figures = {}
    for label, call in (("empty_region_us", lambda: library.empty_region(1)),
                        ("saxpy16_with_maps_us", lambda: library.tiny_saxpy(2.0, x, y))):
        call()
        start = time.perf_counter()
        for _ in range(calls):
            call()
        figures[label] = (time.perf_counter() - start) / calls * 1e6
    return figures


def saxpy_transfers(build: Path) -> list[dict[str, float]]:
    saxpy = runtime_shim.load(build / "examples" / "saxpy").saxpy
    rows = []
    for log2 in SAXPY_SIZES:
        n = 1 << log2
        x, y = np.ones(n, np.float32), np.ones(n, np.float32)
        seconds = statistics.median(best_time(lambda: saxpy(2.0, x, y), 1) for _ in range(5))
        rows.append({"n": n, "ms": seconds * 1e3, "GB_per_s": 3 * 4 * n / seconds / 1e9})
    return rows


def check_npbench(build: Path) -> list[dict[str, Any]]:
    """Every NPBench-style kernel built by build_gpu.py against its Python function (their sizes)."""
    rows = []
    for name in sorted(p.name for p in (build / "modules").iterdir() if p.name != "array_statements"):
        module = import_file(ROOT / "tests" / "kernels" / "npbench" / f"{name}.py")
        compiled = runtime_shim.load(build / "modules" / name).kernels[name]
        result = compare_compiled(compiled, getattr(module, name).py_func, module.make_args(np.random.default_rng()),
                                  "nvptx:sm_90")
        rows.append({"kernel": name, "ok": result.ok, "mismatches": list(result.mismatches)})
    return rows


def check_suite(build: Path) -> list[dict[str, Any]]:
    """Every kernel of the test suite's modules (`CASES` in tests/kernels/*.py) against its Python
    function on the GPU, and one run-time length check that must fail (frontend.guards)."""
    rows = []
    sys.path.insert(0, str(ROOT))
    for directory in sorted((build / "suite").iterdir()):
        module = importlib.import_module(f"tests.kernels.{directory.name}")  # as the test suite imports it
        library = runtime_shim.load(directory)
        for kernel, make_args in module.CASES.items():
            if kernel.__name__ in SUITE_SKIP:
                continue
            print(f"suite: {directory.name}.{kernel.__name__}", file=sys.stderr, flush=True)
            result = compare_compiled(library.kernels[kernel.__name__], kernel.py_func,
                                      make_args(np.random.default_rng()), "nvptx:sm_90")
            rows.append({"kernel": f"{directory.name}.{kernel.__name__}", "ok": result.ok,
                         "mismatches": list(result.mismatches)})
    if not (build / "suite" / "arrays").is_dir():  # left out of this build (the carry's size limit)
        return rows
    checked = runtime_shim.load(build / "suite" / "arrays").kernels["mismatched_in_loops"]
    try:
        checked(np.ones((6, 6)), np.ones(3))
        raised = ""
    except ValueError as error:
        raised = str(error)
    rows.append({"kernel": "arrays.mismatched_in_loops (a failing length check)", "ok": "line" in raised,
                 "mismatches": [] if raised else ["no ValueError"], "message": raised})
    return rows


def check_corpus(build: Path, target: str = "nvptx:sm_90") -> list[dict[str, Any]]:
    """Every corpus kernel built by build_gpu.py (part `corpus`) against its Python function, on fresh
    random data of its test sizes. A kernel that raises (a refusal at call time) is a failed row, so
    one kernel cannot stop the others; `target` is the label the rows carry."""
    sys.path.insert(0, str(ROOT))
    rows = []
    for directory in sorted((build / "corpus").iterdir()):
        module = importlib.import_module(f"tests.corpus.{directory.name}")  # as the test suite imports it
        (kernel, make_args), = module.CASES.items()
        print(f"corpus: {directory.name}", file=sys.stderr, flush=True)
        try:
            compiled = runtime_shim.load(directory).kernels[kernel.__name__]
            result = compare_compiled(compiled, kernel.py_func, make_args(np.random.default_rng()), target)
            row = {"kernel": kernel.__name__, "ok": result.ok, "mismatches": list(result.mismatches),
                   "compiled_ms": result.compiled_seconds * 1e3, "python_ms": result.python_seconds * 1e3}
        except Exception as error:  # reported in the row: the run goes on with the next kernel
            row = {"kernel": kernel.__name__, "ok": False, "mismatches": [f"{type(error).__name__}: {error}"]}
        rows.append(row)
    return rows


def array_statements(build: Path, n: int = ARRAY_N, few: int = 11, many: int = 111) -> list[dict[str, Any]]:
    """One step of each kernel of bench/kernels/array_statements.py, data resident, and its bandwidth
    (the bytes NumPy would move: triad 3 arrays, a Jacobi sweep 2 arrays per statement)."""
    kernels = runtime_shim.load(build / "modules" / "array_statements").kernels
    rng = np.random.default_rng(0)
    vectors = [rng.standard_normal(n * n) for _ in range(3)]
    rows = []
    triad = kernels["triad_statement"]
    step = (best_time(lambda: triad(*vectors, 3.0, many)) - best_time(lambda: triad(*vectors, 3.0, few))) / (many - few)
    rows.append({"kernel": "triad_statement", "n": n * n, "step_ms": step * 1e3, "GB/s": 3 * 8 * n * n / step / 1e9})
    jacobi: dict[str, list[float]] = {"jacobi_slices": [], "jacobi_loops": []}
    for round_ in range(ROUNDS):
        for name in list(jacobi) if round_ % 2 == 0 else list(jacobi)[::-1]:
            A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
            k = kernels[name]
            jacobi[name].append((best_time(lambda: k(many, A, B)) - best_time(lambda: k(few, A, B))) / (many - few))
    for name, steps in jacobi.items():
        step = statistics.median(steps)
        rows.append({"kernel": name, "n": f"{n}x{n}", "step_ms": step * 1e3, "GB/s": 2 * 2 * 8 * n * n / step / 1e9,
                     "samples_ms": [t * 1e3 for t in steps]})
    return rows


def main(build: Path, out: Path | None) -> int:
    parts = os.environ.get("BENCH_PARTS", "examples,npbench,suite,corpus,array_statements,triad_resident,call_overhead,"
                           "saxpy_transfers,copyback").split(",")
    runs: dict[str, Callable[[], Any]] = {
        "examples": lambda: check_examples(build), "npbench": lambda: check_npbench(build),
        "suite": lambda: check_suite(build), "corpus": lambda: check_corpus(build),
        "array_statements": lambda: array_statements(build), "triad_resident": lambda: triad_variants(build, TRIAD_N),
        "call_overhead": lambda: call_overhead(build), "saxpy_transfers": lambda: saxpy_transfers(build),
        "copyback": lambda: copyback.measure(build / "copyback")}
    results: dict[str, Any] = {}
    for part in parts:  # written after each part, so a run cut short by its time limit keeps what it measured
        results[part] = runs[part]()
        print(f"{part}: done", file=sys.stderr, flush=True)
        if out is not None:
            out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    checked = [*results.get("examples", []), *results.get("npbench", []), *results.get("suite", []),
               *results.get("corpus", []), *results.get("copyback", [])]
    return 0 if all(row["ok"] for row in checked) else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None))
