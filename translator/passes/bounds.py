"""Every array access in range, as Python requires (IndexError otherwise), at the least cost.

An access whose index is affine in the variables of loops with bounds computed from the arguments,
and which runs whenever those loops run (no `if`, `while`, `break` or `return` in the way), reaches
its largest index at a known corner of the loops' ranges: the caller checks, before the call, that
the array is long enough for it (`ir.LengthCheck` with `array` set, a precondition in the manifest's
`length_checks`), and the loop runs with no check at all. Every other access (a gather `x[idx[i]]`, a
scatter, an index from a local that changes, a negative index that Python wraps) is checked by the
kernel just before its statement, through the run-time checks of `ir.checks` (`IndexError` with
the access's line); `@kernel(boundscheck=False)` drops those, never the preconditions. This pass
runs before `passes.indices` wraps negative indices, so it sees Python's indices.
"""

from __future__ import annotations

import dataclasses
from typing import Iterator, Mapping

from translator.errors import Span
from translator.ir import checks
from translator.ir import nodes as ir
from translator.ir.types import BOOL, I64
from translator.ir.visit import StmtTransformer, expr_children, local_arrays, temporaries, walk, walk_all
from translator.passes.affine import (Affine, Forms, Range, constant, extreme, kernel_forms, loop_range, non_negative,
                                      triangular)
from translator.passes.callee_bounds import checked_by_callers, lifted_accesses
from translator.passes.indices import after, lower_bound


def check_bounds(kernel: ir.Kernel, functions: Mapping[str, ir.Kernel] | None = None,
                 device_function: bool = False) -> ir.Kernel:
    """The kernel with its checks; `functions`: the device functions it calls, by C symbol (as
    they were before their own checks), whose unconditional accesses are checked at their calls
    (`passes.callee_bounds`). A `device_function` tests the accesses its callers do not, and
    those a kernel would leave to preconditions on entry (its parameters are no arguments)."""
    forms = kernel_forms(kernel)
    found = _Found(forms, kernel.boundscheck, {n: a.shape for n, a in local_arrays(kernel.body).items()},
                   frozenset(temporaries(kernel.body)), len(kernel.failures), functions or {},
                   _equal_lengths(forms, kernel.length_checks),
                   checked_by_callers(kernel) if device_function else None)
    body = _Checker(found, {}, {}, (), True).block(kernel.body)
    needs = tuple(found.needs)
    if device_function:
        body, needs = found.on_entry() + body, ()
    if not found.failures:
        return dataclasses.replace(kernel, body=body, length_checks=kernel.length_checks + needs)
    status = () if kernel.param(ir.STATUS) else (checks.status_param(kernel.span),)
    return dataclasses.replace(kernel, body=body, params=kernel.params + status,
                               length_checks=kernel.length_checks + needs,
                               failures=kernel.failures + tuple(found.failures))


@dataclasses.dataclass
class _Found:
    """What the whole kernel's checking finds: preconditions (`needs`) and in-kernel checks."""

    forms: Forms
    in_kernel: bool
    shapes: Mapping[str, tuple[int, ...]]
    made: frozenset[str]
    """The arrays made inside `prange` bodies (`ir.Temporary`): checked in the kernel where their
    shape does not prove an access in range (their extents are no arguments: no precondition)."""
    numbered: int
    functions: Mapping[str, ir.Kernel]
    equal: tuple[Affine, ...]
    """`left - right` of each length check the caller makes before the call (`left == right` then),
    both sides extents: a temporary of one length read over the other's range is in range."""
    callers_check: frozenset[ir.Index] | None
    """In a device function, the accesses its callers check (`checked_by_callers`); None in a kernel."""
    needs: list[ir.LengthCheck] = dataclasses.field(default_factory=list)
    failures: list[ir.Failure] = dataclasses.field(default_factory=list)
    known: list[tuple[str, int, Affine, tuple[Affine, ...]]] = dataclasses.field(default_factory=list)
    """The preconditions found so far as forms: array, dimension, need, trip counts."""

    def covered(self, array: str, dim: int, need: Affine, trips: tuple[Affine, ...]) -> bool:
        """Whether a precondition found before asks at least `need` of the array whenever loops
        with these trip counts run (`mean[j] = ...` over `prange(m)` covers `mean[i]` in a
        triangular loop inside `prange(m)`)."""
        for known_array, known_dim, known_need, when in self.known:
            more = known_need.plus(need, -1)
            if (known_array, known_dim) == (array, dim) and not more.terms and more.const >= 0 and all(
                    w in trips for w in when):
                return True
        return False

    def on_entry(self) -> tuple[ir.Stmt, ...]:
        """A device function's preconditions as its first statements: each failed one recorded as
        an index out of range at its access's line (none where `boundscheck=False`)."""
        tests: list[ir.Stmt] = []
        for need in self.needs if self.in_kernel else ():
            assert need.array is not None
            short = _all([ir.Compare("<", need.left, need.right, need.span, BOOL),
                          *(ir.Compare(">", w, ir.Const(0, need.span, I64), need.span, BOOL) for w in need.when)],
                         need.span)
            tests.append(ir.If(short, (self.record([need.array], need.span),), (), need.span))
        return tuple(tests)

    def need(self, check: ir.LengthCheck) -> None:
        """Record a precondition, once (the same need of the same array from two accesses is one)."""
        if not any(check.array == other.array and check.dim == other.dim and _plain(check) == _plain(other)
                   for other in self.needs):
            self.needs.append(check)

    def int_check(self, cast: ir.Cast) -> tuple[ir.Expr, tuple[ir.Stmt, ...]]:
        """`int(x)` of a float has an int64 value; else the exception Python raises (its int is
        unbounded, but py2omp's is int64: past it, what storing it in an int64 would raise)."""
        x, span = cast.operand, cast.span
        t = x.type
        assert t is not None
        fits = _all([ir.Compare(">=", x, ir.Const(-2.0 ** 63, span, t), span, BOOL),
                     ir.Compare("<", x, ir.Const(2.0 ** 63, span, t), span, BOOL)], span)
        at = f"{span.path}:{span.line}"
        nan = self.failure(f"cannot convert float NaN to integer (int() at {at})", span, "ValueError")
        inf = self.failure(f"cannot convert float infinity to integer (int() at {at})", span, "OverflowError")
        big = self.failure(f"Python int too large to convert to C long (int() at {at}: py2omp's int is int64)", span,
                           "OverflowError")
        which = ir.If(ir.Compare("!=", x, x, span, BOOL), (nan,),
                      (ir.If(ir.Call("isinf", (x,), span, BOOL), (inf,), (big,), span),), span)
        return fits, (which,)

    def failure(self, message: str, span: Span, error: str) -> ir.Stmt:
        self.failures.append(ir.Failure(message, span, error))
        return checks.record(self.numbered + len(self.failures), span)

    def record(self, arrays: list[str], span: Span) -> ir.Stmt:
        """The recording of a failed check of the statement at `span`: one per statement, which
        keeps the C to one `if` around it; the message names the arrays it indexes."""
        named = " or ".join(f"'{a}'" for a in arrays)
        return self.failure(f"index out of range for {named} at {span.path}:{span.line}", span, "IndexError")


def _plain(check: object) -> object:
    """A check (or an expression) without spans and types, to compare two."""
    def strip(node: object) -> object:
        if dataclasses.is_dataclass(node) and not isinstance(node, type):
            return tuple(strip(getattr(node, f.name)) for f in dataclasses.fields(node) if f.name not in ("span", "type"))
        if isinstance(node, tuple):
            return tuple(strip(n) for n in node)
        return node
    return strip((check.right, check.when) if isinstance(check, ir.LengthCheck) else check)


@dataclasses.dataclass(frozen=True)
class _Checker(StmtTransformer):
    """Checks the accesses of one scope. `ranges`: the enclosing loops' variables (None: a range not
    known before the call); `lows`: their proven lower bounds (as `passes.indices` has them);
    `trips`: the enclosing loops' trip counts; `plain`: every access here runs whenever its loops do."""

    found: _Found
    ranges: Mapping[str, Range | None]
    lows: Mapping[str, int | None]
    trips: tuple[Affine, ...]
    plain: bool
    sliced: frozenset[str] = frozenset()
    """Variables of the loops `passes.lower_arrays` made for array statements (`independent`) and
    for reductions (`reductions`, and the loops nested in those): it clamps a slice's bounds to the
    extent as Python does, so their indices are in range already."""
    in_reduction: bool = False
    serial: bool = False
    """The innermost loop around is the user's serial loop (or a `while`): a failed check also
    leaves it, as Python's exception would, so that a loop of 2**63 iterations does not run on
    skipping each one (found by the fuzzer: a CSR row pointer of INT64_MAX hung the kernel)."""

    def block(self, stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
        """A statement that may jump (`continue`, `break`, `return`) makes the ones after it conditional."""
        result, current = [], self
        for stmt in stmts:
            result.append(current.visit(stmt))
            if current.plain and _jumps(stmt):
                current = dataclasses.replace(current, plain=False)
        return tuple(result)

    def visit_Loop(self, stmt: ir.Loop) -> ir.Stmt:
        var_range, trip = loop_range(self.found.forms, stmt, frozenset(self.ranges))
        ranges = {**self.ranges, stmt.var: var_range}
        narrowed = None if trip is not None or var_range is None else triangular(self.found.forms, stmt, self.ranges)
        if narrowed is not None:  # `range(i + 1, n)`: inside, `i` only where it runs, which is when it runs
            outer_var, outer_range, trip = narrowed
            ranges = {**self.ranges, outer_var: outer_range, stmt.var: var_range}
        ascending = stmt.step > 0
        low = lower_bound(stmt.start, self.lows) if ascending else after(lower_bound(stmt.stop, self.lows))
        # An array statement's or a reduction's loop is not a condition: NumPy checks an integer
        # index of the statement (`C[i, :k]`, `np.dot(A[i + 1:, i], x)`) even when the slice is empty.
        reduction = self.in_reduction or bool(stmt.reductions)
        made = stmt.independent or reduction
        inner = dataclasses.replace(
            self, ranges=ranges, lows={**self.lows, stmt.var: low},
            trips=self.trips + (() if trip is None or made else (trip,)),
            sliced=self.sliced | ({stmt.var} if made else set()), in_reduction=reduction,
            serial=not (stmt.parallel or made),
            plain=self.plain and (made or trip is not None) and not any(
                isinstance(n, (ir.Break, ir.Return)) for n in walk_all(stmt.body)))
        return self.guarded(dataclasses.replace(stmt, body=inner.block(stmt.body)), (stmt.start, stmt.stop))

    def visit_If(self, stmt: ir.If) -> ir.Stmt:
        inner = self if stmt.guard else dataclasses.replace(self, plain=False)
        rebuilt = dataclasses.replace(stmt, body=inner.block(stmt.body), orelse=inner.block(stmt.orelse))
        return self.guarded(rebuilt, (stmt.cond,))

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> ir.Stmt:
        """The loops are checked as the statement they stand for. The library reads the elements they
        read (its scalars read no array), so the preconditions checked before the call cover it; where
        the loops need checks of the running kernel, only the loops remain, unless the call's `when`
        implies that they pass (`checks_hold`)."""
        orelse = dataclasses.replace(self, plain=False).block(stmt.orelse)
        body = self.block(stmt.body)
        if not stmt.checks_hold and any(isinstance(n, ir.If) and n.guard for n in walk_all(body)):
            assert len(body) == 1, "a call of several statements holds its checks (`passes.blas_loops`)"
            return body[0]  # the library, which checks nothing, is not called (`passes.blas` keeps one statement)
        return dataclasses.replace(stmt, body=body, orelse=orelse)

    def visit_While(self, stmt: ir.While) -> ir.Stmt:
        """The condition is checked each time it is evaluated: `while True: if not cond: break` when
        it needs checks."""
        inner = dataclasses.replace(self, plain=False, serial=True)
        body = inner.block(stmt.body)
        stop = ir.If(ir.Unary("not", stmt.cond, stmt.span, BOOL), (ir.Break(stmt.span),), (), stmt.span)
        test = inner.guarded(stop, (stmt.cond,))
        if test is stop:
            return ir.While(stmt.cond, body, stmt.span)
        assert isinstance(test, ir.If)
        test = dataclasses.replace(test, orelse=test.orelse + (ir.Break(stmt.span),))
        return ir.While(ir.Const(True, stmt.span, BOOL), (test, *body), stmt.span)

    def visit_Assign(self, stmt: ir.Assign) -> ir.Stmt:
        return self.guarded(stmt, (stmt.value,) if isinstance(stmt.target, ir.Name) else (stmt.target, stmt.value))

    def visit_AtomicUpdate(self, stmt: ir.AtomicUpdate) -> ir.Stmt:
        return self.guarded(stmt, (stmt.target, stmt.value))

    def visit_CallStatement(self, stmt: ir.CallStatement) -> ir.Stmt:
        return self.guarded(stmt, (stmt.call,))

    def visit_Return(self, stmt: ir.Return) -> ir.Stmt:
        return stmt if stmt.value is None else self.guarded(stmt, (stmt.value,))

    visit_LocalArray = visit_Temporary = visit_Break = visit_Continue = StmtTransformer.keep

    def guarded(self, stmt: ir.Stmt, exprs: tuple[ir.Expr, ...]) -> ir.Stmt:
        """`stmt`, run only when the accesses in its own expressions that no precondition covers
        are in range and its `int()`s of floats have an int64 value; otherwise the failure is
        recorded (one record for its indices, one per `int()`: NaN, infinity or past int64)."""
        groups: list[tuple[ir.Expr, tuple[ir.Stmt, ...]]] = []
        indexed: list[tuple[ir.Expr, str, Span]] = []
        for node, when in (pair for e in exprs for pair in _evaluated(e, None)):
            # a device function's accesses are checked at its call (`callee_bounds`), as the caller's
            accesses = self.lifted(node) if isinstance(node, ir.CallFunction) and when is None else \
                [node] if isinstance(node, ir.Index) and node not in (self.found.callers_check or ()) else []
            for access in accesses:  # preconditions recorded even when the kernel checks nothing
                tests = [(_unless(when, t), a, at) for t, a, at in self.access(access, when is None)
                         if not _implied(t, when)]
                if self.found.in_kernel:
                    indexed += [t for t in tests if not any(_plain(t[0]) == _plain(u[0]) for u in indexed)]
            if isinstance(node, ir.Cast) and node.python_int:
                fits, records = self.found.int_check(node)
                groups += self.index_group(indexed, stmt.span) + [(_unless(when, fits), records)]
                indexed = []
        groups += self.index_group(indexed, stmt.span)
        if not groups:
            return stmt
        failed = groups[-1][1]
        for cond, records in reversed(groups[:-1]):  # the first that fails is the one recorded
            failed = (ir.If(cond, failed, records, stmt.span),)
        if self.serial and self.found.callers_check is None:  # a device function returns instead
            failed += (ir.Break(stmt.span),)
        return ir.If(_all([c for c, _ in groups], stmt.span), (stmt,), failed, stmt.span, guard=True)

    def lifted(self, call: ir.CallFunction) -> list[ir.Index]:
        """The accesses of the device function `call` reaches that the caller checks."""
        callee = self.found.functions.get(call.symbol or "")
        return [] if callee is None else lifted_accesses(call, callee)

    def index_group(self, indexed: list[tuple[ir.Expr, str, Span]], span: Span) -> list[tuple[ir.Expr, tuple[ir.Stmt, ...]]]:
        """The statement's index tests as one test and one record (none: no group)."""
        if not indexed:
            return []
        arrays = list(dict.fromkeys(array for _, array, _ in indexed))
        return [(_all([t for t, _, _ in indexed], span), (self.found.record(arrays, span),))]

    def access(self, index: ir.Index, always: bool) -> list[tuple[ir.Expr, str, Span]]:
        """The kernel's tests for one access: none where a precondition covers a dimension."""
        if index.array == ir.STATUS:
            return []
        return [(test, index.array, i.span) for d, i in enumerate(index.indices)
                if (test := self.dimension(index.array, d, i, always)) is not None]

    def dimension(self, array: str, dim: int, index: ir.Expr, always: bool) -> ir.Expr | None:
        """The kernel's test of one index, or None where it needs none (in range whatever the
        arguments, or by the preconditions this records)."""
        nodes = list(walk(index))
        if any(isinstance(n, ir.Name) and n.id in self.sliced for n in nodes) and not any(
                isinstance(n, ir.Index) for n in nodes):
            return None  # a slice's element: a gather through an index array is checked
        shape = self.found.shapes.get(array)
        extent: ir.Expr = ir.Extent(array, dim, index.span, I64) if shape is None else ir.Const(shape[dim], index.span, I64)
        needs = self.needed(index)
        if needs is not None and shape is not None and all(not n.terms and n.const <= shape[dim] for n in needs):
            return None
        if needs is not None and shape is None:
            if all(self.surely_fits(array, dim, n, index.span) for n in needs):
                return None
            if self.plain and always and array not in self.found.made:  # not in a branch of `a if c else b`
                # (np.concatenate's), and no temporary (its extents are not the arguments')
                for need in needs:
                    self.require(array, dim, need, index.span)
                return None
            if all(self.found.covered(array, dim, n, self.trips) for n in needs):
                return None
        below = ir.Compare("<", index, extent, index.span, BOOL)
        low = lower_bound(index, self.lows)
        if low is not None and low >= 0:
            return below
        least = ir.Unary("-", extent, index.span, I64)
        return ir.Logical("and", ir.Compare(">=", index, least, index.span, BOOL), below, index.span, BOOL)

    def needed(self, index: ir.Expr) -> tuple[Affine, ...] | None:
        """The lengths the array needs for this index at every iteration, or None when only the
        kernel can check it: the greatest index + 1, and where the least may be negative (Python
        counts it from the end), minus the least. `e % d`, `d` a non-negative length of the
        arguments, is in `[0, d)` (Python's modulo; 0 for `d == 0`, as NumPy's), whatever `e` is."""
        if isinstance(index, ir.Binary) and index.op == "%":
            divisor = self.found.forms.form(index.right, frozenset())
            if divisor is not None and non_negative(divisor):
                return divisor, constant(1)
        form = self.found.forms.form(index, frozenset(self.ranges))
        if form is None:
            return None
        low, high = extreme(form, self.ranges, lowest=True), extreme(form, self.ranges, lowest=False)
        if low is None or high is None:
            return None
        return (high.plus(constant(1)),) if non_negative(low) else (high.plus(constant(1)), low.scaled(-1))

    def surely_fits(self, array: str, dim: int, need: Affine, span: Span) -> bool:
        """Whether `need` is at most the extent whatever the arguments (`x[i]` over `range(len(x))`):
        then an access that may not run (under an `if`) needs no check either."""
        extent = self.found.forms.form(ir.Extent(array, dim, span, I64), frozenset())
        if extent is None:  # a temporary's shape that is no form of the arguments
            return False
        slack = need.plus(extent, -1)
        return any(not s.terms and s.const <= 0
                   for s in (slack, *(slack.plus(d, sign) for d in self.found.equal for sign in (1, -1))))

    def require(self, array: str, dim: int, need: Affine, span: Span) -> None:
        """Record `array.shape[dim] >= need` when the loops run, unless it is plainly true or an
        earlier precondition covers it (`mean[j]` over a triangular `range(i, m)` after `mean[j]`
        over `prange(m)`)."""
        if self.surely_fits(array, dim, need, span) or self.found.covered(array, dim, need, self.trips):
            return
        forms = self.found.forms
        trips = [t for i, t in enumerate(self.trips) if (t.terms or t.const <= 0) and t not in self.trips[:i]]
        if any(not t.terms for t in trips):
            return  # a loop around it never runs
        self.found.known.append((array, dim, need, tuple(trips)))
        self.found.need(ir.LengthCheck(ir.Extent(array, dim, span, I64), forms.expr(need, span), span, array, dim,
                                       tuple(forms.expr(t, span) for t in trips)))


def _equal_lengths(forms: Forms, checks_made: tuple[ir.LengthCheck, ...]) -> tuple[Affine, ...]:
    """The differences of the lengths the caller checks equal (`ir.LengthCheck` without `array`) where
    both are non-negative forms (the check compares lengths clamped at 0: then the lengths themselves)."""
    equal = []
    for check in checks_made:
        left, right = forms.form(check.left, frozenset()), forms.form(check.right, frozenset())
        if check.array is None and left is not None and right is not None and non_negative(left) and non_negative(right):
            equal.append(left.plus(right, -1))
    return tuple(equal)


def _evaluated(expr: ir.Expr, when: ir.Expr | None) -> Iterator[tuple[ir.Expr, ir.Expr | None]]:
    """The nodes of `expr` in the order C evaluates them (operands first, left to right), each with
    the condition under which it is evaluated at all (None: always): the right side of `and`/`or`
    and the branches of `a if c else b` only sometimes, and their accesses are checked only then."""
    def both(extra: ir.Expr) -> ir.Expr:
        condition = extra if extra.type == BOOL else ir.Cast(extra, extra.span, BOOL)
        return condition if when is None else ir.Logical("and", when, condition, extra.span, BOOL)
    if isinstance(expr, ir.Logical):
        yield from _evaluated(expr.left, when)
        left = expr.left if expr.op == "and" else ir.Unary("not", expr.left, expr.span, BOOL)
        yield from _evaluated(expr.right, both(left))
    elif isinstance(expr, ir.Select):
        yield from _evaluated(expr.cond, when)
        yield from _evaluated(expr.then, both(expr.cond))
        yield from _evaluated(expr.orelse, both(ir.Unary("not", expr.cond, expr.span, BOOL)))
    else:
        for child in expr_children(expr):
            yield from _evaluated(child, when)
    yield expr, when


def _implied(test: ir.Expr, when: ir.Expr | None) -> bool:
    """Whether `test` is one of the conditions `when` joins (`x[0] if 0 < n else 0.0`, a guard
    already testing the index)."""
    if when is None:
        return False
    if isinstance(when, ir.Logical) and when.op == "and":
        return _implied(test, when.left) or _implied(test, when.right)
    return _plain(test) == _plain(when)


def _unless(when: ir.Expr | None, test: ir.Expr) -> ir.Expr:
    """`test`, which matters only when `when` holds (an access evaluated only then)."""
    if when is None:
        return test
    return ir.Logical("or", ir.Unary("not", when, when.span, BOOL), test, test.span, BOOL)


def _all(conds: list[ir.Expr], span: Span) -> ir.Expr:
    result = conds[0]
    for cond in conds[1:]:
        result = ir.Logical("and", result, cond, span, BOOL)
    return result


def _jumps(stmt: ir.Stmt) -> bool:
    return any(isinstance(n, (ir.Break, ir.Continue, ir.Return)) for n in walk(stmt))
