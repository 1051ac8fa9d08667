"""ROCm's device libraries for AMD GPUs that the installed ROCm predates (gfx942 on Debian 12's ROCm 5.2).

ROCm's device libraries are target-independent bitcode (ocml, ockl, the `oclc_*` switches) plus one
file per GPU, `oclc_isa_version_NNN.bc`, that defines a single constant: the ISA version
(`@__oclc_ISA_version = ... constant i32 9402` for gfx942), which ocml and ockl read to choose their
code paths. Debian 12 ships ROCm 5.2, whose files stop at gfx940, while clang-19 and the OpenMP device
runtime (`libomptarget-amdgpu-gfx942.bc`) know gfx942. clang takes one device-library folder only
(the last `--rocm-device-lib-path` wins), so for such a GPU the build gets a private folder that links
every file of the installed ROCm and adds the missing ISA file, written the way ROCm writes it (the
value is the major version times 1000, plus the minor times 100, plus the stepping: gfx90a is 9010).
Newer ROCm releases (through `ROCM_PATH`) have the file and need none of this.
"""

from __future__ import annotations

import contextlib
import dataclasses
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from translator.errors import BuildError
from translator.targets import Target
from translator.toolchain.discover import Toolchain

_ISA_MODULE = """\
target triple = "amdgcn-amd-amdhsa"
@__oclc_ISA_version = linkonce_odr protected local_unnamed_addr addrspace(4) constant i32 {version}, align 4
"""
"""The whole of ROCm's `oclc_isa_version_NNN.bc`, as LLVM assembly (ROCm 5.2's gfx940 file, disassembled)."""


def isa_file(arch: str) -> str:
    """The name of the device library that holds `arch`'s ISA version: gfx942 -> oclc_isa_version_942.bc."""
    return f"oclc_isa_version_{arch.removeprefix('gfx')}.bc"


def isa_version(arch: str) -> int:
    """ROCm's number for `arch`: the last two hex digits are the minor version and the stepping."""
    digits = arch.removeprefix("gfx")
    return int(digits[:-2]) * 1000 + int(digits[-2], 16) * 100 + int(digits[-1], 16)


def lacks_isa_file(toolchain: Toolchain, target: Target) -> bool:
    """Whether `target` is an AMD GPU whose ISA file the installed ROCm device libraries do not have."""
    libs = toolchain.rocm_device_lib_dir
    return target.vendor == "AMD" and libs is not None and not Path(libs, isa_file(str(target.arch))).is_file()


@contextlib.contextmanager
def completed_device_libs(toolchain: Toolchain, target: Target) -> Iterator[Toolchain]:
    """`toolchain`, or for a GPU its ROCm lacks, a copy whose device-library folder has the ISA file
    too; the folder lives as long as the `with` block (one build)."""
    if not lacks_isa_file(toolchain, target):
        yield toolchain
        return
    arch, installed = str(target.arch), Path(str(toolchain.rocm_device_lib_dir))
    with tempfile.TemporaryDirectory(prefix="py2omp-rocm-") as scratch:
        folder = Path(scratch)
        for library in installed.glob("*.bc"):
            (folder / library.name).symlink_to(library)
        _assemble(toolchain.clang, _ISA_MODULE.format(version=isa_version(arch)), folder / isa_file(arch))
        yield dataclasses.replace(toolchain, rocm_device_lib_dir=str(folder))


def _assemble(clang: str, assembly: str, output: Path) -> None:
    """Turn LLVM assembly into a bitcode file with clang itself (no llvm-as needed)."""
    source = output.with_suffix(".ll")
    source.write_text(assembly, encoding="utf-8")
    command = [clang, "-x", "ir", "-c", "-emit-llvm", "-nogpulib", "--target=amdgcn-amd-amdhsa", str(source), "-o", str(output)]
    try:
        subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        raise BuildError(f"cannot write ROCm's {output.name} for this GPU with {clang}: {detail}") from exc
