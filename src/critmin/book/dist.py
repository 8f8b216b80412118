"""A release archive: the HTML site, the PDF, the data package and the licence of each part, with checksums.

    python -m critmin.book.dist [--out dist]

Writes dist/critmin-<version>.tar.gz, holding critmin-<version>/{html/, critmin-book.pdf, data/, LICENSE-*,
CITATION.cff, README.md, SHA256SUMS}, and dist/SHA256SUMS for the archive itself. Both the HTML and the PDF must
have been built (`make book`, `make pdf`); the data package is checked against its metadata first.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

from critmin import paths

TEXT_LICENCE = """The text of this book (prose chapters, page text and chart titles) is licensed under the Creative Commons
Attribution 4.0 International licence (CC BY 4.0): https://creativecommons.org/licenses/by/4.0/
Quoted words remain their speakers'. The charts and tables are made from the data package in data/, whose
tables keep their publishers' licences (LICENSE-data.md).
"""


class DistError(RuntimeError):
    """The archive could not be made; the message says what is missing."""


def version() -> str:
    text = (paths.ROOT / "CITATION.cff").read_text(encoding="utf-8")
    m = re.search(r"^version:\s*['\"]?([^'\"\s]+)", text, re.M)
    if not m:
        raise DistError("CITATION.cff has no version")
    return m.group(1)


def data_licences(package: dict) -> str:
    """LICENSE-data.md: every table of the data package with its licence(s) and publishers."""
    lines = ["# Licences of the data package", "",
             "Each table keeps the licence of the publisher it comes from (also in datapackage.json).", "",
             "| table | licence | publishers |", "|---|---|---|"]
    for res in package["resources"]:
        lic = "; ".join(f"{l.get('title') or l.get('name')}" + (f" ({l['path']})" if l.get("path") else "")
                        for l in res.get("licenses", []))
        pubs = "; ".join(dict.fromkeys(s.get("publisher", "") for s in res.get("sources", []) if s.get("publisher")))
        lines.append(f"| `{res['path']}` | {lic.replace('|', '/')} | {pubs.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256sums(root: Path) -> str:
    """`sha256sum -c` format for every file under root (paths relative to it)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    return "".join(f"{_sha256(p)}  {p.relative_to(root).as_posix()}\n" for p in files)


def make_dist(out: Path | None = None, html: Path | None = None, pdf: Path | None = None, log=print) -> Path:
    from critmin.data import package as datapackage

    out = Path(out or paths.ROOT / "dist")
    html = Path(html or paths.BOOK / "_build" / "html")
    pdf = Path(pdf or paths.ROOT / "book" / "_build" / "pdf" / "critmin-book.pdf")
    if not (html / "index.html").exists():
        raise DistError(f"no HTML site at {html}; run `make book` first")
    if not pdf.exists():
        raise DistError(f"no PDF at {pdf}; run `make pdf` first")
    written_text = (paths.DATA / "datapackage.json").read_text(encoding="utf-8")
    if written_text != datapackage.render(paths.DATA):
        raise DistError("data/datapackage.json is out of step with data/meta/*.yaml; run `critmin datapackage`")
    written = json.loads(written_text)
    name = f"critmin-{version()}"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dist-", dir=out) as tmp:
        root = Path(tmp) / name
        shutil.copytree(html, root / "html", ignore=shutil.ignore_patterns(".inputs-sha256", ".buildinfo"))
        shutil.copy2(pdf, root / "critmin-book.pdf")
        shutil.copytree(paths.DATA, root / "data", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(paths.ROOT / "LICENSE", root / "LICENSE-code")
        (root / "LICENSE-text").write_text(TEXT_LICENCE, encoding="utf-8")
        (root / "LICENSE-data.md").write_text(data_licences(written), encoding="utf-8")
        shutil.copy2(paths.ROOT / "CITATION.cff", root / "CITATION.cff")
        (root / "README.md").write_text(
            f"# {written.get('title') or 'critmin'} — release {version()}\n\n"
            "- `html/index.html`: the book as a website that works offline (open it in a browser)\n"
            "- `critmin-book.pdf`: the whole book as one PDF\n"
            "- `data/`: the data package (`datapackage.json` describes every table, its sources and licence)\n"
            "- `LICENSE-code` (MIT, the code), `LICENSE-text` (CC BY 4.0, the text), `LICENSE-data.md` (each "
            "table's publisher licence)\n- `CITATION.cff`: how to cite\n- `SHA256SUMS`: checksums of every file "
            "(`sha256sum -c SHA256SUMS`)\n", encoding="utf-8")
        (root / "SHA256SUMS").write_text(sha256sums(root), encoding="utf-8")
        archive = out / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(root, arcname=name, filter=_normalise)
    (out / "SHA256SUMS").write_text(f"{_sha256(archive)}  {archive.name}\n", encoding="utf-8")
    log(f"release archive written: {archive} ({archive.stat().st_size / 1e6:.1f} MB)")
    return archive


def _normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
    # No user names or ids of the machine that made the archive.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m critmin.book.dist", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="folder for the archive (default dist/)")
    args = ap.parse_args(argv)
    try:
        make_dist(args.out)
    except DistError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
