"""`make pdf` and `make dist`: the whole book as one PDF (contents, page numbers, every chart, sources), and the
release archive (HTML site, PDF, data package, licences, checksums)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import tarfile
import unicodedata

import nbformat
import pytest

from critmin import paths
from critmin.book import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _committed_chart_titles() -> list[str]:
    """The first title line of every chart on the committed pages, in reading order."""
    from critmin.render import charts

    titles = []
    for p in build.pages():
        nb = nbformat.read(p.output, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                for _, spec in charts.specs_in(out.get("data", {}).get("text/html", "")):
                    t = spec["title"]["text"] if isinstance(spec.get("title"), dict) else spec.get("title", "")
                    titles.append(t[0] if isinstance(t, list) else t)
    return titles


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory, built_book):
    """The PDF, made after the HTML, from the documents the HTML build has parsed (as `make pdf` does)."""
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium); PDF not tested")
    from critmin.book import pdf

    return pdf.make_pdf(tmp_path_factory.mktemp("pdf") / "book.pdf", log=lambda *_: None)


@functools.cache
def _text(pdf_path) -> list[str]:
    """Each page's text (read once per PDF: several tests look at it)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        return [_norm(page.get_textpage().get_text_bounded()) for page in doc]
    finally:
        doc.close()


def _norm(text: str) -> str:
    """Text as typed: no ligature glyphs, straight quotes (Sphinx curls them in headings), line-end hyphens as
    hyphens, single spaces."""
    # PDFium reports a hyphen that ends a line as U+0002.
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("‘’“”\x02", "''\"\"-"))
    return " ".join(text.split())


def test_the_pdf_has_contents_page_numbers_every_chart_and_the_sources(book_pdf):
    pages = _text(book_pdf)
    chapters = [e["title"] for part in build.read_page_list()["parts"] for e in part["chapters"]]
    assert len(pages) > len(chapters), f"{len(pages)} pages for {len(chapters)} chapters"
    contents = next(i for i, t in enumerate(pages) if t.startswith("Contents") or " Contents " in t[:200])
    assert contents < 3
    listed = " ".join(pages[contents:contents + 3])
    for title in chapters:
        title = _norm(title)
        m = re.search(re.escape(title) + r"\s*(\d+)", listed)
        assert m, f"contents lacks {title!r} with a page number"
        n = int(m.group(1))
        assert 0 < n <= len(pages) and title in pages[n - 1], f"{title!r} is not on page {n}"
    total = len(pages)
    assert all(re.search(rf"\b{i + 1} / {total}\b", t) for i, t in enumerate(pages)), "page numbers missing"
    body = " ".join(pages)
    titles = _committed_chart_titles()
    assert len(titles) > 40
    missing = [t for t in titles if _norm(t) not in body]
    assert not missing, f"{len(missing)} chart(s) not in the PDF, e.g. {missing[:3]}"
    assert body.count("Sources (") >= len(list(build.pages())) - 1  # each page's sources, opened
    assert "Licence:" in body


def test_contents_entries_link_to_their_chapters(book_pdf):
    import pikepdf

    pages = _text(book_pdf)
    with pikepdf.open(book_pdf) as doc:
        number = {page.obj.objgen: i for i, page in enumerate(doc.pages)}
        links = [a for page in doc.pages[:3] for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        targets = [number[doc.Root.Dests[str(a.Dest)][0].objgen] for a in links]
    assert len(links) == len(pdf_chapters())
    assert targets == sorted(targets) and targets[0] >= 2  # in reading order, after the cover and contents
    for i in targets:  # each lands on the first page of a chapter: its heading opens the page
        assert any(pages[i].startswith(_norm(title)[:30]) for _, title in pdf_chapters()), pages[i][:80]


def pdf_chapters():
    from critmin.book import pdf

    return pdf._chapters()


def _drawn_images(resources, seen: set) -> int:
    """Images a page can draw: its image XObjects, and those of the forms it draws, at any depth."""
    n = 0
    for _, x in (resources.get("/XObject") or {}).items() if resources is not None else ():
        if x.objgen in seen:
            continue
        seen.add(x.objgen)
        if x.get("/Subtype") == "/Image":
            n += 1
        elif x.get("/Subtype") == "/Form":
            n += _drawn_images(x.get("/Resources"), seen)
    return n


def test_charts_are_vector_drawings_not_pictures(book_pdf):
    import pikepdf

    # Not every image object of the file: Chromium keeps the soft masks of box shadows as grey images.
    with pikepdf.open(book_pdf) as doc:
        seen: set = set()
        images = sum(_drawn_images(page.obj.get("/Resources"), seen) for page in doc.pages)
        assert seen, "no drawing found on any page"
    assert images < 5, f"{images} raster images: charts should be vector drawings"


def test_a_picture_in_a_pdf_is_counted(tmp_path):
    import pikepdf
    from PIL import Image

    Image.new("RGB", (20, 20), "red").save(tmp_path / "picture.pdf")  # one page that draws one image
    with pikepdf.open(tmp_path / "picture.pdf") as doc:
        assert sum(_drawn_images(page.obj.get("/Resources"), set()) for page in doc.pages) == 1


def test_release_archive_holds_site_pdf_data_licences_and_checksums(book_pdf, built_book, tmp_path):
    from critmin.book import dist

    archive = dist.make_dist(tmp_path / "dist", html=built_book, pdf=book_pdf, log=lambda *_: None)
    name = f"critmin-{dist.version()}"
    assert archive.name == f"{name}.tar.gz"
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert (tmp_path / "dist" / "SHA256SUMS").read_text() == f"{digest}  {archive.name}\n"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    root = tmp_path / "x" / name
    for rel in ("html/index.html", "critmin-book.pdf", "data/datapackage.json", "LICENSE-code", "LICENSE-text",
                "LICENSE-data.md", "CITATION.cff", "README.md"):
        assert (root / rel).is_file(), rel
    sums = (root / "SHA256SUMS").read_text().splitlines()
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    assert [line.split("  ", 1)[1] for line in sums] == files
    for line in sums:
        h, rel = line.split("  ", 1)
        assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == h, rel
    licences = (root / "LICENSE-data.md").read_text()
    for res in (paths.DATA / "meta").glob("*.yaml"):
        assert f"`{res.stem}.csv`" in licences or res.stem in licences, res.stem
    assert "MIT License" in (root / "LICENSE-code").read_text() and "CC BY 4.0" in (root / "LICENSE-text").read_text()


def test_dist_refuses_without_a_pdf(built_book, tmp_path):
    from critmin.book import dist

    with pytest.raises(dist.DistError, match="no PDF"):
        dist.make_dist(tmp_path, html=built_book, pdf=tmp_path / "missing.pdf")
