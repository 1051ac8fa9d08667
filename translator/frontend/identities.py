"""`np.asarray(x)` of an array: `x` itself, as NumPy returns it (the same object, no copy).

Library-style code starts by normalising its inputs (`x = np.asarray(x)`, `A = np.ascontiguousarray(A)`).
A kernel's arrays are NumPy arrays already, C-contiguous (the runtime checks its arguments), so
these calls return their argument, and the statement `x = np.asarray(x)` does nothing.

With a dtype (`np.asarray(x, dtype=np.float64)`, `np.asarray(x, np.float32)`) NumPy returns the
argument itself when it has that dtype already, and a converted copy otherwise: so the call is `x`
for an array name of that dtype (writes through a name bound to it reach `x`, as in NumPy), and
`x.astype(dtype)` for an array name of another dtype or an array expression that is not a view. Of a
view (`np.asarray(x[1:], dtype=...)`), whether NumPy copies depends on the dtype, so writes through the
result would reach `x` or not: that stays a located error, as do other arguments.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_dtype, array_type, dtype_of
from translator.frontend.views import is_view

IDENTITIES = ("numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray")


def returns_argument(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` is `np.asarray(x)` of an array name `x`, or `np.asarray(x, dtype)` with x's dtype."""
    parts = _parts(node, scope)
    if parts is None or not isinstance(parts[0], cst.Name) or array_type(parts[0].value, scope) is None:
        return False
    return parts[1] is None or dtype_of(parts[1], scope) == array_dtype(parts[0].value, scope)


def _converts(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` is `np.asarray(x, dtype)` that NumPy answers with a converted copy."""
    parts = _parts(node, scope)
    return (parts is not None and parts[1] is not None and dtype_of(parts[1], scope) is not None
            and not returns_argument(node, scope) and (isinstance(parts[0], cst.Name) or not is_view(parts[0], scope)))


def _parts(node: cst.CSTNode, scope: KernelScope) -> tuple[cst.BaseExpression, cst.BaseExpression | None] | None:
    """The operand and the dtype (None: not given) of `np.asarray(a)`, `np.asarray(a, dtype)`,
    `np.asarray(a, dtype=dtype)`; None for other expressions and arguments."""
    if not isinstance(node, cst.Call) or scope.module.qualified_name(node.func) not in IDENTITIES:
        return None
    args = node.args
    if not args or len(args) > 2 or any(a.star for a in args) or args[0].keyword is not None:
        return None
    if len(args) == 2 and args[1].keyword is not None and args[1].keyword.value != "dtype":
        return None
    return args[0].value, args[1].value if len(args) == 2 else None


def normalises_in_place(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` is `x = np.asarray(x)`: a statement that does nothing."""
    return (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
            and returns_argument(node.value, scope)
            and node.value.args[0].value.value == node.targets[0].target.value)  # type: ignore[attr-defined]


def wants_rewrite(node: cst.Call, scope: KernelScope) -> bool:
    """Whether `node` is `np.asarray` (or kin) with arguments this rule reads (the rewrite stage's rule)."""
    return _parts(node, scope) is not None


def argument(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """What `np.asarray(...)` becomes (the rewrite stage's rule): `x` where NumPy returns its argument,
    `x.astype(dtype)` where it converts, a located error for a view with a dtype; None: left as it is."""
    if returns_argument(original, scope):
        return original.args[0].value
    parts = _parts(original, scope)
    if parts is not None and parts[1] is not None and not isinstance(parts[0], cst.Name) and is_view(parts[0], scope):
        raise scope.module.error(original, "np.asarray() of a view with a dtype copies or not depending "
                                           "on the dtype in NumPy; write `a[1:].astype(dtype)` for a copy")
    if not _converts(original, scope):
        return None
    operand, dtype = updated.args[0].value, updated.args[1].value
    method = cst.Attribute(operand, cst.Name("astype"))  # a tree, never printed: no parentheses needed
    scope.module.positions[method] = scope.module.positions[original]
    return cst.Call(method, [cst.Arg(dtype)])
