"""A readable text form of the IR, for debugging passes and for `py2omp translate --ir`.

Types print after a colon where known (`x[i]:f32`), so a dump shows exactly what typing decided.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.types import ArrayType
from translator.ir.visit import Visitor, is_expr


def format_module(module: ir.Module) -> str:
    functions = [f"device {format_kernel(f)}" for f in module.device_functions]
    return "\n\n".join(functions + [format_kernel(k) for k in module.kernels]) + "\n"


def format_kernel(kernel: ir.Kernel) -> str:
    params = ", ".join(_param(p) for p in kernel.params)
    ret = kernel.return_type.name if kernel.return_type else "None"
    if kernel.results is not None:
        items = ", ".join(item or ret for item in kernel.results.items)
        ret = f"({items}{',' * (len(kernel.results.items) == 1)})" if kernel.results.as_tuple else items
    lines = [f"kernel {kernel.name}({params}) -> {ret}"]
    lines += [f"  local {v.name}: {v.type}" for v in kernel.locals]
    lines += _block(kernel.body, INDENT)
    return "\n".join(lines)


def _param(param: ir.Param) -> str:
    owner = f"{param.ownership.marker} " if param.ownership else ""
    made = param.allocation
    if made is None:
        return f"{param.name}: {owner}{param.type}"
    shape = ", ".join(format_expr(d) for d in made.shape)
    fill = "empty" if made.fill is None else f"fill {format_expr(made.fill)}"
    return f"{param.name}: {owner}{param.type} = new[{shape}] {fill}"


INDENT = "  "


def _block(stmts: tuple[ir.Stmt, ...], pad: str) -> list[str]:
    """The statements' lines after `pad`, their nested blocks one `INDENT` deeper."""
    out: list[str] = []
    for stmt in stmts:
        out += _PRINTER.visit(stmt, pad)
    return out or [pad + "pass"]


class _Printer(Visitor[[str], list[str]]):
    """The lines of one statement, each after `pad`; nested blocks one level deeper."""

    def visit_Assign(self, stmt: ir.Assign, pad: str) -> list[str]:
        return [f"{pad}{format_expr(stmt.target)} = {format_expr(stmt.value)}"]

    def visit_If(self, stmt: ir.If, pad: str) -> list[str]:
        keyword = "guard" if stmt.guard else "if"
        return [f"{pad}{keyword} {format_expr(stmt.cond)}:", *_block(stmt.body, pad + INDENT),
                *([f"{pad}else:", *_block(stmt.orelse, pad + INDENT)] if stmt.orelse else [])]

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign, pad: str) -> list[str]:
        """`target = value where mask  # dtype[shape]` (the value's type once typed)."""
        shape = "" if stmt.type is None else f"  # {stmt.type.dtype}[{', '.join(map(format_expr, stmt.type.shape))}]"
        where = "" if stmt.where is None else f" where {format_expr(stmt.where)}"
        return [f"{pad}{format_expr(stmt.target)} = {format_expr(stmt.value)}{where}{shape}"]

    def visit_Scatter(self, stmt: ir.Scatter, pad: str) -> list[str]:
        return [f"{pad}{format_expr(stmt.target)} = {format_expr(stmt.value)}  # scatter"]

    def visit_Loop(self, stmt: ir.Loop, pad: str) -> list[str]:
        kind = "prange" if stmt.parallel else "range"
        bounds = f"{format_expr(stmt.start)}, {format_expr(stmt.stop)}, {stmt.step}{_launch(stmt.launch)}"
        marks = "  # independent" * stmt.independent + "  # disjoint" * stmt.disjoint
        head = f"{pad}for {stmt.var} in {kind}({bounds}):{marks}"
        return [head, *_block(stmt.body, pad + INDENT)]

    def visit_CallStatement(self, stmt: ir.CallStatement, pad: str) -> list[str]:
        return [f"{pad}{format_expr(stmt.call)}"]

    def visit_LocalArray(self, stmt: ir.LocalArray, pad: str) -> list[str]:
        return [f"{pad}local {stmt.name}: {_dtype(stmt.type)}{list(stmt.shape)}{' = 0' if stmt.zeroed else ''}"]

    def visit_Temporary(self, stmt: ir.Temporary, pad: str) -> list[str]:
        return [f"{pad}{_temporary(stmt)}"]

    def visit_AtomicUpdate(self, stmt: ir.AtomicUpdate, pad: str) -> list[str]:
        return [f"{pad}atomic {format_expr(stmt.target)} {stmt.op}= {format_expr(stmt.value)}"]

    def visit_While(self, stmt: ir.While, pad: str) -> list[str]:
        return [f"{pad}while {format_expr(stmt.cond)}:", *_block(stmt.body, pad + INDENT)]

    def visit_Return(self, stmt: ir.Return, pad: str) -> list[str]:
        return [f"{pad}return" + (f" {format_expr(stmt.value)}" if stmt.value else "")]

    def visit_Break(self, stmt: ir.Break, pad: str) -> list[str]:
        return [f"{pad}break"]

    def visit_Continue(self, stmt: ir.Continue, pad: str) -> list[str]:
        return [f"{pad}continue"]

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop, pad: str) -> list[str]:
        levels = ", ".join(f"{lv.var} in [{format_expr(lv.start)}, {format_expr(lv.stop)}, {lv.step}]" for lv in stmt.levels)
        locals_ = [f"{pad}  local {v.name}: {v.type}" for v in stmt.locals]
        made = [f"{pad}  {_temporary(t)} per iteration" for t in stmt.temporaries]
        flat = " as one level over the element number" * stmt.flat
        return [f"{pad}parallel {levels}{flat}  # {format_directive(stmt.directive)}", *made, *locals_,
                *_block(stmt.body, pad + INDENT)]

    def visit_TargetData(self, stmt: ir.TargetData, pad: str) -> list[str]:
        return [f"{pad}target data {stmt.maps}:", *_block(stmt.body, pad + INDENT)]

    def visit_TaskWait(self, stmt: ir.TaskWait, pad: str) -> list[str]:
        return [f"{pad}taskwait"]

    def visit_TeamLoop(self, stmt: ir.TeamLoop, pad: str) -> list[str]:
        """`in one team where trip counts <= limit:` the loop, then the launches under `else`."""
        threads = "" if stmt.threads is None else f" of {stmt.threads} threads"
        return [f"{pad}in one team{threads} where trip counts <= {stmt.limit}:", *self.visit(stmt.loop, pad + INDENT),
                f"{pad}else:", *self.visit(stmt.fallback, pad + INDENT)]
    def visit_LibraryCall(self, stmt: ir.LibraryCall, pad: str) -> list[str]:
        """`cuBLAS dgemm(A^T, B, C) ...` then the loops it replaces under `else`."""
        names = [f"{a.array}{'^T' * flag}" for a, flag in zip(stmt.operands, (*stmt.transposed, False))]
        args = ", ".join(f"{n}[{format_expr(o)}:, stride {format_expr(s)}]"
                         for n, o, s in zip(names, stmt.offsets, stmt.strides))
        sizes = " x ".join(format_expr(n) for n in stmt.sizes) + (f" {stmt.triangle} triangle" if stmt.triangle else "") + \
            " unit diagonal" * stmt.unit_diagonal + " in place" * stmt.in_place
        head = (f"{pad}{stmt.library} {stmt.symbol}({args}) sizes {sizes}, alpha {format_expr(stmt.alpha)}, "
                f"beta {format_expr(stmt.beta)} when {format_expr(stmt.when)}{' on device pointers' * stmt.device_ptrs}"
                f"{', after a queued call' * stmt.after_queued}{', queued' * stmt.queued}")
        return [head, f"{pad}else:", *_block(stmt.body, pad + INDENT),
                *([f"{pad}failed:", *_block(stmt.orelse, pad + INDENT)] if stmt.orelse else [])]

    def visit_UpdateFrom(self, stmt: ir.UpdateFrom, pad: str) -> list[str]:
        return [f"{pad}update from {stmt.array} box {' x '.join(_interval(iv) for iv in stmt.box)}"]


_PRINTER = _Printer()


def _temporary(made: ir.Temporary) -> str:
    """`temporary t: f64[C4.shape[1]]`: an array of run-time size, one per prange iteration."""
    return f"temporary {made.name}: {_dtype(made.type)}[{', '.join(format_expr(d) for d in made.shape)}]"


def _dtype(t: ArrayType | ir.ArrayLike) -> str:
    """An array's dtype; before typing decides it, `dtype(<an element of its value>)`."""
    return str(t.dtype) if isinstance(t, ArrayType) else f"dtype({format_expr(t.like)})"


def _launch(launch: ir.Launch | None) -> str:
    """`, num_teams=..., schedule='dynamic'`: the launch keywords a prange was given."""
    if launch is None:
        return ""
    given = {"num_teams": launch.num_teams, "thread_limit": launch.thread_limit}
    parts = [f", {key}={format_expr(value)}" for key, value in given.items() if value is not None]
    return "".join(parts) + (f", schedule={launch.schedule!r}" if launch.schedule else "")


def _interval(interval: ir.Interval) -> str:
    """`[lo, hi)`: the half-open interval, typed like any expression."""
    return f"[{format_expr(interval.lo)}, {format_expr(interval.hi)})"


def format_directive(directive: ir.OmpTarget | ir.OmpParallelFor | None) -> str:
    """`OmpTarget collapse=1 maps=[to:x, tofrom:y] thread_limit=256`: the fields that are set."""
    if directive is None:
        return "no directive"
    parts = [type(directive).__name__]
    for field in dataclasses.fields(directive):
        value = getattr(directive, field.name)
        if value in ((), None, False):
            continue
        if isinstance(value, tuple):
            value = "[" + ", ".join(_clause(item) for item in value) + "]"
        elif is_expr(value):
            value = format_expr(value)
        parts.append(f"{field.name}={value}")
    return " ".join(parts)


def _clause(item: object) -> str:
    if isinstance(item, ir.MapClause):
        return f"{item.map_type}:{item.array}"
    if isinstance(item, ir.Reduction):
        return f"{item.op}:{item.var}"
    return str(item)


def format_expr(expr: ir.Expr) -> str:
    """One expression, fully parenthesized, with its type when known."""
    suffix = f":{expr.type}" if expr.type is not None else ""
    return _expr(expr) + suffix


def _view(view: ir.View) -> str:
    """`A[i, :]{[1, (n - 1)), new}`: the array indexed (`:` where a dimension runs), then its axes
    in the view's order, each its half-open range (`d1=[lo, hi)` when the order is not the array's)
    or `new`; a diagonal's axes joined by `&` (`d0=[0, n) & d1=[0, n)`)."""
    fixed = ", ".join(":" if index is None else format_expr(index) for index in view.fixed)
    running = [axis.dim for axis in view.axes if axis.dim is not None]
    ordered = running == sorted(running) and not any(axis.diagonal for axis in view.axes)

    def part(axis: ir.ViewAxis) -> str:
        if axis.dim is None:
            return "new"
        by = "" if isinstance(axis.step, int) else f" by {format_expr(axis.step)}"  # a run-time step
        return f"{'' if ordered else f'd{axis.dim}='}[{format_expr(axis.lo)}, {format_expr(axis.hi)}){by}"
    axes = ", ".join(" & ".join(part(p) for p in (axis, *axis.diagonal)) for axis in view.axes)
    return f"{view.array}[{fixed}]{{{axes}}}"


def _expr(expr: ir.Expr) -> str:
    if isinstance(expr, ir.Const):
        return repr(expr.value)
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, (ir.Index, ir.Gather)):
        return f"{expr.array}[{', '.join(format_expr(i) for i in expr.indices)}]"
    if isinstance(expr, ir.Extent):
        return f"{expr.array}.shape[{expr.dim}]"
    if isinstance(expr, ir.Unary):
        return f"({expr.op} {format_expr(expr.operand)})"
    if isinstance(expr, (ir.Binary, ir.Compare, ir.Logical)):
        return f"({format_expr(expr.left)} {expr.op} {format_expr(expr.right)})"
    if isinstance(expr, ir.Select):
        return f"({format_expr(expr.then)} if {format_expr(expr.cond)} else {format_expr(expr.orelse)})"
    if isinstance(expr, ir.Call):
        return f"{expr.func}({', '.join(format_expr(a) for a in expr.args)})"
    if isinstance(expr, ir.Cast):
        return f"cast({format_expr(expr.operand)})"
    if isinstance(expr, ir.ArrayArg):
        return f"{expr.array}[...]"
    if isinstance(expr, ir.CallFunction):
        return f"{expr.symbol or expr.func}({', '.join(format_expr(a) for a in expr.args)})"
    if isinstance(expr, ir.View):
        return _view(expr)
    if isinstance(expr, ir.Arange):
        shape = "" if expr.rank == 1 else f", axis {expr.axis} of {expr.rank}"
        return f"arange({format_expr(expr.start)}, {format_expr(expr.stop)}, {format_expr(expr.step)}{shape})"
    if isinstance(expr, ir.Remap):
        return (f"remap({format_expr(expr.operand)}, shape=({', '.join(format_expr(n) for n in expr.lengths)}), "
                f"at=({', '.join(format_expr(p) for p in expr.positions)}))")
    if isinstance(expr, ir.Position):
        return f"@{expr.axis}"
    if isinstance(expr, ir.ArrayReduce):
        options = "".join([", keepdims" * expr.keepdims, f", ddof={expr.ddof}" * (expr.ddof != 0),
                           "" if expr.where is None else f", where={format_expr(expr.where)}"])
        return f"{expr.op}({format_expr(expr.operand)}, axes={list(expr.axes)}{options})"
    raise TypeError(f"not an IR expression: {expr!r}")
