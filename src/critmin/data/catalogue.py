"""The data package described for readers: its metadata and the data themselves → tables for "Data and sources".

Everything here is read from data/datapackage.json and the CSVs, so the chapter cannot drift from the data:
per dataset its title, what a row is, coverage computed from the rows, sources, licence and caveats; the
corrections table; the field-level schema; and a MyST download link for each CSV.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from critmin import data
from critmin.data import package as datapackage
from critmin.text import md_escape, span

# Curation steps (`critmin curate RAW_DIR --only STEP`): the raw sub-folders each step reads and
# the tables it writes. Resources not written by any step are curated by hand from cited reports.
CURATION: dict[str, tuple[list[str], list[str]]] = {
    "usgs": (
        ["usgs-mcs2022-subset", "usgs-mcs2023", "usgs-mcs2024", "usgs-mcs2025", "usgs-mcs2026"],
        ["production", "reserves", "import_reliance", "import_sources", "us_salient", "prices", "revisions",
         "corrections"],
    ),
    "bgs": (["bgs-wms-1970-2021"], ["production_history"]),
    "iea": (["iea-critical-minerals"], ["refining"]),
    "comtrade": (["comtrade-us-china-cmm"], ["us_imports"]),
    "sbp": (["sbp-dashboard"], ["pakistan_fdi", "pakistan_fdi_sector", "pakistan_fdi_monthly", "pakistan_trade",
                                "pakistan_trade_monthly"]),
    "usgs_tables": (["usgs-mcs2026"], ["usgs_export_controls"]),
    "processing": (["iea-critical-minerals", "usgs-mcs2026"], ["processing", "processing_stages"]),
    "baci": (["cepii-baci-hs92-minerals"], ["baci_products", "baci_countries", "baci_pakistan_exports",
                                            "baci_us_imports", "baci_world_exports"]),
    "wgi": (["wb-wgi-political-stability"], ["wgi"]),
    "wmd": (["bmk-world-mining-data-2018-2024"], ["wmd_usgs_check", "wmd_pakistan"]),
}
HAND_CURATED = ["minerals", "raw_manifest", "import_forms", "processing_shares", "export_controls", "pakistan_indicators",
                "events", "deals", "claim_premises", "premise_evidence",
                "claims", "claims_codebook"]

# Columns that mean the same in every dataset that has them. A dataset's own field description, where it
# gives one, takes precedence in the field tables.
CONVENTIONS: dict[str, str] = {
    "mineral": "Mineral id from minerals.csv (snake_case, e.g. rare_earths); a minerals column holds several, "
               "separated by semicolons.",
    "country": "The publisher's own name for the country, with spaces and footnote marks removed and one "
               "spelling per country across editions.",
    "iso3": "ISO 3166-1 alpha-3 code (XKX for Kosovo); empty for world totals, residual 'other' rows and "
            "historic states.",
    "row_kind": "What a row stands for: country; world_total (the publisher's world or all-partner total, "
                "often rounded); other (the publisher's residual, e.g. 'Other countries', 'Rest of world', "
                "'Others'); group (a historic state such as the USSR); part (one emirate of the UAE in SBP "
                "trade tables); sector (an economic sector in SBP's FDI table). Shares of world output use "
                "country rows over the world total, never the sum of all rows.",
    "flag": "Empty = reported figure. estimated; withheld (W: the publisher withholds it, value empty); "
            "not_available (NA, XX or 'included with …'); zero (the publisher's dash); censored_gt / "
            "censored_lt ('>95' / '<1': value holds the bound); net_exporter (E in US net import reliance); "
            "provisional (SBP's current fiscal year).",
    "unit": "kg, t (metric tonnes), kt (thousand tonnes), Mt (million tonnes); usd_million (US$ million); "
            "pct (percent); "
            "see each dataset for content basis (metal content, oxide, gross weight).",
    "edition": "Which release a row came from: MCS2022, MCS2023, MCS2024, MCS2025 or MCS2026 (USGS Mineral "
               "Commodity Summaries) or "
               "CMDE2024 / CMDE2025 (IEA Critical Minerals Data Explorer). Where editions overlap the newest "
               "edition wins.",
    "origin": "data_release = read from the USGS data-release file.",
    "reliability": "P = primary or official (government, state agency, company statement); N = mainstream news; "
                   "M = mirror or aggregator copy (the original outlet is named); O = opinion, editorial or "
                   "analysis. processing_shares uses primary.",
    "date_precision": "day, month or year: how precise the date is (the first of the month or year when coarser "
                      "than a day).",
}

_TYPE_LABEL = {"string": "text", "integer": "integer", "year": "year", "number": "number",
               "boolean": "true/false", "date": "date (YYYY-MM-DD)"}


def resources(data_dir: Path | None = None) -> list[dict]:
    """The package's resources in reading order: the curation steps' tables first, then hand-curated ones."""
    by_name = {r["name"]: r for r in datapackage.package(data_dir)["resources"]}
    order = [n for _, (_, names) in CURATION.items() for n in names] + HAND_CURATED
    known = [by_name[n] for n in order if n in by_name]
    return known + [by_name[n] for n in sorted(by_name) if n not in order]


def step_of(name: str) -> str | None:
    """The curation step that writes a resource, or None when it is curated by hand."""
    return next((s for s, (_, names) in CURATION.items() if name in names), None)


def download_role(name: str, data_dir: Path | None = None, prefix: str = "../../data") -> str:
    """A MyST download link for a resource's CSV; `prefix` is the data folder relative to the rendered page."""
    path = datapackage.resource(name, data_dir)["path"]
    return f"{{download}}`{path} <{prefix}/{path}>`"


def row_key(res: dict) -> str:
    """'one row per mineral, stage, country and year' from the primary key."""
    pk = res["schema"].get("primaryKey") or []
    if isinstance(pk, str):
        pk = [pk]
    if not pk:
        return "no primary key"
    names = [f"`{k}`" for k in pk]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"one row per {joined}"


def _minerals(df: pd.DataFrame) -> list[str]:
    if "mineral" in df:
        return sorted(df["mineral"].dropna().unique())
    if "minerals" in df:
        return sorted({m for v in df["minerals"].dropna() for m in str(v).split(";") if m})
    return []


def _countries(df: pd.DataFrame) -> list[str]:
    for col in ("iso3", "partner_iso3", "counterpart_country"):
        if col in df:
            return sorted(df[col].dropna().unique())
    return []


def _years(df: pd.DataFrame) -> str:
    """The period the rows cover, in the dataset's own time column."""
    if "year" in df and df["year"].notna().any():
        return span(int(df["year"].min()), int(df["year"].max()))
    if "fiscal_year" in df and df["fiscal_year"].notna().any():
        return span(f"FY{int(df['fiscal_year'].min())}", f"FY{int(df['fiscal_year'].max())}")
    if "period_start" in df and df["period_start"].notna().any():
        return span(df["period_start"].min().strftime("%Y-%m"), df["period_end"].max().strftime("%Y-%m"))
    if "date" in df and df["date"].notna().any():
        return span(df["date"].min().strftime("%Y-%m-%d"), df["date"].max().strftime("%Y-%m-%d"))
    if "month" in df and df["month"].notna().any():
        return span(df["month"].min(), df["month"].max())
    if "period" in df:
        years = df["period"].dropna().str.extractall(r"(\d{4})")[0].astype(int)
        if len(years):
            return span(int(years.min()), int(years.max()))
    return ""


def coverage(df: pd.DataFrame) -> dict:
    """What the rows themselves cover: row count, period, minerals and countries (ISO codes)."""
    minerals, countries = _minerals(df), _countries(df)
    return {"rows": len(df), "columns": df.shape[1], "period": _years(df),
            "minerals": len(minerals), "mineral_ids": minerals,
            "countries": len(countries), "iso3": countries}


def coverage_text(cov: dict) -> str:
    """'2,499 rows; 2020–2025; 41 minerals; 95 countries' (parts that do not apply are left out)."""
    parts = [f"{cov['rows']:,} row{'s' if cov['rows'] != 1 else ''}"]
    if cov["period"]:
        parts.append(cov["period"])
    if cov["minerals"]:
        ids = cov["mineral_ids"]
        listed = f" ({', '.join(ids)})" if len(ids) <= 8 else ""
        parts.append(f"{cov['minerals']} mineral{'s' if len(ids) != 1 else ''}{listed}")
    if cov["countries"]:
        parts.append(f"{cov['countries']} countr{'ies' if cov['countries'] != 1 else 'y'} (ISO codes)")
    return "; ".join(parts)


def _load(name: str, data_dir: Path | None) -> pd.DataFrame:
    return data.read_resource(name, data_dir=data_dir)


def overview(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per dataset: file, title, what a row is, computed coverage, curation step and licence."""
    rows = []
    for res in resources(data_dir):
        cov = coverage(_load(res["name"], data_dir))
        rows.append({
            "dataset": res["name"], "file": res["path"], "title": res["title"], "row": row_key(res),
            "rows": cov["rows"], "period": cov["period"], "minerals": cov["minerals"] or None,
            "countries": cov["countries"] or None, "curation": step_of(res["name"]) or "by hand",
            "licence": "; ".join(lic.get("title") or lic["name"] for lic in res.get("licenses", [])),
        })
    return pd.DataFrame(rows)


def sources(data_dir: Path | None = None) -> pd.DataFrame:
    """One row per dataset and source: publisher, title, edition, link (DOI or URL) and access date."""
    rows = [{"dataset": res["name"], "publisher": s.get("publisher", ""), "title": s.get("title", ""),
             "edition": s.get("edition", ""), "link": s.get("path", ""), "accessed": str(s.get("accessed", ""))}
            for res in resources(data_dir) for s in res.get("sources", [])]
    return pd.DataFrame(rows, columns=["dataset", "publisher", "title", "edition", "link", "accessed"])


def caveats(data_dir: Path | None = None) -> pd.DataFrame:
    rows = [{"dataset": res["name"], "caveat": " ".join(str(c).split())}
            for res in resources(data_dir) for c in res.get("caveats") or []]
    return pd.DataFrame(rows, columns=["dataset", "caveat"])


def corrections(data_dir: Path | None = None) -> pd.DataFrame:
    """The corrections table as published (what was wrong, what it became, why, and in which source)."""
    return _load("corrections", data_dir)


def _allowed(f: dict) -> str:
    c = f.get("constraints", {})
    parts = []
    if "enum" in c:
        enum = [str(v) for v in c["enum"]]
        parts.append(", ".join(enum) if len(enum) <= 12 else f"{len(enum)} codes, from {enum[0]} to {enum[-1]}")
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']} to {c['maximum']}")
    elif "minimum" in c:
        parts.append(f"≥ {c['minimum']}")
    elif "maximum" in c:
        parts.append(f"≤ {c['maximum']}")
    if "pattern" in c:
        p = c["pattern"]
        parts.append(f"pattern {p}" if len(p) <= 40 else "checked against a pattern (see datapackage.json)")
    if c.get("unique"):
        parts.append("unique")
    return "; ".join(parts)


def fields(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """The field-level schema of one dataset: type, unit, key, required, allowed values and meaning."""
    res = datapackage.resource(name, data_dir)
    pk = res["schema"].get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else pk
    rows = []
    for f in res["schema"]["fields"]:
        c = f.get("constraints", {})
        desc = f.get("description") or CONVENTIONS.get(f["name"], "")
        rows.append({"field": f["name"], "type": _TYPE_LABEL.get(f.get("type", "string"), f.get("type")),
                     "unit": f.get("unit", ""), "key": "yes" if f["name"] in pk else "",
                     "required": "yes" if c.get("required") else "", "allowed": _allowed(f),
                     "description": " ".join(desc.split())})
    return pd.DataFrame(rows, columns=["field", "type", "unit", "key", "required", "allowed", "description"])


def conventions(data_dir: Path | None = None) -> pd.DataFrame:
    """The shared columns: meaning, the codes the package uses, and the datasets that have them."""
    res = resources(data_dir)
    rows = []
    for col, meaning in CONVENTIONS.items():
        having = [r["name"] for r in res if any(f["name"] == col for f in r["schema"]["fields"])]
        if col == "mineral":
            having += [r["name"] for r in res if any(f["name"] == "minerals" for f in r["schema"]["fields"])]
        codes = sorted({str(v) for r in res for f in r["schema"]["fields"] if f["name"] == col
                        for v in f.get("constraints", {}).get("enum", [])})
        rows.append({"column": col, "meaning": meaning, "codes": ", ".join(codes) if len(codes) <= 16 else "",
                     "datasets": ", ".join(sorted(set(having)))})
    return pd.DataFrame(rows, columns=["column", "meaning", "codes", "datasets"])


def _link(text: str, url: str) -> str:
    if url.startswith(("http://", "https://")):
        return f"[{md_escape(text)}]({url.replace(' ', '%20').replace('(', '%28').replace(')', '%29')})"
    return md_escape(text)


def source_markdown(s: dict) -> str:
    """'Publisher, *Title* (link), edition; accessed YYYY-MM-DD' for one source."""
    title = _link(s.get("title", ""), s.get("path", ""))
    parts = [md_escape(s.get("publisher", "")), f"*{title}*"]
    if s.get("edition"):
        parts.append(md_escape(s["edition"]))
    text = ", ".join(p for p in parts if p)
    if s.get("path") and not s["path"].startswith(("http://", "https://")):
        text += f" ({md_escape(s['path'])})"
    if s.get("accessed"):
        text += f"; accessed {s['accessed']}"
    return text


def dataset_markdown(name: str, data_dir: Path | None = None, prefix: str = "../../data",
                     heading: str = "###") -> str:
    """A dataset's section for the chapter (MyST): description, file, key, coverage, sources, licence, caveats."""
    res = datapackage.resource(name, data_dir)
    cov = coverage(_load(name, data_dir))
    step = step_of(name)
    made = (f"curation step `{step}` (`critmin curate RAW_DIR --only {step}`)" if step
            else "curated by hand from the reports it cites")
    lines = [
        f"{heading} {md_escape(res['title'])}",
        "",
        md_escape(res.get("description", "")),
        "",
        f"- **File:** {download_role(name, data_dir, prefix)} ({cov['rows']:,} rows, {cov['columns']} columns); "
        f"{row_key(res)}.",
        f"- **Coverage, counted from the rows:** {md_escape(coverage_text(cov))}.",
    ]
    if res.get("coverage"):
        lines.append(f"- **Coverage, as the curators summarise it:** {md_escape(res['coverage'])}.")
    lines.append(f"- **Made by:** {made}.")
    srcs = res.get("sources", [])
    if len(srcs) == 1:
        lines.append(f"- **Source:** {source_markdown(srcs[0])}.")
    else:
        lines.append("- **Sources:**")
        lines += [f"  - {source_markdown(s)}." for s in srcs]
    lic = "; ".join(_link(lic.get("title") or lic["name"], lic.get("path", "")) + f" (`{lic['name']}`)"
                    for lic in res.get("licenses", []))
    lines.append(f"- **Licence:** {lic}.")
    cav = res.get("caveats") or []
    if cav:
        lines.append("- **Caveats:**")
        lines += [f"  - {md_escape(c)}" for c in cav]
    return "\n".join(lines) + "\n"


def markdown_table(df: pd.DataFrame, caption: str | None = None, code: tuple[str, ...] = ()) -> str:
    """A MyST/GitHub table of text (left-aligned, wraps well); cells escaped, `code` columns shown as code."""
    def cell(col: str, v) -> str:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or str(v) == "":
            return ""
        text = " ".join(str(v).split())
        return f"`{text}`" if col in code and "`" not in text and "|" not in text else md_escape(text)

    head = "| " + " | ".join(md_escape(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(cell(c, v) for c, v in zip(df.columns, row)) + " |"
            for row in df.itertuples(index=False)]
    table = "\n".join([head, rule, *body])
    return (f"**{md_escape(caption)}**\n\n" if caption else "") + table + "\n"


def overview_markdown(data_dir: Path | None = None, names: list[str] | None = None) -> str:
    """The datasets at a glance, one line each, the file name being its download link (`names`: only these)."""
    def count(v) -> str:
        return "–" if v is None or v != v else f"{int(v):,}"

    lines = ["| File | Title | Rows | Period | Minerals | Countries | Made by |", "|---|---|--:|---|--:|--:|---|"]
    for r in overview(data_dir).itertuples():
        if names is not None and r.dataset not in names:
            continue
        lines.append(f"| {download_role(r.dataset, data_dir)} | {md_escape(r.title)} | {r.rows:,} "
                     f"| {r.period or '–'} | {count(r.minerals)} | {count(r.countries)} | {r.curation} |")
    return "\n".join(lines) + "\n"


def steps_markdown(data_dir: Path | None = None) -> str:
    """The curation steps: the raw sub-folders each reads and the tables it writes (as download links)."""
    lines = ["| Step (`--only`) | Raw sub-folders | Tables written |", "|---|---|---|"]
    for step, (folders, names) in CURATION.items():
        lines.append(f"| `{step}` | {', '.join(f'`{f}/`' for f in folders)} | "
                     f"{', '.join(download_role(n, data_dir) for n in names)} |")
    hand = ", ".join(download_role(n, data_dir) for n in HAND_CURATED)
    return "\n".join(lines) + f"\n\nCompiled by hand, each row citing its report: {hand}.\n"
