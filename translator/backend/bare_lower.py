"""The bare forms' statements for the kernel lowering (`backend.lower`): a nest launched bare, a loop
over rows launched bare (`backend.bare` decides their C), and that loop's loops over a row; a loop of
column reductions launched bare, and its reduction loops over the block's warps.

`BareLowering` is a part of `lower._KernelLowering`, kept here so that each module stays readable; its
methods use the lowering's names, expressions, helpers and statement views (`_Lowering`).
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from translator.backend.bare import (
    BLOCK, FLAT, LANES, ROW, ROW_WARP_LIMIT, TRIP, WARP, RowScope, bare_counts, bare_indices, column_reduction,
    row_kernels, row_reduction, row_scope,
)
from translator.backend.c_expr import ExprEmitter, Frag, atom, const, infix
from translator.backend.helpers import HelperSet
from translator.backend.names import NameTable
from translator.backend.view import (
    BareRowsView, BareView, Branch, Decl, DirectiveView, IfView, LaneLoopView, LoopHeader, StmtView,
    loc_of,
)
from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.types import I64, ScalarType


class _Lowering(Protocol):
    """What the bare forms use of the kernel lowering."""

    names: NameTable
    expr: ExprEmitter
    helpers: HelperSet
    row_scope: RowScope | None

    def _level_count(self, lv: ir.LoopLevel) -> Frag: ...
    def _directive(self, d: ir.OmpTarget | ir.OmpParallelFor, levels: tuple[ir.LoopLevel, ...]) -> DirectiveView: ...
    def _decls(self, variables: tuple[ir.Var, ...], scope: Span) -> tuple[Decl, ...]: ...
    def _block(self, body: tuple[ir.Stmt, ...]) -> tuple[StmtView, ...]: ...
    def _header(self, var: str, start: ir.Expr, stop: ir.Expr, step: int, hoist: bool) -> LoopHeader: ...


class BareLowering:
    """The bare forms' `visit_ParallelLoop` cases; `row_scope` is set while a bare row loop's body is lowered."""

    row_scope: RowScope | None = None

    def _bare(self: _Lowering, s: ir.ParallelLoop, d: ir.OmpTarget) -> BareView:
        """The nest as a bare kernel (`backend.bare`): counts on the host, indices from the flat number."""
        counts, levels = _flat_levels(self, s.levels)
        return BareView(loc_of(s.span), self._directive(d, s.levels), counts, FLAT, f"{self.helpers.use('bare_first')}()",
                        f"{self.helpers.use('bare_stride')}()", loc_of(s.levels[0].span), bare_indices(levels),
                        self._decls(s.locals, s.span), self._block(s.body))

    def _bare_rows(self: _Lowering, s: ir.ParallelLoop, d: ir.OmpTarget) -> BareRowsView:
        """The loop over rows as two bare kernels (`backend.bare`), its row loops over lanes."""
        assert d.row_trip is not None
        counts, levels = _flat_levels(self, s.levels)
        indices = bare_indices(levels)
        block = dataclasses.replace(d, thread_limit=BLOCK, max_threads=None)
        kernels = row_kernels(self._directive(block, s.levels), self.helpers.use("num_teams"), self.helpers)
        self.row_scope = row_scope(s)
        body = self._block(s.body)
        self.row_scope = None
        return BareRowsView(loc_of(s.span), counts, (ROW, self.expr(d.row_trip)), ROW_WARP_LIMIT, kernels, FLAT, LANES,
                            loc_of(s.levels[0].span), indices, self._decls(s.locals, s.span), body)

    def _bare_columns(self: _Lowering, s: ir.ParallelLoop, d: ir.OmpTarget) -> BareView:
        """The loop of column reductions as one bare kernel (`backend.bare`): `WARP` columns a block,
        each serial loop dealt to the block's warps and combined after it, the statements after the
        last loop in the column's owner."""
        first, stride, at = (self.helpers.use(f) for f in ("col_first", "col_stride", "col_at"))
        counts, levels = _flat_levels(self, s.levels)
        indices = bare_indices(levels, flat=atom(f"{at}({FLAT}, {TRIP})"))
        directive = dataclasses.replace(self._directive(d, s.levels), num_teams=f"{self.helpers.use('num_teams')}({TRIP}, {WARP})")
        types = {v.name: v.type for v in s.locals}
        last = max(n for n, stmt in enumerate(s.body) if isinstance(stmt, ir.Loop))
        body: list[StmtView] = []
        for stmt in s.body[:last + 1]:
            body += [_column_loop(self, stmt, types)] if isinstance(stmt, ir.Loop) else self._block((stmt,))
        tail = s.body[last + 1:]
        if tail:
            owner = Branch(loc_of(tail[0].span), f"{self.helpers.use('col_owner')}({FLAT}, {TRIP})", self._block(tail))
            body.append(IfView(owner.loc, (owner,), ()))
        return BareView(loc_of(s.span), directive, counts, FLAT, f"{first}()", f"{stride}()", loc_of(s.levels[0].span),
                        indices, self._decls(s.locals, s.span), tuple(body))

    def _lane_loop(self: _Lowering, s: ir.ParallelLoop, d: ir.OmpParallelFor, scope: RowScope) -> LaneLoopView:
        """A loop over the row from the thread's lane in steps of the lanes, its reductions combined
        over the lanes after it (`backend.bare.row_reduction`), or the lanes' waits around it."""
        (lv,) = s.levels
        lanes = atom(f"{self.helpers.use('row_lanes')}({LANES})")
        lane = atom(f"{self.helpers.use('row_lane')}({LANES})")
        header = _dealt(self, lv.var, lv.start, lv.stop, lv.step, lane, lanes)
        around = [row_reduction(r.op, self.names[r.var], scope.types[r.var], self.helpers) for r in d.reductions]
        sync = None if around else f"{self.helpers.use('row_sync')}({LANES})"
        wait = None if id(s) in scope.waited else sync
        return LaneLoopView(loc_of(s.span), wait, tuple(b for b, _ in around), header, self._decls(s.locals, s.span),
                            self._block(s.body), tuple(a for _, a in around), sync)


def _column_loop(lowering: _Lowering, s: ir.Loop, types: dict[str, ScalarType]) -> LaneLoopView:
    """A reduction loop of the column form: the warp's share of its iterations, each reduction
    started per warp before it and combined over the warps after it (`backend.bare.column_reduction`)."""
    warp, warps = (atom(f"{lowering.helpers.use(f)}()") for f in ("col_warp", "col_warps"))
    header = _dealt(lowering, s.var, s.start, s.stop, s.step, warp, warps)
    around = [column_reduction(r.op, lowering.names[r.var], types[r.var], lowering.helpers) for r in s.reductions]
    return LaneLoopView(loc_of(s.span), None, tuple(b for b, _ in around), header, (), lowering._block(s.body),
                        tuple(a for _, a in around), None)


def _dealt(lowering: _Lowering, var: str, start: ir.Expr, stop: ir.Expr, step: int, lane: Frag, lanes: Frag) -> LoopHeader:
    """The header of a loop whose iterations are dealt to `lanes` threads (a row's lanes, a column's
    warps), this thread's from its `lane`: from `start + lane * step` in steps of `lanes * step`."""
    if abs(step) != 1:
        lane, lanes = (infix("*", f, const(abs(step), I64)) for f in (lane, lanes))
    zero = isinstance(start, ir.Const) and start.value == 0 and step > 0
    first = lane if zero else infix("+" if step > 0 else "-", lowering.expr.frag(start), lane)
    return dataclasses.replace(lowering._header(var, start, stop, step, False), start=first.text, step=lanes.text)


def _flat_levels(lowering: _Lowering, levels: tuple[ir.LoopLevel, ...]) -> tuple[
        tuple[tuple[str, str], ...], list[tuple[str, Frag | None, int]]]:
    """The host locals of the levels' counts, and each level's name, start (None: 0) and step (`backend.bare`)."""
    clamp = lowering.helpers.use("max", I64) if len(levels) > 1 else ""
    counts = bare_counts([lowering._level_count(lv) for lv in levels], clamp)
    starts = [None if isinstance(lv.start, ir.Const) and lv.start.value == 0 else lowering.expr.frag(lv.start)
              for lv in levels]
    return counts, [(lowering.names[lv.var], start, lv.step) for lv, start in zip(levels, starts)]
