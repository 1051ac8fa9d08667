"""The device-pointer variant of an offloaded kernel: arrays already live on the device.

A caller holding device memory (`to_device` handles, CuPy arrays, PyTorch CUDA tensors) must not
have it copied: the variant drops every map clause, `target data` region and copy-back
(`UpdateFrom`: a device pointer has no host copy to update), and marks each array
its target regions touch `is_device_ptr`, so the pointers reach the device code unchanged.
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.visit import BlockTransformer, walk_all


def device_variant(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` taking device pointers; only meaningful for kernels lowered for an offload target."""
    arrays = frozenset(p.name for p in kernel.params if p.is_array)
    return dataclasses.replace(kernel, body=_DevicePointers(arrays).block(kernel.body), device_variant=None)


@dataclasses.dataclass(frozen=True)
class _DevicePointers(BlockTransformer):
    """Each statement becomes the statements that replace it in the variant (none, one or a region's body)."""

    arrays: frozenset[str]

    def visit_ParallelLoop(self, stmt: ir.ParallelLoop) -> tuple[ir.Stmt, ...]:
        """Array parameters the loop uses (indexed, measured or passed to a function) become device pointers,
        next to its temporaries' buffers, which are device pointers in both entry points."""
        if not isinstance(stmt.directive, ir.OmpTarget):
            return (stmt,)
        used = (n.array for n in walk_all(stmt.body) if isinstance(n, (ir.Index, ir.Extent, ir.ArrayArg)))
        pointers = tuple(dict.fromkeys([*(name for name in used if name in self.arrays), *stmt.directive.device_ptrs]))
        directive = dataclasses.replace(stmt.directive, maps=(), device_ptrs=pointers)
        return (dataclasses.replace(stmt, directive=directive),)

    def visit_TeamLoop(self, stmt: ir.TeamLoop) -> tuple[ir.Stmt, ...]:
        """The team's region takes the arrays its loop uses as device pointers; the launches as above."""
        used = (n.array for n in walk_all(stmt.loop.body) if isinstance(n, (ir.Index, ir.Extent, ir.ArrayArg)))
        pointers = tuple(dict.fromkeys(name for name in used if name in self.arrays))
        (fallback,) = self.visit(stmt.fallback)
        assert isinstance(fallback, ir.Loop)
        return (dataclasses.replace(stmt, fallback=fallback, maps=(), device_ptrs=pointers),)

    def visit_TargetData(self, stmt: ir.TargetData) -> tuple[ir.Stmt, ...]:
        """The region's body in its place: the arrays are on the device already."""
        return self.block(stmt.body)

    def visit_UpdateFrom(self, stmt: ir.UpdateFrom) -> tuple[ir.Stmt, ...]:
        """Nothing: a device pointer has no host copy to update."""
        return ()

    def visit_LibraryCall(self, stmt: ir.LibraryCall) -> tuple[ir.Stmt, ...]:
        """The library takes the operands' device pointers as they are: no maps around the call."""
        return (dataclasses.replace(stmt, body=self.block(stmt.body), orelse=self.block(stmt.orelse), maps=(),
                                    device_ptrs=True),)

    visit_If = visit_Loop = visit_While = BlockTransformer.descend  # host code around parallel loops
    visit_Assign = visit_AtomicUpdate = visit_CallStatement = visit_LocalArray = visit_Temporary = BlockTransformer.keep
    visit_Break = visit_Continue = visit_Return = visit_TaskWait = BlockTransformer.keep
