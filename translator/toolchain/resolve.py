"""How the user's choice of target, "auto" included, becomes a concrete `Target`.

"auto" asks the toolchain whether clang can build for NVIDIA and the runtime whether a GPU is
visible, so this lives in the toolchain; the descriptor itself (`translator.targets`) does not.
"""

from __future__ import annotations

import functools
import logging
import os

from translator.targets import DEFAULT_NVPTX_ARCH, SPELLINGS, Target, parse_target, unknown_target
from translator.toolchain import discover, probe

logger = logging.getLogger("py2omp")


def resolve_target(text: str | None) -> Target:
    """A concrete target from the user's choice; None means `$PY2OMP_TARGET`, else "auto"."""
    choice = (text if text is not None else os.environ.get("PY2OMP_TARGET", "")).strip() or "auto"
    if choice == "auto":
        return _auto_target()
    try:
        return parse_target(choice)
    except ValueError:
        raise unknown_target(choice, ("auto", *SPELLINGS)) from None


@functools.cache
def _auto_target() -> Target:
    """nvptx where this process can both build for and run on an NVIDIA GPU, else cpu.

    Cached because probing a GPU costs a build (or a cache lookup) and a child process; the decision
    cannot change while the process runs.
    """
    nvptx = Target("nvptx", DEFAULT_NVPTX_ARCH)
    toolchain = discover.find_toolchain()
    if toolchain is None:
        reason = "no clang found (clang-19 on PATH or $PY2OMP_CLANG)"
    elif missing := toolchain.missing_for(nvptx):
        reason = "cannot build for NVIDIA: missing " + "; ".join(missing)
    elif (devices := probe.nvidia_devices_visible()) == 0:
        reason = "the OpenMP runtime sees no NVIDIA GPU"
    else:
        logger.info("target auto -> %s: clang builds for NVIDIA and %d GPU(s) are visible", nvptx, devices)
        return nvptx
    logger.info("target auto -> cpu: %s", reason)
    return Target("cpu")
