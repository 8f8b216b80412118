"""The whole book as one PDF, built offline.

Jupyter Book compiles the committed pages into one HTML page (Sphinx's `singlehtml` builder); every chart is
replaced by the SVG that vl-convert draws from the same Vega-Lite spec the web page draws; a contents list with
page numbers is put in front; Chromium prints it (Playwright's page.pdf()) with page numbers in the footer.
Each contents entry links to its chapter, so the printed PDF names the page every chapter starts on (its named
destinations); the cover and contents alone are then printed again with the numbers filled in, and their pages
take the place of the first ones (pikepdf), which keeps the links.

    python -m critmin.book.pdf [--out book/_build/pdf/critmin-book.pdf]
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import re
import shutil
import subprocess
import sys
import threading
import warnings
from pathlib import Path

from critmin import paths
from critmin.book import build, guard
from critmin.render import charts

# Headless Chromium as the book uses it (the PDF here, the browser check in the tests). Every request to another
# host goes to a proxy on a closed local port and fails: nothing leaves the machine. Chromium never sends loopback
# requests (the book's own local server) through a proxy.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--proxy-server=http://127.0.0.1:9"]


def offsite(url: str) -> bool:
    """Whether a request the browser makes goes to another host (not the local server, not a data: or blob: URL)."""
    from urllib.parse import urlparse

    return not url.startswith(("data:", "blob:")) and urlparse(url).hostname not in ("127.0.0.1", None)


DEFAULT_OUT = Path("book") / "_build" / "pdf" / "critmin-book.pdf"

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html, body { background: #fff !important; }
/* The theme hides each article's first h1 in print (its own print header repeats it): here every chapter
   keeps its heading. No ligatures, so that the PDF's text reads back as typed ("fi", not one glyph). */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
* { font-variant-ligatures: none !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .prev-next-area, .bd-footer,
.bd-footer-content, .bd-footer-article, .header-article, .search-button-field, .skip-link, .headerlink,
.toggle-details, .theme-switch-button, #pst-back-to-top, .footer-items, #jb-print-docs-body { display: none !important; }
.bd-main .bd-content .bd-article-container { max-width: none !important; }
.bd-page-width { max-width: none !important; }
body { font-size: 10.5pt; }
section.tex2jax_ignore.mathjax_ignore { break-before: page; }
.critmin-chart { break-inside: avoid; margin: 0.8rem 0; }
.critmin-chart svg { max-width: 100%; height: auto; }
.critmin-chart-static svg text { font-family: "Liberation Sans", Arial, sans-serif !important; }
.critmin-chart figcaption { font-size: 8.5pt; color: #444; margin-top: 0.2rem; }
table { break-inside: auto; font-size: 8.5pt; }
tr { break-inside: avoid; }
details > summary { list-style: none; }
.critmin-contents { break-after: page; }
.critmin-contents ol { list-style: none; padding-left: 0; }
.critmin-contents li { margin: 0.15rem 0; }
.critmin-contents li a { display: flex; gap: 0.4rem; color: inherit !important; text-decoration: none !important; }
.critmin-contents li .dots { flex: 1; border-bottom: 1px dotted #999; margin-bottom: 0.3em; }
.critmin-contents li.part { font-weight: 600; margin-top: 0.6rem; }
.critmin-cover { break-after: page; padding-top: 30vh; }
.critmin-cover h1 { font-size: 24pt; }
"""

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;font-family:sans-serif">'
          '<span class="pageNumber"></span> / {total}</div>')
# Printing the cover and contents alone: everything else in the article is left out.
FRONT_ONLY_CSS = ".bd-article > :not(.critmin-cover):not(.critmin-contents) { display: none !important; }"


class PdfError(RuntimeError):
    """The PDF could not be made; the message says why."""


def singlehtml(scratch: Path, log=print) -> Path:
    """Compile the committed pages into one HTML page (never executing them)."""
    stale = [p.page for p in build.validate_page_list() if build.stale_reason(p)]
    if stale:
        raise PdfError("pages out of date with their inputs (run `critmin build` first): " + ", ".join(stale))
    build.write_toc()
    build.write_static()
    if _reuse_parsed_pages(scratch):
        log("starting from the pages the HTML build has parsed")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(paths.BOOK), "--builder", "singlehtml",
           "--path-output", str(scratch), "-n", "--keep-going", "-q"]
    log("compiling the book into one HTML page")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    out = scratch / "_build" / "singlehtml" / f"{build.read_page_list()['root']}.html"
    if proc.returncode != 0 or not out.exists():
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise PdfError(f"Jupyter Book singlehtml build failed:\n{tail}")
    return out


def _reuse_parsed_pages(scratch: Path) -> bool:
    """Give the single-page build the documents Sphinx parsed for the HTML, when that HTML was compiled from the
    present sources: Sphinx then reads again only what changed since (nothing, after `make book`) instead of every
    notebook. Nothing is copied while a build runs in the checkout, or when the HTML is not current; the single
    page is then compiled from the sources alone, as it would be without this step."""
    source, target = build.doctrees(), scratch / "_build" / ".doctrees"
    try:
        with guard.build_lock():
            if not (source.is_dir() and build.html_is_current()):
                return False
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
            return True
    except guard.Busy:
        return False


_FIGURE = re.compile(r'<figure class="critmin-chart">.*?</figure>', re.S)


# vl-convert measures text to lay a chart out; the PDF must draw it in the same font, or long titles overflow
# the chart and are cut. Liberation Sans has Arial's metrics and comes with Chromium's recommended fonts.
PRINT_FONT = "Liberation Sans, Arial, sans-serif"


def chart_svg(spec: dict) -> str:
    """The chart as vector SVG, drawn by vl-convert from the page's own spec (light colours)."""
    import vl_convert

    spec = {**spec, "config": {**spec.get("config", {}), "font": PRINT_FONT}}
    svg = vl_convert.vegalite_to_svg(spec)
    svg = re.sub(r"<\?xml[^>]*>\s*", "", svg)
    label = html.escape(spec.get("description") or "Chart")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def static_charts(text: str) -> tuple[str, int]:
    """Every chart of the page's HTML replaced by its SVG and its description; returns (html, charts)."""
    count = 0

    def replace(m: re.Match) -> str:
        nonlocal count
        found = charts.specs_in(m.group(0))
        if not found:
            return m.group(0)
        count += 1
        _, spec = found[0]
        desc = html.escape(spec.get("description") or "")
        return f'<figure class="critmin-chart critmin-chart-static">{chart_svg(spec)}<figcaption>{desc}</figcaption></figure>'

    return _FIGURE.sub(replace, text), count


def _chapters() -> list[tuple[str, str]]:
    """(part caption, chapter title) in reading order, the root page first."""
    spec = build.read_page_list()
    root = (paths.BOOK / f"{spec['root']}.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
    out = [("", root)]
    for part in spec["parts"]:
        for entry in part["chapters"]:
            out.append((part["caption"], entry["title"]))
    return out


def _contents_html(chapters: list[tuple[str, str]], ids: list[str], numbers: dict[str, int]) -> str:
    """The contents list: each chapter (with its part) linked to its section `ids` (same order), and the page
    it starts on ('00' until the pages are known, which takes the same room as the numbers)."""
    rows, last_part = [], None
    for (part, title), anchor in zip(chapters, ids, strict=True):
        if part and part != last_part:
            rows.append(f'<li class="part">{html.escape(part)}</li>')
            last_part = part
        n = numbers.get(anchor)
        rows.append(f'<li><a href="#{html.escape(anchor)}"><span>{html.escape(title)}</span><span class="dots"></span>'
                    f'<span class="pageno">{n if n else "00"}</span></a></li>')
    return '<section class="critmin-contents"><h1>Contents</h1><ol>' + "".join(rows) + "</ol></section>"


_CHAPTER = re.compile(r'<section class="tex2jax_ignore mathjax_ignore" id="([^"]*)">')


_SCRIPT = re.compile(r'<script\b[^>]*\bsrc="(?![^"]*mathjax)[^"]*"[^>]*>\s*</script>')


def print_ready(text: str, contents: str, front_only: bool = False) -> str:
    """The single page with print styles, the cover and contents in front, collapsed boxes opened, and no
    script but MathJax. With `front_only`, the cover and contents alone."""
    # A printed page needs no script but MathJax: its charts are SVG already, its tables are not sorted,
    # searched or switched to dark mode. Without the site's other scripts Chromium lays the book out in about a
    # quarter less time.
    text = _SCRIPT.sub("", text)
    text = text.replace('<details class="critmin-sources">', '<details class="critmin-sources" open>')
    cover = ('<section class="critmin-cover"><h1>Critical minerals: Pakistan, the United States and China</h1>'
             "<p>An open, reproducible analysis book. Every number comes from the data package it ships with; "
             "each chapter ends with its sources.</p></section>")
    css = PRINT_CSS + (FRONT_ONLY_CSS if front_only else "")
    text = text.replace("</head>", f"<style>{css}</style></head>", 1)
    m = re.search(r'<article class="bd-article"[^>]*>', text)
    if not m:
        raise PdfError("the single-page build has no article element")
    return text[:m.end()] + cover + contents + text[m.end():]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(directory: Path):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def _print(browser, url: str, target: Path, total: int | str = '<span class="totalPages"></span>') -> None:
    """Print the page at `url` to `target`, A4, each page's footer 'n / total'."""
    page = browser.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if offsite(r.url) else None)
    page.goto(url, wait_until="load")
    page.emulate_media(media="print")
    page.wait_for_timeout(500)
    page.pdf(path=str(target), format="A4", print_background=True, display_header_footer=True,
             header_template="<div></div>", footer_template=FOOTER.format(total=total),
             margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})
    page.close()
    if elsewhere:
        raise PdfError(f"the single page asked another host for {elsewhere[0]}")


def start_pages(pdf: Path, ids: list[str]) -> tuple[dict[str, int], int]:
    """The page (from 1) each section id starts on, read from the PDF's named destinations (Chromium writes
    one for every link target), and the number of pages."""
    import pikepdf

    with pikepdf.open(pdf) as doc:
        number = {page.obj.objgen: i for i, page in enumerate(doc.pages, start=1)}
        dests = doc.Root.get("/Dests", {})
        out = {}
        for anchor in ids:
            dest = dests.get("/" + anchor)
            if dest is not None and dest[0].objgen in number:
                out[anchor] = number[dest[0].objgen]
        return out, len(doc.pages)


def replace_front(book: Path, front: Path, out: Path) -> None:
    """The book with its first pages drawn as `front`'s pages (page for page); the book's own page objects, and
    so its links and destinations, are kept."""
    import pikepdf

    with pikepdf.open(book) as doc, pikepdf.open(front) as new:
        n, k = len(doc.pages), len(new.pages)
        with warnings.catch_warnings():  # the copies are dropped below, so their links do not matter
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            doc.pages.extend(new.pages)  # copied in at the end, drawn on the first pages, then dropped
        for i in range(k):
            mine, theirs = doc.pages[i], doc.pages[n + i]
            mine.obj.Contents = theirs.obj.Contents
            mine.obj.Resources = theirs.obj.Resources
        del doc.pages[n:]
        doc.save(out)


def make_pdf(out: Path | None = None, log=print, scratch: Path | None = None) -> Path:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise PdfError("chromium is not installed (apt-get install chromium)")
    out = Path(out or paths.ROOT / DEFAULT_OUT)
    index = singlehtml(scratch or paths.ROOT / ".build-tmp-pdf", log=log)
    text, n_charts = static_charts(index.read_text(encoding="utf-8"))
    log(f"{n_charts} chart(s) drawn as SVG by vl-convert")
    chapters = _chapters()
    ids = _CHAPTER.findall(text)
    if len(ids) != len(chapters):
        raise PdfError(f"{len(ids)} chapters in the single page, {len(chapters)} in pages.yml")
    target = index.with_name("print.html")
    draft, front = out.with_suffix(".draft.pdf"), out.with_suffix(".front.pdf")
    out.parent.mkdir(parents=True, exist_ok=True)
    httpd = _serve(index.parent)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{target.name}"
            target.write_text(print_ready(text, _contents_html(chapters, ids, {})), encoding="utf-8")
            _print(browser, url, draft)
            numbers, total = start_pages(draft, ids)
            contents = _contents_html(chapters, ids, numbers)
            target.write_text(print_ready(text, contents, front_only=True), encoding="utf-8")
            _print(browser, url, front, total=total)
            shift = _page_count(front) - (min(numbers.values(), default=1) - 1)
            if not shift:
                replace_front(draft, front, out)
            else:  # the contents took other room with its numbers than without: every chapter moves by as much
                log("the contents changed length with its page numbers; printing the book again")
                numbers = {anchor: n + shift for anchor, n in numbers.items()}
                target.write_text(print_ready(text, _contents_html(chapters, ids, numbers)), encoding="utf-8")
                _print(browser, url, out)
            browser.close()
    finally:
        httpd.shutdown()
        draft.unlink(missing_ok=True)
        front.unlink(missing_ok=True)
    missing = [title for (_, title), anchor in zip(chapters, ids, strict=True) if anchor not in numbers]
    if missing:
        log(f"warning: no page found for {len(missing)} chapter(s): {', '.join(missing[:5])}")
    log(f"PDF written: {out}")
    return out


def _page_count(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m critmin.book.pdf", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help=f"where to write the PDF (default {DEFAULT_OUT})")
    args = ap.parse_args(argv)
    try:
        make_pdf(args.out)
    except (PdfError, build.BuildError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
