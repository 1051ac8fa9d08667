"""The call index: from what a kernel's first call knows before translating, to the build the cache holds.

The build cache (`cache`) is keyed by the emitted C, so finding a kernel's build there takes its
translation first: libcst, the passes and the backend, about 0.3 s of imports and 0.1 s of work in
every new process. The index keys a record by what decides the translation and is known before it:
py2omp's code (its version and `code_fingerprint`), the module's path and text (a file, or a notebook
cell with the imports it sees), the target, and what is translated (the module's annotated kernels, or
one kernel for one signature). A record names the build directory and holds what else the build
depends on, checked at each lookup:

- the helper modules whose device functions the kernels call (path and SHA-256 of their text);
- the compiler: the clang binary's path, size and modification time ("none" without a clang, where
  the cache hands out a build carried from another machine);

and what the translation said that each process must still show (its warnings) or tell (a
specialization's signature). The build itself is checked as any load checks it
(`runtime_shim.check_library`). A record that does not hold, or a build that does not load, sends the
call to the translator and the cache as before, and the record is written again.

Records are `<cache root>/index/<key>.json`, each written whole and renamed into place; where the
cache cannot be written there is no index, and calls translate as before.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import runtime_shim
from translator.resources import shipped_dir
from translator.settings import translation_settings
from translator.toolchain import discover
from translator.toolchain.cache import cache_root
from translator.version import __version__

logger = logging.getLogger("py2omp")

@dataclass(frozen=True)
class Record:
    """What a lookup hands back: the build directory, the translation's warnings (rendered) and the
    specialization's signature (`(f64[:], float)`; None for a module's annotated kernels)."""

    build: Path
    warnings: tuple[str, ...]
    signature: str | None


def index_key(path: str, text: str, outer_names: Iterable[tuple[str, str]], target: str, selection: str) -> str:
    """The key of a translation, from what is known before it: code, module, target, selection, and the
    settings the environment gives the translation (`translator.settings`)."""
    parts = [__version__, code_fingerprint(), path, hashlib.sha256(text.encode()).hexdigest(),
             [list(pair) for pair in outer_names], target, selection, translation_settings()]
    return _sha256(json.dumps(parts))


@functools.cache
def code_fingerprint() -> str:
    """py2omp's code as this process runs it: the path, size and modification time of every file of
    its packages and templates. A stat per file (about a millisecond for all), not their hashes: a
    checkout, an install or an edit changes the time of what it writes."""
    entries = []
    translator = Path(__file__).resolve().parent.parent
    for folder in (translator, Path(runtime_shim.__file__).parent, shipped_dir("templates")):
        for file in sorted(folder.rglob("*")):
            if file.suffix in (".py", ".j2"):
                status = file.stat()
                entries.append(f"{file.relative_to(folder.parent)}:{status.st_size}:{status.st_mtime_ns}")
    return _sha256("\n".join(entries))


def compiler_stamp() -> str:
    """The clang that builds, as a file (path, size, modification time), without running it."""
    clang = discover.clang_path()
    if clang is None:
        return "none"
    real = os.path.realpath(clang)
    status = os.stat(real)
    return f"{real}:{status.st_size}:{status.st_mtime_ns}"


def lookup(key: str) -> Record | None:
    """The record of `key` if there is one and what it depends on is unchanged, else None."""
    try:
        doc = json.loads(_record_path(key).read_text(encoding="utf-8"))
        if doc["compiler"] != compiler_stamp() or any(_file_sha256(p) != h for p, h in doc["depends"].items()):
            logger.debug("index record %s is stale", key)
            return None
        return Record(Path(doc["build"]), tuple(doc["warnings"]), doc["signature"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.debug("no index record %s: %s", key, exc)
        return None


def record(key: str, build: Path, depends: Iterable[str], warnings: Iterable[str], signature: str | None) -> None:
    """Write the record of `key`: `build` and the helper files `depends` (hashed now)."""
    doc = {"build": str(build.resolve()), "compiler": compiler_stamp(),
           "depends": {str(Path(p).resolve()): _file_sha256(p) for p in depends},
           "warnings": list(warnings), "signature": signature}
    path = _record_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as file:
            json.dump(doc, file)
        os.replace(file.name, path)
    except OSError as exc:  # a cache that cannot be written keeps no index
        logger.debug("cannot write the index record %s: %s", path, exc)


def _record_path(key: str) -> Path:
    return cache_root() / "index" / f"{key}.json"


def _file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
