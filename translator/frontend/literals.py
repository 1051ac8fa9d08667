"""Small arrays written as literals: `np.array([0.25, 0.5, 0.25])`, `np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]])`.

Stencil weights and coefficient tables are written this way. Such a call of numeric constants is
rewritten, before its statement is built, into the array expression that selects each constant by
its position `k`: `np.where(k == 0, 0.25, np.where(k == 1, 0.5, 0.25))` with `k = np.arange(3)`
(for a table of `r` rows and `c` columns, `np.arange(r)[:, None] * c + np.arange(c)[None, :]`). That
is an array value of the tier like any other: bound to a name it is an array the kernel makes,
filled on the device; it may also be indexed or used inside an expression. Its dtype is NumPy's for
those constants (`np.where` of Python numbers promotes as `np.array` does for them: bool, int64,
float64), or `dtype=`'s, applied with `.astype`. The rewrite names numpy as the call does
(`np.array`, `numpy.array`).
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import nodes_in
from translator.frontend.source import fold_constant

MAX_CONSTANTS = 64
"""The largest literal table rewritten (a chain of selects per element): larger ones are arguments."""


def wants_selects(node: cst.Call, scope: KernelScope) -> bool:
    """Whether `node` is `np.array` of a literal list or tuple: the rewrite stage's rule."""
    return (isinstance(node.func, cst.Attribute)
            and scope.module.qualified_name(node.func) == "numpy.array" and bool(node.args)
            and isinstance(node.args[0].value, (cst.List, cst.Tuple)))


def selects(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """The array expression selecting each constant of `np.array` of a numeric literal, else None."""
    if not wants_selects(original, scope):
        return None
    rows = _table(original.args[0].value, scope)
    keywords = {a.keyword.value: a.value for a in original.args[1:] if a.keyword is not None}
    if len(original.args) > 1 + len(keywords) or set(keywords) - {"dtype"}:
        raise scope.module.error(original, "np.array() of a literal in a kernel takes its values and dtype= only")
    assert isinstance(original.func, cst.Attribute)
    numpy = original.func.value
    value = _selects(numpy, rows)
    if "dtype" in keywords:
        value = cst.Call(cst.Attribute(value, cst.Name("astype")), [cst.Arg(keywords["dtype"])])
    for part in nodes_in(value):
        scope.module.positions.setdefault(part, scope.module.positions[original])
    return value


def _table(literal: cst.BaseExpression, scope: KernelScope) -> list[list[cst.BaseExpression]]:
    """The constants of a 1-D literal as one row, of a 2-D one as its rows (equal lengths)."""
    elements = [e.value for e in literal.elements]  # type: ignore[attr-defined]
    nested = [isinstance(e, (cst.List, cst.Tuple)) for e in elements]
    rows = [[i.value for i in e.elements] for e in elements] if elements and all(nested) else [elements]
    flat = [value for row in rows for value in row]
    if any(nested) and not all(nested) or len({len(row) for row in rows}) > 1:
        raise scope.module.error(literal, "np.array() in a kernel takes a list of numbers or a list of rows of "
                                 "equal length (NumPy refuses a ragged one)")
    if not flat or len(flat) > MAX_CONSTANTS or any(fold_constant(v, scope.module, scope.module.constants) is None
                                                   for v in flat):
        raise scope.module.error(literal, f"np.array() in a kernel takes 1 to {MAX_CONSTANTS} numeric constants "
                                 "(a table of weights); pass other values as an array argument")
    return rows


def _selects(numpy: cst.BaseExpression, rows: list[list[cst.BaseExpression]]) -> cst.BaseExpression:
    """The constants selected by position: nested `np.where` over the flat position of each element."""
    def call(name: str, *args: cst.BaseExpression) -> cst.Call:
        return cst.Call(cst.Attribute(numpy, cst.Name(name)), [cst.Arg(a) for a in args])

    width = len(rows[0])
    column = call("arange", cst.Integer(str(width)))
    if len(rows) == 1:
        position: cst.BaseExpression = column
    else:
        row = cst.Subscript(call("arange", cst.Integer(str(len(rows)))), [
            cst.SubscriptElement(cst.Slice(None, None)), cst.SubscriptElement(cst.Index(cst.Name("None")))])
        across = cst.Subscript(column, [cst.SubscriptElement(cst.Index(cst.Name("None"))),
                                        cst.SubscriptElement(cst.Slice(None, None))])
        position = cst.BinaryOperation(cst.BinaryOperation(row, cst.Multiply(), cst.Integer(str(width))), cst.Add(),
                                       across)
    values = [value for r in rows for value in r]
    chosen = values[-1]
    for k in range(len(values) - 2, -1, -1):
        test = cst.Comparison(position, [cst.ComparisonTarget(cst.Equal(), cst.Integer(str(k)))])
        chosen = call("where", test, values[k], chosen)
    if len(values) == 1:  # one constant: an array of one element
        chosen = call("where", cst.Comparison(position, [cst.ComparisonTarget(cst.Equal(), cst.Integer("0"))]),
                      chosen, chosen)
    return chosen
