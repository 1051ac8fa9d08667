"""Launch and build variants of two memory-bound kernels against CuPy, on the GPU (issue 12 item 4).

    python bench/bandwidth_variants.py build .bwbuild [TARGET] [--only v1,v2]   # here, where clang-19 is
    python bench/bandwidth_variants.py ptx [--only v1,v2]   # here: each variant's PTX counts (sm_90)
    source .gpu/enter.sh; python3 bench/bandwidth_variants.py run .bwbuild OUT.json   # there: numpy, cupy

Why: py2omp's triad ran at 3495 GB/s against 4265 for CuPy's ElementwiseKernel on an H200 (0.82;
2^27 doubles on the device). `build` translates `bench/kernels/bandwidth.py` (STREAM's triad and one
jacobi_2d step in NPBench's slice form) with the translator of this checkout, takes each kernel's
device entry point (`<name>__device`, `is_device_ptr`) as emitted with the OpenMP loop (`PY2OMP_BARE=0`),
and compiles it in the variants of `VARIANTS`: launch clauses (`thread_limit` 128 to 1024, `num_teams` from the trip count or fixed,
`num_threads`), `simd`, a 32-bit loop index, `omp unroll`, the `-fopenmp-assume-*` and
`-fopenmp-cuda-mode` flags, `-O2`, without `-fwrapv`, with contraction, and one hand-written
`ompx_bare` kernel (CUDA's shape: one element per thread, no OpenMP loop) as the bound of what C can
reach, and the entry points as py2omp emits them by default (`emitted`: the bare form on nvptx,
`passes/bare.py`, which the hand-written kernel led to), and
the bare form's own variants (`bandwidth_bare.BareShape`: 32-bit index, block sizes, elements per
thread, 16-byte loads, a block per row, non-coherent loads, no grid-stride loop; the hypotheses about
the 5-10% the bare form leaves to CuPy). `ptx` counts each variant's PTX instructions by class (index
arithmetic beside loads and stores). One `<variant>.so` per variant and nothing else: each carries its own description
(`py2omp_variant`, a JSON string: flags, what changed, its functions' argument kinds).

`run` loads every `.so` of the folder in one process with CuPy, places the arrays once (CuPy
arrays, random data), and times each variant and CuPy's ElementwiseKernel (the triad; for the stencil
an ElementwiseKernel over the interior) in `--repeats` rounds (default 7, the first one a warm-up) of
`--calls` back-to-back calls (default 20) synchronised at the end, alternating the order per round;
reports median, min and max per call, GB/s over the median (triad: 3 arrays of 8 bytes an element;
stencil: one read of A and one write of B over the interior), the ratio to CuPy, each variant's
per-call floor at a tiny size (its launch and ctypes cost) and GB/s over the median less that floor.
Every result is checked against NumPy once (the output prefilled so that an element not written shows).
Without CuPy (a CPU try of a host-offload build) it runs on the offload runtime's own memory, peerless.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from runtime_shim import host_wait
from bandwidth_bare import HELPERS, PTX_CLASSES, BareShape, bare_kernels, device_assembly, ptx_counts

ROOT = Path(__file__).resolve().parent.parent
KERNELS = "bench/kernels/bandwidth.py"
NAMES = ("triad", "jacobi_step")
ASSUME = ("-fopenmp-assume-no-thread-state", "-fopenmp-assume-no-nested-parallelism",
          "-fopenmp-assume-teams-oversubscription", "-fopenmp-assume-threads-oversubscription")


def teams(threads: int, extra: str = "") -> str:
    """Launch clauses with the teams computed from the trip count, as py2omp emits them."""
    return f"num_teams(py2omp_num_teams({{trip}}, {threads})) thread_limit({threads}){extra}"


@dataclass(frozen=True)
class Variant:
    """One build: the emitted device function changed as said, compiled with py2omp's flags changed."""

    name: str
    about: str
    clauses: str | None = None
    """Replace `num_teams`/`thread_limit` with these (`{trip}`: the loop nest's trip count); None: keep."""
    simd: bool = False
    index32: bool = False
    """Loop indices and extents `int32_t` (the signature too: `run` passes 32-bit extents)."""
    unroll: int = 0
    """`#pragma omp unroll partial(k)` on the innermost loop."""
    bare: bool = False
    """The hand-written `ompx_bare` kernels of `BARE` instead of the emitted loops."""
    emitted: bool = False
    """The functions as py2omp emits them by default (the bare form on nvptx) instead of the OpenMP loop."""
    shape: BareShape | None = None
    """Hand-written bare kernels in this shape (`bandwidth_bare`) instead of the emitted functions."""
    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


VARIANTS = (
    Variant("current", "the OpenMP loop (PY2OMP_BARE=0; as py2omp emitted it before the bare form): "
            "num_teams(ceil(trip / 256)) thread_limit(256)"),
    Variant("emitted", "as py2omp emits it by default: on nvptx the bare form (passes/bare.py)", emitted=True),
    Variant("no_clauses", "no num_teams or thread_limit: the runtime's defaults", clauses=""),
    Variant("threads128", "teams from the trip count, 128 threads", clauses=teams(128)),
    Variant("threads512", "teams from the trip count, 512 threads", clauses=teams(512)),
    Variant("threads1024", "teams from the trip count, 1024 threads", clauses=teams(1024)),
    Variant("thread_limit256", "thread_limit(256) alone (2250 GB/s on the H100, 2026-11-22)", clauses="thread_limit(256)"),
    Variant("num_threads256", "teams from the trip count, num_threads(256) instead of thread_limit",
            clauses="num_teams(py2omp_num_teams({trip}, 256)) num_threads(256)"),
    Variant("teams65536", "num_teams(65536) thread_limit(256) (2532 GB/s on the H100, 2026-11-22)",
            clauses="num_teams(65536) thread_limit(256)"),
    Variant("teams1056", "8 teams of 256 per SM of 132: each thread strides over the array",
            clauses="num_teams(1056) thread_limit(256)"),
    Variant("dist_schedule", "current counts, dist_schedule(static, 256) schedule(static, 1) spelled out",
            clauses=teams(256, " dist_schedule(static, 256) schedule(static, 1)")),
    Variant("simd", "parallel for simd", simd=True),
    Variant("index32", "32-bit loop indices and extents", index32=True),
    Variant("unroll4", "#pragma omp unroll partial(4) on the innermost loop", unroll=4),
    Variant("assume_no_thread_state", "-fopenmp-assume-no-thread-state", add=ASSUME[:1]),
    Variant("assume_no_nested", "-fopenmp-assume-no-nested-parallelism", add=ASSUME[1:2]),
    Variant("assume_oversubscription", "-fopenmp-assume-teams/threads-oversubscription", add=ASSUME[2:]),
    Variant("assume_all", "the four -fopenmp-assume-* flags", add=ASSUME),
    Variant("cuda_mode", "-fopenmp-cuda-mode", add=("-fopenmp-cuda-mode",)),
    Variant("O2", "-O2 instead of -O3", add=("-O2",), drop=("-O3",)),
    Variant("no_fwrapv", "without -fwrapv (signed overflow undefined: index arithmetic may be simplified)",
            drop=("-fwrapv",)),
    Variant("fp_contract_fast", "-ffp-contract=fast (FMA, as nvcc does by default; not NumPy's rounding)",
            add=("-ffp-contract=fast",), drop=("-ffp-contract=off",)),
    Variant("index32_assume_all", "32-bit indices and the four -fopenmp-assume-* flags", index32=True, add=ASSUME),
    Variant("ompx_bare", "hand-written ompx_bare kernel: one element per thread, 256 threads, no OpenMP loop", bare=True),
    Variant("bare_k64", "the emitted bare form written again by bandwidth_bare (its rewriting alone)", shape=BareShape()),
    Variant("bare_i32", "the emitted bare form, flat number and / % in uint32_t where the trip count fits",
            shape=BareShape(index=32)),
    Variant("bare_t128", "the emitted bare form, blocks of 128 (CuPy's ElementwiseKernel's)", shape=BareShape(threads=128)),
    Variant("bare_t512", "the emitted bare form, blocks of 512", shape=BareShape(threads=512)),
    Variant("bare_t1024", "the emitted bare form, blocks of 1024", shape=BareShape(threads=1024)),
    Variant("bare_ilp2", "two elements a thread, k + r * blockDim in the block's tile, loads before stores",
            shape=BareShape(per_thread=2)),
    Variant("bare_ilp4", "four elements a thread, k + r * blockDim in the block's tile, loads before stores",
            shape=BareShape(per_thread=4)),
    Variant("bare_vec2", "two consecutive doubles a thread through 16-byte loads and stores (aligned, even rows)",
            shape=BareShape(vector=True)),
    Variant("bare_2d", "jacobi: a block per 256 columns of a row, one uint32_t division of the block number a "
            "thread (clang 19 takes no num_teams(x, y) with ompx_bare); the triad as emitted", shape=BareShape(rows=True)),
    Variant("bare_ldg", "the arrays only read through __nvvm_ldg_d (ld.global.nc)", shape=BareShape(ldg=True)),
    Variant("bare_i32_ilp2", "bare_i32 and bare_ilp2 together", shape=BareShape(index=32, per_thread=2)),
    Variant("bare_once", "the emitted bare form without its grid-stride loop on the GPU (one guarded element a thread)",
            shape=BareShape(once=True)),
    Variant("bare_i32_once", "bare_i32 and bare_once together", shape=BareShape(index=32, once=True)),
    Variant("bare_cupy", "CuPy's ElementwiseKernel's shape: 32-bit index, one element a thread, blocks of 128",
            shape=BareShape(threads=128, index=32, once=True)),
)

BARE = {
    "triad": """void triad__device(double *restrict a, int64_t a_n0, const double *restrict b, int64_t b_n0, const double *restrict c, int64_t c_n0, double s)
{
    int32_t teams = (int32_t)py2omp_num_teams(a_n0, 256);
    #pragma omp target teams ompx_bare num_teams(teams) thread_limit(256) is_device_ptr(a, b, c)
    {
        int64_t i = (int64_t)ompx_block_id_x() * ompx_block_dim_x() + ompx_thread_id_x();
        if (i < a_n0)
            a[i] = b[i] + s * c[i];
    }
}
""",
    "jacobi_step": """void jacobi_step__device(const double *restrict A, int64_t A_n0, int64_t A_n1, double *restrict B, int64_t B_n0, int64_t B_n1)
{
    int64_t cols = B_n1 - 2, trip = (B_n0 - 2) * cols;
    int32_t teams = (int32_t)py2omp_num_teams(trip, 256);
    #pragma omp target teams ompx_bare num_teams(teams) thread_limit(256) is_device_ptr(A, B)
    {
        int64_t k = (int64_t)ompx_block_id_x() * ompx_block_dim_x() + ompx_thread_id_x();
        if (k < trip) {
            int64_t i = 1 + k / cols, j = 1 + k % cols;
            B[i * B_n1 + j] = 0.2 * (A[(i - 1) * A_n1 + j] + A[i * A_n1 + (j - 1)] + A[i * A_n1 + j] + A[i * A_n1 + (j + 1)] + A[(i + 1) * A_n1 + j]);
        }
    }
}
""",
}

_LINE = re.compile(r"^#line .*\n", re.MULTILINE)
_LAUNCH = re.compile(r" \\\n\s+num_teams\(py2omp_num_teams\((?P<trip>.+), 256\)\)| \\\n\s+thread_limit\(\d+\)")
_DIRECTIVE = "#pragma omp target teams distribute parallel for"
_SIGNATURE = re.compile(r"^void (\w+)__device\((.*)\)$", re.MULTILINE)


def device_function(c_source: str, name: str) -> str:
    """The emitted `<name>__device` function, without its `#line` directives."""
    start = c_source.index(f"void {name}__device(")
    start = c_source.rindex("\n", 0, start) + 1
    return _LINE.sub("", c_source[start:c_source.index("\n}\n", start) + 3])


def variant_function(function: str, name: str, variant: Variant) -> str:
    """`function` (an emitted `__device` function) changed as `variant` says."""
    if variant.bare:
        return BARE[name]
    if variant.shape is not None:
        return bare_kernels(variant.shape)[name]
    if variant.emitted:
        return function
    if variant.clauses is not None:
        found = _LAUNCH.search(function)
        if found is None or not found.group("trip"):
            raise ValueError(f"{name}: the emitted launch clauses changed (no num_teams(py2omp_num_teams(..., 256)))")
        clauses = variant.clauses.format(trip=found.group("trip"))
        function = _LAUNCH.sub("", function).replace(_DIRECTIVE, _DIRECTIVE + (f" \\\n        {clauses}" if clauses else ""))
    if variant.simd:
        function = function.replace(_DIRECTIVE, _DIRECTIVE + " simd")
    if variant.index32:
        function = function.replace("int64_t", "int32_t")
    if variant.unroll:
        at = function.rindex("for (")
        line = function.rindex("\n", 0, at) + 1
        function = function[:line] + " " * (at - line) + f"#pragma omp unroll partial({variant.unroll})\n" + function[line:]
    return function


def argument_kinds(function: str) -> list[str]:
    """The kinds `run` passes for the function's parameters: ptr, i64, i32 or f64."""
    found = _SIGNATURE.search(function)
    if found is None:
        raise ValueError(f"no `void <name>__device(...)` signature in {function[:200]!r}")
    kinds = {"int64_t": "i64", "int32_t": "i32", "double": "f64"}
    return ["ptr" if "*" in p else kinds[p.split()[0]] for p in found.group(2).split(", ")]


def prelude(c_source: str, helpers: str = "") -> str:
    """The emitted C up to the end of its device helpers (headers, `py2omp_num_teams`, ...), with
    `helpers` (C) added to the `declare target` block."""
    end = c_source.index("#pragma omp end declare target")
    return c_source[:end] + helpers + "#pragma omp end declare target\n"


def variant_source(c_source: str, variant: Variant, flags: list[str]) -> str:
    """The C of one variant: the emitted helpers (`py2omp_num_teams`), its two functions, its description."""
    functions = {name: variant_function(device_function(c_source, name), name, variant) for name in NAMES}
    info = {**asdict(variant), "flags": flags, "kernels": {n: argument_kinds(f) for n, f in functions.items()}}
    include = "#include <ompx.h>\n" if variant.bare else "#include <omp.h>\n" if variant.shape is not None else ""
    helpers = HELPERS if variant.shape is not None else ""
    return (include + prelude(c_source, helpers) + "\n" + "\n".join(functions.values())
            + f"\nconst char py2omp_variant[] = {json.dumps(json.dumps(info))};\n")


def build(out: Path, target_name: str = "nvptx:sm_90", only: set[str] | None = None) -> list[Path]:
    """Every variant (or those named in `only`) into `out/<variant>.so`; needs the translator and clang."""
    sys.path.insert(0, str(ROOT))
    from translator.targets import parse_target
    from translator.toolchain.discover import find_toolchain
    target, toolchain = parse_target(target_name), find_toolchain()
    if toolchain is None:
        raise SystemExit("bandwidth_variants build: no clang-19 here (docs: ../shared/TOOLCHAIN.md)")
    sources = {bare: translated(target, bare) for bare in (False, True)}
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for variant in VARIANTS:
        if only is not None and variant.name not in only:
            continue
        flags = [f for f in toolchain.flags(target) if f not in variant.drop] + list(variant.add)
        library = out / f"{variant.name}.so"
        compile_variant(toolchain.clang, variant_source(sources[form_of(variant)], variant, flags), library, flags)
        built.append(library)
    return built


def form_of(variant: Variant) -> bool:
    """The translation `variant` starts from: the OpenMP loop it edits (False), or the bare form (True;
    its prelude: `py2omp_max_i64`, `py2omp_num_teams`) as emitted or rewritten (`shape`)."""
    return variant.emitted or variant.shape is not None


def translated(target: Any, bare: bool) -> str:
    """The C of `KERNELS` for `target`, its elementwise nests in the bare form where the target has
    it (`bare`) or all with the OpenMP loop (`PY2OMP_BARE=0`, which the other variants edit)."""
    from translator import pipeline
    with environment(PY2OMP_BARE="1" if bare else "0"):
        return pipeline.translate(str(ROOT / KERNELS), target).c_source


@contextlib.contextmanager
def environment(**settings: str) -> Iterator[None]:
    """Translations inside see `settings` in the environment; it is put back after."""
    previous = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def compile_variant(clang: str, source: str, library: Path, flags: list[str]) -> None:
    """`source` compiled into `library`; its C file is removed after (the folder carries .so files only)."""
    path = library.with_suffix(".c")
    path.write_text(source)
    try:
        subprocess.run([clang, str(path), "-o", str(library), *flags], check=True)
    finally:
        path.unlink()


def ptx_table(only: set[str] | None) -> list[str]:
    """A markdown table of each variant's PTX counts per kernel (`bandwidth_bare.ptx_counts`), sm_90."""
    sys.path.insert(0, str(ROOT))
    from translator.targets import parse_target
    from translator.toolchain.discover import find_toolchain
    target, toolchain = parse_target("nvptx:sm_90"), find_toolchain()
    if toolchain is None:
        raise SystemExit("bandwidth_variants ptx: no clang-19 here")
    sources, flags = {bare: translated(target, bare) for bare in (False, True)}, toolchain.flags(target)
    lines = ["| variant | kernel | " + " | ".join(PTX_CLASSES) + " |", "| --- " * (len(PTX_CLASSES) + 2) + "|"]
    for variant in VARIANTS:
        if only is None or variant.name in only:
            ptx = device_assembly(toolchain.clang, variant_source(sources[form_of(variant)], variant, flags), flags)
            lines += [f"| {variant.name} | {kernel} | " + " | ".join(str(n) for n in counts.values()) + " |"
                      for kernel, counts in ptx_counts(ptx).items()]
    return lines


CTYPES = {"ptr": ctypes.c_void_p, "i64": ctypes.c_int64, "i32": ctypes.c_int32, "f64": ctypes.c_double}


class Loaded:
    """One variant's library: its description and its two functions with their argument types. It is
    loaded as py2omp's runtime loads a CUDA library, after `host_wait.prepare()` (how the host waits
    for the GPU: otherwise the offload runtime picks blocking waits, bench/context_flags.py)."""

    def __init__(self, path: Path) -> None:
        host_wait.prepare()
        self.cdll = ctypes.CDLL(str(path))
        self.info: dict[str, Any] = json.loads(ctypes.string_at(ctypes.addressof(ctypes.c_char.in_dll(self.cdll, "py2omp_variant"))))
        self.functions = {}
        for name, kinds in self.info["kernels"].items():
            function = self.cdll[f"{name}__device"]
            function.argtypes, function.restype = [CTYPES[k] for k in kinds], None  # type: ignore[misc]
            self.functions[name] = function

    def fits(self, *extents: int) -> bool:
        """Whether the extents fit its index type (a 32-bit variant skips larger arrays)."""
        return not self.info["index32"] or int(np.prod(extents, dtype=np.int64)) < 2**31


class CupyMemory:
    """Device arrays as CuPy arrays; the peer is CuPy's ElementwiseKernel."""

    def __init__(self, cupy: Any) -> None:
        self.cupy = cupy
        self.triad_kernel = cupy.ElementwiseKernel("float64 b, float64 c, float64 s", "float64 a", "a = b + s * c",
                                                    "bw_triad")
        self.stencil_kernel = cupy.ElementwiseKernel(
            "raw float64 A, int64 n0, int64 n1", "float64 B",
            "long long r = i / n1, k = i % n1;"
            "if (r > 0 && r < n0 - 1 && k > 0 && k < n1 - 1)"
            "  B = 0.2 * (A[i - n1] + A[i - 1] + A[i] + A[i + 1] + A[i + n1]);", "bw_jacobi")

    def put(self, host: np.ndarray) -> Any:
        """A device copy, complete on return: a pageable copy may still be in flight when `asarray`
        returns, and the offload runtime's stream would not wait for CuPy's."""
        array = self.cupy.asarray(host)
        self.sync()
        return array

    def ptr(self, array: Any) -> int:
        return int(array.data.ptr)

    def get(self, array: Any) -> np.ndarray:
        return np.asarray(self.cupy.asnumpy(array))

    def sync(self) -> None:
        self.cupy.cuda.Device().synchronize()

    def peers(self, kernel: str, arrays: list[Any], s: float) -> dict[str, Callable[[], object]]:
        if kernel == "triad":
            a, b, c = arrays
            return {"cupy_elementwise": lambda: self.triad_kernel(b, c, s, a)}
        A, B = arrays
        return {"cupy_elementwise": lambda: self.stencil_kernel(A, A.shape[0], A.shape[1], B)}


class OmpArray:
    """Device memory from the offload runtime (`omp_target_alloc`), freed with the object."""

    def __init__(self, memory: OmpMemory, host: np.ndarray) -> None:
        self.memory, self.shape, self.dtype = memory, host.shape, host.dtype
        self.ptr = memory.alloc(max(host.nbytes, 1), memory.device)
        memory.copy(self.ptr, host.ctypes.data, host.nbytes, True)

    def __del__(self) -> None:
        self.memory.free(self.ptr, self.memory.device)


class OmpMemory:
    """Without CuPy (a host-offload CPU try): the offload runtime's memory, reached through a variant's library."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.alloc, self.free, self.memcpy = cdll["omp_target_alloc"], cdll["omp_target_free"], cdll["omp_target_memcpy"]
        self.alloc.argtypes, self.alloc.restype = (ctypes.c_size_t, ctypes.c_int), ctypes.c_void_p
        self.free.argtypes, self.free.restype = (ctypes.c_void_p, ctypes.c_int), None
        self.memcpy.argtypes = (ctypes.c_void_p, ctypes.c_void_p, *(ctypes.c_size_t,) * 3, ctypes.c_int, ctypes.c_int)
        self.device, self.host = int(cdll["omp_get_default_device"]()), int(cdll["omp_get_initial_device"]())

    def copy(self, dst: int, src: int, nbytes: int, to_device: bool) -> None:
        devices = (self.device, self.host) if to_device else (self.host, self.device)
        if self.memcpy(dst, src, nbytes, 0, 0, *devices) != 0:
            raise RuntimeError(f"omp_target_memcpy of {nbytes} bytes failed")

    def put(self, host: np.ndarray) -> OmpArray:
        return OmpArray(self, np.ascontiguousarray(host))

    def ptr(self, array: OmpArray) -> int:
        return int(array.ptr)

    def get(self, array: OmpArray) -> np.ndarray:
        host = np.empty(array.shape, array.dtype)
        self.copy(host.ctypes.data, array.ptr, host.nbytes, False)
        return host

    def sync(self) -> None:
        return None

    def peers(self, kernel: str, arrays: list[Any], s: float) -> dict[str, Callable[[], object]]:
        return {}


Memory = CupyMemory | OmpMemory


@dataclass(frozen=True)
class Problem:
    """One kernel at one size: host inputs, the expected output, and the bytes a call must move."""

    kernel: str
    inputs: tuple[np.ndarray, ...]
    expected: np.ndarray
    nbytes: int
    extents: tuple[int, ...]


S = 3.0
"""The triad's scalar."""


def problem(kernel: str, n: int, rng: np.random.Generator) -> Problem:
    """The triad on `n` doubles, or the stencil on an n x n grid (B's border kept: never written)."""
    if kernel == "triad":
        b, c = rng.standard_normal(n), rng.standard_normal(n)
        return Problem(kernel, (np.zeros(n), b, c), b + S * c, 3 * 8 * n, (n,))
    A, B = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    expected = B.copy()
    expected[1:-1, 1:-1] = 0.2 * (A[:-2, 1:-1] + A[1:-1, :-2] + A[1:-1, 1:-1] + A[1:-1, 2:] + A[2:, 1:-1])
    return Problem(kernel, (A, B), expected, 2 * 8 * max(n - 2, 0) ** 2, (n, n))


def calls_of(memory: Memory, loaded: dict[str, Loaded], case: Problem, arrays: list[Any]) -> dict[str, Callable[[], object]]:
    """Each variant's call (and the peers') on the placed arrays; variants whose index type is too narrow are left out."""
    pointers = [memory.ptr(a) for a in arrays]
    if case.kernel == "triad":
        n = case.extents[0]
        args: tuple[object, ...] = (pointers[0], n, pointers[1], n, pointers[2], n, S)
    else:
        args = (pointers[0], *case.extents, pointers[1], *case.extents)
    found: dict[str, Callable[[], object]] = {
        name: functools.partial(lib.functions[case.kernel], *args) for name, lib in loaded.items() if lib.fits(*case.extents)}
    return {**found, **memory.peers(case.kernel, arrays, S)}


def output_index(kernel: str) -> int:
    return 0 if kernel == "triad" else 1


def checked(memory: Memory, loaded: dict[str, Loaded], case: Problem) -> dict[str, bool]:
    """Each one's result after one call, against NumPy's: the output is placed afresh first (the
    triad's zeros, the stencil's B with its border), so that an element not written shows."""
    inputs = [memory.put(a) for a in case.inputs]
    out = output_index(case.kernel)
    verdicts = {}
    for name in calls_of(memory, loaded, case, inputs):
        print(f"checking {case.kernel} {name}", file=sys.stderr, flush=True)  # the last line, if the runtime aborts
        arrays = [memory.put(a) if i == out else x for i, (a, x) in enumerate(zip(case.inputs, inputs))]
        calls_of(memory, loaded, case, arrays)[name]()
        memory.sync()
        got = memory.get(arrays[out])
        verdicts[name] = bool(np.array_equal(got, case.expected) or np.allclose(got, case.expected, rtol=1e-12, atol=1e-12))
    return verdicts


def timed(memory: Memory, loaded: dict[str, Loaded], case: Problem, repeats: int, calls: int) -> dict[str, list[float]]:
    """Seconds per call of each one on the case's arrays, placed once (`sampled`)."""
    arrays = [memory.put(a) for a in case.inputs]  # alive until the end: the calls hold their raw pointers
    return sampled(memory, calls_of(memory, loaded, case, arrays), repeats, calls)


def sampled(memory: Memory, bound: dict[str, Callable[[], object]], repeats: int, calls: int) -> dict[str, list[float]]:
    """Seconds per call of each of `bound`: `repeats` samples of `calls` back-to-back calls, after one
    uncounted round, the order reversed every other round (a drift in the machine's clocks or
    temperature then falls on every one alike)."""
    names = sorted(bound)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats + 1):
        for name in names if round_ % 2 == 0 else names[::-1]:
            call = bound[name]
            memory.sync()
            start = time.perf_counter()
            for _ in range(calls):
                call()
            memory.sync()
            if round_:
                samples[name].append((time.perf_counter() - start) / calls)
    return samples


def rows(memory: Memory, loaded: dict[str, Loaded], kernel: str, n: int, small: int, repeats: int,
         calls: int) -> list[dict[str, Any]]:
    """The report's rows of one kernel: each variant and peer at size `n`, with its floor at `small`."""
    rng = np.random.default_rng(0)
    case, tiny = problem(kernel, n, rng), problem(kernel, small, rng)
    ok = checked(memory, loaded, case)
    samples, floors = timed(memory, loaded, case, repeats, calls), timed(memory, loaded, tiny, repeats, calls)
    found: list[dict[str, Any]] = []
    for name, times in samples.items():
        median, floor = statistics.median(times), statistics.median(floors[name])
        found.append({"kernel": kernel, "variant": name, "n": n, "ms": median * 1e3, "min_ms": min(times) * 1e3,
                      "max_ms": max(times) * 1e3, "GBps": case.nbytes / median / 1e9, "floor_us": floor * 1e6,
                      "GBps_less_floor": case.nbytes / max(median - floor, 1e-12) / 1e9, "ok": ok[name],
                      "about": loaded[name].info["about"] if name in loaded else "CuPy ElementwiseKernel",
                      "flags": loaded[name].info["flags"] if name in loaded else None})
    peer = next((r["GBps"] for r in found if r["variant"] == "cupy_elementwise"), None)
    for row in found:
        row["of_cupy"] = None if peer is None else row["GBps"] / peer
    return sorted(found, key=lambda r: -r["GBps"])


def run(folder: Path, out: Path, options: argparse.Namespace) -> int:
    """Load every variant of `folder`, measure both kernels, print a table, write the JSON to `out`."""
    loaded = {path.stem: Loaded(path) for path in sorted(folder.glob("*.so")) if path.stem not in options.skip}
    if not loaded:
        raise SystemExit(f"bandwidth_variants run: no variant .so in {folder}")
    try:
        import cupy
        machine = {"gpu": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(), "cupy": cupy.__version__}
        memory: Memory = CupyMemory(cupy)
    except Exception:  # no CuPy, or no GPU: a CPU try, peerless
        memory, machine = OmpMemory(next(iter(loaded.values())).cdll), {"gpu": None}
    found = (rows(memory, loaded, "triad", options.n, 1024, options.repeats, options.calls)
             + rows(memory, loaded, "jacobi_step", options.grid, 34, options.repeats, options.calls))
    print("| kernel | variant | n | median ms (min-max) | GB/s | of CuPy | floor us | GB/s less floor | ok |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in found:
        of_cupy = "" if r["of_cupy"] is None else f"{r['of_cupy']:.3f}"
        print(f"| {r['kernel']} | {r['variant']} | {r['n']} | {r['ms']:.3f} ({r['min_ms']:.3f}-{r['max_ms']:.3f}) | "
              f"{r['GBps']:.0f} | {of_cupy} | {r['floor_us']:.1f} | {r['GBps_less_floor']:.0f} | {r['ok']} |")
    report = {"machine": machine, "repeats": options.repeats, "calls": options.calls, "rows": found}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return 0 if all(r["ok"] for r in found) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build the variants (here, with clang-19)")
    make.add_argument("folder", type=Path)
    make.add_argument("target", nargs="?", default="nvptx:sm_90")
    make.add_argument("--only", help="comma-separated variant names (default: all)")
    counts = commands.add_parser("ptx", help="the PTX counts of each variant's kernels (here, with clang-19)")
    counts.add_argument("--only", help="comma-separated variant names (default: all)")
    measure = commands.add_parser("run", help="time the variants against CuPy (on the GPU machine)")
    measure.add_argument("folder", type=Path)
    measure.add_argument("out", type=Path)
    measure.add_argument("--n", type=int, default=1 << 27, help="triad doubles per array (default 2^27)")
    measure.add_argument("--grid", type=int, default=11586, help="stencil grid side (default 11586: 2^27 doubles)")
    measure.add_argument("--repeats", type=int, choices=range(5, 101), default=7, metavar="R",
                         help="timed rounds, median reported (default 7; 5 to 100)")
    measure.add_argument("--calls", type=int, default=20, help="back-to-back calls per sample (default 20)")
    measure.add_argument("--skip", type=lambda text: set(text.split(",")), default=set(),
                         help="comma-separated variants to leave out (one the offload runtime refuses aborts the process)")
    options = parser.parse_args(argv)
    if options.command == "build":
        built = build(options.folder, options.target, set(options.only.split(",")) if options.only else None)
        print(f"built {len(built)} variants into {options.folder}: {sum(p.stat().st_size for p in built) / 1e6:.1f} MB")
        return 0
    if options.command == "ptx":
        print("\n".join(ptx_table(set(options.only.split(",")) if options.only else None)))
        return 0
    return run(options.folder, options.out, options)


if __name__ == "__main__":
    sys.exit(main())
