"""Kernel signatures: annotations, or types given from outside the source, to IR parameters.

An array without an ownership marker (`x: f32[:]`) gets ownership None; `passes.ownership` infers it.
A parameter without an annotation takes the type a `Signature` gives it: the types of a call's
arguments (`translator.call_types`, as `numba.njit` does) or `py2omp --signature`. Translating it
without one (ahead of any call) is an error that suggests both ways to fix its type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from translator.errors import TranslationError
from translator.frontend.context import ModuleScope
from translator.frontend.source import fold_constant
from translator.ir import nodes as ir
from translator.ir.types import (
    BOOL, MAX_RANK, PY_COMPLEX, PY_FLOAT, PY_INT, SCALARS, ArrayType, Ownership, ScalarType, type_text,
)

ParamType = ScalarType | ArrayType
SCALAR_ANNOTATIONS: dict[str, ScalarType] = {
    "builtins.int": PY_INT, "builtins.float": PY_FLOAT, "builtins.bool": BOOL, "builtins.complex": PY_COMPLEX,
    **{f"translator.{name}": t for name, t in SCALARS.items() if name != "bool"},
    **{f"numpy.{t.numpy_name}": t for t in SCALARS.values() if t.name != "bool"},
    "translator.b1": BOOL, "numpy.bool": BOOL, "numpy.bool_": BOOL,
}
OWNERSHIP_MARKERS = {f"translator.{o.marker}": o for o in Ownership}
_EXPECTED = "a scalar type (f32, f64, i32, i64, int, float, bool, b1, ...) or an array such as In[f32[:]]"


@dataclass(frozen=True)
class Signature:
    """Types for one kernel's parameters from outside its source: one per parameter, in order, None
    where the annotation decides. `symbol` is the C symbol of this specialization (None: the kernel's
    name); specializations made per call get one with a suffix from their types."""

    types: tuple[ParamType | None, ...]
    symbol: str | None = None


@dataclass(frozen=True)
class Selection:
    """Which kernels of a file to translate, and the signatures given for them.

    `signatures` maps a kernel's name to its `Signature`; the key "" stands for the one kernel whose
    parameters lack annotations (`py2omp --signature` without a name). `only` keeps one kernel (a call's
    specialization). `skip_untyped` leaves out kernels with unannotated parameters and no signature:
    the module library that `@kernel` calls build, where those are built per call instead.
    `chunked` asks for the variants that split the outermost `prange`s across devices.
    """

    signatures: Mapping[str, Signature] = field(default_factory=dict)
    only: str | None = None
    skip_untyped: bool = False
    chunked: bool = False
    """Also make each kernel's chunked variant (`kernel.on(devices)`, `passes/split_devices.py`)."""

    def chosen(self, functions: Sequence[cst.FunctionDef],
               scope: ModuleScope) -> list[tuple[cst.FunctionDef, Signature | None]]:
        """The kernels to translate (all of `functions` that this selection keeps), each with its
        signature (None: its annotations alone)."""
        untyped = [f for f in functions if any(p.annotation is None for p in f.params.params)]
        signatures = dict(self.signatures)
        if "" in signatures:
            signatures[_only_untyped(functions, untyped, scope)] = signatures.pop("")
        unknown = sorted(set(signatures) - {f.name.value for f in functions})
        if unknown:
            raise scope.error(functions[0].name, f"--signature names '{unknown[0]}', which is no kernel of this file")
        return [(f, signatures.get(f.name.value)) for f in functions
                if (self.only is None or f.name.value == self.only)
                and not (self.skip_untyped and f in untyped and f.name.value not in signatures)]


def _only_untyped(functions: Sequence[cst.FunctionDef], untyped: list[cst.FunctionDef], scope: ModuleScope) -> str:
    """The kernel a signature without a kernel name is for: the one with unannotated parameters."""
    if not untyped:
        raise scope.error(functions[0].name, "--signature without a kernel name is for the one kernel with "
                                             "parameters without annotations, and this file has none")
    if len(untyped) > 1:
        raise scope.error(untyped[1].name, "several kernels have parameters without annotations; "
                                           "name the kernel: --signature 'name: f64[:]'")
    return untyped[0].name.value


def build_params(fn: cst.FunctionDef, scope: ModuleScope, signature: Signature | None = None) -> tuple[ir.Param, ...]:
    """The kernel's parameters, in order, typed by their annotations or by `signature`; rejects
    `*args`, keyword-only parameters, missing types, and defaults that are not numeric constants."""
    params = fn.params
    extra = params.posonly_params or params.kwonly_params
    if extra:
        raise scope.error(extra[0], "positional-only and keyword-only parameters are not supported in kernels")
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            raise scope.error(star, "`*args` and `**kwargs` are not supported in kernels")
    given: Sequence[ParamType | None] = [None] * len(params.params) if signature is None else signature.types
    if len(given) != len(params.params):
        raise scope.error(fn.name, f"the signature gives {len(given)} types; kernel '{fn.name.value}' takes "
                                   f"{len(params.params)} parameters")
    return tuple(_build_param(p, t, fn, scope) for p, t in zip(params.params, given))


def _build_param(param: cst.Param, given: ParamType | None, fn: cst.FunctionDef, scope: ModuleScope) -> ir.Param:
    name = param.name.value
    if param.annotation is None:
        if given is None:
            raise scope.error(param.name, f"parameter '{name}' has no type annotation, and no call gives it a type "
                                          f"here: annotate it or give the types, such as {suggested_signature(fn, scope)}")
        return ir.Param(name, given, None, scope.span(param.name), default=_default(param, given, scope))
    annotation = param.annotation.annotation
    ownership, inner = _split_ownership(annotation, scope)
    typ: ParamType | None = scalar_annotation(inner, scope) if ownership is None else None
    if typ is None:
        typ = _array_annotation(inner, scope)
    if typ is None:
        raise scope.error(annotation, f"unsupported annotation for parameter '{name}': expected {_EXPECTED}")
    if given is not None and given != typ:
        raise scope.error(annotation, f"parameter '{name}' is annotated {type_text(typ)}; the signature gives "
                                      f"{type_text(given)}")
    return ir.Param(name, typ, ownership, scope.span(param.name), default=_default(param, typ, scope))


def _default(param: cst.Param, typ: ParamType, scope: ModuleScope) -> int | float | bool | None:
    """A parameter's default value (`alpha: f64 = 1.5`): a numeric constant of a scalar parameter, so
    the manifest can state it and the runtime pass it for a Python caller who omits the argument."""
    if param.default is None:
        return None
    value = fold_constant(param.default, scope, scope.constants)
    if isinstance(typ, ArrayType) or value is None:
        raise scope.error(param.default, f"parameter '{param.name.value}' has a default value that is not a number; "
                                         "a kernel's defaults are numeric constants of scalar parameters")
    return value


def suggested_signature(fn: cst.FunctionDef, scope: ModuleScope) -> str:
    """A `--signature` for `fn` to start from: annotated parameters as annotated, the others float64,
    arrays of the rank the body indexes them with (`path[i, j]`: `f64[:, :]`), else scalars."""
    ranks = indexed_ranks(fn.body)
    types = [
        type_text(ir.known_type(_build_param(p, None, fn, scope).type)) if p.annotation is not None
        else f"f64[{', '.join(':' * ranks[p.name.value])}]" if p.name.value in ranks else "f64"
        for p in fn.params.params
    ]
    return f"--signature '{', '.join(types)}'"


def indexed_ranks(body: cst.BaseSuite) -> dict[str, int]:
    """Names the body subscripts (`a[i, j]`, not `a.shape[0]`), with their number of indices."""
    ranks: dict[str, int] = {}

    class Visitor(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            if isinstance(node.value, cst.Name):
                ranks.setdefault(node.value.value, len(node.slice))

    body.visit(Visitor())
    return ranks


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


def parse_signature(text: str) -> tuple[ParamType, ...]:
    """`'f64[:, :], int'` (parentheses optional) -> its types, one per parameter, written as annotations
    are (`f32`, `i64`, `int`, `float`, `complex`, `bool`, `f64[:, :]`); ValueError says what is wrong."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(text.strip() + "\n"))
    except cst.ParserSyntaxError as exc:
        raise ValueError(f"'{text}' is not a list of types: {exc.message}") from exc
    body = wrapper.module.body
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or not isinstance(body[0].body[0], cst.Expr):
        raise ValueError(f"'{text}' is not a list of types such as 'f64[:], f64[:], f64'")
    expression = body[0].body[0].value
    items = [e.value for e in expression.elements] if isinstance(expression, cst.Tuple) else [expression]
    scope = ModuleScope("--signature", dict(wrapper.resolve(PositionProvider)), {}, _SIGNATURE_NAMES)
    types = []
    for item in items:
        written = wrapper.module.code_for_node(item)
        try:
            typ = scalar_annotation(item, scope) or _array_annotation(item, scope)
        except TranslationError as exc:
            raise ValueError(f"'{written}': {exc.diagnostics[0].message}") from exc
        if typ is None:
            raise ValueError(f"'{written}' is not a type; expected a scalar type (f32, f64, i32, i64, int, float, "
                             "complex, bool, ...) or an array such as f32[:]")
        types.append(typ)
    return tuple(types)


_SIGNATURE_NAMES = {
    **{name: f"builtins.{name}" for name in ("int", "float", "bool", "complex")},
    **{name: f"translator.{name}" for name in SCALARS if name != "bool"}, "b1": "translator.b1",
}
"""What the names in a signature mean: the annotation names, without imports."""
