"""Redraw docs/corpus.md's table of the corpus and its count from a real run.

    python bench/corpus_table.py      # runs every corpus kernel, rewrites docs/corpus.md in place

Each kernel of tests/corpus is compiled for host-offload and compared with its Python function, as
tests/test_corpus.py does. Its row in "The corpus" gets `works`, `fails` (a located error; the
column shows the message's first clause) or `bug` (anything else), and the sentence "**N of M
work**, K are rejected ..." under "Where it stands" gets the counts. The rows' descriptions are
kept: they are written by hand, the status is not.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's translator and tests

from tests import corpus  # noqa: E402
from tests.test_corpus import LOCATED, case, run  # noqa: E402
from translator import TranslationError  # noqa: E402

DOC = ROOT / "docs" / "corpus.md"
ROW = re.compile(r"^\| `(?P<name>\w+)` \| (?P<what>[^|]*) \| (?:works|fails|bug) \|[^\n]*\|$", re.MULTILINE)
COUNT = re.compile(r"\*\*\d+ of \d+ work\*\*, \d+ (?:are|is) rejected with a located error, [^.]*?\.")


def status(name: str) -> tuple[str, str]:
    """`works`, `fails` with the first clause of the located error, or `bug` with what went wrong."""
    try:
        k, args = case(name)
        result = run(k, args)
    except TranslationError as error:
        located = LOCATED.match(str(error).splitlines()[0])
        if located is None:
            return "bug", "an error without a location"
        return "fails", _first_clause(located["message"])
    except Exception as error:  # a traceback is a bug of py2omp, which the table must show
        return "bug", f"{type(error).__name__}: {error}".splitlines()[0].replace("|", "\\|")
    return ("works", "") if result.ok else ("bug", "differs from Python")


def _first_clause(message: str) -> str:
    """The message up to its first `; `, or its first ` (`, `, ` or `: ` after 40 characters: enough to
    tell the causes apart in a table."""
    cuts = [message.find("; ")] + [message.find(s, 40) for s in (" (", ", ", ": ")]
    cut = min((i for i in cuts if i > 0), default=len(message))
    return message[:cut].replace("|", "\\|")


def main() -> None:
    results = {name: status(name) for name in corpus.NAMES}
    text = DOC.read_text(encoding="utf-8")

    def row(match: re.Match[str]) -> str:
        state, note = results[match["name"]]
        return f"| `{match['name']}` | {match['what']} | {state} | {note} |"
    text = ROW.sub(row, text)
    works = sum(state == "works" for state, _ in results.values())
    fails = sum(state == "fails" for state, _ in results.values())
    bugs = len(results) - works - fails
    bug_words = "none hits a bug" if not bugs else f"{bugs} hit a bug"
    text = COUNT.sub(f"**{works} of {len(results)} work**, {fails} are rejected with a located error, {bug_words}.",
                     text, count=1)
    DOC.write_text(text, encoding="utf-8")
    print(f"{works} work, {fails} fail, {bugs} bugs")


if __name__ == "__main__":
    main()
