"""NumPy calls with their arguments named (`np.clip(x, a_min=0.0, a_max=1.0)`, `np.round(x, decimals=2)`),
written positionally before the call is built, as Python binds them.

The expression builders take NumPy's functions positionally; this rewrite binds keywords the way
Python binds them to the parameters NumPy documents (`POSITIONS`), so the rest of the frontend
sees one spelling. A keyword NumPy does not have, given twice, or leaving a gap, is a located error.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import nodes_in
from translator.frontend.inline import Positioned

POSITIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "numpy.clip": (("a",), ("a_min", "min"), ("a_max", "max")),
    "numpy.round": (("a",), ("decimals",)),
    "numpy.around": (("a",), ("decimals",)),
    "numpy.angle": (("z",), ("deg",)),
}
"""Each function's parameters in order, each with the names it may be given by (NumPy 2's `np.clip`
takes `min=`/`max=` besides `a_min`/`a_max`)."""
METHOD_POSITIONS: dict[str, tuple[tuple[str, ...], ...]] = {"clip": (("min",), ("max",)), "round": (("decimals",),)}
"""The same for the array methods (`a.clip(min=0)`), after the array itself."""
UNBOUNDED = ("min", "max")
"""Keywords whose bound, when the other is left out, is None (no bound), as in NumPy: a method's
bounds, and `np.clip`'s given only by `min=`/`max=` (with `a_min`/`a_max` NumPy needs both)."""


def positional_calls(node: cst.CSTNode, scope: KernelScope) -> cst.CSTNode:
    """`node` with the keyword arguments of the calls of `POSITIONS` and `METHOD_POSITIONS` in place."""
    if not any(_parameters(n, scope) is not None and any(a.keyword is not None for a in n.args)  # type: ignore[attr-defined]
               for n in nodes_in(node)):
        return node
    return node.visit(_Positional(scope))  # type: ignore[return-value]


def _parameters(node: cst.CSTNode, scope: KernelScope) -> tuple[tuple[str, ...], ...] | None:
    if not isinstance(node, cst.Call):
        return None
    name = scope.module.qualified_name(node.func)
    if name in POSITIONS:
        return POSITIONS[name]
    if name is None and isinstance(node.func, cst.Attribute):
        return METHOD_POSITIONS.get(node.func.attr.value)
    return None


class _Positional(Positioned):
    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        parameters = _parameters(original_node, self.scope)
        if parameters is None or all(a.keyword is None for a in updated_node.args):
            return updated_node
        values: list[cst.BaseExpression | None] = [a.value for a in updated_node.args if a.keyword is None]
        values += [None] * (len(parameters) - len(values))
        for arg in updated_node.args:
            if arg.keyword is None:
                continue
            position = next((k for k, names in enumerate(parameters) if arg.keyword.value in names), None)
            if position is None or position >= len(values) or values[position] is not None:
                raise self.scope.module.error(arg, f"this call takes no keyword '{arg.keyword.value}' here (its "
                                              f"parameters: {', '.join(names[0] for names in parameters)})")
            values[position] = arg.value
        named = {a.keyword.value for a in updated_node.args if a.keyword is not None}
        bounds = len(parameters) - 2  # where a clip's bounds start among its arguments
        positional = sum(a.keyword is None for a in updated_node.args)
        if parameters[-1][-1] in UNBOUNDED and named <= set(UNBOUNDED) and positional <= bounds:
            values = [cst.Name("None") if v is None and k >= bounds else v for k, v in enumerate(values)]
        while values and values[-1] is None:
            values.pop()
        if any(v is None for v in values):
            raise self.scope.module.error(original_node, "this call leaves out an argument before one it names")
        return updated_node.with_changes(args=[cst.Arg(v) for v in values if v is not None])
