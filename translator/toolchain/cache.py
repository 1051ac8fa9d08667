"""A content-addressed cache of built libraries, safe for several processes and portable between machines.

Layout: `<root>/<key1>/<key2>/<module>.{so,c,h,json}`. key1 says *what* is built (sources, manifest,
target, portable flags, py2omp version); key2 says *with which compiler*. Splitting them lets a machine
without clang (the GPU machine) use a cache carried from the build machine: it can compute key1 but
cannot know which compiler built it, so it takes the newest build under key1.

A build happens in a private temporary directory inside the root and is renamed into place in one step,
so a reader never sees a half-written entry. Checking, discarding and building an entry happen under
its lock (`flock` on a file beside it): of two processes that need the same kernel at once, one
builds and the other waits and then uses that build, and no process discards an entry another has
just published.

An entry is used only when it is intact: its manifest reads back and records the SHA-256 of its
library, which still matches (a truncated library would crash ctypes with SIGBUS; an emptied or
missing one would fail on every run). Anything else is discarded and built again. Build folders
left behind by killed builds are removed once they are an hour old. A cache that cannot be written
(read-only) falls back to a private one under the temporary directory, with a `CacheWarning`.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime_shim import check_library, library_sha256, read_manifest
from translator.errors import BuildError, CacheWarning
from translator.targets import Target
from translator.toolchain import discover
from translator.toolchain.compile import compile_library
from translator.version import __version__

logger = logging.getLogger("py2omp")

BUILD_SUFFIXES = (".so", ".c", ".h", ".json")
STALE_BUILD_SECONDS = 3600


def cache_root() -> Path:
    """`$PY2OMP_CACHE_DIR`, else `~/.cache/py2omp`."""
    configured = os.environ.get("PY2OMP_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "py2omp"


def build_cached(module_name: str, c_source: str, h_source: str, manifest: dict[str, Any], target: Target) -> Path:
    """The directory holding `<module>.so/.c/.h/.json` for these sources, building them if needed."""
    manifest = {**manifest, "library": f"{module_name}.so"}
    configured = cache_root()
    source_key = _source_key(module_name, c_source, h_source, manifest, target)
    toolchain = discover.find_toolchain()
    cannot_build = discover.missing_for(target)
    if toolchain is None or cannot_build:
        return _carried_build(configured / source_key, target, cannot_build)
    entry = Path(source_key) / _sha256(toolchain.version)
    if _intact(configured / entry):
        logger.debug("cache hit: %s", configured / entry)
        return configured / entry
    root = _writable_root(configured)
    final = root / entry
    try:
        with _entry_lock(final):
            if _intact(final):  # another process built it while this one waited for the lock
                return final
            if final.exists():
                _discard(final, root)
            return _build(root, final, (module_name, c_source, h_source, manifest), target, toolchain)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise BuildError(f"no space left on the device holding the build cache {root}: free some space, or "
                             "point PY2OMP_CACHE_DIR elsewhere") from exc
        raise


@contextlib.contextmanager
def _entry_lock(final: Path) -> Iterator[None]:
    """Hold the lock of the entry `final` (the file `.<key2>.lock` beside it) while checking, discarding
    and building it. Without it, two processes that both found the entry missing compiled it twice, and
    one that found it damaged could discard the good build another had just published and was loading.
    `flock` is released when the file is closed, so a killed process leaves no stale lock; the lock
    files stay (removing one would let a third process lock a new file while the second holds the old)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    with open(final.parent / f".{final.name}.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build(root: Path, final: Path, sources: tuple[str, str, str, dict[str, Any]], target: Target,
           toolchain: discover.Toolchain) -> Path:
    """Build in a private folder of `root`, record the library's hash in the manifest, publish as `final`."""
    module_name, c_source, h_source, manifest = sources
    _remove_stale_builds(root)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        _write_sources(scratch, module_name, c_source, h_source, manifest)
        library = scratch / f"{module_name}.so"
        compile_library(scratch / f"{module_name}.c", library, target, toolchain)
        _write_manifest(scratch, module_name, {**manifest, "library_sha256": library_sha256(library)})
        _publish(scratch, final)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def _intact(entry: Path) -> bool:
    """Whether `entry` is a complete build whose library matches the hash its manifest recorded."""
    if not entry.is_dir():
        return False
    try:
        manifest = read_manifest(next(entry.glob("*.json")))
        check_library(manifest)
    except (StopIteration, OSError, ValueError) as exc:
        logger.info("discarding the damaged cache entry %s: %s", entry, exc)
        return False
    if manifest.library_sha256 is None:
        logger.info("discarding the cache entry %s: its manifest records no library hash", entry)
    return manifest.library_sha256 is not None


def _discard(entry: Path, root: Path) -> None:
    """Move a damaged entry out of the way in one step (readers never see it half removed), then delete it."""
    stale = root / f".stale-{uuid.uuid4().hex}"
    try:
        os.rename(entry, stale)
    except OSError:
        return  # another process moved it already
    shutil.rmtree(stale, ignore_errors=True)


def _remove_stale_builds(root: Path) -> None:
    """Remove what killed processes left: build folders over an hour old (no build takes that long), and
    discarded entries whose removal was interrupted."""
    now = time.time()
    for folder in [*root.glob(".build-*"), *root.glob(".stale-*")]:
        try:
            old = now - folder.stat().st_mtime > STALE_BUILD_SECONDS
        except OSError:
            continue
        if old or folder.name.startswith(".stale-"):
            shutil.rmtree(folder, ignore_errors=True)


def _writable_root(configured: Path) -> Path:
    """`configured` if builds can be written there, else a private cache in the temporary directory."""
    try:
        configured.mkdir(parents=True, exist_ok=True)
        if os.access(configured, os.W_OK):
            return configured
        reason = "no write permission"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    fallback = Path(tempfile.gettempdir()) / f"py2omp-{os.getuid()}"
    fallback.mkdir(mode=0o700, parents=True, exist_ok=True)
    warnings.warn(CacheWarning(f"the build cache {configured} cannot be written ({reason}); building into "
                               f"{fallback} instead (set PY2OMP_CACHE_DIR to choose)"), stacklevel=4)
    return fallback


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
    _write_manifest(directory, module_name, manifest)


def _write_manifest(directory: Path, module_name: str, manifest: dict[str, Any]) -> None:
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
    builds = sorted((d for d in source_dir.glob("*") if _intact(d)), key=lambda d: d.stat().st_mtime)
    if builds:
        logger.info("cannot build for %s here; using the prebuilt library in %s", target, builds[-1])
        return builds[-1]
    raise BuildError(
        f"cannot build for {target} on this machine, and the cache ({source_dir.parent}) holds no prebuilt "
        "library for this kernel. Install what is missing, or build on a machine that has it and carry "
        "the cache (set PY2OMP_CACHE_DIR):\n" + "\n".join(f"  - {m}" for m in missing)
    )
