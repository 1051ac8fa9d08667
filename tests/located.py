"""The located error text a kernel's translation raises, for tests that compare it exactly.

One helper, so every test reads the message the same way. The source is written to `k.py` in the
test's own folder (a real file: the message's source line and caret are read from it, and the
folder holds nothing a kernel could import), translated, and the whole message comes back with the
folder left out: `k.py:line:col: error: ...`, the source line and the caret. A translation that
succeeds fails the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator import TranslationError, pipeline


def translation_error(folder: Path, header: str, body: str, target: str = "host-offload") -> str:
    """The text of the `TranslationError` that translating the file `header + body` (the imports,
    then the kernels and functions under test) for `target` raises, located in `k.py`."""
    path = folder / "k.py"
    path.write_text(header + body)
    with pytest.raises(TranslationError) as info:
        pipeline.translate(str(path), target)
    return str(info.value).replace(str(path), "k.py")
