"""The outputs of `bench/peers.py` made readable: the Markdown table (written into a marked section of
docs/benchmarks.md, so that a rerun replaces it) and the bar chart of time ratios to the baseline.

Works on the JSON report alone (`python bench/peer_report.py REPORT.json [--docs]` redraws both
from a saved run); matplotlib is needed only for the chart.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

BEGIN = "<!-- peers:begin: written by bench/peers.py, a rerun replaces everything up to peers:end -->"
END = "<!-- peers:end -->"
COLUMNS = {"py2omp": "py2omp", "cupy": "CuPy", "numba": "Numba", "numpy": "NumPy"}


def median_s(result: dict[str, Any] | None) -> float | None:
    """The median of an implementation's samples; None when it has none (stopped, failed, absent)."""
    return statistics.median(result["samples"]) if result and result["samples"] else None


def _ms(seconds: float) -> str:
    milliseconds = seconds * 1e3
    return f"{milliseconds:,.0f}" if milliseconds >= 1000 else f"{milliseconds:.3g}"


def cell(result: dict[str, Any] | None) -> str:
    """Median (min-max) in ms; one run over budget, stopped, or the error, said as such."""
    if result is None:
        return "-"
    if result["error"]:
        return f"error: {result['error'][:80]}".replace("|", "\\|")
    if result["skipped"]:
        return "not run (total budget spent)"
    if result["stopped_after_s"] is not None:
        return f"> {result['stopped_after_s']:.0f} s (stopped)"
    samples = result["samples"]
    if result["over_budget"]:
        return f"{_ms(samples[0])} (1 run, over budget)"
    return f"{_ms(statistics.median(samples))} ({_ms(min(samples))}-{_ms(max(samples))})"


def ratio(row: dict[str, Any], peer: str, baseline: str) -> float | None:
    mine, theirs = median_s(row["peers"].get(peer)), median_s(row["peers"].get(baseline))
    return mine / theirs if mine is not None and theirs else None


def correctness(row: dict[str, Any]) -> str:
    """Each checked implementation: ok or WRONG, with its largest error relative to the magnitude
    of the reference's result."""
    if row["reference"] is None:
        return "not checked (no reference finished)"
    parts = [f"{COLUMNS[peer]} {'ok' if result['correct'] else '**WRONG**'} {result['max_error']:.0e}"
             for peer, result in row["peers"].items() if peer != row["reference"] and result["correct"] is not None]
    against = "" if row["reference"] == "numpy" else f" (against {COLUMNS[row['reference']]}: NumPy did not finish)"
    return ", ".join(parts) + against


def _sizes(sizes: dict[str, int]) -> str:
    return " ".join(f"{key}={value}" for key, value in sizes.items())


def markdown(report: dict[str, Any], baseline: str) -> str:
    """The section: how the run was made, the table, the chart."""
    machine, settings = report["machine"], report["settings"]
    where = machine.get("gpu", f"no GPU, py2omp on the `{report['py2omp_target']}` target")
    peers = [p for p in COLUMNS if p in settings["peers"]]
    lines = [
        f"### {machine['date']}: {where}",
        "",
        f"{machine['cores']} CPU cores, Numba {machine.get('numba', 'absent')}; NumPy {machine['numpy']}"
        + (f", CuPy {machine['cupy']}" if "cupy" in machine else "") + ". "
        f"Sizes: NPBench's `paper` preset times {settings['scale']:g}. Times in ms: median of "
        f"{settings['repeats']} runs after a warm-up (min-max); an implementation whose first run takes more "
        f"than 1/{settings['repeats'] + 1} of its budget of {settings['peer_budget_s']:g} s is run once, and a "
        f"CPU one still running after {settings['cpu_cap_s']:g} s is stopped, and none is started after "
        f"{settings['total_budget_s']:g} s of the run. py2omp and CuPy get their data "
        f"on the device already. Correctness: each implementation's outputs against NumPy's in the same run "
        f"(max |a - b| / max |b|). Whole run: {report['wall_s']:.0f} s.",
        "",
        "| kernel | size | " + " | ".join(COLUMNS[p] for p in peers) + f" | py2omp / {COLUMNS[baseline]} | correct |",
        "| --- | --- | " + " | ".join("---" for _ in peers) + " | --- | --- |",
    ]
    for row in report["kernels"]:
        share = ratio(row, "py2omp", baseline)
        lines.append(f"| {row['kernel']} | {_sizes(row['sizes'])} | "
                     + " | ".join(cell(row["peers"].get(p)) for p in peers)
                     + f" | {'-' if share is None else f'{share:.2g}'} | {correctness(row)} |")
    lines += ["", f"![time relative to {COLUMNS[baseline]}, log scale](peers.png)", ""]
    return "\n".join(lines)


def update_docs(path: Path, section: str) -> None:
    """Replace the marked section of `path` (appended at the end the first time)."""
    text = path.read_text(encoding="utf-8")
    marked = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + marked + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + marked + "\n"
    path.write_text(text, encoding="utf-8")


def chart(report: dict[str, Any], baseline: str, path: Path) -> None:
    """Grouped bars: each implementation's median time over the baseline's, per kernel, log scale,
    with a line at 1 (below it: faster than the baseline)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart", file=sys.stderr)
        return
    rows = report["kernels"]
    peers = [p for p in COLUMNS if p != baseline and p in report["settings"]["peers"]]
    figure, axes = plt.subplots(figsize=(max(8.0, 0.7 * len(rows)), 4.5))
    width = 0.8 / max(len(peers), 1)
    for offset, peer in enumerate(peers):
        shares = [ratio(row, peer, baseline) for row in rows]
        positions = [i + (offset - (len(peers) - 1) / 2) * width for i, s in enumerate(shares) if s is not None]
        axes.bar(positions, [s for s in shares if s is not None], width, label=COLUMNS[peer])
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_xticks(range(len(rows)), [row["kernel"] for row in rows], rotation=45, ha="right")
    axes.set_ylabel(f"time / {COLUMNS[baseline]}'s time")
    axes.set_title(f"NPBench paper sizes x {report['settings']['scale']:g}: lower is faster, 1 = {COLUMNS[baseline]}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    import json

    saved = json.loads(Path(sys.argv[1]).read_text())
    chosen = "cupy" if "gpu" in saved["machine"] else "numba"
    print(markdown(saved, chosen))
    if "--docs" in sys.argv:
        docs = Path(__file__).resolve().parent.parent / "docs"
        update_docs(docs / "benchmarks.md", markdown(saved, chosen))
        chart(saved, chosen, docs / "peers.png")
