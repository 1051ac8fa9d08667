"""Interfaces for programs that call a built library without Python: Fortran, CMake, pkg-config.

The C header is the reference; everything here restates it for another consumer. The Fortran
module is derived from the same view model as the C (so parameter names and order cannot drift),
while the CMake and pkg-config files are derived from the manifest, which names the library.
As with the C, this module computes the data and the templates in `templates/` lay it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime_shim.manifest import parse_manifest
from translator.backend.render import environment
from translator.backend.view import KernelView, ModuleView, ParamView
from translator.version import __version__

FORTRAN_KINDS = {
    "bool": "logical(c_bool)",
    "int8_t": "integer(c_int8_t)", "uint8_t": "integer(c_int8_t)",
    "int16_t": "integer(c_int16_t)", "uint16_t": "integer(c_int16_t)",
    "int32_t": "integer(c_int32_t)", "uint32_t": "integer(c_int32_t)",
    "int64_t": "integer(c_int64_t)", "uint64_t": "integer(c_int64_t)",
    "float": "real(c_float)", "double": "real(c_double)",
    "float _Complex": "complex(c_float_complex)", "double _Complex": "complex(c_double_complex)",
}
"""C type of the calling convention -> interoperable Fortran type. Fortran has no unsigned
integers: unsigned C types pass as the signed kind of the same width (same bits, same ABI)."""

FORTRAN_INTENTS = {"In": "in", "Out": "out", "InOut": "inout", "Scratch": "inout"}
"""Ownership marker -> intent. Scratch is `inout`: on `cpu`/`serial` the kernel does write the
host array, so `intent(in)` would be a lie, and `intent(out)` would let the caller assume
something meaningful comes back."""

MESSAGE_KINDS = ("c_associated", "c_char", "c_f_pointer", "c_ptr", "c_size_t")
"""What `py2omp_check_message` (templates/module.f90.j2) uses of `iso_c_binding`."""

_KIND_NAME = re.compile(r"\((c_\w+)\)")


@dataclass(frozen=True)
class FortranArg:
    """One dummy argument: `<type>, <attrs> :: <name>`; `attrs` is `value` or intent + dimension."""

    name: str
    type: str
    attrs: str


@dataclass(frozen=True)
class FortranProc:
    """One `bind(C)` interface: a subroutine, or a function when `result` (its type) is set.
    `name` is the Fortran name, `symbol` the C one (they differ where C's is no Fortran name)."""

    name: str
    symbol: str
    signature: str
    where: str
    args: tuple[FortranArg, ...]
    result: str | None
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class FortranModuleView:
    """What `module.f90.j2` lays out: one module of interfaces for one C library."""

    name: str
    version: str
    source: str
    sha256: str
    target: str
    kinds: tuple[str, ...]
    procs: tuple[FortranProc, ...]
    messages: bool = False
    """Some kernel has a check function: the module has `py2omp_check_message`, its result as text."""


def fortran_module_name(module: str) -> str:
    """`py2omp_<module>`: a Fortran module may not share its name with a procedure it holds, and
    a kernel is often named like its file (`saxpy.py` defines `saxpy`)."""
    return "py2omp_" + re.sub(r"\W", "_", module).lower().strip("_")


def fortran_view(view: ModuleView, module: str) -> FortranModuleView:
    """The Fortran interfaces of every kernel in `view`, the C view of module `module`."""
    exported = [k for k in view.kernels if not k.name.endswith("__chunk")]  # Python's `kernel.on` only
    procs = tuple(p for k in exported for p in (_proc(k), *_check_proc(k)))
    procs += _pool_procs(view.pool) if view.pool else ()
    messages = any(k.check for k in exported)
    kinds = sorted({kind for p in procs for kind in p.kinds} | (set(MESSAGE_KINDS) if messages else set()))
    return FortranModuleView(
        name=fortran_module_name(module),
        version=view.version,
        source=view.source,
        sha256=view.sha256,
        target=view.target,
        kinds=tuple(kinds),
        procs=procs,
        messages=messages,
    )


def render_fortran(view: ModuleView, module: str) -> str:
    """The text of `<module>.f90`."""
    return environment().get_template("module.f90.j2").render(m=fortran_view(view, module))


def _proc(kernel: KernelView) -> FortranProc:
    intents = {a.name: FORTRAN_INTENTS[a.marker] for a in kernel.arrays}
    taken: set[str] = set()
    name = _fortran_name(kernel.name, taken)
    args = tuple(arg for p in kernel.params for arg in _args(p, intents.get(p.name), taken))
    result = None if kernel.ret == "void" else FORTRAN_KINDS[kernel.ret]
    types = [a.type for a in args] + ([result] if result else [])
    return FortranProc(
        name=name,
        symbol=kernel.name,
        signature=kernel.signature,
        where=kernel.where,
        args=args,
        result=result,
        kinds=tuple(sorted({_kind(t) for t in types})),
    )


def _check_proc(kernel: KernelView) -> tuple[FortranProc, ...]:
    """The interface of the kernel's check function (`backend.checks`), a `type(c_ptr)` function: its
    arrays are `intent(in)` (it reads only their extents)."""
    check = kernel.check
    if check is None:
        return ()
    taken: set[str] = set()
    name = _fortran_name(check.name, taken)
    args = tuple(arg for p in check.params for arg in _args(p, "in", taken))
    return (FortranProc(name, check.name, f"the checks of {kernel.signature}",
                        "c_null_ptr when all pass, else the message (py2omp_check_message)",
                        args, "type(c_ptr)", tuple(sorted({_kind(t) for t in [a.type for a in args] + ["type(c_ptr)"]}))),)


def _pool_procs(names: tuple[str, str]) -> tuple[FortranProc, ...]:
    """The cache of freed device blocks' two functions (templates/pool.c.j2), as the header states them."""
    stats = FortranArg("stats", FORTRAN_KINDS["int64_t"], "intent(out), dimension(3)")
    return (
        FortranProc(names[0], names[0], f"{names[0]}()", "gives the device buffers the library keeps back",
                    (), None, ()),
        FortranProc(names[1], names[1], f"{names[1]}(stats)",
                    "stats: omp_target_alloc calls made, buffers and bytes kept now", (stats,), None, ("c_int64_t",)),
    )


def _args(param: ParamView, intent: str | None, taken: set[str]) -> list[FortranArg]:
    """The dummies for one C parameter: arrays are assumed-size, then one `value` per extent."""
    if not param.is_array:
        return [FortranArg(_fortran_name(param.name, taken), FORTRAN_KINDS[param.ctype], "value")]
    array = FortranArg(
        _fortran_name(param.name, taken), FORTRAN_KINDS[param.ctype], f"intent({intent}), dimension(*)"
    )
    extents = [FortranArg(_fortran_name(e, taken), FORTRAN_KINDS["int64_t"], "value") for e in param.extents]
    return [array, *extents]


def _fortran_name(c_name: str, taken: set[str]) -> str:
    """A Fortran name for a C name: starts with a letter, unique without regard to case."""
    name = c_name if c_name[0].isalpha() else "arg" + c_name
    while name.lower() in taken:
        name += "_"
    taken.add(name.lower())
    return name


def _kind(fortran_type: str) -> str:
    """`c_float` from `real(c_float)`: the name the module imports from `iso_c_binding`."""
    match = _KIND_NAME.search(fortran_type)
    assert match is not None, fortran_type
    return match[1]


def render_cmake_config(manifest: dict[str, Any], emitted: tuple[str, ...]) -> str:
    """The text of `<module>Config.cmake`: an imported target `py2omp::<module>`.

    `emitted` are the suffixes written beside it (`.h`, `.f90`), which it points consumers at.
    """
    return environment().get_template("Config.cmake.j2").render(m=_package_view(manifest, emitted))


def render_cmake_subdirectory() -> str:
    """The text of an output folder's `CMakeLists.txt`, for `add_subdirectory`: every
    `<module>Config.cmake` beside it, its imported target made global (a subdirectory's imported
    targets are local to it). The same text for every module, so several can share a folder."""
    return environment().get_template("CMakeLists.txt.j2").render(version=__version__)


def render_pkg_config(manifest: dict[str, Any]) -> str:
    """The text of `<module>.pc`, relocatable through pkg-config's `${pcfiledir}`."""
    return environment().get_template("module.pc.j2").render(m=_package_view(manifest, ()))


def _package_view(manifest: dict[str, Any], emitted: tuple[str, ...]) -> dict[str, Any]:
    """The manifest facts the build files state, read through the runtime's schema; `.so` files lack
    a `lib` prefix, hence `-l:`."""
    facts = parse_manifest(manifest, Path("<emitted manifest>"))
    module = facts.module
    return {
        "module": module,
        "library": facts.library,
        "version": facts.py2omp_version,
        "source": facts.source,
        "sha256": (facts.source_sha256 or "")[:16],
        "target": facts.target,
        "fortran": f"{module}.f90" if ".f90" in emitted else None,
        "fortran_module": fortran_module_name(module),
    }
