"""Device functions report failures as the kernel does (docs/language.md, "Device functions";
`passes.function_failures`): an empty max or argmax, operands of different lengths, an index out of
range and `int()` of NaN inside a function raise Python's exception with the function's line, in a
`prange`, nested, in a serial loop (which must stop: the probe would hang otherwise) and from an
imported module; functions that cannot fail are emitted as before. The failing calls run in a
subprocess, so a crash or a hang fails the test instead of pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.kernels import _failing_helpers, device_failures
from translator.cli import main
from translator.oracle import compare_with_python
from translator.pipeline import lower, translate
from translator.targets import Target, parse_target
from translator.toolchain import find_toolchain

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
import numpy as np
from tests.kernels import device_failures as d
for name, (k, make, _, _) in d.FAILING.items():
    args = make(np.random.default_rng(17))
    outcome = {}
    for who, f in (("c", k.library(sys.argv[1]).kernels[k.py_func.__name__]), ("python", k.py_func)):
        try:
            f(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
            outcome[who] = None
        except Exception as e:
            outcome[who] = [type(e).__name__, str(e)]
    print(json.dumps([name, outcome]), flush=True)
"""


def _line(function: object, offset: int) -> int:
    """The line `offset` lines below the `def` of a plain Python function."""
    return function.__code__.co_firstlineno + offset  # type: ignore[attr-defined]


HELPERS = _failing_helpers.__file__
KERNELS = device_failures.__file__
WINDOW_MAX = f"{device_failures.MAXIMUM} (at {HELPERS}:{_line(_failing_helpers.window_max, 1)})"
EXPECTED = {
    "empty_max": ("ValueError", f"rolling_max(): {WINDOW_MAX}"),
    "nested": ("ValueError", f"rolling_range(): {WINDOW_MAX}"),
    "lengths": ("ValueError", f"scaled_rows(): the array statement at line {_line(device_failures.axpy_row, 1)} "
                "combines lengths that differ there (the operand at column 19); NumPy raises here: operands could not "
                "be broadcast together"),
    "gather": ("IndexError", "csr_matvec(): index out of range for 'data' or 'indices' or 'x' at "
               f"{HELPERS}:{_line(_failing_helpers.row_dot, 3)}"),
    "entry": ("IndexError", f"prefix_totals(): index out of range for 'x' at {HELPERS}:{_line(_failing_helpers.prefix_total, 3)}"),
    "argmax": ("ValueError", "peaks_after(): attempt to get argmax of an empty sequence "
               f"(at {HELPERS}:{_line(_failing_helpers.first_peak, 1)})"),
    "first_call": ("ValueError", f"peak_and_position(): {WINDOW_MAX}"),
    "nan": ("ValueError", f"hops(): cannot convert float NaN to integer (int() at {KERNELS}:{_line(device_failures.hop, 1)})"),
}


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in device_failures.CASES.items()])
def test_functions_that_may_fail_match_python(k, make_args, target: str) -> None:  # type: ignore[no-untyped-def]
    result = compare_with_python(k, make_args(np.random.default_rng(23)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


@pytest.mark.parametrize("target", ["host-offload", "cpu"])
def test_a_failure_in_a_device_function_raises_as_python(target: str) -> None:
    """Python's exception type, the kernel's message with the function's file and line."""
    done = subprocess.run([sys.executable, "-c", PROBE, target], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    outcomes = dict(json.loads(line) for line in done.stdout.splitlines())
    assert done.returncode == 0 and list(outcomes) == list(device_failures.FAILING), done.stderr[-3000:]
    for name, outcome in outcomes.items():
        _, _, error, message = device_failures.FAILING[name]
        assert outcome["python"][0] == error.__name__ and outcome["python"][1].startswith(message), name
        assert tuple(outcome["c"]) == EXPECTED[name], name


def test_a_nested_failure_stops_every_function_between_it_and_the_kernel() -> None:
    """`window_range` calls `window_max` (of the helpers' module): the callee's block of failures
    follows the caller's own in its list, the caller passes the block's base on, and returns as soon
    as the status holds a failure."""
    c = translate(KERNELS, "host-offload").c_source
    outer = c[c.index("static double py2omp_fn_window_range"):]
    outer = outer[:outer.index("\n}\n")]
    line = _line(device_failures.window_range, 1)
    assert "    top = py2omp_fn_tests_kernels__failing_helpers_window_max_inf64x1_wi64_i64(x, x_n0, lo, hi, " \
           "py2omp_failed, py2omp_failed_n0, py2omp_failed_base + 3);\n" \
           f'#line {line} "{KERNELS}"\n' \
           "    if (py2omp_failed_now(py2omp_failed, py2omp_failed_n0)) {\n" in outer
    assert "int32_t py2omp_value = 2147483646 - py2omp_failed_base;" in outer


def test_boundscheck_false_calls_a_function_without_index_checks() -> None:
    """`@kernel(boundscheck=False)` calls its own specialization, which checks no index (so takes no
    status), and still computes what Python does."""
    module = lower(KERNELS, "host-offload")
    functions = {f.name: f for f in module.device_functions}
    checked = "py2omp_fn_tests_kernels__failing_helpers_row_dot_ini64x1_ini64x1_inf64x1_inf64x1_wi64"
    assert [(f.error, f.span.line) for f in functions[checked].failures] == [
        ("IndexError", _line(_failing_helpers.row_dot, 3))] + [("IndexError", _line(_failing_helpers.row_dot, 2))] * 3
    assert not functions[checked + "_unchecked"].failures
    unchecked = next(k for k in module.kernels if k.name == "csr_matvec_unchecked")
    assert unchecked.param("py2omp_failed") is None
    make = device_failures.CASES[device_failures.csr_matvec]
    result = compare_with_python(device_failures.csr_matvec_unchecked, make(np.random.default_rng(29)),
                                 parse_target("host-offload"), repeats=1)
    assert result.ok, result.mismatches


def test_a_function_that_cannot_fail_takes_no_status() -> None:
    """`pair_strength` (nbody) checks nothing: its C and its caller's are what they were."""
    c = translate(str(ROOT / "examples" / "nbody.py"), "host-offload").c_source
    assert "static double py2omp_fn_pair_strength_f64_f64_f64_f64(double dx, double dy, double dz, double mass)" in c
    assert "py2omp_failed" not in c


STATUS_C = """\
#include <stdio.h>
#include "device_failures.h"
int main(void)
{
    double x[8], out[10];
    int32_t status[1] = {0};
    for (int k = 0; k < 8; k++)
        x[k] = (k * 5 % 8) - 3.5;
    rolling_max(x, 8, 3, out, 10, status, 1);
    printf("%d\\n", status[0] == 0 ? 0 : 2147483647 - status[0]);
    return 0;
}
"""


def test_a_c_caller_reads_a_device_functions_failure_in_the_status(tmp_path: Path) -> None:
    """A C caller gets the function's failure in the kernel's status, numbered as the header says
    (with the helper's file and line)."""
    toolchain = find_toolchain()
    if toolchain is None or toolchain.missing_for(Target("host-offload")):
        pytest.skip("clang-19 with the LLVM 22 offload runtime is not installed")
    package = tmp_path / "package"
    assert main(["build", KERNELS, "--target", "host-offload", "-o", str(package)]) == 0
    (tmp_path / "main.c").write_text(STATUS_C, encoding="utf-8")
    program = tmp_path / "status"
    subprocess.run(["clang-19", str(tmp_path / "main.c"), f"-I{package}", str(package / "device_failures.so"),
                    f"-Wl,-rpath,{package}", "-o", str(program)], check=True, timeout=300)
    number = int(subprocess.run([str(program)], capture_output=True, text=True, check=True, timeout=300).stdout)
    kernel = next(k for k in lower(KERNELS, "host-offload").kernels if k.name == "rolling_max")
    assert kernel.failures[number - 1].message == WINDOW_MAX
    header = (package / "device_failures.h").read_text(encoding="utf-8")
    assert f"{number} = {HELPERS}:{_line(_failing_helpers.window_max, 1)} ValueError" in header
