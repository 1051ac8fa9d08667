"""Build targets: one descriptor, made once from what the user typed and carried everywhere as is.

A target decides the C that the passes and the backend produce (target regions or not, which
schedules are safe) and the clang flags (`toolchain.discover`). The frontend, passes, backend,
toolchain, API and CLI all take the `Target` object; only the manifest and the cache key hold its
canonical spelling, `str(target)`, which `parse_target` accepts back. Resolving "auto" needs the
toolchain, so it lives there (`toolchain.resolve.resolve_target`); this module imports nothing of
the package but the manifest schema of the runtime below it, so every layer may import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runtime_shim.manifest import OFFLOAD_TARGET_KINDS


@dataclass(frozen=True)
class KindTraits:
    """What one target kind is; a table of these replaces every comparison of kind names (whether it
    offloads is the runtime's `OFFLOAD_TARGET_KINDS`, which the manifest reader shares).

    `lanes` is the device's SIMD width (NVIDIA warp 32, AMD wavefront 64); `thread_limit` is the
    default team size, a multiple of it: 256 is 8 warps (TOOLCHAIN.md measured it best on the H100)
    or 4 wavefronts (the LLVM AMDGPU plugin's own default team size). `blas` names the vendor BLAS
    whose entry points matrix products may call (`passes/blas.py`): cuBLAS on NVIDIA, and on
    host-offload, where device pointers are host pointers, a library with cuBLAS's entry points that
    `PY2OMP_CUBLAS` names (the tests build one). `bare_launch`: elementwise loop nests may be
    launched in the bare form (`ompx_bare`, one element per thread, `passes/bare.py`), and loops over
    rows as a warp or a block per row (`passes/bare_rows.py`), and loops of column reductions as 32
    columns a block (`passes/bare_columns.py`), which clang 19 compiles for NVIDIA; the
    measurements that favour them were made there (docs/benchmarks.md).
    `team_threads`: a two-level team's size follows its inner loops' trip count (`passes.team_threads`),
    in warps of 32 as measured on the H100; AMD keeps `thread_limit` until measured (32 is half a wavefront).
    """

    is_gpu: bool
    openmp: bool
    dynamic_schedule: bool
    lanes: int = 1
    thread_limit: int = 256
    vendor: str | None = None
    arch: re.Pattern[str] | None = None
    default_arch: str | None = None
    blas: str | None = None
    bare_launch: bool = False
    team_threads: bool = False


DEFAULT_NVPTX_ARCH = "sm_90"
KIND_TRAITS: dict[str, KindTraits] = {
    # clang-19's device runtime (one DeviceRTL source for NVPTX and AMDGPU) faults on dynamic/guided
    # target loops on NVIDIA (passes.schedules); AMD shares that code and is assumed alike until measured.
    "nvptx": KindTraits(True, True, False, 32, vendor="NVIDIA", arch=re.compile(r"sm_\d+[a-z]?"),
                        default_arch=DEFAULT_NVPTX_ARCH, blas="cuBLAS", bare_launch=True, team_threads=True),
    "amdgcn": KindTraits(True, True, False, 64, vendor="AMD", arch=re.compile(r"gfx\d+[a-z]?"),
                         default_arch="gfx90a"),
    "host-offload": KindTraits(False, True, True, blas="cuBLAS"),
    "cpu": KindTraits(False, True, True),
    "serial": KindTraits(False, False, True),
}
KINDS = tuple(KIND_TRAITS)
SPELLINGS = ("nvptx:sm_XX (nvptx alone means nvptx:sm_90)", "amdgcn:gfxNNN (amdgcn alone means amdgcn:gfx90a)",
             "host-offload", "cpu", "serial")
"""The valid spellings, for messages."""


@dataclass(frozen=True)
class Target:
    """A concrete build target; `arch` is set for GPU kinds only (e.g. "sm_90", "gfx90a")."""

    kind: str
    arch: str | None = None

    def __post_init__(self) -> None:
        # Validated here so that no code path can build a target that the toolchain cannot translate.
        if self.kind not in KIND_TRAITS:
            raise ValueError(f"unknown target kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        pattern = self.traits.arch
        if pattern is not None and (self.arch is None or not pattern.fullmatch(self.arch)):
            raise ValueError(f"{self.kind} needs an architecture such as {self.traits.default_arch}, got {self.arch!r}")
        if pattern is None and self.arch is not None:
            raise ValueError(f"target {self.kind} takes no architecture, got {self.arch!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.arch}" if self.arch else self.kind

    @property
    def traits(self) -> KindTraits:
        return KIND_TRAITS[self.kind]

    @property
    def offloads(self) -> bool:
        """True when the C runs its loops in `omp target` regions on a device with memory of its own."""
        return self.kind in OFFLOAD_TARGET_KINDS  # the runtime reads the manifest's `target` alike

    @property
    def is_gpu(self) -> bool:
        """True when the device is a GPU (needs the vendor's device libraries to build and a GPU to run)."""
        return self.traits.is_gpu

    @property
    def vendor(self) -> str | None:
        """"NVIDIA" or "AMD" for GPU targets: whose GPUs the library runs on (doctor, probe)."""
        return self.traits.vendor

    @property
    def blas(self) -> str | None:
        """The vendor BLAS matrix products may call when it is found at run time (None: loops only)."""
        return self.traits.blas

    @property
    def bare_launch(self) -> bool:
        """True where an elementwise loop nest may run as a bare kernel (`ompx_bare`, `passes/bare.py`)."""
        return self.traits.bare_launch

    @property
    def team_threads(self) -> bool:
        """True where a two-level team's size comes from its inner trip count at run time (`passes.team_threads`)."""
        return self.traits.team_threads

    @property
    def openmp(self) -> bool:
        """True when the C holds OpenMP pragmas and is built with `-fopenmp` (every target but serial)."""
        return self.traits.openmp

    @property
    def supports_dynamic_schedule(self) -> bool:
        """False where `schedule(dynamic)`/`schedule(guided)` on a target loop faults at run time
        (clang-19's GPU device runtime: `passes.schedules`)."""
        return self.traits.dynamic_schedule

    @property
    def default_thread_limit(self) -> int:
        """The team size when the kernel gives none: a whole number of warps or wavefronts (`KindTraits`)."""
        return self.traits.thread_limit


def unknown_target(text: str, spellings: tuple[str, ...] = SPELLINGS) -> ValueError:
    """One wording for every rejected spelling, so the CLI and the environment variable read alike."""
    return ValueError(f"unknown target {text!r}; valid targets: {', '.join(spellings)}")


def parse_target(text: str) -> Target:
    """Parse the canonical spelling (`nvptx:sm_90`, `amdgcn:gfx90a`, `host-offload`, `cpu`, `serial`)."""
    kind, colon, arch = text.strip().partition(":")
    traits = KIND_TRAITS.get(kind)
    if traits is None:
        raise unknown_target(text)
    if traits.arch is not None:
        arch = arch if colon else traits.default_arch or ""
        if traits.arch.fullmatch(arch):
            return Target(kind, arch)
    elif not colon:
        return Target(kind)
    raise unknown_target(text)


def as_target(target: Target | str) -> Target:
    """The descriptor, from itself or its canonical spelling (the entry points accept both)."""
    return target if isinstance(target, Target) else parse_target(target)
