"""Dropping `schedule=` values that the GPU cannot run.

`prange(n, schedule="dynamic, 4")` on `nvptx` becomes `schedule(dynamic, 4)` on a `target teams
distribute parallel for`, which clang-19's NVPTX device runtime accepts and then runs into "an illegal
memory access" (measured on an H200, bench/results/h200-2026-11-29-suite.json: every `dynamic`
variant faulted, `static` and no schedule ran). A schedule only changes how iterations are dealt
out, not what they compute, so on `nvptx` a `dynamic` or `guided` one is left out with a warning,
and the loop keeps the default static distribution; other targets keep it.
"""

from __future__ import annotations

import dataclasses

from translator.errors import Diagnostic
from translator.ir import nodes as ir
from translator.ir.visit import Node, rewrite_body
from translator.targets import Target

UNSAFE_ON_GPU = ("dynamic", "guided")


def drop_gpu_schedules(kernel: ir.Kernel, target: Target) -> ir.Kernel:
    if target.supports_dynamic_schedule:
        return kernel
    dropped: list[Diagnostic] = []

    def drop(node: Node) -> Node:
        if isinstance(node, ir.Loop) and node.launch is not None and node.launch.schedule is not None:
            if node.launch.schedule.split(",")[0].strip() in UNSAFE_ON_GPU:
                dropped.append(Diagnostic(node.launch.span, (
                    f"schedule=\"{node.launch.schedule}\" is left out on {target}: clang-19's GPU runtime faults on "
                    "dynamic and guided schedules; the loop keeps the default static distribution"), "warning"))
                return dataclasses.replace(node, launch=dataclasses.replace(node.launch, schedule=None))
        return node

    body = rewrite_body(kernel.body, drop)
    return dataclasses.replace(kernel, body=body, warnings=(*kernel.warnings, *dropped)) if dropped else kernel
