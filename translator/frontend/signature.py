"""Kernel signatures: annotations to IR parameter types and ownership.

An array without an ownership marker (`x: f32[:]`) gets ownership None; `passes.ownership` infers it.
"""

from __future__ import annotations

import libcst as cst

from translator.frontend.context import ModuleScope
from translator.ir import nodes as ir
from translator.ir.types import (
    BOOL, PY_FLOAT, PY_INT, SCALARS, ArrayType, Ownership, ScalarType,
)

# Fortran 90's largest rank: callers in Fortran can hold every array a kernel takes; NPBench's largest is 7.
MAX_RANK = 7
SCALAR_ANNOTATIONS: dict[str, ScalarType] = {
    "builtins.int": PY_INT, "builtins.float": PY_FLOAT, "builtins.bool": BOOL,
    **{f"translator.{name}": t for name, t in SCALARS.items() if name != "bool"},
    **{f"numpy.{t.numpy_name}": t for t in SCALARS.values() if t.name != "bool"},
    "translator.b1": BOOL, "numpy.bool": BOOL, "numpy.bool_": BOOL,
}
OWNERSHIP_MARKERS = {f"translator.{o.marker}": o for o in Ownership}
_EXPECTED = "a scalar type (f32, f64, i32, i64, int, float, bool, b1, ...) or an array such as In[f32[:]]"


def build_params(fn: cst.FunctionDef, scope: ModuleScope) -> tuple[ir.Param, ...]:
    """The kernel's parameters, in order; rejects defaults, `*args`, keyword-only and missing annotations."""
    params = fn.params
    extra = params.posonly_params or params.kwonly_params
    if extra:
        raise scope.error(extra[0], "positional-only and keyword-only parameters are not supported in kernels")
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            raise scope.error(star, "`*args` and `**kwargs` are not supported in kernels")
    return tuple(_build_param(p, scope) for p in params.params)


def _build_param(param: cst.Param, scope: ModuleScope) -> ir.Param:
    name = param.name.value
    if param.default is not None:
        raise scope.error(param.default, f"parameter '{name}' has a default value; kernels take every argument")
    if param.annotation is None:
        raise scope.error(param, f"parameter '{name}' needs a type annotation: {_EXPECTED}")
    annotation = param.annotation.annotation
    ownership, inner = _split_ownership(annotation, scope)
    typ = scalar_annotation(inner, scope) if ownership is None else None
    if typ is None:
        typ = _array_annotation(inner, scope)
    if typ is None:
        raise scope.error(annotation, f"unsupported annotation for parameter '{name}': expected {_EXPECTED}")
    return ir.Param(name, typ, ownership, scope.span(param.name))


def _split_ownership(annotation: cst.BaseExpression, scope: ModuleScope) -> tuple[Ownership | None, cst.BaseExpression]:
    """`InOut[f32[:]]` -> (INOUT, `f32[:]`); anything else -> (None, annotation)."""
    if isinstance(annotation, cst.Subscript):
        marker = OWNERSHIP_MARKERS.get(scope.qualified_name(annotation.value) or "")
        if marker is not None:
            if len(annotation.slice) != 1 or not isinstance(annotation.slice[0].slice, cst.Index):
                raise scope.error(annotation, f"{marker.marker}[...] takes one array type, such as {marker.marker}[f32[:]]")
            return marker, annotation.slice[0].slice.value
    return None, annotation


def scalar_annotation(node: cst.BaseExpression, scope: ModuleScope) -> ScalarType | None:
    """`f32`, `int`, `np.float64`, ... -> its IR type; None if `node` names no scalar type."""
    return SCALAR_ANNOTATIONS.get(scope.qualified_name(node) or "")


def _array_annotation(node: cst.BaseExpression, scope: ModuleScope) -> ArrayType | None:
    """`f64[:, :]` -> ArrayType(f64, 2); every dimension must be a bare `:` (C-contiguous, any extent)."""
    if not isinstance(node, cst.Subscript):
        return None
    dtype = scalar_annotation(node.value, scope)
    if dtype is None or dtype.weak:
        return None
    for element in node.slice:
        part = element.slice
        if not isinstance(part, cst.Slice) or part.lower or part.upper or part.step:
            raise scope.error(element, "array dimensions are written `:` (f32[:, :]); extents come from the arguments")
    if len(node.slice) > MAX_RANK:
        raise scope.error(node, f"arrays of more than {MAX_RANK} dimensions are not supported")
    return ArrayType(dtype.strong(), len(node.slice))
