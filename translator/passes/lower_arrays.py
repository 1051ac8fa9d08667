"""Array statements (`ir.ArrayAssign`, typed) lowered to loop nests of element assignments.

The loops run over the assigned view's axes; the value is read once per element: every view in it
is read at the same offsets, broadcast as NumPy does (shapes aligned at the right, axes of length 1
repeated). Outside a `prange` the loops are parallel themselves, so a whole-array statement between
parallel loops becomes its own parallel loop on the device; inside a `prange` they are serial.
Every loop made here is `independent`: its iterations write disjoint elements of the target (or of
a temporary) and read nothing another iteration writes, which the checks below guarantee.

Lengths: an operand's axis must have the target's length there. Equal expressions need nothing;
lengths computed from the arguments alone become `ir.LengthCheck`s (checked by the caller before
the call); others (a loop variable, a local) are checked by the kernel around the statement
(`ir.checks`). NumPy evaluates a right side whole before assigning, so the loop may read the
assigned array only at the element it assigns: a read that is the same for every element is taken
once before the loops, inside a `prange` (`path[i, :] = np.minimum(path[i, :], path[i, k] + ...)`);
a read elsewhere (`x[i, 1:] = x[i, :-1] + x[i, 1:]`) has the value evaluated into a temporary
first (`ir.Temporary`, one per iteration), inside a `prange`; outside one, both are errors.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

from translator.errors import Span, TranslationError
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.names import FreshNames
from translator.ir.arrays import (LEAVES, ZERO, Leaf, Offset, array_shape, as_index, at_least_zero, at_positions,
                                  axis_loops, broadcasts, element, first_clash, leaf_shape, loop_nest, rewrite_leaves,
                                  same, uses)
from translator.ir.types import I64, ArrayType, ScalarType, type_of
from translator.ir.visit import Node, Visitor, is_expr, map_children, rewrite, walk_all
from translator.passes.expr_types import ExprTyper, cast
from translator.passes.reduce_loops import ReductionLowering
from translator.passes.structure import check_local_arrays

Bounds = list[tuple[str, ir.Expr, ir.Expr]]


def lower_arrays(kernel: ir.Kernel, device_function: bool = False) -> ir.Kernel:
    """`kernel` without array statements; the run-time checks and locals they need added. A device
    function (`passes.functions`) runs inside one thread: its loops are serial, as in a `prange`,
    and it cannot make a temporary."""
    if not any(isinstance(n, (ir.ArrayAssign, ir.ArrayReduce, ir.Gather, ir.Arange, ir.Remap))
               for n in walk_all(kernel.body)):
        return kernel
    lowering = _Lowering(kernel, device_function)
    body = lowering.block(kernel.body, in_prange=device_function)
    failures, body = _in_source_order(lowering.failures, body)
    lowered = dataclasses.replace(
        kernel, body=body, params=tuple(lowering.params.values()), locals=kernel.locals + tuple(lowering.locals),
        length_checks=tuple(lowering.length_checks), failures=failures)
    if lowering.made_temporaries:
        check_local_arrays(lowered)
    return lowered


class _Lowering(Visitor[[bool], list[ir.Stmt]]):
    """One kernel's lowering, statement by statement (`visit(stmt, in_prange)`), with its state:
    names in use, and the checks, parameters and locals the statements add."""

    def __init__(self, kernel: ir.Kernel, device_function: bool) -> None:
        self.device_function = device_function
        self.params = {p.name: p for p in kernel.params}
        self.used = ({p.name for p in kernel.params} | {v.name for v in kernel.locals}
                     | {_bound_name(n) for n in walk_all(kernel.body)})
        self.length_checks = list(kernel.length_checks)
        self.failures = list(kernel.failures)
        self.locals: list[ir.Var] = []
        self.made_temporaries = False
        self.indexing: set[Span] = set()
        self.masked: set[Span] = set()
        """The operands read through a boolean mask (`x[m] = y[m] * 2`): a wrong length is NumPy's IndexError."""
        """The operands whose length checks are a gather's indices' (`check_lengths`)."""
        self._names = FreshNames(self.used)
        self.env: dict[str, ScalarType] = {p.name: p.type for p in kernel.params if isinstance(p.type, ScalarType)}
        self.env.update({v.name: v.type for v in kernel.locals})
        self.typer = ExprTyper(self.env, kernel)
        self.reductions = ReductionLowering(self)

    def fresh(self, base: str) -> str:
        """A name the kernel does not use (`i__3`)."""
        return self._names(base)

    def block(self, stmts: tuple[ir.Stmt, ...], in_prange: bool) -> tuple[ir.Stmt, ...]:
        return tuple(lowered for stmt in stmts for lowered in self.visit(stmt, in_prange))

    def visit_Loop(self, stmt: ir.Loop, in_prange: bool) -> list[ir.Stmt]:
        before: list[ir.Stmt] = []
        guards: list[checks.Check] = []
        start, stop = (self.reductions.hoist(e, in_prange, before, guards) for e in (stmt.start, stmt.stop))
        only = stmt.body[0] if stmt.body else None
        if not in_prange and _on_device(stmt) and isinstance(only, ir.Assign):
            store = dataclasses.replace(only, value=self.reductions.hoist(only.value, False, before, guards))
            return self.guarded([*before, dataclasses.replace(stmt, body=(store,))], guards, in_prange)
        body = self.block(stmt.body, in_prange or stmt.parallel)
        return self.guarded([*before, dataclasses.replace(stmt, start=start, stop=stop, body=body)], guards, in_prange)

    def visit_If(self, stmt: ir.If, in_prange: bool) -> list[ir.Stmt]:
        before: list[ir.Stmt] = []
        guards: list[checks.Check] = []
        cond = self.reductions.hoist(stmt.cond, in_prange, before, guards)
        body, orelse = self.block(stmt.body, in_prange), self.block(stmt.orelse, in_prange)
        return self.guarded([*before, dataclasses.replace(stmt, cond=cond, body=body, orelse=orelse)], guards, in_prange)

    def visit_While(self, stmt: ir.While, in_prange: bool) -> list[ir.Stmt]:
        """The frontend refuses reductions in a `while` condition (computed once before, they would be stale)."""
        return [dataclasses.replace(stmt, body=self.block(stmt.body, in_prange))]

    def scalar_statement(self, stmt: ir.Stmt, in_prange: bool) -> list[ir.Stmt]:
        """A statement of scalars, its reductions (array tier) computed before it into locals."""
        before: list[ir.Stmt] = []
        guards: list[checks.Check] = []

        def hoisted(node: Node) -> object:
            return self.reductions.hoist(node, in_prange, before, guards) if is_expr(node) else node
        changed = dataclasses.replace(stmt, **{f.name: _map(getattr(stmt, f.name), hoisted)  # type: ignore[arg-type]
                                               for f in dataclasses.fields(stmt)})
        return self.guarded([*before, changed], guards, in_prange)

    def visit_Return(self, stmt: ir.Return, in_prange: bool) -> list[ir.Stmt]:
        """A returned value's reductions computed first; with run-time checks of their lengths, the
        checks wrap the value, held in a fresh local, not the `return` (which must not leave the
        kernel's data region from inside the check)."""
        if stmt.value is None:
            return [stmt]
        before: list[ir.Stmt] = []
        guards: list[checks.Check] = []
        value = self.reductions.hoist(stmt.value, in_prange, before, guards)
        if not guards:
            return [*before, ir.Return(value, stmt.span)]
        result = ir.Name(self.fresh("result"), stmt.span, type_of(value))
        self.locals.append(ir.Var(result.id, type_of(value)))
        return [*self.guarded([*before, ir.Assign(result, value, stmt.span)], guards, in_prange),
                ir.Return(result, stmt.span)]

    def local(self, base: str, dtype: ScalarType, span: Span) -> ir.Name:
        """A fresh local of `dtype`."""
        name = self.fresh(base)
        self.locals.append(ir.Var(name, dtype))
        self.env[name] = dtype
        return ir.Name(name, span, dtype)

    def guarded(self, stmts: list[ir.Stmt], guards: list[checks.Check], in_prange: bool) -> list[ir.Stmt]:
        """`stmts` (one Python statement) run where the run-time checks of its lengths hold."""
        once = None if in_prange or not guards else self.fresh("once")
        return checks.guarded(stmts, guards, self.record, once)

    def keep(self, stmt: ir.Stmt, in_prange: bool) -> list[ir.Stmt]:
        """The statement as it is: it holds no array statement."""
        return [stmt]

    # Before parallelization: no `ParallelLoop`, `TargetData` or `UpdateFrom` exists yet.
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = scalar_statement
    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = keep

    def visit_LibraryCall(self, stmt: ir.LibraryCall, in_prange: bool) -> list[ir.Stmt]:
        """The product's statements lowered as any other, kept as the call's fallback when each is one
        parallel loop nest (or a host loop of such nests: trmm, then its scaling `B *= alpha`) the
        call can replace (no check of the running kernel unless the call's `when` implies it passes,
        no temporary around it unless the call computes in place); otherwise the lowered statements
        alone."""
        lowered = [s for body in stmt.body for s in self.visit(body, in_prange)]
        barred = (*(() if stmt.checks_hold else (ir.If,)), *(() if stmt.in_place else (ir.Temporary,)))
        nests = all(isinstance(s, ir.Loop) and _parallel_nest(s) for s in lowered)
        if len(lowered) != len(stmt.body) or not nests or any(isinstance(n, barred) for n in walk_all(lowered)):
            return lowered
        record = self.record_failure(ir.Failure(
            f"{stmt.library} reported an error computing the matrix product at line {stmt.span.line} "
            f"({stmt.symbol}); PY2OMP_BLAS=0 runs the kernel's own loops instead", stmt.span, "RuntimeError"))
        once = ir.Loop(self.fresh("once"), ir.Const(0, stmt.span, I64), ir.Const(1, stmt.span, I64), 1, (record,),
                       stmt.span, parallel=True)
        return [dataclasses.replace(stmt, body=tuple(lowered), orelse=(once,))]

    def visit_ArrayAssign(self, stmt: ir.ArrayAssign, in_prange: bool) -> list[ir.Stmt]:
        """One loop per axis of the target around the assignment of one element, guarded by the
        run-time checks of its lengths."""
        place, span = stmt.target, stmt.span
        made_locals = len(self.locals)
        variables, offsets, bounds = self.element_loops(place.axes, span)
        into = _element(place, offsets)
        lengths = tuple(as_index(n) for n in place.shape())
        guards: list[checks.Check] = []
        before: list[ir.Stmt] = []
        inner: list[ir.Stmt] = []
        masked = stmt.where is not None  # NumPy raises IndexError for a length that is not the mask's
        value = self.at_element(self.reductions.hoist(stmt.value, in_prange, before, guards), offsets, lengths, guards,
                                inner, masked)
        where = None if stmt.where is None else self.at_element(
            self.reductions.hoist(stmt.where, in_prange, before, guards), offsets, lengths, guards, inner, masked)
        reads, stored = self.hoist_fixed_reads(into, cast(value, type_of(place)), set(variables), in_prange)
        assign = ir.Assign(into, stored, span)
        clash = first_clash(into, (*inner, assign) if where is None else (*inner, assign, where), set(variables))
        lowered: list[ir.Stmt]
        if clash is None:
            self.locals += [ir.Var(local.id, type_of(local)) for local, _ in reads]
            taken = [ir.Assign(local, read, read.span) for local, read in reads]
            body = (*inner, assign) if where is None else (*inner, ir.If(where, (assign,), (), span))
            lowered = [*taken, loop_nest(bounds, body, not in_prange, span, True)]
        elif in_prange and where is None and not self.device_function:
            lowered = self.evaluate_first(stmt, value, offsets, bounds, lengths, into, inner)
        elif self.device_function:
            raise TranslationError.at(
                clash.span, f"the right side reads '{into.array}' at other elements than it assigns; NumPy evaluates "
                "it whole before assigning, which takes a temporary array, made only inside a prange: assign into "
                "another array first, or write the loop")
        elif where is None:  # outside a prange: in one of one iteration, where a temporary can be made
            del self.locals[made_locals:]
            once = ir.Loop(self.fresh("once"), ir.Const(0, span, I64), ir.Const(1, span, I64), 1,
                           tuple(self.visit_ArrayAssign(stmt, True)), span, parallel=True, host_code=True)
            return [once]
        else:
            raise TranslationError.at(
                clash.span, f"the right side reads '{into.array}' at other elements than it assigns; NumPy evaluates "
                "it whole before assigning, which takes a temporary array, not made for a masked assignment: assign "
                "into another array first, or write the loop")
        return self.guarded([*before, *lowered], guards, in_prange)

    def visit_Scatter(self, stmt: ir.Scatter, in_prange: bool) -> list[ir.Stmt]:
        """A serial loop nest over the indices' broadcast shape storing the value's element at the
        element the indices name (an `ir.Index`, wrapped and checked as any by `passes.indices` and
        `passes.bounds`): in C order on one thread, so a repeated index keeps the last value, as in
        NumPy; outside a `prange`, in a region of one iteration (host code on the device)."""
        span = stmt.span
        lengths = tuple(as_index(n) for n in array_shape(stmt.target))
        variables = [self.fresh("k") for _ in lengths]
        offsets = [Offset(ir.Name(v, span, I64), None, 0) for v in variables]
        guards: list[checks.Check] = []
        before: list[ir.Stmt] = []
        inner: list[ir.Stmt] = []
        into = self.at_element(stmt.target, offsets, lengths, guards, inner)
        value = self.at_element(self.reductions.hoist(stmt.value, in_prange, before, guards), offsets, lengths, guards,
                                inner)
        assert isinstance(into, ir.Index) and into.type is not None
        bounds = [(v, ir.Const(0, span, I64), n) for v, n in zip(variables, lengths)]
        nest = loop_nest(bounds, (*inner, ir.Assign(into, cast(value, into.type), span)), False, span)
        if not in_prange:
            nest = ir.Loop(self.fresh("once"), ir.Const(0, span, I64), ir.Const(1, span, I64), 1, (nest,), span,
                           parallel=True, host_code=True)
        return self.guarded([*before, nest], guards, in_prange)

    def element_loops(self, axes: Sequence[ir.ViewAxis], span: Span) -> tuple[list[str], list[Offset], Bounds]:
        """Fresh loop variables over the axes' ranges, and the offsets of the element they reach."""
        variables = [self.fresh("i") for _ in axes]
        offsets, bounds = axis_loops([ir.Name(v, span, I64) for v in variables], axes)
        return variables, offsets, [(v, as_index(lo), as_index(hi)) for v, lo, hi in bounds]

    def at_element(self, value: ir.Expr, offsets: Sequence[Offset], lengths: tuple[ir.Expr, ...],
                   guards: list[checks.Check], inner: list[ir.Stmt], masked: bool = False) -> ir.Expr:
        """`value` at the element at `offsets` of a statement of shape `lengths`: each view read
        there (aligned at the right, its axes of length 1 repeated), its lengths checked; each
        reduction along axes computed there by statements appended to `inner`; each range its value
        there; each gather the element of its array at its indices' elements there (`gathers_read`)."""
        def reader(expected: tuple[ir.Expr, ...], indexing: bool) -> Callable[[Leaf], ir.Expr]:
            def read(node: Leaf) -> ir.Expr:
                shape = leaf_shape(node)
                self.check_lengths(shape, expected, node.span, guards, indexing, masked)
                if isinstance(node, ir.View):
                    self.require_diagonals(node, guards)
                wanted = expected[len(expected) - len(shape):]
                aligned = [ZERO if broadcasts(n, w) else o
                           for n, w, o in zip(shape, wanted, offsets[len(offsets) - len(shape):])]
                if isinstance(node, ir.View):
                    return _element(node, aligned)
                if isinstance(node, ir.Arange):
                    return _range_value(node, aligned[node.axis].at(ir.Const(0, node.span), node.span))
                if isinstance(node, ir.Remap):
                    return self.remap_at(node, aligned, guards, inner)
                return self.reductions.at(node, aligned, guards, inner)
            return read

        def gathers_read(expr: ir.Expr, expected: tuple[ir.Expr, ...], indexing: bool) -> ir.Expr:
            """`expr` with each gather an `ir.Index` at its indices' elements: the gather's shape checked
            against `expected` as any operand's, its indices' against the gather's own shape, whose
            mismatch NumPy raises as an IndexError. Not inside reductions, read with their own loops."""
            if isinstance(expr, ir.Gather):
                shape = tuple(as_index(n) for n in array_shape(expr))
                self.check_lengths(shape, expected, expr.span, guards, indexing, masked)
                indices = tuple(rewrite_leaves(gathers_read(i, shape, True), reader(shape, True)) for i in expr.indices)
                return ir.Index(expr.array, indices, expr.span, expr.type)
            if isinstance(expr, LEAVES):
                return expr
            return map_children(expr, lambda child: gathers_read(child, expected, indexing))
        return rewrite_leaves(gathers_read(value, lengths, False), reader(lengths, False))

    def remap_at(self, node: ir.Remap, offsets: Sequence[Offset], guards: list[checks.Check],
                 inner: list[ir.Stmt]) -> ir.Expr:
        """An index map's element at `offsets`: its operand at the positions the map gives there,
        read as a statement of the operand's own shape (its lengths checked against that shape)."""
        span = node.span
        here = [as_index(o.at(ir.Const(0, span, I64), span)) for o in offsets]
        positions = [Offset(as_index(p), None, 0) for p in at_positions(node, here)]
        shape = tuple(as_index(n) for n in array_shape(node.operand))
        return self.at_element(node.operand, positions, shape, guards, inner)

    def check_lengths(self, shape: Sequence[ir.Expr], lengths: Sequence[ir.Expr], span: Span,
                      guards: list[checks.Check], indexing: bool, masked: bool = False) -> None:
        """An operand of `shape` read in a statement of shape `lengths` (aligned at the right): each axis
        not of length 1 must have the statement's length there; `indexing`: the operand is an index of
        a gather, `masked`: it is read through a boolean mask (a failure is then NumPy's IndexError:
        `record` for the kernel's own checks, the check's `kind` for the caller's)."""
        for length, want in zip(shape, lengths[len(lengths) - len(shape):]):
            one = broadcasts(length, want)  # 1, or 1 when long enough: then checked to be 1
            if indexing and not one:
                self.indexing.add(span)
            if masked and not one:
                self.masked.add(span)
            kind = "broadcast" if one else "gather" if indexing else "mask" if masked else "broadcast"
            self.require_equal(as_index(length), ir.Const(1, span, I64) if one else want, span, guards, kind)

    def require_diagonals(self, view: ir.View, guards: list[checks.Check]) -> None:
        """A diagonal's axes (`np.einsum('ii', A)`) of the same length, as NumPy requires."""
        for axis in view.axes:
            for other in axis.diagonal:
                self.require_equal(as_index(other.length(view.span)), as_index(axis.length(view.span)), view.span,
                                   guards)

    def require_equal(self, length: ir.Expr, expected: ir.Expr, span: Span, guards: list[checks.Check],
                      kind: str = "broadcast") -> None:
        """Nothing when the lengths are the same expression; a `LengthCheck` when both are computed
        from the arguments; else a check by the kernel. In a device function, whose parameters are
        not the caller's arguments, always the check (`passes.function_failures` reports it)."""
        if self.device_function and not same(length, expected):
            checks.add_check(guards, length, expected, span)
        elif not checks.settled_before_run(length, expected, span, self.params, self.length_checks, kind):
            checks.add_check(guards, length, expected, span)

    def record(self, failure: ir.Failure) -> ir.Stmt:
        """The recording of a new failure (a length check's of a gather's index: NumPy's IndexError)."""
        span = failure.span
        if span in self.indexing and failure == checks.failure(span):
            failure = ir.Failure(
                f"the gather at line {span.line} indexes with arrays of lengths that differ (the index at column "
                f"{span.col}); NumPy raises here: shape mismatch: indexing arrays could not be broadcast together",
                span, "IndexError")
        elif span in self.masked and failure == checks.failure(span):
            failure = ir.Failure(
                f"the masked assignment at line {span.line} reads an array of another shape than its mask (column "
                f"{span.col}); NumPy raises here: boolean index did not match indexed array", span, "IndexError")
        return self.record_failure(failure)

    def record_failure(self, failure: ir.Failure) -> ir.Stmt:
        """The recording of a new `failure`; the first one adds the status parameter."""
        span = failure.span
        if ir.STATUS not in self.params:
            if ir.STATUS in self.used:
                raise TranslationError.at(span, f"this kernel uses '{ir.STATUS}', the name py2omp gives its run-time "
                                          "checks' status; rename it")
            self.params[ir.STATUS] = checks.status_param(span)
        self.failures.append(failure)
        return checks.record(len(self.failures), span)

    def hoist_fixed_reads(self, into: ir.Index, value: ir.Expr, variables: set[str], in_prange: bool
                          ) -> tuple[list[tuple[ir.Name, ir.Index]], ir.Expr]:
        """Reads of the assigned array that are the same for every element (`path[i, k]` in
        `path[i, :] = np.minimum(path[i, :], path[i, k] + path[k, :])`), to be taken once into fresh
        locals before the loops, as NumPy reads them before assigning: the locals and their reads,
        and the value reading the locals."""
        hoisted: list[tuple[ir.Name, ir.Index]] = []

        def hoist(node: Node) -> object:
            if not (isinstance(node, ir.Index) and node.array == into.array and not uses(node, variables)):
                return node
            if not in_prange:
                raise TranslationError.at(
                    node.span, f"the right side reads an element of '{into.array}', which this statement may also "
                    "assign; NumPy reads it first, which a statement outside any prange cannot: copy it into "
                    "another array first")
            local = ir.Name(self.fresh(node.array), node.span, type_of(node))
            hoisted.append((local, node))
            return local
        return hoisted, rewrite(value, hoist)

    def evaluate_first(self, stmt: ir.ArrayAssign, value: ir.Expr, offsets: Sequence[Offset], bounds: Bounds,
                       lengths: tuple[ir.Expr, ...], into: ir.Index, inner: list[ir.Stmt]) -> list[ir.Stmt]:
        """`place = value` as NumPy computes it when `value` reads the assigned array at other
        elements: the whole value into a temporary of the target's shape and the value's dtype (one
        per prange iteration), then the temporary into the target."""
        span, place = stmt.span, stmt.target
        dtype = type_of(value).strong()
        shape = tuple(as_index(at_least_zero(n)) for n in lengths)
        made = ir.Temporary(self.fresh(f"{place.array}_value"), ArrayType(dtype, len(shape)), shape, span)
        self.made_temporaries = True
        axes = tuple(ir.ViewAxis(d, ir.Const(0, span, I64), n) for d, n in enumerate(shape))
        slot = _element(ir.View(made.name, (None,) * len(axes), axes, span, dtype), offsets)
        fill = loop_nest(bounds, (*inner, ir.Assign(slot, cast(value, dtype), span)), False, span, True)
        copy = loop_nest(bounds, (ir.Assign(into, cast(slot, type_of(into)), span),), False, span, True)
        return [made, fill, copy]


def _in_source_order(failures: list[ir.Failure], body: tuple[ir.Stmt, ...]
                     ) -> tuple[tuple[ir.Failure, ...], tuple[ir.Stmt, ...]]:
    """The failures numbered in source order, as the status's `atomic max` needs them (the check
    first in the source wins), although the frontend numbered those of the statements it lowers
    before this pass numbered its own: the recordings in `body` renumbered to match."""
    order = sorted(range(len(failures)), key=lambda k: (failures[k].span.line, failures[k].span.col))
    if order == sorted(order):
        return tuple(failures), body
    renumbered = {ir.FAILED - (old + 1): ir.FAILED - (new + 1) for new, old in enumerate(order)}

    def renumber(node: Node) -> object:
        if isinstance(node, ir.AtomicUpdate) and node.target.array == ir.STATUS and isinstance(node.value, ir.Const):
            value = dataclasses.replace(node.value, value=renumbered[int(node.value.value)])  # type: ignore[arg-type]
            return dataclasses.replace(node, value=value)
        return node
    return tuple(failures[k] for k in order), tuple(rewrite(stmt, renumber) for stmt in body)


def _element(view: ir.View, offsets: Sequence[Offset]) -> ir.Index:
    """The element of a typed view at `offsets`, its index arithmetic typed."""
    index = element(view, offsets)
    return dataclasses.replace(index, indices=tuple(as_index(i) for i in index.indices))


def _on_device(loop: ir.Loop) -> bool:
    """Whether `loop` is a `prange` of one iteration around one element assignment, as the frontend
    puts an element assigned between parallel loops on the device: its whole reductions, which do
    not read the loop's variable, run before it, as parallel loops of their own."""
    only = loop.body[0] if len(loop.body) == 1 else None
    return (loop.parallel and isinstance(loop.start, ir.Const) and loop.start.value == 0
            and isinstance(loop.stop, ir.Const) and loop.stop.value == 1 and isinstance(only, ir.Assign)
            and isinstance(only.target, ir.Index) and not uses(only.value, {loop.var}))


def _range_value(values: ir.Arange, position: ir.Expr) -> ir.Expr:
    """`start + position * step`, without a start of 0 or a step of 1."""
    span = values.span
    value = position if _is(values.step, 1) else ir.Binary("*", position, values.step, span)
    return as_index(value if _is(values.start, 0) else ir.Binary("+", values.start, value, span))


def _is(expr: ir.Expr, const: int) -> bool:
    return isinstance(expr, ir.Const) and expr.value == const


def _parallel_nest(loop: ir.Loop) -> bool:
    """Whether `loop` is a `prange` or a host loop whose body is `prange`s alone (the fallback loops
    a vendor BLAS call can stand in for: nothing on the host between them)."""
    return loop.parallel or bool(loop.body) and all(isinstance(s, ir.Loop) and s.parallel for s in loop.body)


def _map(value: object, fn: Callable[[Node], object]) -> object:
    """A statement's field with `fn` applied to each expression in it (one, or a tuple of them)."""
    if isinstance(value, tuple):
        return tuple(fn(item) for item in value)
    return fn(value) if is_expr(value) else value


def _bound_name(node: Node) -> str:
    """The name `node` binds or reads, if any (empty otherwise), for fresh names."""
    if isinstance(node, ir.Name):
        return node.id
    if isinstance(node, ir.Loop):
        return node.var
    if isinstance(node, (ir.LocalArray, ir.Temporary)):
        return node.name
    return ""
