"""Arrays made by the kernel (`frontend.allocations`): lifted to the caller, filled on the device,
returned. Every kernel of `tests/kernels/allocations.py` runs compiled and as plain Python on the
same random data; the runtime's calling convention, the manifest, the header and the exact error
messages are checked here too.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT
from tests.kernels import allocations
from translator import TranslationError
from translator.oracle import compare_with_python
from translator.pipeline import translate
from translator.targets import parse_target

KERNELS = Path(allocations.__file__)
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in allocations.CASES.items()])
def test_matches_python(k, make_args, target: str) -> None:  # type: ignore[no-untyped-def]
    result = compare_with_python(k, make_args(np.random.default_rng(11)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def compiled(name: str, target: str = "host-offload"):  # type: ignore[no-untyped-def]
    k = getattr(allocations, name)
    return k.library(parse_target(target)).kernels[name]


def test_results_have_python_structure_and_dtypes() -> None:
    x = np.arange(6, dtype=np.float64)
    lo, total, hi = compiled("stats")(x)
    assert lo.dtype == np.float64 and hi.dtype == np.float32 and isinstance(total, np.float64)
    assert lo.tolist() == [0, 1, 2, 3, 4] and hi.tolist() == [1, 2, 3, 4, 5] and total == 10.0
    o, f, c = compiled("ones_and_full")(np.ones(3), 2)
    assert o.tolist() == [2, 2, 2, 1, 1] and f.tolist() == [[2.5] * 3, [2.5] * 3] and c.tolist() == [7, 8, 9]
    assert c.dtype == np.int64


def test_returned_parameter_is_the_argument_itself() -> None:
    a = np.arange(5, dtype=np.int64)
    assert compiled("doubled")(a) is a and a.tolist() == [0, 2, 4, 6, 8]


def test_hidden_parameters_are_not_in_the_python_signature() -> None:
    kernel = compiled("ones_and_full")
    assert list(inspect.signature(kernel).parameters) == ["x", "k"]
    assert [p.name for p in kernel.spec.params] == ["x", "k", "o", "f", "c"]
    with pytest.raises(TypeError, match="takes 2 positional arguments but 3 were given"):
        kernel(np.ones(3), 1, np.ones(4))


def test_negative_dimension_is_refused_like_numpy() -> None:
    with pytest.raises(ValueError, match=r"stats\(\): array 'lo' that the kernel makes would have shape \(-1,\): "
                                         "negative dimensions are not allowed"):
        compiled("stats")(np.zeros(0))


def test_zeros_are_written_on_the_device_and_nothing_is_copied_in() -> None:
    kernel = compiled("row_sums")
    kernel.stats.reset()
    a = np.ones((4, 3), np.float32)
    assert kernel(a).tolist() == [3, 3, 3, 3]
    assert kernel.stats.bytes_to_device == a.nbytes and kernel.stats.bytes_from_device == 4 * 4


def test_manifest_states_allocations_and_results() -> None:
    manifest = translate(str(KERNELS), "host-offload").manifest
    stats = next(k for k in manifest["kernels"] if k["name"] == "stats")
    assert stats["results"] == {"items": ["lo", None, "hi"], "tuple": True} and stats["returns"] == "float64"
    lo = next(p for p in stats["params"] if p["name"] == "lo")
    assert lo["allocation"] == {"shape": [{"op": "-", "args": [{"extent": ["x", 0]}, 1]}], "line": 54, "fill": None}
    assert lo["ownership"] == "out" and lo["map"] == "from"
    smooth = next(k for k in manifest["kernels"] if k["name"] == "smooth_twice")
    assert "results" not in smooth and smooth["params"][-1]["ownership"] == "scratch"


def test_golden_c_and_header(update_golden: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The C of arrays made by the kernel: hidden parameters, device-side fill loops, map clauses."""
    monkeypatch.chdir(ROOT)
    emitted = translate("tests/kernels/allocations.py", "nvptx:sm_90")
    for suffix, text in ((".c", emitted.c_source), (".h", emitted.h_source)):
        golden = GOLDEN / f"allocations{suffix}"
        if update_golden:
            golden.write_text(text)
        assert golden.read_text() == text, f"{golden} differs; rerun with --update-golden if intended"


def test_header_and_fortran_document_hidden_parameters() -> None:
    emitted = translate(str(KERNELS), "host-offload")
    assert ("c: Out, map(from: c[0:c_n0 * c_n1])\n *     made by the kernel (Python line 45), allocated by the "
            "caller: c_n0 = a_n0 // 2, c_n1 = b_n0 * m; returned") in emitted.h_source
    assert "t: Scratch, map(alloc: t[0:t_n0])" in emitted.h_source
    assert "subroutine outer(a, a_n0, b, b_n0, m, c, c_n0, c_n1)" in emitted.f90_source


HEADER = "import numpy as np\nfrom translator import In, Out, f64, kernel, prange\n\n@kernel\ndef k(a: In[f64[:]], n: int):\n"
SHAPE_RULE = ("the shape of an array made by the kernel may only use integer constants, scalar parameters, array "
              "extents (a.shape[k], len(a)), top-level locals assigned once from those, and + - * //: the caller "
              "allocates the array before the kernel runs")


@pytest.mark.parametrize("body, error", [
    ("    y = np.empty(a[0])\n    return y\n", f"6:18: error: {SHAPE_RULE}"),
    ("    m = n\n    m = m + 1\n    y = np.empty(m)\n    return y\n",
     f"8:9: error: the shape of this array uses 'm', which is assigned more than once; {SHAPE_RULE}"),
    ("    for i in range(n):\n        if i > 0:\n            t = np.zeros(n)\n",
     "8:26: error: an array made inside a loop lives on the thread's stack, so its shape must be 1 to 7 positive "
     "integer constants; make arrays of run-time size at the top level of the kernel (outside loops and ifs), where "
     "the caller allocates them, or inside a prange"),
    ("    y = np.zeros(n)\n    for i in range(n):\n        y = 1.0\n",
     "8:9: error: 'y' names an array made by the kernel; bind this scalar under a new name"),
    ("    for i in range(n):\n        y = 1.0\n    y = np.zeros(n)\n",
     "7:9: error: 'y' names an array made by the kernel (line 8); use another name for this scalar"),
    ("    for i in range(n):\n        if i > 0:\n            t = np.ones(4)\n",
     "8:17: error: np.ones and np.full make arrays only at the top level of a kernel (outside loops and ifs) or "
     "inside a prange"),
    ("    y = np.full(n, n)\n    return y\n",
     "6:20: error: np.full(shape, value) takes a dtype when the value is not a constant: "
     "np.full(shape, value, np.float64)"),
    ("    y = np.empty(n / 2)\n    return y\n", f"6:18: error: {SHAPE_RULE}"),
])
def test_rejections(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate("k.py", "cpu", HEADER + body)
    assert str(info.value).splitlines()[0] == "k.py:" + error


def test_device_arguments_get_device_results() -> None:
    """A call with a device array goes to the `__device` entry point; the arrays the kernel makes are
    made in device memory and returned as device arrays (tests/test_device_results.py has the rest)."""
    from runtime_shim import DeviceArray, to_device
    a = np.random.default_rng(5).standard_normal((6, 3))
    kernel = compiled("scaled_column")  # loads the offload library that to_device uses
    y = kernel(to_device(a), 2.0)
    assert isinstance(y, DeviceArray) and np.array_equal(y.to_numpy(), 2.0 * a[:, 0] + a[:, 2])


def test_runtime_refuses_results_that_name_no_array() -> None:
    from runtime_shim import parse_manifest
    manifest = translate(str(KERNELS), "cpu").manifest
    stats = next(k for k in manifest["kernels"] if k["name"] == "stats")
    stats["results"] = {"items": ["lo", None, "x_n0"], "tuple": True}
    with pytest.raises(ValueError, match=r"m.json: kernels\[4\].results: 'items' must name array parameters, with "
                                         r"null for the return value: \['lo', None, 'x_n0'\]"):
        parse_manifest(manifest, Path("m.json"))


def test_explain_says_who_allocates() -> None:
    from translator.explain import explain_file
    text = explain_file(str(KERNELS), parse_target("host-offload"))
    assert ("  lo: declared none (made by the kernel), inferred Out\n    map(from: lo[0:lo.shape[0]])\n"
            "    bytes per call: 0 to the device, 8 * lo.shape[0] back\n"
            "    why: allocated by the caller with shape (x.shape[0] - 1,) (lifted from line 54), returned: copied "
            "back, never copied in") in text
    assert "why: allocated by the caller with shape (x.shape[0],) (lifted from line 66), not returned: device " \
           "memory only, never copied" in text
