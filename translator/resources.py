"""Where the files py2omp ships beside its code live: `templates/` and `examples/`.

In a checkout or an editable install they are folders of the source tree; a wheel installs them as
data files under `<prefix>/share/py2omp/` (setup.cfg `data_files`), where the source tree is absent.
"""

from __future__ import annotations

import sys
from pathlib import Path


def shipped_dir(name: str) -> Path:
    """The folder `name` (`templates`, `examples`) of the source tree, else of the installed data files."""
    in_tree = Path(__file__).resolve().parent.parent / name
    return in_tree if in_tree.is_dir() else Path(sys.prefix) / "share" / "py2omp" / name
