"""An array made by the kernel made again in the same way: `pn = p.copy()` in each iteration.

NPBench's cavity flow writes `pn = np.empty_like(p)`, then `pn = p.copy()` inside its time loop:
each binding makes a new array of `p`'s shape and dtype, and the old one is garbage. A kernel's
arrays are allocated once by the caller, so the name keeps its array and the rebinding fills it:
`pn[...] = p` for a copy, `pn[...] = 0` (or 1) for `np.zeros_like(p)` (`np.ones_like`), nothing for
`np.empty_like(p)` (NumPy's values are unspecified). That is the same as NumPy when the new array
has the old one's shape and dtype, which holds when both bindings are copies or plain `_like`s of
the same array (arrays never change shape), and when nothing else still refers to the old array: a
view bound to the name would, so then the rebinding is refused, as before.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.names import reads

LIKES = {"numpy.empty_like": None, "numpy.zeros_like": 0, "numpy.ones_like": 1}
"""The plain `_like` constructors and the constant each fills with (None: no fill)."""
COPY = "copy"


def like_source(value: cst.BaseExpression, scope: KernelScope) -> tuple[str, object] | None:
    """For `X.copy()`, `np.copy(X)` or a `_like(X)` without other arguments (`X` an array's name):
    `X` and what the new array holds (`COPY`, a constant, or None); None for any other value."""
    if not isinstance(value, cst.Call):
        return None
    args = value.args
    if isinstance(value.func, cst.Attribute) and value.func.attr.value == "copy" and not args and (
            scope.module.qualified_name(value.func) is None):
        fill: str | int | None = COPY
        source = value.func.value
    else:
        name = scope.module.qualified_name(value.func)
        if (name not in LIKES and name != "numpy.copy") or len(args) != 1 or args[0].keyword or args[0].star:
            return None
        source, fill = args[0].value, (COPY if name == "numpy.copy" else LIKES[name])
    if not isinstance(source, cst.Name) or source.value not in scope.params:
        return None
    return source.value, fill


def refill(target: cst.Name, value: cst.BaseExpression, scope: KernelScope
           ) -> tuple[cst.Subscript, cst.BaseExpression | None] | None:
    """The statement that makes `target = value` again in the array `target` already names, as the
    target and value of an array assignment (value None: nothing to assign); None when this is not
    such a rebinding."""
    param = scope.params.get(target.value)
    made = like_source(value, scope)
    if param is None or param.allocation is None or made is None or scope.made_like.get(target.value) != made[0]:
        return None
    if any(target.value in {n.value for n in reads(view)} for view in scope.views.values()):
        return None
    positions = scope.module.positions
    whole = cst.Subscript(target, [cst.SubscriptElement(cst.Index(cst.Ellipsis()))])
    for node in (whole, whole.slice[0], whole.slice[0].slice, whole.slice[0].slice.value):  # type: ignore[attr-defined]
        positions[node] = positions[target]
    source, fill = made
    if fill is None:
        return whole, None
    if fill == COPY:
        filled: cst.BaseExpression = next(n for n in reads(value) if n.value == source)
    else:
        filled = cst.Integer(str(fill))
        positions[filled] = positions[value]
    return whole, filled
