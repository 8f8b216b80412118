"""Every page of the built book in headless Chromium, in light and dark mode: no console error, no request off
this machine, every chart drawn, and no serious or critical accessibility violation found by axe-core (report in
test-output/accessibility.json and .txt; screenshots in test-output/screenshots).

axe runs every rule on every page. Its colour rules (contrast, links told apart from text) look at each element's
colours, and on pages made from the same notebook those repeat: they are measured, in each mode, on the elements
whose colours no page checked before has shown (see COLOUR_KEYS).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from critmin import paths
from critmin.book import pdf

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = paths.ROOT / "test-output" / "screenshots"
REPORT = paths.ROOT / "test-output" / "accessibility"
BLOCKING = ("serious", "critical")
# Requests are watched, not intercepted: intercepting them (Playwright's page.route) turns the browser's cache off
# and costs a round trip to the test process for each of a page's thirty files. Requests to other hosts fail at
# the proxy that the book's Chromium flags name.
FLAGS = pdf.CHROMIUM_FLAGS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium); browser check skipped")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


# axe-core is served by the test server too, beside the book: a script with an address is compiled once and
# kept in the browser's code cache, where one injected as text is compiled again on every page.
AXE_URL = "/__axe-core__/axe.min.js"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        return str(_axe_script()) if urlsplit(path).path == AXE_URL else super().translate_path(path)

    def log_message(self, *args):
        pass


def _html_pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html")
                  if not p.relative_to(root).as_posix().startswith(("_static/", "_sources/")))


def _axe_script() -> Path:
    """axe-core's axe.min.js, as bundled by the pinned axe-playwright-python (nothing is fetched)."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def _wait_for_charts(page, n: int, mode: str) -> int:
    """Wait until every chart is drawn in the page's colours; returns how many were."""
    with contextlib.suppress(Exception):
        page.wait_for_function(
            "([n, mode]) => document.querySelectorAll(`.critmin-chart > div[id^='chart-'][data-drawn='${mode}'] svg`)"
            ".length >= n", arg=[n, mode], timeout=15000)
    return page.locator(f".critmin-chart > div[id^='chart-'][data-drawn='{mode}'] svg").count()


# What changes between the light and the dark theme: colours. The structural rules (names, roles, labels,
# landmarks) run once, in the mode a page opens in; the colour rules run in both modes.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]

# NOTE: what axe's colour rules measure for an element with text: its colour, the backgrounds behind it (through
# its ancestors, with their opacity), its size and weight (large text has a lower threshold) and its text shadow;
# for a link, also the colour of the text around it and whether it is underlined. That combination, the element's
# colour key, is computed here for every visible element with text of its own, outside charts (axe does not
# measure SVG text). The colour rules then run on the first element of each key that no page checked before
# showed in that mode, and on what it contains. A key shown on an earlier page was measured there: the same
# colours over the same backgrounds give the same verdict. Measuring only new keys takes 0.5 CPU-seconds a page
# instead of 3, and every colour combination the book shows is still measured in both modes.
COLOUR_KEYS = """() => {
  const style = e => getComputedStyle(e);
  const behind = el => {
    const layers = [];
    let opacity = 1;
    for (let e = el; e; e = e.parentElement) {
      const s = style(e);
      opacity *= parseFloat(s.opacity);
      if (s.backgroundImage !== 'none') { layers.push(s.backgroundImage); break; }
      const c = s.backgroundColor;
      if (c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)') {
        layers.push(c);
        if (!c.startsWith('rgba')) break;
      }
    }
    return layers.join(' over ') + ' @' + opacity;
  };
  const keys = new Map();
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    if (![...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // clipped out of sight (screen-reader text)
    const s = style(el);
    const link = el.tagName === 'A' && el.parentElement
      ? ` link in ${style(el.parentElement).color} ${s.textDecorationLine}` : '';
    const key = `${s.color} on ${behind(el)} ${s.fontSize} ${s.fontWeight} ${s.textShadow}${link}`;
    if (!keys.has(key)) keys.set(key, el);
  }
  window.__colourKeys = keys;
  return [...keys.keys()];
}"""
# Marks the first element of each given key (from COLOUR_KEYS' last run) for axe's `include`.
MARK_KEYS = """(wanted) => {
  document.querySelectorAll('[data-colour-check]').forEach(e => e.removeAttribute('data-colour-check'));
  wanted.forEach(k => window.__colourKeys.get(k).setAttribute('data-colour-check', ''));
}"""


# Colours are measured as they end, not halfway through a transition (the theme fades some colours in, the
# search button's among them): the check turns transitions and animations off once a page has loaded, so an
# element shows its final colours at once, after the load and after a switch of mode alike.
STILL = "*, *::before, *::after { transition: none !important; animation: none !important; }"


_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.I)


def _open(page, server: str, rel: str, root: Path) -> None:
    """Open the page `rel` of the site in `root` in the tab (following it when it sends the reader on at once, as
    the site's front door does) and turn transitions off."""
    url = f"{server}/{rel}"
    page.goto(url, wait_until="load")
    onward = _REFRESH.search((root / rel).read_text(encoding="utf-8"))
    if onward:
        page.wait_for_url(urljoin(url, onward.group(1)), wait_until="load")
    page.add_style_tag(content=STILL)


class ColourLedger:
    """The colour keys already measured, per mode, shared by the browsers."""

    def __init__(self):
        self._lock = threading.Lock()
        self._seen: dict[str, set[str]] = {"light": set(), "dark": set()}

    def claim(self, mode: str, keys: list[str]) -> list[str]:
        """The keys not measured yet in `mode`, now counted as measured by the caller."""
        with self._lock:
            new = [k for k in keys if k not in self._seen[mode]]
            self._seen[mode].update(new)
            return new


def _axe_run(page, context: str, options: str) -> list[dict]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    # preload: false, or axe fetches the theme's @import-ed stylesheets from the wrong folder (404s).
    result = page.evaluate(f"() => axe.run({context}, {{resultTypes: ['violations'], preload: false, {options}}})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "examples": [{"target": n["target"], "summary": (n.get("failureSummary") or "")[:400]}
                          for n in v["nodes"][:5]]}
            for v in result["violations"]]


def _axe(page, mode: str, ledger: ColourLedger, structure: bool) -> tuple[list[dict], int]:
    """axe's violations on the page in `mode` (with the structural rules too if `structure`), and how many colour
    keys were measured."""
    violations = []
    if structure:
        off = ", ".join(f"'{r}': {{enabled: false}}" for r in COLOUR_RULES)
        violations += _axe_run(page, "document", f"rules: {{{off}}}")
    new = ledger.claim(mode, page.evaluate(COLOUR_KEYS))
    if new:
        page.evaluate(MARK_KEYS, new)
        violations += _axe_run(page, "{include: [['[data-colour-check]']]}", f"runOnly: {json.dumps(COLOUR_RULES)}")
    return violations, len(new)


class _Watch:
    """What the page in a tab asks for and reports, as it runs: its requests to other hosts and its errors
    (console errors, uncaught exceptions, HTTP errors). `fresh()` starts new lists for the next page the tab
    opens."""

    def __init__(self, page):
        self.fresh()
        page.on("request", lambda r: self.offsite.append(r.url) if pdf.offsite(r.url) else None)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None)

    def fresh(self) -> _Watch:
        self.offsite: list[str] = []
        self.errors: list[str] = []
        return self


def _check_page(page, watch: _Watch, server: str, root: Path, rel: str, ledger: ColourLedger, full_shot: bool,
                modes: tuple[str, str]) -> tuple[list[str], dict]:
    """One page, opened in the tab `page` in the first of `modes` and then switched to the second: its problems
    and its axe violations per mode."""
    problems: list[str] = []
    watch.fresh()
    page.emulate_media(color_scheme=modes[0])
    _open(page, server, rel, root)
    name = rel.replace("/", "__").removesuffix(".html")
    n = page.locator(".critmin-chart > div[id^='chart-']").count()
    report: dict = {}
    # The theme follows the reader's system setting (default_mode: auto): switching it redraws the charts.
    for mode in modes:
        if mode != modes[0]:
            page.emulate_media(color_scheme=mode)
            page.wait_for_function("(mode) => document.documentElement.dataset.theme === mode", arg=mode,
                                   timeout=5000)
        drawn = _wait_for_charts(page, n, mode) if n else 0
        if drawn < n:
            problems.append(f"{rel} ({mode}): {n - drawn} of {n} chart(s) did not draw")
        # The first screen in each mode; the whole page, in light mode, for the first page of each notebook.
        page.screenshot(path=str(SHOTS / f"{name}{'' if mode == 'light' else '-dark'}.jpg"),
                        full_page=full_shot and mode == "light", type="jpeg", quality=80)
        violations, measured = _axe(page, mode, ledger, structure=mode == modes[0])
        report[mode] = violations
        report[f"{mode}_colour_keys_measured"] = measured
        problems += [f"{rel} ({mode}): axe {v['impact']} {v['id']} on {v['nodes']} node(s): {v['help']}"
                     for v in violations if v["impact"] in BLOCKING]
    if n:  # every chart offers its data: the CSV link is made from the chart's own rows when the box opens
        box = page.locator(".critmin-chart-data").first
        box.locator("summary").click()
        link = box.locator(".critmin-chart-downloads a").first
        # the box fills in on its toggle event, which fires after the click returns
        with contextlib.suppress(Exception):
            box.locator(".critmin-chart-rows table").wait_for(state="attached", timeout=5000)
        if not link.count() or not (link.get_attribute("href") or "").startswith("blob:"):
            problems.append(f"{rel}: the first chart offers no data download")
        elif not box.locator(".critmin-chart-rows table tbody tr").count():
            problems.append(f"{rel}: the first chart's data table is empty")
    problems += [f"{rel}: console error: {e}" for e in watch.errors]
    problems += [f"{rel}: request to another host: {u}" for u in watch.offsite]
    return problems, report


def _check_pages(rels: list[str], server: str, root: Path, profile: Path, ledger: ColourLedger,
                 full_shots: set[str]) -> dict[str, tuple[list[str], dict]]:
    """Pages checked one after another in one tab of a browser of their own (one Playwright instance per thread).

    One tab, as a reader going from page to page: each page is a new document (its own scripts, styles and
    state), and the tab's renderer, with the scripts it has compiled and the fonts it has decoded, is kept. A new
    tab for each page would start a renderer each time, about half a processor-second a page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # A fresh profile for every run: launch_persistent_context is Playwright's way to name it.
        ctx = pw.chromium.launch_persistent_context(str(profile), executable_path=CHROMIUM, args=FLAGS,
                                                    viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            watch = _Watch(page)
            # Each page opens in the mode the page before it ended in, so the tab never switches a page it leaves.
            orders = [("light", "dark"), ("dark", "light")]
            return {rel: _check_page(page, watch, server, root, rel, ledger, rel in full_shots, orders[i % 2])
                    for i, rel in enumerate(rels)}
        finally:
            ctx.close()


# Whole-page screenshots (of every page that no notebook makes and of the first page each notebook makes)
# are taken on request only, with CRITMIN_WHOLE_PAGE_SHOTS=1: they check nothing, and drawing twenty pages up to
# 25,000 pixels tall costs about twelve processor-seconds a run. The first screen of every page, in both modes,
# is always shot.
WHOLE_PAGE_SHOTS = os.environ.get("CRITMIN_WHOLE_PAGE_SHOTS") == "1"


def _full_shots(pages: list[str]) -> set[str]:
    """The pages shot whole, if asked for: every page that no notebook makes, and the first page each notebook
    makes."""
    from critmin.book import build

    if not WHOLE_PAGE_SHOTS:
        return set()
    made = {f"pages/{p.page}.html": p.notebook for p in build.pages()}
    firsts: dict[str, str] = {}
    for rel in pages:
        if rel in made:
            firsts.setdefault(made[rel], rel)
    return {rel for rel in pages if rel not in made} | set(firsts.values())


# Pages are checked by two browsers at once: much of a page's check is waiting for the page.
BROWSERS = 2


def test_every_page_loads_offline_without_errors_in_light_and_dark_mode(chromium, server, built_book, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = _html_pages(built_book)
    assert "index.html" in pages and len(pages) > 2
    ledger, full_shots = ColourLedger(), _full_shots(pages)
    with ThreadPoolExecutor(BROWSERS) as pool:
        futures = [pool.submit(_check_pages, pages[i::BROWSERS], server, built_book, tmp_path / f"profile-{i}", ledger,
                               full_shots) for i in range(BROWSERS)]
        results = {rel: r for f in futures for rel, r in f.result().items()}
    problems = [p for rel in pages for p in results[rel][0]]
    report = {rel: results[rel][1] for rel in pages}
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.with_suffix(".json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    lines = [f"{rel} ({mode}): {v['impact']} {v['id']} ×{v['nodes']}: {v['help']}"
             for rel, modes in report.items() for mode in ("light", "dark") for v in modes.get(mode, [])]
    keys = {mode: sum(r.get(f"{mode}_colour_keys_measured", 0) for r in report.values()) for mode in ("light", "dark")}
    REPORT.with_suffix(".txt").write_text(
        f"axe-core on {len(report)} pages, light and dark mode; colour rules on {keys['light']} (light) and "
        f"{keys['dark']} (dark) distinct colour keys; {len(lines)} violation group(s), "
        f"{sum(1 for x in lines if any(f' {b} ' in x for b in BLOCKING))} serious or critical\n" + "\n".join(lines) + "\n")
    (paths.ROOT / "test-output" / "browser-problems.txt").write_text("\n".join(problems) + "\n")
    assert problems == [], f"{len(problems)} problem(s), first: {problems[:10]}"


def test_the_colour_check_measures_only_new_colours_and_still_catches_faint_text(chromium, server, built_book,
                                                                                 tmp_path):
    """A page seen again shows no colour key not measured already, so nothing is measured twice; faint text added
    to it is a new key, measured, and a serious contrast violation."""
    from playwright.sync_api import sync_playwright

    from critmin.book import build

    first = build.pages()[0].page
    ledger = ColourLedger()
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=chromium, args=FLAGS,
                                                    viewport={"width": 1280, "height": 900})
        try:
            measured = []
            for faint in (False, False, True):
                page = ctx.new_page()
                _open(page, server, f"pages/{first}.html", built_book)
                if faint:
                    page.evaluate("() => document.querySelector('main p').insertAdjacentHTML("
                                  "'afterend', '<p style=\"color: #c8c8c8\">faint text</p>')")
                violations, n = _axe(page, "light", ledger, structure=False)
                measured.append((n, sorted(v["id"] for v in violations if v["impact"] in BLOCKING)))
                page.close()
        finally:
            ctx.close()
    assert measured[0][0] > 10 and measured[0][1] == []
    assert measured[1] == (0, [])
    assert measured[2] == (1, ["color-contrast"])


def test_a_request_to_another_host_is_reported_and_never_answered(chromium, server, tmp_path):
    """A picture from another host, added to a page, is listed as an offsite request, and it fails: the proxy
    that every request to another host goes to is a closed local port."""
    from playwright.sync_api import sync_playwright

    from critmin.book import build

    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=chromium, args=FLAGS)
        try:
            page = ctx.new_page()
            watch = _Watch(page)
            failed: list[str] = []
            page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
            page.goto(f"{server}/pages/{build.pages()[0].page}.html", wait_until="load")
            assert watch.offsite == []
            with page.expect_event("requestfailed"):
                page.evaluate("() => { const i = new Image(); i.src = 'http://192.0.2.1/pixel.png'; "
                              "document.body.append(i); }")
        finally:
            ctx.close()
    assert watch.offsite == ["http://192.0.2.1/pixel.png"]
    assert failed == [(watch.offsite[0], "net::ERR_PROXY_CONNECTION_FAILED")]
