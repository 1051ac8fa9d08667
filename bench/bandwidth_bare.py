"""The bare-form variants of the bandwidth study (bench/bandwidth_variants.py), each a hypothesis about the
5-10% the emitted bare form (`passes/bare.py`) leaves to CuPy's ElementwiseKernel, and the PTX counts
that compare them.

`BareShape` says how a variant differs from the emitted form; `bare_kernels` writes the triad's and the
jacobi step's `__device` functions in that shape, the default shape being the emitted form written again
(a grid-stride loop over a 64-bit flat number, 256 threads, teams from the trip count, one element per
thread, the 2-D nest recovered with `/` and `%`): its row shows the rewriting changes nothing.
Each kernel also runs correctly on the offload runtime's host fallback (a team is one thread there,
`bw_threads()` is 1), so that tests/test_bench_bandwidth.py checks the shapes against NumPy on the CPU.
Where a shape holds only for some arguments (a 32-bit index, 16-byte alignment, even rows), the host picks
it at the call, and the emitted form's kernel otherwise.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

NARROW_LIMIT = 2147483647
"""The largest trip count of a 32-bit kernel: `INT32_MAX`, so that the flat number plus the threads
(teams on the host fallback) still fits `uint32_t`."""


@dataclass(frozen=True)
class BareShape:
    """How a hand-written bare variant differs from the emitted form."""

    threads: int = 256
    """The block size (`thread_limit`); the teams cover the trip count."""
    index: int = 64
    """The bits of the flat number and of its `/` and `%`; 32: a `uint32_t` kernel where the trip count fits."""
    per_thread: int = 1
    """Elements per thread: `k + r * blockDim` within the block's tile of `threads * per_thread`, all
    loads of the thread before its stores (independent loads in flight), the tail guarded."""
    vector: bool = False
    """Two consecutive doubles per 16-byte load and store (clang's `ext_vector_type`), the tail alone."""
    rows: bool = False
    """The jacobi step without a division per element: a block takes `threads` columns of one row, the
    row and the chunk from one 32-bit division of the block number."""
    ldg: bool = False
    """The arrays only read through the non-coherent load (`__nvvm_ldg_d`: `ld.global.nc`)."""
    once: bool = False
    """No grid-stride loop on the GPU: a thread's next number is the trip count (`bw_next`), so clang
    keeps one guarded element (the hand-written `ompx_bare` kernel's shape; its PTX has 20 instructions
    fewer than the emitted jacobi step's). Sound where the teams cover the trip count, as they do up to
    2^31 - 1 blocks; the host's fallback, with fewer teams than asked, keeps stepping."""


HELPERS = """
typedef double bw_double2 __attribute__((ext_vector_type(2)));
/* A thread's numbers in a bare launch; on the host's fallback a team is one thread. */
static inline uint32_t bw_tid(void) {
#ifdef __NVPTX__
    return __nvvm_read_ptx_sreg_tid_x();
#else
    return 0;
#endif
}
static inline uint32_t bw_threads(void) {
#ifdef __NVPTX__
    return __nvvm_read_ptx_sreg_ntid_x();
#else
    return 1;
#endif
}
static inline uint32_t bw_block(void) {
#ifdef __NVPTX__
    return __nvvm_read_ptx_sreg_ctaid_x();
#else
    return omp_get_team_num();
#endif
}
static inline uint32_t bw_blocks(void) {
#ifdef __NVPTX__
    return __nvvm_read_ptx_sreg_nctaid_x();
#else
    return omp_get_num_teams();
#endif
}
static inline int64_t bw_next(int64_t k, int64_t stride, int64_t trip) {
#ifdef __NVPTX__
    (void)k, (void)stride;
    return trip;
#else
    (void)trip;
    return k + stride;
#endif
}
static inline double bw_ldg(const double *p) {
#ifdef __NVPTX__
    return __nvvm_ldg_d(p);
#else
    return *p;
#endif
}
"""
"""C added to the variants' `declare target` block."""

TRIAD = ("void triad__device(double *restrict a, int64_t a_n0, const double *restrict b, int64_t b_n0, "
         "const double *restrict c, int64_t c_n0, double s)")
JACOBI = ("void jacobi_step__device(const double *restrict A, int64_t A_n0, int64_t A_n1, double *restrict B, "
          "int64_t B_n0, int64_t B_n1)")


@dataclass(frozen=True)
class Body:
    """One kernel's element `{e}`: the statements before its value, the value, the store of `{v}`;
    `{r}` makes the names of one element of a thread's several distinct."""

    arrays: str
    decl: str
    value: str
    store: str


def _triad_body(ldg: bool) -> Body:
    load = "bw_ldg(&{x}[{e}])" if ldg else "{x}[{e}]"
    value = load.replace("{x}", "b") + " + s * " + load.replace("{x}", "c")
    return Body("a, b, c", "", value, "a[{e}] = {v};")


def _jacobi_body(ldg: bool) -> Body:
    load = "bw_ldg(&A[{at}])" if ldg else "A[{at}]"
    at = ("(i{r} - 1) * A_n1 + j{r}", "i{r} * A_n1 + (j{r} - 1)", "i{r} * A_n1 + j{r}", "i{r} * A_n1 + (j{r} + 1)",
          "(i{r} + 1) * A_n1 + j{r}")
    value = "0.2 * (" + " + ".join(load.replace("{at}", a) for a in at) + ")"
    decl = "int64_t i{r} = 1 + (int64_t)({e} / cols), j{r} = 1 + (int64_t)({e} % cols);"
    return Body("A, B", decl, value, "B[i{r} * B_n1 + j{r}] = {v};")


def _elements(body: Body, per_thread: int, ctype: str, ind: str) -> str:
    """The statements of a thread's elements `k + r * bw_threads()`: for one, the body; for several, all
    values before the stores where the last is inside the trip count, each guarded otherwise."""
    names = [f"e{r}" for r in range(per_thread)]
    if per_thread == 1:
        return _statements(body, "k", "0", ind, f"{body.store}")
    lines = [f"{ind}{ctype} " + ", ".join(f"e{r} = k + ({ctype}){r} * bw_threads()" for r in range(per_thread)) + ";",
             f"{ind}if (e{per_thread - 1} < trip) {{"]
    lines += [_statements(body, e, str(r), ind + "    ", f"double v{r} = {{value}};") for r, e in enumerate(names)]
    lines += [f"{ind}    " + body.store.format(e=e, r=r, v=f"v{r}") for r, e in enumerate(names)]
    lines += [f"{ind}}} else {{"]
    for r, e in enumerate(names):
        lines += [f"{ind}    if ({e} < trip) {{", _statements(body, e, str(r), ind + "        ", body.store), f"{ind}    }}"]
    return "\n".join(lines + [f"{ind}}}"])


def _statements(body: Body, e: str, r: str, ind: str, store: str) -> str:
    value = body.value.replace("{e}", e).replace("{r}", r)
    decl = [f"{ind}{body.decl.format(e=e, r=r)}"] if body.decl else []
    return "\n".join(decl + [ind + store.replace("{value}", value).format(e=e, r=r, v=value)])


def _launch(shape: BareShape, body: Body, ctype: str, ind: str) -> str:
    """The emitted form's grid-stride kernel over `trip` with the flat number in `ctype`, `per_thread` elements a thread."""
    tile = f"bw_threads() * {shape.per_thread}" if shape.per_thread > 1 else "bw_threads()"
    step = f"k = ({ctype})bw_next(k, ({ctype})bw_blocks() * {tile}, trip)" if shape.once else f"k += ({ctype})bw_blocks() * {tile}"
    cols = [f"{ind}    const {ctype} cols = ({ctype})py2omp_cols;"] if "cols" in body.decl else []
    return "\n".join([
        f"{ind}{{",
        f"{ind}    const {ctype} trip = ({ctype})py2omp_trip;",
        *cols,
        f"{ind}    #pragma omp target teams ompx_bare num_teams(py2omp_num_teams(py2omp_trip, {shape.threads * shape.per_thread})) "
        f"thread_limit({shape.threads}) is_device_ptr({body.arrays})",
        f"{ind}    for ({ctype} k = ({ctype})bw_block() * {tile} + bw_tid(); k < trip; {step}) {{",
        _elements(body, shape.per_thread, ctype, ind + "        "),
        f"{ind}    }}",
        f"{ind}}}"])


def _index_choice(shape: BareShape, body: Body, ind: str) -> str:
    """The 32-bit kernel where the trip count fits and the 64-bit one above, or the 64-bit one alone."""
    wide = _launch(shape, body, "int64_t", ind + "    ")
    if shape.index == 64:
        return wide
    narrow = _launch(shape, body, "uint32_t", ind + "    ")
    return f"{ind}if (py2omp_trip <= {NARROW_LIMIT}) {{\n{narrow}\n{ind}}} else {{\n{wide}\n{ind}}}"


def _triad(shape: BareShape) -> str:
    body = _triad_body(shape.ldg)
    scalar = _index_choice(shape, body, "    ")
    if shape.vector:
        scalar = (f"    if (((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % 16 == 0) {{\n{TRIAD_PAIRS}    }} else {{\n"
                  f"{_indent(scalar)}\n    }}")
    return f"{TRIAD}\n{{\n    int64_t py2omp_trip = a_n0;\n{scalar}\n}}\n"


TRIAD_PAIRS = """        const int64_t pairs = py2omp_trip / 2, odd = py2omp_trip % 2;
        #pragma omp target teams ompx_bare num_teams(py2omp_num_teams(pairs + odd, 256)) thread_limit(256) is_device_ptr(a, b, c)
        for (int64_t p = (int64_t)bw_block() * bw_threads() + bw_tid(); p < pairs + odd; p += (int64_t)bw_blocks() * bw_threads()) {
            if (p < pairs)
                *(bw_double2 *)&a[2 * p] = *(const bw_double2 *)&b[2 * p] + s * *(const bw_double2 *)&c[2 * p];
            else
                a[2 * p] = b[2 * p] + s * c[2 * p];
        }
"""
"""The triad two doubles a thread, 16-byte loads and stores; the thread past the pairs takes the odd last element."""

JACOBI_PAIRS = """        const int64_t n = B_n1, pairs = n / 2, trip = py2omp_n0 * pairs;
        #pragma omp target teams ompx_bare num_teams(py2omp_num_teams(trip, 256)) thread_limit(256) is_device_ptr(A, B)
        for (int64_t k = (int64_t)bw_block() * bw_threads() + bw_tid(); k < trip; k += (int64_t)bw_blocks() * bw_threads()) {
            int64_t i = 1 + k / pairs, m = k % pairs;
            const double *at = A + i * n + 2 * m;
            bw_double2 up = *(const bw_double2 *)(at - n), down = *(const bw_double2 *)(at + n);
            bw_double2 before = *(const bw_double2 *)(at - 2), mid = *(const bw_double2 *)at, after = *(const bw_double2 *)(at + 2);
            bw_double2 left = {before.y, mid.x}, right = {mid.y, after.x};
            bw_double2 v = 0.2 * ((((up + left) + mid) + right) + down);
            double *out = B + i * n + 2 * m;
            if (m > 0 && m < pairs - 1) {
                *(bw_double2 *)out = v;
            } else {
                if (m > 0 && 2 * m <= n - 2)
                    out[0] = v.x;
                if (2 * m + 1 <= n - 2)
                    out[1] = v.y;
            }
        }
"""
"""The jacobi step over the pairs of columns (2m, 2m + 1) of each interior row, rows of an even length
(16-byte aligned): five 16-byte loads (the left and right neighbours taken from the pairs around) and
one 16-byte store; the border columns 0 and n - 1 stay unwritten."""

JACOBI_ROWS = """        const int64_t chunks = (py2omp_cols + {threads} - 1) / {threads}, blocks = py2omp_n0 * chunks;
        const uint32_t per_row = (uint32_t)chunks, width = (uint32_t)py2omp_cols;
        #pragma omp target teams ompx_bare num_teams(py2omp_num_teams(blocks, 1)) thread_limit({threads}) is_device_ptr(A, B)
        for (uint32_t block = bw_block(); block < (uint32_t)blocks; block += bw_blocks()) {
            uint32_t row = block / per_row, first = (block - row * per_row) * {threads};
            int64_t i0 = 1 + (int64_t)row;
            for (uint32_t col = first + bw_tid(); col < first + {threads} && col < width; col += bw_threads()) {
                int64_t j0 = 1 + (int64_t)col;
                B[i0 * B_n1 + j0] = {value};
            }
        }
"""
"""The jacobi step a block of `threads` columns of one row: the row and the chunk from the block number,
one 32-bit division a thread (on the GPU each thread's loops run once)."""


def _jacobi(shape: BareShape) -> str:
    body = _jacobi_body(shape.ldg)
    kernel = _index_choice(shape, body, "    ")
    if shape.vector:
        kernel = (f"    if (A_n1 == B_n1 && B_n1 % 2 == 0 && ((uintptr_t)A | (uintptr_t)B) % 16 == 0) {{\n{JACOBI_PAIRS}"
                  f"    }} else {{\n{_indent(kernel)}\n    }}")
    elif shape.rows:
        rows = JACOBI_ROWS.replace("{threads}", str(shape.threads)).replace("{value}", body.value.replace("{r}", "0"))
        kernel = f"    if (py2omp_n0 * py2omp_cols <= {NARROW_LIMIT}) {{\n{rows}    }} else {{\n{_indent(kernel)}\n    }}"
    return (f"{JACOBI}\n{{\n    int64_t py2omp_n0 = py2omp_max_i64(B_n0 - 2, 0), py2omp_cols = py2omp_max_i64(B_n1 - 2, 0);\n"
            f"    int64_t py2omp_trip = py2omp_n0 * py2omp_cols;\n{kernel}\n}}\n")


def _indent(text: str) -> str:
    return re.sub(r"^(?=.)", "    ", text, flags=re.MULTILINE)


def bare_kernels(shape: BareShape) -> dict[str, str]:
    """The triad's and the jacobi step's `__device` functions in `shape`."""
    return {"triad": _triad(shape), "jacobi_step": _jacobi(shape)}


PTX_CLASSES = {
    "instructions": r"[a-z]",
    "global loads": r"ld\.global",
    "non-coherent loads": r"ld\.global\.nc",
    "stores": r"st\.global",
    "64-bit div/rem": r"(?:div|rem)\.[su]64",
    "32-bit div/rem": r"(?:div|rem)\.[su]32",
    "64-bit mul/mad": r"(?:mul|mad)\.lo\.[su]64",
    "wide mul/mad": r"(?:mul|mad)\.wide",
    "cvt": r"cvt\.",
    "setp": r"setp\.",
    "branches": r"(?:@%p\d+ )?bra",
}
"""What `ptx_counts` counts in a kernel's PTX, by the start of the instruction."""


def device_assembly(clang: str, source: str, flags: list[str]) -> str:
    """The PTX of `source` built as its library is (`-save-temps`: only there is the device runtime's
    bitcode linked in, as tests/test_bare_rows.py says), in a folder removed after."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "v.c").write_text(source)
        subprocess.run([clang, "v.c", "-o", "v.so", *flags, "-save-temps"], check=True, capture_output=True, cwd=folder)
        return next(Path(folder).glob("v-openmp-nvptx64-*.s")).read_text()


def ptx_counts(ptx: str) -> dict[str, dict[str, int]]:
    """Per kernel entry of `ptx` (by the function it was written in), how many of its instructions fall in
    each of `PTX_CLASSES`: what the index arithmetic costs beside the loads and stores. An entry's
    several kernels (the 32-bit one and the 64-bit one) are numbered in the order of the source."""
    found: dict[str, dict[str, int]] = {}
    for name, line, code in sorted(re.findall(r"\.entry __omp_offloading_[0-9a-f]+_[0-9a-f]+_(\w+?)_l(\d+)\(.*?\n\{(.*?)\n\}", ptx, flags=re.DOTALL),
                                   key=lambda e: (e[0], int(e[1]))):
        instructions = [s.strip() for s in code.splitlines()
                        if s.strip() and not s.strip().startswith(("//", ".reg", "$", ".local", ".shared"))]
        key = name if name not in found else f"{name}#{sum(k.split('#')[0] == name for k in found) + 1}"
        found[key] = {label: sum(re.match(pattern, s) is not None for s in instructions) for label, pattern in PTX_CLASSES.items()}
    return found
