"""`counts, edges = np.histogram(x, bins=n)` (optionally `range=(lo, hi)`): NumPy's histogram with a
bin count, at the top level of a kernel.

It follows NumPy's own algorithm for equal bins (`numpy/lib/_histograms_impl.py`), so the counts
are NumPy's, values on the edges included. The range is the data's minimum and maximum (a parallel
reduction, which also counts values that are not finite) or the one given; an empty range is widened
by 0.5 on each side. The edges are `np.linspace(first, last, n + 1)`, in the float type of the data
(float64 for integers). Each value in the range goes to bin `int((v - first) / (last - first) * n)`,
moved down or up by one where it falls on the wrong side of an edge, counted with an atomic add by a
parallel loop over the data. NumPy raises `ValueError` when the data holds NaN or inf (without a
range), when the range is not finite or reversed, and when `bins` is not positive: the kernel checks
the same and the call raises it (`guards.unless`). Both arrays are made by the kernel.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from translator.frontend.allocations import declare_new_array, fill_loops, lifts, settle_dtype
from translator.frontend.array_functions import CallArgs, array_shape, product
from translator.frontend.arrays import local_assign, shape_of, value_at
from translator.frontend.context import KernelScope
from translator.frontend.expressions import CALLS, KEYWORDS_TAKEN, build_expr
from translator.frontend.guards import unless
from translator.ir import nodes as ir
from translator.ir.arrays import ZERO, Offset, loop_nest
from translator.ir.types import I64

USAGE = "np.histogram() returns the counts and the edges: `counts, edges = np.histogram(x, bins=n)`"


class _Histogram:
    """One `np.histogram` statement being built: its call, the data and the statements so far."""

    def __init__(self, call: CallArgs, data: cst.BaseExpression, edges: str) -> None:
        self.call, self.scope, self.span = call, call.scope, call.span()
        self.data, self.shape = data, array_shape(call, data)
        self.out: list[ir.Stmt] = []
        self.edges = edges
        self.range_type: ir.Expr = ir.Const(0.0, self.span)
        self.edge_type: ir.Expr = ir.dtype_of_array(edges, 1, self.span)
        """NumPy's types, which typing decides: the range's (a value of it) and the edges' (the
        edges array's, whose own type `set_types` gives)."""

    def set_types(self, range_sum: ir.Expr, edge_sum: ir.Expr) -> None:
        """NumPy's types: the range's, `result_type(first, last, float)` (its ends' sum given), and the
        edges', `result_type(first, last, a)` (the sum of the ends and an element given)."""
        span = self.span
        self.range_type = ir.Binary("+", range_sum, ir.Const(0.0, span), span)
        settle_dtype(self.scope, self.edges, ir.Binary("+", edge_sum, ir.Const(0.0, span), span),
                     real_only="np.histogram() of complex numbers is not supported")

    def sample(self) -> ir.Expr:
        """An element of the data (the first), for its type; what it needs computed first goes to `out`."""
        return value_at(self.data, [ZERO] * len(self.shape), self.shape, self.scope, self.out)[1]

    def local(self, base: str, value: ir.Expr, into: list[ir.Stmt] | None = None) -> ir.Name:
        name = ir.Name(self.scope.fresh_temp(base), self.span)
        (self.out if into is None else into).append(local_assign(name, value, self.scope))
        return name

    def over_data(self) -> tuple[list[tuple[str, ir.Expr, ir.Expr]], tuple[ir.Stmt, ...], ir.Expr]:
        """Loops over every element of the data, the statements computing it, and the element."""
        variables = [self.scope.fresh_loop_var("k") for _ in self.shape]
        offsets = [Offset(ir.Name(v, self.span), None, 0) for v in variables]
        inner, value = value_at(self.data, offsets, self.shape, self.scope, self.out)
        return [(v, ir.Const(0, self.span), n) for v, n in zip(variables, self.shape)], inner, value


def histogram(node: cst.Assign, value: cst.Call, scope: KernelScope) -> list[ir.Stmt]:
    """`counts, edges = np.histogram(x, bins=n, range=(lo, hi))` (see the module)."""
    names = _targets(node, value, scope)
    call = CallArgs(value, ("a", "bins", "range", "density", "weights"), scope, "np.histogram")
    for unsupported in ("density", "weights"):
        given = call.get(unsupported)
        if given is not None and not (isinstance(given, cst.Name) and given.value in ("None", "False")):
            raise scope.module.error(given, f"np.histogram() in a kernel counts values: {unsupported}= is not "
                                            "supported")
    bins = call.get("bins")
    if bins is not None and (shape_of(bins, scope) or isinstance(bins, (cst.Tuple, cst.List))):
        raise scope.module.error(bins, "np.histogram() in a kernel takes a number of bins (equal bins)")
    counts, edges = names
    made = _Histogram(call, call.need("a"), edges)
    span = made.span
    n = build_expr(bins, scope) if bins is not None else ir.Const(10, span)
    declare_new_array(scope, counts, node, I64, (n,), span)
    _zero_filled(counts, scope)
    declare_new_array(scope, edges, node, made.edge_type, (ir.Binary("+", n, ir.Const(1, span), span),), span)
    first, last, valid, why = _range(made, call)
    body: list[ir.Stmt] = [fill_loops(counts, 1, ir.Const(0, span), span, scope), _edges(made, edges, first, last, n),
            _counting(made, counts, edges, first, last, n)]
    positive = ir.Compare(">", n, ir.Const(0, span), span)
    return made.out + unless(ir.Logical("and", positive, valid, span), body,
                             f"np.histogram() at line {span.line}: {why}, or `bins` is not positive; NumPy raises "
                             "ValueError here", span, scope)


def _targets(node: cst.Assign, value: cst.Call, scope: KernelScope) -> tuple[str, str]:
    target = node.targets[0].target if len(node.targets) == 1 else None
    if not (isinstance(target, cst.Tuple) and len(target.elements) == 2
            and all(isinstance(e.value, cst.Name) for e in target.elements)):
        raise scope.module.error(value, USAGE)
    if not lifts(scope):
        raise scope.module.error(value, "np.histogram() in a kernel is a statement of its top level (outside loops "
                                       "and ifs): it makes two arrays")
    return target.elements[0].value.value, target.elements[1].value.value  # type: ignore[attr-defined]


def _zero_filled(name: str, scope: KernelScope) -> None:
    """The caller allocates array `name` zero-filled (so does the device entry point)."""
    param = scope.params[name]
    assert param.allocation is not None
    fill = ir.Const(0, param.span)
    scope.params[name] = dataclasses.replace(param, allocation=dataclasses.replace(param.allocation, fill=fill))


def _range(made: _Histogram, call: CallArgs) -> tuple[ir.Name, ir.Name, ir.Expr, str]:
    """The range's two ends (widened when equal), the condition under which NumPy takes it, and
    what NumPy says otherwise. Sets the types: the range's (in which NumPy computes the edges) and
    the edges' (in which it places the values)."""
    span, given = made.span, call.get("range")
    sample = made.sample()
    if given is not None and not (isinstance(given, cst.Name) and given.value == "None"):
        if not isinstance(given, cst.Tuple) or len(given.elements) != 2:
            raise made.scope.module.error(given, "range= takes two numbers: range=(lo, hi)")
        lo, hi = (build_expr(e.value, made.scope) for e in given.elements)
        made.set_types(ir.Binary("+", lo, hi, span), ir.Binary("+", ir.Binary("+", sample, lo, span), hi, span))
        finite = ir.Logical("and", ir.Call("numpy.isfinite", (lo,), span), ir.Call("numpy.isfinite", (hi,), span),
                            span)
        first, last = _widened(made, lo, hi)
        return first, last, ir.Logical("and", ir.Compare("<=", lo, hi, span), finite, span), \
            "the range is not finite or its maximum is below its minimum"
    made.set_types(sample, sample)
    bounds, inner, value = made.over_data()
    element = ir.Cast(value, span, like=made.range_type)
    low = made.local("low", ir.Cast(ir.Const(float("inf"), span), span, like=made.range_type))
    high = made.local("high", ir.Cast(ir.Const(float("-inf"), span), span, like=made.range_type))
    bad = made.local("nonfinite", ir.Cast(ir.Const(0, span), span, I64))
    not_finite = ir.Cast(ir.Unary("not", ir.Call("numpy.isfinite", (element,), span), span), span, I64)
    body = (*inner, local_assign(low, ir.Call("min", (low, element), span), made.scope),
            local_assign(high, ir.Call("max", (high, element), span), made.scope),
            local_assign(bad, ir.Binary("+", bad, not_finite, span), made.scope))
    made.out.append(loop_nest(bounds, body, True, span))
    empty = ir.Compare("==", product(made.shape, span), ir.Const(0, span), span)
    first, last = _widened(made, ir.Select(empty, ir.Const(0, span), low, span),
                           ir.Select(empty, ir.Const(1, span), high, span))
    return first, last, ir.Compare("==", bad, ir.Const(0, span), span), \
        "the data holds NaN or inf, so the autodetected range is not finite"


def _widened(made: _Histogram, first: ir.Expr, last: ir.Expr) -> tuple[ir.Name, ir.Name]:
    """The range's ends as locals of the range's type, 0.5 further apart when they are equal."""
    span = made.span
    half = ir.Const(0.5, span)
    lo = made.local("first", ir.Cast(first, span, like=made.range_type))
    hi = made.local("last", ir.Cast(last, span, like=made.range_type))
    same = made.local("empty_range", ir.Compare("==", lo, hi, span))
    made.out.append(local_assign(lo, ir.Select(same, ir.Binary("-", lo, half, span), lo, span), made.scope))
    made.out.append(local_assign(hi, ir.Select(same, ir.Binary("+", hi, half, span), hi, span), made.scope))
    return lo, hi


def _edges(made: _Histogram, edges: str, first: ir.Name, last: ir.Name, n: ir.Expr) -> ir.Loop:
    """`edges = np.linspace(first, last, n + 1)` in the range's type, as NumPy computes it
    (`array_functions._linspace`), stored in the edges' type."""
    span, t = made.span, made.range_type
    i = ir.Name(made.scope.fresh_loop_var("i"), span)
    step = ir.Binary("/", ir.Binary("-", last, first, span), ir.Cast(n, span, like=t), span)
    spaced = ir.Binary("+", ir.Binary("*", ir.Cast(i, span, like=t), step, span), first, span)
    value = ir.Select(ir.Compare("==", i, n, span), last, spaced, span)
    store = ir.Assign(ir.Index(edges, (i,), span), ir.Cast(value, span, like=made.edge_type), span)
    return loop_nest([(i.id, ir.Const(0, span), ir.Binary("+", n, ir.Const(1, span), span))], (store,), True, span)


def _counting(made: _Histogram, counts: str, edges: str, first: ir.Name, last: ir.Name, n: ir.Expr) -> ir.Loop:
    """Each value in the range counted in its bin, NumPy's index corrected by the edges; all in
    the edges' type, as NumPy converts the values to it."""
    span, scope, t = made.span, made.scope, made.edge_type
    bounds, inner, value = made.over_data()
    body: list[ir.Stmt] = list(inner)
    v = made.local("v", ir.Cast(value, span, like=t), body)
    lo, width, one = (ir.Cast(first, span, like=t), ir.Cast(ir.Binary("-", last, first, span), span, like=t),
                      ir.Const(1, span))
    scaled = ir.Binary("*", ir.Binary("/", ir.Binary("-", v, lo, span), width, span), ir.Cast(n, span, like=t), span)
    index = ir.Name(scope.fresh_temp("bin"), span)
    above = ir.Compare(">=", v, ir.Index(edges, (ir.Binary("+", index, one, span),), span), span)
    steps: list[ir.Stmt] = [local_assign(index, ir.Cast(scaled, span, I64), scope)]
    for cond, change in ((ir.Compare("==", index, n, span), "-"),
                         (ir.Compare("<", v, ir.Index(edges, (index,), span), span), "-"),
                         (ir.Logical("and", above, ir.Compare("!=", index, ir.Binary("-", n, one, span), span), span),
                          "+")):
        steps.append(local_assign(index, ir.Select(cond, ir.Binary(change, index, one, span), index, span), scope))
    steps.append(ir.AtomicUpdate("+", ir.Index(counts, (index,), span), ir.Cast(one, span, I64), span))
    inside = ir.Logical("and", ir.Compare(">=", v, lo, span), ir.Compare("<=", v, ir.Cast(last, span, like=t), span),
                        span)
    body.append(ir.If(inside, tuple(steps), (), span))
    return loop_nest(bounds, tuple(body), True, span)


def _elsewhere(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    raise scope.module.error(node, USAGE)


CALLS["numpy.histogram"] = _elsewhere
KEYWORDS_TAKEN.add("numpy.histogram")
