"""Arrays of run-time size inside a `prange` (`ir.Temporary`): named ones (`t = A[r, q, :] @ C4`) and
the right side of an array statement that reads the assigned array elsewhere, evaluated first as
NumPy does. Every kernel of `tests/kernels/temporaries.py` runs compiled and as plain Python on the
same random data; the C's buffers (allocated before the loop, one slice per iteration, freed after),
the IR and the exact rejections are checked here too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.kernels import temporaries
from translator import TranslationError
from translator.oracle import compare_with_python
from translator.ir.printer import format_module
from translator.pipeline import lower, translate
from translator.targets import parse_target

KERNELS = Path(temporaries.__file__)


@pytest.mark.parametrize("target", ["host-offload", "cpu", "serial"])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__)
                                          for k, make in temporaries.CASES.items()])
def test_matches_python(k, make_args, target: str) -> None:  # type: ignore[no-untyped-def]
    result = compare_with_python(k, make_args(np.random.default_rng(17)), parse_target(target), repeats=1)
    assert result.ok, result.mismatches


def _function(c_source: str, name: str) -> str:
    """The C text of function `name` (the lines from its definition to its closing brace)."""
    start = c_source.index(f"\nvoid {name}(")
    return c_source[start:c_source.index("\n}\n", start)]


def test_buffers_are_device_memory_around_the_loop() -> None:
    """One device buffer per temporary before the target region (the trip count times the extents,
    checked by the helper; from the cache of freed device blocks), passed `is_device_ptr`, sliced per
    iteration, freed after."""
    c = translate("tests/kernels/npbench/doitgen.py", "host-offload").c_source
    assert "py2omp_device_alloc((size_t)(bytes > 0 ? bytes : 1), device < 0 ? omp_get_default_device() : device)" in c
    assert "__builtin_mul_overflow(bytes, factors[k], &bytes)" in c
    for name in ("doitgen", "doitgen__device"):
        body = _function(c, name)  # the loops are the fallback of doitgen's cuBLAS call ("Vendor BLAS")
        lines = [line.strip() for line in body.splitlines()]
        start = lines.index("int64_t A_value__4_n0 = A_n2;")
        assert lines[start + 1] == ("double *A_value__4_buf = py2omp_temporary_alloc(2, (int64_t[]){A_n0, "
                                    "A_value__4_n0}, sizeof(double), -1, \"tests/kernels/npbench/doitgen.py:13\");")
        assert "double *restrict A_value__4 = A_value__4_buf + r * A_value__4_n0;" in lines
        assert "py2omp_temporary_free(A_value__4_buf, -1);" in lines
        alloc, region = body.index("py2omp_temporary_alloc("), body.index("#pragma omp target teams")
        assert alloc < region < body.index("free(A_value")
    assert "is_device_ptr(A_value__4_buf)" in _function(c, "doitgen")
    assert "is_device_ptr(A, C4, A_value__4_buf)" in _function(c, "doitgen__device")
    assert "py2omp_device_free(p, device < 0 ? omp_get_default_device() : device);" in c  # tests/test_pool.py


def test_host_targets_use_host_memory() -> None:
    c = translate("tests/kernels/npbench/doitgen.py", "cpu").c_source
    assert "void *p = malloc((size_t)(bytes > 0 ? bytes : 1));" in c and "omp_target" not in c
    assert "is_device_ptr" not in c and "py2omp_temporary_free(A_value__4_buf, -1);" in c


def test_ir_shows_the_temporary_on_its_loop() -> None:
    text = format_module(lower("tests/kernels/npbench/doitgen.py", "host-offload"))
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index("parallel r in [0:i64, A.shape[0]:i64, 1]  # OmpTarget collapse=1 maps=[to:C4] "  # A: the
                        "thread_limit=256 teams_from_trip_count=True device_ptrs=[A_value__4] two_level=True")  # call's
    assert lines[start + 1] == "temporary A_value__4: f64[A.shape[2]:i64] per iteration"  # `target data` maps it


def test_the_gpu_c_passes_the_audit() -> None:
    """The sm_90 C of both modules maps what its regions touch (the audit the suite runs on every offload
    library it builds). Both are linked for sm_90 by tests/test_toolchain.py (every kernel module), so
    they are not built a second time here."""
    from translator.audit import audit_emitted
    for path in ("tests/kernels/npbench/doitgen.py", str(KERNELS)):
        emitted = translate(path, parse_target("nvptx:sm_90"))
        assert audit_emitted(emitted.c_source, emitted.manifest) == []


HEADER = ("import numpy as np\nfrom translator import In, InOut, Out, f64, kernel, prange\n\n@kernel\n"
          "def k(x: InOut[f64[:, :]], n: In[f64[:]], out: Out[f64[:]]):\n")
CHANGES = ("6:{col}: error: this statement makes an array in each prange iteration whose length depends on '{name}', "
           "which changes inside the loop; such arrays are allocated before the loop, so their lengths may only use "
           "values set before it (extents, parameters, locals)")
READS = ("the right side reads 'x' at other elements than it assigns; NumPy evaluates it whole before assigning, "
         "which takes a temporary array, made only inside a prange: assign into another array first, or write the "
         "loop")


@pytest.mark.parametrize("body, error", [
    ("    for i in prange(x.shape[0]):\n        t = x[i, :] * 2.0\n    for i in prange(x.shape[0]):\n"
     "        out[i] = t[0]\n",
     "9:18: error: array 't', made inside a prange (one per iteration), is used outside the block that makes it, "
     "or before"),
    ("    for i in prange(x.shape[0]):\n        for j in range(2):\n            t = x[i, :] * 2.0\n"
     "        out[i] = t[0]\n",
     "9:18: error: array 't', made inside a prange (one per iteration), is used outside the block that makes it, "
     "or before"),
    ("    for i in prange(x.shape[0]):\n        t = x[i, :i] * 2.0\n        out[i] = np.sum(t)\n",
     CHANGES.format(col=13, name="i").replace("6:", "7:", 1)),
    ("    for i in prange(x.shape[0]):\n        m = i + 1\n        t = np.zeros(m)\n        out[i] = t[0]\n",
     CHANGES.format(col=13, name="m").replace("6:", "8:", 1)),
    ("    for i in prange(x.shape[0]):\n        x[i, :i] = x[i, 1:i + 1]\n",
     CHANGES.format(col=9, name="i").replace("6:", "7:", 1)),
    ("    for i in prange(x.shape[0]):\n        t = np.empty(int(n[0]))\n",
     "7:13: error: the length of an array made in a prange iteration cannot read array elements or call "
     "functions: it is computed on the host, before the loop"),
    ("    for i in prange(x.shape[0]):\n        out[i] = n[x[i, 0] > 0.0]\n",
     "7:20: error: a boolean index selects elements by a mask in NumPy (`x[mask]`), which kernels support with a "
     "mask of x's shape, as an assignment target (`x[mask] = v`) and in np.sum, np.mean and np.count_nonzero; use "
     "int() for an index of 0 or 1"),
    ("    for i in prange(x.shape[0]):\n        t = x[i, :]\n        t = x[i, 1:]\n",
     "8:9: error: view 't' is bound more than once; a name bound to a view stands for that view wherever it is "
     "used, so bind it once, under a name of its own (write through it with `t[...] = value`)"),
    ("    for i in prange(x.shape[0]):\n        t = x[i, :] * 2.0\n        t = x[i, :] * 3.0\n",
     "8:13: error: 't' already names an array or a local; an array is made once, under a name of its own"),
])
def test_rejections(body: str, error: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate("k.py", "host-offload", HEADER + body)
    assert str(info.value).splitlines()[0] == "k.py:" + error


def test_device_functions_keep_rejecting_overlap() -> None:
    """A device function has no prange iterations to give a temporary to."""
    source = ("import numpy as np\nfrom translator import InOut, f64, kernel, prange\n\n"
              "def shift(x):\n    x[1:] = x[:-1]\n\n@kernel\ndef k(x: InOut[f64[:]]):\n"
              "    for i in prange(1):\n        shift(x)\n")
    with pytest.raises(TranslationError) as info:
        translate("k.py", "host-offload", source)
    assert str(info.value).splitlines()[0] == "k.py:5:13: error: " + READS


@pytest.mark.parametrize("k", [5, -6, 99])
def test_an_index_past_a_temporary_raises_as_python(k: int) -> None:
    """Issue 13: an array made inside a prange was never checked (an index past it read another
    iteration's slice or past the buffer); now as any access, IndexError with the line."""
    args = (np.random.default_rng(3).standard_normal(temporaries.N), np.zeros(temporaries.N - 4), 5, k)
    with pytest.raises(IndexError, match="out of bounds for axis 0 with size 5"):
        temporaries.window_contrast.py_func(*args)
    window = temporaries.window_contrast.library(parse_target("host-offload")).kernels["window_contrast"]
    line = temporaries.window_contrast.py_func.__code__.co_firstlineno + 8
    with pytest.raises(IndexError) as info:
        window(*args)
    assert str(info.value) == f"window_contrast(): index out of range for 'window' at {KERNELS}:{line}"


def test_accesses_a_temporary_s_shape_proves_are_not_checked() -> None:
    """`window[j]` over `range(w)` of `np.empty(w)` needs no test; `window[k]` and `window[-1]` do,
    once, before their statement."""
    c = _function(translate(str(KERNELS), "host-offload").c_source, "window_contrast")
    assert "for (int64_t j = 0; j < w; j += 1) {\n            window[j] = x[i + j];" in c
    assert c.count("if (") == 1, c
    assert "if (k >= -window_n0 && k < window_n0 && (-1 >= -window_n0 && -1 < window_n0))" in c
