"""Which rows of each read array a call moves: the range of the first axis the device reaches.

An `In` array mapped whole costs its whole size per call, whatever the kernel reads of it: a kernel
that reads 10 elements of 10 million moved 80 MB. The affine analysis that proves accesses in range
(`passes.affine`, shared with `passes.bounds`) also gives each access's least and greatest index
along the first axis over the loops around it; the union over the accesses inside parallel loops
(the code that runs on the device) is the range of rows to map, `Movement.section`. Only the first
axis is cut: a row range of a C-order array is one contiguous run, which is what one map clause
moves (and what splitting a `prange` over devices needs: rows as a function of the loop's range).

The range is exact where it is known before the call and whole otherwise: an access whose first
index is not affine in loops of known ranges (a gather `x[idx[i]]`, a data-dependent local, a
negative index that Python wraps, an array passed to a device function) makes it the whole array,
and `Movement.unsectioned` locates that access for `py2omp explain`. The bounds are not clamped
here: the C and the runtime clamp them to `[0, extent]` (a bound past the extent belongs to a loop
that the in-kernel checks or the preconditions stop before any access there).

`InOut` arrays get the range of their reads and writes together: the map copies the same rows in
and back. `Out` arrays keep their map (`from` of the whole array, or `alloc` plus copy-backs when
partly written), and arrays the kernel makes are fresh, so neither has a section.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import I64, Ownership
from translator.ir.visit import Visitor, is_expr, rewrite, walk, walk_all
from translator.passes.affine import Affine, Forms, Ranges, constant, extreme, kernel_forms, loop_range

Access = tuple[ir.Expr, Ranges]
"""The first-axis index of one access and the ranges of the loops around it."""


def find_sections(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` with `section` (or `unsectioned`) set on the movement of each `In`/`InOut` array."""
    names = {p.name for p in kernel.params if p.is_array and p.allocation is None
             and p.ownership in (Ownership.IN, Ownership.INOUT)}
    finder = device_accesses(kernel, names)
    movements = []
    for movement in kernel.movement:
        if movement.array in names:
            accesses = finder.accesses.get(movement.array, [])
            found = finder.whole.get(movement.array) or _extremes(finder.forms, accesses)
            if isinstance(found, Span):
                movement = dataclasses.replace(movement, unsectioned=found)
            else:
                section = _rows(finder.forms, movement.array, *found, kernel.span)
                movement = dataclasses.replace(movement, section=section)
        movements.append(movement)
    return dataclasses.replace(kernel, movement=tuple(movements))


def device_accesses(kernel: ir.Kernel, names: set[str]) -> DeviceAccesses:
    """The accesses of the arrays `names` inside the kernel's parallel loops, each with the ranges
    of the loops around it (replace a `prange` variable's range there by a part's to get the rows
    that part needs from `rows`)."""
    found = DeviceAccesses(kernel_forms(kernel), names)
    _Walk(found, {}, False).block(kernel.body)
    return found


def rows(forms: Forms, array: str, accesses: Iterable[Access], span: Span) -> ir.Interval | None:
    """The rows `[lo, hi)` of `array` the accesses reach, as expressions of the arguments, or None
    when that is the whole array (or unknown: an index that is not affine in loops of known range).
    A clean function of the loops' ranges: the ranges in `accesses` may be any loop's (a part of a
    `prange` gives the rows that part needs)."""
    found = _extremes(forms, accesses)
    return None if isinstance(found, Span) else _rows(forms, array, *found, span)


def _extremes(forms: Forms, accesses: Iterable[Access]) -> tuple[list[Affine], list[Affine]] | Span:
    """The candidates for the least first index and for the greatest plus one (forms that no other
    candidate surely passes), or the span of the first index that is not affine in known ranges."""
    lows: list[Affine] = []
    highs: list[Affine] = []
    for index, ranges in accesses:
        form = forms.form(index, frozenset(ranges))
        low = None if form is None else extreme(form, ranges, lowest=True)
        high = None if form is None else extreme(form, ranges, lowest=False)
        if low is None or high is None:
            return index.span
        lows, highs = _kept(lows, low, lower=True), _kept(highs, high.plus(constant(1)), lower=False)
    return lows, highs


def _rows(forms: Forms, array: str, lows: list[Affine], highs: list[Affine], span: Span) -> ir.Interval | None:
    """`[min(lows), max(highs))`, None when it surely spans the whole first axis (a least index of
    at most 0, a greatest of at least the extent: the clamped range is the whole)."""
    extent = forms.form(ir.Extent(array, 0, span, I64), frozenset())
    assert extent is not None
    if any(not low.terms and low.const <= 0 for low in lows):
        lows = [constant(0)]
    if any(not (gap := high.plus(extent, -1)).terms and gap.const >= 0 for high in highs):
        highs = [extent]
    if lows == [constant(0)] and highs == [extent]:
        return None
    return ir.Interval(_combined(forms, lows or [constant(0)], "min", span),
                       _combined(forms, highs or [constant(0)], "max", span))


def _kept(found: list[Affine], new: Affine, lower: bool) -> list[Affine]:
    """The candidates for the least (greatest) bound: `new` added, forms it surely passes dropped
    (two forms that differ by a constant compare whatever the arguments)."""
    sign = 1 if lower else -1
    for form in found:
        gap = new.plus(form, -1)
        if not gap.terms and gap.const * sign >= 0:
            return found  # `new` is not beyond `form`
    kept = [f for f in found if (gap := f.plus(new, -1)).terms or gap.const * sign < 0]
    return kept + [new]


def _combined(forms: Forms, candidates: list[Affine], func: str, span: Span) -> ir.Expr:
    """The least (`func` "min") or greatest of the candidates as one int64 expression."""
    exprs = [rewrite(forms.expr(form, span), _as_i64) for form in candidates]
    result = exprs[0]
    for expr in exprs[1:]:
        result = ir.Call(func, (result, expr), span, I64)
    return result


def _as_i64(node: object) -> object:
    """An untyped node of an atom (the shape of an array the kernel makes) typed int64, as the
    C and the manifest compute the bounds."""
    if is_expr(node) and getattr(node, "type", I64) is None:
        return dataclasses.replace(node, type=I64)
    return node


@dataclasses.dataclass
class DeviceAccesses:
    """What the walk finds: each array's accesses on the device (`accesses`), or one that makes
    it the whole array (`whole`: an array passed to a device function), and the kernel's forms."""

    forms: Forms
    names: set[str]
    accesses: dict[str, list[Access]] = dataclasses.field(default_factory=dict)
    whole: dict[str, Span] = dataclasses.field(default_factory=dict)

    def record(self, nodes: Iterable[object], ranges: Ranges) -> None:
        for node in nodes:
            if isinstance(node, ir.Index) and node.array in self.names:
                self.accesses.setdefault(node.array, []).append((node.indices[0], ranges))
            elif isinstance(node, ir.ArrayArg) and node.array in self.names:
                self.whole.setdefault(node.array, node.span)  # a device function may read any element


@dataclasses.dataclass(frozen=True)
class _Walk(Visitor[[], None]):
    """The statements in order, knowing the enclosing loops' ranges and whether they run on the
    device (inside a parallel loop); only the device's accesses need the array there."""

    finder: DeviceAccesses
    ranges: Ranges
    device: bool

    def block(self, stmts: tuple[ir.Stmt, ...]) -> None:
        for stmt in stmts:
            self.visit(stmt)

    def visit_Loop(self, stmt: ir.Loop) -> None:
        self.expressions((stmt.start, stmt.stop))
        var_range, _ = loop_range(self.finder.forms, stmt, frozenset(self.ranges))
        inner = dataclasses.replace(self, ranges={**self.ranges, stmt.var: var_range},
                                    device=self.device or stmt.parallel)
        inner.block(stmt.body)

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop) -> None:
        """A nest `passes.parallelize` made (the walk also serves after it): its levels, outermost first."""
        inner = dataclasses.replace(self, device=True)
        for level in stmt.levels:
            var_range, _ = loop_range(self.finder.forms, level, frozenset(inner.ranges))
            inner = dataclasses.replace(inner, ranges={**inner.ranges, level.var: var_range})
        inner.block(stmt.body)

    def visit_TargetData(self, stmt: ir.TargetData) -> None:
        self.block(stmt.body)

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> None:
        """The library reads and writes what its fallback loops do (`passes.blas` keeps it so)."""
        self.block(stmt.body)

    def visit_If(self, stmt: ir.If) -> None:
        self.expressions((stmt.cond,))
        self.block(stmt.body)
        self.block(stmt.orelse)

    def visit_While(self, stmt: ir.While) -> None:
        self.expressions((stmt.cond,))
        self.block(stmt.body)

    def leaf(self, stmt: ir.Stmt) -> None:
        if self.device:
            self.finder.record(walk_all((stmt,)), self.ranges)

    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_Return = leaf
    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = visit_UpdateFrom = visit_TaskWait = leaf

    def expressions(self, exprs: tuple[ir.Expr, ...]) -> None:
        if self.device:
            self.finder.record((n for e in exprs for n in walk(e)), self.ranges)
