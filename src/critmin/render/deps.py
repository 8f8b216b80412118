"""The one writer of the dependency log: which files a page read and which package modules it ran.

The build sets CRITMIN_READS_LOG for each page it executes and re-executes the page only when one of the logged
files changes. Outside a build nothing is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

ENV = "CRITMIN_READS_LOG"


def record(files: Iterable[str | Path]) -> None:
    """Log files (data tables, metadata, package modules) the running page depends on."""
    log = os.environ.get(ENV)
    if not log:
        return
    with open(log, "a", encoding="utf-8") as fh:
        fh.writelines(f"{Path(f).resolve()}\n" for f in files)


def record_modules() -> None:
    """Log the package modules imported so far, so a change to one of them re-executes the page."""
    record(sorted({m.__file__ for name, m in list(sys.modules.items())
                   if (name == "critmin" or name.startswith("critmin.")) and getattr(m, "__file__", None)}))
