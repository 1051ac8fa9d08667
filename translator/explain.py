"""`py2omp explain FILE.py`: how each array of each kernel moves, and why.

Moving data costs more than computing on it (TOOLCHAIN.md), so the user should see, without
reading C: the ownership declared and the one the analysis infers, the map clause emitted, the
bytes each call moves as a formula of the extents, and the Python lines that decided it.
"""

from __future__ import annotations

from translator import pipeline
from translator.backend.lower import is_offload
from translator.ir import nodes as ir
from translator.ir.types import ArrayType, Ownership


def explain_file(path: str, target: str) -> str:
    """The explanation of every kernel in the file at `path`, lowered for `target`."""
    module = pipeline.lower(path, target)
    offload = is_offload(target)
    blocks = [explain_kernel(k, path, offload) for k in module.kernels]
    warnings = [w.render() for k in module.kernels for w in k.warnings]
    return "\n\n".join(blocks + warnings) + "\n"


def explain_kernel(kernel: ir.Kernel, path: str, offload: bool) -> str:
    lines = [f"{kernel.name} ({path}:{kernel.span.line})"]
    totals: dict[str, list[str]] = {"to": [], "from": []}
    for movement in kernel.movement:
        param = kernel.param(movement.array)
        assert param is not None and isinstance(param.type, ArrayType) and param.ownership is not None
        size = _size(param)
        clause = f"map({param.ownership.map_type}: {param.name}[0:{' * '.join(_extents(param))}])"
        to = size if param.ownership in (Ownership.IN, Ownership.INOUT) else "0"
        back = size if param.ownership in (Ownership.OUT, Ownership.INOUT) else "0"
        declared = movement.declared.marker if movement.declared else "none"
        lines += [
            f"  {param.name}: declared {declared}, inferred {movement.inferred.marker}",
            f"    {clause if offload else 'no map (target runs on the host)'}",
            f"    bytes per call: {to if offload else '0'} to the device, {back if offload else '0'} back",
            f"    why: {movement.reason}",
        ]
        totals["to"] += [to] if offload and to != "0" else []
        totals["from"] += [back] if offload and back != "0" else []
    lines.append(f"  total per call: {' + '.join(totals['to']) or '0'} bytes to the device, "
                 f"{' + '.join(totals['from']) or '0'} back")
    return "\n".join(lines)


def _extents(param: ir.Param) -> list[str]:
    assert isinstance(param.type, ArrayType)
    return [f"{param.name}.shape[{d}]" for d in range(param.type.rank)]


def _size(param: ir.Param) -> str:
    """`8 * u.shape[0] * u.shape[1]`: the array's bytes as a formula of its extents."""
    assert isinstance(param.type, ArrayType)
    return " * ".join([str(param.type.dtype.bits // 8), *_extents(param)])
