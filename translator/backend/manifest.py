"""The manifest (design.md, format 1): everything `runtime_shim` needs to call the built library.

It is computed from the typed IR, not from the C text, so that it states the calling convention
the C was generated for: parameter order, dtypes, ranks (one extent per dimension follows each
array) and ownership (whether the runtime may let arrays alias).

Data movement (design.md, "Data movement") is stated per array so that the runtime can count the
bytes a call moves and check what the compiler could not: `map`, `copy_in`, `copy_out`, the
`declared` ownership (null: inferred), the `reason`, and for an `Out` array not proven written
entirely, `writes`: boxes of `[lo, hi]` bounds (JSON expressions of extents and scalar parameters)
that the kernel surely writes; `sectioned`: every write is in them, and the C copies back just the
boxes (otherwise a call whose boxes do not cover the array is refused); `section`, on an `In` or
`InOut` array: `[lo, hi]`, the rows of the first axis the maps move (clamped to the extent), absent
when they move the whole array. `device_symbol` names the entry point taking device pointers;
`maps_symbol` (libraries built with `--staging`) the kernel with its map clauses, which the exported
entry point calls for a call it does not stage.

Arrays the kernel makes (`frontend.allocations`) are hidden parameters after the user's: each has
`allocation` (`shape`: JSON expressions as in `writes`, of the user's arguments; `fill`: the Python
text of the value the kernel fills it with on the device, null for `np.empty`; `line`), and the caller
allocates it. `failures` (absent when the kernel checks nothing at run time, `frontend.guards`):
`param`, the hidden one-element int32 array the caller zeroes before the call, and `messages`, one per
check: a nonzero value `v` after the call means check `k = 2147483647 - v` (from 1) failed, and the
call raises `errors[k - 1]` (absent: ValueError; else one of `runtime_shim.manifest.ERRORS`) with
`messages[k - 1]`. `length_checks`: two lengths an array statement combines, which must be equal
(`kind`, absent for "broadcast": which NumPy error a mismatch is, `runtime_shim.manifest.LENGTH_KINDS`;
an entry with `reshape`, the shape a reshape asks, is its size check: the new shape's size, the
operand's, and the call raises NumPy's message); an entry with `index` is an access's precondition
instead (`passes.bounds`): the first length, the
extent of `index.array` along `index.dim`, must be at least the second whenever every bound in
`index.when` is positive, else the call raises IndexError naming `index.at` (`file:line:col`). `results` (absent when the kernel returns nothing or one scalar) says what the Python
function returns: `items` in order, each a parameter name or null for the C return value, and
`tuple` (a tuple, else the one item), and `elements`, the items returned as their one element (the
scalars after the first, which the kernel stores in one-element arrays it makes).
`checks`: the checks of the inputs (`ir.InputCheck`) as `runtime_shim.checks` values, which the
caller evaluates before the call.

The keys and their JSON form are defined once, by the runtime's schema (`runtime_shim.manifest`,
`runtime_shim.bounds`): this module only fills its records from the IR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime_shim.bounds import Bound, extent_bound, op_bound, param_bound
from runtime_shim.checks import CheckSpec, value_json
from runtime_shim.manifest import (
    FORMAT, ChunkPhaseSpec, ChunkSpec, IndexNeed, KernelSpec, Manifest, ParamSpec, copies_in, copies_out,
)
from translator.backend.lower import array_ownership
from translator.backend.names import chunk_symbol, device_symbol, kernel_symbols
from translator.backend.staged import maps_symbol
from translator.ir import nodes as ir
from translator.ir.pytext import python_text
from translator.ir.types import ArrayType
from translator.passes.chunking import chunk_over
from translator.version import __version__


def build_manifest(module: ir.Module, staging: bool = False) -> dict[str, Any]:
    """The manifest of `module` as JSON-ready data; `library` is `<module name>.so`; `staging`: built
    with `--staging` (`maps_symbol`: where the kernels with their map clauses went)."""
    symbols = kernel_symbols(module)
    staged = staging and module.target is not None and module.target.offloads
    return Manifest(
        path=Path(f"{module.name}.json"),
        format=FORMAT,
        module=module.name,
        library=f"{module.name}.so",
        kernels=tuple(_kernel(k, symbols[k.name], staged and any(p.is_array for p in k.params)) for k in module.kernels),
        target=None if module.target is None else str(module.target),
        source=module.path,
        source_sha256=module.source_sha256,
        py2omp_version=__version__,
    ).to_json()


def _kernel(kernel: ir.Kernel, symbol: str, staged: bool) -> KernelSpec:
    """A kernel's entry; `device` is None for the default device; `staged`: its exported entry point stages."""
    movement = {m.array: m for m in kernel.movement}
    return KernelSpec(
        name=kernel.name,
        symbol=symbol,
        returns=None if kernel.return_type is None else kernel.return_type.numpy_name,
        params=tuple(_param(p, movement.get(p.name)) for p in kernel.params),
        line=kernel.span.line,
        device_symbol=None if kernel.device_variant is None else device_symbol(symbol),
        maps_symbol=maps_symbol(symbol) if staged else None,
        device=kernel.device,
        chunk_over=None if kernel.device_variant is None else chunk_over(kernel),
        length_checks=tuple((c.span.line, bound_json(c.left), bound_json(c.right), c.kind)
                            for c in kernel.length_checks if c.array is None),
        index_needs=tuple((c.span.line, _index_need(c)) for c in kernel.length_checks if c.array is not None),
        reshapes=tuple((k, tuple(bound_json(n) for n in c.reshape)) for k, c in
                       enumerate(c for c in kernel.length_checks if c.array is None) if c.reshape is not None),
        failures=tuple(f.message for f in kernel.failures),
        failure_errors=tuple(f.error for f in kernel.failures) if any(f.error != "ValueError" for f in kernel.failures) else (),
        status=ir.STATUS if kernel.failures else None,
        results=None if kernel.results is None else kernel.results.items,
        results_tuple=kernel.results is not None and kernel.results.as_tuple,
        results_elements=() if kernel.results is None else kernel.results.elements,
        chunk=None if kernel.chunk_variant is None else _chunk(kernel.chunk_variant, chunk_symbol(symbol)),
        checks=tuple(_input_check(c) for c in kernel.input_checks),
    )


def _input_check(check: ir.InputCheck) -> CheckSpec:
    """A check of the inputs (`runtime_shim.checks`): its condition and message as JSON values."""
    message = None if check.message is None else tuple(
        part if isinstance(part, str) else {"value": _check_value(part.value), "spec": part.spec,
                                            "conversion": part.conversion}
        for part in check.message)
    return CheckSpec(check.span.line, check.span.col, check.error, _check_value(check.fails), message)


_UNARY = {"not": "not", "-": "neg", "+": "pos"}


def _check_value(value: ir.Expr | tuple[ir.Expr, ...]) -> object:
    """An expression of the inputs (`frontend.input_checks` made sure of it) as a JSON value."""
    if isinstance(value, tuple):
        return {"tuple": [_check_value(v) for v in value]}
    if isinstance(value, ir.Const):
        assert isinstance(value.value, (bool, int, float))
        return value.value
    if isinstance(value, ir.Name):
        return param_bound(value.id)
    if isinstance(value, ir.Extent):
        return extent_bound(value.array, value.dim)
    if isinstance(value, ir.Unary):
        return value_json(_UNARY[value.op], _check_value(value.operand))
    if isinstance(value, (ir.Binary, ir.Compare, ir.Logical)):
        return value_json(value.op, _check_value(value.left), _check_value(value.right))
    if isinstance(value, ir.Select):
        return value_json("if", *(_check_value(v) for v in (value.cond, value.then, value.orelse)))
    if isinstance(value, ir.Call):
        return value_json(value.func, *(_check_value(a) for a in value.args))
    assert isinstance(value, ir.Cast) and value.type is not None, value
    kind = "bool" if value.type.is_bool else "int" if value.type.is_int else "float"
    return value_json(kind, _check_value(value.operand))


def _chunk(variant: ir.Kernel, symbol: str) -> ChunkSpec:
    """The chunked entry point and its split loops."""
    return ChunkSpec(symbol, tuple(
        ChunkPhaseSpec(p.span.line, p.written, p.reads, tuple((r.op, t.numpy_name) for r, t in p.reductions))
        for p in variant.chunk_phases))


def _index_need(check: ir.LengthCheck) -> IndexNeed:
    """An access's precondition (`passes.bounds`): `check.left`, its array's extent, is `array`/`dim`."""
    assert check.array is not None
    at = f"{check.span.path}:{check.span.line}:{check.span.col}"
    return IndexNeed(at, check.array, check.dim, bound_json(check.right), tuple(bound_json(w) for w in check.when))


def _param(param: ir.Param, movement: ir.Movement | None) -> ParamSpec:
    t = ir.known_type(param.type)
    if not isinstance(t, ArrayType):
        return ParamSpec(param.name, "scalar", t.numpy_name, default=param.default)
    ownership = array_ownership(param)
    written = None if movement is None else movement.written
    made = param.allocation
    return ParamSpec(
        param.name, "array", t.dtype.numpy_name, t.rank, ownership.value,
        copy_in=copies_in(ownership.value),
        copy_out=copies_out(ownership.value),
        written=None if written is None else tuple([[bound_json(iv.lo), bound_json(iv.hi)] for iv in box]
                                                   for box in written),
        sectioned=movement is not None and movement.sectioned,
        section=None if movement is None or movement.section is None
        else (bound_json(movement.section.lo), bound_json(movement.section.hi)),
        shape=None if made is None else tuple(bound_json(d) for d in made.shape),
        fill=None if made is None or made.fill is None else python_text(made.fill),
        made_at=None if made is None else made.span.line,
        declared=None if movement is None or movement.declared is None else movement.declared.value,
        reason=None if movement is None else movement.reason,
    )


def bound_json(expr: ir.Expr) -> Bound:
    """A loop-invariant integer expression as a manifest bound (`runtime_shim.bounds`)."""
    if isinstance(expr, ir.Cast):
        return bound_json(expr.operand)
    if isinstance(expr, ir.Const):
        return int(expr.value)  # type: ignore[arg-type]
    if isinstance(expr, ir.Extent):
        return extent_bound(expr.array, expr.dim)
    if isinstance(expr, ir.Name):
        return param_bound(expr.id)
    if isinstance(expr, ir.Binary):
        return op_bound(expr.op, bound_json(expr.left), bound_json(expr.right))
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        result = bound_json(expr.args[0])
        for arg in expr.args[1:]:
            result = op_bound(expr.func, result, bound_json(arg))
        return result
    raise ValueError(f"{expr.span}: internal error: {type(expr).__name__} in a write bound")
