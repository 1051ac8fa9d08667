"""The build stage: resolving the target ("auto"), clang-19 discovery and flags, compilation with Python-located errors,
the content-addressed library cache, the GPU probe and the doctor report (see docs/design.md)."""

from translator.toolchain.cache import build_cached, cache_root, export_build
from translator.toolchain.compile import compile_library
from translator.toolchain.discover import Toolchain, find_toolchain, missing_for
from translator.toolchain.doctor import doctor_report
from translator.toolchain.probe import nvidia_devices_visible
from translator.toolchain.resolve import resolve_target

__all__ = [
    "Toolchain",
    "build_cached",
    "cache_root",
    "compile_library",
    "doctor_report",
    "export_build",
    "find_toolchain",
    "missing_for",
    "nvidia_devices_visible",
    "resolve_target",
]
