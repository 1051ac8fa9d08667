"""`py2omp doctor`: what this machine can build and run, and what to install for the rest.

Finding files is not enough (a Debian clang-19 with all files present still cannot link an offload
library without the right flags), so every target is proven by building the probe kernel afresh with
the same `compile_library` that real kernels use, and by running it where that is possible. A machine
that cannot build a target (the GPU machine has no clang) runs the probe from a carried cache instead.
The layout is fixed (one line per item, in a fixed order) so that reports from two machines can be diffed.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from runtime_shim.blas import find_cublas
from translator.errors import BuildError, TranslationError
from translator.targets import Target, parse_target
from translator.toolchain import discover
from translator.toolchain.compile import compile_library
from translator.toolchain.rocm import isa_file, lacks_isa_file
from translator.toolchain.discover import AMD_INSTALL, APT_INSTALL, CLANG_MISSING, CUDA_INSTALL, Toolchain
from translator.toolchain.probe import (
    CHECK_EXPECTED,
    PROBE_C,
    PROBE_MODULE,
    build_probe,
    gpus_visible,
    run_probe,
)
from translator.version import __version__

DOCTOR_TARGETS = ("host-offload", "cpu", "serial", "nvptx:sm_90", "amdgcn:gfx90a", "amdgcn:gfx942")
REQUIRED_TARGETS = ("host-offload", "cpu", "serial")
_MAX_ERROR_LINES = 8


def doctor_report() -> tuple[str, bool]:
    """The report text, and whether the targets every machine needs (host-offload, cpu, serial) work."""
    toolchain = discover.find_toolchain()
    targets = [parse_target(name) for name in DOCTOR_TARGETS]
    devices = {str(t.vendor): gpus_visible(t) for t in targets if t.is_gpu}
    lines = [f"py2omp {__version__} toolchain report", *_environment(toolchain, devices), "targets:"]
    working: set[str] = set()
    for name, target in zip(DOCTOR_TARGETS, targets):
        works, details = _check_target(target, toolchain, devices.get(str(target.vendor), 0))
        lines.append(f"  {name:<14} {'ok' if works else 'FAILED'}")
        lines += [f"      {detail}" for detail in details]
        if works:
            working.add(name)
    ok = all(name in working for name in REQUIRED_TARGETS)
    verdict = "ok" if ok else "FAILED"
    lines.append(f"result: {verdict} (needed: {', '.join(REQUIRED_TARGETS)}; nvptx only for NVIDIA "
                 "GPUs, amdgcn only for AMD GPUs)")
    return "\n".join(lines) + "\n", ok


def _environment(toolchain: Toolchain | None, devices: dict[str, int]) -> list[str]:
    """One line per toolchain piece: where it is, or the command that installs it."""
    if toolchain is None:
        unknown = "not looked for (no clang)"
        pieces = [("clang", f"not found: {CLANG_MISSING}")]
        pieces += [(label, unknown) for label in ("device bitcode", "CUDA", "ROCm libs", "AMD linker",
                                                  "offload runtime")]
    else:
        cuda = toolchain.cuda_path
        pieces = [
            ("clang", f"{toolchain.clang} ({toolchain.version})"),
            ("device bitcode", toolchain.device_bitcode_dir or f"not found: {APT_INSTALL}"),
            ("CUDA", f"{cuda} (ptxas: {_ptxas_version(cuda)})" if cuda else f"not found: {CUDA_INSTALL}"),
            ("ROCm libs", toolchain.rocm_device_lib_dir or f"not found: {AMD_INSTALL}"),
            ("AMD linker", toolchain.lld or f"not found: {AMD_INSTALL}"),
            ("offload runtime", toolchain.offload_runtime_dir or f"not found: {APT_INSTALL}"),
        ]
    pieces += [(f"{vendor} GPUs", f"{count} visible to the OpenMP runtime") for vendor, count in devices.items()]
    cublas, origin = find_cublas()
    pieces.append(("vendor BLAS", f"cuBLAS {cublas} (from {origin}): matrix products on NVIDIA GPUs call it"
                   if cublas else f"cuBLAS {origin}: matrix products run the kernels' own loops ($PY2OMP_CUBLAS "
                   "names a library)"))
    return [f"  {label + ':':<17} {text}" for label, text in pieces]


def _ptxas_version(cuda_path: str) -> str:
    """The `release ...` line of `ptxas --version`, which says which CUDA clang will use."""
    try:
        out = subprocess.run(
            [str(Path(cuda_path, "bin", "ptxas")), "--version"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"does not run: {exc}"
    release = [line for line in out.splitlines() if "release" in line]
    return release[-1].strip() if release else "unknown version"


def _check_target(target: Target, toolchain: Toolchain | None, devices: int) -> tuple[bool, list[str]]:
    """Build the probe for `target` afresh and run it where this machine can; (works, detail lines)."""
    missing = toolchain.missing_for(target) if toolchain else [CLANG_MISSING]
    if toolchain is None or missing:
        return _check_carried(target, missing, devices)
    with tempfile.TemporaryDirectory(prefix="py2omp-doctor-") as scratch:
        c_path, so_path = Path(scratch, f"{PROBE_MODULE}.c"), Path(scratch, f"{PROBE_MODULE}.so")
        c_path.write_text(PROBE_C, encoding="utf-8")
        try:
            compile_library(c_path, so_path, target, toolchain)
        except (BuildError, TranslationError) as exc:
            return False, ["build failed:", *str(exc).splitlines()[:_MAX_ERROR_LINES]]
        if not target.is_gpu:
            return _run_check(target, so_path)
        # Also leave the probe in the cache: carried to a GPU machine without clang, it lets "auto"
        # and the doctor there find the GPU.
        try:
            build_probe(target)
        except OSError as exc:
            return False, [f"builds, but cannot be stored in the cache: {exc}"]
        notes = _rocm_notes(toolchain, target)
        if devices == 0:
            return True, [f"builds (not run: no {target.vendor} GPU visible)", *notes]
        works, details = _run_check(target, so_path)
        return works, [*details, *notes]


def _rocm_notes(toolchain: Toolchain, target: Target) -> list[str]:
    """Say so where the installed ROCm predates the GPU and py2omp wrote its ISA file (toolchain/rocm.py)."""
    if not lacks_isa_file(toolchain, target):
        return []
    return [f"ROCm's {isa_file(str(target.arch))} written by py2omp: the installed ROCm "
            f"({toolchain.rocm_device_lib_dir}) predates {target.arch}"]


def _check_carried(target: Target, missing: list[str], devices: int) -> tuple[bool, list[str]]:
    """A machine that cannot build `target` (the GPU machine) may still run a probe from a carried cache."""
    needs = [f"missing: {m}" for m in missing]
    try:
        library = build_probe(target)
    except BuildError:
        return False, needs
    notes = ["cannot build here; running the prebuilt probe from the cache", *needs]
    if target.is_gpu and devices == 0:
        return False, [*notes, f"not run: no {target.vendor} GPU visible"]
    works, details = _run_check(target, library)
    return works, [*notes, *details]


def _run_check(target: Target, library: Path) -> tuple[bool, list[str]]:
    """Run the probe: the sum proves the maps, and for offload targets the region must leave the host."""
    try:
        total, devices = run_probe(library)
    except RuntimeError as exc:
        return False, ["does not run:", *str(exc).splitlines()[:_MAX_ERROR_LINES]]
    if total != CHECK_EXPECTED:
        return False, [f"runs, but computed {total} instead of {CHECK_EXPECTED}"]
    if not target.offloads:
        return True, ["runs correctly"]
    if devices <= 0:
        return False, [f"runs, but its target region ran on the host ({-devices} devices seen by the runtime)"]
    return True, [f"runs correctly on an offload device ({devices} seen by the runtime)"]
