"""`translate()`: the list of stages from a Python file to C, top to bottom; `KERNEL_PASSES`: the
passes each kernel goes through, in order.

Each stage is a function of the previous stage's output; analyses return facts, transformations
return new IR. `docs/design.md` describes the contract between them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from translator import backend, frontend
from translator.backend import EmittedModule
from translator.ir import nodes as ir
from translator.ir.verifier import verify_module
from translator.passes.access import analyze_access
from translator.passes.device_pointers import device_variant
from translator.passes.blas import library_calls
from translator.passes.bare import launch_bare
from translator.passes.blas_loops import loop_calls
from translator.passes.device_regions import device_regions
from translator.passes.bounds import check_bounds
from translator.passes.split_devices import chunk_variant
from translator.passes.definite_assignment import check_definite_assignment
from translator.passes.extremes import with_extreme_classes
from translator.passes.flat_nests import flatten_nests
from translator.passes.function_failures import report_calls
from translator.passes.functions import Specializer
from translator.passes.indices import wrap_indices
from translator.passes.input_checks import check_order
from translator.passes.launches import launch_asynchronously
from translator.passes.library_runs import library_runs
from translator.passes.lower_arrays import lower_arrays
from translator.passes.ownership import decide_ownership
from translator.passes.parallelize import parallelize
from translator.passes.sections import find_sections
from translator.passes.power import lower_power
from translator.passes.reductions import LoopKey, find_reductions
from translator.passes.schedules import drop_gpu_schedules
from translator.passes.structure import check_structure
from translator.passes.team_loops import run_in_teams
from translator.passes.two_level import map_two_levels
from translator.passes.typing import type_kernel
from translator.settings import asynchronous_launches, bare_columns, bare_launches, team_loop_limit
from translator.targets import Target, as_target


def translate(path: str, target: Target | str, source: str | None = None,
              outer_names: Mapping[str, str] | None = None,
              selection: frontend.Selection = frontend.Selection(), staging: bool = False) -> EmittedModule:
    """The C source, header and manifest of every kernel in the file at `path` (those `selection`
    keeps, typed by the signatures it gives), for `target` (the descriptor or its canonical spelling;
    `outer_names`: a notebook cell's imports from earlier cells, `frontend.namespace_aliases`).
    `staging` (offload targets only): the exported kernels stage large arrays through pinned memory
    for C and Fortran callers (`backend.staged`)."""
    target = as_target(target)
    if staging and not target.offloads:
        raise ValueError(f"--staging stages arrays for an offload target (nvptx, amdgcn, host-offload); {target} has no "
                         "device memory to stage them into")
    return backend.emit_module(lower(path, target, source, outer_names, selection), staging)


def lower(path: str, target: Target | str, source: str | None = None,
          outer_names: Mapping[str, str] | None = None,
          selection: frontend.Selection = frontend.Selection()) -> ir.Module:
    """The typed, parallelized IR of the module: everything but emission."""
    target = as_target(target)
    module = frontend.parse_module(path, source, selection, outer_names=outer_names)
    verify_module(module, typed=False)
    functions = Specializer(module.functions)
    kernels = tuple(lower_kernel(k, target, functions) for k in module.kernels)
    if selection.chunked:
        kernels = tuple(dataclasses.replace(k, chunk_variant=chunk_variant(k)) for k in kernels)
    lowered = dataclasses.replace(module, kernels=kernels, target=target, device_functions=functions.used_by(kernels))
    verify_module(lowered, typed=True)
    return lowered


@dataclasses.dataclass
class PassContext:
    """What the kernel passes read besides the kernel: the target, the device functions (specialized
    as typing meets their calls), and the facts an earlier pass finds for a later one."""

    target: Target
    functions: Specializer
    reductions: dict[LoopKey, tuple[ir.Reduction, ...]] = dataclasses.field(default_factory=dict)
    """Found on the untyped kernel, where the user's update statements are intact; `parallelize` uses them."""


KernelPass = Callable[[ir.Kernel, PassContext], ir.Kernel]


def _structure(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    check_structure(kernel)
    return kernel


def _definite_assignment(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    check_definite_assignment(kernel)
    return kernel


def _reductions(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    context.reductions = find_reductions(kernel)
    return kernel


def _typing(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return type_kernel(kernel, context.functions)


def _library_calls(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return loop_calls(library_calls(kernel, context.target), context.target)


def _arrays(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return lower_arrays(kernel)


def _regions(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return device_regions(kernel)


def _power(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return lower_power(kernel)


def _bounds(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """The kernel's checks, and those of the device functions it calls reported as its own; then
    its checks of the inputs must come before every one of those (`passes.input_checks`)."""
    return check_order(report_calls(check_bounds(kernel, context.functions.unchecked), context.functions.built))


def _indices(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return wrap_indices(kernel)


def _ownership(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return decide_ownership(kernel, analyze_access(kernel, context.functions.built))


def _sections(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return find_sections(kernel)


def _schedules(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    return drop_gpu_schedules(kernel, context.target)


def _parallelize(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    reductions = context.reductions
    if context.target.openmp:  # OpenMP's threads start float max/min from the wrong extreme
        kernel, reductions = with_extreme_classes(kernel, reductions)
    return parallelize(kernel, reductions, context.target)


def _two_level(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """Teams for a `prange`, threads for the independent loops in it: offload targets only (docs/design.md,
    "Parallelism mapping")."""
    return map_two_levels(kernel, context.target.team_threads) if context.target.offloads else kernel


def _launches(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """A sequence of target regions launched `nowait`, waited for where the host needs their results."""
    asynchronous = context.target.offloads and asynchronous_launches()
    return launch_asynchronously(kernel) if asynchronous else kernel


def _team_loops(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """Host loops of small launches also as one team's region, taken at the call where the trip counts are small."""
    return run_in_teams(kernel, team_loop_limit(context.target), context.target.is_gpu) if context.target.offloads else kernel


def _bare(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """Elementwise nests as bare kernels, one element per thread, where the target has them (nvptx)."""
    return launch_bare(kernel, bare_columns()) if bare_launches(context.target) else kernel


def _flat(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """Elementwise nests over whole arrays as one loop over the element number, no division per element."""
    return flatten_nests(kernel)


def _device_pointers(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    if not context.target.offloads:
        return kernel
    return dataclasses.replace(kernel, device_variant=device_variant(kernel))


def _library_runs(kernel: ir.Kernel, context: PassContext) -> ir.Kernel:
    """Consecutive library calls waited for once, after the last (the device-pointer variant's too)."""
    return library_runs(kernel)


KERNEL_PASSES: tuple[KernelPass, ...] = (
    _structure,
    _definite_assignment,
    _reductions,
    _typing,
    _library_calls,
    _arrays,
    _regions,
    _power,
    _bounds,
    _indices,
    _ownership,
    _sections,
    _schedules,
    _parallelize,
    _two_level,
    _launches,
    _team_loops,
    _bare,
    _flat,
    _device_pointers,
    _library_runs,
)
"""The passes `lower_kernel` runs, in order (docs/design.md, "Stages")."""


def lower_kernel(kernel: ir.Kernel, target: Target, functions: Specializer) -> ir.Kernel:
    """One kernel through `KERNEL_PASSES`; device functions it calls are specialized on the way."""
    context = PassContext(target, functions)
    for kernel_pass in KERNEL_PASSES:
        kernel = kernel_pass(kernel, context)
    return kernel
