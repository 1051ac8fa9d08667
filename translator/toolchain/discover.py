"""Find clang-19, the device bitcode, CUDA, ROCm's device libraries and the LLVM 22 offload runtime; make flags.

Debian's clang-19 finds none of the offload pieces by itself (see /work/shared/TOOLCHAIN.md), so every
path is discovered here once and passed explicitly. The flags are split into a portable part (what the
build means, part of the cache key) and a machine part (where things live, not part of the key), so a
cache built on one machine is still recognised on another.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from translator.targets import Target

logger = logging.getLogger("py2omp")

APT_INSTALL = "apt-get install -y clang-19 libomp-19-dev liboffload-22-dev"
CUDA_INSTALL = "pip install nvidia-cuda-nvcc nvidia-nvvm (or install CUDA at /usr/local/cuda, or set CUDA_PATH)"
AMD_INSTALL = "apt-get install -y rocm-device-libs lld-19"
CLANG_MISSING = f"clang-19 (the C compiler; or set PY2OMP_CLANG): {APT_INSTALL}"

_RUNTIME_PREFIX = {"nvptx": "nvptx", "amdgcn": "amdgpu"}
"""How the OpenMP device runtime's bitcode files are named per GPU kind (`libomptarget-amdgpu-gfx90a.bc`)."""
_COMMON_FLAGS = ("-O3", "-fPIC", "-shared", "-std=c11", "-fwrapv", "-ffp-contract=off", "-fcx-limited-range")
"""docs/design.md, "Targets": NumPy's integer wrapping, no fused multiply-add, NumPy's complex product."""
_HOST_OFFLOAD_TRIPLE = "x86_64-pc-linux-gnu"
_BITCODE_DIRS = ("/usr/lib/llvm-19/lib",)
_OFFLOAD_RUNTIME_DIRS = ("/usr/lib/llvm-22/lib",)
_ROCM_DEVICE_LIB_DIRS = ("/opt/rocm/amdgcn/bitcode", "/usr/lib/x86_64-linux-gnu/amdgcn/bitcode")


@dataclass(frozen=True)
class Toolchain:
    """What this machine has for building; a None path means that piece was not found."""

    clang: str
    version: str
    device_bitcode_dir: str | None
    cuda_path: str | None
    offload_runtime_dir: str | None
    rocm_device_lib_dir: str | None
    lld: str | None

    def flags(self, target: Target) -> list[str]:
        """Every clang flag for `target` (put after the source file, so `-lm` follows it)."""
        return portable_flags(target) + self._machine_flags(target)

    def _machine_flags(self, target: Target) -> list[str]:
        """The path flags: the LLVM 22 runtime is linked because LLVM 19's rejects CUDA 12.8+ cubins."""
        paths: list[str] = []
        if target.vendor == "NVIDIA" and self.cuda_path:
            paths.append(f"--cuda-path={self.cuda_path}")
        if target.vendor == "AMD" and self.rocm_device_lib_dir:
            paths.append(f"--rocm-device-lib-path={self.rocm_device_lib_dir}")
        if target.is_gpu and self.device_bitcode_dir:
            paths.append(f"--libomptarget-{_RUNTIME_PREFIX[target.kind]}-bc-path={self.device_bitcode_dir}")
        if target.offloads and self.offload_runtime_dir:
            paths += [f"-L{self.offload_runtime_dir}", f"-Wl,-rpath,{self.offload_runtime_dir}"]
        return paths

    def missing_for(self, target: Target) -> list[str]:
        """What this machine lacks to build `target`, each with the command that installs it."""
        missing: list[str] = []
        if target.is_gpu:
            bitcode = f"libomptarget-{_RUNTIME_PREFIX[target.kind]}-{target.arch}.bc"
            if not self.device_bitcode_dir or not Path(self.device_bitcode_dir, bitcode).is_file():
                missing.append(f"the {target.vendor} device runtime ({bitcode}): {APT_INSTALL}")
        if target.vendor == "NVIDIA" and not self.cuda_path:
            missing.append(f"CUDA (ptxas, nvlink, libdevice): {CUDA_INSTALL}")
        if target.vendor == "AMD":
            missing += self._missing_for_amd(target)
        if target.offloads and not self.offload_runtime_dir:
            missing.append(f"the LLVM 22 offload runtime (libomptarget.so.22): {APT_INSTALL}")
        return missing

    def _missing_for_amd(self, target: Target) -> list[str]:
        """clang links the AMD device image with lld against ROCm's device libraries; a GPU newer than
        the installed ROCm still builds (toolchain/rocm.py writes its one missing ISA file)."""
        missing = [] if self.lld else [f"lld (the AMD GPU linker, ld.lld): {AMD_INSTALL}"]
        if not self.rocm_device_lib_dir:
            missing.append(f"ROCm's device libraries (ocml.bc): {AMD_INSTALL} (or set ROCM_PATH)")
        return missing


def portable_flags(target: Target) -> list[str]:
    """The flags that say what is built, with no machine-specific path (the cache key uses these).

    An offload library names the offload runtime (libomptarget) ahead of libomp, so that its own
    `omp_get_num_devices` and `omp_get_initial_device` (and the runtime shim's lookups through the
    library) find libomptarget's. clang's order puts libomp first, whose functions forward to
    libomptarget only through the scope of the library that loaded libomp: after a `cpu` library
    loaded libomp in the same process, they answered 0 devices, and the host's device number became
    device 0's (docs/design.md, "Targets")."""
    per_kind = {
        "nvptx": ["-fopenmp", f"--offload-arch={target.arch}"],
        "amdgcn": ["-fopenmp", f"--offload-arch={target.arch}"],
        "host-offload": ["-fopenmp", f"-fopenmp-targets={_HOST_OFFLOAD_TRIPLE}"],
        "cpu": ["-fopenmp"],
        "serial": [],
    }
    return [*_COMMON_FLAGS, *per_kind[target.kind], "-lm", *(["-lomptarget"] if target.offloads else [])]


def missing_for(target: Target) -> list[str]:
    """Like `Toolchain.missing_for`, also when no clang was found at all."""
    toolchain = find_toolchain()
    return toolchain.missing_for(target) if toolchain else [CLANG_MISSING]


def clang_path() -> str | None:
    """The clang that builds: `$PY2OMP_CLANG`, else clang-19, found on PATH (None if it is not)."""
    return shutil.which(os.environ.get("PY2OMP_CLANG") or "clang-19")


@functools.cache
def find_toolchain() -> Toolchain | None:
    """This machine's toolchain, or None without a working clang; cached because it runs clang."""
    clang = clang_path()
    if clang is None:
        logger.debug("no clang: %s not on PATH", os.environ.get("PY2OMP_CLANG") or "clang-19")
        return None
    try:
        out = subprocess.run([clang, "--version"], capture_output=True, text=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("clang %s does not run: %s", clang, exc)
        return None
    toolchain = Toolchain(
        clang=clang,
        version=out.stdout.splitlines()[0].strip() if out.stdout else "unknown",
        device_bitcode_dir=_first_dir_with(_bitcode_candidates(clang), "libomptarget-nvptx-sm_90.bc"),
        cuda_path=_find_cuda(),
        offload_runtime_dir=_first_dir_with(_OFFLOAD_RUNTIME_DIRS, "libomptarget.so"),
        rocm_device_lib_dir=_first_dir_with(_rocm_candidates(), "ocml.bc"),
        lld=_find_lld(clang),
    )
    logger.debug("toolchain: %s", toolchain)
    return toolchain


def _bitcode_candidates(clang: str) -> list[str]:
    """The lib dir beside the clang actually used (e.g. /usr/lib/llvm-19/bin/../lib), then Debian's."""
    beside = str(Path(os.path.realpath(clang)).parent.parent / "lib")
    return list(dict.fromkeys([beside, *_BITCODE_DIRS]))


def _rocm_candidates() -> list[str]:
    """$ROCM_PATH's bitcode first (a newer ROCm for newer GPUs), then /opt/rocm, then Debian's package."""
    rocm = os.environ.get("ROCM_PATH")
    return [*([str(Path(rocm, "amdgcn", "bitcode"))] if rocm else []), *_ROCM_DEVICE_LIB_DIRS]


def _find_lld(clang: str) -> str | None:
    """The `ld.lld` clang runs for the AMD device link: the one beside it (Debian's lld-19 puts it there)."""
    beside = Path(os.path.realpath(clang)).parent / "ld.lld"
    return str(beside) if beside.is_file() else shutil.which("ld.lld")


def _first_dir_with(candidates: Iterable[str], name: str) -> str | None:
    """The first candidate directory that holds `name`."""
    return next((d for d in candidates if Path(d, name).is_file()), None)


def _find_cuda() -> str | None:
    """A CUDA root clang accepts: $CUDA_PATH, /usr/local/cuda, or NVIDIA's pip wheels."""
    wheel_roots = [
        str(ptxas.parent.parent)
        for site in sys.path
        if site and Path(site, "nvidia").is_dir()
        for ptxas in sorted(Path(site, "nvidia").glob("*/bin/ptxas"))
    ]
    candidates = [os.environ.get("CUDA_PATH", ""), "/usr/local/cuda", *wheel_roots]
    return next((c for c in candidates if c and _is_cuda_root(Path(c))), None)


def _is_cuda_root(root: Path) -> bool:
    """clang skips a CUDA root without include/ or nvvm/libdevice, so those are required as well as ptxas."""
    return (
        (root / "bin" / "ptxas").is_file()
        and (root / "nvvm" / "libdevice").is_dir()
        and (root / "include").is_dir()
    )
