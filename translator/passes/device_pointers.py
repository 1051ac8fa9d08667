"""The device-pointer variant of an offloaded kernel: arrays already live on the device.

A caller holding device memory (`to_device` handles, CuPy arrays, PyTorch CUDA tensors) must not
have it copied: the variant drops every map clause, `target data` region and copy-back
(`UpdateFrom`: a device pointer has no host copy to update), and marks each array
its target regions touch `is_device_ptr`, so the pointers reach the device code unchanged.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import walk_all


def device_variant(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` taking device pointers; only meaningful for kernels lowered for an offload target."""
    arrays = frozenset(p.name for p in kernel.params if p.is_array)
    return dataclasses.replace(kernel, body=_block(kernel.body, arrays), device_variant=None)


def _block(stmts: tuple[ir.Stmt, ...], arrays: frozenset[str]) -> tuple[ir.Stmt, ...]:
    out: list[ir.Stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ir.TargetData):
            out += _block(stmt.body, arrays)
        elif not isinstance(stmt, ir.UpdateFrom):
            out.append(_stmt(stmt, arrays))
    return tuple(out)


def _stmt(stmt: ir.Stmt, arrays: frozenset[str]) -> ir.Stmt:
    """Array parameters the loop uses (indexed, measured or passed to a function) become device pointers,
    next to its temporaries' buffers, which are device pointers in both entry points."""
    if isinstance(stmt, ir.ParallelLoop) and isinstance(stmt.directive, ir.OmpTarget):
        used = (n.array for n in walk_all(stmt.body) if isinstance(n, (ir.Index, ir.Extent, ir.ArrayArg)))
        pointers = tuple(dict.fromkeys([*(name for name in used if name in arrays), *stmt.directive.device_ptrs]))
        directive = dataclasses.replace(stmt.directive, maps=(), device_ptrs=pointers)
        return dataclasses.replace(stmt, directive=directive)
    if isinstance(stmt, ir.If):
        return dataclasses.replace(stmt, body=_block(stmt.body, arrays), orelse=_block(stmt.orelse, arrays))
    if isinstance(stmt, (ir.Loop, ir.While)):
        return dataclasses.replace(stmt, body=_block(stmt.body, arrays))
    return stmt
