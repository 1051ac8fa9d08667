"""Host code that reads or writes array elements runs on the device, in a `prange` of one iteration.

A kernel's arrays live on the device between its parallel loops (one `target data` region), so a
serial loop outside any `prange` that touches elements (a trace `trace += np.tanh(a[i, i])`, an
insertion sort, a running window, `y[0] + y[-1]`, `for v in x`) cannot read them on the host without
copying whole arrays back. Such a statement runs instead, unchanged and in order, on one device
thread: it becomes the body of a one-iteration `prange` marked `host_code`. The scalars it assigns
that the rest of the kernel uses (`trace`, a returned accumulator) are `copied`: mapped `tofrom`, so
the host holds their values before and after, and parallelization declares them on the host.

The statement wrapped is the largest one holding no parallel loop (a whole serial loop nest and its
branches); a loop or branch that holds parallel loops is entered instead, and each of its statements
is treated alone, so `c = coeffs[i]` in a host loop around an array statement is one small region.
A `return` of an expression that reads elements computes it into a fresh local in a region, then
returns the local. What cannot be wrapped keeps the located error: an element read in the header of
a loop or branch that holds parallel loops, or a region that would hold a `break`/`continue` of a
loop outside it. Runs after `lower_arrays` (array statements are loops then, and reductions are
hoisted into parallel loops of their own before the statement that uses them).
"""

from __future__ import annotations

import dataclasses

from translator.errors import TranslationError
from translator.ir import nodes as ir
from translator.ir.names import FreshNames
from translator.ir.types import I64, ScalarType
from translator.ir.visit import Node, children, nested_statements, walk, walk_all


def device_regions(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` with each host statement that touches elements run in a one-iteration `prange`."""
    regions = _Regions(kernel)
    body = regions.block(kernel.body)
    if not regions.made:
        return kernel
    return dataclasses.replace(kernel, body=regions.with_copies(body), locals=kernel.locals + tuple(regions.locals))


class _Regions:
    """One kernel's host statements, wrapped where they touch elements (`made`, by identity)."""

    def __init__(self, kernel: ir.Kernel) -> None:
        self.kernel = kernel
        self.used = ({p.name for p in kernel.params} | {v.name for v in kernel.locals}
                     | {n.var for n in walk_all(kernel.body) if isinstance(n, ir.Loop)})
        self.types = {v.name: v.type for v in kernel.locals}
        self.locals: list[ir.Var] = []
        self.made: list[ir.Loop] = []
        self.fresh = FreshNames(self.used)

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        return tuple(out for stmt in stmts for out in self.statement(stmt))

    def statement(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        if isinstance(stmt, ir.Loop) and stmt.parallel or isinstance(stmt, ir.LibraryCall):
            return (stmt,)
        touch = _first_element(stmt)
        if touch is None:
            return (stmt,)
        if isinstance(stmt, ir.Return):
            return self.returned(stmt)
        if not _holds_parallel_loop(stmt) and not _escapes(stmt):
            return (self.region((stmt,), stmt),)
        before: list[ir.Stmt] = []
        if isinstance(stmt, ir.If) and _first_element_in((stmt.cond,)) is not None:
            stmt = dataclasses.replace(stmt, cond=self.computed(stmt.cond, "cond", stmt, before))
        if isinstance(stmt, ir.Loop):
            start, stop = (self.computed(e, "bound", stmt, before) if _first_element_in((e,)) else e
                           for e in (stmt.start, stmt.stop))
            stmt = dataclasses.replace(stmt, start=start, stop=stop)
        header = _first_element_in(_header(stmt))
        if header is not None or not nested_statements(stmt):
            raise _host_error(header or touch)
        changes = {name: self.block(getattr(stmt, name)) for name in ("body", "orelse") if hasattr(stmt, name)}
        return (*before, dataclasses.replace(stmt, **changes))  # type: ignore[arg-type]

    def returned(self, stmt: ir.Return) -> tuple[ir.Stmt, ...]:
        """`return e` as `r = e` on the device, then `return r` on the host."""
        assert stmt.value is not None
        before: list[ir.Stmt] = []
        value = self.computed(stmt.value, "result", stmt, before)
        return (*before, ir.Return(value, stmt.span))

    def computed(self, expr: ir.Expr, base: str, origin: ir.Stmt, before: list[ir.Stmt]) -> ir.Name:
        """A fresh local that a region appended to `before` sets to `expr` (a header or returned value
        that reads elements, where the statement holds parallel loops or must stay on the host)."""
        assert isinstance(expr.type, ScalarType)
        name = self.fresh(base)
        self.locals.append(ir.Var(name, expr.type))
        before.append(self.region((ir.Assign(ir.Name(name, expr.span, expr.type), expr, expr.span),), origin))
        return ir.Name(name, expr.span, expr.type)

    def region(self, stmts: tuple[ir.Stmt, ...], origin: ir.Stmt) -> ir.Loop:
        span = origin.span
        loop = ir.Loop(self.fresh("once"), ir.Const(0, span, I64), ir.Const(1, span, I64), 1, _inlined(stmts), span,
                       parallel=True, host_code=True)
        self.made.append(loop)
        return loop

    def with_copies(self, body: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """`body` with each region's `copied`: the scalars it assigns that are named outside it."""
        regions = {id(loop) for loop in self.made}

        def fill(stmt: ir.Stmt) -> ir.Stmt:
            if isinstance(stmt, ir.Loop) and id(stmt) in regions:
                assigned = _assigned(stmt.body)
                outside = _names_outside(body, stmt)
                return dataclasses.replace(stmt, copied=tuple(sorted(assigned & outside)))
            changes = {name: tuple(fill(s) for s in getattr(stmt, name))
                       for name in ("body", "orelse") if hasattr(stmt, name)}
            return dataclasses.replace(stmt, **changes) if changes else stmt  # type: ignore[arg-type]
        return tuple(fill(stmt) for stmt in body)


def _first_element(stmt: ir.Stmt) -> ir.Index | ir.ArrayArg | None:
    """The first element access (or array passed to a device function) of host code in `stmt`; a
    vendor BLAS call passes device addresses and its loops are parallel (`passes.blas`): none."""
    if isinstance(stmt, ir.Loop) and stmt.parallel or isinstance(stmt, ir.LibraryCall):
        return None
    found = _first_element_in(_header(stmt))
    if found is not None:
        return found
    for inner in nested_statements(stmt):
        found = _first_element(inner)
        if found is not None:
            return found
    return None


def _first_element_in(nodes: tuple[Node, ...]) -> ir.Index | ir.ArrayArg | None:
    for node in walk_all(nodes):
        if isinstance(node, (ir.Index, ir.ArrayArg)):
            return node
    return None


def _header(stmt: ir.Stmt) -> tuple[Node, ...]:
    """The expressions of `stmt` itself, not of its nested blocks."""
    if isinstance(stmt, (ir.If, ir.While)):
        return (stmt.cond,)
    if isinstance(stmt, ir.Loop):
        return (stmt.start, stmt.stop)
    return (stmt,)


def _holds_parallel_loop(stmt: ir.Stmt) -> bool:
    """Whether `stmt` holds a parallel loop other than the frontend's one-iteration `host_code` ones
    (an element assigned between parallel loops, `arr[j + 1] = arr[j]` in a host `while`)."""
    return any(isinstance(n, ir.Loop) and n.parallel and not n.host_code for n in walk(stmt))


def _inlined(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    """`stmts` with each `host_code` loop in them replaced by its body: a region runs on the device already."""
    out: list[ir.Stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ir.Loop) and stmt.host_code:
            out.extend(_inlined(stmt.body))
            continue
        changes = {name: _inlined(getattr(stmt, name)) for name in ("body", "orelse") if hasattr(stmt, name)}
        out.append(dataclasses.replace(stmt, **changes) if changes else stmt)  # type: ignore[arg-type]
    return tuple(out)


def _escapes(stmt: ir.Stmt) -> bool:
    """Whether a `break`/`continue` in `stmt` belongs to a loop outside it (it would end the region's loop)."""
    if isinstance(stmt, (ir.Break, ir.Continue)):
        return True
    if isinstance(stmt, (ir.Loop, ir.While)):
        return False
    return any(_escapes(inner) for inner in nested_statements(stmt))


def _assigned(stmts: tuple[ir.Stmt, ...]) -> set[str]:
    return {n.target.id for n in walk_all(stmts) if isinstance(n, ir.Assign) and isinstance(n.target, ir.Name)}


def _names_outside(body: tuple[ir.Stmt, ...], region: ir.Loop) -> set[str]:
    """The names read or written anywhere in `body` but inside `region`."""
    names: set[str] = set()

    def visit(node: Node) -> None:
        if node is region:
            return
        if isinstance(node, ir.Name):
            names.add(node.id)
        for child in children(node):
            visit(child)
    for stmt in body:
        visit(stmt)
    return names


def _host_error(node: ir.Index | ir.ArrayArg) -> TranslationError:
    array = node.array
    return TranslationError.at(
        node.span, f"array '{array}' is read in the condition of a `while` loop that also holds parallel loops, which "
        "runs on the host: read it into a local before the loop and at the end of its body")
