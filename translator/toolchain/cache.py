"""A content-addressed cache of built libraries, safe for several processes and portable between machines.

Layout: `<root>/<key1>/<key2>/<module>.{so,c,h,json}`. key1 says *what* is built (sources, manifest,
target, portable flags, py2omp version); key2 says *with which compiler*. Splitting them lets a machine
without clang (the GPU machine) use a cache carried from the build machine: it can compute key1 but
cannot know which compiler built it, so it takes the newest build under key1.

A build happens in a private temporary directory inside the root and is renamed into place in one step,
so a reader never sees a half-written entry and two processes building the same kernel both end up
with one complete directory (the loser of the rename discards its own copy).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from translator.errors import BuildError
from translator.targets import Target
from translator.toolchain import discover
from translator.toolchain.compile import compile_library
from translator.version import __version__

logger = logging.getLogger("py2omp")

BUILD_SUFFIXES = (".so", ".c", ".h", ".json")


def cache_root() -> Path:
    """`$PY2OMP_CACHE_DIR`, else `~/.cache/py2omp`."""
    configured = os.environ.get("PY2OMP_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "py2omp"


def build_cached(module_name: str, c_source: str, h_source: str, manifest: dict[str, Any], target: Target) -> Path:
    """The directory holding `<module>.so/.c/.h/.json` for these sources, building them if needed."""
    manifest = {**manifest, "library": f"{module_name}.so"}
    root = cache_root()
    source_dir = root / _source_key(module_name, c_source, h_source, manifest, target)
    toolchain = discover.find_toolchain()
    cannot_build = discover.missing_for(target)
    if toolchain is None or cannot_build:
        return _carried_build(source_dir, target, cannot_build)
    final = source_dir / _sha256(toolchain.version)
    if final.is_dir():
        logger.debug("cache hit: %s", final)
        return final
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        _write_sources(scratch, module_name, c_source, h_source, manifest)
        compile_library(scratch / f"{module_name}.c", scratch / f"{module_name}.so", target, toolchain)
        _publish(scratch, final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def export_build(cached_dir: Path, out_dir: Path, suffixes: tuple[str, ...] = BUILD_SUFFIXES) -> list[Path]:
    """Copy a cached build's files (those of `suffixes`) to `out_dir`, for `py2omp build -o DIR`;
    returns the copies."""
    manifests = sorted(cached_dir.glob("*.json"))
    if len(manifests) != 1:
        raise BuildError(f"{cached_dir} is not a py2omp build: expected one manifest, found {len(manifests)}")
    module = manifests[0].stem
    out_dir.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(cached_dir / f"{module}{suffix}", out_dir)) for suffix in suffixes]


def _source_key(module_name: str, c_source: str, h_source: str, manifest: dict[str, Any], target: Target) -> str:
    """key1: everything that decides the output files, and nothing that depends on this machine.

    The module name, header and manifest are included as well as the C: they are written into the
    entry, so two kernels with equal C but different names or manifests must not share one.
    """
    parts = [__version__, module_name, str(target), discover.portable_flags(target), c_source, h_source, manifest]
    return _sha256(json.dumps(parts, sort_keys=True))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _write_sources(directory: Path, module_name: str, c_source: str, h_source: str, manifest: dict[str, Any]) -> None:
    (directory / f"{module_name}.c").write_text(c_source, encoding="utf-8")
    (directory / f"{module_name}.h").write_text(h_source, encoding="utf-8")
    (directory / f"{module_name}.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _publish(scratch: Path, final: Path) -> None:
    """Rename the finished build into place; if another process got there first, keep theirs."""
    # mkdtemp makes the directory private; a cache shared between users must be readable by them.
    scratch.chmod(0o755)
    final.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(scratch, final)
    except OSError:
        if not final.is_dir():
            raise
        logger.debug("another process built %s first; using its build", final)


def _carried_build(source_dir: Path, target: Target, missing: list[str]) -> Path:
    """The newest build of these sources by any compiler, for machines that cannot build `target`."""
    builds = sorted((d for d in source_dir.glob("*") if d.is_dir()), key=lambda d: d.stat().st_mtime)
    if builds:
        logger.info("cannot build for %s here; using the prebuilt library in %s", target, builds[-1])
        return builds[-1]
    raise BuildError(
        f"cannot build for {target} on this machine, and the cache ({source_dir.parent}) holds no prebuilt "
        "library for this kernel. Install what is missing, or build on a machine that has it and carry "
        "the cache (set PY2OMP_CACHE_DIR):\n" + "\n".join(f"  - {m}" for m in missing)
    )
