"""The frontend: a Python source file to untyped IR, through libcst.

`parse_module` is the only entry point. The builders are a thin dispatch over libcst node types
(`syntax.dispatch` with the tables in `expressions.py` and `statements.py`); everything not in
those tables is rejected with a located message.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Mapping

import libcst as cst

from translator.errors import Span, TranslationError
from translator.frontend import array_calls  # noqa: F401  (registers np.sum, np.dot, ... with the expression builder)
from translator.frontend import elementwise_calls  # noqa: F401  (registers np.where, np.clip, a.astype, ...)
from translator.frontend import array_functions  # noqa: F401  (registers np.linspace, np.diff, a.reshape, ...)
from translator.frontend import padding  # noqa: F401  (registers np.pad)
from translator.frontend import scans  # noqa: F401  (registers np.cumsum, np.cumprod)
from translator.frontend.arrays import element_of
from translator.frontend.allocations import lifted_params
from translator.frontend.context import DeviceFunction, KernelScope, ModuleScope
from translator.frontend.call_checks import check_plain_parameters
from translator.frontend.masks import read_body
from translator.frontend.signature import Selection, Signature, build_params, indexed_ranks, scalar_annotation
from translator.frontend.source import find_kernels, fold_constant, namespace_aliases, parse_file, with_body_imports
from translator.frontend.statements import build_body, suite_statements
from translator.ir import nodes as ir
from translator.ir.types import F64, PY_INT, ArrayType, Ownership, ScalarType
from translator.ir.visit import walk_all

__all__ = ["Selection", "Signature", "namespace_aliases", "parse_module"]


def parse_module(path: str, source: str | None = None, selection: Selection = Selection(),
                 outer_names: Mapping[str, str] | None = None) -> ir.Module:
    """The `@kernel`s of the file at `path` (or `source`) that `selection` keeps, as untyped IR, typed
    by their annotations and the signatures it gives; `outer_names` are the imports a notebook cell
    sees from earlier cells (`namespace_aliases`)."""
    text = Path(path).read_text(encoding="utf-8") if source is None else source
    module, scope = parse_file(path, text, outer_names=outer_names)
    found = find_kernels(module, scope)
    functions = selection.chosen(found, scope) if found else []
    if not functions:
        what = f"kernel '{selection.only}'" if selection.only else "@kernel function"
        raise TranslationError.at(Span(path, 1, 1), f"no {what} found in {path}")
    kernels = tuple(_build_kernel(f, signature, scope) for f, signature in functions)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return ir.Module(path, module_name(path), digest, kernels, functions=_called_functions(kernels, scope))


def _called_functions(kernels: tuple[ir.Kernel, ...], module: ModuleScope) -> tuple[ir.Function, ...]:
    """The plain functions the kernels call, directly or through each other, in order of discovery;
    functions nobody calls are not read (they may use any Python)."""
    return _reachable([name for k in kernels for name in _calls(k.body)], module)


def _reachable(pending: list[str], module: ModuleScope) -> tuple[ir.Function, ...]:
    """The functions named in `pending` and those they call, read in their own modules."""
    built: dict[str, ir.Function] = {}
    known = {f.ir_name: f for f in module.functions.values()}
    while pending:
        name = pending.pop(0)
        if name not in built:
            function = known[name]
            known.update({f.ir_name: f for f in function.module.functions.values()})
            built[name] = _build_function(function)
            pending += _calls(built[name].body)
    return tuple(built.values())


def _calls(body: tuple[ir.Stmt, ...]) -> list[str]:
    return [n.func for n in walk_all(body) if isinstance(n, ir.CallFunction)]


def _build_function(function: DeviceFunction) -> ir.Function:
    """A device function: scalar parameters, annotated (a fixed type) or not (typed per call),
    read in its own module's scope."""
    fn, module = function.node, with_body_imports(function.node, function.module)
    if fn.asynchronous is not None:
        raise module.error(fn, "async functions cannot be called from kernels")
    params = fn.params
    check_plain_parameters(fn, module)
    ranks = indexed_ranks(fn.body)
    fparams = tuple(_function_param(p, ranks.get(p.name.value, 0), module) for p in params.params)
    scope = KernelScope(module, {p.name: _placeholder(p) for p in fparams}, read_body(fn.body, module),
                        element_of=element_of, in_prange=True)
    body = build_body(suite_statements(fn.body), scope)
    declared = tuple(ir.Var(name, t) for name, t in scope.declared.items())
    return ir.Function(function.ir_name, fparams, body, _return_annotation(fn, module), declared, module.span(fn.name),
                       tuple(scope.failures))


def _placeholder(param: ir.FunctionParam) -> ir.Param:
    """What a function parameter is while the body is read: an array of the rank it is indexed
    with, or a scalar; each call site gives the real types."""
    if param.rank:
        return ir.Param(param.name, ArrayType(F64, param.rank), Ownership.INOUT, param.span)
    return ir.Param(param.name, param.annotation or PY_INT, None, param.span)


def _function_param(param: cst.Param, rank: int, module: ModuleScope) -> ir.FunctionParam:
    name = param.name.value
    if param.default is not None and fold_constant(param.default, module, module.constants) is None:
        raise module.error(param.default, f"parameter '{name}' has a default value that is not a number; a device "
                                          "function's defaults are numeric constants")
    annotation = None
    if param.annotation is not None:
        annotation = scalar_annotation(param.annotation.annotation, module)
        if annotation is None:
            raise module.error(
                param.annotation, f"annotate device function parameter '{name}' with a scalar type, or not at all")
    return ir.FunctionParam(name, annotation, module.span(param.name), rank if annotation is None else 0)


def module_name(path: str) -> str:
    """A C identifier for the file: its stem with anything else replaced by `_`; a notebook cell's name
    loses IPython's angle brackets (`<ipython-input-3-5b82ef2c97fc>` -> `ipython_input_3_5b82ef2c97fc`:
    the cell's number and a hash of its text, so a rerun notebook finds its builds in the disk cache)."""
    name = re.sub(r"\W", "_", Path(path).stem.strip("<>"), flags=re.ASCII)
    return name if name and not name[0].isdigit() else f"m_{name}"


def _build_kernel(fn: cst.FunctionDef, signature: Signature | None, module: ModuleScope) -> ir.Kernel:
    if fn.asynchronous is not None:
        raise module.error(fn, "async functions cannot be kernels")
    params = build_params(fn, module, signature)
    module = with_body_imports(fn, module)
    where = module.positions[fn]
    scope = KernelScope(module, {p.name: p for p in params}, read_body(fn.body, module), element_of=element_of,
                        lifting=True, lines=(where.start.line, where.end.line))
    body = build_body(suite_statements(fn.body), scope)
    declared = tuple(ir.Var(name, t) for name, t in scope.declared.items())
    return ir.Kernel(fn.name.value, lifted_params(scope, body), body, _return_annotation(fn, module), declared,
                     module.span(fn.name), _docstring(fn), device=_device(fn, module), results=scope.results,
                     length_checks=tuple(scope.length_checks), failures=tuple(scope.failures),
                     symbol=None if signature is None else signature.symbol, boundscheck=_boundscheck(fn, module),
                     input_checks=tuple(scope.input_checks))


def _device(fn: cst.FunctionDef, module: ModuleScope) -> int | None:
    """`@kernel(device=k)`: the OpenMP device number, a non-negative integer constant."""
    for decorator in fn.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or module.qualified_name(call.func) != "translator.kernel":
            continue
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != "device":
                continue
            value = fold_constant(arg.value, module, module.constants)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise module.error(arg.value, "device= takes a non-negative integer constant (an OpenMP device number)")
            return value
    return None


def _boundscheck(fn: cst.FunctionDef, module: ModuleScope) -> bool:
    """`@kernel(boundscheck=False)`: no in-kernel index checks (`passes.bounds`); a bool constant."""
    for decorator in fn.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call) or module.qualified_name(call.func) != "translator.kernel":
            continue
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "boundscheck":
                value = fold_constant(arg.value, module, module.constants)
                if not isinstance(value, bool):
                    raise module.error(arg.value, "boundscheck= takes True or False")
                return value
    return True


def _return_annotation(fn: cst.FunctionDef, module: ModuleScope) -> ScalarType | None:
    if fn.returns is None:
        return None
    annotation = fn.returns.annotation
    if isinstance(annotation, cst.Name) and annotation.value == "None":
        return None
    declared = scalar_annotation(annotation, module)
    if declared is None:
        raise module.error(annotation, "a kernel returns nothing or one scalar (f32, f64, i32, i64, c128, int, float, bool)")
    return declared.strong()


def _docstring(fn: cst.FunctionDef) -> str | None:
    doc = fn.get_docstring()
    return doc if isinstance(doc, str) else None
