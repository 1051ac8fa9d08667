"""Python expressions to untyped IR expressions, one small builder per supported node type."""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import libcst as cst

from translator.errors import TranslationError
from translator.frontend.call_checks import check_plain_parameters, not_indexable, refuse_whole_array_helper
from translator.frontend.call_checks import nodes_in as nodes_in  # kept here too: many modules import it from here
from translator.frontend.context import KernelScope, ModuleScope
from translator.frontend.signature import SCALAR_ANNOTATIONS, indexed_ranks, scalar_annotation
from translator.frontend.source import NAMED_CONSTANTS, fold_constant
from translator.frontend.syntax import dispatch
from translator.ir import nodes as ir
from translator.ir.types import BOOL, PY_COMPLEX, ArrayType, ScalarType

BINARY_OPS: dict[type, str] = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.Power: "**", cst.BitAnd: "&", cst.BitOr: "|", cst.BitXor: "^",
    cst.LeftShift: "<<", cst.RightShift: ">>",
}
UNARY_OPS: dict[type, str] = {cst.Minus: "-", cst.Plus: "+", cst.BitInvert: "~", cst.Not: "not"}
COMPARE_OPS: dict[type, str] = {
    cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">", cst.GreaterThanEqual: ">=",
    cst.Equal: "==", cst.NotEqual: "!=",
}
MATH_FUNCTIONS: dict[str, int] = {
    **dict.fromkeys(
        ("sqrt exp log log2 log10 sin cos tan asin acos atan sinh cosh tanh erf fabs floor ceil trunc "
         "isnan isinf isfinite expm1 log1p").split(), 1),
    **dict.fromkeys("atan2 fmod pow hypot copysign".split(), 2),
}
NUMPY_FUNCTIONS: dict[str, int] = {
    **dict.fromkeys(
        ("sqrt exp log log2 log10 sin cos tan arcsin arccos arctan sinh cosh tanh abs fabs floor ceil "
         "trunc isnan isinf isfinite expm1 log1p real imag conj conjugate cbrt rint exp2 arcsinh arccosh arctanh "
         "absolute sign square reciprocal negative deg2rad rad2deg degrees radians acos asin atan acosh asinh atanh "
         "invert bitwise_not bitwise_invert positive signbit spacing").split(), 1),
    **dict.fromkeys(("arctan2 fmod power hypot copysign minimum maximum fmax fmin mod remainder floor_divide "
                     "true_divide divide add subtract multiply less less_equal greater greater_equal equal "
                     "not_equal atan2 pow bitwise_and bitwise_or bitwise_xor left_shift right_shift bitwise_left_shift "
                     "bitwise_right_shift logaddexp logaddexp2 heaviside float_power nextafter ldexp gcd lcm").split(), 2),
}


SLICE_ELSEWHERE = ("an array slice is a value only in array statements (`c[i, :] = a[i, :] * 2`, `b = a[1:] - a[:-1]`) "
                   "and as the argument of a reduction (np.sum, np.max, np.min, np.mean, np.dot, `@`); index one "
                   "element here (`a[i, j]`)")
KEYWORD_CALLS = ("numpy.sum", "numpy.max", "numpy.min", "numpy.mean", "numpy.amax", "numpy.amin", "numpy.var",
                 "numpy.std", "numpy.count_nonzero", "numpy.prod", "numpy.any", "numpy.all", "numpy.argmax",
                 "numpy.argmin", "numpy.average", "numpy.linalg.norm")
"""Calls that take a keyword argument (`axis=`) in kernels."""
KEYWORDS_TAKEN: set[str] = set()
"""More calls whose builders read their own keyword arguments (`np.linspace(..., endpoint=False)`,
`a.cumsum(axis=1)` as "a.cumsum"), added by the modules that register them."""
Builder = Callable[[cst.CSTNode, list[cst.BaseExpression], KernelScope], ir.Expr]
METHODS: dict[str, Builder] = {}
"""Array methods (`a.clip(0, 1)`, `a.reshape(-1)`, `x.sum()`) by name, registered by
`frontend.array_functions`, `frontend.elementwise_calls` and `frontend.array_calls`: a call of an attribute that names no module member."""
LOGICAL_CALLS = ("numpy.logical_and", "numpy.logical_or", "numpy.logical_xor", "numpy.logical_not")
COMPARISON_CALLS = tuple(f"numpy.{name}" for name in
                         ("less", "less_equal", "greater", "greater_equal", "equal", "not_equal"))
"""NumPy's comparison ufuncs: `np.less(a, b)` is `a < b`, a mask when an operand is an array."""
ATOMIC_CALLS = tuple(f"translator.atomic_{op}" for op in ("add", "sub", "min", "max"))


def build_expr(node: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    """The untyped IR of `node`; constant subexpressions are folded as Python computes them. Inside an
    array expression, an array view is read at the element being computed (`frontend.arrays`)."""
    if isinstance(node, cst.Name) and node.value in scope.arguments:
        return scope.arguments[node.value]  # a lambda's parameter, shadowing any array of that name
    if scope.element_of is not None:
        element = scope.element_of(node, scope)
        if element is not None:
            return element
    value = fold_constant(node, scope.module, _visible_constants(scope))
    if value is not None:
        return ir.Const(value, scope.module.span(node))
    return dispatch(EXPRESSIONS, node, scope)


def _visible_constants(scope: KernelScope) -> dict[str, int | float | bool]:
    """Module constants not shadowed by a parameter or a local of the kernel."""
    return {k: v for k, v in scope.module.constants.items()
            if k not in scope.assigned and k not in scope.params and k not in scope.arguments}


def _name(node: cst.Name, scope: KernelScope) -> ir.Expr:
    name, span = node.value, scope.module.span(node)
    if name in scope.arguments:
        return scope.arguments[name]
    if name in scope.lambdas:
        raise scope.module.error(node, f"'{name}' names a lambda; kernels only call it (`{name}(x[i])`)")
    param = scope.params.get(name)
    if (param is not None and param.is_array) or name in scope.arrays:
        raise scope.module.error(node, f"array '{name}' can only be indexed (`{name}[i]`) or measured (`{name}.shape[0]`)")
    if scope.mask(node) is not None:
        raise _mask_as_value(node, scope)
    if name in scope.views:
        raise scope.module.error(node, SLICE_ELSEWHERE)
    if param is not None or name in scope.assigned:
        return ir.Name(name, span)
    if name == "None":
        raise scope.module.error(node, "None is not supported in kernels")
    if scope.module.qualified_name(node):
        raise scope.module.error(node, f"'{name}' can only be called here, not used as a value")
    raise scope.module.error(
        node, f"name '{name}' is not defined in this kernel (kernels see their parameters, their "
        "locals and module-level numeric constants)")


def _mask_as_value(node: cst.BaseExpression, scope: KernelScope) -> TranslationError:
    """A mask local used where a value or an array is needed: it names an expression, not an array."""
    name = cst.Module([]).code_for_node(node)
    return scope.module.error(
        node, f"'{name}' names a mask (a boolean array expression), not an array: use it to select elements "
        f"(`np.sum(a[{name}])`, `np.mean(a[{name}])`, `a[{name}] = v`) or in array expressions (`y[:] = {name} * 2.0`)")


def _imaginary(node: cst.Imaginary, scope: KernelScope) -> ir.Expr:
    return ir.Const(complex(node.evaluated_value), scope.module.span(node))


def _integer(node: cst.Integer, scope: KernelScope) -> ir.Expr:
    return ir.Const(int(node.evaluated_value), scope.module.span(node))


def _float(node: cst.Float, scope: KernelScope) -> ir.Expr:
    return ir.Const(float(node.evaluated_value), scope.module.span(node))


def _subscript(node: cst.Subscript, scope: KernelScope) -> ir.Expr:
    if isinstance(node.value, cst.Attribute) and node.value.attr.value == "shape":
        return _extent(node, node.value.value, scope)
    array = array_param(node.value, scope)
    indices = []
    for element in node.slice:
        if not isinstance(element.slice, cst.Index) or element.slice.star is not None:
            raise scope.module.error(element, SLICE_ELSEWHERE)
        indices.append(build_expr(element.slice.value, scope))
    rank = array.rank
    if len(indices) != rank:
        raise scope.module.error(
            node, f"array '{array.name}' has {rank} dimension{'s' * (rank > 1)} but is indexed with {len(indices)}")
    return ir.Index(array.name, tuple(indices), scope.module.span(node))


class ArrayRef(NamedTuple):
    """An indexable name: an array parameter (`shape` None: its extents are parameters) or an array
    made inside a loop, whose `shape` is known (constants, or a temporary's host expressions)."""

    name: str
    rank: int
    shape: tuple[ir.Expr, ...] | None


def array_param(node: cst.BaseExpression, scope: KernelScope) -> ArrayRef:
    name = node.value if isinstance(node, cst.Name) else ""
    param, local = scope.params.get(name), scope.arrays.get(name)
    if local is not None:
        return ArrayRef(name, local.type.rank, made_shape(local))
    if scope.mask(node) is not None:
        raise _mask_as_value(node, scope)
    if name in scope.views:
        raise scope.module.error(node, f"'{name}' names a view; use it whole (`{name}[...] = value`, `{name} * 2`) or "
                                       "index the array it views: a view name takes no indices or slices")
    if param is None or not isinstance(param.type, (ArrayType, ir.ArrayLike)):
        raise scope.module.error(node, not_indexable(node, scope))
    return ArrayRef(name, param.type.rank, None)


def array_type(name: str, scope: KernelScope) -> ArrayType | ir.ArrayLike | None:
    """The type of array `name` (a parameter, or an array made inside a loop); None for other names."""
    local = scope.arrays.get(name)
    if local is not None:
        return local.type
    param = scope.params.get(name)
    return param.type if param is not None and isinstance(param.type, (ArrayType, ir.ArrayLike)) else None


def array_dtype(name: str, scope: KernelScope) -> ir.Dtype:
    """The dtype of array `name`: its scalar type, or, for an array the kernel makes (whose dtype
    typing decides, `ir.ArrayLike`), its element as an expression."""
    kind = array_type(name, scope)
    assert kind is not None, name
    if isinstance(kind, ir.ArrayLike):
        return ir.dtype_of_array(name, kind.rank, scope.arrays[name].span if name in scope.arrays
                                 else scope.params[name].span)
    return kind.dtype


def dtype_of(node: cst.BaseExpression, scope: KernelScope) -> ir.Dtype | None:
    """The element type a dtype argument names: a scalar type (`np.float64`, `f32`, `float`) or an
    array's `.dtype` (`x.dtype`, NumPy's way to follow the input's precision); None for anything else."""
    if isinstance(node, cst.Attribute) and node.attr.value == "dtype" and isinstance(node.value, cst.Name):
        return array_dtype(node.value.value, scope) if array_type(node.value.value, scope) is not None else None
    return scalar_annotation(node, scope.module)


def made_shape(array: ir.LocalArray | ir.Temporary) -> tuple[ir.Expr, ...]:
    """The extents of an array made inside a loop: constants, or a temporary's host expressions
    (so lengths compare, and the runtime checks them, in terms of the arguments)."""
    if isinstance(array, ir.Temporary):
        return array.shape
    return tuple(ir.Const(n, array.span) for n in array.shape)


def _extent(node: cst.Subscript, base: cst.BaseExpression, scope: KernelScope) -> ir.Expr:
    """`a.shape[k]` with a constant `k` (negative counts from the end, as in Python); a local
    array's extents are constants."""
    array = array_param(base, scope)
    rank = array.rank
    element = node.slice[0].slice if len(node.slice) == 1 else None
    dim = fold_constant(element.value, scope.module, {}) if isinstance(element, cst.Index) else None
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise scope.module.error(node, f"'{array.name}.shape' must be indexed with a constant integer")
    if not -rank <= dim < rank:
        raise scope.module.error(node, f"'{array.name}' has {rank} dimension{'s' * (rank > 1)}; shape[{dim}] is out of range")
    if array.shape is not None:
        return array.shape[dim]
    return ir.Extent(array.name, dim % rank, scope.module.span(node))


def shape_parts(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The dimensions of a shape argument: a tuple's or a list's elements (NumPy takes both), or one expression."""
    return [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List)) else [node]


def shape_extents(node: cst.Attribute, count: int, scope: KernelScope) -> list[ir.Expr]:
    """The extents `a.shape` unpacks to (`m, n = a.shape`), which must be `count` of them: Python's
    `ValueError` on unpacking is a located error here."""
    array = array_param(node.value, scope)
    if array.rank != count:
        raise scope.module.error(
            node, f"'{array.name}.shape' has {array.rank} extent{'s' * (array.rank > 1)}; the left side names {count} "
            "(Python raises ValueError when unpacking)")
    if array.shape is not None:
        return list(array.shape)
    return [ir.Extent(array.name, dim, scope.module.span(node)) for dim in range(array.rank)]


def _attribute(node: cst.Attribute, scope: KernelScope) -> ir.Expr:
    if node.attr.value in ("real", "imag"):
        return ir.Call(node.attr.value, (build_expr(node.value, scope),), scope.module.span(node))
    if node.attr.value == "shape":
        raise scope.module.error(node, "'.shape' must be indexed with a constant (`a.shape[0]`)")
    if node.attr.value in ("size", "ndim") and isinstance(node.value, cst.Name) and array_type(
            node.value.value, scope) is not None:
        return _size(node, scope)
    raise scope.module.error(node, f"attribute '{node.attr.value}' is not supported in kernels")


def _size(node: cst.Attribute, scope: KernelScope) -> ir.Expr:
    """`a.ndim`, a constant; `a.size`, the product of `a`'s extents (`a_n0 * a_n1`)."""
    array = array_param(node.value, scope)
    span = scope.module.span(node)
    if node.attr.value == "ndim":
        return ir.Const(array.rank, span)
    extents = shape_extents(node, array.rank, scope)
    return functools.reduce(lambda total, extent: ir.Binary("*", total, extent, span), extents)


def _binary(node: cst.BinaryOperation, scope: KernelScope) -> ir.Expr:
    if isinstance(node.operator, cst.MatrixMultiply):
        return CALLS["numpy.dot"](node, [node.left, node.right], scope)  # registered by `frontend.array_calls`
    op = BINARY_OPS[type(node.operator)]
    return ir.Binary(op, build_expr(node.left, scope), build_expr(node.right, scope), scope.module.span(node))


def _unary(node: cst.UnaryOperation, scope: KernelScope) -> ir.Expr:
    op = UNARY_OPS[type(node.operator)]
    return ir.Unary(op, build_expr(node.expression, scope), scope.module.span(node))


def _boolean(node: cst.BooleanOperation, scope: KernelScope) -> ir.Expr:
    op = "and" if isinstance(node.operator, cst.And) else "or"
    return ir.Logical(op, build_expr(node.left, scope), build_expr(node.right, scope), scope.module.span(node))


def _comparison(node: cst.Comparison, scope: KernelScope) -> ir.Expr:
    """`a < b < c` is `a < b and b < c`; the IR has only binary comparisons."""
    span = scope.module.span(node)
    left = build_expr(node.left, scope)
    result: ir.Expr | None = None
    for target in node.comparisons:
        op = COMPARE_OPS.get(type(target.operator))
        if op is None:
            raise scope.module.error(target, "only < <= > >= == != comparisons are supported in kernels")
        right = build_expr(target.comparator, scope)
        compare = ir.Compare(op, left, right, span)
        result = compare if result is None else ir.Logical("and", result, compare, span)
        left = right
    assert result is not None
    return result


def _if_exp(node: cst.IfExp, scope: KernelScope) -> ir.Expr:
    return ir.Select(build_expr(node.test, scope), build_expr(node.body, scope), build_expr(node.orelse, scope),
                     scope.module.span(node))


def _call(node: cst.Call, scope: KernelScope) -> ir.Expr:
    name = scope.module.qualified_name(node.func)
    local = isinstance(node.func, cst.Name) and (node.func.value in scope.assigned or node.func.value in scope.params)
    if local:
        name = None
    if isinstance(node.func, cst.Lambda):
        dispatch(EXPRESSIONS, node.func, scope)  # rejected with the syntax table's message
    if isinstance(node.func, cst.Name) and node.func.value in scope.lambdas:
        return _call_lambda(node, node.func.value, scope)
    function = not local and isinstance(node.func, cst.Name) and node.func.value in scope.module.functions
    method = f"a.{node.func.attr.value}" if isinstance(node.func, cst.Attribute) and name is None else None
    takes_keywords = function or name in KEYWORD_CALLS or (name or method) in KEYWORDS_TAKEN
    for arg in node.args:
        if arg.star:
            raise scope.module.error(arg, "starred arguments (`f(*args)`, `f(**kw)`) are not supported in kernel "
                                          "calls; pass each argument")
        if arg.keyword is not None and not takes_keywords:
            _refuse_keyword(node, arg, name, method, scope)
    if function:
        return _call_function(node, node.func.value, scope)  # type: ignore[attr-defined]
    args = [a.value for a in node.args if a.keyword is None]
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "conjugate" and name is None and not args:
        return ir.Call("conj", (build_expr(node.func.value, scope),), scope.module.span(node))
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "copy" and name is None and not args:
        return build_expr(node.func.value, scope)  # `a[i, :].copy()`: an element is a value already
    if isinstance(node.func, cst.Attribute) and name is None and node.func.attr.value in METHODS:
        return METHODS[node.func.attr.value](node, args, scope)
    if name in CALLS:
        return CALLS[name](node, args, scope)
    if name is not None and name.startswith("math.") and name[5:] in MATH_FUNCTIONS:
        return _intrinsic(node, name, args, MATH_FUNCTIONS[name[5:]], scope)
    if name is not None and name.startswith("numpy.") and name[6:] in NUMPY_FUNCTIONS:
        return _intrinsic(node, name, args, NUMPY_FUNCTIONS[name[6:]], scope)
    cast = SCALAR_ANNOTATIONS.get(name or "") or _dtype_type(node.func, scope)
    if cast is not None:
        return _cast(node, args, cast, scope)
    label = (name or cst.Module([]).code_for_node(node.func)).removeprefix("builtins.")
    if isinstance(node.func, cst.Name) and node.func.value in scope.module.unmarked:
        raise scope.module.error(
            node, f"'{label}' comes from module '{scope.module.unmarked[node.func.value]}', which is not marked for "
            "kernels: call `device_functions()` (from translator) at its top level")
    raise scope.module.error(node, f"call to '{label}' is not supported in kernels")


def _refuse_keyword(node: cst.Call, arg: cst.Arg, name: str | None, method: str | None, scope: KernelScope) -> None:
    """A keyword given to a call that takes none: a call kernels do not know at all says so first
    (`np.median(x, axis=0)` is not about its keyword)."""
    known = (method is not None and method[2:] in METHODS) or name in CALLS or (name or "").startswith(
        ("math.", "numpy.")) and ((name or "")[5:] in MATH_FUNCTIONS or (name or "")[6:] in NUMPY_FUNCTIONS)
    if not known and SCALAR_ANNOTATIONS.get(name or "") is None and _dtype_type(node.func, scope) is None:
        label = (name or cst.Module([]).code_for_node(node.func)).removeprefix("builtins.")
        raise scope.module.error(node, f"call to '{label}' is not supported in kernels")
    assert arg.keyword is not None
    keyword = arg.keyword.value
    instead = KEYWORD_INSTEAD.get(keyword, "pass its value by position if the call takes it there")
    raise scope.module.error(arg, f"keyword argument '{keyword}=' is not supported in this call in kernels; {instead}")


KEYWORD_INSTEAD = {
    "out": "assign the result instead (`y[:] = np.maximum(a, b)`)",
    "dtype": "convert the arguments or the result instead (`.astype(np.float32)`, `np.float32(v)`)",
    "order": "kernels' arrays are C-ordered: leave it out",
    "where": "select with np.where(cond, f(a), b) instead",
    "casting": "convert the arguments instead (`.astype(...)`)",
}
"""What to write instead of NumPy's keywords that kernels do not take, where passing it by position
would not help."""


def _call_function(node: cst.Call, name: str, scope: KernelScope) -> ir.Expr:
    """A call of a plain function of the module: a device function, typed per call site later.
    Arguments bind to parameters as in Python, by position then by keyword (`lap(g, dx=0.5)`); a
    parameter left out takes its default, a constant passed as the caller's literal would be."""
    function = scope.module.functions[name]
    check_plain_parameters(function.node, function.module)
    params = [p.name.value for p in function.node.params.params]
    bound: dict[str, cst.BaseExpression] = {}
    for position, arg in enumerate(node.args):
        key = arg.keyword.value if arg.keyword is not None else (params[position] if position < len(params) else "")
        if key not in params or key in bound:
            what = (f"got an unexpected keyword argument '{key}'" if arg.keyword is not None and key not in params
                    else f"got multiple values for argument '{key}'" if key in bound
                    else f"takes {len(params)} argument{'s' * (len(params) != 1)}, got {len(node.args)}")
            raise scope.module.error(arg, f"{name}() {what}")
        bound[key] = arg.value
    ranks = indexed_ranks(function.node.body)
    refuse_whole_array_helper(node, name, function, set(ranks), KEYWORD_CALLS, scope)
    args = tuple(_argument(bound[p.name.value], ranks.get(p.name.value, 0) > 0, scope) if p.name.value in bound
                 else _default_argument(node, name, p, function.module, scope) for p in function.node.params.params)
    return ir.CallFunction(function.ir_name, args, scope.module.span(node))


def bind_lambda(target: cst.Name, value: cst.Lambda, scope: KernelScope) -> None:
    """`f = lambda v: v * v`: the name stands for the lambda, whose body each call builds with the
    call's arguments (`_call_lambda`); so it is bound once, with plain positional parameters."""
    params = value.params
    if (params.star_arg is not None and isinstance(params.star_arg, cst.Param)) or params.star_kwarg or \
            params.kwonly_params or params.posonly_params or any(p.default is not None for p in params.params):
        raise scope.module.error(value, "a lambda in a kernel takes plain positional parameters (`lambda x, y: ...`)")
    if scope.facts.bindings.get(target.value) != 1 or target.value in scope.lambdas:
        raise scope.module.error(target, f"'{target.value}' is bound to a lambda and bound again; bind a lambda once, "
                                         "under a name of its own")
    scope.lambdas[target.value] = value


def _call_lambda(node: cst.Call, name: str, scope: KernelScope) -> ir.Expr:
    """A call of a lambda bound to a name: its body with the parameters bound to the arguments' values
    (built in the caller's context, as Python evaluates them before the call). The body sees the
    kernel's names as they are at the call, as a Python closure does."""
    if name in scope.calling:
        chain = " -> ".join([*scope.calling[scope.calling.index(name):], name])
        raise scope.module.error(node, f"recursive calls are not supported in kernels ({chain}); write a loop")
    function = scope.lambdas[name]
    names = [p.name.value for p in function.params.params]
    for part in nodes_in(function.body):
        if isinstance(part, (cst.Subscript, cst.Attribute)) and isinstance(part.value, cst.Name) and \
                part.value.value in names:
            raise scope.module.error(part, "a lambda in a kernel computes with numbers; index arrays at the call "
                                           "(`f(x[i])`), or write a function of the module for arrays")
    if any(a.keyword is not None or a.star for a in node.args) or len(node.args) != len(names):
        raise scope.module.error(node, f"this lambda takes {len(names)} positional argument{'s' * (len(names) != 1)}")
    values = {n: build_expr(a.value, scope) for n, a in zip(names, node.args)}
    outer, scope.arguments = scope.arguments, {**scope.arguments, **values}
    scope.calling.append(name)
    try:
        return build_expr(function.body, scope)
    finally:
        scope.arguments = outer
        scope.calling.pop()


def _default_argument(node: cst.Call, name: str, param: cst.Param, module: ModuleScope, scope: KernelScope) -> ir.Expr:
    """The value of a parameter the call leaves out: its default, a numeric constant of the function's
    module (also checked where the function is read, for defaults no call uses)."""
    if param.default is None:
        raise scope.module.error(node, f"{name}() missing required argument '{param.name.value}'")
    value = fold_constant(param.default, module, module.constants)
    if value is None:
        raise module.error(param.default, f"parameter '{param.name.value}' has a default value that is not a number; "
                                          "a device function's defaults are numeric constants")
    return ir.Const(value, scope.module.span(node))


def _argument(node: cst.BaseExpression, indexed: bool, scope: KernelScope) -> ir.Expr:
    """A whole array (by name) is passed as such; anything else is a value. Inside an array
    expression (`g + dt * lap(g)`) an array the function does not index is read at the element
    being computed: a function of numbers applied to arrays computes element by element, as NumPy's
    operators inside it do."""
    name = node.value if isinstance(node, cst.Name) else ""
    param = scope.params.get(name)
    is_array = name in scope.arrays or (param is not None and param.is_array)
    if is_array and (indexed or scope.elements is None):
        return ir.ArrayArg(name, scope.module.span(node))
    return build_expr(node, scope)


def _intrinsic(node: cst.Call, name: str, args: list[cst.BaseExpression], arity: int, scope: KernelScope) -> ir.Expr:
    if len(args) != arity:
        raise scope.module.error(node, f"{name}() takes {arity} argument{'s' * (arity > 1)}, got {len(args)}")
    return ir.Call(name, tuple(build_expr(a, scope) for a in args), scope.module.span(node))


def _dtype_type(func: cst.BaseExpression, scope: KernelScope) -> ir.Dtype | None:
    """The scalar type `x.dtype.type` names (`x.dtype.type(0)`: a zero of `x`'s precision), if `func` is that."""
    if isinstance(func, cst.Attribute) and func.attr.value == "type" and isinstance(func.value, cst.Attribute):
        return dtype_of(func.value, scope) if func.value.attr.value == "dtype" else None
    return None


def _cast(node: cst.Call, args: list[cst.BaseExpression], to: ir.Dtype, scope: KernelScope) -> ir.Expr:
    """`float(x)`, `np.int32(x)`, `x.dtype.type(0)`; `float("inf")` and the like of a float type are
    constants."""
    if len(args) == 1 and isinstance(args[0], cst.SimpleString) and isinstance(to, ScalarType) and to.is_float:
        text = args[0].evaluated_value
        special = {"inf": float("inf"), "-inf": float("-inf"), "nan": float("nan")}.get(str(text).lower())
        if special is not None:
            return ir.Const(special, scope.module.span(node))
    if len(args) != 1:
        label = to.name if isinstance(to, ScalarType) else cst.Module([]).code_for_node(node.func)
        raise scope.module.error(node, f"conversion to {label} takes exactly one argument")
    checked = scope.module.qualified_name(node.func) == "builtins.int"
    if not isinstance(to, ScalarType):
        return ir.converted(build_expr(args[0], scope), to, scope.module.span(node))
    return ir.Cast(build_expr(args[0], scope), scope.module.span(node), to, python_int=checked)


def _copy(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.copy(a)`: read element by element, a copy is the element itself."""
    if len(args) != 1:
        raise scope.module.error(node, "np.copy() takes exactly one array")
    return build_expr(args[0], scope)


def _logical(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`np.logical_and/or/xor/not`: NumPy's truth of each operand (nonzero), combined into a bool."""
    assert isinstance(node, cst.Call)
    func = scope.module.qualified_name(node.func) or ""
    arity = 1 if func == "numpy.logical_not" else 2
    if len(args) != arity:
        raise scope.module.error(node, f"{func.replace('numpy.', 'np.')}() takes {arity} argument{'s' * (arity > 1)}")
    span = scope.module.span(node)
    truths = [ir.Cast(build_expr(a, scope), span, BOOL) for a in args]
    if func == "numpy.logical_not":
        return ir.Unary("not", truths[0], span)
    if func == "numpy.logical_xor":
        return ir.Compare("!=", truths[0], truths[1], span)
    return ir.Logical("and" if func == "numpy.logical_and" else "or", truths[0], truths[1], span)


def _abs(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    assert isinstance(node, cst.Call)
    return _intrinsic(node, "abs", args, 1, scope)


def _min_max(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    assert isinstance(node, cst.Call)
    func = (scope.module.qualified_name(node.func) or "").removeprefix("builtins.")
    if len(args) < 2:
        raise scope.module.error(node, f"{func}() in a kernel takes two or more numbers (not an iterable)")
    return ir.Call(func, tuple(build_expr(a, scope) for a in args), scope.module.span(node))


def _complex(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    """`complex(re, im)` (two reals) or `complex(x)`, a conversion."""
    if not 1 <= len(args) <= 2:
        raise scope.module.error(node, "complex() takes one or two numbers in kernels")
    if len(args) == 1:
        return ir.Cast(build_expr(args[0], scope), scope.module.span(node), PY_COMPLEX)
    return ir.Call("complex", tuple(build_expr(a, scope) for a in args), scope.module.span(node))


def _len(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    if len(args) != 1:
        raise scope.module.error(node, "len() takes exactly one argument")
    array = array_param(args[0], scope)
    if array.shape is not None:
        return array.shape[0]
    return ir.Extent(array.name, 0, scope.module.span(node))


def _atomic_in_expression(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    raise scope.module.error(node, "atomic updates are statements of their own; they return nothing")


def _array_outside_assignment(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    raise scope.module.error(
        node, "arrays are made only as the whole right-hand side of an assignment to a name "
        "(`t = np.zeros(16, np.float64)`)")


def _range_outside_loop(node: cst.CSTNode, args: list[cst.BaseExpression], scope: KernelScope) -> ir.Expr:
    raise scope.module.error(node, "range() and prange() can only be used as the iterable of a `for` loop")


CALLS: dict[str, Builder] = {
    "builtins.complex": _complex, "builtins.abs": _abs, "builtins.min": _min_max, "builtins.max": _min_max,
    "builtins.len": _len, "numpy.copy": _copy, **dict.fromkeys(LOGICAL_CALLS, _logical),
    "builtins.range": _range_outside_loop, "translator.prange": _range_outside_loop,
    **dict.fromkeys(("numpy.zeros", "numpy.empty", "numpy.ndarray", "numpy.ones", "numpy.full", "numpy.zeros_like",
                     "numpy.empty_like", "numpy.ones_like", "numpy.full_like"), _array_outside_assignment),
    **dict.fromkeys(ATOMIC_CALLS, _atomic_in_expression),
}
EXPRESSIONS: dict[type, Callable[..., ir.Expr]] = {
    cst.Name: _name, cst.Integer: _integer, cst.Float: _float, cst.Imaginary: _imaginary, cst.Subscript: _subscript,
    cst.Attribute: _attribute, cst.BinaryOperation: _binary, cst.UnaryOperation: _unary,
    cst.BooleanOperation: _boolean, cst.Comparison: _comparison, cst.IfExp: _if_exp, cst.Call: _call,
}

