"""The build cache never hands out a damaged library, and degrades with a message, not a crash.

Each probe is one a user met (issue 13): a truncated cached .so crashed ctypes with SIGBUS, an
emptied or missing one failed the same way on every run and was never rebuilt, a killed build left
its folder for good, a read-only cache raised OSError, a full disk gave no path.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import runtime_shim
from translator import pipeline
from translator.errors import BuildError, CacheWarning
from translator.targets import parse_target
from translator.toolchain import cache, discover

ROOT = Path(__file__).resolve().parent.parent
SERIAL = parse_target("serial")

pytestmark = pytest.mark.skipif(discover.find_toolchain() is None, reason="clang-19 is not installed")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("PY2OMP_CACHE_DIR", str(root))
    return root


def build_saxpy() -> Path:
    emitted = pipeline.translate(str(ROOT / "examples" / "saxpy.py"), SERIAL)
    return cache.build_cached("saxpy", emitted.c_source, emitted.h_source, emitted.manifest, SERIAL)


def run_saxpy(build: Path) -> None:
    """Load the build and check one call against NumPy on random data."""
    rng = np.random.default_rng(7)
    x, y = rng.random(1000, dtype=np.float32), rng.random(1000, dtype=np.float32)
    expected = np.float32(2.5) * x + y
    runtime_shim.load(build).saxpy(2.5, x, y)
    np.testing.assert_array_equal(y, expected)


def test_a_build_records_its_library_hash() -> None:
    build = build_saxpy()
    manifest = runtime_shim.read_manifest(build / "saxpy.json")
    assert manifest.library_sha256 == runtime_shim.library_sha256(build / "saxpy.so")
    assert manifest.to_json()["library_sha256"] == manifest.library_sha256
    run_saxpy(build)


def test_loading_a_truncated_library_raises_instead_of_crashing() -> None:
    build = build_saxpy()
    library = build / "saxpy.so"
    library.write_bytes(library.read_bytes()[:4096])
    # In a child process: were the check missing, ctypes would die of SIGBUS, not raise.
    probe = f"import runtime_shim\ntry:\n    runtime_shim.load({str(build)!r})\nexcept runtime_shim.LibraryMismatch as e:\n" \
            "    print(e)\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"{library.resolve()}: the library does not match its manifest's library_sha256 (truncated or changed since "
        "it was built); rebuild it (a kernel's cached build is rebuilt on its next call)")


@pytest.mark.parametrize("damage", ["truncated", "empty", "missing", "no hash"])
def test_a_damaged_entry_is_rebuilt(damage: str) -> None:
    build = build_saxpy()
    library, manifest = build / "saxpy.so", build / "saxpy.json"
    if damage == "truncated":
        library.write_bytes(library.read_bytes()[:4096])
    elif damage == "empty":
        library.write_bytes(b"")
    elif damage == "missing":
        library.unlink()
    else:  # an entry written before the cache recorded hashes
        manifest.write_text(manifest.read_text().replace('"library_sha256"', '"unused"'))
    rebuilt = build_saxpy()
    assert rebuilt == build
    assert runtime_shim.read_manifest(rebuilt / "saxpy.json").library_sha256 == runtime_shim.library_sha256(
        rebuilt / "saxpy.so")
    run_saxpy(rebuilt)


def test_folders_of_killed_builds_are_removed_once_stale(isolated_cache: Path) -> None:
    isolated_cache.mkdir(parents=True)
    killed, running, interrupted = (isolated_cache / name for name in (".build-killed", ".build-running", ".stale-x"))
    for folder in (killed, running, interrupted):
        folder.mkdir()
        (folder / "saxpy.c").write_text("/* left behind */")
    an_hour_ago = time.time() - cache.STALE_BUILD_SECONDS - 60
    os.utime(killed, (an_hour_ago, an_hour_ago))
    build_saxpy()
    assert not killed.exists() and not interrupted.exists()
    assert running.exists()  # another process may be building there right now


def test_a_cache_that_cannot_be_written_falls_back_with_a_warning(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("PY2OMP_CACHE_DIR", str(blocker / "cache"))
    fallback = tmp_path / "tmp"
    monkeypatch.setattr(cache.tempfile, "tempdir", str(fallback))
    with pytest.warns(CacheWarning, match=r"the build cache .*a-file/cache cannot be written \(Not a directory\); "
                                          r"building into .*tmp/py2omp-\d+ instead"):
        build = build_saxpy()
    assert build.is_relative_to(fallback)
    run_saxpy(build)


def test_a_full_disk_names_the_cache(isolated_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache, "_write_sources", no_space)
    with pytest.raises(BuildError) as raised:
        build_saxpy()
    assert str(raised.value) == (f"no space left on the device holding the build cache {isolated_cache}: free some "
                                 "space, or point PY2OMP_CACHE_DIR elsewhere")


SIMULTANEOUS = """
import sys, time
from pathlib import Path
from tests.test_cache_integrity import ROOT, SERIAL, run_saxpy
from translator import pipeline
from translator.toolchain import cache

log, ready, go = (Path(arg) for arg in sys.argv[1:])
compile_library = cache.compile_library

def logged(*args):
    compile_library(*args)
    with open(log, "a") as file:
        file.write("compiled\\n")
    time.sleep(1)  # published a second later: a process that did not wait would build too

cache.compile_library = logged
emitted = pipeline.translate(str(ROOT / "examples" / "saxpy.py"), SERIAL)  # as build_saxpy
ready.touch()
while not go.exists():
    time.sleep(0.01)
run_saxpy(cache.build_cached("saxpy", emitted.c_source, emitted.h_source, emitted.manifest, SERIAL))
"""


@pytest.mark.parametrize("before", ["no entry", "a truncated entry"])
def test_processes_that_need_one_kernel_at_once_build_it_once(before: str, tmp_path: Path,
                                                              isolated_cache: Path) -> None:
    """Three processes start the same build together (two Python processes of one user can): one
    compiles, the others wait for its lock and load its build; none discards what another published."""
    if before == "a truncated entry":
        library = build_saxpy() / "saxpy.so"
        library.write_bytes(library.read_bytes()[:4096])
    log, go = tmp_path / "compiled.log", tmp_path / "go"
    readies = [tmp_path / f"ready{k}" for k in range(3)]
    children = [subprocess.Popen([sys.executable, "-c", SIMULTANEOUS, str(log), str(ready), str(go)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for ready in readies]
    deadline = time.monotonic() + 120
    while not all(ready.exists() for ready in readies) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0, 0, 0], outputs
    assert log.read_text() == "compiled\n"
    entries = [path for path in isolated_cache.glob("*/*") if path.is_dir()]
    assert len(entries) == 1 and not list(isolated_cache.glob(".build-*"))
