"""`np.asarray(x)` of an array: `x` itself, as NumPy returns it (the same object, no copy).

Library-style code starts by normalising its inputs (`x = np.asarray(x)`, `A = np.ascontiguousarray(A)`).
A kernel's arrays are NumPy arrays already, C-contiguous (the runtime checks its arguments), so
these calls return their argument, and the statement `x = np.asarray(x)` does nothing. Only the
one-argument form of an array name is taken: with `dtype=` NumPy may copy or not depending on the
dtype, which would make writes through the result reach the argument or not; that stays a located
error, as do other arguments.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_type

IDENTITIES = ("numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray")


def returns_argument(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` is `np.asarray(x)` of an array name `x`."""
    return (isinstance(node, cst.Call) and scope.module.qualified_name(node.func) in IDENTITIES
            and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star
            and isinstance(node.args[0].value, cst.Name) and array_type(node.args[0].value.value, scope) is not None)


def normalises_in_place(node: cst.CSTNode, scope: KernelScope) -> bool:
    """Whether `node` is `x = np.asarray(x)`: a statement that does nothing."""
    return (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
            and returns_argument(node.value, scope)
            and node.value.args[0].value.value == node.targets[0].target.value)  # type: ignore[attr-defined]


def argument(original: cst.Call, updated: cst.Call, scope: KernelScope) -> cst.BaseExpression | None:
    """`x` for `np.asarray(x)` of an array name (the rewrite stage's rule), else None."""
    return original.args[0].value if returns_argument(original, scope) else None
