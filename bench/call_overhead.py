"""What the Python side of a call costs: a kernel call against a raw ctypes call of the same C function.

    python bench/call_overhead.py [TARGET ...]   # default: cpu host-offload; prints a Markdown table

For each target, with a build cache of its own (bench/kernels/overhead.py, built once before timing),
microseconds per call of `tiny_saxpy` on 16 float32, the best of 15 interleaved runs of many calls,
timed in CPU time of the calling thread (`time.thread_time`: the Python side runs there, and a shared
machine's load, which stretches wall time by several microseconds per call, does not count):
- `raw ctypes`: the library's C function called directly with `argtypes` set, the array addresses
  and extents precomputed (no checks at all): the floor;
- `@kernel`: the decorated function as users call it (`Kernel.__call__` and the runtime_shim binding);
- `generic @kernel`: the same body without annotations (`GenericKernel`, types from the call);
- `empty_region`, raw and through `@kernel` (one int argument, nothing mapped).
`overhead` rows are the differences to the raw call. Also the first call in a new process, the library
already cached (median of 7 fresh processes): import, cache lookup, loading, the call.

On an offload target, the same for calls whose data is already in device memory (`DeviceArray`s;
no CuPy needed), of the kernel's device entry point: `tiny_gemv` (three arrays, 16 x 16 float32) and
`tiny_atax` (two arrays; the call makes a temporary and its result), each against a raw ctypes call of
its device entry point with every address precomputed (the made arrays allocated once beforehand):
the difference is Python's share of a device call (runtime_shim/devicepath.py).

On a GPU machine (no compiler there), from a prebuilt nvptx library:

    python bench/build_gpu.py .gpubuild nvptx:sm_90 overhead        # here: .gpubuild/overhead
    source .gpu/enter.sh; python3 bench/call_overhead.py gpu .gpubuild OUT.json   # there

times in one process, in wall time (`time.perf_counter`, the median of 7 interleaved runs of 2000
calls, the device synchronised before and after each run): the device entry points of `empty_region`,
`tiny_saxpy`, `tiny_gemv`, `tiny_atax` and `tiny_gather` through ctypes alone (made arrays and status
word allocated once), the same kernels through py2omp with CuPy arrays and with `DeviceArray`s, each
with the status word of the run-time checks in host memory the device addresses and in device
memory (`PY2OMP_STATUS_WORD` `host` / `device`, switched between runs: only `tiny_gather` has a
status word, the others are the control), and CuPy's own `ElementwiseKernel` (a saxpy) on 16 floats.
Then the parts of one py2omp device call of `tiny_gather` on `DeviceArray`s, timed around each step
of a copy of `DevicePath.call` (medians): the walk (`DevicePath.arguments`), the made array's
allocation, taking the status word, the C call, reading the word back, the free. It checks first
that a failing gather raises, and a good one after it answers, with both kinds of word. Writes
OUT.json and prints a Markdown table.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator, not an installed one
KERNELS = ROOT / "bench" / "kernels" / "overhead.py"
PROCESSES = 7
KEPT: list[Any] = []
"""The device arrays whose addresses the raw device calls hold: alive until the process ends."""


def load_kernels() -> ModuleType:
    spec = importlib.util.spec_from_file_location("overhead_kernels", KERNELS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arguments() -> tuple[float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return 2.0, rng.standard_normal(16).astype(np.float32), rng.standard_normal(16).astype(np.float32)


def microseconds_per_call(calls: dict[str, Callable[[], Any]], count: int, runs: int = 15) -> dict[str, float]:
    """For each of `calls`, the best of `runs` runs of `count` calls in the calling thread's CPU time,
    interleaved so that the load of the shared machine weighs on them alike."""
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(runs):
        for name, call in calls.items():
            start = time.thread_time()
            for _ in range(count):
                call()
            best[name] = min(best[name], time.thread_time() - start)
    return {name: seconds / count * 1e6 for name, seconds in best.items()}


def raw_calls(module: ModuleType, args: tuple[float, np.ndarray, np.ndarray]) -> dict[str, Callable[[], Any]]:
    """The C functions of the kernels' library called through ctypes alone, arguments precomputed."""
    library = module.tiny_saxpy.library()
    cdll = ctypes.CDLL(str(library.path))
    saxpy, empty = cdll[library.kernels["tiny_saxpy"].spec.symbol], cdll[library.kernels["empty_region"].spec.symbol]
    saxpy.argtypes = (ctypes.c_float, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p, ctypes.c_int64)
    empty.argtypes = (ctypes.c_int64,)
    saxpy.restype = empty.restype = None
    a, x, y = args
    c_args = (a, x.ctypes.data, x.shape[0], y.ctypes.data, y.shape[0])
    return {"saxpy raw ctypes": functools.partial(saxpy, *c_args), "empty raw ctypes": functools.partial(empty, 1)}


def raw_device_call(library: Any, name: str, args: tuple[Any, ...]) -> Callable[[], Any]:
    """The kernel's device entry point through ctypes alone, every address precomputed: the arrays
    the kernel makes (and its status word) allocated once, before, and kept until the process ends."""
    from runtime_shim import DeviceArray
    from runtime_shim.bounds import evaluate

    compiled = library.kernels[name]
    spec = compiled.spec
    shapes = {p.name: tuple(getattr(a, "shape", ())) for p, a in zip(spec.params, args)}
    scalars = {p.name: a for p, a in zip(spec.params, args) if not p.is_array}
    made = [DeviceArray(tuple(evaluate(d, shapes, scalars) for d in p.shape or ()), np.dtype(p.dtype))
            for p in spec.params if p.hidden]
    raw = ctypes.CDLL(str(library.path))[spec.device_symbol]
    raw.argtypes, raw.restype = compiled.device_binding.argtypes, compiled.device_binding.restype
    KEPT.extend((*args, *made))
    return functools.partial(raw, *compiled.device_binding.convert([*args, *made]))


def device_calls(module: ModuleType) -> dict[str, Callable[[], Any]]:
    """`tiny_gemv` and `tiny_atax` on `DeviceArray`s through `@kernel`, and their device entry points
    through ctypes alone (`raw_device_call`)."""
    from runtime_shim import to_device

    module.tiny_gemv.library()  # device memory needs a loaded offload library
    rng = np.random.default_rng(1)
    A, x = (to_device(rng.standard_normal(shape).astype(np.float32)) for shape in ((16, 16), 16))
    calls: dict[str, Callable[[], Any]] = {}
    for name, args in (("tiny_gemv", (A, x, to_device(np.zeros(16, np.float32)))), ("tiny_atax", (A, x))):
        calls[f"{name} device raw ctypes"] = raw_device_call(getattr(module, name).library(), name, args)
        calls[f"{name} device @kernel"] = functools.partial(getattr(module, name), *args)
    return calls


def first_call_seconds() -> float:
    """Run in a fresh process: import, then the first call of `tiny_saxpy` (its library cached)."""
    start = time.perf_counter()
    kernel = load_kernels().tiny_saxpy
    kernel(*arguments())
    return time.perf_counter() - start


def fresh_process(env: dict[str, str]) -> tuple[float, bool]:
    """Seconds of the first call in a new process, and whether that process imported libcst."""
    command = [sys.executable, str(Path(__file__).resolve()), "--first-call"]
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    seconds, libcst = result.stdout.split()
    return float(seconds), libcst == "True"


def measure(target: str) -> dict[str, float]:
    """The figures of one target, in a build cache of its own."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PY2OMP_CACHE_DIR": cache, "PY2OMP_TARGET": target, "PYTHONPATH": str(ROOT)}
        os.environ.update(env)
        fresh_process(env)  # builds the library
        module, args = load_kernels(), arguments()
        generic = _generic_saxpy()
        calls = {
            **raw_calls(module, args),
            "saxpy @kernel": functools.partial(module.tiny_saxpy, *args),
            "saxpy generic @kernel": functools.partial(generic, *args),
            "empty @kernel": functools.partial(module.empty_region, 1),
        }
        if target != "cpu":
            calls.update(device_calls(module))
        for call in calls.values():
            call()
        per_call = microseconds_per_call(calls, 1000 if target == "host-offload" else 5000)
        first = [fresh_process(env) for _ in range(PROCESSES)]
        figures = {f"{name} us": value for name, value in per_call.items()}
        figures["saxpy @kernel overhead us"] = per_call["saxpy @kernel"] - per_call["saxpy raw ctypes"]
        figures["saxpy generic overhead us"] = per_call["saxpy generic @kernel"] - per_call["saxpy raw ctypes"]
        figures["empty @kernel overhead us"] = per_call["empty @kernel"] - per_call["empty raw ctypes"]
        for name in ("tiny_gemv", "tiny_atax") if target != "cpu" else ():
            figures[f"{name} on DeviceArrays: Python's share us"] = (
                per_call[f"{name} device @kernel"] - per_call[f"{name} device raw ctypes"])
        figures["first call in a new process ms (median)"] = statistics.median(s for s, _ in first) * 1e3
        figures["new process imported libcst (1 = yes)"] = float(any(imported for _, imported in first))
        return figures


def _generic_saxpy() -> Any:
    """`tiny_saxpy` without annotations, from bench/kernels/call_types.py (the same body)."""
    spec = importlib.util.spec_from_file_location("call_types_kernels", ROOT / "bench" / "kernels" / "call_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.saxpy_from_call


def main(targets: list[str]) -> None:
    results = {target: measure(target) for target in targets}
    rows = list(next(iter(results.values())))
    print("| figure | " + " | ".join(targets) + " |")
    print("| --- | " + " | ".join("---:" for _ in targets) + " |")
    for row in rows:
        print(f"| {row} | " + " | ".join(f"{results[t][row]:.2f}" for t in targets) + " |")


# The GPU mode (`gpu BUILD_DIR OUT.json`): a prebuilt nvptx library, wall time, CuPy beside.

GPU_CALLS, GPU_RUNS = 2000, 7
STATUS_KINDS = ("host", "device")
BREAKDOWN = ("walk", "allocate", "wait for its stream", "take word", "C call", "read word", "free")
"""The steps of one device call (`DevicePath.call`), in its order."""


def build(out: Path, target: str) -> None:
    """bench/kernels/overhead.py into `out/overhead` (needs the translator and clang: build_gpu.py
    part `overhead`)."""
    from translator import pipeline
    from translator.frontend import module_name
    from translator.targets import parse_target
    from translator.toolchain.cache import build_cached, export_build
    chosen, path = parse_target(target), str(KERNELS.relative_to(ROOT))
    emitted = pipeline.translate(path, chosen)
    built = build_cached(module_name(path), emitted.c_source, emitted.h_source, emitted.manifest, chosen)
    export_build(built, out / "overhead")


def device_inputs(rng: np.random.Generator) -> dict[str, tuple[Any, ...]]:
    """Host arguments of the device kernels: 16 float32 elements (16 x 16 for the matrix)."""
    A, x, y = rng.standard_normal((16, 16)), rng.standard_normal(16), rng.standard_normal(16)
    A, x, y = (a.astype(np.float32) for a in (A, x, y))
    return {"tiny_saxpy": (2.0, x, y), "tiny_gemv": (A, x, np.zeros(16, np.float32)), "tiny_atax": (A, x),
            "tiny_gather": (x, rng.integers(0, 16, 16))}


def placed(args: tuple[Any, ...], place: Callable[[np.ndarray], Any]) -> tuple[Any, ...]:
    return tuple(place(a) if isinstance(a, np.ndarray) else a for a in args)


Timed = tuple[str, Callable[[], Any]]
"""A call to time, with the status word kind to switch to before its runs."""


def gpu_calls(library: Any, cupy: Any | None) -> dict[str, Timed]:
    """The raw device entry points, py2omp's calls on `DeviceArray`s and (with `cupy`) CuPy arrays
    with each kind of status word, and CuPy's elementwise saxpy."""
    from runtime_shim import to_device

    inputs = device_inputs(np.random.default_rng(5))
    families = {"DeviceArray": to_device, **({"CuPy": cupy.asarray} if cupy is not None else {})}
    calls: dict[str, Timed] = {"empty_region raw ctypes": ("host", raw_device_call(library, "empty_region", (1,))),
                               "empty_region py2omp": ("host", functools.partial(library.kernels["empty_region"], 1))}
    for name, host in inputs.items():
        calls[f"{name} raw ctypes"] = ("host", raw_device_call(library, name, placed(host, to_device)))
        for family, place in families.items():
            args = placed(host, place)
            KEPT.append(args)
            for kind in STATUS_KINDS:
                calls[f"{name} py2omp {family} {kind} word"] = (kind, functools.partial(library.kernels[name], *args))
    raw, args = calls["tiny_saxpy raw ctypes"][1], placed(inputs["tiny_saxpy"], to_device)
    KEPT.append(args)
    walk = functools.partial(library.kernels["tiny_saxpy"].device_fast.arguments, args)
    calls["tiny_saxpy walk alone"] = ("host", walk)  # Python's steps without the C call, then both:
    calls["tiny_saxpy walk then raw ctypes"] = ("host", lambda: (walk(), raw()))  # does the C call slow down?
    if cupy is not None:
        saxpy = cupy.ElementwiseKernel("float32 a, float32 x, float32 y", "float32 z", "z = a * x + y", "bench_saxpy")
        x, y = (cupy.asarray(a) for a in inputs["tiny_saxpy"][1:])
        calls["CuPy ElementwiseKernel saxpy"] = ("host", functools.partial(saxpy, np.float32(2.0), x, y, cupy.empty_like(y)))
    return calls


def wall_microseconds(calls: dict[str, Timed], synchronize: Callable[[], Any], count: int = GPU_CALLS,
                      runs: int = GPU_RUNS) -> dict[str, float]:
    """Per call, the median of `runs` interleaved runs of `count` calls in wall time, the device
    synchronised before and after each run, the status word kind switched before it."""
    from runtime_shim.device import STATUS_WORDS

    samples: dict[str, list[float]] = {name: [] for name in calls}
    for name, (kind, call) in calls.items():  # a warm-up: libraries loaded, pools filled
        STATUS_WORDS.use(kind)
        call()
    for _ in range(runs):
        for name, (kind, call) in calls.items():
            STATUS_WORDS.use(kind)
            synchronize()
            start = time.perf_counter()
            for _ in range(count):
                call()
            synchronize()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) / count * 1e6 for name, times in samples.items()}


def call_parts(compiled: Any, args: tuple[Any, ...], kind: str, count: int = GPU_CALLS) -> dict[str, float]:
    """Microseconds of each step of one device call (`BREAKDOWN`), medians of `count` calls: a copy
    of `DevicePath.call` (no failure, no exception) with a clock read around each step."""
    from runtime_shim.device import STATUS_WORDS, DeviceArray, device_view, free_all, made_ready, result_allocator

    path, function = compiled.device_fast, compiled.device_function
    STATUS_WORDS.use(kind)
    samples: dict[str, list[float]] = {part: [] for part in BREAKDOWN}
    for _ in range(count):
        clock = [time.perf_counter()]
        c_args, shapes = path.arguments(args)
        clock.append(time.perf_counter())
        allocate = result_allocator(args[path.first]) if path.allocates else DeviceArray
        made: list[Any] = [None] * len(path.made)
        for i, (spec, shape) in enumerate(zip(path.made, shapes)):
            if not spec.status:
                made[i] = allocate(shape, spec.dtype)
                view = made[i] if type(made[i]) is DeviceArray else device_view(made[i])
                c_args[spec.position] = view.ptr
        clock.append(time.perf_counter())
        made_ready(allocate)
        clock.append(time.perf_counter())
        at = next(i for i, spec in enumerate(path.made) if spec.status)
        made[at], word = np.zeros(shapes[at], path.made[at].dtype), STATUS_WORDS.take()
        c_args[path.made[at].position] = word.ptr
        clock.append(time.perf_counter())
        function(*c_args)
        clock.append(time.perf_counter())
        STATUS_WORDS.give_back(word, made[at])
        clock.append(time.perf_counter())
        free_all(m for m, spec in zip(made, path.made) if not spec.kept)
        clock.append(time.perf_counter())
        for part, start, stop in zip(BREAKDOWN, clock, clock[1:]):
            samples[part].append(stop - start)
    return {part: statistics.median(times) * 1e6 for part, times in samples.items()}


def check_status_words(library: Any) -> dict[str, str]:
    """With each kind of word: a gather with indices out of range raises its IndexError, and with
    two checks failing on thousands of lanes, the first check's (`atomic compare` max of the codes);
    a good gather after them answers as NumPy does (the word zeroed again). "ok", or what went wrong."""
    from runtime_shim import to_device
    from runtime_shim.device import STATUS_WORDS

    rng, verdicts = np.random.default_rng(6), {}
    n = 4096
    for kind in STATUS_KINDS:
        STATUS_WORDS.use(kind)
        x, w = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
        idx, jdx = rng.integers(0, n, n), rng.integers(0, n, n)
        bad, jbad = idx.copy(), jdx.copy()
        bad[[5, n // 2]] = n + 3  # Python stops at element 5, in `x[idx[i]]`
        jbad[6:] = n + rng.integers(0, 9, n - 6)
        failures = [_message(library.kernels["tiny_gather"], to_device(x), to_device(bad)),
                    _message(library.kernels["gather_pairs"], to_device(x), to_device(bad), to_device(w), to_device(jbad))]
        good = library.kernels["gather_pairs"](to_device(x), to_device(idx), to_device(w), to_device(jdx)).to_numpy()
        wrong = [m for m in failures if not m.startswith("IndexError") or "for 'x'" not in m]
        verdicts[kind] = ("ok" if not wrong and np.array_equal(good, x[idx] * w[jdx])
                          else f"failures {failures}, good call right: {np.array_equal(good, x[idx] * w[jdx])}")
    return verdicts


def _message(kernel: Any, *args: Any) -> str:
    """The exception a call raises, as `Type: message` ("none" if it returns)."""
    try:
        kernel(*args)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "none"


def gpu_figures(library: Any, cupy: Any | None, synchronize: Callable[[], Any], count: int = GPU_CALLS,
                runs: int = GPU_RUNS) -> dict[str, Any]:
    """The checks, the per-call times with Python's share (py2omp minus raw ctypes), and the parts."""
    from runtime_shim import to_device

    figures: dict[str, Any] = {"status word checks": check_status_words(library)}
    per_call = wall_microseconds(gpu_calls(library, cupy), synchronize, count, runs)
    figures["us per call"] = per_call
    figures["Python's share us"] = {
        name: value - per_call[name.split(" py2omp")[0] + " raw ctypes"] for name, value in per_call.items() if " py2omp" in name}
    gather = placed(device_inputs(np.random.default_rng(7))["tiny_gather"], to_device)
    figures["tiny_gather parts us"] = {f"{kind} word, DeviceArray": call_parts(library.kernels["tiny_gather"], gather,
                                                                               kind, count)
                                      for kind in STATUS_KINDS}
    if cupy is not None:  # the arrays it makes from CuPy's pool, after a wait for CuPy's stream
        on_cupy = placed(device_inputs(np.random.default_rng(7))["tiny_gather"], cupy.asarray)
        figures["tiny_gather parts us"]["host word, CuPy"] = call_parts(library.kernels["tiny_gather"], on_cupy,
                                                                        "host", count)
    return figures


def markdown(figures: dict[str, Any]) -> str:
    lines = [f"status word checks: {figures['status word checks']}", "", "| call | us per call | Python's share us |",
             "| --- | ---: | ---: |"]
    share = figures["Python's share us"]
    lines += [f"| {name} | {value:.2f} | {share[name]:.2f} |" if name in share else f"| {name} | {value:.2f} | |"
              for name, value in figures["us per call"].items()]
    parts = figures["tiny_gather parts us"]
    lines += ["", "| tiny_gather, step (us) | " + " | ".join(parts) + " |",
              "| --- | " + " | ".join("---:" for _ in parts) + " |"]
    lines += [f"| {part} | " + " | ".join(f"{parts[kind][part]:.2f}" for kind in parts) + " |" for part in BREAKDOWN]
    lines.append("| sum | " + " | ".join(f"{sum(parts[kind].values()):.2f}" for kind in parts) + " |")
    return "\n".join(lines)


def gpu_main(build_dir: Path, out: Path) -> None:
    try:
        import cupy
    except ImportError:
        sys.exit("call_overhead.py gpu needs CuPy (on the GPU machine: source .gpu/enter.sh first)")
    import json

    import runtime_shim

    library = runtime_shim.load(build_dir / "overhead")
    figures = gpu_figures(library, cupy, lambda: cupy.cuda.Device().synchronize())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(markdown(figures))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--first-call"]:
        seconds = first_call_seconds()
        print(seconds, "libcst" in sys.modules)
    elif sys.argv[1:2] == ["gpu"]:
        if len(sys.argv) != 4:
            sys.exit("usage: python3 bench/call_overhead.py gpu BUILD_DIR OUT.json (BUILD_DIR/overhead: build_gpu.py part overhead)")
        gpu_main(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main(sys.argv[1:] or ["cpu", "host-offload"])
