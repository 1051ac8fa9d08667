"""Build targets: what the user may ask for, and how "auto" becomes a concrete target.

A target decides both the C that the backend emits (target regions or not) and the clang flags
(`discover.Toolchain.flags`). It is spelled the same way everywhere (CLI, `$PY2OMP_TARGET`, manifest,
cache key), so `str(Target)` is the one canonical spelling and `parse_target` accepts exactly it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass

logger = logging.getLogger("py2omp")

KINDS = ("nvptx", "host-offload", "cpu", "serial")
DEFAULT_NVPTX_ARCH = "sm_90"
_ARCH = re.compile(r"sm_\d+[a-z]?")


def is_offload(target: str | None) -> bool:
    """Whether C for `target` (a canonical spelling, as the IR carries it) runs its loops in
    `omp target` regions on a device with memory of its own."""
    return target is not None and (target.startswith("nvptx") or target == "host-offload")
_SPELLINGS = ("nvptx:sm_XX (nvptx alone means nvptx:sm_90)", "host-offload", "cpu", "serial")


@dataclass(frozen=True)
class Target:
    """A concrete build target; `arch` is set for nvptx only (e.g. "sm_90")."""

    kind: str
    arch: str | None = None

    def __post_init__(self) -> None:
        # Validated here so that no code path can build a target that flags() cannot translate.
        if self.kind not in KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        if self.kind == "nvptx" and (self.arch is None or not _ARCH.fullmatch(self.arch)):
            raise ValueError(f"nvptx needs an architecture such as {DEFAULT_NVPTX_ARCH}, got {self.arch!r}")
        if self.kind != "nvptx" and self.arch is not None:
            raise ValueError(f"target {self.kind} takes no architecture, got {self.arch!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.arch}" if self.arch else self.kind

    @property
    def offload(self) -> bool:
        """True when the C holds `omp target` regions that run on a device with separate memory."""
        return is_offload(str(self))

    @property
    def openmp(self) -> bool:
        """True when the library is built with `-fopenmp` (every target but serial)."""
        return self.kind != "serial"


def _unknown(text: str, spellings: tuple[str, ...]) -> ValueError:
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
    raise _unknown(text, _SPELLINGS)


def resolve_target(text: str | None) -> Target:
    """A concrete target from the user's choice; None means `$PY2OMP_TARGET`, else "auto"."""
    choice = (text if text is not None else os.environ.get("PY2OMP_TARGET", "")).strip() or "auto"
    if choice == "auto":
        return _auto_target()
    try:
        return parse_target(choice)
    except ValueError:
        raise _unknown(choice, ("auto", *_SPELLINGS)) from None


@functools.cache
def _auto_target() -> Target:
    """nvptx where this process can both build for and run on an NVIDIA GPU, else cpu.

    Cached because probing a GPU costs a build (or a cache lookup) and a child process; the decision
    cannot change while the process runs.
    """
    # Imported here: discover and probe import this module, and "auto" is the only path that needs them.
    from translator.toolchain.discover import find_toolchain
    from translator.toolchain.probe import nvidia_devices_visible

    nvptx = Target("nvptx", DEFAULT_NVPTX_ARCH)
    toolchain = find_toolchain()
    if toolchain is None:
        reason = "no clang found (clang-19 on PATH or $PY2OMP_CLANG)"
    elif missing := toolchain.missing_for(nvptx):
        reason = "cannot build for NVIDIA: missing " + "; ".join(missing)
    elif (devices := nvidia_devices_visible()) == 0:
        reason = "the OpenMP runtime sees no NVIDIA GPU"
    else:
        logger.info("target auto -> %s: clang builds for NVIDIA and %d GPU(s) are visible", nvptx, devices)
        return nvptx
    logger.info("target auto -> cpu: %s", reason)
    return Target("cpu")
