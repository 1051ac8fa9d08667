"""The visitor rule: a pass handles each node class by a method of its own, and a class it has no
method for is an internal error naming both, never a statement passed through unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator import pipeline
from translator.backend.c_expr import ExprEmitter
from translator.backend.lower import _KernelLowering
from translator.errors import Span
from translator.ir import nodes as ir
from translator.ir.visit import EXPR_CLASSES, STMT_CLASSES, StmtTransformer, UnhandledNode
from translator.passes.device_pointers import device_variant
from translator.passes.indices import wrap_indices

SPAN = Span("k.py", 3, 5)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _JumpsOnly(StmtTransformer):
    visit_Break = visit_Continue = StmtTransformer.keep


def test_a_class_without_a_method_is_an_internal_error() -> None:
    jumps = _JumpsOnly()
    assert jumps.block((ir.Break(SPAN), ir.Continue(SPAN))) == (ir.Break(SPAN), ir.Continue(SPAN))
    with pytest.raises(UnhandledNode) as info:
        jumps.visit(ir.Return(None, SPAN))
    assert str(info.value) == "internal error: _JumpsOnly has no visit_Return"


def test_a_pass_meeting_a_node_it_does_not_expect_fails_loudly() -> None:
    """Index wrapping runs before parallelization, so it has no method for `ParallelLoop`."""
    kernel = pipeline.lower(str(EXAMPLES / "saxpy.py"), "host-offload").kernels[0]
    assert isinstance(kernel.body[0], ir.ParallelLoop)
    with pytest.raises(UnhandledNode, match="^internal error: _Wrapper has no visit_ParallelLoop$"):
        wrap_indices(kernel)


def test_device_variant_drops_regions_and_copy_back() -> None:
    """The tuple-returning visitor: a `TargetData` becomes its body, an `UpdateFrom` nothing."""
    kernel = pipeline.lower(str(EXAMPLES / "jacobi2d.py"), "host-offload").kernels[0]
    assert any(isinstance(s, ir.TargetData) for s in kernel.body)
    variant = device_variant(kernel)
    assert not any(isinstance(s, (ir.TargetData, ir.UpdateFrom)) for s in variant.body)
    assert kernel.device_variant is not None and variant.body == kernel.device_variant.body


def test_the_backend_handles_every_node_class() -> None:
    """A node added to the IR must be taught to the backend (a `Temporary` never reaches it:
    `parallelize` moves each onto its loop; nor does the array tier: `lower_arrays` lowers array
    statements and scatters, their views, gathers, ranges, index maps and reductions right after typing)."""
    assert set(STMT_CLASSES) - set(_KernelLowering._handlers) == {ir.Temporary, ir.ArrayAssign, ir.Scatter}
    assert set(EXPR_CLASSES) - set(ExprEmitter._handlers) == {ir.View, ir.ArrayReduce, ir.Gather, ir.Arange,
                                                             ir.Remap, ir.Position}
