"""The C backend: typed IR built by hand -> C text, checked line by line, then compiled and run.

The IR here is what the passes would produce (explicit casts, typed expressions, directives as
data), so these tests pin the backend's contract without the frontend. Running the emitted C
through clang-19 (host offload: a real `target` region on the CPU) checks the semantics that
matter most: Python's `//` and `%`, `min`/`max` with NaNs, wrap-around, float32 constants.
"""

from __future__ import annotations

import ctypes
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from translator.backend import EmittedModule, emit_module
from translator.backend.c_expr import ExprEmitter, const
from translator.backend.helpers import HelperSet
from translator.backend.names import kernel_names
from translator.backend.render import resolve_line_directives
from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import (
    BOOL, F32, F64, I8, I16, I32, I64, PY_INT, U8, U64, ArrayType, Ownership, ScalarType,
)
from translator.targets import parse_target

PATH = "kernels/demo.py"
CLANG = shutil.which("clang-19") or "clang-19"
HOST_OFFLOAD = [
    "-fopenmp", "-fopenmp-targets=x86_64-pc-linux-gnu", "-L/usr/lib/llvm-22/lib",
    "-Wl,-rpath,/usr/lib/llvm-22/lib",
]
COMMON = ["-std=c11", "-fwrapv", "-ffp-contract=off", "-O2", "-fPIC", "-shared", "-Werror", "-Wall"]
NVPTX = [
    "-fopenmp", "--offload-arch=sm_90", "--cuda-path=/usr/local/cuda",
    "--libomptarget-nvptx-bc-path=/usr/lib/llvm-19/lib",
]
needs_clang = pytest.mark.skipif(shutil.which(CLANG) is None, reason="clang-19 is not installed")

# ---------------------------------------------------------------------------------------------
# A small vocabulary for writing typed IR by hand. Expressions take their span from `AT`.

AT = Span(PATH, 1, 1)


def at(line: int) -> Span:
    return Span(PATH, line, 5)


def c(value: int | float | bool, t: ScalarType = PY_INT) -> ir.Const:
    return ir.Const(value, AT, t)


def v(name: str, t: ScalarType = PY_INT) -> ir.Name:
    return ir.Name(name, AT, t)


def ix(array: str, t: ScalarType, *indices: ir.Expr) -> ir.Index:
    return ir.Index(array, indices, AT, t)


def n(array: str, dim: int = 0) -> ir.Extent:
    return ir.Extent(array, dim, AT, PY_INT)


def bin_(op: str, left: ir.Expr, right: ir.Expr) -> ir.Binary:
    return ir.Binary(op, left, right, AT, left.type)


def cmp(op: str, left: ir.Expr, right: ir.Expr) -> ir.Compare:
    return ir.Compare(op, left, right, AT, BOOL)


def call(func: str, t: ScalarType, *args: ir.Expr) -> ir.Call:
    return ir.Call(func, args, AT, t)


def assign(line: int, target: ir.Name | ir.Index, value: ir.Expr) -> ir.Assign:
    return ir.Assign(target, value, at(line))


def arr(name: str, dtype: ScalarType, ownership: Ownership, rank: int = 1) -> ir.Param:
    return ir.Param(name, ArrayType(dtype, rank), ownership, at(1))


def scalar(name: str, t: ScalarType) -> ir.Param:
    return ir.Param(name, t, None, at(1))


def target(
    *maps: tuple[str, str, int], reductions: tuple[ir.Reduction, ...] = (), collapse: int = 1
) -> ir.OmpTarget:
    clauses = tuple(ir.MapClause(kind, array, rank) for kind, array, rank in maps)
    return ir.OmpTarget(collapse, clauses, reductions, 128, True)


def prange(line: int, directive: ir.OmpTarget | None, levels: list[tuple[str, ir.Expr]], *body: ir.Stmt,
           locals_: tuple[ir.Var, ...] = ()) -> ir.ParallelLoop:
    lvls = tuple(ir.LoopLevel(var, c(0), stop, 1, at(line)) for var, stop in levels)
    return ir.ParallelLoop(lvls, body, locals_, directive, at(line))


def kernel(name: str, params: list[ir.Param], *body: ir.Stmt, ret: ScalarType | None = None,
           locals_: tuple[ir.Var, ...] = (), line: int = 1) -> ir.Kernel:
    return ir.Kernel(name, tuple(params), body, ret, locals_, at(line))


def module(*kernels: ir.Kernel, name: str = "demo", target_: str = "host-offload") -> ir.Module:
    return ir.Module(PATH, name, "0123456789abcdef" * 4, kernels, parse_target(target_))


def elementwise(
    name: str, t: ScalarType, out_t: ScalarType, fn: Any, outs: int = 1, ins: int = 2
) -> ir.Kernel:
    """`outs[k][i] = fn(ins...)[k]` over a 1-D offloaded loop, for running helpers on grids."""
    i = v("i")
    in_names = [f"a{k}" for k in range(ins)]
    out_names = [f"r{k}" for k in range(outs)]
    values = fn(*(ix(a, t, i) for a in in_names))
    body = [assign(3, ix(o, out_t, i), e) for o, e in zip(out_names, values, strict=True)]
    maps = [("to", a, 1) for a in in_names] + [("from", o, 1) for o in out_names]
    params = [arr(a, t, Ownership.IN) for a in in_names] + [arr(o, out_t, Ownership.OUT) for o in out_names]
    return kernel(name, params, prange(2, target(*maps), [("i", n("a0"))], *body))


# ---------------------------------------------------------------------------------------------
# Building and calling the emitted C.

_CTYPES: dict[str, Any] = {
    "bool": ctypes.c_bool, "int8": ctypes.c_int8, "int16": ctypes.c_int16, "int32": ctypes.c_int32,
    "int64": ctypes.c_int64, "uint8": ctypes.c_uint8, "uint16": ctypes.c_uint16,
    "uint32": ctypes.c_uint32, "uint64": ctypes.c_uint64, "float32": ctypes.c_float,
    "float64": ctypes.c_double,
}


def build(emitted: EmittedModule, tmp_path: Path, flags: list[str] = HOST_OFFLOAD) -> Path:
    src = tmp_path / f"{emitted.manifest['module']}.c"
    src.write_text(emitted.c_source)
    (tmp_path / f"{emitted.manifest['module']}.h").write_text(emitted.h_source)
    lib = tmp_path / emitted.manifest["library"]
    subprocess.run([CLANG, *flags, *COMMON, str(src), "-o", str(lib), "-lm"], check=True,
                   capture_output=True, text=True)
    return lib


class Library:
    """Calls kernels the way runtime_shim will: by the manifest, arrays plus their extents."""

    def __init__(self, emitted: EmittedModule, tmp_path: Path) -> None:
        self.dll = ctypes.CDLL(str(build(emitted, tmp_path)))
        self.kernels = {k["name"]: k for k in emitted.manifest["kernels"]}

    def __call__(self, name: str, *args: Any) -> Any:
        spec = self.kernels[name]
        fn = getattr(self.dll, spec["symbol"])
        argtypes: list[Any] = []
        values: list[Any] = []
        for param, arg in zip(spec["params"], args, strict=True):
            if param["kind"] == "array":
                assert arg.dtype == np.dtype(param["dtype"]) and arg.flags.c_contiguous
                argtypes += [ctypes.c_void_p] + [ctypes.c_int64] * arg.ndim
                values += [arg.ctypes.data, *arg.shape]
            else:
                argtypes.append(_CTYPES[param["dtype"]])
                values.append(arg.item() if isinstance(arg, np.generic) else arg)
        fn.argtypes = argtypes
        fn.restype = None if spec["returns"] is None else _CTYPES[spec["returns"]]
        return fn(*values)


def same(actual: np.ndarray, expected: np.ndarray) -> bool:
    """Equal bit for bit where it matters: NaN matches NaN, and the sign of zero counts."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, e))
    both_nan = np.isnan(a) & np.isnan(e)
    return bool(np.all(both_nan | ((a == e) & (np.signbit(a) == np.signbit(e)))))


# ---------------------------------------------------------------------------------------------
# The kernels.

IN, OUT, INOUT = Ownership.IN, Ownership.OUT, Ownership.INOUT


def saxpy_kernel() -> ir.Kernel:
    i = v("i")
    update = bin_("+", bin_("*", v("a", F32), ix("x", F32, i)), ix("y", F32, i))
    d = target(("tofrom", "y", 1), ("to", "x", 1))
    loop = prange(6, d, [("i", n("x"))], assign(7, ix("y", F32, i), update))
    return kernel("saxpy", [scalar("a", F32), arr("x", F32, IN), arr("y", F32, INOUT)], loop, line=5)


def add2d_kernel() -> ir.Kernel:
    i, j = v("i"), v("j")
    value = bin_("+", ix("a", F64, i, j), bin_("*", ix("b", F64, i, j), c(2.0, F64)))
    d = target(("from", "c", 2), ("to", "a", 2), ("to", "b", 2), collapse=2)
    loop = prange(3, d, [("i", n("a", 0)), ("j", n("a", 1))], assign(4, ix("c", F64, i, j), value))
    return kernel("add2d", [arr("a", F64, IN, 2), arr("b", F64, IN, 2), arr("c", F64, OUT, 2)], loop, line=2)


def dot_kernel() -> ir.Kernel:
    i, s = v("i"), v("s", F64)
    d = target(("to", "x", 1), ("to", "y", 1), reductions=(ir.Reduction("+", "s"),))
    product = bin_("*", ix("x", F64, i), ix("y", F64, i))
    loop = prange(4, d, [("i", n("x"))], assign(5, s, bin_("+", s, product)))
    return kernel("dot", [arr("x", F64, IN), arr("y", F64, IN)], assign(3, s, c(0.0, F64)), loop,
                  ir.Return(s, at(6)), ret=F64, locals_=(ir.Var("s", F64),), line=2)


def collatz_kernel() -> ir.Kernel:
    """Steps to reach 1: serial `for`, `while True`, if/elif/else and `break`."""
    i, x, steps = v("i"), v("x", I64), v("steps", I64)
    chain = ir.If(cmp("==", x, c(1, I64)), (ir.Break(at(6)),), (
        ir.If(cmp("==", bin_("%", x, c(2, I64)), c(0, I64)), (assign(8, x, bin_("//", x, c(2, I64))),),
              (assign(10, x, bin_("+", bin_("*", c(3, I64), x), c(1, I64))),), at(7)),), at(5))
    body = (
        assign(3, x, ix("n", I64, i)), assign(3, steps, c(0, I64)),
        ir.While(c(True, BOOL), (chain, assign(11, steps, bin_("+", steps, c(1, I64)))), at(4)),
        assign(12, ix("out", I64, i), steps),
    )
    loop = ir.Loop("i", c(0), n("n"), 1, body, at(2))
    return kernel("collatz", [arr("n", I64, IN), arr("out", I64, OUT)], loop,
                  locals_=(ir.Var("x", I64), ir.Var("steps", I64)), line=1)


def shrink_kernel() -> ir.Kernel:
    """A bound the body changes (Python reads it once), a downward loop and `continue`."""
    m, t, k = v("m"), v("t"), v("k")
    return kernel(
        "shrink", [arr("x", I64, IN)],
        assign(2, m, n("x")), assign(2, t, c(0)),
        ir.Loop("j", c(0), m, 1, (assign(4, m, bin_("-", m, c(1))), assign(5, t, bin_("+", t, c(1)))), at(3)),
        ir.Loop("k", c(10), c(0), -2, (
            ir.If(cmp("==", k, c(4)), (ir.Continue(at(7)),), (), at(7)),
            assign(8, t, bin_("+", t, k))), at(6)),
        ir.Return(t, at(9)), ret=I64, locals_=(ir.Var("m", I64), ir.Var("t", I64)), line=1)


def last_kernel() -> ir.Kernel:
    """`x[k]` with a possibly negative `k`."""
    index = call("wrap_index", I64, v("k", I64), n("x"))
    params = [arr("x", F64, IN), scalar("k", I64)]
    return kernel("last", params, ir.Return(ix("x", F64, index), at(2)), ret=F64)


def scale_kernel() -> ir.Kernel:
    """float32 constants: 0.1 is rounded to float32 as NumPy does, 2.0 is exact."""
    i = v("i")
    value = bin_("+", bin_("*", ix("x", F32, i), c(0.1, F32)), c(2.0, F32))
    loop = prange(2, target(("tofrom", "x", 1)), [("i", n("x"))], assign(3, ix("x", F32, i), value))
    return kernel("scale", [arr("x", F32, INOUT)], loop)


def twice_kernel() -> ir.Kernel:
    """Two offloaded loops in one `target data` region, so `y` stays on the device in between."""
    i = v("i")
    update = bin_("+", bin_("*", v("a", F32), ix("x", F32, i)), ix("y", F32, i))
    d = target(("to", "x", 1), ("tofrom", "y", 1))
    loops = tuple(
        prange(line, d, [("i", n("x"))], assign(line + 1, ix("y", F32, i), update)) for line in (3, 5)
    )
    data = ir.TargetData((ir.MapClause("tofrom", "y", 1), ir.MapClause("to", "x", 1)), loops, at(2))
    return kernel("twice", [scalar("a", F32), arr("x", F32, IN), arr("y", F32, INOUT)], data)


def strided_kernel() -> ir.Kernel:
    """`c[i, j] = a[i, j]` for i in range(1, n0), j in range(0, n1, 2), collapsed."""
    i, j = v("i"), v("j")
    levels = (ir.LoopLevel("i", c(1), n("a", 0), 1, AT), ir.LoopLevel("j", c(0), n("a", 1), 2, AT))
    body = (assign(3, ix("c", I32, i, j), ix("a", I32, i, j)),)
    d = target(("to", "a", 2), ("tofrom", "c", 2), collapse=2)
    loop = ir.ParallelLoop(levels, body, (), d, at(2))
    return kernel("strided", [arr("a", I32, IN, 2), arr("c", I32, INOUT, 2)], loop)


def divmod_kernel(t: ScalarType) -> ir.Kernel:
    return elementwise(f"divmod_{t.name}", t, t, lambda a, b: (bin_("//", a, b), bin_("%", a, b)), outs=2)


def minmax_kernel() -> ir.Kernel:
    def fn(a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ...]:
        return call("min", F64, a, b), call("max", F64, a, b)
    return elementwise("minmax", F64, F64, fn, outs=2)


def wrap8_kernel() -> ir.Kernel:
    """int8 arithmetic wraps: each result is cast back from C's `int`."""
    def fn(a: ir.Expr, b: ir.Expr) -> tuple[ir.Expr, ...]:
        neg = ir.Unary("-", a, AT, I8)
        return bin_("+", a, b), bin_("*", a, b), neg, call("abs", I8, a), call("ipow", I8, a, c(3, I64))
    return elementwise("wrap8", I8, I8, fn, outs=5)


def floats_kernel() -> ir.Kernel:
    """Math calls, classification, casts, `not`/`or` and a conditional expression."""
    def fn(a: ir.Expr) -> tuple[ir.Expr, ...]:
        negative = ir.Unary("not", cmp(">=", a, c(0.0, F64)), AT, BOOL)
        odd = ir.Logical("or", call("isnan", BOOL, a), negative, AT, BOOL)
        as_int = ir.Cast(ir.Cast(a, AT, I32), AT, F64)
        return call("sqrt", F64, call("fabs", F64, a)), ir.Select(odd, c(-1.0, F64), a, AT, F64), as_int
    return elementwise("floats", F64, F64, fn, outs=3, ins=1)


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def presumed_lines(text: str, c_file: str) -> list[tuple[str, int, str]]:
    """(file, line, text) for each non-directive line, as the preprocessor numbers them."""
    where, number, result = f'"{c_file}"', 1, []
    for line in lines_of(text):
        if line.startswith("#line "):
            _, num, where = line.split(" ", 2)
            number = int(num)
            continue
        result.append((where.strip('"'), number, line))
        number += 1
    return result


# ---------------------------------------------------------------------------------------------
# Text.


def test_saxpy_signature_pragma_and_header() -> None:
    emitted = emit_module(module(saxpy_kernel(), name="saxpy"))
    c_lines = lines_of(emitted.c_source)
    assert c_lines[0] == (
        "/* Generated by py2omp 0.1.0 from kernels/demo.py (sha256 0123456789abcdef). "
        "Do not edit: regenerate with `py2omp translate`. Target: host-offload. */"
    )
    signature = "void saxpy(float a, const float *restrict x, int64_t x_n0, float *restrict y, int64_t y_n0)"
    assert signature in c_lines
    assert "/* saxpy(a: f32, x: In[f32[:]], y: InOut[f32[:]]) -- kernels/demo.py:5 */" in c_lines
    pragma = c_lines.index("    #pragma omp target teams distribute parallel for \\")
    assert c_lines[pragma:pragma + 7] == [
        "    #pragma omp target teams distribute parallel for \\",
        "        num_teams(py2omp_num_teams(x_n0, 128)) \\",
        "        thread_limit(128) \\",
        "        map(to: x[0:x_n0]) \\",
        "        map(tofrom: y[0:y_n0])",
        '#line 6 "kernels/demo.py"',
        "    for (int64_t i = 0; i < x_n0; i += 1) {",
    ]
    assert "        y[i] = a * x[i] + y[i];" in c_lines
    assert c_lines.count("#pragma omp declare target") == 1 and "#include <omp.h>" not in c_lines
    h_lines = lines_of(emitted.h_source)
    assert "void saxpy(float a, const float *x, int64_t x_n0, float *y, int64_t y_n0);" in h_lines
    assert " *   y: InOut, map(tofrom: y[0:y_n0])" in h_lines
    assert h_lines[1:3] == ["#ifndef PY2OMP_SAXPY_H", "#define PY2OMP_SAXPY_H"]
    assert 'extern "C" {' in h_lines


def test_manifest_follows_design_format() -> None:
    manifest = emit_module(module(saxpy_kernel(), dot_kernel(), name="saxpy")).manifest
    assert manifest["format"] == 1 and manifest["library"] == "saxpy.so"
    assert (manifest["module"], manifest["source"], manifest["target"]) == ("saxpy", PATH, "host-offload")
    assert manifest["kernels"][0] == {
        "name": "saxpy", "symbol": "saxpy", "returns": None, "line": 5,
        "params": [
            {"name": "a", "kind": "scalar", "dtype": "float32"},
            {"name": "x", "kind": "array", "dtype": "float32", "rank": 1, "ownership": "in",
             "map": "to", "copy_in": True, "copy_out": False},
            {"name": "y", "kind": "array", "dtype": "float32", "rank": 1, "ownership": "inout",
             "map": "tofrom", "copy_in": True, "copy_out": True},
        ],
    }
    assert manifest["kernels"][1]["returns"] == "float64"


def test_collapse_reduction_and_loops() -> None:
    text = emit_module(module(add2d_kernel(), dot_kernel(), collatz_kernel(), shrink_kernel())).c_source
    for line in [
        "        collapse(2) \\",
        "        num_teams(py2omp_num_teams(a_n0 * a_n1, 128)) \\",
        "        map(to: a[0:a_n0 * a_n1], b[0:b_n0 * b_n1]) \\",
        "        map(from: c[0:c_n0 * c_n1])",
        "        for (int64_t j = 0; j < a_n1; j += 1) {",
        "            c[i * c_n1 + j] = a[i * a_n1 + j] + b[i * b_n1 + j] * 2.0;",
        "        map(to: x[0:x_n0], y[0:y_n0]) \\",
        "        map(tofrom: s) \\",
        "        reduction(+: s)",
        "    double s;",
        "    return s;",
        "        while (true) {",
        "            } else if (py2omp_mod_i64(x, 2) == 0) {",
        "                x = py2omp_floordiv_i64(x, 2);",
        "            } else {",
        "    for (int64_t j = 0, j_stop = m; j < j_stop; j += 1) {",
        "    for (int64_t k = 10; k > 0; k -= 2) {",
        "            continue;",
    ]:
        assert line in lines_of(text), line


def test_target_data_and_strided_trip_count() -> None:
    text = emit_module(module(twice_kernel(), strided_kernel())).c_source
    start = lines_of(text).index("    #pragma omp target data map(to: x[0:x_n0]) map(tofrom: y[0:y_n0])")
    assert lines_of(text)[start + 1:start + 3] == ["    {", '#line 3 "kernels/demo.py"']
    for line in [
        "        num_teams(py2omp_num_teams((a_n0 - 1) * py2omp_trip_count(0, a_n1, 2), 128)) \\",
        "    for (int64_t i = 1; i < a_n0; i += 1) {",
        "        for (int64_t j = 0; j < a_n1; j += 2) {",
        "static inline int64_t py2omp_trip_count(int64_t start, int64_t stop, int64_t step)",
    ]:
        assert line in lines_of(text), line


def test_cpu_and_serial_targets() -> None:
    i = v("i")
    body = assign(3, ix("y", F64, i), ix("x", F64, i))
    reduce = (ir.Reduction("+", "s"), ir.Reduction("max", "m"), ir.Reduction("+", "t"))
    cpu = prange(2, None, [("i", n("x"))], body)
    cpu = ir.ParallelLoop(cpu.levels, cpu.body, (ir.Var("tmp", F64),), ir.OmpParallelFor(1, reduce), cpu.span)
    params = [arr("x", F64, IN), arr("y", F64, OUT)]
    text = emit_module(module(kernel("copy", params, cpu), target_="cpu")).c_source
    assert "    #pragma omp parallel for reduction(+: s, t) reduction(max: m)" in lines_of(text)
    assert "        double tmp;" in lines_of(text) and "declare target" not in text
    serial_loop = prange(2, None, [("i", n("x"))], body)
    serial = emit_module(module(kernel("copy", params, serial_loop), target_="serial"))
    assert "#pragma" not in serial.c_source


def test_expressions() -> None:
    params = [arr("a", I64, IN, 3), scalar("p", I8), scalar("q", I8), scalar("f", F64), scalar("g", F64)]
    locals_ = tuple(ir.Var(name, I64) for name in "ijkxy")
    emit = ExprEmitter(kernel_names(kernel("k", params, locals_=locals_), ()), HelperSet(), {})
    a, b, x = v("i", I64), v("j", I64), v("k", I64)
    p, q, f, g = v("p", I8), v("q", I8), v("f", F64), v("g", F64)
    both = ir.Logical("and", cmp("<", f, g), cmp("<", g, f), AT, BOOL)
    cases: dict[str, ir.Expr] = {
        "a[(i * a_n1 + j) * a_n2 + k]": ix("a", I64, a, b, x),
        "a[(i + 1) * a_n1 + j * 2]": ix("a", I64, bin_("+", a, c(1, I64)), bin_("*", b, c(2, I64))),
        "i - (j - k)": bin_("-", a, bin_("-", b, x)),
        "i - j - k": bin_("-", bin_("-", a, b), x),
        "(i + j) * k": bin_("*", bin_("+", a, b), x),
        "i * j + k": bin_("+", bin_("*", a, b), x),
        "(i & j) == k": cmp("==", bin_("&", a, b), x),
        "i + j < k": cmp("<", bin_("+", a, b), x),
        "i << (j + k)": bin_("<<", a, bin_("+", b, x)),
        "(int8_t)(p + q)": bin_("+", p, q),
        "(int8_t)(~p)": ir.Unary("~", p, AT, I8),
        "-(-f)": ir.Unary("-", ir.Unary("-", f, AT, F64), AT, F64),
        "f - -1.5": bin_("-", f, c(-1.5, F64)),
        "(int64_t)2000000000 * 3": bin_("*", c(2000000000, I64), c(3, I64)),
        "(int64_t)1 << i": bin_("<<", c(1, I64), a),
        "(f < g && g < f) || f == g": ir.Logical("or", both, cmp("==", f, g), AT, BOOL),
        "(double)(i + j)": ir.Cast(bin_("+", a, b), AT, F64),
        "(f < g ? f : g)": ir.Select(cmp("<", f, g), f, g, AT, F64),
        "powf(x, y)": call("pow", F32, v("x", F32), v("y", F32)),
        "py2omp_ipow_i64(i, 5)": call("ipow", I64, a, c(5, I64)),
        "j": call("abs", U64, v("j", U64)),
    }
    for expected, expr in cases.items():
        assert emit(expr) == expected


@pytest.mark.parametrize("value, t, expected", [
    (True, BOOL, "true"), (-(2**63), I64, "(-9223372036854775807 - 1)"),
    (2**64 - 1, U64, "18446744073709551615u"), (3_000_000_000, U64, "3000000000"), (-5, I16, "-5"),
    (2.0, F32, "2.0f"), (0.1, F32, "(float)0.1"), (-0.1, F32, "-(float)0.1"), (0.1, F64, "0.1"),
    (1e16, F64, "1e+16"), (-0.0, F64, "-0.0"), (math.inf, F64, "INFINITY"), (-math.inf, F32, "-INFINITY"),
    (math.nan, F64, "NAN"), (1e39, F32, "INFINITY"), (3.0, F64, "3.0"), (2, F64, "2.0"),
])
def test_constants(value: Any, t: ScalarType, expected: str) -> None:
    assert const(value, t).text == expected


def test_reserved_and_generated_names() -> None:
    i_stop = v("i_stop")
    params = [scalar("int", I64), arr("x", F64, INOUT), scalar("x_n0", I64), scalar("sqrt", F64)]
    body = (
        assign(2, v("double"), c(1)), assign(2, i_stop, v("int")),
        ir.Loop("i", c(0), i_stop, 1, (assign(3, i_stop, c(0)), assign(4, v("py2omp_t"), v("__x"))), at(3)),
    )
    locals_ = tuple(ir.Var(name, I64) for name in ("double", "i_stop", "py2omp_t", "__x"))
    text = emit_module(module(kernel("main", params, *body, locals_=locals_))).c_source
    assert ("void main_(int64_t int_, double *restrict x, int64_t x_n0, int64_t x_n0_, double sqrt_)"
            in lines_of(text))
    for line in [
        "    int64_t double_;", "    int64_t i_stop_;", "    int64_t py2omp_t_;", "    int64_t __x_;",
        "    for (int64_t i = 0, i_stop = i_stop_; i < i_stop; i += 1) {",
    ]:
        assert line in lines_of(text), line
    manifest = emit_module(module(kernel("main", params, *body, locals_=locals_))).manifest
    assert manifest["kernels"][0]["symbol"] == "main_"


def test_helpers_only_used_once_each_in_fixed_order() -> None:
    kernels = (divmod_kernel(I64), minmax_kernel(), divmod_kernel(I64), divmod_kernel(F32))
    text = emit_module(module(*kernels)).c_source
    definitions = [line for line in lines_of(text) if line.startswith("static inline")]
    assert [d.split("(")[0].split()[-1] for d in definitions] == [
        "py2omp_num_teams", "py2omp_min_f64", "py2omp_max_f64", "py2omp_floordiv_i64", "py2omp_floordiv_f32",
        "py2omp_mod_i64", "py2omp_mod_f32",
    ]


def test_deterministic() -> None:
    first = emit_module(module(saxpy_kernel(), collatz_kernel(), wrap8_kernel()))
    second = emit_module(module(saxpy_kernel(), collatz_kernel(), wrap8_kernel()))
    assert first == second


def test_line_directives_are_minimal_and_correct() -> None:
    text = emit_module(module(saxpy_kernel(), collatz_kernel(), dot_kernel())).c_source
    numbered = presumed_lines(text, "demo.c")
    where = {line.strip(): (file, number) for file, number, line in numbered}
    assert where["y[i] = a * x[i] + y[i];"] == (PATH, 7)
    assert where["} else if (py2omp_mod_i64(x, 2) == 0) {"] == (PATH, 7)
    assert where["x = 3 * x + 1;"] == (PATH, 10)
    assert where["return s;"] == (PATH, 6)
    assert where["static inline int64_t py2omp_floordiv_i64(int64_t a, int64_t b)"][0] == "demo.c"
    physical = lines_of(text)
    for file, number, line in numbered:
        if file == "demo.c":  # generated code is numbered by its real place in the C file
            assert physical[number - 1] == line
    # No directive restates what the preprocessor already knows.
    previous: tuple[str, int] = ("", 0)
    for line in physical:
        if line.startswith("#line "):
            _, num, file = line.split(" ", 2)
            assert (file.strip('"'), int(num)) != previous, line
            previous = (file.strip('"'), int(num))
        else:
            previous = (previous[0], previous[1] + 1)


def test_resolve_line_directives() -> None:
    text = '\n'.join(['int a;', '#line 2 "m.c"', '#line 5 "p.py"', 'x;', '#line 6 "p.py"', 'y;',
                      '#line 6 "p.py"', 'z;', '#line __PY2OMP_C_FILE__', 'w;'])
    assert resolve_line_directives(text, '"m.c"') == '\n'.join(
        ['int a;', '#line 5 "p.py"', 'x;', 'y;', '#line 6 "p.py"', 'z;', '#line 8 "m.c"', 'w;'])


# ---------------------------------------------------------------------------------------------
# Compiled and run (host offload: target regions run on a CPU "device" with its own memory).


@needs_clang
def test_run_saxpy_add2d_dot_scale_last(tmp_path: Path) -> None:
    kernels = (saxpy_kernel(), add2d_kernel(), dot_kernel(), scale_kernel(), last_kernel())
    lib = Library(emit_module(module(*kernels, name="basics")), tmp_path)
    x = np.linspace(-3, 3, 1001, dtype=np.float32)
    y = np.cos(x).astype(np.float32)
    expected = np.float32(2.5) * x + y
    lib("saxpy", np.float32(2.5), x, y)
    assert same(y, expected)
    a = np.arange(15.0).reshape(3, 5) / 7
    b = np.sqrt(a + 1)
    out = np.zeros_like(a)
    lib("add2d", a, b, out)
    assert same(out, a + b * 2.0)
    u, w = np.arange(1000.0), np.arange(1000.0) % 7
    assert lib("dot", u, w) == np.dot(u, w)
    z = np.linspace(-1, 1, 77, dtype=np.float32)
    expected = z * np.float32(0.1) + np.float32(2.0)
    lib("scale", z)
    assert same(z, expected)
    assert lib("last", u, -1) == 999.0 and lib("last", u, 3) == 3.0


@needs_clang
def test_run_target_data_and_strided(tmp_path: Path) -> None:
    lib = Library(emit_module(module(twice_kernel(), strided_kernel(), name="regions")), tmp_path)
    x = np.linspace(0, 1, 300, dtype=np.float32)
    y = np.ones_like(x)
    a = np.float32(1.5)
    expected = a * x + (a * x + y)
    lib("twice", a, x, y)
    assert same(y, expected)
    src = np.arange(35, dtype=np.int32).reshape(5, 7)
    dst = np.full_like(src, -1)
    lib("strided", src, dst)
    expected = np.full_like(src, -1)
    expected[1:, ::2] = src[1:, ::2]
    assert same(dst, expected)


@needs_clang
def test_run_serial_control_flow(tmp_path: Path) -> None:
    lib = Library(emit_module(module(collatz_kernel(), shrink_kernel(), target_="serial")), tmp_path)

    def collatz(value: int) -> int:
        steps = 0
        while value != 1:
            value = value // 2 if value % 2 == 0 else 3 * value + 1
            steps += 1
        return steps

    starts = np.arange(1, 60, dtype=np.int64)
    out = np.zeros_like(starts)
    lib("collatz", starts, out)
    assert out.tolist() == [collatz(int(s)) for s in starts]
    assert lib("shrink", np.zeros(9, dtype=np.int64)) == 9 + 10 + 8 + 6 + 2


@pytest.fixture(scope="module")
def semantics(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """One library with the helper-heavy kernels, built once for the grid tests."""
    kernels = [divmod_kernel(t) for t in (I64, I32, I16, I8, U8, U64, F64, F32)]
    kernels += [minmax_kernel(), wrap8_kernel(), floats_kernel()]
    emitted = emit_module(module(*kernels, name="semantics"))
    return Library(emitted, tmp_path_factory.mktemp("semantics"))


def pairs(values: list[Any], dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every (a, b) from `values`, as two arrays."""
    grid: np.ndarray = np.array([(a, b) for a in values for b in values], dtype=dtype)
    return np.ascontiguousarray(grid[:, 0]), np.ascontiguousarray(grid[:, 1])


@needs_clang
@pytest.mark.parametrize("t", [I64, I32, I16, I8, U8, U64], ids=lambda t: t.name)
def test_int_floordiv_mod(semantics: Library, t: ScalarType) -> None:
    dtype = np.dtype(t.numpy_name)
    info = np.iinfo(dtype)
    values = sorted({int(x) for x in range(-9, 10) if info.min <= x <= info.max}
                    | {info.min, info.min + 1, info.max, info.max - 1})
    a, b = pairs(values, dtype)
    q, r = np.empty_like(a), np.empty_like(a)
    semantics(f"divmod_{t.name}", a, b, q, r)
    with np.errstate(all="ignore"):  # NumPy's integer arrays: x // 0 == x % 0 == 0, MIN // -1 wraps
        assert same(q, a // b) and same(r, a % b)
    for x, y, fq, fr in zip(a.tolist(), b.tolist(), q.tolist(), r.tolist(), strict=True):
        if y != 0 and info.min <= x // y <= info.max:
            assert (fq, fr) == (x // y, x % y), (x, y)


FLOATS = [-7.5, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 7.5, 1e300, -1e-300, 5e-324, 0.1,
          math.inf, -math.inf, math.nan]


@needs_clang
def test_float64_floordiv_mod_follow_python(semantics: Library) -> None:
    a, b = pairs(FLOATS, np.float64)
    q, r = np.empty_like(a), np.empty_like(a)
    semantics("divmod_f64", a, b, q, r)
    with np.errstate(all="ignore"):
        by_zero_q, by_zero_r = np.floor_divide(a, b), np.remainder(a, b)
    for k, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        expected = (by_zero_q[k], by_zero_r[k]) if y == 0 else (x // y, x % y)
        assert same(np.array([q[k], r[k]]), np.array(expected)), (x, y, q[k], r[k], expected)


@needs_clang
def test_float32_floordiv_mod_follow_numpy(semantics: Library) -> None:
    a, b = pairs([x for x in FLOATS if abs(x) < 1e30], np.float32)
    q, r = np.empty_like(a), np.empty_like(a)
    semantics("divmod_f32", a, b, q, r)
    with np.errstate(all="ignore"):
        assert same(q, np.floor_divide(a, b)) and same(r, np.remainder(a, b))


@needs_clang
def test_min_max_keep_python_nan_and_order(semantics: Library) -> None:
    a, b = pairs([math.nan, -math.inf, -1.0, -0.0, 0.0, 1.0, math.inf], np.float64)
    lo, hi = np.empty_like(a), np.empty_like(a)
    semantics("minmax", a, b, lo, hi)
    assert same(lo, np.array([min(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]))
    assert same(hi, np.array([max(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]))


@needs_clang
def test_narrow_integers_wrap_like_numpy(semantics: Library) -> None:
    a, b = pairs(list(range(-128, 128, 3)) + [127], np.int8)
    outs = [np.empty_like(a) for _ in range(5)]
    semantics("wrap8", a, b, *outs)
    with np.errstate(all="ignore"):
        expected = [a + b, a * b, -a, np.abs(a), a ** np.int8(3)]
    for out, exp in zip(outs, expected, strict=True):
        assert same(out, exp)


@needs_clang
def test_math_select_and_casts(semantics: Library) -> None:
    a = np.array([-2.5, -0.0, 0.0, 0.3, 4.0, 1e9, math.inf, math.nan])
    r0, r1, r2 = (np.empty_like(a) for _ in range(3))
    semantics("floats", a, r0, r1, r2)
    assert same(r0, np.sqrt(np.abs(a)))
    assert same(r1, np.where(np.isnan(a) | ~(a >= 0), -1.0, a))
    assert same(r2[:6], a[:6].astype(np.int32).astype(np.float64))


@needs_clang
def test_clang_errors_point_at_python_lines(tmp_path: Path) -> None:
    bad = kernel("bad", [arr("x", F64, OUT)], assign(42, ix("x", F64, c(0)), v("ghost", F64)))
    with pytest.raises(subprocess.CalledProcessError) as failure:
        build(emit_module(module(bad)), tmp_path)
    assert f"{PATH}:42:" in failure.value.stderr and "ghost" in failure.value.stderr


@needs_clang
@pytest.mark.skipif(not Path("/usr/local/cuda").is_dir(), reason="no CUDA toolkit for nvptx offload")
def test_builds_for_nvptx(tmp_path: Path) -> None:
    kernels = (saxpy_kernel(), dot_kernel(), divmod_kernel(F32))
    emitted = emit_module(module(*kernels, name="nv", target_="nvptx:sm_90"))
    assert "#pragma omp declare target" in emitted.c_source
    assert build(emitted, tmp_path, NVPTX).stat().st_size > 0
