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

KINDS = ("nvptx", "host-offload", "cpu", "serial")
DEFAULT_NVPTX_ARCH = "sm_90"
SPELLINGS = ("nvptx:sm_XX (nvptx alone means nvptx:sm_90)", "host-offload", "cpu", "serial")
"""The valid spellings, for messages."""

_ARCH = re.compile(r"sm_\d+[a-z]?")
_GPU_KINDS = ("nvptx",)


@dataclass(frozen=True)
class Target:
    """A concrete build target; `arch` is set for nvptx only (e.g. "sm_90")."""

    kind: str
    arch: str | None = None

    def __post_init__(self) -> None:
        # Validated here so that no code path can build a target that the toolchain cannot translate.
        if self.kind not in KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.kind == "nvptx" and (self.arch is None or not _ARCH.fullmatch(self.arch)):
            raise ValueError(f"nvptx needs an architecture such as {DEFAULT_NVPTX_ARCH}, got {self.arch!r}")
        if self.kind != "nvptx" and self.arch is not None:
            raise ValueError(f"target {self.kind} takes no architecture, got {self.arch!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.arch}" if self.arch else self.kind

    @property
    def offloads(self) -> bool:
        """True when the C runs its loops in `omp target` regions on a device with memory of its own."""
        return self.kind in OFFLOAD_TARGET_KINDS  # the runtime reads the manifest's `target` alike

    @property
    def is_gpu(self) -> bool:
        """True when the device is a GPU (needs CUDA to build and a visible GPU to run)."""
        return self.kind in _GPU_KINDS

    @property
    def openmp(self) -> bool:
        """True when the C holds OpenMP pragmas and is built with `-fopenmp` (every target but serial)."""
        return self.kind != "serial"

    @property
    def supports_dynamic_schedule(self) -> bool:
        """False where `schedule(dynamic)`/`schedule(guided)` on a target loop faults at run time
        (clang-19's NVPTX device runtime: `passes.schedules`)."""
        return not self.is_gpu


def unknown_target(text: str, spellings: tuple[str, ...] = SPELLINGS) -> ValueError:
    """One wording for every rejected spelling, so the CLI and the environment variable read alike."""
    return ValueError(f"unknown target {text!r}; valid targets: {', '.join(spellings)}")


def parse_target(text: str) -> Target:
    """Parse the canonical spelling (`nvptx:sm_90`, `host-offload`, `cpu`, `serial`)."""
    kind, colon, arch = text.strip().partition(":")
    if kind == "nvptx":
        arch = arch if colon else DEFAULT_NVPTX_ARCH
        if _ARCH.fullmatch(arch):
            return Target("nvptx", arch)
    elif kind in KINDS and not colon:
        return Target(kind)
    raise unknown_target(text)


def as_target(target: Target | str) -> Target:
    """The descriptor, from itself or its canonical spelling (the entry points accept both)."""
    return target if isinstance(target, Target) else parse_target(target)
