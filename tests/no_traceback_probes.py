"""Kernels at and past the edge of the language, written as public numerical Python is written, for
tests/test_no_traceback.py: each either translates (and then matches Python on random data) or is
refused with the located error in `ERRORS`, never a Python traceback from the translator (issue 11).

A probe is a kernel's body under one of the `HEADERS` (by key), or a whole module (key ""); the
module's imports (`HEAD`) come first, so a message's line counts them.
"""

from __future__ import annotations

from typing import NamedTuple

HEAD = "import numpy as np\nfrom translator import kernel, prange, In, Out, InOut, b1, c64, c128, f32, f64, i64, u64\n\n"
HEADERS = {
    "xy": "@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n",
    "r1": "@kernel\ndef k(x: In[f64[:]], n: i64):\n",
    "r2": "@kernel\ndef k(A: In[f64[:, :]], n: i64):\n",
    "": "",
}
LOOP = "    for i in prange(x.shape[0]):\n"
KERNEL = "@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n"


class Probe(NamedTuple):
    name: str
    header: str
    body: str

    @property
    def source(self) -> str:
        return HEAD + HEADERS[self.header] + self.body


PROBES = [
    # -- functions and helpers
    Probe("nested_def", "xy", "    def g(v):\n        return v * 2\n" + LOOP + "        y[i] = g(x[i])\n"),
    Probe("closure_lambda", "xy", "    s = 2.0\n    g = lambda v: v * s\n" + LOOP + "        y[i] = g(x[i])\n"),
    Probe("lambda_recursive", "xy", "    g = lambda v: g(v)\n" + LOOP + "        y[i] = g(x[i])\n"),
    Probe("lambda_mutual", "xy",
          "    f = lambda v: h(v)\n    h = lambda v: f(v) + 1\n" + LOOP + "        y[i] = f(x[i])\n"),
    Probe("lambda_of_lambda", "xy",
          "    f = lambda v: v * 2\n    h = lambda v: f(v) + 1\n" + LOOP + "        y[i] = h(f(x[i]))\n"),
    Probe("lambda_default", "xy", "    g = lambda v=1: v\n" + LOOP + "        y[i] = g()\n"),
    Probe("lambda_wrong_count", "xy", "    g = lambda v: v\n" + LOOP + "        y[i] = g(x[i], 2)\n"),
    Probe("lambda_on_array", "xy", "    g = lambda v: v * 2\n    y[:] = g(x)\n"),
    Probe("recursion", "",
          "def f(v, d):\n    if d == 0:\n        return v\n    return f(v * 0.5, d - 1)\n\n" + KERNEL + LOOP + "        y[i] = f(x[i], 3)\n"),
    Probe("mutual_recursion", "",
          "def f(v):\n    return g(v)\n\ndef g(v):\n    return f(v)\n\n" + KERNEL + LOOP + "        y[i] = f(x[i])\n"),
    Probe("helper_star_param", "",
          "def h(*a):\n    return 1.0\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_kwonly", "",
          "def h(a, *, b=1.0):\n    return a + b\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_default_str", "",
          "def h(a, b='x'):\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_default_used", "",
          "def h(a, b=0.5):\n    return a + b\n\n" + KERNEL + LOOP + "        y[i] = h(x[i]) + h(x[i], b=2)\n"),
    Probe("helper_nested_def", "",
          "def h(a):\n    def g(b):\n        return b\n    return g(a)\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_print", "",
          "def h(a):\n    print(a)\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_global", "",
          "T = 1.0\n\ndef h(a):\n    global T\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_generator", "",
          "def h(a):\n    yield a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_module_lambda", "",
          "h = lambda a: a * 2\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_async", "",
          "async def h(a):\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_class", "",
          "class H:\n    pass\n\n" + KERNEL + LOOP + "        y[i] = H()\n"),
    Probe("helper_staticmethod", "",
          "class H:\n    @staticmethod\n    def f(a):\n        return a\n\n" + KERNEL + LOOP + "        y[i] = H.f(x[i])\n"),
    Probe("helper_tuple_as_value", "",
          "def h(a):\n    return a, a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_missing_arg", "",
          "def h(a, b):\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_extra_arg", "",
          "def h(a):\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i], 1.0)\n"),
    Probe("helper_bad_keyword", "",
          "def h(a):\n    return a\n\n" + KERNEL + LOOP + "        y[i] = h(x[i], b=1.0)\n"),
    Probe("helper_returns_str", "",
          "def h(a):\n    return 'a'\n\n" + KERNEL + LOOP + "        y[i] = h(x[i])\n"),
    Probe("helper_elementwise_in_loop", "",
          "def lap(g):\n    return g * 2.0\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n    for t in range(3):\n        y[:] = x + lap(x)\n"),
    Probe("helper_of_statements_in_loop", "",
          "def normalized(a):\n    m = np.max(a)\n    return a / m\n\n" + KERNEL + "    y[:] = x\n"
          "    for t in range(3):\n        y[:] = normalized(y + x)\n"),
    Probe("helper_of_statements_in_prange", "",
          "def normalized(a):\n    m = np.max(a)\n    return a / m\n\n@kernel\ndef k(A: In[f64[:, :]], B: Out[f64[:, :]]):\n"
          "    for i in prange(A.shape[0]):\n        B[i, :] = normalized(A[i, :])\n"),
    Probe("helper_of_statements_at_top", "",
          "def normalized(a):\n    m = np.max(a)\n    return a / m\n\n" + KERNEL + "    y[:] = normalized(x + 1.0)\n"),
    Probe("kernel_calls_kernel", "",
          "@kernel\ndef g(a: f64):\n    return a\n\n@kernel\ndef k(a: f64):\n    return g(a)\n"),
    Probe("starred_call", "",
          "def f(a, b):\n    return a + b\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n    t = (1.0, 2.0)\n" + LOOP + "        y[i] = f(*t)\n"),
    Probe("double_starred_call", "",
          "def f(a, b):\n    return a + b\n\n" + KERNEL + LOOP + "        y[i] = f(**{'a': 1.0, 'b': x[i]})\n"),
    # -- module-level names
    Probe("global_stmt", "",
          "C = 2.0\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n    global C\n" + LOOP + "        y[i] = x[i] * C\n"),
    Probe("global_list", "",
          "C = [1.0, 2.0]\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C[0]\n"),
    Probe("global_array", "",
          "C = np.ones(3)\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C[0]\n"),
    Probe("global_tuple", "",
          "C = (1.0, 2.0)\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C[1]\n"),
    Probe("global_dict", "",
          "C = {'a': 1.0}\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C['a']\n"),
    Probe("global_str", "",
          "C = 'abc'\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C\n"),
    Probe("global_bigint", "",
          "C = 2 ** 70\n\n" + KERNEL + LOOP + "        y[i] = x[i] / C\n"),
    Probe("global_inf", "",
          "C = 1e400\n\n" + KERNEL + LOOP + "        y[i] = x[i] * C\n"),
    Probe("undefined_name", "xy", LOOP + "        y[i] = z\n"),
    Probe("undefined_call", "xy", LOOP + "        y[i] = foo(x[i])\n"),
    Probe("undefined_numpy", "xy", LOOP + "        y[i] = np.foo(x[i])\n"),
    Probe("undefined_linalg", "r1", "    return np.linalg.foo(x)\n"),
    Probe("np_random", "xy", LOOP + "        y[i] = np.random.rand()\n"),
    Probe("shadow_np_local", "xy", "    np = 2.0\n" + LOOP + "        y[i] = x[i] * np\n"),
    Probe("shadow_np_param", "", "@kernel\ndef k(np: In[f64[:]], y: Out[f64[:]], n: i64):\n    y[:] = np * 2\n"),
    Probe("shadow_range", "xy", "    range = 3\n" + LOOP + "        y[i] = x[i] * range\n"),
    Probe("star_import_numpy", "",
          "from numpy import *\n\n@kernel\ndef k(x: In[f64[:]], y: Out[f64[:]], n: i64):\n    y[:] = sqrt(abs(x)) + maximum(x, 0.5)\n"),
    Probe("star_import_in_kernel", "xy", "    from numpy import *\n    y[:] = x\n"),
    Probe("import_in_kernel", "xy", "    import numpy as npp\n" + LOOP + "        y[i] = npp.sqrt(x[i])\n"),
    Probe("import_os", "xy", "    import os\n    y[:] = x\n"),
    # -- statements Python has and kernels do not
    Probe("class_def", "xy", "    class A:\n        pass\n    y[:] = x\n"),
    Probe("yield", "xy", "    y[:] = x\n    yield 1\n"),
    Probe("yield_from", "xy", "    y[:] = x\n    yield from x\n"),
    Probe("try_except", "xy", "    try:\n        y[:] = x\n    except IndexError:\n        pass\n"),
    Probe("try_finally", "xy", "    try:\n        y[:] = x\n    finally:\n        pass\n"),
    Probe("with_open", "xy", "    with open('f') as f:\n        y[:] = x\n"),
    Probe("nonlocal", "xy", "    nonlocal n\n    y[:] = x\n"),
    Probe("del_local", "xy", "    t = 1.0\n    del t\n    y[:] = x\n"),
    Probe("del_element", "xy", "    y[:] = x\n    del y[0]\n"),
    Probe("assert", "xy", "    assert n > 0\n    y[:] = x\n"),
    Probe("assert_message", "xy", "    assert n > 0, 'n must be positive'\n    y[:] = x\n"),
    Probe("raise_value_error", "xy", "    if n < 0:\n        raise ValueError('bad')\n    y[:] = x\n"),
    Probe("match", "xy", "    match n:\n        case 1:\n            pass\n    y[:] = x\n"),
    Probe("for_else", "xy", "    for i in range(n):\n        pass\n    else:\n        pass\n    y[:] = x\n"),
    Probe("async_kernel", "", "@kernel\nasync def k(x: In[f64[:]]):\n    pass\n"),
    Probe("print_statement", "xy", "    print(n)\n    y[:] = x\n"),
    Probe("print_fstring", "xy", "    print(f'{n} done')\n    y[:] = x\n"),
    Probe("fstring_value", "xy", "    s = f'{n}'\n    y[:] = x\n"),
    Probe("string_concat", "xy", "    s = 'a' + 'b'\n    y[:] = x\n"),
    Probe("bytes_value", "xy", "    s = b'ab'\n    y[:] = x\n"),
    Probe("float_of_string", "xy", LOOP + "        y[i] = float('1.5')\n"),
    Probe("ellipsis_statement", "xy", "    ...\n    y[:] = x\n"),
    Probe("docstring_only", "r1", "    \"\"\"Nothing to do.\"\"\"\n"),
    Probe("empty_kernel", "", "@kernel\ndef k():\n    pass\n"),
    Probe("constant_kernel", "", "@kernel\ndef k():\n    return 1.5\n"),
    # -- comprehensions, walrus, star assignments
    Probe("generator_sum", "xy", LOOP + "        y[i] = sum(v for v in x)\n"),
    Probe("listcomp_index", "xy", LOOP + "        y[i] = [v for v in x][0]\n"),
    Probe("listcomp", "xy", "    z = [v * 2 for v in x]\n    y[:] = x\n"),
    Probe("setcomp", "xy", "    z = {v for v in x}\n    y[:] = x\n"),
    Probe("dictcomp", "xy", "    z = {v: v for v in x}\n    y[:] = x\n"),
    Probe("list_literal", "xy", "    z = [1.0, 2.0]\n" + LOOP + "        y[i] = z[0]\n"),
    Probe("array_of_list", "xy", "    z = np.array([1.0, 2.0, 3.0])\n" + LOOP + "        y[i] = x[i] * z[i % 3]\n"),
    Probe("walrus", "xy", LOOP + "        y[i] = (t := x[i]) * t\n"),
    Probe("walrus_in_if", "xy",
          LOOP + "        if (t := x[i]) > 0.5:\n            y[i] = t\n        else:\n            y[i] = 0.0\n"),
    Probe("star_assign", "xy", "    a, *b = 1.0, 2.0, 3.0\n    y[:] = x\n"),
    Probe("star_unpack_shape", "xy", "    m, *r = x.shape\n    y[:] = x\n"),
    Probe("nested_unpack", "xy", "    (a, b), c = (1.0, 2.0), 3.0\n    y[:] = x\n"),
    Probe("unpack_too_many", "xy", "    a, b = 1.0, 2.0, 3.0\n    y[:] = x\n"),
    Probe("unpack_number", "xy", "    a, b = 1.0\n    y[:] = x\n"),
    Probe("unpack_shape_wrong", "xy", "    a, b = x.shape\n    y[:] = x\n"),
    Probe("unpack_array", "xy", "    a, b = x\n    y[:] = x\n"),
    Probe("chained_assignment", "xy", "    a = b = 1.5\n" + LOOP + "        y[i] = a * x[i] + b\n"),
    Probe("chained_element_assignment", "xy", "    y[:] = x\n    y[0] = y[1] = 2.0\n"),
    Probe("element_swap", "xy", "    y[:] = x\n    y[0], y[1] = x[1], x[0]\n"),
    # -- loops
    Probe("for_over_number", "xy", "    for i in n:\n        pass\n    y[:] = x\n"),
    Probe("for_over_rows", "r2", "    s = 0.0\n    for r in A:\n        s += r[0]\n    return s\n"),
    Probe("for_two_names_range", "xy", "    for i, j in range(n):\n        pass\n    y[:] = x\n"),
    Probe("for_element_target", "xy", "    for y[0] in range(n):\n        pass\n    y[:] = x\n"),
    Probe("range_float", "xy", "    for i in range(1.5):\n        pass\n    y[:] = x\n"),
    Probe("range_keyword", "xy", "    for i in range(stop=3):\n        pass\n    y[:] = x\n"),
    Probe("range_four_args", "xy", "    for i in range(1, 2, 3, 4):\n        pass\n    y[:] = x\n"),
    Probe("prange_no_args", "xy", "    for i in prange():\n        pass\n    y[:] = x\n"),
    Probe("prange_bad_keyword", "xy", "    for i in prange(n, foo=1):\n        pass\n    y[:] = x\n"),
    Probe("prange_negative_step", "xy",
          "    y[:] = x\n    for i in prange(x.shape[0] - 1, -1, -1):\n        y[i] = y[i] * 2.0\n"),
    Probe("loop_over_reversed_slice", "r1", "    s = 0.0\n    for v in x[::-2]:\n        s = s * 0.5 + v\n    return s\n"),
    Probe("enumerate_row_slice", "r2", "    s = 0.0\n    for j, v in enumerate(A[1, 1:], 1):\n        s += j * v\n"
          "    return s\n"),
    Probe("loop_over_slice_writing_array", "", "@kernel\ndef k(y: InOut[f64[:]]):\n    for v in y[1:]:\n"
          "        y[0] = y[0] + v\n        y[-1] = v\n"),
    Probe("loop_over_2d_slice", "r2", "    s = 0.0\n    for r in A[1:]:\n        s += 1.0\n    return s\n"),
    Probe("slice_bounds_rebound", "r1", "    s = 0.0\n    m = 1\n    for v in x[m:]:\n        m += 1\n        s += v\n"
          "    return s\n"),
    Probe("zip_of_slices", "xy",
          "    y[:] = 0.0\n    k = 0\n    for a, b in zip(x[1:], x[:-1]):\n        y[k] = a - b\n        k += 1\n"),
    # -- chained comparisons, bools, complex, integers
    Probe("chained_compare_arrays", "xy", "    y[:] = 0.25 < x < 0.75\n"),
    Probe("chained_compare_mask", "xy", "    m = 0.25 < x < 0.75\n    y[:] = x * m\n"),
    Probe("and_of_arrays", "xy", "    y[:] = (x > 0.2) and (x < 0.8)\n"),
    Probe("not_of_array", "xy", "    y[:] = not x\n"),
    Probe("array_in_if", "xy", "    if x > 0.5:\n        pass\n    y[:] = x\n"),
    Probe("array_in_while", "xy", "    while x:\n        break\n    y[:] = x\n"),
    Probe("is_none", "xy", LOOP + "        y[i] = x[i] is None\n"),
    Probe("in_array", "xy", LOOP + "        y[i] = 1.0 in x\n"),
    Probe("not_in_tuple", "xy", LOOP + "        y[i] = x[i] not in (1.0, 2.0)\n"),
    Probe("bool_arithmetic", "xy", LOOP + "        y[i] = (x[i] > 0.5) * 2.0 - True\n"),
    Probe("bool_minus_bool", "xy", LOOP + "        y[i] = (x[i] > 0.5) - (x[i] < 0.2)\n"),
    Probe("bool_negate", "xy", LOOP + "        y[i] = -(x[i] > 0.5)\n"),
    Probe("bool_invert", "xy", LOOP + "        y[i] = ~(x[i] > 0.5)\n"),
    Probe("bool_divide", "xy", LOOP + "        y[i] = True / (x[i] > 0.5)\n"),
    Probe("complex_into_real", "xy", LOOP + "        y[i] = x[i] * 1j\n"),
    Probe("complex_real_part", "xy", LOOP + "        y[i] = (x[i] * 1j + 2.0).real\n"),
    Probe("complex_abs", "xy", LOOP + "        y[i] = abs(x[i] + 2j)\n"),
    Probe("complex_order", "xy", LOOP + "        y[i] = (x[i] + 1j) < 2\n"),
    Probe("complex_floordiv", "xy", LOOP + "        y[i] = ((x[i] + 1j) // 2).real\n"),
    Probe("complex_int", "xy", LOOP + "        y[i] = int(x[i] + 1j)\n"),
    Probe("huge_int_literal", "xy", LOOP + "        y[i] = x[i] * 123456789012345678901234567890\n"),
    Probe("int_beyond_int64", "xy", "    t = 99999999999999999999\n" + LOOP + "        y[i] = x[i] + t\n"),
    Probe("int64_min_literal", "xy", LOOP + "        y[i] = x[i] + (-9223372036854775808)\n"),
    Probe("uint64_max_literal", "xy", LOOP + "        y[i] = x[i] + 18446744073709551615\n"),
    Probe("bool_negate_as_int", "xy", LOOP + "        y[i] = -int(x[i] > 0.5) + x[i]\n"),
    Probe("int_literal_into_float", "xy", "    t = 99999999999999999999.0\n" + LOOP + "        y[i] = x[i] * t\n"),
    Probe("uint64_constant", "", "@kernel\ndef k(x: In[f64[:]], n: i64):\n    h: u64 = 0xcbf29ce484222325\n"
          "    for i in range(n):\n        h = h ^ u64(i)\n        h = h * u64(1099511628211)\n    return h\n"),
    Probe("int_pow_negative", "", "@kernel\ndef k(x: In[i64[:]], n: i64):\n    return x ** -1\n"),
    Probe("float_shift", "r1", "    return x << 1\n"),
    Probe("float_invert", "r1", "    return ~x\n"),
    Probe("modulo_zero", "xy", LOOP + "        y[i] = x[i] % 0\n"),
    Probe("true_divide_zero", "xy", LOOP + "        y[i] = x[i] / 0\n"),
    Probe("unicode_names", "",
          "@kernel\ndef k(χ: In[f64[:]], ψ: Out[f64[:]], n: i64):\n    α = 2.0\n    ψ[:] = α * χ\n"),
    # -- slices, indexing, mixed rank
    Probe("slice_of_slice", "xy", "    y[:] = 0.0\n    y[1:-1] = x[1:][:-1]\n"),
    Probe("slice_zero_step", "xy", "    y[::0] = x\n"),
    Probe("slice_none_step", "xy", "    y[::None] = x\n"),
    Probe("reversed_slice", "xy", "    y[:] = x[::-1]\n"),
    Probe("stepped_slices", "xy",
          "    y[:] = 0.0\n    y[::2] = x[1::2][: (x.shape[0] + 1) // 2] if False else 1.0\n"),
    Probe("new_axis_into_1d", "xy", "    y[:] = x[:, None]\n"),
    Probe("outer_sum_into_1d", "xy", "    y[:] = x + x[:, None]\n"),
    Probe("ellipsis_index", "xy", "    y[...] = x\n"),
    Probe("index_float", "xy", LOOP + "        y[i] = x[i / 2]\n"),
    Probe("index_bool_constant", "xy", LOOP + "        y[i] = x[True]\n"),
    Probe("index_number", "xy", LOOP + "        y[i] = n[0]\n"),
    Probe("index_literal", "xy", LOOP + "        y[i] = 3[0]\n"),
    Probe("call_literal", "xy", LOOP + "        y[i] = 3(0)\n"),
    Probe("call_array", "xy", LOOP + "        y[i] = x(0)\n"),
    Probe("index_too_many", "xy", LOOP + "        y[i] = x[i, 0]\n"),
    Probe("shape_out_of_range", "xy", "    m = x.shape[1]\n    y[:] = x\n"),
    Probe("shape_negative", "xy", "    m = x.shape[-1]\n" + LOOP + "        y[i] = m * x[i]\n"),
    Probe("shape_variable_index", "xy", "    m = x.shape[n]\n    y[:] = x\n"),
    Probe("len_of_number", "xy", "    m = len(n)\n    y[:] = x\n"),
    Probe("size_and_ndim", "xy", "    m = x.size + x.ndim\n" + LOOP + "        y[i] = m * x[i]\n"),
    Probe("dtype_as_value", "xy", "    m = x.dtype\n    y[:] = x\n"),
    Probe("strides", "xy", "    m = x.strides[0]\n    y[:] = x\n"),
    Probe("set_shape", "xy", "    x.shape = (n,)\n    y[:] = x\n"),
    Probe("attribute_assignment", "xy", "    y.foo = 1\n    y[:] = x\n"),
    Probe("flat_attribute", "xy", "    y[:] = x.flat\n"),
    Probe("method_of_int", "xy", LOOP + "        y[i] = n.bit_length()\n"),
    Probe("conjugate_of_real", "xy", LOOP + "        y[i] = x[i].conjugate() + n.real\n"),
    Probe("matmul_of_numbers", "xy", LOOP + "        y[i] = x[i] @ x[i]\n"),
    # -- annotations and signatures
    Probe("annotation_rank_unused", "", "@kernel\ndef k(x: In[f64[:, :]], y: Out[f64[:]]):\n    y[:] = x[0] * 2\n"),
    Probe("annotation_builtin_float_array", "", "@kernel\ndef k(x: In[float[:]]):\n    pass\n"),
    Probe("annotation_list", "", "@kernel\ndef k(x: list):\n    pass\n"),
    Probe("annotation_string", "", "@kernel\ndef k(x: 'f64[:]'):\n    pass\n"),
    Probe("annotation_ndarray", "", "@kernel\ndef k(x: np.ndarray):\n    pass\n"),
    Probe("annotation_in_scalar", "", "@kernel\ndef k(x: In[f64]):\n    pass\n"),
    Probe("annotation_nested_in", "", "@kernel\ndef k(x: In[In[f64[:]]]):\n    pass\n"),
    Probe("annotation_stepped_dim", "", "@kernel\ndef k(x: In[f64[::2]]):\n    pass\n"),
    Probe("return_annotation_array", "", "@kernel\ndef k(x: In[f64[:]]) -> f64[:]:\n    return x * 2\n"),
    Probe("return_annotation_float", "", "@kernel\ndef k(x: In[f64[:]]) -> f64:\n    return x.shape[0] // 2\n"),
    Probe("return_annotation_int", "", "@kernel\ndef k(x: In[f64[:]]) -> int:\n    return x[0] * 2.5\n"),
    Probe("local_annotation_list", "xy", "    t: list = 0\n    y[:] = x\n"),
    Probe("local_annotation_array", "xy", "    t: f64[:] = x\n    y[:] = x\n"),
    Probe("default_array", "", "@kernel\ndef k(x: In[f64[:]] = None):\n    pass\n"),
    Probe("default_string", "", "@kernel\ndef k(a: f64 = 'x'):\n    return a\n"),
    Probe("default_expression", "", "@kernel\ndef k(a: f64 = 1.0 + 2.0):\n    return a\n"),
    Probe("varargs", "", "@kernel\ndef k(*a):\n    pass\n"),
    Probe("keyword_only", "", "@kernel\ndef k(*, a: f64):\n    return a\n"),
    Probe("positional_only", "", "@kernel\ndef k(a: f64, /):\n    return a\n"),
    Probe("device_negative", "", "@kernel(device=-1)\ndef k(a: f64):\n    return a\n"),
    Probe("device_float", "", "D = 1.5\n\n@kernel(device=D)\ndef k(a: f64):\n    return a\n"),
    # -- NumPy functions and methods with unusual arguments
    Probe("sum_negative_axis", "r2", "    return np.sum(A, axis=-1)\n"),
    Probe("sum_axis_tuple", "r2", "    return np.sum(A, axis=(0, 1))\n"),
    Probe("sum_axis_out_of_range", "r2", "    return np.sum(A, axis=2)\n"),
    Probe("sum_axis_float", "r2", "    return np.sum(A, axis=0.5)\n"),
    Probe("sum_dtype_string", "r2", "    return np.sum(A, dtype='float32')\n"),
    Probe("sum_out", "r2", "    return np.sum(A, out=None)\n"),
    Probe("sum_positional_dtype", "r2", "    return np.sum(A, 1, None)\n"),
    Probe("sum_where", "r2", "    return np.sum(A, where=A > 0)\n"),
    Probe("sum_no_args", "r2", "    return np.sum()\n"),
    Probe("sum_unknown_keyword", "r2", "    return np.sum(A, bogus=1)\n"),
    Probe("mean_keepdims", "r2", "    return np.mean(A, axis=1, keepdims=True)\n"),
    Probe("var_ddof", "r2", "    return A.var(axis=0, ddof=1)\n"),
    Probe("std_ddof_positional", "r2", "    return np.std(A, 0, None, None, 1)\n"),
    Probe("argmax_negative_axis", "r2", "    return A.argmax(axis=-1)\n"),
    Probe("method_axis_tuple", "r2", "    return A.max(axis=(0, 1))\n"),
    Probe("median", "r2", "    return np.median(A, axis=0)\n"),
    Probe("ptp", "r2", "    return np.ptp(A)\n"),
    Probe("cumsum_negative_axis", "r2", "    return np.cumsum(A, axis=-1)\n"),
    Probe("cumsum_dtype", "r2", "    return np.cumsum(A, dtype=np.float32)\n"),
    Probe("cumsum_bool_axis", "r2", "    return np.cumsum(A, True)\n"),
    Probe("cumprod_keepdims", "r2", "    return np.cumprod(A, keepdims=True)\n"),
    Probe("average_weights", "r2", "    return np.average(A, axis=1, weights=A[0])\n"),
    Probe("reshape_minus_one", "r2", "    return A.reshape(-1)\n"),
    Probe("reshape_two_unknowns", "r2", "    return A.reshape(-1, -1)\n"),
    Probe("reshape_complex", "r2", "    return np.reshape(A, 1j)\n"),
    Probe("reshape_float", "r2", "    return np.reshape(A, 2.5)\n"),
    Probe("reshape_order", "r2", "    return A.reshape(-1, order='F')\n"),
    Probe("ravel_argument", "r2", "    return A.ravel(1)\n"),
    Probe("transpose_axes_tuple", "r2", "    return np.transpose(A, axes=(1, 0))\n"),
    Probe("transpose_method_keyword", "r2", "    return A.transpose(axes=(1, 0))\n"),
    Probe("transpose_unknown_keyword", "r2", "    return np.transpose(A, order='F')\n"),
    Probe("transpose_axes_out_of_range", "r2", "    return A.transpose(3, 4)\n"),
    Probe("transpose_1d_axis_2", "r1", "    return np.transpose(x, 2)\n"),
    Probe("transpose_repeated_axis", "r2", "    return A.transpose(0, 0)\n"),
    Probe("flip_unknown_keyword", "r2", "    return np.flip(A, axes=(1, 0))\n"),
    Probe("flipud_extra_argument", "r2", "    return np.flipud(A, 0)\n"),
    Probe("flip_negative_axis", "r2", "    return np.flip(A, axis=-1)\n"),
    Probe("roll_array_shift", "r2", "    return np.roll(A, A > 0.5)\n"),
    Probe("roll_negative", "r1", "    return np.roll(x, -2)\n"),
    Probe("roll_float_shift", "r1", "    return np.roll(x, 2.5)\n"),
    Probe("tile_negative", "r1", "    return np.tile(x, -1)\n"),
    Probe("repeat_keyword", "r1", "    return np.repeat(x, repeats=2)\n"),
    Probe("diff_n_keyword", "r1", "    return np.diff(x, n=2)\n"),
    Probe("linspace_num_keyword", "r1", "    return np.linspace(0.0, 1.0, num=n)\n"),
    Probe("linspace_endpoint", "r1", "    return np.linspace(0.0, 1.0, n, endpoint=False)\n"),
    Probe("arange_float_step", "r1", "    return np.arange(0.0, 1.0, 0.25)\n"),
    Probe("arange_dtype_string", "r1", "    return np.arange(n, dtype='float32')\n"),
    Probe("zeros_order", "r1", "    return np.zeros(n, order='F')\n"),
    Probe("zeros_dtype_string", "r1", "    return np.zeros(n, dtype='int32')\n"),
    Probe("zeros_negative_like", "r1", "    return np.zeros(x, -1)\n"),
    Probe("empty_like_dtype", "r1", "    t = np.empty_like(x, dtype=np.float32)\n    t[:] = x\n    return t\n"),
    Probe("full_like_value", "r1", "    return np.full_like(x, 2.5)\n"),
    Probe("where_one_argument", "r1", "    return np.where(x > 0.5)\n"),
    Probe("nonzero", "r1", "    return np.nonzero(x)\n"),
    Probe("where_three", "r1", "    return np.where(x > 0.5, x, 0.0)\n"),
    Probe("clip_keywords", "r1", "    return np.clip(x, a_min=0.2, a_max=0.8)\n"),
    Probe("clip_one_bound", "r1", "    return x.clip(max=0.5)\n"),
    Probe("maximum_out", "r1", "    return np.maximum(x, 0.5, out=x)\n"),
    Probe("power_dtype", "r1", "    return np.power(x, 2, dtype=np.float32)\n"),
    Probe("hypot_three_args", "r1", "    return np.hypot(x, x, x)\n"),
    Probe("arctan2_one_arg", "r1", "    return np.arctan2(x)\n"),
    Probe("sqrt_of_tuple", "r1", "    return np.sqrt((x, x))\n"),
    Probe("exp_of_list", "r1", "    return np.exp([x, x])\n"),
    Probe("absolute_string", "r1", "    return np.absolute(x, 'a')\n"),
    Probe("angle_of_complex", "", "@kernel\ndef k(z: In[c128[:]]):\n    return np.angle(z)\n"),
    Probe("angle_in_degrees", "", "@kernel\ndef k(z: In[c64[:]]):\n    return np.angle(z, deg=True)\n"),
    Probe("angle_in_prange", "", "@kernel\ndef k(z: In[c128[:]], y: Out[f64[:]]):\n"
          "    for i in prange(z.shape[0]):\n        y[i] = np.angle(z[i], True) + np.angle(-z[i])\n"),
    Probe("angle_deg_variable", "", "@kernel\ndef k(z: In[c128[:]], d: b1):\n    return np.angle(z, d)\n"),
    Probe("angle", "r1", "    return np.angle(x + 1j * x)\n"),
    Probe("angle_degrees", "r1", "    return np.angle(x + 1j * x, deg=True)\n"),
    Probe("asarray_dtype", "r1", "    return np.asarray(x, dtype=np.float32)\n"),
    Probe("asarray_same_dtype_in_place", "r1", "    x = np.asarray(x, dtype=np.float64)\n    return x * 2.0\n"),
    Probe("asarray_widens", "", "@kernel\ndef k(x: In[f32[:]]):\n    y = np.asarray(x, dtype=np.float64)\n"
          "    return y / 3.0\n"),
    Probe("asarray_rebinds_parameter", "", "@kernel\ndef k(x: In[f32[:]]):\n    x = np.asarray(x, np.float64)\n"
          "    return x / 3.0\n"),
    Probe("asarray_of_expression", "r1", "    return np.asarray(x * 2.5, np.int32)\n"),
    Probe("asarray_writes_through", "", "@kernel\ndef k(x: InOut[f64[:]]):\n    y = np.asarray(x, dtype=np.float64)\n"
          "    y[0] = 7.0\n"),
    Probe("asarray_of_view", "r1", "    return np.asarray(x[1:], dtype=np.float32)\n"),
    Probe("astype_string", "r1", "    return x.astype('float32')\n"),
    Probe("astype_order", "r1", "    return x.astype(np.float32, order='C')\n"),
    Probe("concatenate_ravelled", "r2", "    return np.concatenate((A.ravel(), A[0]))\n"),
    Probe("concatenate_axis_none", "r2", "    return np.concatenate((A, A), axis=None)\n"),
    Probe("stack_negative_axis", "r1", "    return np.stack((x, x), axis=-1)\n"),
    Probe("vstack_single", "r1", "    return np.vstack(x)\n"),
    Probe("einsum_trace", "r2", "    return np.einsum('ii', A[:3, :3])\n"),
    Probe("einsum_variable_subscripts", "",
          "S = 'ij,jk->ik'\n\n@kernel\ndef k(A: In[f64[:, :]], n: i64):\n    return np.einsum(S, A, A.T)\n"),
    Probe("einsum_ellipsis", "r2", "    return np.einsum('...i,...i', A, A)\n"),
    Probe("histogram_bins_keyword", "r1", "    h, e = np.histogram(x, bins=n)\n    return h\n"),
    Probe("norm_ord", "r2", "    return np.linalg.norm(A, ord=2)\n"),
    Probe("norm_axis", "r2", "    return np.linalg.norm(A, axis=1)\n"),
    Probe("solve_vector_count", "r2", "    return np.linalg.solve(A, A[0])\n"),
    Probe("inv_of_vector", "r1", "    return np.linalg.inv(x)\n"),
    Probe("matmul_1d", "r1", "    return x @ x\n"),
    Probe("dot_three_args", "r1", "    return np.dot(x, x, x)\n"),
    Probe("outer_of_2d", "r2", "    return np.outer(A, A)\n"),
    Probe("sort", "r1", "    return np.sort(x)\n"),
    Probe("sort_method", "xy", "    y[:] = x\n    y.sort()\n"),
    Probe("fill_method", "xy", "    y.fill(2.0)\n"),
    Probe("tolist", "r1", "    return x.tolist()\n"),
    Probe("item", "r1", "    return x.item(0)\n"),
    Probe("copy_order", "r1", "    return x.copy(order='F')\n"),
    Probe("round_decimals", "r1", "    return np.round(x, 2)\n"),
    Probe("round_decimals_variable", "r1", "    return np.round(x, n)\n"),
]

ERRORS = {
    "nested_def":
        '6:5: error: nested functions are not supported in kernels',
    "lambda_recursive":
        '6:19: error: recursive calls are not supported in kernels (g -> g); write a loop',
    "lambda_mutual":
        '7:19: error: recursive calls are not supported in kernels (f -> h -> f); write a loop',
    "lambda_default":
        '6:9: error: a lambda in a kernel takes plain positional parameters (`lambda x, y: ...`)',
    "lambda_wrong_count":
        '8:16: error: this lambda takes 1 positional argument',
    "recursion":
        '7:12: error: recursive calls are not supported in kernels (f -> f)',
    "mutual_recursion":
        '8:12: error: recursive calls are not supported in kernels (f -> g -> f)',
    "helper_star_param":
        '4:7: error: device functions take plain positional parameters only',
    "helper_kwonly":
        '4:13: error: device functions take plain positional parameters only',
    "helper_default_str":
        "4:12: error: parameter 'b' has a default value that is not a number; a device function's defaults "
        'are numeric constants',
    "helper_nested_def":
        '5:5: error: nested functions are not supported in kernels',
    "helper_print":
        '5:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "helper_global":
        '7:5: error: `global` is not supported in kernels',
    "helper_generator":
        '5:5: error: `yield` (a generator) is not supported in kernels; write the values into an Out array, '
        'or return them at the end',
    "helper_module_lambda":
        "9:16: error: call to 'h' is not supported in kernels",
    "helper_async":
        '4:1: error: async functions cannot be called from kernels',
    "helper_class":
        "10:16: error: call to 'H' is not supported in kernels",
    "helper_staticmethod":
        "12:16: error: call to 'H.f' is not supported in kernels",
    "helper_tuple_as_value":
        '5:12: error: tuples are only supported on both sides of an assignment (`a, b = b, a`)',
    "helper_missing_arg":
        "10:16: error: h() missing required argument 'b'",
    "helper_extra_arg":
        '10:24: error: h() takes 1 argument, got 2',
    "helper_bad_keyword":
        "10:24: error: h() got an unexpected keyword argument 'b'",
    "helper_returns_str":
        '5:12: error: strings are not supported in kernels',
    "helper_of_statements_in_loop":
        "12:16: error: 'normalized' reduces its parameter 'a' over a whole array, so it is unfolded where it "
        'is called, which kernels do at their top level only: compute it into an array before the loop (`t = '
        "normalized(...)`), or write its statements in the loop's body",
    "helper_of_statements_in_prange":
        "11:19: error: 'normalized' reduces its parameter 'a' over a whole array, so it is unfolded where it "
        'is called, which kernels do at their top level only: compute it into an array before the loop (`t = '
        "normalized(...)`), or write its statements in the loop's body",
    "kernel_calls_kernel":
        "10:12: error: call to 'g' is not supported in kernels",
    "starred_call":
        '9:10: error: tuples are only supported on both sides of an assignment (`a, b = b, a`)',
    "double_starred_call":
        '10:18: error: starred arguments (`f(*args)`, `f(**kw)`) are not supported in kernel calls; pass '
        'each argument',
    "global_stmt":
        '8:5: error: `global` is not supported in kernels',
    "global_list":
        "9:23: error: 'C' is not an array of this kernel: kernels index their array parameters and the "
        "arrays they make; pass 'C' as an array parameter",
    "global_array":
        "9:23: error: 'C' is not an array of this kernel: kernels index their array parameters and the "
        "arrays they make; pass 'C' as an array parameter",
    "global_tuple":
        "9:23: error: 'C' is not an array of this kernel: kernels index their array parameters and the "
        "arrays they make; pass 'C' as an array parameter",
    "global_dict":
        "9:23: error: 'C' is not an array of this kernel: kernels index their array parameters and the "
        "arrays they make; pass 'C' as an array parameter",
    "global_str":
        "9:23: error: name 'C' is not defined in this kernel (kernels see their parameters, their locals and "
        'module-level numeric constants)',
    "undefined_name":
        "7:16: error: name 'z' is not defined in this kernel (kernels see their parameters, their locals and "
        'module-level numeric constants)',
    "undefined_call":
        "7:16: error: call to 'foo' is not supported in kernels",
    "undefined_numpy":
        "7:16: error: call to 'numpy.foo' is not supported in kernels",
    "undefined_linalg":
        "6:12: error: call to 'numpy.linalg.foo' is not supported in kernels",
    "np_random":
        "7:16: error: call to 'numpy.random.rand' is not supported in kernels",
    "star_import_in_kernel":
        '6:5: error: `import *` is only allowed at module level (Python rejects it in a function)',
    "class_def":
        '6:5: error: classes are not supported in kernels',
    "yield":
        '7:5: error: `yield` (a generator) is not supported in kernels; write the values into an Out array, '
        'or return them at the end',
    "yield_from":
        '7:5: error: `yield` (a generator) is not supported in kernels; write the values into an Out array, '
        'or return them at the end',
    "try_except":
        '6:5: error: `try` is not supported in kernels',
    "try_finally":
        '6:5: error: `try` is not supported in kernels',
    "with_open":
        '6:5: error: `with` is not supported in kernels',
    "nonlocal":
        '6:5: error: `nonlocal` is not supported in kernels',
    "del_local":
        '7:5: error: `del` is not supported in kernels',
    "del_element":
        '7:5: error: `del` is not supported in kernels',
    "match":
        '6:5: error: `match` is not supported in kernels',
    "for_else":
        '8:5: error: `for ... else` is not supported in kernels',
    "async_kernel":
        '5:1: error: async functions cannot be kernels',
    "print_statement":
        '6:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "print_fstring":
        '6:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "fstring_value":
        '6:9: error: f-strings are not supported in kernels',
    "string_concat":
        '6:9: error: strings are not supported in kernels',
    "bytes_value":
        '6:9: error: strings are not supported in kernels',
    "float_of_string":
        '7:22: error: strings are not supported in kernels',
    "ellipsis_statement":
        '6:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "generator_sum":
        '7:31: error: sum() in a kernel adds the terms of a generator over tuples of constants or range() of '
        'constants (`sum(np.roll(Z, i, 0) for i in (-1, 1))`); for the elements of an array use np.sum(x)',
    "listcomp_index":
        '7:16: error: only array parameters and local arrays can be indexed (array expressions are not '
        'supported); bind the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once '
        '(`x[1:-1]`, not `x[1:][:-1]`)',
    "listcomp":
        '6:9: error: list comprehensions are not supported in kernels; write a loop',
    "setcomp":
        '6:9: error: set comprehensions are not supported in kernels',
    "dictcomp":
        '6:9: error: dict comprehensions are not supported in kernels',
    "list_literal":
        '6:9: error: lists are not supported in kernels; use a NumPy array parameter',
    "walrus":
        '7:17: error: assignment expressions (:=) are not supported in kernels',
    "walrus_in_if":
        '7:13: error: assignment expressions (:=) are not supported in kernels',
    "star_assign":
        '6:13: error: tuple assignment needs a tuple of the same length on the right',
    "star_unpack_shape":
        "6:13: error: 'x.shape' has 1 extent; the left side names 2 (Python raises ValueError when unpacking)",
    "nested_unpack":
        '6:6: error: only names and array elements can be assigned in kernels',
    "unpack_too_many":
        '6:12: error: tuple assignment needs a tuple of the same length on the right',
    "unpack_number":
        '6:12: error: tuple assignment needs a tuple of the same length on the right',
    "unpack_shape_wrong":
        "6:12: error: 'x.shape' has 1 extent; the left side names 2 (Python raises ValueError when unpacking)",
    "unpack_array":
        '6:12: error: tuple assignment needs a tuple of the same length on the right',
    "for_over_number":
        "6:14: error: 'n' is a number, not an array: only arrays can be indexed or iterated over",
    "for_over_rows":
        '7:14: error: iterating over a 2-D array gives its rows, which kernels cannot bind to a name; loop '
        'over `range(A.shape[0])` and index `A[i, ...]`',
    "for_two_names_range":
        '6:9: error: a kernel loop over range() binds one name: `for i in range(n)`',
    "for_element_target":
        '6:9: error: a kernel loop over range() binds one name: `for i in range(n)`',
    "range_float":
        '6:20: error: indices and loop bounds must be integers, not f64',
    "range_keyword":
        '6:14: error: range() takes 1 to 3 positional arguments',
    "range_four_args":
        '6:14: error: range() takes 1 to 3 positional arguments',
    "prange_no_args":
        '6:14: error: prange() takes 1 to 3 positional arguments',
    "prange_bad_keyword":
        '6:24: error: prange() keywords are num_teams, thread_limit, schedule (each at most once)',
    "prange_negative_step":
        "8:16: error: 'y' is declared Out but the kernel reads it here before writing it, so the caller's "
        'values are needed on the device; declare it InOut',
    "loop_over_2d_slice":
        '7:14: error: iterating over a 2-D slice gives its rows, which kernels cannot bind to a name; loop '
        'over range(...) and index the array',
    "slice_bounds_rebound":
        "9:9: error: 'm' is bound again in a loop over a slice that reads it; Python takes the slice once, "
        'before the loop: bind its bounds to names of their own first',
    "chained_compare_arrays":
        '6:12: error: a chained comparison of arrays (`a < x < b`) is `(a < x) and (x < b)` in Python, which '
        'raises ValueError for arrays; write `(a < x) & (x < b)`',
    "chained_compare_mask":
        '6:9: error: a chained comparison of arrays (`a < x < b`) is `(a < x) and (x < b)` in Python, which '
        'raises ValueError for arrays; write `(a < x) & (x < b)`',
    "and_of_arrays":
        '6:12: error: `and` of an array asks it for one truth value, which raises ValueError in Python; '
        'write `a & b` (elementwise, on boolean arrays)',
    "not_of_array":
        '6:12: error: `not` of an array asks it for one truth value, which raises ValueError in Python; '
        'write `~a` (elementwise, on boolean arrays)',
    "array_in_if":
        "6:8: error: array 'x' can only be indexed (`x[i]`) or measured (`x.shape[0]`)",
    "array_in_while":
        "6:11: error: array 'x' can only be indexed (`x[i]`) or measured (`x.shape[0]`)",
    "is_none":
        '7:20: error: only < <= > >= == != comparisons are supported in kernels',
    "in_array":
        '7:19: error: only < <= > >= == != comparisons are supported in kernels',
    "not_in_tuple":
        '7:20: error: only < <= > >= == != comparisons are supported in kernels',
    "bool_minus_bool":
        '7:16: error: `-` between two bools differs between Python and NumPy; convert one with int()',
    "bool_negate":
        '7:16: error: unary `-` on a bool is an int in Python but an error in NumPy; convert it with int() '
        'first (`-int(b)`)',
    "bool_invert":
        '7:16: error: `~` on a bool is -2/-1 in Python but `not` in NumPy; write `not x`',
    "bool_divide":
        '7:16: error: `/` between two bools differs between Python and NumPy; convert one with int()',
    "complex_into_real":
        '7:16: error: a complex value cannot become f64 (Python raises TypeError, NumPy drops the imaginary '
        'part); take .real, .imag or abs() first',
    "complex_order":
        '7:16: error: complex numbers are not ordered; `<` needs real operands',
    "complex_floordiv":
        '7:17: error: `//` is not defined for complex numbers',
    "complex_int":
        '7:20: error: a complex value cannot become i64 (Python raises TypeError, NumPy drops the imaginary '
        'part); take .real, .imag or abs() first',
    "int_beyond_int64":
        '6:9: error: the integer 99999999999999999999 does not fit in i64, the type it has in a kernel; '
        'write it as a float (1e+20) or make it smaller',
    "int_pow_negative":
        '6:12: error: an integer raised to a negative or non-constant power: its type depends on the '
        "exponent's sign in Python (and NumPy rejects negative ones); write float(x) ** n",
    "float_shift":
        '6:12: error: `<<` needs integer operands, not f64',
    "float_invert":
        '6:12: error: `~` needs an integer operand',
    "slice_of_slice":
        '7:15: error: only array parameters and local arrays can be indexed (array expressions are not '
        'supported); bind the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once '
        '(`x[1:-1]`, not `x[1:][:-1]`)',
    "slice_zero_step":
        "6:9: error: a slice's step is a non-zero integer (`x[::2]`, `x[::-1]`, `x[i * i::i]`)",
    "slice_none_step":
        '6:9: error: None is not supported in kernels',
    "stepped_slices":
        '7:14: error: only array parameters and local arrays can be indexed (array expressions are not '
        'supported); bind the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once '
        '(`x[1:-1]`, not `x[1:][:-1]`)',
    "new_axis_into_1d":
        '6:12: error: cannot broadcast this 2-dimensional array into 1 dimension',
    "outer_sum_into_1d":
        '6:16: error: cannot broadcast this 2-dimensional array into 1 dimension',
    "index_float":
        '7:18: error: indices and loop bounds must be integers, not f64',
    "index_bool_constant":
        '7:18: error: a boolean index selects elements by a mask in NumPy (`x[mask]`), which kernels support '
        "with a mask of x's shape, as an assignment target (`x[mask] = v`) and in np.sum, np.mean and "
        'np.count_nonzero; use int() for an index of 0 or 1',
    "index_number":
        "7:16: error: 'n' is a number, not an array: only arrays can be indexed or iterated over",
    "index_literal":
        '7:16: error: only array parameters and local arrays can be indexed (array expressions are not '
        'supported); bind the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once '
        '(`x[1:-1]`, not `x[1:][:-1]`)',
    "call_literal":
        "7:16: error: call to '3' is not supported in kernels",
    "call_array":
        "7:16: error: call to 'x' is not supported in kernels",
    "index_too_many":
        "7:16: error: array 'x' has 1 dimension but is indexed with 2",
    "shape_out_of_range":
        "6:9: error: 'x' has 1 dimension; shape[1] is out of range",
    "shape_variable_index":
        "6:9: error: 'x.shape' must be indexed with a constant integer",
    "len_of_number":
        "6:13: error: 'n' is a number, not an array: only arrays can be indexed or iterated over",
    "dtype_as_value":
        "6:9: error: attribute 'dtype' is not supported in kernels",
    "strides":
        '6:9: error: only array parameters and local arrays can be indexed (array expressions are not '
        'supported); bind the value to a name first (`t = x * 2.0`, then `t[1:]`), or index the array once '
        '(`x[1:-1]`, not `x[1:][:-1]`)',
    "set_shape":
        '6:5: error: only names and array elements can be assigned in kernels',
    "attribute_assignment":
        '6:5: error: only names and array elements can be assigned in kernels',
    "flat_attribute":
        "6:12: error: attribute 'flat' is not supported in kernels",
    "method_of_int":
        "7:16: error: call to 'n.bit_length' is not supported in kernels",
    "matmul_of_numbers":
        '7:16: error: np.dot() and `@` in a kernel take 1-D or 2-D arrays or slices',
    "annotation_builtin_float_array":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_list":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_string":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_ndarray":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_in_scalar":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_nested_in":
        "5:10: error: unsupported annotation for parameter 'x': expected a scalar type (f32, f64, i32, i64, "
        'int, float, bool, b1, ...) or an array such as In[f32[:]]',
    "annotation_stepped_dim":
        '5:17: error: array dimensions are written `:` (f32[:, :]); extents come from the arguments',
    "return_annotation_array":
        '5:25: error: a kernel returns nothing or one scalar (f32, f64, i32, i64, c128, int, float, bool)',
    "return_annotation_int":
        '6:12: error: this value is f64 but the kernel is annotated -> i64, and Python does not convert a '
        'returned value: convert it (int(...)) or change the annotation',
    "local_annotation_list":
        "6:8: error: a local's annotation must be a scalar type (f32, f64, i32, i64, int, float, bool)",
    "local_annotation_array":
        "6:8: error: a local's annotation must be a scalar type (f32, f64, i32, i64, int, float, bool)",
    "default_array":
        "5:23: error: parameter 'x' has a default value that is not a number; a kernel's defaults are "
        'numeric constants of scalar parameters',
    "default_string":
        "5:16: error: parameter 'a' has a default value that is not a number; a kernel's defaults are "
        'numeric constants of scalar parameters',
    "varargs":
        '5:7: error: `*args` and `**kwargs` are not supported in kernels',
    "keyword_only":
        '5:10: error: positional-only and keyword-only parameters are not supported in kernels',
    "positional_only":
        '5:7: error: positional-only and keyword-only parameters are not supported in kernels',
    "device_negative":
        '4:16: error: device= takes a non-negative integer constant (an OpenMP device number)',
    "device_float":
        '6:16: error: device= takes a non-negative integer constant (an OpenMP device number)',
    "sum_axis_out_of_range":
        '6:27: error: axis 2 is out of range for this 2-dimensional array',
    "sum_axis_float":
        '6:27: error: axis= takes an integer constant, or a tuple of them, in kernels',
    "sum_dtype_string":
        '6:22: error: np.sum() in a kernel takes axis=, keepdims= only',
    "sum_out":
        '6:22: error: np.sum() in a kernel takes axis=, keepdims= only',
    "sum_positional_dtype":
        '6:25: error: this argument takes True or False constant in kernels',
    "sum_where":
        '6:22: error: np.sum() in a kernel takes axis=, keepdims= only',
    "sum_no_args":
        '6:12: error: np.sum() takes an array',
    "sum_unknown_keyword":
        '6:22: error: np.sum() in a kernel takes axis=, keepdims= only',
    "std_ddof_positional":
        '6:37: error: np.std() in a kernel takes axis=, keepdims=, ddof= only',
    "median":
        "6:12: error: call to 'numpy.median' is not supported in kernels",
    "ptp":
        "6:12: error: call to 'numpy.ptp' is not supported in kernels",
    "cumsum_dtype":
        "6:25: error: np.cumsum() in a kernel takes no argument 'dtype' here",
    "cumsum_bool_axis":
        '6:12: error: np.cumsum(): axis= takes an integer, not True (NumPy raises TypeError)',
    "cumprod_keepdims":
        "6:26: error: np.cumprod() in a kernel takes no argument 'keepdims' here",
    "reshape_two_unknowns":
        '6:12: error: a new shape has at most one -1',
    "reshape_complex":
        '6:26: error: a new shape takes integers (`a.reshape(n, -1)`), not 1j',
    "reshape_float":
        '6:26: error: a new shape takes integers (`a.reshape(n, -1)`), not 2.5',
    "reshape_order":
        "6:26: error: a.reshape() in a kernel takes no argument 'order' here",
    "ravel_argument":
        '6:12: error: a.ravel() takes at most 0 arguments here: ()',
    "transpose_method_keyword":
        "6:24: error: transpose() takes no keyword arguments (NumPy raises TypeError for 'axes=')",
    "transpose_unknown_keyword":
        "6:28: error: transpose() takes only axes= (NumPy raises TypeError for 'order=')",
    "transpose_axes_out_of_range":
        '6:12: error: transpose() takes a permutation of the 2 axes, as constants',
    "transpose_1d_axis_2":
        '6:12: error: transpose() takes a permutation of the 1 axes, as constants',
    "transpose_repeated_axis":
        '6:12: error: transpose() takes a permutation of the 2 axes, as constants',
    "flip_unknown_keyword":
        "6:23: error: flip() takes only axis= (NumPy raises TypeError for 'axes=')",
    "flipud_extra_argument":
        '6:12: error: np.flipud() takes an array, nothing more',
    "roll_array_shift":
        '6:23: error: np.roll() in a kernel takes one shift (an integer)',
    "roll_float_shift":
        '6:12: error: np.roll(), np.tile(), np.repeat() and reshapes take integer shifts, repetitions and '
        'lengths, not float64',
    "tile_negative":
        '6:12: error: np.tile() repeats a non-negative number of times (NumPy raises ValueError: negative '
        'dimensions are not allowed)',
    "arange_float_step":
        '6:22: error: the shape of an array made by the kernel may only use integer constants, scalar '
        'parameters, array extents (a.shape[k], len(a)), top-level locals assigned once from those, and + - '
        '* //: the caller allocates the array before the kernel runs',
    "arange_dtype_string":
        "6:31: error: dtype= takes a scalar type or an array's .dtype: np.float64, np.int32, f32, float, "
        'x.dtype, ...',
    "zeros_order":
        '6:12: error: np.zeros() takes a shape and a dtype: np.zeros(shape, dtype)',
    "zeros_dtype_string":
        "6:30: error: an array's dtype is a scalar type: np.float64, np.int32, f32, float, ...",
    "zeros_negative_like":
        "6:24: error: an array's dtype is a scalar type: np.float64, np.int32, f32, float, ...",
    "where_one_argument":
        '6:12: error: np.where() in a kernel takes a condition and two values (`np.where(d > 0, d, 0.0)`); '
        'the one-argument form returns indices, whose number is known only at run time: use the condition as '
        'a mask (`y[x > 0] = 0.0`, `np.sum(x[x > 0])`) or the three-argument np.where',
    "nonzero":
        '6:12: error: np.nonzero() returns indices, whose number is known only at run time, which kernels '
        'cannot make: use the condition as a mask (`y[x > 0] = 0.0`, `np.sum(x[x > 0])`) or the '
        'three-argument np.where',
    "maximum_out":
        "6:31: error: keyword argument 'out=' is not supported in this call in kernels; assign the result "
        'instead (`y[:] = np.maximum(a, b)`)',
    "power_dtype":
        "6:27: error: keyword argument 'dtype=' is not supported in this call in kernels; convert the "
        'arguments or the result instead (`.astype(np.float32)`, `np.float32(v)`)',
    "hypot_three_args":
        '6:12: error: numpy.hypot() takes 2 arguments, got 3',
    "arctan2_one_arg":
        '6:12: error: numpy.arctan2() takes 2 arguments, got 1',
    "sqrt_of_tuple":
        '6:21: error: tuples are only supported on both sides of an assignment (`a, b = b, a`)',
    "exp_of_list":
        '6:19: error: lists are not supported in kernels; use a NumPy array parameter',
    "absolute_string":
        '6:12: error: numpy.absolute() takes 1 argument, got 2',
    "angle_deg_variable":
        '6:12: error: np.angle() in a kernel takes a value and deg=True or False (a constant)',
    "asarray_writes_through":
        "7:5: error: 'y' names a view; use it whole (`y[...] = value`, `y * 2`) or index the array it views: "
        'a view name takes no indices or slices',
    "asarray_of_view":
        '6:12: error: np.asarray() of a view with a dtype copies or not depending on the dtype in NumPy; '
        'write `a[1:].astype(dtype)` for a copy',
    "astype_string":
        "6:12: error: a.astype() in a kernel takes one scalar type or an array's .dtype: np.float32, "
        'np.int64, f64, x.dtype, ...',
    "astype_order":
        "6:33: error: keyword argument 'order=' is not supported in this call in kernels; kernels' arrays "
        'are C-ordered: leave it out',
    "concatenate_axis_none":
        '6:40: error: np.concatenate(..., axis=None) joins the flattened arrays; write '
        'np.concatenate((a.ravel(), b.ravel()))',
    "vstack_single":
        '6:22: error: np.vstack() in a kernel takes a tuple of arrays: np.vstack((a, b))',
    "einsum_variable_subscripts":
        '8:22: error: np.einsum() in a kernel takes its subscripts as a string constant '
        "(`np.einsum('ij,jk->ik', A, B)`)",
    "norm_ord":
        '6:34: error: np.linalg.norm() in a kernel computes the default norm only: drop ord=',
    "inv_of_vector":
        '6:12: error: np.linalg.inv() in a kernel takes a 2-D matrix',
    "dot_three_args":
        '6:12: error: np.dot() in a kernel takes two arrays or slices',
    "outer_of_2d":
        '6:12: error: np.outer() in a kernel takes 1-D or 2-D array values (1-D for np.outer and np.vdot): '
        'views or elementwise expressions of views, in a kernel (not a device function)',
    "sort":
        "6:12: error: call to 'numpy.sort' is not supported in kernels",
    "sort_method":
        '7:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "fill_method":
        '6:5: error: this expression has no effect; kernels communicate through Out/InOut arrays (and calls '
        "of the module's functions, which may write to arrays)",
    "tolist":
        "6:12: error: call to 'x.tolist' is not supported in kernels",
    "item":
        "6:12: error: call to 'x.item' is not supported in kernels",
    "copy_order":
        "6:12: error: call to 'x.copy' is not supported in kernels",
    "round_decimals_variable":
        '6:24: error: np.round(): decimals takes an integer constant in kernels',
}
"""Each refused probe's message, from its line and column on: `file:` comes first, and the source
line and a caret follow. The probes not named here translate."""
