"""Staging for C and Fortran callers (`py2omp build --staging`, translator/backend/staged.py) on the
host-offload virtual device, whose memory is separate from the host's: a wrong copy gives a wrong
result here, as on a GPU.

One C program calls the staging test kernels (tests/kernels/staging.py: an `InOut` array moved by
its rows, `Out` arrays written only partly in 1-D, 2-D and 3-D boxes and in a few columns of a wide
matrix, a reduction, a run-time check's status word, an array the kernel makes) on seeded random
data that the test writes to files and reads back. It runs against a library built without the
option and against one built with it, whose thresholds the environment lowers so that every call
stages and every large copy crosses the pinned pool in many 1000-byte chunks (not a multiple of the
elements: a chunk ends inside an element). The results must be identical bytes, and match the
Python functions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import runtime_shim
from tests.kernels import staging as kernels
from tests.test_embedding import needs, run
from translator.cli import main
from translator.oracle import arrays_close

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "tests" / "kernels" / "staging.py"
N, M, ROWS, COLS, BOX, TALL, WIDE, K, FIRST = 20011, 5003, 67, 45, (13, 11, 9), 300, 40, 3, 777
STAGED = {"PY2OMP_STAGING_MIN_BYTES": "4096", "PY2OMP_STAGING_CHUNK_BYTES": "1000"}
"""Every call of the program has an array of at least 4096 bytes: all of them stage."""

CALLER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include "staging.h"

enum { N = %(N)d, M = %(M)d, ROWS = %(ROWS)d, COLS = %(COLS)d, P = %(P)d, Q = %(Q)d, R = %(R)d,
       TALL = %(TALL)d, WIDE = %(WIDE)d, K = %(K)d, FIRST = %(FIRST)d };

static const char *folder;

/* The raw bytes of file `name` in the data folder (the test wrote it). */
static void *load(const char *name, size_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%%s/%%s", folder, name);
    FILE *f = fopen(path, "rb");
    void *data = malloc(bytes);
    if (f == NULL || data == NULL || fread(data, 1, bytes, f) != bytes) {
        fprintf(stderr, "cannot read %%s\n", path);
        exit(2);
    }
    fclose(f);
    return data;
}

static void save(const char *name, const void *data, size_t bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%%s/out_%%s", folder, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, bytes, f) != bytes) {
        fprintf(stderr, "cannot write %%s\n", path);
        exit(2);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    folder = argc > 1 ? argv[1] : ".";
    float *xf = load("xf", N * sizeof(float)), *yf = load("yf", N * sizeof(float));
    saxpy(1.5f, xf, N, yf, N);
    save("saxpy", yf, N * sizeof(float));

    double *x = load("x", N * sizeof(double)), *y = load("y", N * sizeof(double));
    double d = dot(x, N, y, N);
    save("dot", &d, sizeof d);
    scale_tail(x, N, y, N, FIRST);
    save("scale_tail", y, N * sizeof(double));

    double *u = load("u", ROWS * COLS * sizeof(double)), *v = load("v", ROWS * COLS * sizeof(double));
    jacobi(u, ROWS, COLS, v, ROWS, COLS);
    save("jacobi", v, ROWS * COLS * sizeof(double));
    double *w = load("w", ROWS * COLS * sizeof(double));
    relax(u, ROWS, COLS, w, ROWS, COLS);
    save("relax", w, ROWS * COLS * sizeof(double));

    double *u3 = load("u3", P * Q * R * sizeof(double)), *v3 = load("v3", P * Q * R * sizeof(double));
    relax3d(u3, P, Q, R, v3, P, Q, R);
    save("relax3d", v3, P * Q * R * sizeof(double));

    double *wide = load("wide", TALL * WIDE * sizeof(double)), *left = load("left", TALL * WIDE * sizeof(double));
    left_columns(wide, TALL, WIDE, left, TALL, WIDE, K);
    save("left_columns", left, TALL * WIDE * sizeof(double));

    int64_t *index = load("index", M * sizeof(int64_t));
    double *gathered = load("gathered", M * sizeof(double));
    int32_t failed = 0;
    gather(x, N, index, M, gathered, M, &failed, 1);
    save("gather", gathered, M * sizeof(double));
    save("failed", &failed, sizeof failed);

    double *soft = malloc(N * sizeof(double)); /* made by the kernel: the caller allocates it */
    softplus(x, N, soft, N);
    save("softplus", soft, N * sizeof(double));
    return 0;
}
""" % {"N": N, "M": M, "ROWS": ROWS, "COLS": COLS, "P": BOX[0], "Q": BOX[1], "R": BOX[2], "TALL": TALL, "WIDE": WIDE,
       "K": K, "FIRST": FIRST}


def inputs(folder: Path) -> dict[str, np.ndarray]:
    """Seeded random inputs (the caller's values in the `Out` arrays too), written where the program reads them."""
    rng = np.random.default_rng(1414)
    data = {
        "xf": rng.standard_normal(N, dtype=np.float32), "yf": rng.standard_normal(N, dtype=np.float32),
        "x": rng.uniform(0.5, 2.0, N), "y": rng.standard_normal(N),
        "u": rng.standard_normal((ROWS, COLS)), "v": rng.standard_normal((ROWS, COLS)),
        "w": rng.standard_normal((ROWS, COLS)), "u3": rng.standard_normal(BOX), "v3": rng.standard_normal(BOX),
        "wide": rng.standard_normal((TALL, WIDE)), "left": rng.standard_normal((TALL, WIDE)),
        "index": rng.integers(0, N, M), "gathered": rng.standard_normal(M),
    }
    for name, array in data.items():
        array.tofile(folder / name)
    return data


def expected(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the Python functions give on copies of the inputs, in the program's order of calls."""
    c = {name: array.copy() for name, array in data.items()}
    kernels.saxpy.py_func(np.float32(1.5), c["xf"], c["yf"])
    out = {"saxpy": c["yf"], "dot": np.float64(kernels.dot.py_func(c["x"], c["y"]))}
    kernels.scale_tail.py_func(c["x"], c["y"], FIRST)
    kernels.jacobi.py_func(c["u"], c["v"])
    kernels.relax.py_func(c["u"], c["w"])
    kernels.relax3d.py_func(c["u3"], c["v3"])
    kernels.left_columns.py_func(c["wide"], c["left"], K)
    kernels.gather.py_func(c["x"], c["index"], c["gathered"])
    out.update(scale_tail=c["y"], jacobi=c["v"], relax=c["w"], relax3d=c["v3"], left_columns=c["left"],
               gather=c["gathered"], failed=np.int32(0), softplus=kernels.softplus.py_func(c["x"]))
    return out


def results(folder: Path, want: dict[str, np.ndarray]) -> dict[str, bytes]:
    """The program's outputs, as bytes, emptied for the next run."""
    got = {}
    for name in want:
        path = folder / f"out_{name}"
        got[name] = path.read_bytes()
        path.unlink()
    return got


def differences(got: dict[str, bytes], reference: dict[str, bytes]) -> list[str]:
    """The outputs whose bytes differ; the reduction's sum, whose order OpenMP leaves open (it changes
    with the threads of a run), only where it differs by more than a few ulps."""
    def differs(name: str) -> bool:
        if name == "dot":
            return not arrays_close(*(np.frombuffer(outputs[name], np.float64) for outputs in (got, reference)))
        return got[name] != reference[name]
    return [name for name in reference if differs(name)]


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The caller compiled against the library built without `--staging` ("maps") and with it ("staged")."""
    needs()
    root = tmp_path_factory.mktemp("c_staging")
    patch = pytest.MonkeyPatch()
    patch.setenv("PY2OMP_CACHE_DIR", str(root / "cache"))
    (root / "main.c").write_text(CALLER_C, encoding="utf-8")
    built: dict[str, Any] = {}
    for kind, option in (("maps", []), ("staged", ["--staging"])):
        package = root / kind
        assert main(["build", str(KERNELS), "--target", "host-offload", "-o", str(package), *option]) == 0
        program = root / f"caller_{kind}"
        run(["clang-19", "-std=c11", "-Wall", "-Wextra", "-Werror", str(root / "main.c"), f"-I{package}",
             str(package / "staging.so"), f"-Wl,-rpath,{package}", "-o", str(program)])
        built[kind] = program
        built[f"{kind}_dir"] = package
    data_dir = root / "data"
    data_dir.mkdir()
    built["data"] = data_dir
    built["want"] = expected(inputs(data_dir))
    yield built
    patch.undo()


def launches(stderr: str) -> set[str]:
    """The entry points whose target regions ran (LIBOMPTARGET_INFO=16): `saxpy__device`, ..."""
    return set(re.findall(r"Launching kernel __omp_offloading_[0-9a-f]+_[0-9a-f]+_(\w+?)_l\d+", stderr))


def test_header_is_the_same_with_and_without_staging(programs: dict[str, Any]) -> None:
    maps, staged = programs["maps_dir"], programs["staged_dir"]
    assert (maps / "staging.h").read_text() == (staged / "staging.h").read_text()
    c_source = (staged / "staging.c").read_text()
    assert "static void relax__maps(const double *restrict u" in c_source
    assert "py2omp_stage_in(" in c_source and "py2omp_stage_in(" not in (maps / "staging.c").read_text()


def test_c_caller_gets_the_same_results_staged_through_the_pool(programs: dict[str, Any]) -> None:
    """Maps against staging: identical bytes, and the Python functions' results (the `Out` arrays'
    untouched elements keep the caller's values). Staged, every call runs its device entry point and
    the large copies cross the two pinned buffers of each direction in 1000-byte chunks."""
    folder, want = programs["data"], programs["want"]
    run([str(programs["maps"]), str(folder)])
    reference = results(folder, want)
    for name, expect in want.items():
        got = np.frombuffer(reference[name], dtype=np.asarray(expect).dtype).reshape(np.shape(expect))
        assert arrays_close(got, expect), name
    staged = run([str(programs["staged"]), str(folder)], LIBOMPTARGET_INFO="-1", **STAGED)
    assert differences(results(folder, want), reference) == []
    assert launches(staged.stderr) == {f"{k}__device" for k in ("saxpy", "dot", "scale_tail", "jacobi", "relax", "relax3d",
                                                                   "left_columns", "gather", "softplus")}
    chunks = re.findall(r"Copying data from (host to device|device to host), .*HstPtr=(0x[0-9a-f]+), .*Size=1000,",
                        staged.stderr)
    buffers = {direction: {pointer for d, pointer in chunks if d == direction} for direction in ("host to device", "device to host")}
    assert len(chunks) > 500 and [len(pointers) for pointers in buffers.values()] == [2, 2]


@pytest.mark.parametrize("env", [{"PY2OMP_STAGING_COPIERS": "1"}, {"PY2OMP_STAGING_COPIERS": "3"}, {"OMP_THREAD_LIMIT": "1"}],
                         ids=["one_copier", "three_copiers", "one_thread"])
def test_staged_results_do_not_depend_on_the_copier_threads(programs: dict[str, Any], env: dict[str, str]) -> None:
    """One copier beside the mover, three, and a thread limit that leaves one thread to do both."""
    folder, want = programs["data"], programs["want"]
    run([str(programs["maps"]), str(folder)])
    reference = results(folder, want)
    run([str(programs["staged"]), str(folder)], **STAGED, **env)
    assert differences(results(folder, want), reference) == []


@pytest.mark.parametrize("env", [{}, {"PY2OMP_STAGING": "0", **STAGED}], ids=["below_threshold", "turned_off"])
def test_calls_that_do_not_stage_take_the_maps(programs: dict[str, Any], env: dict[str, str]) -> None:
    """Under the default threshold (32 MiB) nothing here stages, nor anything with PY2OMP_STAGING=0."""
    folder, want = programs["data"], programs["want"]
    run([str(programs["maps"]), str(folder)])
    reference = results(folder, want)
    result = run([str(programs["staged"]), str(folder)], LIBOMPTARGET_INFO="16", **env)
    assert differences(results(folder, want), reference) == []
    assert launches(result.stderr) and all(name.endswith("__maps") for name in launches(result.stderr))


def test_staging_needs_an_offload_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(KERNELS), "--target", "cpu", "--staging", "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "py2omp: error: --staging stages arrays for an offload target (nvptx, amdgcn, host-offload); cpu has no "
        "device memory to stage them into\n")


def test_build_help_documents_staging() -> None:
    help_text = subprocess.run([sys.executable, "-m", "translator", "build", "--help"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout
    assert "--staging" in help_text and "PY2OMP_STAGING_CHUNK_BYTES" in help_text


def test_python_callers_of_a_staged_library_get_the_same_results_and_counts(programs: dict[str, Any],
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The runtime calls the exported symbol, which stages in its C (the runtime's own staging is off on
    host-offload): the Python functions' results, and `kernel.stats` counting what the maps would move."""
    for name, value in STAGED.items():
        monkeypatch.setenv(name, value)  # read by the library's C at its first call, in this process
    library = runtime_shim.load(programs["staged_dir"])
    rng = np.random.default_rng(7)
    u, w = rng.standard_normal((ROWS, COLS)), rng.standard_normal((ROWS, COLS))
    v, want = w.copy(), w.copy()
    library.relax(u, v)
    kernels.relax.py_func(u, want)
    assert arrays_close(v, want) and np.array_equal(v[0], w[0]) and np.array_equal(v[:, -1], w[:, -1])
    x, y = rng.standard_normal(N), rng.standard_normal(N)
    assert arrays_close(library.dot(x, y), kernels.dot.py_func(x, y))
    stats = library.relax.stats
    assert (stats.calls, stats.bytes_to_device) == (1, u.nbytes)
    assert stats.bytes_from_device == ((ROWS - 3) * COLS + COLS - 2) * 8  # row 1, column 1 to row 65, column 43


FIXED_DEVICE = """\
from translator import In, Out, f64, kernel, prange


@kernel(device=2)
def scaled(x: In[f64[:]], y: Out[f64[:]], s: f64):
    for i in prange(x.shape[0]):
        y[i] = s * x[i]
"""

FIXED_DEVICE_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include "scaled.h"
int main(void)
{
    int n = 10007, wrong = 0;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++)
        x[i] = i * 0.25;
    scaled(x, n, y, n, 3.0);
    for (int i = 0; i < n; i++)
        wrong += y[i] != 0.75 * i;
    printf("%d wrong\n", wrong);
    return 0;
}
"""


def test_a_kernel_on_a_device_of_its_own_stages_on_that_device(tmp_path: Path) -> None:
    """`@kernel(device=2)`: its arrays' device memory, the pool's copies and the launch are device 2's."""
    needs()
    (tmp_path / "scaled.py").write_text(FIXED_DEVICE, encoding="utf-8")
    (tmp_path / "main.c").write_text(FIXED_DEVICE_C, encoding="utf-8")
    package = tmp_path / "package"
    assert main(["build", str(tmp_path / "scaled.py"), "--target", "host-offload", "--staging", "-o", str(package)]) == 0
    run(["clang-19", str(tmp_path / "main.c"), f"-I{package}", str(package / "scaled.so"), f"-Wl,-rpath,{package}",
         "-o", str(tmp_path / "scaled")])
    result = run([str(tmp_path / "scaled")], LIBOMPTARGET_INFO="-1", **STAGED)
    assert result.stdout == "0 wrong\n"
    copies = re.findall(r"omptarget device (\d+) info: Copying data from (?:host to device|device to host), .*Size=1000,",
                        result.stderr)
    assert len(copies) > 100 and set(copies) == {"2"}
    assert re.search(r"device 2 info: Launching kernel __omp_offloading_\w+_scaled__device_l", result.stderr)
