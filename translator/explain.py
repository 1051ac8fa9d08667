"""`py2omp explain FILE.py`: how each array of each kernel moves, and why.

Moving data costs more than computing on it (TOOLCHAIN.md), so the user should see, without
reading C: the ownership declared and the one the analysis infers, the map clause emitted, the
bytes each call moves as a formula of the extents, and the Python lines that decided it.
"""

from __future__ import annotations

import functools

from translator import pipeline
from translator.frontend import Selection
from translator.ir import nodes as ir
from translator.ir.pytext import python_text
from translator.ir.types import I64, ArrayType, Ownership
from translator.ir.visit import walk_all
from translator.passes.access import strip
from translator.passes.ownership import box_text
from translator.targets import Target


def explain_file(path: str, target: Target, selection: Selection = Selection()) -> str:
    """The explanation of every kernel in the file at `path` (typed by `selection`'s signatures),
    lowered for `target`."""
    module = pipeline.lower(path, target, selection=selection)
    offload = target.offloads
    blocks = [explain_kernel(k, path, offload) for k in module.kernels]
    warnings = [w.render() for k in module.kernels for w in k.warnings]
    return "\n\n".join(blocks + warnings) + "\n"


def explain_kernel(kernel: ir.Kernel, path: str, offload: bool) -> str:
    lines = [f"{kernel.name} ({path}:{kernel.span.line})"]
    totals: dict[str, list[str]] = {"to": [], "from": []}
    for movement in kernel.movement:
        param = kernel.param(movement.array)
        assert param is not None and isinstance(param.type, ArrayType) and param.ownership is not None
        size = _size(param)
        clause = f"map({param.ownership.map_type}: {param.name}[0:{' * '.join(_extents(param))}])"
        to = size if param.ownership in (Ownership.IN, Ownership.INOUT) else "0"
        back = size if param.ownership in (Ownership.OUT, Ownership.INOUT) else "0"
        if movement.sectioned and movement.written:
            back = _section_size(param, movement.written)
            clause = (f"map(alloc: {param.name}[0:{' * '.join(_extents(param))}]) + target update from "
                      + " and ".join(box_text(param.name, box, param.type.rank) for box in movement.written))
        if movement.section is not None:
            rows = movement.section
            clause = (f"map({param.ownership.map_type}: {param.name}[{python_text(rows.lo)}:{python_text(rows.hi)}]) "
                      "(rows the kernel reaches, clamped to the extent)")
            size = _section_size(param, ((rows,),))
            to, back = (size if t != "0" else "0" for t in (to, back))
        declared = movement.declared.marker if movement.declared else (
            "none (made by the kernel)" if param.allocation else "none")
        lines += [
            f"  {param.name}: declared {declared}, inferred {movement.inferred.marker}",
            f"    {clause if offload else 'no map (target runs on the host)'}",
            f"    bytes per call: {to if offload else '0'} to the device, {back if offload else '0'} back",
            f"    why: {movement.reason}",
        ]
        if movement.unsectioned is not None and offload:
            lines.append(f"    whole array: the index at line {movement.unsectioned.line} is known only on the device "
                         "(a gather, a data-dependent or negative index, or a device function's argument)")
        totals["to"] += [to] if offload and to != "0" else []
        totals["from"] += [back] if offload and back != "0" else []
    lines.append(f"  total per call: {' + '.join(totals['to']) or '0'} bytes to the device, "
                 f"{' + '.join(totals['from']) or '0'} back")
    return "\n".join(lines + _library_calls(kernel))


def _library_calls(kernel: ir.Kernel) -> list[str]:
    """`line 7: matrix product -> cuBLAS dgemm ...`: the products a vendor BLAS computes, and which
    part (a triangle, in place) where it is not the whole product."""
    calls = [n for n in walk_all(kernel.body) if isinstance(n, ir.LibraryCall)]
    return [f"  line {c.span.line}: {_product_kind(c)} -> {c.library} {c.symbol} when the library is found at run "
            f"time (PY2OMP_BLAS=0: the kernel's own loops)" for c in calls]


def _product_kind(call: ir.LibraryCall) -> str:
    if call.routine == "trmm":
        return "product by a triangular matrix, in place (through a device buffer)"
    if call.triangle is not None:
        return f"{call.triangle} triangle of a matrix product" + " plus its transpose" * (call.routine == "syr2k")
    return "matrix product" + ", in place (through a device buffer)" * call.in_place


def _extents(param: ir.Param) -> list[str]:
    assert isinstance(param.type, ArrayType)
    return [f"{param.name}.shape[{d}]" for d in range(param.type.rank)]


def _size(param: ir.Param) -> str:
    """`8 * u.shape[0] * u.shape[1]`: the array's bytes as a formula of its extents."""
    assert isinstance(param.type, ArrayType)
    return " * ".join([str(param.type.dtype.bits // 8), *_extents(param)])


def _section_size(param: ir.Param, boxes: tuple[tuple[ir.Interval, ...], ...]) -> str:
    """`8 * (u.shape[0] - 2) * (u.shape[1] - 2)`: the bytes of the written boxes (at most, when they
    overlap; before clamping to the extents), a box of fewer intervals than the rank spanning the
    other dimensions whole."""
    assert isinstance(param.type, ArrayType)
    itemsize: ir.Expr = ir.Const(param.type.dtype.bits // 8, param.span, I64)
    rank = param.type.rank

    def times(total: ir.Expr, factor: ir.Expr) -> ir.Expr:
        return ir.Binary("*", total, factor, param.span, I64)

    rest: list[ir.Expr] = [ir.Extent(param.name, d, param.span, I64) for d in range(len(boxes[0][:rank]), rank)]
    sizes = [functools.reduce(times, [_length(iv) for iv in box[:rank]] + rest, itemsize) for box in boxes]
    return " + ".join(python_text(size) for size in sizes)


def _length(interval: ir.Interval) -> ir.Expr:
    """`hi - lo`, folded where `lo` is a constant (`n - 1 - 1` reads `n - 2`)."""
    lo, hi = strip(interval.lo), strip(interval.hi)
    if isinstance(lo, ir.Const) and lo.value == 0:
        return hi
    if isinstance(lo, ir.Const) and isinstance(hi, ir.Binary) and hi.op == "-" and isinstance(hi.right, ir.Const):
        return ir.Binary("-", hi.left, ir.Const(hi.right.value + lo.value, hi.span, I64), hi.span, I64)
    return ir.Binary("-", hi, lo, hi.span, I64)
