"""The `py2omp` command: translate, build, audit, doctor, demo, fuzz, explain.

Errors in the user's kernels print as `file:line:col: error: ...` with the source line and a caret,
and exit with status 1; a missing toolchain exits with status 2. Never a Python traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Callable, Sequence

from translator import pipeline
from translator.backend import EmittedModule
from translator.errors import BuildError, TranslationError
from translator.frontend import Selection, Signature, module_name
from translator.frontend.signature import parse_signature
from translator.ir.printer import format_module
from translator.targets import parse_target
from translator.version import __version__


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except TranslationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except (BuildError, ValueError, OSError) as exc:
        print(f"py2omp: error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="py2omp", description="Annotated Python kernels to C with OpenMP offload.")
    parser.add_argument("--version", action="version", version=f"py2omp {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    translate = commands.add_parser("translate", help="write the C file and header of a Python module")
    translate.add_argument("file", help="Python file with @kernel functions")
    translate.add_argument("-o", "--output", default=".", help="output directory (default: .)")
    translate.add_argument("--target", default="nvptx:sm_90", help="target (default: nvptx:sm_90)")
    translate.add_argument("--ir", action="store_true", help="print the typed IR instead of writing files")
    _add_staging_option(translate)
    _add_signature_option(translate)
    translate.set_defaults(command=_translate)
    build = commands.add_parser("build", help="build a shared library + manifest to run elsewhere")
    build.add_argument("file", help="Python file with @kernel functions")
    build.add_argument("--target", required=True, help="nvptx:sm_XX, amdgcn:gfxNNN, host-offload, cpu or serial")
    build.add_argument("-o", "--output", default=".", help="output directory (default: .)")
    build.add_argument(
        "--emit", default="c,h", type=_emit_kinds, metavar="KINDS",
        help="files to write besides the .so and the .json manifest, any of c,h,f90,cmake (default: c,h)",
    )
    _add_staging_option(build)
    _add_signature_option(build)
    build.set_defaults(command=_build)
    audit = commands.add_parser("audit", help="check the emitted C's map clauses against ownership (libclang)")
    audit.add_argument("file", help="Python file with @kernel functions")
    audit.add_argument("--target", default="nvptx:sm_90", help="target (default: nvptx:sm_90)")
    audit.add_argument("--c", dest="c_file", default=None, help="audit this C file instead of the emitted C")
    audit.set_defaults(command=_audit)
    doctor = commands.add_parser("doctor", help="check the compiler, runtimes, CUDA and devices")
    doctor.set_defaults(command=_doctor)
    demo = commands.add_parser("demo", help="build and run every example, checking against Python")
    demo.add_argument("--target", default=None, help="target (default: $PY2OMP_TARGET or auto)")
    demo.add_argument("--examples", default=None, help="directory of example modules (default: examples/)")
    demo.set_defaults(command=_demo)
    fuzz = commands.add_parser("fuzz", help="call every example kernel with hostile arguments (needs hypothesis)")
    fuzz.add_argument("--target", default="host-offload", help="target (default: host-offload)")
    fuzz.add_argument("--examples", default=None, help="directory of example modules (default: examples/)")
    fuzz.add_argument("--cases", type=int, default=500, help="calls per kernel (default: 500)")
    fuzz.add_argument("--timeout", type=float, default=10.0, help="seconds a call may run (default: 10)")
    fuzz.set_defaults(command=_fuzz)
    explain = commands.add_parser("explain", help="show how each kernel's arrays move, and why")
    explain.add_argument("file", help="Python file with @kernel functions")
    explain.add_argument("--target", default="nvptx:sm_90", help="target (default: nvptx:sm_90)")
    _add_signature_option(explain)
    explain.set_defaults(command=_explain)
    return parser


def _add_staging_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--staging", action="store_true",
        help="offload targets: each exported kernel moves arrays of $PY2OMP_STAGING_MIN_BYTES (32 MiB) or more through "
             "pinned buffers in chunks of $PY2OMP_STAGING_CHUNK_BYTES (16 MiB), double-buffered, instead of its map "
             "clauses, for C and Fortran callers of the library (docs/embedding.md, \"Staging large arrays\")",
    )


def _add_signature_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--signature", action="append", default=[], type=_signature, metavar="[KERNEL:] TYPES",
        help="types of a kernel's parameters, for kernels without annotations: 'f64[:, :], int'; name the "
             "kernel ('floyd_warshall: f64[:, :]') when several lack annotations; repeat for each kernel",
    )


_NAMED_SIGNATURE = re.compile(r"\s*([A-Za-z_]\w*)\s*:(.*)", re.DOTALL)
"""`name: types`; a type never starts with a name and a colon (`f64[:]` has a bracket first)."""


def _signature(text: str) -> tuple[str, Signature]:
    """`--signature 'name: f64[:], int'` -> (name, its types); without `name:`, the name is ""."""
    named = _NAMED_SIGNATURE.fullmatch(text)
    name, types = (named.group(1), named.group(2)) if named else ("", text)
    try:
        return name, Signature(parse_signature(types))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _selection(args: argparse.Namespace) -> Selection:
    """The kernels' signatures from `--signature`, each kernel at most once."""
    given: dict[str, Signature] = {}
    for name, signature in args.signature:
        if name in given:
            raise ValueError(f"--signature given twice for {f'kernel {name!r}' if name else 'the same kernel'}")
        given[name] = signature
    return Selection(given)


def _translate(args: argparse.Namespace) -> int:
    target = parse_target(args.target)
    if args.ir:
        print(format_module(pipeline.lower(args.file, target, selection=_selection(args))), end="")
        return 0
    emitted = pipeline.translate(args.file, target, selection=_selection(args), staging=args.staging)
    _print_warnings(emitted)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    name = module_name(args.file)
    for suffix, text in ((".c", emitted.c_source), (".h", emitted.h_source)):
        (out / f"{name}{suffix}").write_text(text, encoding="utf-8")
        print(out / f"{name}{suffix}")
    return 0


_EMIT_KINDS = ("c", "h", "f90", "cmake")


def _emit_kinds(text: str) -> tuple[str, ...]:
    """`--emit c,h,f90`: the chosen kinds in canonical order; unknown ones are a usage error."""
    kinds = {k.strip() for k in text.split(",") if k.strip()}
    if not kinds <= set(_EMIT_KINDS):
        raise argparse.ArgumentTypeError(f"unknown kinds {sorted(kinds - set(_EMIT_KINDS))}; choose from {_EMIT_KINDS}")
    return tuple(k for k in _EMIT_KINDS if k in kinds)


def _build(args: argparse.Namespace) -> int:
    from translator.backend.interfaces import render_cmake_config, render_cmake_subdirectory, render_pkg_config
    from translator.toolchain.cache import build_cached, export_build
    target = parse_target(args.target)
    emitted = pipeline.translate(args.file, target, selection=_selection(args), staging=args.staging)
    _print_warnings(emitted)
    name = module_name(args.file)
    built = build_cached(name, emitted.c_source, emitted.h_source, emitted.manifest, target)
    out = Path(args.output)
    copied = (".so", ".json", *(f".{k}" for k in args.emit if k in ("c", "h")))
    written = export_build(built, out, copied)
    extras = {f"{name}.f90": emitted.f90_source} if "f90" in args.emit else {}
    if "cmake" in args.emit:
        suffixes = tuple(f".{k}" for k in args.emit)
        extras[f"{name}Config.cmake"] = render_cmake_config(emitted.manifest, suffixes)
        if _ours_to_write(out / "CMakeLists.txt"):
            extras["CMakeLists.txt"] = render_cmake_subdirectory()
        extras[f"{name}.pc"] = render_pkg_config(emitted.manifest)
    for file_name, text in extras.items():
        (out / file_name).write_text(text, encoding="utf-8")
        written.append(out / file_name)
    for path in written:
        print(path)
    return 0


def _ours_to_write(path: Path) -> bool:
    """Whether `path` is absent or a file py2omp wrote: a project's own CMakeLists.txt is never
    overwritten (the folder is then no subdirectory to add; find_package still works)."""
    if not path.exists() or path.read_text(encoding="utf-8", errors="replace").startswith("# Generated by py2omp"):
        return True
    print(f"py2omp build: warning: {path} was not written by py2omp; left as it is (add_subdirectory needs a "
          "folder of its own)", file=sys.stderr)
    return False


def _audit(args: argparse.Namespace) -> int:
    try:
        from translator.audit import run_audit
    except ImportError as exc:
        raise BuildError(f"py2omp audit needs libclang's Python bindings ({exc}): pip install libclang") from exc
    return run_audit(args.file, parse_target(args.target), args.c_file)


def _doctor(args: argparse.Namespace) -> int:
    from translator.toolchain.doctor import doctor_report
    report, ok = doctor_report()
    print(report)
    return 0 if ok else 2


def _demo(args: argparse.Namespace) -> int:
    from translator.demo import run_demo
    return run_demo(args.target, args.examples)


def _fuzz(args: argparse.Namespace) -> int:
    try:
        from translator.fuzz import run_fuzz
    except ImportError as exc:
        raise BuildError(f"py2omp fuzz needs hypothesis ({exc}): pip install 'py2omp[test]'") from exc
    from translator.demo import EXAMPLES_DIR
    directory = Path(args.examples) if args.examples else EXAMPLES_DIR
    return run_fuzz(directory, parse_target(args.target), args.cases, args.timeout)


def _explain(args: argparse.Namespace) -> int:
    from translator.explain import explain_file
    print(explain_file(args.file, parse_target(args.target), _selection(args)), end="")
    return 0


def _print_warnings(emitted: EmittedModule) -> None:
    for warning in emitted.warnings:
        print(warning.render(), file=sys.stderr)
