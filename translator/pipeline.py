"""`translate()`: the list of stages from a Python file to C, top to bottom.

Each stage is a function of the previous stage's output; analyses return facts, transformations
return new IR. `docs/design.md` describes the contract between them.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from translator import backend, frontend
from translator.backend import EmittedModule
from translator.ir import nodes as ir
from translator.ir.verifier import verify_module
from translator.passes.access import analyze_access
from translator.passes.device_pointers import device_variant
from translator.passes.definite_assignment import check_definite_assignment
from translator.passes.functions import Specializer
from translator.passes.indices import wrap_indices
from translator.passes.ownership import decide_ownership
from translator.passes.parallelize import parallelize
from translator.passes.power import lower_power
from translator.passes.reductions import find_reductions
from translator.passes.schedules import drop_gpu_schedules
from translator.passes.structure import check_structure
from translator.passes.typing import type_kernel
from translator.targets import Target, as_target


def translate(path: str, target: Target | str, source: str | None = None,
              outer_names: Mapping[str, str] | None = None) -> EmittedModule:
    """The C source, header and manifest of every kernel in the file at `path`, for `target` (the
    descriptor or its canonical spelling; `outer_names`: a notebook cell's imports from earlier
    cells, `frontend.namespace_aliases`)."""
    return backend.emit_module(lower(path, target, source, outer_names))


def lower(path: str, target: Target | str, source: str | None = None,
          outer_names: Mapping[str, str] | None = None) -> ir.Module:
    """The typed, parallelized IR of the module: everything but emission."""
    target = as_target(target)
    module = frontend.parse_module(path, source, outer_names=outer_names)
    verify_module(module, typed=False)
    functions = Specializer(module.functions)
    kernels = tuple(lower_kernel(k, target, functions) for k in module.kernels)
    lowered = dataclasses.replace(module, kernels=kernels, target=target, device_functions=functions.used_by(kernels))
    verify_module(lowered, typed=True)
    return lowered


def lower_kernel(kernel: ir.Kernel, target: Target, functions: Specializer) -> ir.Kernel:
    """One kernel through the passes; device functions it calls are specialized on the way."""
    check_structure(kernel)
    check_definite_assignment(kernel)
    reductions = find_reductions(kernel)
    kernel = type_kernel(kernel, functions)
    kernel = lower_power(kernel)
    kernel = wrap_indices(kernel)
    kernel = decide_ownership(kernel, analyze_access(kernel, functions.built))
    kernel = parallelize(drop_gpu_schedules(kernel, target), reductions, target)
    if target.offloads:
        kernel = dataclasses.replace(kernel, device_variant=device_variant(kernel))
    return kernel
