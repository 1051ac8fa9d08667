"""The manifest (design.md, format 1): everything `runtime_shim` needs to call the built library.

It is computed from the typed IR, not from the C text, so that it states the calling convention
the C was generated for: parameter order, dtypes, ranks (one extent per dimension follows each
array) and ownership (whether the runtime may let arrays alias).

Data movement (design.md, "Data movement") is stated per array so that the runtime can count the
bytes a call moves and check what the compiler could not: `map`, `copy_in`, `copy_out`, the
`declared` ownership (null: inferred), the `reason`, and for an `Out` array not proven written
entirely, `writes`: boxes of `[lo, hi]` bounds (JSON expressions of extents and scalar parameters)
that the kernel surely writes; `sectioned`: every write is in them, and the C copies back just the
boxes (otherwise a call whose boxes do not cover the array is refused). `device_symbol` names the
entry point taking device pointers.

Arrays the kernel makes (`frontend.allocations`) are hidden parameters after the user's: each has
`allocation` (`shape`: JSON expressions as in `writes`, of the user's arguments; `fill`: the Python
text of the value the kernel fills it with on the device, null for `np.empty`; `line`), and the caller
allocates it. `failures` (absent when the kernel checks nothing at run time, `frontend.guards`):
`param`, the hidden one-element int32 array the caller zeroes before the call, and `messages`, one per
check: a nonzero value `v` after the call means check `k = 2147483647 - v` (from 1) failed, and the
call raises ValueError with `messages[k - 1]`. `results` (absent when the kernel returns nothing or one scalar) says what the Python
function returns: `items` in order, each a parameter name or null for the C return value, and
`tuple` (a tuple, else the one item).
"""

from __future__ import annotations

from typing import Any

from translator.backend.lower import array_ownership
from translator.backend.names import device_symbol, kernel_symbols
from translator.ir import nodes as ir
from translator.ir.pytext import python_text
from translator.ir.types import ArrayType
from translator.version import __version__

FORMAT = 1


def build_manifest(module: ir.Module) -> dict[str, Any]:
    """The manifest of `module` as JSON-ready data; `library` is `<module name>.so`."""
    symbols = kernel_symbols(module)
    return {
        "format": FORMAT,
        "py2omp_version": __version__,
        "module": module.name,
        "source": module.path,
        "source_sha256": module.source_sha256,
        "target": None if module.target is None else str(module.target),
        "library": f"{module.name}.so",
        "kernels": [_kernel(k, symbols[k.name]) for k in module.kernels],
    }


def _kernel(kernel: ir.Kernel, symbol: str) -> dict[str, Any]:
    """A kernel's entry; `device` appears only for `@kernel(device=k)` (absent: default device)."""
    movement = {m.array: m for m in kernel.movement}
    doc = {
        "name": kernel.name,
        "symbol": symbol,
        "returns": None if kernel.return_type is None else kernel.return_type.numpy_name,
        "line": kernel.span.line,
        "params": [_param(p, movement.get(p.name)) for p in kernel.params],
    }
    if kernel.device_variant is not None:
        doc["device_symbol"] = device_symbol(symbol)
    if kernel.failures:
        doc["failures"] = {"param": ir.STATUS, "messages": [f.message for f in kernel.failures]}
    if kernel.length_checks:
        doc["length_checks"] = [{"line": c.span.line, "lengths": [bound_json(c.left), bound_json(c.right)]}
                                for c in kernel.length_checks]
    if kernel.results is not None:
        doc["results"] = {"items": list(kernel.results.items), "tuple": kernel.results.as_tuple}
    return doc if kernel.device is None else {**doc, "device": kernel.device}


def _param(param: ir.Param, movement: ir.Movement | None) -> dict[str, Any]:
    if not isinstance(param.type, ArrayType):
        return {"name": param.name, "kind": "scalar", "dtype": param.type.numpy_name}
    ownership = array_ownership(param)
    doc: dict[str, Any] = {
        "name": param.name,
        "kind": "array",
        "dtype": param.type.dtype.numpy_name,
        "rank": param.type.rank,
        "ownership": ownership.value,
        "map": ownership.map_type,
        "copy_in": ownership.map_type in ("to", "tofrom"),
        "copy_out": ownership.map_type in ("from", "tofrom"),
    }
    if movement is not None:
        doc["declared"] = None if movement.declared is None else movement.declared.value
        doc["reason"] = movement.reason
        if movement.written is not None:
            doc["writes"] = [[[bound_json(iv.lo), bound_json(iv.hi)] for iv in box] for box in movement.written]
            doc["sectioned"] = movement.sectioned
    made = param.allocation
    if made is not None:
        doc["allocation"] = {"shape": [bound_json(d) for d in made.shape], "line": made.span.line,
                             "fill": None if made.fill is None else python_text(made.fill)}
    return doc


def bound_json(expr: ir.Expr) -> Any:
    """A loop-invariant integer expression as JSON: an int, `{"extent": [array, dim]}`,
    `{"param": name}` or `{"op": "+", "args": [left, right]}` (`+ - * // min max`, Python semantics)."""
    if isinstance(expr, ir.Cast):
        return bound_json(expr.operand)
    if isinstance(expr, ir.Const):
        return int(expr.value)
    if isinstance(expr, ir.Extent):
        return {"extent": [expr.array, expr.dim]}
    if isinstance(expr, ir.Name):
        return {"param": expr.id}
    if isinstance(expr, ir.Binary):
        return {"op": expr.op, "args": [bound_json(expr.left), bound_json(expr.right)]}
    if isinstance(expr, ir.Call) and expr.func in ("min", "max"):
        result = bound_json(expr.args[0])
        for arg in expr.args[1:]:
            result = {"op": expr.func, "args": [result, bound_json(arg)]}
        return result
    raise ValueError(f"{expr.span}: internal error: {type(expr).__name__} in a write bound")
