"""`np.einsum` in kernels (issue 11): compiled results equal Python's on random data of several
sizes (1 included), the tier's IR (a reduction of a product, a diagonal view, the matrix product
the vendor BLAS takes), lengths NumPy refuses, and the located errors of the forms kernels refuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.kernels import einsum
from translator import TranslationError, frontend, pipeline
from translator.api import Kernel
from translator.ir import nodes as ir
from translator.ir.printer import format_kernel
from translator.ir.visit import walk_all
from translator.oracle import compare_with_python
from translator.targets import parse_target

HEADER = ("import numpy as np\nfrom translator import In, InOut, Out, b1, f32, f64, i32, kernel, prange\n\n"
          "@kernel\n")


@pytest.mark.parametrize("n", [1, 4, 9])
@pytest.mark.parametrize("k, make_args", [pytest.param(k, make, id=k.__name__) for k, make in einsum.CASES.items()])
def test_matches_python(k: Kernel, make_args: Any, n: int) -> None:
    result = compare_with_python(k, make_args(np.random.default_rng(11 + n), n), parse_target("host-offload"),
                                 repeats=1)
    assert result.ok, result.mismatches


def _lines(body: str, signature: str = "x: In[f64[:]], A: In[f64[:, :]], y: Out[f64[:]]") -> list[str]:
    source = HEADER + f"def k({signature}):\n    {body}\n"
    return format_kernel(frontend.parse_module("k.py", source).kernels[0]).splitlines()[1:]


def test_a_contraction_is_a_reduction_of_a_product_and_a_repeated_subscript_a_diagonal() -> None:
    assert _lines("s = np.einsum('i,ij,j', x, A, x)\n    y[:] = np.einsum('ii->i', A) + s") == [
        "  s = dot(((x[:]{[0, x.shape[0]), new} * A[:, :]{[0, A.shape[0]), [0, A.shape[1])}) * "
        "x[:]{new, [0, x.shape[0])}), axes=[0, 1])",
        "  y[:]{[0, y.shape[0])} = (A[:, :]{d0=[0, A.shape[0]) & d1=[0, A.shape[1])} + s)"]


def test_output_subscripts_come_first_in_their_order() -> None:
    """`'ijk,kl->lj'`: the product's axes are l, j (the output's order), then i, k (summed)."""
    line = _lines("return np.einsum('ijk,kl->lj', T, W)", "T: In[f64[:, :, :]], W: In[f64[:, :]]")[0]
    assert "T[:, :, :]{new, d1=[0, T.shape[1]), d0=[0, T.shape[0]), d2=[0, T.shape[2])} * " \
           "W[:, :]{d1=[0, W.shape[1]), new, new, d0=[0, W.shape[0])}), axes=[2, 3])" in line


@pytest.mark.parametrize("statement, routine, transposed", [
    ("C[:, :] = np.einsum('ij,jk->ik', A, B)", "dgemm", (False, False)),
    ("C[:, :] = np.einsum('ij,kj->ik', A, B)", "dgemm", (False, True)),
    ("C[:, :] = np.einsum('ji,jk', A, B)", "dgemm", (True, False)),
    ("C[:, :] = np.einsum('jk,ij->ik', B, A)", "dgemm", (False, False)),
    ("y[:] = np.einsum('ij,j->i', A, x)", "dgemv", (False, False)),
    ("y[:] = np.einsum('i,ij->j', x, A)", "dgemv", (True, False)),
])
def test_a_matrix_product_form_is_the_product_the_vendor_blas_takes(statement: str, routine: str,
                                                                   transposed: tuple[bool, bool]) -> None:
    source = HEADER + ("def k(A: In[f64[:, :]], B: In[f64[:, :]], x: In[f64[:]], C: InOut[f64[:, :]], "
                       f"y: InOut[f64[:]]):\n    {statement}\n")
    module = pipeline.lower("k.py", "host-offload", source=source)
    (call,) = [n for n in walk_all(module.kernels[0].body) if isinstance(n, ir.LibraryCall)]
    assert (call.symbol, call.transposed) == (routine, transposed)


def test_lengths_numpy_refuses_raise() -> None:
    rng = np.random.default_rng(2)
    trace = einsum.trace_and_diagonal.library("host-offload").kernels["trace_and_diagonal"]
    line = einsum.trace_and_diagonal.py_func.__code__.co_firstlineno + 2
    with pytest.raises(ValueError) as info:
        trace(rng.standard_normal((3, 4)), np.zeros(3))
    assert str(info.value) == (f"trace_and_diagonal(): the array statement at line {line} combines lengths 4 and 3 "
                               "(from the shapes of 'A'); NumPy raises here: operands could not be broadcast together")
    with pytest.raises(ValueError):
        einsum.trace_and_diagonal.py_func(rng.standard_normal((3, 4)), np.zeros(3))
    shifted = einsum.shifted_diagonal.library("host-offload").kernels["shifted_diagonal"]
    with pytest.raises(ValueError, match="combines lengths"):
        shifted(rng.standard_normal((5, 5)), np.zeros(4))
    bilinear = einsum.bilinear.library("host-offload").kernels["bilinear"]
    with pytest.raises(ValueError, match="combines lengths"):
        bilinear(rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(5))


@pytest.mark.parametrize("body, error", [
    ("y[:] = np.einsum('ij,j->i', A, x, optimize=True)",
     "6:39: error: np.einsum() in a kernel takes its subscripts and operands only, not optimize=: the contraction is "
     "one loop nest, in the operands' promoted dtype"),
    ("s = np.einsum(x, [0], x, [0])",
     "6:19: error: np.einsum() in a kernel takes its subscripts as a string constant (`np.einsum('ij,jk->ik', A, B)`)"),
    ("y[:] = np.einsum(spec, x)", "6:22: error: np.einsum() in a kernel takes its subscripts as a string constant"),
    ("y[:] = np.einsum('ij,j->k', A, x)",
     "6:22: error: einstein sum subscripts string included output subscript 'k' which never appeared in an input"),
    ("y[:] = np.einsum('i,i->ii', x, x)",
     "6:22: error: einstein sum subscripts string includes output subscript 'i' multiple times"),
    ("y[:] = np.einsum('ij,j', A)",
     "6:22: error: fewer operands provided to einstein sum function than specified in the subscripts string"),
    ("y[:] = np.einsum('i', x, x)",
     "6:22: error: more operands provided to einstein sum function than specified in the subscripts string"),
    ("y[:] = np.einsum('i,j', A, x)",
     "6:22: error: operand 0 of np.einsum() has 2 dimensions, which its subscripts 'i' do not match"),
    ("y[:] = np.einsum('i2', A)",
     "6:22: error: invalid subscript '2' in einstein sum subscripts string, subscripts must be letters (with ',' "
     "between operands, '->' before the output, '...')"),
    ("y[:] = np.einsum('...i->i', A)",
     "6:22: error: output has more dimensions than subscripts given in einstein sum, but no '...' ellipsis provided "
     "to broadcast the extra dimensions."),
    ("y[:] = np.einsum('i,i->i', x * 2.0, x)",
     "6:12: error: np.einsum() in a kernel takes arrays and views as operands (`A`, `A[i]`, `B[1:, :]`, `A.T`): "
     "assign an expression to a new name first"),
    ("y[0] = np.einsum('ij,jk->ik', A, A)",
     "6:12: error: this np.einsum() makes an array: assign it into an array or to a new name"),
    ("d = np.einsum('ii->i', A)\n    d[0] = 1.0\n    y[:] = d",
     "6:9: error: in NumPy 'd' would be a view sharing memory with the array it reads, and the kernel writes one of "
     "them: write `d = ....copy()` for a copy, or index the array itself"),
    ("s = np.einsum('i,i', b, b)", "6:9: error: `*` between two bools differs between Python and NumPy"),
    ("s = np.vecdot(x, x, axis=0)", "6:25: error: np.vecdot() in a kernel takes its operands only, not axis=: the "
     "contraction is one loop nest, in the operands' promoted dtype"),
    ("y[:] = np.matvec(x, x)", "6:12: error: operand 0 of np.matvec() has 1 dimensions, which its subscripts "
     "'...ij' do not match"),
    ("y[:] = np.vecdot(x)", "6:12: error: np.vecdot() takes two arrays"),
    ("s = np.stack((A, A)) @ A", "6:9: error: `@` of stacks of matrices in a kernel multiplies "
     "array values: views or elementwise expressions of views (gathers, np.flip, np.arange, np.diff, np.roll, "
     "reshapes, np.tile and np.repeat included); for other operands (joins, np.linspace, np.insert, np.pad, ...) "
     "compute it into an array first (`t = np.concatenate((x, y))`), then the product of that array"),
])
def test_refused_forms_are_located_errors(body: str, error: str) -> None:
    source = HEADER + (f"def k(x: In[f64[:]], A: In[f64[:, :]], b: In[b1[:]], y: Out[f64[:]], spec: i32):\n"
                       f"    {body}\n")
    with pytest.raises(TranslationError) as info:
        pipeline.lower("k.py", "host-offload", source=source)
    assert str(info.value).startswith("k.py:" + error), str(info.value)
