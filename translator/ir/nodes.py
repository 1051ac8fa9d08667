"""The typed IR between libcst and C: small frozen dataclasses, each carrying its Python span.

The frontend builds this tree with `type=None` on expressions and the dtype of each array it makes
left open (`ArrayLike`); `passes.typing` fills every type, once, and makes each conversion an
explicit `Cast`, so the C backend never decides semantics. Parallel
loops start as `Loop(parallel=True)`; `passes.parallelize` turns the top-level ones into
`ParallelLoop` nodes carrying their OpenMP directive as data (`OmpTarget` / `OmpParallelFor`).
Array statements (`ArrayAssign` over `View`s, the array tier) exist from the frontend until
`passes.lower_arrays`, which turns them into loops right after typing.

The nodes live in three modules, each building on the one before: `ir.exprs` (expressions, and the
`ArrayLike` / `Dtype` types the frontend gives arrays before typing), `ir.stmts` (statements and the
OpenMP directives as data) and `ir.kernels` (kernels, device functions, modules and what the caller
checks around a call). This module is their one public face: every pass imports
`from translator.ir import nodes as ir` and names `ir.X`, whichever module defines `X`.
"""

from __future__ import annotations

from translator.ir.exprs import (
    MASKED_REDUCE_OPS as MASKED_REDUCE_OPS, REDUCE_OPS as REDUCE_OPS, Arange as Arange, ArrayArg as ArrayArg,
    ArrayLike as ArrayLike, ArrayReduce as ArrayReduce, Binary as Binary, Call as Call,
    CallFunction as CallFunction, Cast as Cast, Compare as Compare, Const as Const, Dtype as Dtype, Expr as Expr,
    Extent as Extent, Gather as Gather, Index as Index, Logical as Logical, Name as Name, Position as Position,
    Remap as Remap, Select as Select, Unary as Unary, View as View, ViewAxis as ViewAxis, array_of as array_of,
    converted as converted, dtype_of_array as dtype_of_array, known_array as known_array, known_type as known_type,
)
from translator.ir.stmts import (
    ArrayAssign as ArrayAssign, ArrayValue as ArrayValue, Assign as Assign, AtomicUpdate as AtomicUpdate,
    Break as Break, CallStatement as CallStatement, ChunkPhase as ChunkPhase, Continue as Continue, If as If,
    Interval as Interval, Launch as Launch, LibraryCall as LibraryCall, LocalArray as LocalArray, Loop as Loop,
    LoopLevel as LoopLevel, MapClause as MapClause, OmpParallelFor as OmpParallelFor, OmpTarget as OmpTarget,
    ParallelLoop as ParallelLoop, Reduction as Reduction, Return as Return, Scatter as Scatter, Stmt as Stmt,
    TargetData as TargetData, TaskWait as TaskWait, TeamLoop as TeamLoop, Temporary as Temporary,
    UpdateFrom as UpdateFrom, Var as Var, While as While,
)
from translator.ir.kernels import (
    FAILED as FAILED, STATUS as STATUS, STATUS_BASE as STATUS_BASE, Allocation as Allocation, Failure as Failure,
    Formatted as Formatted, Function as Function, FunctionParam as FunctionParam, InputCheck as InputCheck,
    Kernel as Kernel, LengthCheck as LengthCheck, Module as Module, Movement as Movement, Param as Param,
    Results as Results,
)
