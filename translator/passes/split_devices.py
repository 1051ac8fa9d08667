"""The chunked variant of an offloaded kernel: each outermost `prange` runs one share per device.

`kernel.on(devices)(*args)` (`runtime_shim.multi`) calls this variant once per device, concurrently,
each with device pointers to its own copies of the arrays and its share `part` of `parts`. Each
outermost `prange` keeps the contiguous chunk `[lo, hi)` of its outer level that the share gives
(computed in the C from the loop's own bounds, so one library serves any number of devices; a
statement of host code that the frontend runs on the device, in a loop of one iteration, runs whole
on every device, so that the scalars it assigns are the same everywhere), and
calls back before and after it (`CHUNK_SYNC(phase, lo, hi, reduced, after)`). Before, the runtime
brings the rows of each array that the chunk touches up to date on its device (`ChunkPhase.reads`:
the chunk's own rows and its halo where every index of the first dimension is the split variable
plus a constant, else every row), from the host or from the device that wrote them last. After, it
waits for every device and combines the reductions (each share but the first started from the
operation's identity), before any device goes on.

A chunk owns rows: every array a split loop writes must be indexed by the split variable alone in
its first dimension, and read there only (if at all) in the same loop, so that no two devices write
one element and no device reads what another writes before the call back. Host code (outside the
`prange`s) may not write arrays: every device would run it on its own copy, and none would own the
result. What breaks these rules is a located error that names why.
"""

from __future__ import annotations

import dataclasses
import math

from translator.errors import Span, TranslationError
from translator.ir import nodes as ir
from translator.ir.pytext import python_text
from translator.ir.types import BOOL, I64, Ownership, ScalarType
from translator.ir.visit import BlockTransformer, walk_all
from translator.passes.access import strip
from translator.passes.launches import launched_synchronously

CHUNK_SYNC = "py2omp_chunk_sync"
"""The call back the variant makes after each split loop (a C function pointer parameter)."""
PART, PARTS = "py2omp_part", "py2omp_parts"
"""The variant's share parameters: share `PART` (from 0) of `PARTS`."""

_WHY = "kernel.on() gives each device the rows [lo, hi) of the prange over '{var}'"


def chunk_variant(kernel: ir.Kernel) -> ir.Kernel:
    """The chunked variant of `kernel` (lowered for an offload target, so it has a device variant)."""
    device = kernel.device_variant
    if device is None:
        raise TranslationError.at(kernel.span, f"kernel.on() runs '{kernel.name}' on offload devices, and its "
                                  "target does not offload (use nvptx:sm_XX, amdgcn:gfxNNN or host-offload)")
    arrays = {p.name: p for p in kernel.params if p.is_array and p.name != ir.STATUS}
    splitter = _Splitter(arrays, {v.name: v.type for v in kernel.locals})
    body = splitter.block(launched_synchronously(device.body))  # the call-backs between loops need them finished
    if not splitter.phases:
        raise TranslationError.at(kernel.span, f"kernel '{kernel.name}' has no prange to split across devices")
    shares = tuple(ir.Param(name, I64, None, kernel.span) for name in (PART, PARTS))
    return dataclasses.replace(device, params=device.params + shares, body=body, device=None,
                               locals=device.locals + tuple(splitter.bounds), chunk_phases=tuple(splitter.phases))


def identity(op: str, t: ScalarType) -> int | float | bool:
    """The value a share other than the first starts a reduction from: it adds nothing to the result."""
    if op == "+":
        return False if t.is_bool else 0
    if op == "*":
        return 1
    lowest = op == "max"
    if t.is_float:
        return -math.inf if lowest else math.inf
    if t.is_bool:
        return not lowest
    signed = t.kind.name == "INT"
    low = -(2 ** (t.bits - 1)) if signed else 0
    high = 2 ** (t.bits - 1) - 1 if signed else 2 ** t.bits - 1
    return low if lowest else high


@dataclasses.dataclass
class _Splitter(BlockTransformer):
    """Each statement of the device variant becomes the statements that replace it in the chunked one."""

    arrays: dict[str, ir.Param]
    types: dict[str, ScalarType]
    phases: list[ir.ChunkPhase] = dataclasses.field(default_factory=list)
    bounds: list[ir.Var] = dataclasses.field(default_factory=list)

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop) -> tuple[ir.Stmt, ...]:
        """The loop over this share's chunk of its outer level, with its reductions' starts and the call back."""
        if not isinstance(stmt.directive, ir.OmpTarget):
            return (stmt,)
        outer = stmt.levels[0]
        if outer.step <= 0:
            raise TranslationError.at(outer.span, f"kernel.on() splits a prange with a positive step only, "
                                      f"and this one steps by {outer.step}")
        host = _host_statement(stmt)  # runs whole on every device, on the rows it reads brought up to date
        written = _check_rows(stmt, self.arrays)
        phase = len(self.phases)
        lo, hi = (self._bound(f"py2omp_{side}{phase}") for side in ("lo", "hi"))
        reductions = tuple((r, self.types[r.var]) for r in stmt.directive.reductions)
        self.phases.append(ir.ChunkPhase(written, _rows_touched(stmt, self.arrays), reductions, stmt.span))
        span = stmt.span
        level = dataclasses.replace(outer, start=_name(lo, span), stop=_name(hi, span))
        starts = tuple(_assign(r.var, ir.Const(identity(r.op, t), span, t), span) for r, t in reductions)
        first = ir.Compare("!=", _name(PART, span), ir.Const(0, span, I64), span, BOOL)
        directive = dataclasses.replace(stmt.directive, device=None)  # each share runs on its thread's device
        return (
            *(_whole_bounds(outer, lo, hi) if host else _share_bounds(outer, lo, hi)),
            _call_back(phase, lo, hi, (), span),
            *((ir.If(first, starts, (), span),) if starts else ()),
            dataclasses.replace(stmt, levels=(level, *stmt.levels[1:]), directive=directive),
            _call_back(phase, lo, hi, tuple(_name(r.var, span, t) for r, t in reductions), span, after=True),
        )

    def _bound(self, name: str) -> str:
        self.bounds.append(ir.Var(name, I64))
        return name

    def visit_If(self, stmt: ir.If) -> tuple[ir.Stmt, ...]:
        return (dataclasses.replace(stmt, body=self.block(stmt.body), orelse=self.block(stmt.orelse)),)

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> tuple[ir.Stmt, ...]:
        """A vendor BLAS call works on one device's whole operands: each share runs its fallback loops."""
        return self.block(stmt.body)

    def visit_TeamLoop(self, stmt: ir.TeamLoop) -> tuple[ir.Stmt, ...]:
        """Each share launches its regions (their call-backs need the host between them), never the team's form."""
        return self.visit(stmt.fallback)

    def visit_Loop(self, stmt: ir.Loop | ir.While) -> tuple[ir.Stmt, ...]:
        """A host loop around split loops: every device runs it, calling back at the same points."""
        return (dataclasses.replace(stmt, body=self.block(stmt.body)),)

    def host_write(self, stmt: ir.Stmt) -> tuple[ir.Stmt, ...]:
        """Host code: it may assign scalars (the same on every device), never the arrays."""
        for node in walk_all((stmt,)):
            target = node.target if isinstance(node, (ir.Assign, ir.AtomicUpdate)) else None
            if isinstance(target, ir.Index) and target.array in self.arrays:
                raise TranslationError.at(target.span, _HOST_WRITE.format(array=target.array))
            if isinstance(node, ir.ArrayArg) and _may_write(self.arrays.get(node.array)):
                raise TranslationError.at(node.span, f"'{node.array}' is passed to a function outside the prange "
                                          "loops, which may write it on every device's copy; kernel.on() cannot "
                                          "split that")
        return (stmt,)

    visit_While = visit_Loop
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = visit_Temporary = host_write
    visit_Break = visit_Continue = visit_Return = host_write


def _may_write(param: ir.Param | None) -> bool:
    return param is not None and param.ownership is not Ownership.IN


def _check_rows(loop: ir.ParallelLoop, arrays: dict[str, ir.Param]) -> tuple[str, ...]:
    """The arrays the loop writes; each written and read only at `[var, ...]`, else a located error."""
    var = loop.levels[0].var
    why = _WHY.format(var=var)
    writes = [n.target for n in walk_all(loop.body) if isinstance(n, (ir.Assign, ir.AtomicUpdate))
              and isinstance(n.target, ir.Index) and n.target.array in arrays]
    for target in writes:
        if _host_statement(loop):
            raise TranslationError.at(target.span, _HOST_WRITE.format(array=target.array))
        if not _own_row(target, var):
            raise TranslationError.at(target.span, f"'{target.array}' is written at {_index_text(target)}: {why}, "
                                      f"so each array the loop writes must be indexed by '{var}' alone in its first "
                                      f"dimension ({target.array}[{var}, ...]) for two devices never to write one "
                                      "element")
    written = tuple(dict.fromkeys(t.array for t in writes))
    for node in walk_all(loop.body):
        if isinstance(node, ir.ArrayArg) and _may_write(arrays.get(node.array)):
            raise TranslationError.at(node.span, f"'{node.array}' is passed to a function, which may write any of "
                                      f"its elements: {why}, and needs the rows each device writes")
        if isinstance(node, ir.Index) and node.array in written and not _own_row(node, var):
            raise TranslationError.at(node.span, f"'{node.array}' is read at {_index_text(node)}, which another "
                                      f"device's chunk may write in the same prange: {why}, so a device sees only "
                                      "its own writes until the loop ends; split the loop in two pranges")
    return written


_HOST_WRITE = ("'{array}' is written outside the prange loops: kernel.on() would run this on every device's copy "
               "and no device owns the result; write it inside a prange")


def _rows_touched(loop: ir.ParallelLoop, arrays: dict[str, ir.Param]) -> tuple[tuple[str, tuple[int, int] | None], ...]:
    """Per array the loop indexes or passes, the rows around the chunk it touches: `(first, last)`
    offsets where every first index is the split variable plus a constant, else None (any row)."""
    var = loop.levels[0].var
    offsets: dict[str, list[int] | None] = {}
    for node in walk_all(loop.body):
        name = node.array if isinstance(node, (ir.Index, ir.ArrayArg)) else None
        if name not in arrays or (name in offsets and offsets[name] is None):
            continue
        offset = _offset(node, var) if isinstance(node, ir.Index) else None
        offsets[name] = None if offset is None else [*(offsets.get(name) or []), offset]
    return tuple((name, None if found is None else (min(found), max(found))) for name, found in offsets.items())


def _offset(index: ir.Index, var: str) -> int | None:
    """`c` where the first index is `var + c` (or `var - c`, or `var`), else None."""
    first = _unwrapped(index.indices[0]) if index.indices else None
    if isinstance(first, ir.Name) and first.id == var:
        return 0
    if isinstance(first, ir.Binary) and first.op in "+-" and isinstance(left := strip(first.left), ir.Name) \
            and left.id == var and isinstance(right := strip(first.right), ir.Const) and isinstance(right.value, int):
        return right.value if first.op == "+" else -right.value
    return None


def _unwrapped(expr: ir.Expr) -> ir.Expr:
    """The index without its casts and the wrapping of negative values (`passes/indices.py`)."""
    expr = strip(expr)
    return _unwrapped(expr.args[0]) if isinstance(expr, ir.Call) and expr.func == "wrap_index" else expr


def _host_statement(loop: ir.ParallelLoop) -> bool:
    """A loop of one iteration the frontend made to run a statement of host code on the device."""
    outer = loop.levels[0]
    start, stop = strip(outer.start), strip(outer.stop)
    return (len(loop.levels) == 1 and isinstance(start, ir.Const) and start.value == 0
            and isinstance(stop, ir.Const) and stop.value == 1 and outer.var.startswith("once"))


def _index_text(index: ir.Index) -> str:
    """`y[2 * i]`, `h[idx[i]]`: an element as the user wrote it (without the wrapping of negative indices)."""
    return f"{index.array}[{', '.join(_text(i) for i in index.indices)}]"


def _text(expr: ir.Expr) -> str:
    expr = _unwrapped(expr)
    if isinstance(expr, ir.Index):
        return _index_text(expr)
    return python_text(expr)


def _own_row(index: ir.Index, var: str) -> bool:
    return _offset(index, var) == 0


def _share_bounds(outer: ir.LoopLevel, lo: str, hi: str) -> tuple[ir.Stmt, ...]:
    """`lo = start + trip * part // parts * step` and `hi` likewise with `part + 1`, where `trip` is
    the level's trip count (0 when empty): contiguous shares whose sizes differ by one at most."""
    span = outer.span
    start, stop = _as_i64(outer.start), _as_i64(outer.stop)
    count = _binary("-", stop, start)
    if outer.step != 1:
        count = _binary("//", _binary("+", count, ir.Const(outer.step - 1, span, I64)), ir.Const(outer.step, span, I64))
    zero = ir.Const(0, span, I64)
    trip = ir.Select(ir.Compare(">", count, zero, span, BOOL), count, zero, span, I64)

    def edge(part: ir.Expr) -> ir.Expr:
        share = _binary("//", _binary("*", trip, part), _name(PARTS, span))
        return _binary("+", start, share if outer.step == 1 else _binary("*", share, ir.Const(outer.step, span, I64)))

    following = _binary("+", _name(PART, span), ir.Const(1, span, I64))
    return _assign(lo, edge(_name(PART, span)), span), _assign(hi, edge(following), span)


def _whole_bounds(outer: ir.LoopLevel, lo: str, hi: str) -> tuple[ir.Stmt, ...]:
    """`lo, hi = start, stop`: host code (scalars it assigns) runs on every device alike."""
    return _assign(lo, _as_i64(outer.start), outer.span), _assign(hi, _as_i64(outer.stop), outer.span)


def _call_back(phase: int, lo: str, hi: str, reduced: tuple[ir.Name, ...], span: Span, after: bool = False) -> ir.Stmt:
    """`CHUNK_SYNC(phase, lo, hi, after, *reduced)`: the backend passes the reductions by address."""
    args: tuple[ir.Expr, ...] = (ir.Const(phase, span, I64), _name(lo, span), _name(hi, span),
                                 ir.Const(int(after), span, I64), *reduced)
    return ir.CallStatement(ir.CallFunction(CHUNK_SYNC, args, span, symbol=CHUNK_SYNC), span)


def _as_i64(expr: ir.Expr) -> ir.Expr:
    return expr if expr.type == I64 else ir.Cast(expr, expr.span, I64)


def _binary(op: str, left: ir.Expr, right: ir.Expr) -> ir.Expr:
    return ir.Binary(op, left, right, left.span, I64)


def _name(name: str, span: Span, t: ScalarType = I64) -> ir.Name:
    return ir.Name(name, span, t)


def _assign(name: str, value: ir.Expr, span: Span) -> ir.Stmt:
    return ir.Assign(_name(name, span, value.type or I64), value, span)
