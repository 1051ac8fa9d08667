"""Variants of a row-wise team kernel (NPBench softmax) against CuPy, on the GPU (issue 12 item 1).

    python bench/row_variants.py build .rowbuild [TARGET] [--only v1,v2]   # here, where clang-19 is
    source .gpu/enter.sh; python3 bench/row_variants.py run .rowbuild OUT.json   # there: numpy, cupy

Why: softmax over (1024, 512, 512) float32 (rows of 512) took 6.8 ms with py2omp and 5.3 ms with
CuPy on an H100, where one pass over 1 GiB in and 1 GiB out takes about 1 ms. py2omp gives each row
a team (`teams distribute collapse(2)`, `thread_limit(256)` then; on nvptx now
`thread_limit(py2omp_team_threads(x_n2))`, 32 to 256 from the row's length, with `launch_bounds(256)`:
docs/design.md "Parallelism mapping") running four `parallel for` loops: the
max (a team reduction of the float and of an int64 class that keeps NumPy's NaN and -inf, docs/design.md
"Team-level reductions"), the exp, the sum (a team reduction) and the division.

`build` translates `tests/kernels/npbench/softmax.py` with the translator of this checkout, takes its
device entry point (`softmax__device`, `is_device_ptr`) and compiles it in the variants of `VARIANTS`:
`emitted_bare` as emitted (on nvptx the bare row form, `passes/bare_rows.py`), the others from the OpenMP
team form (`PY2OMP_BARE=0`),
each a hand edit of the emitted function (or a flag): `thread_limit` 32 to 1024 instead of 256; the max
as one reduction (an OpenMP `declare reduction` whose combiner keeps NaN, or one `int32` max of an
order-preserving key of the float with NaN the largest key) or as OpenMP's float `max` alone (not
NumPy's NaN and -inf: the bound of what the class costs); the exp fused with the sum that reads what it
writes (one pass and one barrier fewer); several rows per team (`num_teams` from rows / k, or fixed);
two `-fopenmp-assume-*` flags; and two hand-written `ompx_bare` kernels as the bound of what C reaches
(a warp per row with shuffles, 8 rows per block of 256; a block of 256 per row, shuffles then
team-shared memory). The bare kernels read the PTX registers where a GPU runs them and, in the host's
fallback or on host-offload, run each team on one thread (one lane): there they check their row
indexing, not their shuffles. One `<variant>.so` per variant, carrying its description
(`py2omp_variant`).

`run` loads every `.so` of the folder in one process with CuPy and, for each shape of `--shapes`
(default rows of 512, 64, 4096, 1024 and 2048, 2^28 floats each: 1 GiB in, 1 GiB out), places random data once,
checks every variant and CuPy's softmax (bench/peer_kernels.py: max, exp, sum, divide) against
NumPy (the output prefilled with NaN, so an element not written shows; the status flag must stay 0),
and against NumPy on a few rows holding NaN, -inf and +inf (`nan_ok`; `max_plain` need not pass
it), then times each in `--repeats` rounds (default 5, after one warm-up round) of
`--calls` back-to-back calls (bandwidth_variants.sampled). Reports the median, min and max per call,
GB/s over the median (4 bytes read and 4 written an element) and the ratio to CuPy, prints a table,
writes JSON. Without CuPy (a CPU try of a host-offload build) it runs on the offload runtime's own
memory, peerless.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

import peer_kernels
from bandwidth_variants import (ASSUME, ROOT, CupyMemory, Loaded, Memory, OmpMemory, argument_kinds, compile_variant,
                                device_function, prelude, sampled)

KERNEL = "tests/kernels/npbench/softmax.py"
NAME = "softmax"
SHAPES = ((1024, 512, 512), (1024, 4096, 64), (1024, 64, 4096), (1024, 256, 1024), (1024, 128, 2048))
"""(N * H, SM, SM) of NPBench's softmax (rows of 512), and rows of 64, 4096, 1024 and 2048 (the last two
around the bare row form's limit between a warp and a block per row): 2^28 floats each."""
MAX_FORMS = ("classes", "declare_reduction", "int_key", "plain")


@dataclass(frozen=True)
class Variant:
    """One build: the emitted `softmax__device` changed as said (defaults: as emitted)."""

    name: str
    about: str
    threads: int | None = None
    """A constant `thread_limit` (None: as emitted, on nvptx from the row's length)."""
    rows_per_team: int = 1
    """`num_teams(py2omp_num_teams(rows, k))`: each team distributes over about k rows."""
    teams: int | None = None
    """A fixed `num_teams` instead (each team strides over rows / teams of them)."""
    max_form: str = "classes"
    """The max's reduction: `classes` (emitted: float and int64 class), `declare_reduction`, `int_key`, `plain`."""
    fused: bool = False
    """The exp's loop also sums what it writes (the sum's own loop gone)."""
    bare: str | None = None
    """`warp`, `warp_held` or `block`: the hand-written `ompx_bare` kernel of `BARE` instead of the emitted
    function; `emitted`: py2omp's own bare row form (the default on nvptx), which the others do not edit."""
    add: tuple[str, ...] = ()
    """clang flags added to py2omp's."""

    def __post_init__(self) -> None:
        if self.max_form not in MAX_FORMS:
            raise ValueError(f"{self.name}: max_form {self.max_form!r} is none of {MAX_FORMS}")

    @property
    def form(self) -> str:
        """The emitted form the variant starts from: `bare` (py2omp's bare row form) or `team` (`PY2OMP_BARE=0`)."""
        return "bare" if self.bare == "emitted" else "team"

    @property
    def numpy_nan(self) -> bool:
        """Whether it keeps NumPy's NaN and -inf (its `nan_ok` counts)."""
        return self.max_form != "plain"


VARIANTS = (
    Variant("emitted", "as py2omp emits it with PY2OMP_BARE=0: a team of py2omp_team_threads(row) per row "
            "(32 to 256 on nvptx), 4 parallel for, max with its int64 class"),
    Variant("emitted_bare", "as py2omp emits it on nvptx: the bare row form, a warp per row up to rows of 1024, "
            "a block of 256 above; the OpenMP form's reductions and NaN class as shuffles", bare="emitted"),
    *(Variant(f"threads{t}", f"thread_limit({t})", threads=t) for t in (32, 64, 128, 256, 512, 1024)),
    Variant("max_declare_reduction", "the max as one float reduction: declare reduction, NaN-propagating "
            "combiner, initializer -INFINITY", max_form="declare_reduction"),
    Variant("max_int_key", "the max as one int32 max reduction of an order-preserving key (NaN the largest)",
            max_form="int_key"),
    Variant("max_plain", "OpenMP's float max alone: not NumPy's NaN/-inf (nan_ok not required), the bound of the class",
            max_form="plain"),
    Variant("fused_exp_sum", "the exp's parallel for also sums what it writes: 3 loops, one pass fewer", fused=True),
    Variant("rows_per_team4", "num_teams(rows / 4): each team distributes over 4 rows", rows_per_team=4),
    Variant("rows_per_team16", "num_teams(rows / 16)", rows_per_team=16),
    Variant("teams1056", "num_teams(1056): 8 teams of 256 per SM of 132, each over rows / 1056", teams=1056),
    Variant("declare_fused", "declare reduction and the exp fused with the sum",
            max_form="declare_reduction", fused=True),
    Variant("declare_fused_threads64", "declare reduction, exp fused with the sum, thread_limit(64)",
            max_form="declare_reduction", fused=True, threads=64),
    Variant("declare_fused_threads128", "declare reduction, exp fused with the sum, thread_limit(128)",
            max_form="declare_reduction", fused=True, threads=128),
    Variant("assume", "-fopenmp-assume-no-thread-state and -no-nested-parallelism: less device runtime work "
            "per parallel region (not the oversubscription ones: a team's threads loop over a row)", add=ASSUME[:2]),
    Variant("declare_fused_assume", "declare reduction, exp fused with the sum, the two -fopenmp-assume-* flags",
            max_form="declare_reduction", fused=True, add=ASSUME[:2]),
    Variant("bare_warp", "hand-written ompx_bare: a warp per row (8 per block of 256), shuffles; max, "
            "sum of exp, then exp / sum: x read 3 times, out written once", bare="warp"),
    Variant("bare_warp_held", "bare_warp with the row in registers where it fits (16 a lane: rows up to 512): "
            "x read once", bare="warp_held"),
    Variant("bare_block", "hand-written ompx_bare: a block of 256 per row, shuffles then shared memory",
            bare="block"),
)

HELPERS = """
/* NumPy's max of two floats: NaN if either is. */
static inline float py2omp_rows_nanmax(float a, float b)
{
    return b > a || isnan(b) ? b : a;
}

/* One reduction for NumPy's max: the combiner keeps a NaN, each thread's copy starts at -inf (where
   clang's built-in `max` starts at -FLT_MAX and may drop a NaN). */
#pragma omp declare reduction(py2omp_nanmax : float : omp_out = py2omp_rows_nanmax(omp_out, omp_in)) \\
    initializer(omp_priv = -INFINITY)

/* An int32 key in the floats' order (-inf lowest, -0 below +0), every NaN the largest: the max of the
   keys is the key of NumPy's max, so one integer max reduction carries NaN and -inf. */
static inline int32_t py2omp_rows_key(float v)
{
    union { float f; int32_t i; } u = {v};
    return isnan(v) ? INT32_MAX : u.i >= 0 ? u.i : u.i ^ INT32_MAX;
}

static inline float py2omp_rows_unkey(int32_t k)
{
    union { int32_t i; float f; } u = {k >= 0 ? k : k ^ INT32_MAX};
    return k == INT32_MAX ? NAN : u.f;
}

static inline int32_t py2omp_rows_imax(int32_t a, int32_t b)
{
    return b > a ? b : a;
}
"""

BARE_HELPERS = """
/* Where a bare kernel's thread is: on the GPU the PTX registers (a bare region has no OpenMP
   runtime state); where no GPU runs it (the host's fallback, host-offload) each team is one thread. */
#ifdef __NVPTX__
#define PY2OMP_ROWS_LANES 32
#define PY2OMP_ROWS_HELD 16
#define PY2OMP_ROWS_THREAD() ((int)__nvvm_read_ptx_sreg_tid_x())
#define PY2OMP_ROWS_THREADS() ((int)__nvvm_read_ptx_sreg_ntid_x())
#define PY2OMP_ROWS_BLOCK() ((int64_t)__nvvm_read_ptx_sreg_ctaid_x())
#define PY2OMP_ROWS_BLOCKS() ((int64_t)__nvvm_read_ptx_sreg_nctaid_x())
/* The block's warps' partial results (team-shared memory: `omp_pteam_mem_alloc`). */
static float py2omp_rows_partials[32];
#pragma omp allocate(py2omp_rows_partials) allocator(omp_pteam_mem_alloc)
#else
#define PY2OMP_ROWS_LANES 1
#define PY2OMP_ROWS_HELD 16
#define PY2OMP_ROWS_THREAD() 0
#define PY2OMP_ROWS_THREADS() 1
#define PY2OMP_ROWS_BLOCK() ((int64_t)omp_get_team_num())
#define PY2OMP_ROWS_BLOCKS() ((int64_t)omp_get_num_teams())
#endif

/* The max (`sum` 0) or the sum (`sum` 1) of `v` over the warp, in every lane. */
static inline float py2omp_rows_warp(float v, int sum)
{
#ifdef __NVPTX__
    for (int d = 16; d > 0; d /= 2) {
        float w = __nvvm_shfl_sync_bfly_f32(0xffffffffu, v, d, 31);
        v = sum ? v + w : py2omp_rows_nanmax(v, w);
    }
#endif
    return v;
}

/* The same over the block: each warp's result through shared memory, combined by every thread. */
static inline float py2omp_rows_block(float v, int sum)
{
    v = py2omp_rows_warp(v, sum);
#ifdef __NVPTX__
    int warps = PY2OMP_ROWS_THREADS() / 32;
    if (warps > 1) {
        if (PY2OMP_ROWS_THREAD() % 32 == 0)
            py2omp_rows_partials[PY2OMP_ROWS_THREAD() / 32] = v;
        __nvvm_barrier_sync(0);
        v = py2omp_rows_partials[0];
        for (int w = 1; w < warps; w++)
            v = sum ? v + py2omp_rows_partials[w] : py2omp_rows_nanmax(v, py2omp_rows_partials[w]);
        __nvvm_barrier_sync(0);
    }
#endif
    return v;
}
"""

_SIGNATURE = ("void softmax__device(const float *restrict x, int64_t x_n0, int64_t x_n1, int64_t x_n2, "
              "float *restrict out, int64_t out_n0, int64_t out_n1, int64_t out_n2, "
              "int32_t *restrict py2omp_failed, int64_t py2omp_failed_n0)")
_ROW = """
            const float *row = x + r * n;
            float *o = out + r * n;
            float top = -INFINITY, sum = 0.0f;{passes}"""
_PASSES = """
for (int64_t k = first; k < n; k += step)
    top = py2omp_rows_nanmax(top, row[k]);
top = py2omp_rows_{scope}(top, 0);
for (int64_t k = first; k < n; k += step)
    sum += expf(row[k] - top);
sum = py2omp_rows_{scope}(sum, 1);
for (int64_t k = first; k < n; k += step)
    o[k] = expf(row[k] - top) / sum;"""
_HELD = """
if (n <= PY2OMP_ROWS_HELD * step) {{
    float held[PY2OMP_ROWS_HELD]; /* registers: the loops over it are unrolled */
    #pragma unroll
    for (int h = 0; h < PY2OMP_ROWS_HELD; h++) {{
        held[h] = first + (int64_t)h * step < n ? row[first + (int64_t)h * step] : -INFINITY;
        top = py2omp_rows_nanmax(top, held[h]);
    }}
    top = py2omp_rows_warp(top, 0);
    #pragma unroll
    for (int h = 0; h < PY2OMP_ROWS_HELD; h++) {{
        held[h] = expf(held[h] - top);
        sum += first + (int64_t)h * step < n ? held[h] : 0.0f;
    }}
    sum = py2omp_rows_warp(sum, 1);
    #pragma unroll
    for (int h = 0; h < PY2OMP_ROWS_HELD; h++)
        if (first + (int64_t)h * step < n)
            o[first + (int64_t)h * step] = held[h] / sum;
}} else {{{passes}
}}"""


def _row(scope: str, held: bool = False) -> str:
    """A row's C in a bare kernel: three strided passes over it (x read three times, from the caches
    after the first), or, `held`, its elements kept in registers where they fit (x read once)."""
    passes = _PASSES.format(scope=scope)
    if held:
        passes = _HELD.format(passes=passes.replace("\n", "\n    "))
    return _ROW.format(passes=passes.replace("\n", "\n" + " " * 12))


_BARE_BODY = """{signature}
{{
    int64_t rows = x_n0 * x_n1, n = x_n2;
    int32_t teams = (int32_t)py2omp_num_teams(rows, {rows_per_block});
    #pragma omp target teams ompx_bare num_teams(teams) thread_limit(256) is_device_ptr(x, out, py2omp_failed)
    {{
        if (n < 1 && rows > 0 && PY2OMP_ROWS_BLOCK() == 0 && PY2OMP_ROWS_THREAD() == 0)
            py2omp_failed[0] = 2147483646; /* NumPy's max of an empty row raises, as the emitted kernel reports */
        int first = {first}, step = {step};
        for (int64_t r = {row}; r < rows; r += {rows_step}) {{{body}
        }}
    }}
}}
"""
_WARP = {"rows_per_block": "256 / PY2OMP_ROWS_LANES", "first": "PY2OMP_ROWS_THREAD() % PY2OMP_ROWS_LANES",
         "step": "PY2OMP_ROWS_LANES",
         "row": "PY2OMP_ROWS_BLOCK() * (PY2OMP_ROWS_THREADS() / PY2OMP_ROWS_LANES) + PY2OMP_ROWS_THREAD() / PY2OMP_ROWS_LANES",
         "rows_step": "PY2OMP_ROWS_BLOCKS() * (PY2OMP_ROWS_THREADS() / PY2OMP_ROWS_LANES)"}
BARE = {
    "warp": _BARE_BODY.format(signature=_SIGNATURE, **_WARP, body=_row("warp")),
    "warp_held": _BARE_BODY.format(signature=_SIGNATURE, **_WARP, body=_row("warp", held=True)),
    "block": _BARE_BODY.format(
        signature=_SIGNATURE, rows_per_block="1", first="PY2OMP_ROWS_THREAD()", step="PY2OMP_ROWS_THREADS()",
        row="PY2OMP_ROWS_BLOCK()", rows_step="PY2OMP_ROWS_BLOCKS()", body=_row("block")),
}
"""The bound: a warp (8 per block) or a block of 256 threads per row, the row's max, sum and output
each one strided loop over it, combined with shuffles (and shared memory across the block's warps);
`warp_held` keeps rows of up to 16 elements a lane (512 a warp) in registers."""


def _once(pattern: str, replacement: str | Callable[[re.Match[str]], str], text: str, what: str) -> str:
    """`text` with the one match of `pattern` replaced; the emitted C must still hold it exactly once."""
    changed, count = re.subn(pattern, replacement, text)
    if count != 1:
        raise ValueError(f"{NAME}__device: {what} found {count} times (the emitted C changed: update row_variants.py)")
    return changed


EMITTED_LIMIT = (r"thread_limit\(py2omp_team_threads\(\w+\)\) \\\n\s*ompx_attribute\(__attribute__\(\(launch_bounds\(256\)\)\)\)"
                 r"|thread_limit\(256\)")
"""The emitted `thread_limit`: from the row with its bound (nvptx), or 256 (host-offload); a variant's
constant replaces both, the bound too (a constant gives the compiler its own)."""


def with_launch(function: str, variant: Variant) -> str:
    """`num_teams` and `thread_limit` as the variant says."""
    teams = (f"num_teams({variant.teams})" if variant.teams is not None
             else rf"num_teams(py2omp_num_teams(\g<rows>, {variant.rows_per_team}))")
    function = _once(r"num_teams\(py2omp_num_teams\((?P<rows>[^,]+), 1\)\)", teams, function, "the teams per row")
    if variant.threads is None:
        return function
    return _once(EMITTED_LIMIT, f"thread_limit({variant.threads})", function, "the emitted thread_limit")



def with_max(function: str, form: str) -> str:
    """The max's reduction in `form`: the float with its int64 class (emitted), or one reduction."""
    found = re.search(r"reduction\(max: (\w+), (\w+_seen)\)", function)
    if found is None:
        raise ValueError(f"{NAME}__device: no `reduction(max: m, m_seen)` (the emitted C changed)")
    m, seen = found.groups()
    if form == "classes":
        return function
    if form == "int_key":
        return with_int_key(function, m, seen)
    clause = f"reduction(py2omp_nanmax: {m})" if form == "declare_reduction" else f"reduction(max: {m})"
    function = function.replace(found.group(0), clause)
    lines = function.split("\n")
    kept = [line for line in lines if seen not in line]
    if len(lines) - len(kept) != 4:  # declared, set before the loop, reduced in it, read after it
        raise ValueError(f"{NAME}__device: {seen} on {len(lines) - len(kept)} lines, not 4 (the emitted C changed)")
    return "\n".join(kept)


def with_int_key(function: str, m: str, seen: str) -> str:
    """The max reduced as the int32 key of the float (`py2omp_rows_key`): one `max` reduction."""
    key = f"{m}_key"
    element = re.search(rf"{seen} = py2omp_max_i64\({seen}, \(isnan\((?P<e>[^\n]*?)\) \?", function)
    if element is None:
        raise ValueError(f"{NAME}__device: no class update of {seen} (the emitted C changed)")
    e = element.group("e")
    function = _once(rf"int64_t {seen};", f"int32_t {key};", function, f"{seen}'s declaration")
    function = _once(rf"{seen} = \(isnan\({m}\)[^\n]*;", f"{key} = py2omp_rows_key({m});", function, f"{seen}'s start")
    function = _once(rf"reduction\(max: {m}, {seen}\)", f"reduction(max: {key})", function, "the max's clause")
    function = _once(rf"\n[ ]*{m} = \({re.escape(e)} > {m} [^\n]*;", "", function, f"{m}'s update")
    function = _once(rf"{seen} = py2omp_max_i64\([^\n]*;", lambda _: f"{key} = py2omp_rows_imax({key}, py2omp_rows_key({e}));",
                     function, f"{seen}'s update")
    return _once(rf"{m} = \({seen} == 2[^\n]*;", f"{m} = py2omp_rows_unkey({key});", function, f"{seen}'s correction")


_EXP_THEN_SUM = re.compile(
    r"(?P<indent>[ ]*)#pragma omp parallel for\n(?P<head>[ ]*for \(int64_t (?P<i>\w+) = 0; [^\n]*\{)\n"
    r"(?P<store>[ ]*(?P<out>out\[[^\n]*\]) = expf\([^\n]*;)\n[ ]*\}\n"
    r"(?P<start>[ ]*(?P<s>\w+) = 0\.0f;)\n[ ]*#pragma omp parallel for reduction\(\+: (?P=s)\)\n"
    r"[ ]*for \(int64_t (?P<k>\w+) = 0; [^\n]*\{\n[ ]*(?P=s) = (?P=s) \+ out\[[^\n]*\];\n[ ]*\}\n")


def fused(function: str) -> str:
    """The exp's loop also sums what it writes, in the sum's reduction (same static split: same sum)."""
    def joined(found: re.Match[str]) -> str:
        body_indent = found.group("store")[:len(found.group("store")) - len(found.group("store").lstrip())]
        return (f"{found.group('start')}\n{found.group('indent')}#pragma omp parallel for reduction(+: {found.group('s')})\n"
                f"{found.group('head')}\n{found.group('store')}\n"
                f"{body_indent}{found.group('s')} = {found.group('s')} + {found.group('out')};\n{found.group('indent')}}}\n")
    return _once(_EXP_THEN_SUM.pattern, joined, function, "the exp's loop then the sum's")


def variant_function(function: str, variant: Variant) -> str:
    """`function` (the emitted `softmax__device`) changed as `variant` says."""
    if variant.bare == "emitted":
        return function
    if variant.bare is not None:
        return BARE[variant.bare]
    function = with_max(with_launch(function, variant), variant.max_form)
    return fused(function) if variant.fused else function


def variant_source(c_source: str, variant: Variant, flags: list[str]) -> str:
    """The C of one variant: the emitted helpers, this module's, its function and its description."""
    function = variant_function(device_function(c_source, NAME), variant)
    info = {**asdict(variant), "numpy_nan": variant.numpy_nan, "flags": flags, "kernels": {NAME: argument_kinds(function)}}
    helpers = HELPERS + (BARE_HELPERS if variant.bare in BARE else "")
    return prelude(c_source, helpers) + "\n" + function + f"\nconst char py2omp_variant[] = {json.dumps(json.dumps(info))};\n"


def emitted_source(target: Any, form: str) -> str:
    """The C of the softmax kernel for `target` in `form` (`Variant.form`): `team` built with `PY2OMP_BARE=0`."""
    from translator import pipeline
    saved = os.environ.get("PY2OMP_BARE")
    os.environ["PY2OMP_BARE"] = "0" if form == "team" else ""
    try:
        return pipeline.translate(str(ROOT / KERNEL), target).c_source
    finally:
        os.environ.pop("PY2OMP_BARE")
        if saved is not None:
            os.environ["PY2OMP_BARE"] = saved


def build(out: Path, target_name: str = "nvptx:sm_90", only: set[str] | None = None) -> list[Path]:
    """Every variant (or those named in `only`) into `out/<variant>.so`; needs the translator and clang."""
    sys.path.insert(0, str(ROOT))
    from translator.targets import parse_target
    from translator.toolchain.discover import find_toolchain
    target, toolchain = parse_target(target_name), find_toolchain()
    if toolchain is None:
        raise SystemExit("row_variants build: no clang-19 here (docs: ../shared/TOOLCHAIN.md)")
    sources = {form: emitted_source(target, form) for form in ("team", "bare")}
    out.mkdir(parents=True, exist_ok=True)
    built = []
    for variant in VARIANTS:
        if only is None or variant.name in only:
            flags = toolchain.flags(target) + list(variant.add)
            library = out / f"{variant.name}.so"
            compile_variant(toolchain.clang, variant_source(sources[variant.form], variant, flags), library, flags)
            built.append(library)
    return built


RTOL, ATOL = 2e-5, 1e-9
"""float32 sums of a row in another order and the device's `expf` (2 ulp) against NumPy's."""


@dataclass(frozen=True)
class Rows:
    """One shape: random rows, and a few rows of the same length holding NaN, -inf and +inf."""

    shape: tuple[int, int, int]
    x: np.ndarray
    special: np.ndarray

    @property
    def nbytes(self) -> int:
        """What one call must move: each element read once and written once."""
        return 2 * self.x.nbytes


def rows_of(shape: tuple[int, int, int], rng: np.random.Generator) -> Rows:
    """Standard normal rows; the special rows: a NaN, a row of -inf, one -inf, one +inf, a NaN last,
    and two spread over thousands, one all negative (the int32 key's other half): there a wrong max
    shows, as `exp` overflows (elsewhere softmax does not depend on which value is subtracted)."""
    special = rng.standard_normal((2, 4, shape[2]), np.float32)
    special[1, 1, :] = -1000 * np.abs(special[1, 1, :]) - 1
    special[1, 2, :] *= 1000
    special[0, 0, shape[2] // 2] = np.nan
    special[0, 1, :] = -np.inf
    special[0, 2, 0] = -np.inf
    special[0, 3, -1] = np.inf
    special[1, 0, -1] = np.nan
    return Rows(shape, rng.standard_normal(shape, np.float32), special)


def numpy_softmax(x: np.ndarray) -> np.ndarray:
    """NumPy's result (bench/peer_kernels.py's softmax, as CuPy runs it), float32."""
    out = np.empty_like(x)
    with np.errstate(invalid="ignore"):  # inf - inf in the special rows: NaN, as NumPy says
        peer_kernels.softmax(np, x, out)
    return out


def bound_calls(memory: Memory, loaded: dict[str, Loaded], x: Any, out: Any, failed: Any,
                cupy: Any) -> dict[str, Callable[[], object]]:
    """Each variant's call (and CuPy's softmax, where CuPy is) on the placed arrays."""
    n = tuple(int(e) for e in x.shape)
    args = (memory.ptr(x), *n, memory.ptr(out), *n, memory.ptr(failed), 1)
    found: dict[str, Callable[[], object]] = {name: functools.partial(lib.functions[NAME], *args)
                                              for name, lib in loaded.items()}
    if cupy is not None:
        found["cupy"] = functools.partial(peer_kernels.softmax, cupy, x, out)
    return found


def agrees(memory: Memory, loaded: dict[str, Loaded], x: np.ndarray, cupy: Any) -> dict[str, bool]:
    """Each one's result on `x` against NumPy's, after one call on a NaN-filled output (an element
    not written shows), with the status flag still 0."""
    expected = numpy_softmax(x)
    placed, expected_placed = memory.put(x), memory.put(expected)
    verdicts = {}
    for name in bound_calls(memory, loaded, placed, placed, memory.put(np.zeros(1, np.int32)), cupy):
        print(f"checking {x.shape} {name}", file=sys.stderr, flush=True)  # the last line, if the runtime aborts
        out, failed = memory.put(np.full_like(x, np.nan)), memory.put(np.zeros(1, np.int32))
        bound_calls(memory, loaded, placed, out, failed, cupy)[name]()
        memory.sync()
        verdicts[name] = close(memory, out, expected, expected_placed) and int(memory.get(failed)[0]) == 0
    return verdicts


def close(memory: Memory, got: Any, expected: np.ndarray, expected_placed: Any) -> bool:
    """Whether the placed result `got` is NumPy's `expected` to float32 rounding, NaN where it is
    NaN; compared on the GPU where CuPy is (not a 1 GiB copy back per variant and shape)."""
    if isinstance(memory, CupyMemory):
        return bool(memory.cupy.allclose(got, expected_placed, rtol=RTOL, atol=ATOL, equal_nan=True))
    return bool(np.allclose(memory.get(got), expected, rtol=RTOL, atol=ATOL, equal_nan=True))


def measured(memory: Memory, loaded: dict[str, Loaded], case: Rows, cupy: Any, options: argparse.Namespace) -> list[dict[str, Any]]:
    """The report's rows of one shape: each variant and CuPy, checked and timed."""
    ok, nan_ok = agrees(memory, loaded, case.x, cupy), agrees(memory, loaded, case.special, cupy)
    x, out, failed = memory.put(case.x), memory.put(np.empty_like(case.x)), memory.put(np.zeros(1, np.int32))
    samples = sampled(memory, bound_calls(memory, loaded, x, out, failed, cupy), options.repeats, options.calls)
    found: list[dict[str, Any]] = []
    for name, times in samples.items():
        info = loaded[name].info if name in loaded else {"about": "CuPy: bench/peer_kernels.py softmax", "numpy_nan": True}
        median = statistics.median(times)
        found.append({"shape": list(case.shape), "row": case.shape[2], "variant": name, "ms": median * 1e3,
                      "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3, "GBps": case.nbytes / median / 1e9,
                      "ok": ok[name], "nan_ok": nan_ok[name], "numpy_nan": info["numpy_nan"], "about": info["about"],
                      "flags": info.get("flags")})
    peer = next((r["ms"] for r in found if r["variant"] == "cupy"), None)
    for row in found:
        row["of_cupy"] = None if peer is None else peer / row["ms"]
    return sorted(found, key=lambda r: r["ms"])


def run(folder: Path, out: Path, options: argparse.Namespace) -> int:
    """Load every variant of `folder`, check and time each shape, print a table, write the JSON to `out`;
    fails (1) where a result differs from NumPy's (NaN rows counted where the variant keeps NumPy's NaN)."""
    loaded = {path.stem: Loaded(path) for path in sorted(folder.glob("*.so")) if path.stem not in options.skip}
    if not loaded:
        raise SystemExit(f"row_variants run: no variant .so in {folder}")
    try:
        import cupy
        machine = {"gpu": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(), "cupy": cupy.__version__}
        memory: Memory = CupyMemory(cupy)
    except Exception:  # no CuPy, or no GPU: a CPU try, peerless
        cupy, memory, machine = None, OmpMemory(next(iter(loaded.values())).cdll), {"gpu": None}
    rng = np.random.default_rng(0)
    found = [r for shape in options.shapes for r in measured(memory, loaded, rows_of(shape, rng), cupy, options)]
    print("| shape | variant | median ms (min-max) | GB/s | of CuPy | ok | NaN rows ok |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in found:
        of_cupy = "" if r["of_cupy"] is None else f"{r['of_cupy']:.3f}"
        print(f"| {tuple(r['shape'])} | {r['variant']} | {r['ms']:.3f} ({r['min_ms']:.3f}-{r['max_ms']:.3f}) | "
              f"{r['GBps']:.0f} | {of_cupy} | {r['ok']} | {r['nan_ok']} |")
    report = {"machine": machine, "repeats": options.repeats, "calls": options.calls, "rows": found}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return 0 if all(r["ok"] and (r["nan_ok"] or not r["numpy_nan"]) for r in found) else 1


def shapes(text: str) -> list[tuple[int, int, int]]:
    """`1024x512x512,8x4x64`: the shapes of x, (rows, rows, row length)."""
    found = [tuple(int(e) for e in item.split("x")) for item in text.split(",")]
    if any(len(s) != 3 or min(s) < 1 for s in found):
        raise argparse.ArgumentTypeError(f"shapes are AxBxC with positive extents: {text}")
    return found  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build the variants (here, with clang-19)")
    make.add_argument("folder", type=Path)
    make.add_argument("target", nargs="?", default="nvptx:sm_90")
    make.add_argument("--only", help="comma-separated variant names (default: all)")
    measure = commands.add_parser("run", help="check and time the variants against CuPy (on the GPU machine)")
    measure.add_argument("folder", type=Path)
    measure.add_argument("out", type=Path)
    measure.add_argument("--shapes", type=shapes, default=list(SHAPES),
                         help="comma-separated AxBxC shapes of x (default 1024x512x512,1024x4096x64,1024x64x4096,1024x256x1024,1024x128x2048)")
    measure.add_argument("--repeats", type=int, choices=range(3, 101), default=5, metavar="R",
                         help="timed rounds after a warm-up, median reported (default 5; 3 to 100)")
    measure.add_argument("--calls", type=int, default=10, help="back-to-back calls per sample (default 10)")
    measure.add_argument("--skip", type=lambda text: set(text.split(",")), default=set(),
                         help="comma-separated variants to leave out (one the offload runtime refuses aborts the process)")
    options = parser.parse_args(argv)
    if options.command == "build":
        built = build(options.folder, options.target, set(options.only.split(",")) if options.only else None)
        print(f"built {len(built)} variants into {options.folder}: {sum(p.stat().st_size for p in built) / 1e6:.1f} MB")
        return 0
    return run(options.folder, options.out, options)


if __name__ == "__main__":
    sys.exit(main())
