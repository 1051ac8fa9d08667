"""NumPy's integer array indexing on the left of an assignment: `x[idx] = v`, `A[rows, cols] += 1.0`.

The target is a gather (`array_statements.is_gather`: an array indexed in every dimension by integer
array values or scalars); the statement becomes `ir.Scatter`, stored in C order by one thread
(`passes.lower_arrays`), so a repeated index keeps the last value, as in NumPy (`x[[0, 0]] = [1, 2]`
leaves 2; `x[[0, 0]] += 1` adds 1 once). `x[idx] op= v` is `x[idx] = x[idx] op v`, as NumPy runs
it; since NumPy computes a right side whole before it stores anything, a right side that reads the
assigned array is first given a name of its own (`frontend.hoisting.bind_first`), a new array; so is
a value the tier does not take element by element (a product, a solve).
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.array_statements import array_value, is_gather, takes_value
from translator.frontend.context import KernelScope
from translator.frontend.hoisting import bind_first
from translator.frontend.names import reads
from translator.ir import nodes as ir

_BINARY: dict[type, type] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.DivideAssign: cst.Divide, cst.FloorDivideAssign: cst.FloorDivide, cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power, cst.BitAndAssign: cst.BitAnd, cst.BitOrAssign: cst.BitOr,
    cst.BitXorAssign: cst.BitXor, cst.LeftShiftAssign: cst.LeftShift, cst.RightShiftAssign: cst.RightShift,
}
"""Each augmented assignment's operator as the binary operator it applies."""


def scatter_first(node: cst.CSTNode, scope: KernelScope) -> tuple[list[cst.Assign], cst.CSTNode]:
    """For an assignment through index arrays: the binding of a right side that reads the assigned
    array or is no elementwise value, and the plain `x[idx] = value` that stores it (an augmented one spelled out); else
    nothing and `node` itself."""
    if isinstance(node, cst.AugAssign) and type(node.operator) in _BINARY and is_gather(node.target, scope):
        value = cst.BinaryOperation(left=node.target, operator=_BINARY[type(node.operator)](), right=node.value)
        scope.module.positions[value] = scope.module.positions[node]
        node = _assign(node.target, value, node, scope)
    if not (isinstance(node, cst.Assign) and len(node.targets) == 1 and is_gather(node.targets[0].target, scope)):
        return [], node
    target = node.targets[0].target
    assert isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
    if target.value.value not in {name.value for name in reads(node.value)} and takes_value(node.value, scope):
        return [], node
    binding, name = bind_first(node.value, f"{target.value.value}_update", scope)
    return [binding], _assign(target, name, node, scope)


def scatter(target: cst.Subscript, value: cst.BaseExpression, scope: KernelScope) -> list[ir.Stmt]:
    """`ir.Scatter` of `value` through the gather `target` (its right side reads no element it stores)."""
    gather = array_value(target, scope)
    assert isinstance(gather, ir.Gather)
    return [ir.Scatter(gather, array_value(value, scope), scope.module.span(target))]


def _assign(target: cst.BaseAssignTargetExpression, value: cst.BaseExpression, at: cst.CSTNode,
            scope: KernelScope) -> cst.Assign:
    """`target = value`, positioned at `at`."""
    made = cst.Assign(targets=[cst.AssignTarget(target=target)], value=value)
    scope.module.positions[made] = scope.module.positions[at]
    return made
