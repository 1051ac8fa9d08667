"""Names bound to views: `u = U[1:-1, 1:-1]`, `c = A[:, 0]`, `u, v = U[1:, :], V[1:, :]`.

In NumPy such a name is a window into the array: reading it reads the array's elements as they are
then, and writing through it (`u[:] = ...`, `c[...] = 0`, `u += 1`) writes the array. A kernel
makes no view object: the name stands for its view expression, which every use builds again
(`views.build_view` resolves it), so reads and writes go to the array itself, as NumPy's do. That is
Python's meaning only while the view's bounds keep their values, so a view name is bound once and
its bounds read only parameters, locals assigned once before it, and variables of loops around it.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import KernelScope
from translator.frontend.expressions import array_type
from translator.frontend.masks import fixed_scalar
from translator.frontend.names import reads
from translator.frontend.views import is_view


def binds_view(target: cst.BaseExpression, value: cst.BaseExpression, scope: KernelScope) -> bool:
    """Whether `target = value` binds a view name (`value` a view); if so it is bound, after a
    located error where the rule of the module docstring does not hold. (`u += 1` writes through the
    view; binding the name to anything else later is refused where it happens, `refuse_rebinding`.)"""
    if not (isinstance(target, cst.Name) and is_view(value, scope)):
        return False
    name = target.value
    if name in scope.scalar_values or name in scope.params or name in scope.arrays:
        raise scope.module.error(target, f"'{name}' is already bound to a value; bind the view under a name of its own")
    refuse_rebinding(target, scope)
    for read in reads(value):
        local = read.value
        if array_type(local, scope) is not None:  # an array bound again later is a new name (`frontend.rebinding`)
            continue
        if local in scope.assigned and local not in scope.views and not fixed_scalar(local, scope):
            raise scope.module.error(
                read, f"view '{name}' uses '{local}', which is not assigned exactly once before the view; the view's "
                f"bounds are taken where it is used, so copy '{local}' into a new local just before the view")
    scope.views[name] = value
    return True


def bind_views(targets: cst.Tuple, value: cst.BaseExpression, scope: KernelScope) -> bool:
    """`u, v = U[1:-1, 1:-1], V[1:-1, 1:-1]`: a tuple of views bound to names, each as `binds_view`;
    False when the right side holds anything but views."""
    if not (isinstance(value, cst.Tuple) and len(value.elements) == len(targets.elements)
            and all(is_view(e.value, scope) for e in value.elements)):
        return False
    for target, element in zip(targets.elements, value.elements):
        if not binds_view(target.value, element.value, scope):
            raise scope.module.error(target.value, "a view is bound to a name (`u, v = U[1:, :], V[1:, :]`)")
    return True


def refuse_rebinding(target: cst.BaseExpression, scope: KernelScope) -> None:
    """A located error for assigning a view name anything (`u = 0.0` after `u = U[1:]`): the name
    stands for the view wherever it is used, so it cannot also be a scalar."""
    if isinstance(target, cst.Name) and target.value in scope.views:
        name = target.value
        raise scope.module.error(target, f"view '{name}' is bound more than once; a name bound to a view stands for "
                                         "that view wherever it is used, so bind it once, under a name of its own "
                                         f"(write through it with `{name}[...] = value`)")
