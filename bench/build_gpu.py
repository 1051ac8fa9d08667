"""Build what `bench/gpu_run.py` and `bench/peers.py` run on a GPU machine (no compiler there): run it here.

    python bench/build_gpu.py .gpubuild [TARGET [PARTS]]   # then carry .gpubuild and .gpu to the GPU machine

PARTS (comma-separated, default all): examples, triad, modules, suite, copyback, copy_rate, corpus, multi,
launch, bandwidth, rows, columns, overhead; `bench/peers.py` needs only `modules`, `bench/call_overhead.py gpu .gpubuild
OUT.json` only `overhead` (bench/kernels/overhead.py into `overhead/`), `bench/copy_rate.py` only `copy_rate`, `bench/multi_gpu.py run
.gpubuild/multi` only `multi`, `bench/launch_floor.py` only `launch` (jacobi_1d with and without
asynchronous launches), `bench/bandwidth_variants.py run .gpubuild/bandwidth OUT.json` only `bandwidth`,
`bench/row_variants.py run .gpubuild/rows OUT.json` only `rows` (softmax's row-wise team kernel),
`bench/column_sums.py run .gpubuild/columns OUT.json` only `columns` (column sums, bare and not).

Writes `py2omp build` output for every example (target nvptx:sm_90); the copy-back kernels of
`bench/copyback.py` (into `copyback/`); for the launch configuration study, the resident STREAM triad
with several variants of its launch clauses; the array-statement benchmark and the NPBench-style
kernels (`modules/`); the test suite's kernel modules (`suite/`); and the corpus kernels that
translate (`corpus/`, tests/corpus, for the types of their test arguments).
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import numpy as np

import bandwidth_variants
import call_overhead
import column_sums
import copy_rate
import copyback
import launch_floor
import multi_gpu
import row_variants

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator, and tests.corpus

from tests import corpus  # noqa: E402
from translator import pipeline  # noqa: E402
from translator.api import Kernel  # noqa: E402
from translator.call_types import argument_types, untyped_parameters  # noqa: E402
from translator.frontend import Selection, Signature, module_name  # noqa: E402
from translator.targets import Target, parse_target  # noqa: E402
from translator.errors import TranslationError  # noqa: E402
from translator.toolchain.cache import build_cached, export_build  # noqa: E402

LAUNCH_CLAUSES = re.compile(r" \\\n\s+num_teams\([^\n]*\)| \\\n\s+thread_limit\(\d+\)")
VARIANTS = {
    "default": None,
    "bare": "",
    "threads256": " thread_limit(256)",
    "teams65536_threads256": " num_teams(65536) thread_limit(256)",
    "teams_from_trip_threads128": " num_teams(py2omp_num_teams(a_n0, 128)) thread_limit(128)",
    "teams_from_trip_threads512": " num_teams(py2omp_num_teams(a_n0, 512)) thread_limit(512)",
}


def build_examples(out: Path, target: Target) -> None:
    for path in [*sorted((ROOT / "examples").glob("*.py")), ROOT / "bench" / "kernels" / "overhead.py"]:
        subprocess.run([sys.executable, "-m", "translator", "build", str(path.relative_to(ROOT)),
                        "--target", str(target), "-o", str(out / "examples" / path.stem)], check=True, cwd=ROOT)


def build_modules(out: Path, target: Target) -> None:
    """The array-statement benchmark and the NPBench-style kernels (tests/kernels/npbench)."""
    paths = [ROOT / "bench" / "kernels" / "array_statements.py", *sorted((ROOT / "tests/kernels/npbench").glob("[a-z]*.py"))]
    for path in paths:
        try:
            emitted = pipeline.translate(str(path.relative_to(ROOT)), target)
            built = build_cached(module_name(str(path)), emitted.c_source, emitted.h_source, emitted.manifest, target)
        except Exception as error:  # a kernel the translator or clang still rejects: reported, not built
            print(f"skipped {path.name}: {str(error).splitlines()[0]}")
            continue
        export_build(built, out / "modules" / path.stem)


def build_suite(out: Path, target: Target) -> None:
    """The test suite's kernel modules that list `CASES` (tests/kernels/*.py), into `suite/`: run
    against Python on the GPU by gpu_run.py (part `suite`)."""
    for path in sorted((ROOT / "tests" / "kernels").glob("[a-z]*.py")):
        if "\nCASES" not in path.read_text():
            continue
        try:
            emitted = pipeline.translate(str(path.relative_to(ROOT)), target)
        except TranslationError as error:  # a module with kernels typed by their calls: reported, not built
            print(f"skipped {path.name}: {str(error).splitlines()[0]}")
            continue
        built = build_cached(module_name(str(path)), emitted.c_source, emitted.h_source, emitted.manifest, target)
        export_build(built, out / "suite" / path.stem)


def corpus_selection(k: Kernel, args: tuple[object, ...]) -> Selection:
    """The kernel `k` alone, its unannotated parameters typed by `args` (as its call would type them),
    under its own name as C symbol, so that gpu_run.py finds it by name."""
    bound = inspect.signature(k.py_func).bind(*args)
    bound.apply_defaults()  # as a call fills the defaults it leaves out
    types = argument_types(k.__name__, tuple(bound.arguments), untyped_parameters(k.py_func), tuple(bound.arguments.values()))
    return Selection({k.__name__: Signature(types)}, only=k.__name__)


def build_corpus(out: Path, target: Target, names: Collection[str] | None = None) -> list[str]:
    """The corpus kernels (tests/corpus, or those of `names`) that translate, each for the types of
    its `CASES` arguments, into `corpus/<kernel>/`; the others are reported and left out
    (tests/test_corpus.py's KNOWN_FAILURES and KNOWN_BUGS say why). Returns the kernels built; gpu_run.py part `corpus` checks them."""
    built = []
    for module in corpus.modules():
        (k, make_args), = module.CASES.items()
        if names is not None and k.__name__ not in names:
            continue
        path = str(Path(str(module.__file__)).relative_to(ROOT))
        try:
            emitted = pipeline.translate(path, target, selection=corpus_selection(k, make_args(np.random.default_rng(0))))
        except Exception as error:  # rejected, or a translator bug (docs/corpus.md): reported, not built
            print(f"skipped {k.__name__}: {type(error).__name__}: {str(error).splitlines()[0]}")
            continue
        cached = build_cached(module_name(path), emitted.c_source, emitted.h_source, emitted.manifest, target)
        export_build(cached, out / "corpus" / k.__name__)
        built.append(k.__name__)
    return built


def build_triad_variants(out: Path, target: Target) -> None:
    """`default` as py2omp emits it (the bare form on nvptx); the others edit the clauses of the OpenMP
    loop, translated with `PY2OMP_BARE=0`."""
    path = "bench/kernels/triad_resident.py"
    forms = {}
    for bare in (False, True):
        with bandwidth_variants.environment(PY2OMP_BARE="1" if bare else "0"):
            forms[bare] = pipeline.translate(path, target)
    for name, clauses in VARIANTS.items():
        emitted = forms[clauses is None]
        source = emitted.c_source
        if clauses is not None:
            pragma = "#pragma omp target teams distribute parallel for"
            source = LAUNCH_CLAUSES.sub("", source).replace(pragma, pragma + clauses)
        built = build_cached(module_name(path), source, emitted.h_source, emitted.manifest, target)
        export_build(built, out / "triad" / name)


if __name__ == "__main__":
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else ".gpubuild")
    chosen = parse_target(sys.argv[2] if len(sys.argv) > 2 else "nvptx:sm_90")
    builders = {"examples": build_examples, "triad": build_triad_variants, "modules": build_modules,
                "suite": build_suite, "corpus": build_corpus, "copyback": lambda out, target: copyback.build(out / "copyback", str(target)),
                "copy_rate": lambda out, target: copy_rate.build(out / "copy_rate", str(target)),
                "multi": lambda out, target: multi_gpu.build(out / "multi", str(target)),
                "launch": lambda out, target: launch_floor.build(out, str(target)),
                "bandwidth": lambda out, target: bandwidth_variants.build(out / "bandwidth", str(target)),
                "rows": lambda out, target: row_variants.build(out / "rows", str(target)),
                "columns": lambda out, target: column_sums.build(out / "columns", str(target)),
                "overhead": lambda out, target: call_overhead.build(out, str(target))}
    for part in sys.argv[3].split(",") if len(sys.argv) > 3 else builders:
        builders[part](destination, chosen)
    print(f"built into {destination}")
