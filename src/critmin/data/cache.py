"""A cache of parsed, validated tables, keyed by content: the CSV's bytes, the resource's metadata and the code
and library versions that parse and validate it. A table read from the cache is the one the loader would build.

Off unless CRITMIN_TABLE_CACHE names a folder (the book's build sets it for the pages it executes). Only tables
that passed validation are stored, so a malformed file never hits the cache and fails with the loader's message.
Files are written atomically (parallel pages share the folder); an unreadable entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pandas as pd

ENV = "CRITMIN_TABLE_CACHE"
KEEP = 3  # versions kept per dataset (several checkouts may share the folder)


def folder() -> Path | None:
    d = os.environ.get(ENV)
    return Path(d) if d else None


def _code_digest() -> bytes:
    import pandera

    h = hashlib.sha256()
    for mod in ("critmin.data.loader", "critmin.data.cache"):
        h.update(Path(sys.modules[mod].__file__).read_bytes())
    h.update(f"{sys.version}|{pd.__version__}|{pandera.__version__}".encode())
    return h.digest()


def key(name: str, resource: dict, path: Path) -> str:
    h = hashlib.sha256(_code_digest())
    h.update(json.dumps(resource, sort_keys=True, ensure_ascii=False, default=str).encode())
    h.update(Path(path).read_bytes())
    return f"{name}-{h.hexdigest()[:32]}"


def get(name: str, resource: dict, path: Path) -> pd.DataFrame | None:
    d = folder()
    if d is None:
        return None
    f = d / f"{key(name, resource, path)}.pkl"
    try:
        with open(f, "rb") as fh:
            df = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return df if isinstance(df, pd.DataFrame) else None


def put(name: str, resource: dict, path: Path, df: pd.DataFrame) -> None:
    d = folder()
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        target = d / f"{key(name, resource, path)}.pkl"
        fd, tmp = tempfile.mkstemp(dir=d, prefix=f".{name}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(df, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        old = sorted(d.glob(f"{name}-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for p in old:
            p.unlink(missing_ok=True)
    except OSError:  # a cache that cannot be written only costs time
        pass
