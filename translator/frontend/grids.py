"""`X, Y = np.meshgrid(x, y)`: coordinate grids, written as the arrays and broadcasts they are.

A statement unpacking `np.meshgrid` of 1-D arrays is rewritten, before it is built, into one array the
kernel makes per grid and its filling by broadcast: `X = np.empty((y.shape[0], x.shape[0]),
dtype=x.dtype)`, then `X[...] = x[None, :]` (NumPy's default `indexing="xy"` swaps the first two
axes; `indexing="ij"` keeps them). Each grid keeps its input's dtype and values exactly, as NumPy's
copies do. An argument that is not a name is bound to a fresh one first.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import nodes_in
from translator.frontend.hoisting import bind_first

USAGE = ("np.meshgrid() in a kernel makes one grid per 1-D array, unpacked into names (`X, Y = np.meshgrid(x, y)`), "
         "with indexing='xy' or 'ij' only")


def is_meshgrid(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` assigns the result of `np.meshgrid(...)`."""
    return (isinstance(node, cst.Assign) and isinstance(node.value, cst.Call)
            and scope.module.qualified_name(node.value.func) == "numpy.meshgrid")


def meshgrid_statements(node: cst.Assign, scope: KernelScope) -> list[cst.BaseSmallStatement]:
    """The statements that make and fill each grid of `node` (`is_meshgrid`)."""
    call = node.value
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    target = node.targets[0].target if len(node.targets) == 1 else None
    arrays = [a.value for a in call.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    indexing = keywords.get("indexing")
    swap = indexing is None or (isinstance(indexing, cst.SimpleString) and indexing.evaluated_value == "xy")
    if (not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(arrays) or not arrays
            or set(keywords) - {"indexing"} or not (swap or isinstance(indexing, cst.SimpleString) and
                                                   indexing.evaluated_value == "ij")):
        raise scope.module.error(node, USAGE)
    statements: list[cst.BaseSmallStatement] = []
    names: list[str] = []
    for array in arrays:
        if not isinstance(array, cst.Name):
            binding, array = bind_first(array, "grid", scope)
            statements.append(binding)
        names.append(array.value)
    order = [1, 0, *range(2, len(names))] if swap and len(names) > 1 else list(range(len(names)))
    numpy = cst.Module([]).code_for_node(call.func.value)
    shape = ", ".join(f"{names[k]}.shape[0]" for k in order) + ("," if len(names) == 1 else "")
    for position, (element, name) in enumerate(zip(target.elements, names)):
        grid = cst.Module([]).code_for_node(element.value)
        axes = ", ".join(":" if order[axis] == position else "None" for axis in range(len(names)))
        statements += [_small(f"{grid} = {numpy}.empty(({shape}), dtype={name}.dtype)"),
                       _small(f"{grid}[...] = {name}[{axes}]")]
    for statement in statements:
        for part in nodes_in(statement):
            scope.module.positions.setdefault(part, scope.module.positions[node])
    return statements


def _small(code: str) -> cst.BaseSmallStatement:
    """The one simple statement `code` is."""
    line = cst.parse_statement(code + "\n")
    assert isinstance(line, cst.SimpleStatementLine)
    return line.body[0]
