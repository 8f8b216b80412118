"""Page helpers and the chart setup: readable tables, collapsed sources, chart descriptions, dark colours, data."""

from __future__ import annotations

import pandas as pd
import pytest

from critmin.render import charts, page


def test_value_text_writes_units_as_readers_say_them():
    assert page.value_text(550_000_000, "usd") == "US$550 million"
    assert page.value_text(2.1, "percent") == "2.1%"
    assert page.value_text(130, "kt") == "130 thousand t"
    assert page.value_text(2019, "calendar_year") == "2019"
    assert page.value_text(1200, "t_per_year") == "1,200 t a year"
    assert page.value_text(None, "usd") == page.MISSING
    assert page.value_text(float("nan"), "t") == page.MISSING


def test_readable_table_puts_units_in_headers_and_never_shows_none():
    mixed = pd.DataFrame({"Figure": ["a", "b", None], "Year": [2019.0, 2020.0, None],
                          "Value": [550e6, 2.1, 3.0], "Unit": ["usd", "percent", "t"],
                          "world_total": [1234567.0, None, 3.5]})
    shown = page.readable(mixed)
    assert list(shown.columns) == ["Figure", "Year", "Value", "World total"]
    assert shown["Value"].tolist() == ["US$550 million", "2.1%", "3 t"]
    assert shown["Year"].tolist() == ["2019", "2020", "–"]
    assert shown["World total"].tolist() == ["1,234,567", "–", "3.5"]
    assert "None" not in shown.to_string() and "usd" not in shown.to_string()
    one_unit = pd.DataFrame({"Stage": ["mine"], "Output": [1300.0], "Unit": ["kt"]})
    shown = page.readable(one_unit, {"Output": page.number_text})
    assert list(shown.columns) == ["Stage", "Output (kt)"] and shown["Output (kt)"].tolist() == ["1,300"]
    assert list(page.readable(one_unit[["Output"]], units={"Output": "kt"}).columns) == ["Output (kt)"]


def test_sources_are_collapsed_and_counted():
    html = page.sources_html(["<li>a</li>", "<li>b</li>"])
    assert html.startswith('<details class="critmin-sources">') and "(2 sources" in html
    assert "<h2>Sources</h2>" in html.split("</summary>")[0]


def _chart():
    import altair as alt

    df = pd.DataFrame({"mineral": ["Gallium", "Copper"], "share": [0.99, 0.44]})
    return alt.Chart(df).mark_bar(color="#555").encode(
        x=alt.X("share:Q", title="China's share"), y="mineral:N",
        tooltip=[alt.Tooltip("share:Q", format=".1%", title="Share")])


def test_every_chart_gets_a_description_and_dark_colours():
    spec = charts.page_spec(_chart().properties(title="Gallium leads").to_dict())
    assert spec["description"] == "Gallium leads"  # becomes the SVG's aria-label
    meta = spec["usermeta"]["critmin"]
    assert meta["dark"]["ink"]["#555"] != "#555" and meta["dark"]["ink"][charts.INK] == charts.DARK_TEXT
    assert meta["dark"]["config"]["axis"]["labelColor"] == charts.DARK_TEXT
    fields = {f: (title, fmt) for f, title, fmt in meta["fields"]}
    assert fields["share"] == ("Share", ".1%")  # the first title and format found (the tooltip's)
    assert fields["mineral"] == ("mineral", "")
    assert meta["file"] == "gallium-leads"
    assert spec["config"]["background"] == "transparent"


def test_chart_html_offers_description_and_data_and_round_trips_its_spec():
    spec = _chart().properties(title="Gallium leads", description="Bars: gallium 99%, copper 44%.").to_dict()
    html = charts.html_for(spec)
    assert 'role="img" aria-label="Bars: gallium 99%, copper 44%."' in html
    assert '<details class="critmin-chart-data"' in html and "Bars: gallium 99%" in html.split("<details")[1]
    [(cid, back)] = charts.specs_in(html)
    assert html.count(cid) >= 4
    rows = next(iter(back["datasets"].values()))
    assert rows == [{"mineral": "Gallium", "share": 0.99}, {"mineral": "Copper", "share": 0.44}]


@pytest.mark.parametrize("fg,bg", [(charts.DARK_TEXT, "#14181e"), (charts.DARK_MUTED, "#14181e"),
                                   (charts.INK, "#ffffff"), ("#555", "#ffffff")])
def test_chart_text_colours_meet_contrast_on_the_page_background(fg, bg):
    def lum(hex_colour):
        c = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)] if len(hex_colour) == 7 else \
            [int(ch * 2, 16) / 255 for ch in hex_colour[1:]]
        c = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    hi, lo = sorted([lum(fg), lum(bg)], reverse=True)
    assert (hi + 0.05) / (lo + 0.05) >= 4.5
