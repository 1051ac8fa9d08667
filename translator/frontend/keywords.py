"""NumPy calls with their arguments named (`np.clip(x, a_min=0.0, a_max=1.0)`, `np.round(x, decimals=2)`),
written positionally before the call is built, as Python binds them.

The expression builders take NumPy's functions positionally; this rewrite binds keywords the way
Python binds them to the parameters NumPy documents (`POSITIONS`), so the rest of the frontend
sees one spelling. A keyword NumPy does not have, given twice, or leaving a gap, is a located error.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope

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


def wants_positions(call: cst.Call, scope: KernelScope) -> bool:
    """Whether `call` names arguments of a function of `POSITIONS` or `METHOD_POSITIONS`: the rewrite
    stage's rule."""
    return _parameters(call, scope) is not None and any(a.keyword is not None for a in call.args)


def _parameters(node: cst.CSTNode, scope: KernelScope) -> tuple[tuple[str, ...], ...] | None:
    if not isinstance(node, cst.Call):
        return None
    name = scope.module.qualified_name(node.func)
    if name in POSITIONS:
        return POSITIONS[name]
    if name is None and isinstance(node.func, cst.Attribute):
        return METHOD_POSITIONS.get(node.func.attr.value)
    return None


def positional(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """The call with its named arguments bound to their positions as Python binds them, else None."""
    parameters = _parameters(original, scope)
    if parameters is None or all(a.keyword is None for a in updated.args):
        return None
    values: list[cst.BaseExpression | None] = [a.value for a in updated.args if a.keyword is None]
    values += [None] * (len(parameters) - len(values))
    for arg in updated.args:
        if arg.keyword is None:
            continue
        position = next((k for k, names in enumerate(parameters) if arg.keyword.value in names), None)
        if position is None or position >= len(values) or values[position] is not None:
            raise scope.module.error(arg, f"this call takes no keyword '{arg.keyword.value}' here (its parameters: "
                                     f"{', '.join(names[0] for names in parameters)})")
        values[position] = arg.value
    named = {a.keyword.value for a in updated.args if a.keyword is not None}
    bounds = len(parameters) - 2  # where a clip's bounds start among its arguments
    positional = sum(a.keyword is None for a in updated.args)
    if parameters[-1][-1] in UNBOUNDED and named <= set(UNBOUNDED) and positional <= bounds:
        values = [cst.Name("None") if v is None and k >= bounds else v for k, v in enumerate(values)]
    while values and values[-1] is None:
        values.pop()
    if any(v is None for v in values):
        raise scope.module.error(original, "this call leaves out an argument before one it names")
    return updated.with_changes(args=[cst.Arg(v) for v in values if v is not None])
