"""Run clang on generated C and turn its errors back into Python locations.

The backend writes `#line N "file.py"` before the C of each Python statement, so clang already reports
`file.py:N:C: error: ...`. Only the column is wrong (it counts C characters), so it is replaced by the
column of the Python statement. A clang failure that points at no Python line is a bug in py2omp, not in
the user's kernel, and is reported as such, with everything needed to reproduce it.
"""

from __future__ import annotations

import linecache
import logging
import re
import shlex
import subprocess
from pathlib import Path

from translator.errors import BuildError, Diagnostic, Span, TranslationError
from translator.targets import Target
from translator.toolchain.discover import APT_INSTALL, Toolchain
from translator.toolchain.rocm import completed_device_libs

logger = logging.getLogger("py2omp")

_PY_ERROR = re.compile(r"^(?P<path>.+?\.py):(?P<line>\d+):\d+: (?:fatal )?error: (?P<message>.*)$")


def compile_library(c_path: Path, so_path: Path, target: Target, toolchain: Toolchain) -> None:
    """Build `so_path` from `c_path` for `target`; raise TranslationError or BuildError on failure."""
    missing = toolchain.missing_for(target)
    if missing:
        raise BuildError(f"cannot build for {target}; missing:\n" + "\n".join(f"  - {m}" for m in missing))
    # The SONAME is the file's name, so a C program linked against the library by its path records
    # only that name and finds the library wherever its folder moves (rpath, LD_LIBRARY_PATH).
    with completed_device_libs(toolchain, target) as complete:
        command = [toolchain.clang, str(c_path), "-o", str(so_path), f"-Wl,-soname,{so_path.name}",
                   *complete.flags(target)]
        logger.debug("compiling: %s", shlex.join(command))
        try:
            result = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise BuildError(f"cannot run {toolchain.clang} ({exc}); install it: {APT_INSTALL}") from exc
    if result.stderr:
        logger.debug("clang output for %s:\n%s", c_path, result.stderr)
    if result.returncode == 0:
        return
    diagnostics = _python_diagnostics(result.stderr)
    if diagnostics:
        raise TranslationError(diagnostics)
    raise BuildError(
        "internal error in py2omp: clang rejected the generated C, and no error points at a Python line.\n"
        "Please report this to the py2omp developers with the output below.\n"
        f"command: {shlex.join(command)}\n"
        f"clang exit status: {result.returncode}\n"
        f"clang stderr:\n{result.stderr}"
    )


def _python_diagnostics(stderr: str) -> list[Diagnostic]:
    """Every distinct clang error on a .py line (offload builds compile twice, so errors repeat)."""
    found: dict[tuple[str, int, str], Diagnostic] = {}
    for raw in stderr.splitlines():
        match = _PY_ERROR.match(raw)
        if match is None:
            continue
        path, line, message = match["path"], int(match["line"]), match["message"]
        key = (path, line, message)
        if key not in found:
            found[key] = Diagnostic(Span(path, line, _statement_column(path, line)), message)
    return list(found.values())


def _statement_column(path: str, line: int) -> int:
    """1-based column of the first non-blank character of that Python line (1 if unreadable)."""
    # The file may have been rewritten since linecache last read it; Diagnostic.render reads it too.
    linecache.checkcache(path)
    text = linecache.getline(path, line)
    stripped = text.lstrip()
    return len(text) - len(stripped) + 1 if stripped else 1
