"""`sum(f(i, j) for i in (-1, 0, 1) for j in (-1, 0, 1) if i or j)`: a sum over constants, unrolled.

Tutorials count a cell's neighbours this way (Conway's game of life: `sum(np.roll(np.roll(Z, i, 0),
j, 1) for ...)`). When every `for` of the generator (or list comprehension) runs over a tuple of
numeric constants or `range` of constants, the sum is rewritten, before its statement is built, into
Python's own additions in Python's order: `0 + f(-1, -1) + f(-1, 0) + ...`, each term the element
expression with the loop names replaced by their values, and only the terms whose `if` holds (each
`if` must then be a constant). The start `0` stays, as Python adds it (a sum of bool arrays is an
integer array). Anything else given to `sum()` is a located error naming what to write instead.
"""

from __future__ import annotations

import itertools

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import nodes_in
from translator.frontend.source import fold_constant

MAX_TERMS = 64
"""The most terms a sum is unrolled into."""
USAGE = ("sum() in a kernel adds the terms of a generator over tuples of constants or range() of constants "
         "(`sum(np.roll(Z, i, 0) for i in (-1, 1))`); for the elements of an array use np.sum(x)")


def wants_unrolling(call: cst.Call, scope: KernelScope) -> bool:
    """Whether `call` is `sum(...)`: the rewrite stage's rule (a sum it cannot unroll is an error there)."""
    return scope.module.qualified_name(call.func) == "builtins.sum"


def unrolled(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """A `sum(...)` of a generator over constants written as its additions; None for other calls."""
    if not wants_unrolling(original, scope):
        return None
    generator = updated.args[0].value if len(updated.args) == 1 else None
    if not isinstance(generator, (cst.GeneratorExp, cst.ListComp)) or updated.args[0].keyword is not None:
        raise scope.module.error(original, USAGE)
    total: cst.BaseExpression = cst.Integer("0")
    for values in _bindings(generator, original, scope):
        total = cst.BinaryOperation(total, cst.Add(), _replaced(generator.elt, values))
    for part in nodes_in(total):
        scope.module.positions.setdefault(part, scope.module.positions[original])
    return total


def _bindings(generator: cst.GeneratorExp | cst.ListComp, at: cst.Call,
              scope: KernelScope) -> list[dict[str, cst.BaseExpression]]:
    """Each combination of the loop names' values, in Python's order, whose `if`s hold."""
    loops: list[tuple[str, list[cst.BaseExpression], list[cst.BaseExpression]]] = []
    clause: cst.CompFor | None = generator.for_in
    while clause is not None:
        if not isinstance(clause.target, cst.Name) or clause.asynchronous is not None:
            raise scope.module.error(clause, USAGE)
        loops.append((clause.target.value, _values(clause.iter, scope), [c.test for c in clause.ifs]))
        clause = clause.inner_for_in
    kept: list[dict[str, cst.BaseExpression]] = []
    for combination in itertools.product(*(values for _, values, _ in loops)):
        values = {name: value for (name, _, _), value in zip(loops, combination)}
        if all(_holds(test, values, scope) for _, _, tests in loops for test in tests):
            kept.append(values)
    if len(kept) > MAX_TERMS:
        raise scope.module.error(at, f"this sum unrolls into {len(kept)} terms; a kernel unrolls at most "
                                 f"{MAX_TERMS}: write the loop")
    return kept


def _values(iterable: cst.BaseExpression, scope: KernelScope) -> list[cst.BaseExpression]:
    """The constants a `for` of the generator runs over."""
    module = scope.module
    if isinstance(iterable, cst.Tuple | cst.List):
        items = [e.value for e in iterable.elements]
        if all(fold_constant(v, module, module.constants) is not None for v in items):
            return items
    if isinstance(iterable, cst.Call) and module.qualified_name(iterable.func) == "builtins.range":
        bounds = [fold_constant(a.value, module, module.constants) for a in iterable.args]
        if 1 <= len(bounds) <= 3 and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            return [cst.Integer(str(v)) if v >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-v)))
                    for v in range(*bounds)]  # type: ignore[arg-type]
    raise module.error(iterable, USAGE)


def _holds(test: cst.BaseExpression, values: dict[str, cst.BaseExpression], scope: KernelScope) -> bool:
    """The value of an `if` of the generator for these values. It may use only the loop names,
    constants, arithmetic, comparisons and `and`/`or`/`not`, so Python itself evaluates it."""
    module = scope.module
    known = {**module.constants, **{name: fold_constant(v, module, module.constants) for name, v in values.items()}}
    parts = nodes_in(test)
    if any(isinstance(p, (cst.Call, cst.Attribute, cst.Subscript, cst.Lambda, cst.NamedExpr)) for p in parts) or any(
            isinstance(p, cst.Name) and p.value not in known for p in parts):
        raise module.error(test, "an `if` of an unrolled sum uses only the loop names and constants "
                           "(`if i != 0 or j != 0`)")
    return bool(eval(cst.Module([]).code_for_node(test), {"__builtins__": {}}, known))  # noqa: S307


def _replaced(expression: cst.BaseExpression, values: dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    """`expression` with each loop name replaced by its value (the names of attributes and keywords
    left alone: `np.roll(Z, 1, axis=axis)`)."""
    class Replace(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
            return values.get(original_node.value, updated_node)

        def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
            return updated_node.with_changes(attr=original_node.attr)

        def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
            return updated_node.with_changes(keyword=original_node.keyword)
    return expression.visit(Replace())  # type: ignore[return-value]
