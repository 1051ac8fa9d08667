"""The fuzzer (issue 13, item 7): the right result or a Python exception, never a signal or a hang.

Hypothesis draws calls (`translator.fuzz_cases`) for each kernel; each call runs in a child forked
from this process, which has loaded the kernel's library once, so a call costs a fork (a few ms)
and not a new interpreter, and a crash ends the child with a signal instead of the test run. The
child runs the Python function first, then the compiled kernel, each on its own copy of the
arguments (views of one buffer stay views of one copied buffer, so aliasing survives the copy),
and judges the pair:

- both return: every array the kernel may write and the returned value agree (`translator.oracle`);
- the compiled kernel raises: an exception a caller can catch and act on (`ACCEPTED`), not an
  internal error of py2omp (an AttributeError, a KeyError, a ctypes ArgumentError...);
- Python raises and the compiled kernel returns: a finding (the kernel computed something where
  the specification has no result), but for division by zero, which follows NumPy (`NUMPY_RULES`);
- the child dies by a signal, or runs `timeout` seconds past the Python function: a finding.

A case whose Python function itself runs past `timeout` (a loop count of 2**63) says nothing and
is left out. `py2omp fuzz` is the long run; tests/test_fuzz.py the CI-sized one.
"""

from __future__ import annotations

import ctypes
import faulthandler
import json
import os
import select
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, given, settings

from runtime_shim import CompiledKernel
from translator.demo import example_kernels
from translator.fuzz_cases import Case, Subject, cases
from translator.oracle import arrays_close, describe_difference, results_close
from translator.targets import Target

ACCEPTED = (TypeError, ValueError, IndexError, OverflowError, ZeroDivisionError, MemoryError)
"""What a compiled kernel may raise on a call it refuses or cannot finish as Python would."""

NUMPY_RULES = (ZeroDivisionError,)
"""What Python raises and a kernel does not, by design: division by zero follows NumPy's arrays
(inf, NaN, integer 0; docs/design.md, "Python semantics in C"), whatever the operands' types."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of one case: `problem` says what broke the promise (None: nothing), and
    `inconclusive` that the Python function did not finish in time."""

    case: Case
    python: str
    compiled: str
    problem: str | None = None
    inconclusive: bool = False

    def report(self) -> str:
        return f"{self.problem}\n  case: {self.case!r}\n  python: {self.python}\n  compiled: {self.compiled}"


class Finding(AssertionError):
    """Raised inside Hypothesis's test function, so that it shrinks the case."""


def run_case(compiled: CompiledKernel, py_func: Callable[..., Any], case: Case, timeout: float) -> Verdict:
    """Run one case in a forked child and judge it (see the module's docstring)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's interpreter state
        try:
            os.close(read)
            faulthandler.disable()  # a crash is the verdict, not a traceback of the caller's threads
            _child(compiled, py_func, case.args, write)
            os._exit(0)
        except BaseException:  # noqa: BLE001 - reported as the child's exit status
            traceback.print_exc()
            os._exit(3)
    os.close(write)
    try:
        text, python_done, finished = _collect(read, timeout)
    finally:
        os.close(read)
    if not finished:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if not python_done:
        if os.WIFSIGNALED(status) and finished:
            return Verdict(case, f"killed by {_signal_name(status)}", "not run", "the Python function crashed")
        return Verdict(case, f"still running after {timeout} s", "not run", inconclusive=True)
    if not finished:
        return Verdict(case, "finished", f"still running {timeout} s after Python finished", "a hang")
    if os.WIFSIGNALED(status) or not text.strip():
        return Verdict(case, "finished", f"killed by {_signal_name(status)}" if os.WIFSIGNALED(status)
                       else f"exited with status {os.WEXITSTATUS(status)}", "a crash")
    outcome = json.loads(text)
    return Verdict(case, outcome["python"], outcome["compiled"], outcome["problem"])


def _collect(read: int, timeout: float) -> tuple[str, bool, bool]:
    """What the child wrote: (its verdict, whether Python finished, whether the child finished),
    waiting `timeout` seconds for the Python function and as long again for the compiled kernel."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    python_done = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read], [], [], left)[0]:
            return b"".join(chunks).decode(errors="replace"), python_done, False
        chunk = os.read(read, 65536)
        if not chunk:
            return b"".join(chunks).decode(errors="replace"), python_done, True
        if not python_done and chunk.startswith(b"P"):
            python_done, chunk = True, chunk[1:]
            deadline = time.monotonic() + timeout
        chunks.append(chunk)


def _signal_name(status: int) -> str:
    number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _child(compiled: CompiledKernel, py_func: Callable[..., Any], args: tuple[Any, ...], write: int) -> None:
    """Run both functions and write `P` once Python is done, then the verdict as JSON."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        expected_args = copy_arguments(args)
        expected = _outcome(py_func, expected_args)
        os.write(write, b"P")
        actual_args = copy_arguments(args)
        actual = _outcome(compiled, actual_args)
        problem = judge(compiled, args, expected, expected_args, actual, actual_args)
    verdict = {"python": _describe(expected), "compiled": _describe(actual), "problem": problem}
    os.write(write, json.dumps(verdict).encode())


def _outcome(function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return "return", function(*args)
    except Exception as exc:  # noqa: BLE001 - what either side raises is the outcome judged
        return "raise", exc


def _describe(outcome: tuple[str, Any]) -> str:
    kind, value = outcome
    return f"raised {type(value).__name__}: {value}" if kind == "raise" else "returned"


def judge(compiled: CompiledKernel, args: tuple[Any, ...], expected: tuple[str, Any], expected_args: tuple[Any, ...],
          actual: tuple[str, Any], actual_args: tuple[Any, ...]) -> str | None:
    """What is wrong with the compiled kernel's outcome against Python's (None: nothing)."""
    if actual[0] == "raise":
        if not isinstance(actual[1], ACCEPTED) or type(actual[1]).__module__ == "ctypes":
            return f"an internal error: {type(actual[1]).__name__}"
        return None
    if expected[0] == "raise" and not isinstance(expected[1], NUMPY_RULES):
        return f"the compiled kernel returns where Python raises {type(expected[1]).__name__}"
    if expected[0] == "raise":
        return None
    floats = [a.dtype for a in args if isinstance(a, np.ndarray) and a.dtype.kind in "fc"]
    wrong = [] if results_close(actual[1], expected[1], floats) else [f"return value {actual[1]!r} != {expected[1]!r}"]
    for spec, got, want in zip(compiled.spec.params, actual_args, expected_args):
        if spec.is_array and spec.ownership in ("out", "inout") and not arrays_close(got, want, floats):
            wrong.append(f"{spec.name}: {describe_difference(np.asarray(got), np.asarray(want))}")
    return "a wrong result: " + "; ".join(wrong) if wrong else None


def copy_arguments(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A copy of the arguments in which views of one buffer are views of one copied buffer, at the
    same offsets and strides (flags included), so that an aliased call stays aliased."""
    buffers: dict[int, tuple[int, bytearray]] = {}
    copied: list[Any] = []
    for a in args:
        if not isinstance(a, np.ndarray):
            copied.append(a)
            continue
        root = a
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not (root.flags.c_contiguous or root.flags.f_contiguous):
            copied.append(a.copy())
            continue
        start = root.__array_interface__["data"][0]
        if id(root) not in buffers:
            buffers[id(root)] = (start, bytearray(ctypes.string_at(start, root.nbytes)) if root.nbytes else bytearray(1))
        origin, buffer = buffers[id(root)]
        view: np.ndarray[Any, Any] = np.ndarray(a.shape, a.dtype, buffer=buffer, strides=a.strides,
                                                offset=a.__array_interface__["data"][0] - origin)
        view.flags.writeable = a.flags.writeable
        copied.append(view)
    return tuple(copied)


def fuzz_kernel(subject: Subject, target: Target, examples: int, timeout: float = 5.0, derandomize: bool = False,
                excused: Callable[[Verdict], bool] = lambda verdict: False) -> tuple[Verdict | None, int]:
    """Fuzz one kernel with `examples` cases: the smallest finding Hypothesis shrinks to (None:
    none), and how many cases ran to a verdict. `excused`: findings known and tracked elsewhere; a
    wrong result of a kernel whose `prange` assumes something of the values (`Subject.assumes`) is
    excused too, since mutated values need not have it."""
    compiled = subject.kernel.library(target).kernels[subject.name]
    findings: list[Verdict] = []
    judged = [0]

    @settings(max_examples=examples, derandomize=derandomize, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False, print_blob=False)
    @given(cases(subject))
    def check(case: Case) -> None:
        verdict = run_case(compiled, subject.kernel.py_func, case, timeout)
        assume(not verdict.inconclusive)
        judged[0] += 1
        raced = subject.assumes is not None and (verdict.problem or "").startswith("a wrong result")
        if verdict.problem is not None and not raced and not excused(verdict):
            findings.append(verdict)
            raise Finding(verdict.report())

    try:
        check()
    except Finding:
        return findings[-1], judged[0]
    return None, judged[0]


def run_fuzz(directory: Path, target: Target, examples: int, timeout: float) -> int:
    """`py2omp fuzz`: every example kernel in `directory` in turn, a line each; exit status 1 if
    anything was found, or if there was nothing to fuzz."""
    subjects = [Subject(k, make_inputs) for k, make_inputs in example_kernels(directory)]
    if not subjects:
        print(f"py2omp fuzz: no example kernels in {directory}: nothing was fuzzed", file=sys.stderr)
        return 1
    found = 0
    for subject in subjects:
        start = time.perf_counter()
        finding, judged = fuzz_kernel(subject, target, examples, timeout)
        seconds = time.perf_counter() - start
        if finding is None:
            print(f"{subject.name:<16} ok ({judged} calls, {seconds:.1f} s)", flush=True)
        else:
            found += 1
            print(f"{subject.name:<16} FOUND {finding.report()}", flush=True)
    print(f"{len(subjects) - found} kernels without a finding, {found} with one")
    return 1 if found else 0
