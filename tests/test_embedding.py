"""Calling translated kernels without Python, and tracing the C back to Python.

Host programs (C, Fortran, a CMake project, a pkg-config build) are compiled with the real
toolchains and run on the host-offload virtual device, whose memory is separate from the host's,
so a wrong map would give wrong numbers. The traceability tests check `#line` coverage, clang
errors located in Python, byte-identical output across processes and the provenance header.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from translator import pipeline
from translator.backend.render import presumed_locations
from translator.cli import main
from translator.errors import TranslationError
from translator.targets import Target
from translator.toolchain import compile_library, find_toolchain
from translator.version import __version__

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SEMANTICS = ROOT / "tests" / "kernels" / "semantics.py"
PY2OMP = f"{sys.executable} -m translator"
HOST_OFFLOAD = Target("host-offload")


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A cache of this module's own, also for the `py2omp` processes the host builds start."""
    patch = pytest.MonkeyPatch()
    patch.setenv("PY2OMP_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


def needs(*tools: str) -> None:
    """Skip unless every tool is on PATH and clang can build host-offload libraries."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(HOST_OFFLOAD):
        pytest.skip("clang-19 with the LLVM 22 offload runtime is not installed")
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def run(command: list[str], cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command (environment: ours, plus `env`) and fail the test with its output if it fails."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    result = subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def on_device(**env: str) -> dict[str, str]:
    """The environment that makes libomptarget report every kernel launch on stderr."""
    return {"LIBOMPTARGET_INFO": "16", **env}


# --- files written by build --------------------------------------------------------------------


def test_build_emit_selects_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    needs()
    saxpy = str(EXAMPLES / "saxpy.py")
    assert main(["build", saxpy, "--target", "host-offload", "-o", str(tmp_path / "default")]) == 0
    assert sorted(p.name for p in (tmp_path / "default").iterdir()) == ["saxpy.c", "saxpy.h", "saxpy.json", "saxpy.so"]
    out = tmp_path / "all"
    assert main(["build", saxpy, "--target", "host-offload", "--emit", "f90,cmake", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["CMakeLists.txt", "saxpy.f90", "saxpy.json", "saxpy.pc", "saxpy.so", "saxpyConfig.cmake"]
    assert str(out / "saxpy.f90") in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["build", saxpy, "--target", "host-offload", "--emit", "c,pdf"])


def test_header_documents_each_parameter() -> None:
    h_source = pipeline.translate(str(SEMANTICS), "host-offload").h_source
    comment = h_source[h_source.index("/* scalar_params("):h_source.index("void scalar_params(")]
    assert "scalar_params(x: In[f64[:]], out: Out[f64[:]], scale: f64, shift: weak i64, flip: bool, k: i32)" in comment
    assert " *   x: In, map(to: x[0:x_n0])\n *   out: Out, map(alloc: out[0:out_n0])\n" in comment
    assert " *     then copied back by `target update from`: only out[0:x.shape[0]]; other elements keep" in comment
    assert " *   scale: scalar, by value\n" in comment and " *   k: scalar, by value\n" in comment
    assert " *   a: InOut, map(tofrom: a[0:a_n0])\n" in h_source  # time_steps


def test_fortran_module_types_intents_and_functions(tmp_path: Path) -> None:
    f90 = pipeline.translate(str(SEMANTICS), "host-offload").f90_source
    assert "module py2omp_semantics" in f90 and "bind(C, name=\"int_arithmetic\")" in f90
    assert "integer(c_int64_t), intent(in), dimension(*) :: a\n" in f90
    assert "integer(c_int64_t), intent(out), dimension(*) :: out\n" in f90
    assert "integer(c_int64_t), value :: out_n1\n" in f90
    assert "real(c_double), intent(inout), dimension(*) :: a\n" in f90  # time_steps: InOut
    assert "real(c_float), intent(in), dimension(*) :: x\n" in f90  # float32_sum
    assert "logical(c_bool), value :: flip\n" in f90 and "integer(c_int32_t), value :: k\n" in f90
    assert re.search(r"function two_phases\(.*\n(.*\n)*?      real\(c_double\) :: two_phases\n    end function", f90)
    assert all(len(line) <= 132 for line in f90.splitlines() if not line.lstrip().startswith("!"))
    if shutil.which("gfortran"):
        source = tmp_path / "semantics.f90"
        source.write_text(f90, encoding="utf-8")
        run(["gfortran", "-std=f2008", "-Wall", "-Wextra", "-Werror", "-c", str(source), "-J", str(tmp_path)], cwd=tmp_path)


AWKWARD_NAMES = """\
from translator import In, Out, f64, i32, kernel, prange, u8


@kernel
def _private(x: In[f64[:]], X: Out[f64[:]], _n: i32, flags: In[u8[:]]):
    for i in prange(x.shape[0]):
        X[i] = x[i] * _n + flags[i]
"""


def test_fortran_names_are_valid_and_unique_without_case(tmp_path: Path) -> None:
    """Fortran names start with a letter and ignore case; C's may not, and `x`/`X` may both exist."""
    source = tmp_path / "awkward.py"
    source.write_text(AWKWARD_NAMES, encoding="utf-8")
    f90 = pipeline.translate(str(source), "host-offload").f90_source
    assert "module py2omp_awkward" in f90
    assert "subroutine arg_private(x, x_n0, X_, X_n0_, arg_n, flags, flags_n0) bind(C, name=\"_private\")" in f90
    assert "integer(c_int8_t), intent(in), dimension(*) :: flags\n" in f90  # u8: same width, signed kind
    if shutil.which("gfortran"):
        (tmp_path / "awkward.f90").write_text(f90, encoding="utf-8")
        run(["gfortran", "-std=f2008", "-Wall", "-Werror", "-c", "awkward.f90"], cwd=tmp_path)


# --- programs that call the kernels without Python ---------------------------------------------


@pytest.mark.parametrize(("example", "compiler"), [("c_host", "clang-19"), ("fortran_host", "gfortran")])
def test_host_program_runs_on_virtual_device(example: str, compiler: str, tmp_path: Path) -> None:
    needs(compiler)
    result = run(["sh", str(EXAMPLES / example / "build.sh"), str(tmp_path)], **on_device(PY2OMP=PY2OMP))
    assert f"{example}: all results correct" in result.stdout
    for kernel in ("saxpy", "dot", "matmul"):
        assert re.search(rf"^{kernel} +ok: got ", result.stdout, re.M), result.stdout
        assert re.search(rf"Launching kernel __omp_offloading_\w+_{kernel}_l", result.stderr)


JACOBI_C = """\
#include <stdio.h>
#include "jacobi2d.h"
enum { ROWS = 6, COLS = 5 };
int main(void)
{
    double u[ROWS * COLS], v[ROWS * COLS];
    for (int k = 0; k < ROWS * COLS; k++) {
        u[k] = k * k % 7;
        v[k] = -1.0;  /* the caller's values: the kernel never writes the border */
    }
    jacobi_step(u, ROWS, COLS, v, ROWS, COLS);
    int wrong = 0;
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            int border = i == 0 || j == 0 || i == ROWS - 1 || j == COLS - 1;
            double want = border ? -1.0 : 0.25 * (u[(i - 1) * COLS + j] + u[(i + 1) * COLS + j]
                                                  + u[i * COLS + j - 1] + u[i * COLS + j + 1]);
            wrong += v[i * COLS + j] != want;
        }
    }
    printf("jacobi: %d wrong\\n", wrong);
    return wrong != 0;
}
"""


def test_partly_written_out_array_keeps_the_callers_border_in_c(tmp_path: Path) -> None:
    """A C caller of a kernel that writes only the interior of an `Out` array gets the interior back
    and keeps its own border: the C copies back the written rows in ONE transfer (`target update
    from` of the range from the first written element to the last), restoring the border elements
    between them."""
    needs()
    package = tmp_path / "package"
    assert main(["build", str(EXAMPLES / "jacobi2d.py"), "--target", "host-offload", "-o", str(package)]) == 0
    (tmp_path / "main.c").write_text(JACOBI_C, encoding="utf-8")
    program = tmp_path / "jacobi"
    run(["clang-19", str(tmp_path / "main.c"), f"-I{package}", str(package / "jacobi2d.so"),
         f"-Wl,-rpath,{package}", "-o", str(program)])
    result = run([str(program)], LIBOMPTARGET_INFO="-1")
    assert result.stdout == "jacobi: 0 wrong\n"
    copied = re.findall(r"Copying data from device to host, .*Size=(\d+)", result.stderr)
    assert [int(size) for size in copied] == [(3 * 5 + 3) * 8]  # row 1, column 1 to row 4, column 3


POOL_C = """\
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "pool.h"

enum { ROWS = 160, COLS = 30 };

static double x[ROWS][COLS], want[ROWS][COLS];
static int failures;

/* The offload runtime's omp_target_alloc, made to fail `failures` times: the library calls it by
   name, and the program's definition comes first. */
void *omp_target_alloc(size_t bytes, int device)
{
    static void *(*real)(size_t, int);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "omp_target_alloc");
    if (failures > 0) {
        failures--;
        return NULL;
    }
    return real(bytes, device);
}

/* smooth_rows on `rows` rows, in C: each row's interior becomes the mean of three neighbours, as
   NumPy computes it; then the number of elements that differ from the library's. */
static int smooth(int rows)
{
    smooth_rows(&x[0][0], rows, COLS);
    int wrong = 0;
    for (int i = 0; i < rows; i++) {
        double row[COLS];
        for (int j = 0; j < COLS; j++)
            row[j] = want[i][j];
        for (int j = 1; j < COLS - 1; j++)
            want[i][j] = (row[j - 1] + row[j] + row[j + 1]) / 3.0;
        for (int j = 0; j < COLS; j++)
            wrong += x[i][j] != want[i][j];
    }
    return wrong;
}

static void report(const char *when)
{
    int64_t stats[3];
    py2omp_device_memory_stats(stats);
    printf("%s: %lld allocations, %lld blocks of %lld bytes kept\\n", when, (long long)stats[0],
           (long long)stats[1], (long long)stats[2]);
}

int main(void)
{
    srand(7);
    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++)
            want[i][j] = x[i][j] = (double)rand() / RAND_MAX - 0.5;
    int wrong = smooth(64) + smooth(64) + smooth(64);
    report("three calls");
    failures = 1;
    wrong += smooth(ROWS);
    report("a larger call whose first allocation fails");
    py2omp_release_device_memory();
    report("released");
    printf("%d wrong\\n", wrong);
    return 0;
}
"""


def test_a_c_caller_reads_and_empties_the_cache_of_device_blocks(tmp_path: Path) -> None:
    """A kernel with a temporary buffer called three times from C allocates its buffer once
    (templates/pool.c.j2). A larger call whose allocation fails (the program's own omp_target_alloc
    fails once) gets the memory after the cached block is given back: a second try. Then
    `py2omp_release_device_memory` gives the new block back; the Fortran module declares both
    functions, and gfortran accepts it."""
    needs()
    package = tmp_path / "package"
    assert main(["build", str(ROOT / "tests/kernels/pool.py"), "--target", "host-offload", "--emit", "c,h,f90",
                 "-o", str(package)]) == 0
    (tmp_path / "main.c").write_text(POOL_C, encoding="utf-8")
    program = tmp_path / "pool"
    run(["clang-19", "-std=c99", "-pedantic", "-Werror", str(tmp_path / "main.c"), f"-I{package}",
         str(package / "pool.so"), f"-Wl,-rpath,{package}", "-ldl", "-o", str(program)])
    row = 28 * 8  # the temporary: one row of the interior per iteration
    assert run([str(program)]).stdout.splitlines() == [
        f"three calls: 1 allocations, 1 blocks of {64 * row} bytes kept",
        f"a larger call whose first allocation fails: 3 allocations, 1 blocks of {160 * row} bytes kept",
        "released: 3 allocations, 0 blocks of 0 bytes kept",
        "0 wrong"]
    f90 = (package / "pool.f90").read_text(encoding="utf-8")
    assert 'subroutine py2omp_release_device_memory() bind(C, name="py2omp_release_device_memory")' in f90
    assert "integer(c_int64_t), intent(out), dimension(3) :: stats\n" in f90
    if shutil.which("gfortran"):
        run(["gfortran", "-std=f2008", "-Wall", "-Wextra", "-Werror", "-c", "pool.f90"], cwd=package)


CONSUMER_C = """\
#include <stdio.h>
#include "dot.h"
int main(void)
{
    double x[100], y[100], want = 0.0;
    for (int i = 0; i < 100; i++) {
        x[i] = i;
        y[i] = 0.5;
        want += x[i] * y[i];
    }
    double got = dot(x, 100, y, 100);
    printf("dot = %g\\n", got);
    return got == want ? 0 : 1;
}
"""


def test_cmake_find_package_links_imported_target(tmp_path: Path) -> None:
    needs("cmake")
    package = tmp_path / "package"
    assert main(["build", str(EXAMPLES / "dot.py"), "--target", "host-offload", "--emit", "h,cmake", "-o", str(package)]) == 0
    project = tmp_path / "consumer"
    project.mkdir()
    (project / "main.c").write_text(CONSUMER_C, encoding="utf-8")
    (project / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.16)\nproject(consumer C)\nfind_package(dot REQUIRED)\n"
        "add_executable(consumer main.c)\ntarget_link_libraries(consumer PRIVATE py2omp::dot)\n",
        encoding="utf-8",
    )
    build = tmp_path / "build"
    run(["cmake", "-S", str(project), "-B", str(build), f"-Ddot_DIR={package}", "-DCMAKE_C_COMPILER=clang-19"])
    run(["cmake", "--build", str(build)])
    result = run([str(build / "consumer")], **on_device())
    assert result.stdout == "dot = 2475\n"
    assert "_dot_l" in result.stderr


def test_cmake_add_subdirectory_links_the_same_target_from_anywhere_in_the_project(tmp_path: Path) -> None:
    """The package folder as a subdirectory: its imported target is global, so a sibling folder's
    executable links it, and `dot_TARGET` reaches the folder that added it; a second module built
    into the same folder keeps the first one's target."""
    needs("cmake")
    package = tmp_path / "package"
    assert main(["build", str(EXAMPLES / "dot.py"), "--target", "host-offload", "--emit", "h,cmake", "-o", str(package)]) == 0
    project = tmp_path / "consumer"
    (project / "app").mkdir(parents=True)
    (project / "app" / "main.c").write_text(CONSUMER_C, encoding="utf-8")
    (project / "app" / "CMakeLists.txt").write_text(
        "add_executable(consumer main.c)\ntarget_link_libraries(consumer PRIVATE py2omp::dot)\n", encoding="utf-8")
    (project / "CMakeLists.txt").write_text(
        f"cmake_minimum_required(VERSION 3.16)\nproject(consumer C)\nadd_subdirectory({package} dot-build)\n"
        "message(STATUS \"dot target: ${dot_TARGET}, saxpy target: ${saxpy_TARGET}\")\nadd_subdirectory(app)\n",
        encoding="utf-8",
    )
    assert main(["build", str(EXAMPLES / "saxpy.py"), "--target", "host-offload", "--emit", "cmake", "-o", str(package)]) == 0
    build = tmp_path / "build"
    configured = run(["cmake", "-S", str(project), "-B", str(build), "-DCMAKE_C_COMPILER=clang-19"])
    assert "dot target: host-offload, saxpy target: host-offload" in configured.stdout
    run(["cmake", "--build", str(build)])
    result = run([str(build / "app" / "consumer")], **on_device())
    assert result.stdout == "dot = 2475\n"


def test_build_leaves_a_projects_own_cmakelists_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "CMakeLists.txt").write_text("project(mine C)\n", encoding="utf-8")
    assert main(["build", str(EXAMPLES / "dot.py"), "--target", "serial", "--emit", "cmake", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "CMakeLists.txt").read_text(encoding="utf-8") == "project(mine C)\n"
    assert (tmp_path / "dotConfig.cmake").exists()
    assert f"py2omp build: warning: {tmp_path / 'CMakeLists.txt'} was not written by py2omp" in capsys.readouterr().err


def test_pkg_config_flags_build_a_program(tmp_path: Path) -> None:
    needs("pkg-config")
    package = tmp_path / "package"
    assert main(["build", str(EXAMPLES / "dot.py"), "--target", "host-offload", "--emit", "h,cmake", "-o", str(package)]) == 0
    flags = run(["pkg-config", "--cflags", "--libs", "dot"], PKG_CONFIG_PATH=str(package)).stdout.split()
    assert f"-I{package}" in flags and "-l:dot.so" in flags and f"-Wl,-rpath,{package}" in flags
    (tmp_path / "main.c").write_text(CONSUMER_C, encoding="utf-8")
    run(["clang-19", str(tmp_path / "main.c"), "-o", str(tmp_path / "consumer"), *flags])
    result = run([str(tmp_path / "consumer")], **on_device())
    assert result.stdout == "dot = 2475\n" and "_dot_l" in result.stderr


# --- traceability --------------------------------------------------------------------------------

_C_WORDS = frozenset("for if else while return break continue true false".split())
_IDENT = re.compile(r"[A-Za-z_]\w*")
_GENERATED_SUFFIX = re.compile(r"(_n\d+|_stop|__\d+|(__\d+)?_seen|_value)$")


def _python_names(c_identifier: str) -> set[str]:
    """The Python names a C identifier may stand for: `x_n0` -> x, `i_stop` -> i, `a__1` -> a,
    `max__3_seen` -> max, `smallest_seen` -> smallest (the class of what a float max saw),
    `smallest_value` -> smallest (an element held for that class), `int_` -> int (a reserved name
    with its `_`)."""
    return {c_identifier, _GENERATED_SUFFIX.sub("", c_identifier).rstrip("_") or c_identifier}


def _body_lines(c_source: str) -> list[tuple[int, str]]:
    """(line number, text) of every code line inside kernel bodies (a kernel's prototype follows
    its `#line`, a helper's does not): no directives, pragma continuations or lone braces."""
    lines = c_source.split("\n")
    found, in_kernel = [], False
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if raw == "{" and number > 2 and lines[number - 3].startswith("#line "):  # not a helper
            in_kernel = True
        elif raw == "}":
            in_kernel = False
        elif in_kernel and text and not text.startswith("#") and not lines[number - 2].endswith("\\") \
                and not set(text) <= set("{} ") and text != "} else {":
            found.append((number, text))
    return found


@pytest.mark.parametrize("path", [SEMANTICS, *sorted(EXAMPLES.glob("*.py"))], ids=lambda p: p.name)
def test_every_body_line_maps_to_related_python(path: Path) -> None:
    """Each C line in a kernel body is, through `#line`, on a Python line that names one of the
    identifiers it uses (types and C keywords aside). The copy-back of a partly written `Out`
    array (`py2omp_lo`/`py2omp_hi` bounds) maps to the write it returns, whose box may also
    depend on enclosing loop bounds named elsewhere: for those lines only the file is checked."""
    c_source = pipeline.translate(str(path), "host-offload").c_source
    python = path.read_text(encoding="utf-8").splitlines()
    locations = presumed_locations(c_source, f"{path.stem}.c")
    body = _body_lines(c_source)
    assert len(body) >= 2
    for number, text in body:
        file, line = locations[number - 1]
        assert file == str(path), f"C line {number} {text!r} maps to {file}:{line}"
        c_names = {n for n in _IDENT.findall(text) if n not in _C_WORDS and not n.startswith("py2omp_")
                   and not n.endswith("_t") and n not in ("double", "float", "bool")}
        if "py2omp_lo" in text or "py2omp_hi" in text:
            continue
        py_names = set(_IDENT.findall(python[line - 1]))
        assert not c_names or any(_python_names(n) & py_names for n in c_names), (
            f"C line {number} {text!r} maps to unrelated Python line {line}: {python[line - 1]!r}"
        )


def test_clang_error_names_python_file_and_line(tmp_path: Path) -> None:
    """An error in kernel code is reported at the Python line the C came from."""
    toolchain = find_toolchain()
    if toolchain is None:
        pytest.skip("clang-19 is not installed")
    saxpy = str(EXAMPLES / "saxpy.py")
    c_source = pipeline.translate(saxpy, "cpu").c_source
    assert "y[i] = a * x[i] + y[i];" in c_source
    c_path = tmp_path / "saxpy.c"
    c_path.write_text(c_source.replace("+ y[i];", "+ not_declared_anywhere;"), encoding="utf-8")
    with pytest.raises(TranslationError) as caught:
        compile_library(c_path, tmp_path / "saxpy.so", Target("cpu"), toolchain)
    message = str(caught.value)
    assert f"{saxpy}:11:" in message and "not_declared_anywhere" in message
    assert "y[i] = a * x[i] + y[i]" in message  # the Python source line is quoted


_EMIT_ALL = """\
import json, sys
from translator import pipeline
from translator.backend.interfaces import render_cmake_config, render_pkg_config
e = pipeline.translate(sys.argv[1], "nvptx:sm_90")
texts = [e.c_source, e.h_source, e.f90_source, json.dumps(e.manifest),
         render_cmake_config(e.manifest, (".h", ".f90")), render_pkg_config(e.manifest)]
sys.stdout.write(json.dumps(texts))
"""


def test_output_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """Different hash seeds (set and dict orders) must not change a single byte of any output."""
    outputs = [
        run([sys.executable, "-c", _EMIT_ALL, str(SEMANTICS)], cwd=ROOT, PYTHONHASHSEED=seed).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    for seed in ("3", "4"):
        run([sys.executable, "-m", "translator", "translate", str(SEMANTICS), "-o", str(tmp_path / seed)], PYTHONHASHSEED=seed)
    for name in ("semantics.c", "semantics.h"):
        assert (tmp_path / "3" / name).read_bytes() == (tmp_path / "4" / name).read_bytes()
        assert (tmp_path / "3" / name).read_text(encoding="utf-8") in json.loads(outputs[0])


def test_header_comment_names_version_and_source_hash() -> None:
    emitted = pipeline.translate(str(SEMANTICS), "host-offload")
    digest = hashlib.sha256(SEMANTICS.read_text(encoding="utf-8").encode()).hexdigest()
    expected = f"Generated by py2omp {__version__} from {SEMANTICS} (sha256 {digest[:16]})"
    for text in (emitted.c_source, emitted.h_source):
        assert text.startswith(f"/* {expected}")
    assert emitted.f90_source.startswith(f"! {expected}")
    assert emitted.manifest["source_sha256"] == digest
