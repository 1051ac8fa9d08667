"""Reductions of the array tier (`ir.ArrayReduce`) lowered to loops, for `passes.lower_arrays`.

A reduction to a scalar (`np.sum(x)`, `A[i, :].max()`) does not depend on the element a statement
is at, so it is computed before the statement into a fresh local (`hoist`); a reduction along axes
(`x.max(axis=1, keepdims=True)` in `x - ...`) is computed where its element is needed, inside the
statement's loops (`at`). Either way one loop nest runs over the reduced axes and accumulates into a
scalar local (a register, not memory), reading the operand's element once per iteration. Outside a
`prange` a reduction to a scalar is a parallel loop nest whose `Loop.reductions` say how OpenMP
combines its accumulators (`+`, `*`, `max`, `min`); elsewhere the loops are serial.

NumPy's results: sums and products in the result dtype; `mean` the sum over the count; `var` the
mean of squared deviations from the mean (two passes), over `max(n - ddof, 0)`; `std` its square
root; `norm` the square root of the sum of squares; `any`/`all` count nonzero (zero) elements;
`max`/`min` propagate NaN; `argmax`/`argmin` give the first index of the extreme (of the first NaN),
flattened over the reduced axes; `count_nonzero` counts. Where NumPy raises (`max`, `argmax` of
nothing: a reduced axis of length 0) the statement is guarded by a run-time check of the reduced
lengths (`ir.checks.require_elements`: one comparison per reduced axis before the statement, not per
element) and the call raises NumPy's `ValueError`, from a device function too
(`passes.function_failures`). A masked read (`ArrayReduce.where`) is reduced by the same loops over all
of its array, taking an element only where the mask holds; its mean divides by a count kept there.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, Sequence

from translator.errors import Span, TranslationError
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.arrays import Offset, array_shape, as_index, loop_nest, reduced_shape
from translator.ir.types import BOOL, I64, ScalarType, type_of
from translator.ir.visit import Node, is_expr, map_operands, rewrite
from translator.passes.expr_types import ExprTyper, cast
from translator.passes.extremes import extreme_class, seen_class, settled

Bounds = list[tuple[str, ir.Expr, ir.Expr]]


class _Lowering(Protocol):
    """What this module needs of `lower_arrays`'s lowering: fresh names, locals, and elements."""

    locals: list[ir.Var]
    env: dict[str, ScalarType]
    typer: ExprTyper

    def fresh(self, base: str) -> str: ...

    def local(self, base: str, dtype: ScalarType, span: Span) -> ir.Name: ...

    def at_element(self, value: ir.Expr, offsets: Sequence[Offset], lengths: tuple[ir.Expr, ...],
                   guards: list[checks.Check], inner: list[ir.Stmt]) -> ir.Expr: ...


@dataclasses.dataclass
class _Pass:
    """One loop nest over the reduced axes: its bounds, the statements computing the operand's
    element there (`value`: a plain read, or a local holding the element), the flat index of the
    iteration over the reduced axes, and the statements that take the element (`taken`): under an
    `if` on the mask's element `holds` for a masked read."""

    bounds: Bounds
    body: list[ir.Stmt]
    value: ir.Expr
    flat: ir.Expr
    holds: ir.Expr | None = None
    taken: list[ir.Stmt] = dataclasses.field(default_factory=list)

    def statements(self) -> tuple[ir.Stmt, ...]:
        """One iteration's statements."""
        if self.holds is None:
            return (*self.body, *self.taken)
        return (*self.body, ir.If(self.holds, tuple(self.taken), (), self.holds.span))


class ReductionLowering:
    """The reductions of one kernel's statements, lowered with `lowering`'s names and locals."""

    def __init__(self, lowering: _Lowering) -> None:
        self.lowering = lowering

    def hoist(self, expr: ir.Expr, in_prange: bool, before: list[ir.Stmt], guards: list[checks.Check],
              when: ir.Expr | None = None) -> ir.Expr:
        """`expr` with each reduction to a scalar replaced by a local computed by statements appended
        to `before` (inner ones first), the run-time checks of its operands (lengths, elements of a
        max) added to `guards`; reductions along axes stay (`at` computes them). A reduction Python
        evaluates only sometimes (in a branch of `a if c else b`, on the right of `and`/`or`) is
        computed all the same, harmlessly, but its checks hold only `when` it is evaluated: `x[:n].max()
        if n > 0 else 0.0` raises nothing for n = 0."""
        def part(child: ir.Expr, condition: ir.Expr | None) -> ir.Expr:
            return self.hoist(child, in_prange, before, guards, _both(when, condition))
        if isinstance(expr, ir.Select) and not expr.eager:
            cond = part(expr.cond, None)
            return dataclasses.replace(expr, cond=cond, then=part(expr.then, cond),
                                       orelse=part(expr.orelse, ir.Unary("not", cond, cond.span, BOOL)))
        if isinstance(expr, ir.Logical):
            left = part(expr.left, None)
            reached = left if expr.op == "and" else ir.Unary("not", left, left.span, BOOL)
            return dataclasses.replace(expr, left=left, right=part(expr.right, reached))
        rebuilt = map_operands(expr, lambda child: part(child, None))
        if not isinstance(rebuilt, ir.ArrayReduce) or reduced_shape(rebuilt):
            return rebuilt
        own: list[checks.Check] = []
        value = self.reduce(rebuilt, {}, not in_prange, before, own)
        for check in own:
            checks.add_condition(guards, check if when is None else check._replace(
                cond=ir.Logical("or", ir.Unary("not", when, when.span, BOOL), check.cond, check.span, BOOL)))
        return value

    def at(self, node: ir.ArrayReduce, offsets: Sequence[Offset], guards: list[checks.Check],
           inner: list[ir.Stmt]) -> ir.Expr:
        """The reduction along axes `node` at the element at `offsets` (one per axis of its result),
        computed by serial loops appended to `inner`."""
        kept = [d for d in range(len(array_shape(node.operand))) if node.keepdims or d not in node.axes]
        at_axis = {d: o for d, o in zip(kept, offsets) if d not in node.axes}
        return self.reduce(node, at_axis, False, inner, guards)

    def reduce(self, node: ir.ArrayReduce, kept: dict[int, Offset], parallel: bool, out: list[ir.Stmt],
               guards: list[checks.Check]) -> ir.Expr:
        """Statements appended to `out` that compute `node` with its kept axes at `kept`; its value."""
        if node.op in checks.EMPTY_REDUCTION:
            shape = array_shape(node.operand)
            checks.require_elements(guards, [shape[d] for d in node.axes], node.op, node.span)
        element = type_of(node.operand).strong()
        if element.is_bool and node.op in ("max", "min"):
            node = dataclasses.replace(node, op="any" if node.op == "max" else "all")
        op = node.op
        assert node.where is None or op in ir.MASKED_REDUCE_OPS, "the frontend takes these masked reductions only"
        if op in ("sum", "prod", "mean", "norm", "dot"):
            return self.accumulate(node, kept, parallel, out, guards)
        if op in ("var", "std"):
            return self.variance(node, kept, parallel, out, guards)
        if op in ("any", "all", "count_nonzero"):
            return self.count(node, kept, parallel, out, guards)
        if op in ("max", "min") and parallel:
            return self.parallel_extreme(node, kept, out, guards)
        return self.extreme(node, kept, out, guards)

    def loops(self, node: ir.ArrayReduce, kept: dict[int, Offset], guards: list[checks.Check],
              hold: bool = True) -> _Pass:
        """Fresh loops over the reduced axes and the operand's element at each iteration: held in a
        local when it is read more than once (`hold`) and is not a plain read."""
        span = node.span
        shape = tuple(as_index(n) for n in array_shape(node.operand))
        names = {d: self.lowering.fresh("k") for d in node.axes}
        self.lowering.env.update(dict.fromkeys(names.values(), I64))
        offsets = [Offset(ir.Name(names[d], span, I64), None, 0) if d in names else kept.get(d, Offset(None, None, 0))
                   for d in range(len(shape))]
        body: list[ir.Stmt] = []
        value = self.lowering.at_element(node.operand, offsets, shape, guards, body)
        holds = None if node.where is None else self.lowering.at_element(node.where, offsets, shape, guards, body)
        if hold and not isinstance(value, (ir.Index, ir.Name)):
            local = self.local("v", type_of(value).strong(), node)
            body.append(ir.Assign(local, cast(value, type_of(local)), span))
            value = local
        flat: ir.Expr | None = None
        for d in node.axes:
            k = ir.Name(names[d], span, I64)
            flat = k if flat is None else as_index(ir.Binary("+", ir.Binary("*", flat, shape[d], span), k, span))
        assert flat is not None
        return _Pass([(names[d], ir.Const(0, span, I64), shape[d]) for d in node.axes], body, value, flat, holds)

    def local(self, base: str, dtype: ScalarType, node: ir.ArrayReduce) -> ir.Name:
        """A fresh local of `dtype`."""
        return self.lowering.local(base, dtype, node.span)

    def typed(self, value: ir.Expr) -> ir.Expr:
        """`value`, built untyped over typed locals and elements, typed: each typed part (an element,
        a local) stands in as a typed name while the rest is typed (typing is not run twice on a
        typed expression); a `Cast` this module makes is typed with its operand."""
        parts: dict[str, ir.Expr] = {}

        def stand_in(node: Node) -> object:
            if not is_expr(node) or node.type is None or isinstance(node, ir.Cast):
                return node
            name = f"part {len(parts)}"
            parts[name] = node
            self.lowering.env[name] = node.type
            return ir.Name(name, node.span, node.type)

        def restore(node: Node) -> object:
            return rewrite(parts[node.id], restore) if isinstance(node, ir.Name) and node.id in parts else node
        return rewrite(self.lowering.typer(rewrite(value, stand_in)), restore)

    def set(self, local: ir.Name, value: ir.Expr) -> ir.Assign:
        """`local = value`, `value` (built untyped over typed names and elements) typed and converted."""
        return ir.Assign(local, cast(self.typed(value), type_of(local)), local.span)

    def count_of(self, node: ir.ArrayReduce) -> ir.Expr:
        """How many elements the reduction reads for one result: the product of the reduced lengths."""
        shape = array_shape(node.operand)
        total = shape[node.axes[0]]
        for d in node.axes[1:]:
            total = ir.Binary("*", total, shape[d], node.span)
        return as_index(total)

    def counted(self, node: ir.ArrayReduce, loops: _Pass, out: list[ir.Stmt]
                ) -> tuple[ir.Expr, tuple[ir.Reduction, ...]]:
        """How many elements one result reduces: the product of the reduced lengths, or for a masked
        read a count that `loops` keeps where the mask holds (with its OpenMP reduction)."""
        if node.where is None:
            return self.count_of(node), ()
        count = self.local("count", I64, node)
        out.append(self.set(count, ir.Const(0, node.span)))
        loops.taken.append(self.set(count, ir.Binary("+", count, ir.Const(1, node.span), node.span)))
        return count, (ir.Reduction("+", count.id),)

    def run(self, loops: _Pass, parallel: bool, reductions: tuple[ir.Reduction, ...], span: Span) -> ir.Loop:
        """The loop nest of `loops`, its outermost loop carrying its `reductions`: a parallel one for
        its OpenMP clauses, a serial one (inside a prange) for a mapping that shares it among a
        team's threads (docs/design.md, "Parallelism mapping")."""
        return dataclasses.replace(loop_nest(loops.bounds, loops.statements(), parallel, span), reductions=reductions)

    def accumulate(self, node: ir.ArrayReduce, kept: dict[int, Offset], parallel: bool, out: list[ir.Stmt],
                   guards: list[checks.Check]) -> ir.Expr:
        """`sum`, `prod`, `dot`, `mean` (the sum over the count), `norm` (the root of the sum of squares)."""
        t, span = type_of(node), node.span
        if parallel and t.is_complex:
            return self.complex_sum(node, kept, out, guards)
        acc = self.local(node.op, t, node)
        loops = self.loops(node, kept, guards, hold=node.op == "norm")
        term: ir.Expr = ir.Cast(loops.value, span, t)
        if node.op == "norm":
            term = ir.Binary("*", term, term, span)
        combine = "*" if node.op == "prod" else "+"
        loops.taken.append(self.set(acc, ir.Binary(combine, acc, term, span)))
        out.append(self.set(acc, ir.Cast(ir.Const(int(node.op == "prod"), span), span, t)))
        count, counting = self.counted(node, loops, out) if node.op == "mean" else (None, ())
        out.append(self.run(loops, parallel, (ir.Reduction(combine, acc.id), *counting), span))
        if count is not None:
            return self.typed(ir.Binary("/", acc, ir.Cast(count, span, t), span))
        if node.op == "norm":
            return self.typed(ir.Call("numpy.sqrt", (acc,), span))
        return acc

    def complex_sum(self, node: ir.ArrayReduce, kept: dict[int, Offset], out: list[ir.Stmt],
                    guards: list[checks.Check]) -> ir.Expr:
        """A complex `sum`, `dot` or `mean` outside any prange: its real and imaginary parts in two real
        accumulators, as OpenMP reduces complex numbers with 16-byte atomics that offload images lack
        (a complex `prod` is refused: it does not split)."""
        t, span = type_of(node), node.span
        if node.op == "prod":
            raise TranslationError.at(span, "prod() of a complex array outside a prange is not supported in kernels "
                                      "(OpenMP cannot reduce complex products on the device): compute it in a prange")
        parts = [self.local(f"{node.op}_{part}", t.component, node) for part in ("real", "imag")]
        loops = self.loops(node, kept, guards)
        value = ir.Cast(loops.value, span, t)
        for acc, part in zip(parts, ("real", "imag")):
            loops.taken.append(self.set(acc, ir.Binary("+", acc, ir.Call(part, (value,), span), span)))
            out.append(self.set(acc, ir.Cast(ir.Const(0, span), span, t.component)))
        count, counting = self.counted(node, loops, out) if node.op == "mean" else (None, ())
        out.append(self.run(loops, True, (*(ir.Reduction("+", acc.id) for acc in parts), *counting), span))
        total: ir.Expr = ir.Cast(ir.Call("complex", tuple(parts), span), span, t)
        if count is not None:
            total = ir.Binary("/", total, ir.Cast(count, span, t), span)
        return self.typed(total)

    def variance(self, node: ir.ArrayReduce, kept: dict[int, Offset], parallel: bool, out: list[ir.Stmt],
                 guards: list[checks.Check]) -> ir.Expr:
        """`var`: the sum of squared deviations from the mean over `max(n - ddof, 0)`, as NumPy;
        `std` its square root."""
        t, span = type_of(node), node.span
        mean = self.local("mean", t, node)
        out.append(self.set(mean, self.accumulate(dataclasses.replace(node, op="mean"), kept, parallel, out, guards)))
        acc = self.local("squares", t, node)
        loops = self.loops(node, kept, guards)
        deviation = ir.Binary("-", ir.Cast(loops.value, span, t), mean, span)
        loops.taken.append(self.set(acc, ir.Binary("+", acc, ir.Binary("*", deviation, deviation, span), span)))
        out += [self.set(acc, ir.Cast(ir.Const(0, span), span, t)),
                self.run(loops, parallel, (ir.Reduction("+", acc.id),), span)]
        dof = ir.Call("max", (ir.Binary("-", self.count_of(node), ir.Const(node.ddof, span), span),
                              ir.Const(0, span)), span)
        variance = ir.Binary("/", acc, ir.Cast(dof, span, t), span)
        return self.typed(variance if node.op == "var" else ir.Call("numpy.sqrt", (variance,), span))

    def count(self, node: ir.ArrayReduce, kept: dict[int, Offset], parallel: bool, out: list[ir.Stmt],
              guards: list[checks.Check]) -> ir.Expr:
        """`any`: some element is nonzero (NaN counts as nonzero, as in NumPy); `all`: none is zero;
        `count_nonzero`: how many are nonzero."""
        span = node.span
        acc = self.local(node.op, I64, node)
        loops = self.loops(node, kept, guards, hold=False)
        truth: ir.Expr = ir.Cast(loops.value, span, BOOL)
        if node.op == "all":
            truth = ir.Unary("not", truth, span)
        loops.taken.append(self.set(acc, ir.Binary("+", acc, ir.Cast(truth, span, I64), span)))
        out += [self.set(acc, ir.Const(0, span)), self.run(loops, parallel, (ir.Reduction("+", acc.id),), span)]
        if node.op == "count_nonzero":
            return acc
        return self.typed(ir.Compare(">" if node.op == "any" else "==", acc, ir.Const(0, span), span))

    def extreme(self, node: ir.ArrayReduce, kept: dict[int, Offset], out: list[ir.Stmt],
                guards: list[checks.Check]) -> ir.Expr:
        """`max`/`min`/`argmax`/`argmin` in serial: from the first element, each element that beats
        the best so far replaces it; a NaN beats everything and nothing beats a NaN."""
        span, arg = node.span, node.op.startswith("arg")
        best = self.first(node, kept, out, guards)
        loops = self.loops(node, kept, guards)
        better: ir.Expr = ir.Compare(">" if node.op.endswith("max") else "<", loops.value, best, span)
        if not arg:
            if type_of(best).is_float:
                better = ir.Logical("or", better, ir.Call("numpy.isnan", (loops.value,), span), span)
            loops.taken.append(self.set(best, ir.Select(better, loops.value, best, span)))
            out.append(self.run(loops, False, (), span))
            return best
        if type_of(best).is_float:
            nan = ir.Logical("and", ir.Call("numpy.isnan", (loops.value,), span),
                             ir.Unary("not", ir.Call("numpy.isnan", (best,), span), span), span)
            better = ir.Logical("or", better, nan, span)
        index = self.local(node.op, I64, node)
        take = (self.set(best, loops.value), self.set(index, loops.flat))
        loops.taken.append(ir.If(self.typed(better), take, (), span))
        out += [self.set(index, ir.Const(0, span)), self.run(loops, False, (), span)]
        return index

    def first(self, node: ir.ArrayReduce, kept: dict[int, Offset], out: list[ir.Stmt],
              guards: list[checks.Check]) -> ir.Name:
        """A fresh local set to the operand's first element along the reduced axes (at `kept` on the
        others), or to 0 when they are empty (where NumPy raises: the statement's check)."""
        span = node.span
        shape = tuple(as_index(n) for n in array_shape(node.operand))
        origin: list[ir.Stmt] = []
        offsets = [kept.get(d, Offset(None, None, 0)) for d in range(len(shape))]
        value = self.lowering.at_element(node.operand, offsets, shape, guards, origin)
        best = self.local(node.op[3:] if node.op.startswith("arg") else node.op, type_of(value).strong(), node)
        nonempty = ir.Compare("<", ir.Const(0, span), self.count_of(node), span)  # as `passes.bounds` tests an index
        zero = ir.Cast(ir.Const(0, span), span, type_of(best))
        if origin:
            out += [self.set(best, zero), ir.If(self.typed(nonempty), (*origin, self.set(best, value)), (), span)]
        else:
            out.append(self.set(best, ir.Select(nonempty, value, zero, span)))
        return best

    def parallel_extreme(self, node: ir.ArrayReduce, kept: dict[int, Offset], out: list[ir.Stmt],
                         guards: list[checks.Check]) -> ir.Expr:
        """`max`/`min` to a scalar outside any `prange`: OpenMP's `max`/`min` reduction from the
        first element, plus (floats) the class of what it saw (`passes.extremes`), which makes the
        result NaN or the infinity where NumPy's is."""
        span, t = node.span, type_of(node)
        acc = self.first(node, kept, out, guards)
        loops = self.loops(node, kept, guards)
        loops.taken.append(self.set(acc, ir.Call(node.op, (acc, loops.value), span)))
        clauses = (ir.Reduction(node.op, acc.id),)
        if not t.is_float:
            out.append(self.run(loops, True, clauses, span))
            return acc
        seen = self.local("seen", I64, node)
        loops.taken.append(seen_class(node.op, t, seen, loops.value, span))
        out += [ir.Assign(seen, extreme_class(node.op, t, acc), span),
                self.run(loops, True, (*clauses, ir.Reduction("max", seen.id)), span)]
        return settled(node.op, acc, seen)


def _both(when: ir.Expr | None, condition: ir.Expr | None) -> ir.Expr | None:
    """Both conditions (None: always)."""
    if when is None or condition is None:
        return condition if when is None else when
    return ir.Logical("and", when, condition, condition.span, BOOL)

