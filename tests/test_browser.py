"""Every page of the built book in headless Chromium: no console error, no request off this machine, every chart drawn."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from critmin import paths

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = paths.ROOT / "test-output" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium); browser check skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # A fresh profile for every run: launch_persistent_context is Playwright's way to name it.
        ctx = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, args=FLAGS,
            viewport={"width": 1280, "height": 900})
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _html_pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not p.relative_to(root).as_posix().startswith(("_static/", "_sources/")))


def test_every_page_loads_offline_without_errors(browser, server, built_book):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    pages = _html_pages(built_book)
    assert "index.html" in pages and len(pages) > 2
    for rel in pages:
        page = browser.new_page()
        offsite: list[str] = []
        errors: list[str] = []

        def route(r, offsite=offsite):
            host = urlparse(r.request.url).hostname
            if r.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", None):
                return r.continue_()
            offsite.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("response", lambda r, errors=errors: errors.append(f"HTTP {r.status} for {r.url}")
                if r.status >= 400 else None)
        page.goto(f"{server}/{rel}", wait_until="load")
        charts = page.locator(".critmin-chart > div[id^='chart-']")
        n = charts.count()
        if n:
            try:
                page.wait_for_function(
                    "n => document.querySelectorAll(\".critmin-chart > div[id^='chart-'] svg\").length >= n",
                    arg=n, timeout=15000)
            except Exception:
                drawn = page.locator(".critmin-chart > div[id^='chart-'] svg").count()
                problems.append(f"{rel}: {n - drawn} of {n} chart(s) did not draw")
        page.wait_for_timeout(200)
        page.screenshot(path=str(SHOTS / (rel.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
        problems += [f"{rel}: console error: {e}" for e in errors]
        problems += [f"{rel}: request to another host: {u}" for u in offsite]
        page.close()
    (paths.ROOT / "test-output").mkdir(exist_ok=True)
    (paths.ROOT / "test-output" / "browser-problems.txt").write_text("\n".join(problems) + "\n")
    assert problems == [], f"{len(problems)} problem(s), first: {problems[:10]}"
