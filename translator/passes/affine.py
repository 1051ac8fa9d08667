"""Integer expressions as affine forms `c0 + sum(ck * xk)`, for `passes.bounds` and `passes.sections`.

The `x`s are loop variables or *atoms*: integer expressions of the arguments alone (extents, scalar
parameters, `min`/`max` of those), which the runtime can evaluate before the call. An access whose
index is affine in loop variables of known ranges reaches at most the largest value of its form:
the bound the caller checks, once, instead of the kernel at each access, and the end of the range of
elements a call must move to the device. `loop_range` and `extreme` are the one range analysis both
passes use: a loop variable's least and greatest value, and a form's extremes over nested loops.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.arrays import of_arguments
from translator.ir.types import I64, real_value
from translator.ir.visit import temporaries, walk_all


@dataclasses.dataclass(frozen=True)
class Affine:
    """`const + sum(coeff * term)`; `terms` maps a loop variable or an atom's key to its coefficient."""

    terms: Mapping[str, int]
    const: int

    def plus(self, other: Affine, sign: int = 1) -> Affine:
        terms = dict(self.terms)
        for key, coeff in other.terms.items():
            terms[key] = terms.get(key, 0) + sign * coeff
        return Affine({k: c for k, c in terms.items() if c}, self.const + sign * other.const)

    def scaled(self, factor: int) -> Affine:
        return Affine({k: c * factor for k, c in self.terms.items() if c * factor}, self.const * factor)


def constant(value: int) -> Affine:
    return Affine({}, value)


@dataclasses.dataclass
class Forms:
    """Builds affine forms in a kernel: `params` say what an argument is, `values` are locals bound
    once to an affine form of the arguments (`n = x.shape[0]`), `atoms` collects the expression of
    each atom's key (to write a bound back as an expression)."""

    params: Mapping[str, ir.Param]
    values: dict[str, Affine]
    atoms: dict[str, ir.Expr] = dataclasses.field(default_factory=dict)
    temporaries: Mapping[str, tuple[ir.Expr, ...]] = dataclasses.field(default_factory=dict)
    """The shapes of the arrays made inside `prange` bodies (`ir.Temporary`), host expressions
    computed before the loop: a temporary's extent is the form of its shape there."""

    def form(self, expr: ir.Expr, loop_vars: frozenset[str]) -> Affine | None:
        """The affine form of `expr`, or None when it is not one (a gather, a local changing in a loop,
        arithmetic in a narrower integer type, which wraps where Python's integers would not)."""
        if isinstance(expr, (ir.Binary, ir.Unary)) and expr.type is not None and expr.type.bits < 64:
            return None
        if isinstance(expr, ir.Const) and isinstance(real_value(expr.value), int):
            return constant(int(real_value(expr.value)))
        if isinstance(expr, ir.Name) and expr.id in loop_vars:
            return Affine({expr.id: 1}, 0)
        if isinstance(expr, ir.Name) and expr.id in self.values:
            return self.values[expr.id]
        if isinstance(expr, ir.Cast) and expr.type is not None and expr.type.is_int:
            return self.form(expr.operand, loop_vars)
        if isinstance(expr, ir.Extent) and expr.array in self.temporaries:
            return self.form(self.temporaries[expr.array][expr.dim], frozenset())
        if isinstance(expr, ir.Extent) and expr.array in self.params:
            made = self.params[expr.array].allocation
            if made is not None:  # an array the kernel makes: its extent is the shape the caller allocates
                return self.form(made.shape[expr.dim], frozenset())
        if isinstance(expr, ir.Binary) and expr.op in ("+", "-"):
            left, right = self.form(expr.left, loop_vars), self.form(expr.right, loop_vars)
            if left is None or right is None:
                return None
            return left.plus(right, 1 if expr.op == "+" else -1)
        if isinstance(expr, ir.Binary) and expr.op == "*":
            left, right = self.form(expr.left, loop_vars), self.form(expr.right, loop_vars)
            if left is not None and right is not None and not right.terms:
                return left.scaled(right.const)
            if left is not None and right is not None and not left.terms:
                return right.scaled(left.const)
        return self.atom(expr)

    def atom(self, expr: ir.Expr) -> Affine | None:
        """An expression of the arguments as one term (None when it reads anything else)."""
        if not of_arguments(expr, self.params):
            return None
        key = _key(expr)
        self.atoms.setdefault(key, expr)
        return Affine({key: 1}, 0)

    def expr(self, form: Affine, span: Span) -> ir.Expr:
        """`form` (atoms only) as an int64 expression, for the manifest: `x.shape[0] - 1`, `1 - n`."""
        terms = sorted(form.terms.items(), key=lambda item: item[1] < 0)  # positive terms first
        starts_positive = bool(terms) and terms[0][1] > 0
        result: ir.Expr = ir.Const(form.const, span, I64)
        for position, (key, coeff) in enumerate(terms):
            term = self.atoms[key]
            if abs(coeff) != 1:
                term = ir.Binary("*", ir.Const(abs(coeff), span, I64), term, span, I64)
            if position == 0 and starts_positive:
                result = term
            else:
                result = ir.Binary("+" if coeff > 0 else "-", result, term, span, I64)
        if starts_positive and form.const:
            result = ir.Binary("+" if form.const > 0 else "-", result, ir.Const(abs(form.const), span, I64), span, I64)
        return result


def _key(expr: ir.Expr) -> str:
    """Text that is the same for the same expression of the arguments, whatever its spans and types."""
    if isinstance(expr, ir.Extent):
        return f"{expr.array}.shape[{expr.dim}]"
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Const):
        return str(real_value(expr.value))
    if isinstance(expr, ir.Cast):
        return _key(expr.operand)
    if isinstance(expr, ir.Binary):
        return f"({_key(expr.left)} {expr.op} {_key(expr.right)})"
    if isinstance(expr, ir.Call):
        return f"{expr.func}({', '.join(_key(a) for a in expr.args)})"
    raise ValueError(f"internal error: {type(expr).__name__} in an expression of the arguments")


def kernel_forms(kernel: ir.Kernel) -> Forms:
    """The kernel's affine forms, knowing the values of the locals assigned once, at the top level,
    from the arguments (`n = x.shape[0]`)."""
    counts: dict[str, int] = {}
    for node in walk_all(kernel.body):
        if isinstance(node, ir.Assign) and isinstance(node.target, ir.Name):
            counts[node.target.id] = counts.get(node.target.id, 0) + 1
        elif isinstance(node, ir.Loop):
            counts[node.var] = 2
    values: dict[str, Affine] = {}
    made = {name: t.shape for name, t in temporaries(kernel.body).items()}
    forms = Forms({p.name: p for p in kernel.params}, values, temporaries=made)
    for stmt in kernel.body:
        if isinstance(stmt, ir.Assign) and isinstance(stmt.target, ir.Name) and counts[stmt.target.id] == 1:
            form = forms.form(stmt.value, frozenset())
            if form is not None and stmt.value.type is not None and stmt.value.type.is_int:
                values[stmt.target.id] = form
    return forms


@dataclasses.dataclass(frozen=True)
class Range:
    """The least and greatest value of a loop variable, as affine forms of the arguments and the
    variables of the loops around it."""

    low: Affine
    high: Affine


Ranges = Mapping[str, "Range | None"]
"""The enclosing loops' variables and their ranges (None: a range not known before the call)."""


def loop_range(forms: Forms, loop: ir.Loop | ir.LoopLevel, outer: frozenset[str]) -> tuple[Range | None, Affine | None]:
    """The variable's range (affine in the arguments and the `outer` loops' variables) and the
    loop's trip count (positive when it runs; None unless the bounds are of the arguments alone)."""
    start, stop = forms.form(loop.start, outer), forms.form(loop.stop, outer)
    if start is None or stop is None:
        return None, None
    rectangular = not (outer & (set(start.terms) | set(stop.terms)))
    if loop.step == 1 or loop.step == -1:
        far = stop.plus(constant(-loop.step))
    elif rectangular:
        far = start.plus(_last_offset(forms, loop, start, stop), 1 if loop.step > 0 else -1)
    else:
        return None, None
    if loop.step > 0:
        return Range(start, far), stop.plus(start, -1) if rectangular else None
    return Range(far, start), start.plus(stop, -1) if rectangular else None


def _last_offset(forms: Forms, loop: ir.Loop | ir.LoopLevel, start: Affine, stop: Affine) -> Affine:
    """How far the last value of a loop of step other than 1 is from its start:
    `(|stop - start| - 1) // |step| * |step|`, an atom."""
    span = loop.span
    step = ir.Const(abs(loop.step), span, I64)
    first, end = forms.expr(start, span), forms.expr(stop, span)
    distance = ir.Binary("-", end, first, span, I64) if loop.step > 0 else ir.Binary("-", first, end, span, I64)
    count = ir.Binary("//", ir.Binary("-", distance, ir.Const(1, span, I64), span, I64), step, span, I64)
    offset = forms.atom(ir.Binary("*", count, step, span, I64))
    assert offset is not None  # built from the arguments
    return offset


def extreme(form: Affine, ranges: Ranges, lowest: bool) -> Affine | None:
    """The least (greatest) value of `form` over the loops' ranges, as a form of the arguments: the
    innermost loop variable is replaced by the bound of its range, a form of the outer variables,
    and so on outwards (`ranges` lists outer loops first). So `j - i` over `j in range(i)` is at most
    -1, where bounding each term alone would give `n - 2`. Exact where every range is non-empty
    for the outer variables' values (`triangular` narrows them so); otherwise beyond."""
    for key in reversed(list(ranges)):
        coeff = form.terms.get(key, 0)
        if not coeff:
            continue
        loop_range = ranges[key]
        if loop_range is None:
            return None
        form = _replaced(form, key, loop_range.low if (coeff > 0) == lowest else loop_range.high)
    return form


def _replaced(form: Affine, key: str, value: Affine) -> Affine:
    """`form` with the term `key` replaced by `value`, whose terms take its place (the order in
    which a bound is written stays the source's)."""
    terms: dict[str, int] = {}
    for k, c in form.terms.items():
        for added, a in (value.scaled(c).terms.items() if k == key else ((k, c),)):
            terms[added] = terms.get(added, 0) + a
    return Affine({k: c for k, c in terms.items() if c}, form.const + form.terms[key] * value.const)


def triangular(forms: Forms, loop: ir.Loop, ranges: Ranges) -> tuple[str, Range, Affine] | None:
    """For a loop of step 1 whose length depends on one enclosing loop's variable `v` with
    coefficient +-1 (`range(i + 1, n)`, `range(i)`), `v`'s range of the arguments narrowed to where
    the loop runs, and that range's trip count: then the loop runs for each `v` there, which makes
    `extreme` exact. None otherwise (the loop is rectangular, or the ranges do not compare)."""
    outer = frozenset(ranges)
    start, stop = forms.form(loop.start, outer), forms.form(loop.stop, outer)
    if loop.step != 1 or start is None or stop is None:
        return None
    size = stop.plus(start, -1)  # runs iff size > 0
    variables = [k for k in size.terms if k in ranges]
    if len(variables) != 1 or abs(size.terms[variables[0]]) != 1:
        return None
    var = variables[0]
    coeff, known = size.terms[var], ranges[var]
    if known is None or outer & (set(known.low.terms) | set(known.high.terms)):
        return None
    rest = Affine({k: c for k, c in size.terms.items() if k != var}, size.const)
    last = rest.plus(constant(-1))
    low: Affine | None = known.low
    high: Affine | None = known.high
    if coeff < 0:  # var < rest: var <= min(high, rest - 1)
        high = _least(known.high, last)
    else:  # var > -rest: var >= max(low, 1 - rest)
        least = _least(known.low.scaled(-1), last)
        low = None if least is None else least.scaled(-1)
    if low is None or high is None:
        return None
    return var, Range(low, high), high.plus(low, -1).plus(constant(1))


def _least(a: Affine, b: Affine) -> Affine | None:
    """The lesser of two forms that differ by a constant (None when they do not)."""
    difference = a.plus(b, -1)
    if difference.terms:
        return None
    return a if difference.const <= 0 else b


def non_negative(form: Affine) -> bool:
    """Whether `form` is at least 0: a non-negative constant plus extents with positive coefficients."""
    return form.const >= 0 and all(c > 0 and ".shape[" in k for k, c in form.terms.items())
