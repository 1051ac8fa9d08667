"""Which kernels the runtime may run in pieces of their `prange`, overlapping transfers with compute.

A call whose arrays move runs its transfers and its loop one after the other; cut into chunks, the
transfers of chunk k + 1 and the copy-back of chunk k - 1 can run while chunk k computes (issue 14,
"Overlap"). The runtime does the cutting (`runtime_shim/overlap.py`): it calls the kernel's device
entry point on the elements `[lo, hi)` of every array, as if they were the whole arrays. That gives
the same result exactly when the kernel is elementwise in its `prange` index: one `prange` over
`range(a.shape[0])` (`a` a 1-D array parameter), every array parameter 1-D and touched only at `[i]`,
`i` used nowhere else (its value is the index inside the chunk), no extent read in the body, no
reduction, nothing returned or made, no run-time check. Iteration i then reads and writes element i
of each array and nothing else, whatever piece it runs in. This analysis names `a` (manifest
`chunk_over`), or gives None.
"""

from __future__ import annotations

from translator.ir import nodes as ir
from translator.ir.types import ArrayType
from translator.ir.visit import walk_all


def chunk_over(kernel: ir.Kernel) -> str | None:
    """The array whose length is the trip count of an elementwise kernel, or None (module docstring)."""
    arrays = {p.name for p in kernel.params if isinstance(p.type, ArrayType)}
    if (kernel.return_type is not None or kernel.results is not None or kernel.failures or kernel.device is not None
            or any(p.allocation is not None or (isinstance(p.type, ArrayType) and p.type.rank != 1)
                   for p in kernel.params)):
        return None
    if len(kernel.body) != 1 or not isinstance(loop := kernel.body[0], ir.ParallelLoop) or len(loop.levels) != 1:
        return None
    level = loop.levels[0]
    if (not isinstance(loop.directive, ir.OmpTarget) or loop.directive.reductions or loop.temporaries
            or not (isinstance(level.start, ir.Const) and level.start.value == 0 and level.step == 1)
            or not (isinstance(level.stop, ir.Extent) and level.stop.dim == 0 and level.stop.array in arrays)):
        return None
    return level.stop.array if _elementwise(loop.body, level.var, arrays) else None


def _elementwise(body: tuple[ir.Stmt, ...], var: str, arrays: set[str]) -> bool:
    """Every array parameter indexed by `var` alone, `var` used only so, no extent, no array passed whole."""
    nodes = list(walk_all(body))
    indexed = 0
    for node in nodes:
        if isinstance(node, (ir.Extent, ir.ArrayArg)):
            return False
        if isinstance(node, ir.Index):
            if node.array not in arrays or len(node.indices) != 1 or not _is_var(node.indices[0], var):
                return False
            indexed += 1
    return sum(1 for node in nodes if _is_var(node, var)) == indexed


def _is_var(node: object, var: str) -> bool:
    return isinstance(node, ir.Name) and node.id == var
