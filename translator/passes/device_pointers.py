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
    return dataclasses.replace(kernel, body=_block(kernel.body), device_variant=None)


def _block(stmts: tuple[ir.Stmt, ...]) -> tuple[ir.Stmt, ...]:
    out: list[ir.Stmt] = []
    for stmt in stmts:
        if isinstance(stmt, ir.TargetData):
            out += _block(stmt.body)
        elif not isinstance(stmt, ir.UpdateFrom):
            out.append(_stmt(stmt))
    return tuple(out)


def _stmt(stmt: ir.Stmt) -> ir.Stmt:
    if isinstance(stmt, ir.ParallelLoop) and isinstance(stmt.directive, ir.OmpTarget):
        arrays = tuple(dict.fromkeys(n.array for n in walk_all(stmt.body) if isinstance(n, ir.Index)))
        directive = dataclasses.replace(stmt.directive, maps=(), device_ptrs=arrays)
        return dataclasses.replace(stmt, directive=directive)
    if isinstance(stmt, ir.If):
        return dataclasses.replace(stmt, body=_block(stmt.body), orelse=_block(stmt.orelse))
    if isinstance(stmt, (ir.Loop, ir.While)):
        return dataclasses.replace(stmt, body=_block(stmt.body))
    return stmt
