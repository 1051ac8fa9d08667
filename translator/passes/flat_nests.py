"""Elementwise nests over whole arrays as one loop over the element number (issue 12).

A collapsed nest `for i, j: out[i, j] = a[i, j] + t` ran, in the bare form, one `/` and one `%` per
element to recover (i, j) from the thread's flat number (`backend.bare`), and in the OpenMP form
clang's collapsed loop does the same; NPBench go_fast's `a + trace` took 1.12 ms on an H100 against
CuPy's 0.95 (docs/benchmarks.md). Where the element of every array the body touches at the levels'
variables is the element `i * n1 + j` of its row-major storage, that number is the flat iteration
number itself (counted from `start0 * n1`): the nest is one loop over it, no division.

A nest is flat (`ParallelLoop.flat`) when it has a directive (the serial target's loops keep their
form), two or more levels of step 1 with every level but the outermost from 0, no temporaries, a
straight-line body (as the bare form's: assignments, branches, atomic updates), every use of the
levels' variables is an element `x[i, j, ...]` indexed by exactly those variables in order, and the
extent of each such array along each inner level equals that level's stop, itself an extent (the
same expression or checked equal before the call, `passes.equal_lengths`). A transposed read
`b[j, i]`, a shifted one `a[i + 1, j]`, a variable used as a value, or an array of another shape
keeps the nest as it is. The outermost level's range is free: the chunked variant
(`passes.split_devices`) narrows it later. The backend lays the flat loop out (`backend.lower`,
`_flat`).
"""

from __future__ import annotations

import dataclasses

from translator.ir import nodes as ir
from translator.ir.arrays import at_levels
from translator.ir.types import I64
from translator.ir.visit import Node, rewrite_body, straight_line, walk_all
from translator.passes.equal_lengths import EqualLengths, uncast


def flatten_nests(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` with each nest that runs as one loop over the element number (module docstring) marked `flat`."""
    def mark(node: Node) -> Node:
        if isinstance(node, ir.ParallelLoop) and is_flat(node, kernel.length_checks):
            return dataclasses.replace(node, flat=True)
        return node
    return dataclasses.replace(kernel, body=rewrite_body(kernel.body, mark))


def is_flat(loop: ir.ParallelLoop, checks: tuple[ir.LengthCheck, ...]) -> bool:
    """Whether the nest's elements are those of its arrays' storage in order (module docstring)."""
    levels = loop.levels
    if len(levels) < 2 or loop.directive is None or loop.temporaries or not straight_line(loop.body) or \
            any(lv.step != 1 for lv in levels) or not all(_from_zero_to_extent(lv) for lv in levels[1:]):
        return False
    names, lengths = tuple(lv.var for lv in levels), EqualLengths(checks)
    uses = sum(isinstance(n, ir.Name) and n.id in names for n in walk_all(loop.body))
    elements = [n for n in walk_all(loop.body) if isinstance(n, ir.Index) and at_levels(n, names)]
    return uses == len(names) * len(elements) and all(
        lengths.equal(ir.Extent(x.array, d, x.span, I64), lv.stop) for x in elements for d, lv in enumerate(levels) if d > 0)


def _from_zero_to_extent(level: ir.LoopLevel) -> bool:
    """Whether an inner level runs over a whole axis, `range(x.shape[d])`: its stop is an extent, never
    negative, so a check equating it with another extent (`max(a, 0) == max(b, 0)`) makes them equal."""
    return isinstance(level.start, ir.Const) and level.start.value == 0 and isinstance(uncast(level.stop), ir.Extent)
