"""The scenario chapter: its parameters checked against the data and resolved into one
:class:`critmin.analysis.scenario.Scenario`, the prose and table of each section, and the sensitivity chart.

Every figure in the prose is computed from the results of :func:`critmin.analysis.scenario.run`; derived
tonnages are rounded to three significant figures, since the tables they come from are rounded estimates.
"""

from __future__ import annotations

import dataclasses
import math

import altair as alt
import numpy as np
import pandas as pd

from critmin.analysis import metrics
from critmin.analysis.scenario import (
    MAX_MULTIPLE_OF_WORLD,
    Scenario,
    _magnitude,
    baseline,
    buyer_consumption,
    buyer_inputs,
    resolve_supply,
    run,
    sensitivity,
    stage_order,
    stage_tables,
    supply_for_china_share,
    supply_indicators,
)
from critmin.params import ParameterError
from critmin.render import charts
from critmin.text import RELIABILITY_PHRASE, UNIT_LONG, num, pct, points_text, round_sig, share_text, tonnes_text

__all__ = [
    "BUYERS",
    "PAGE_DISPLACES",
    "Chapter",
    "chapter",
    "choose_product",
    "summary_text",
    "supply_text",
    "world_text",
    "world_table",
    "buyer_text",
    "refinery_text",
    "sensitivity_curve",
    "sensitivity_text",
    "sensitivity_chart",
]

# The page's parameters checked and resolved into one Scenario, and the prose and table of each section,
# written from the results; every figure in them is computed.

# NOTE: USGS publishes net import reliance and import sources only for the United States.
BUYERS = ["United States"]
PAGE_DISPLACES = ["auto", "china", "proportional", "none", "market"]


@dataclasses.dataclass(frozen=True)
class Chapter:
    """One run of the scenario chapter: the checked parameters, what they resolved to and the results.

    ``displaces_asked`` is the parameter as given; ``displaces`` what "auto" resolved to. ``consumption`` is
    the buyer's apparent consumption used (tonnes a year, or None) and ``consumption_basis`` where it came
    from ("given", "usgs" or "none"). ``base``, ``sourced``, ``supply`` and ``bi`` are the dicts of
    :func:`baseline`, :func:`buyer_consumption`, :func:`resolve_supply` and :func:`buyer_inputs`; ``results``
    is the frame of :func:`run`. ``rows`` are the mineral's rows of every stage table
    (:func:`critmin.analysis.scenario.stage_tables`); ``publisher`` is who publishes the stage's table.
    """

    mineral: str
    label: str
    stage: str
    year: int
    supplier: str
    supplier_iso3: str
    buyer: str
    product: str | None
    added_supply_t: float
    supply_source: str
    displaces_asked: str
    displaces: str
    share_to_buyer: float
    buyer_consumption_t: float
    world_growth_absorbs: bool
    sensitivity_max: float
    product_asked: str
    base: dict
    sourced: dict
    consumption: float | None
    consumption_basis: str
    supply: dict
    bi: dict
    scenario: Scenario
    results: pd.DataFrame
    rows: pd.DataFrame
    publisher: str

    @property
    def reaches_imports(self) -> bool:
        """Whether the new supply enters the chain at (or after) the stage of the buyer's imports."""
        return bool(self.results.attrs.get("reaches_buyer_imports", True))

    @property
    def processing(self) -> bool:
        """Whether the new supply enters after the mine (refinery, separation, smelter, metal)."""
        return stage_order(self.stage) > 1

    @property
    def noun(self) -> str:
        """The mineral as a noun in prose: 'rare earths'."""
        return self.label.lower()

    @property
    def name(self) -> str:
        """The mineral as an adjective: 'rare-earth output'."""
        return "rare-earth" if self.mineral == "rare_earths" else self.noun

    @property
    def r(self) -> pd.DataFrame:
        """The results indexed by measure."""
        return self.results.set_index("measure")

    @property
    def params(self) -> dict:
        """The parameters as the page shows them, in the order of the notebook's parameters cell."""
        return dict(mineral=self.mineral, added_supply_t=self.added_supply_t, supply_source=self.supply_source,
                    supplier=self.supplier, buyer=self.buyer, year=self.year, stage=self.stage,
                    product=self.product_asked, displaces=self.displaces_asked, share_to_buyer=self.share_to_buyer,
                    buyer_consumption_t=self.buyer_consumption_t, world_growth_absorbs=self.world_growth_absorbs,
                    sensitivity_max=self.sensitivity_max)


def choose_product(rows: pd.DataFrame, product, *, label: str, stage: str, year: int) -> str | None:
    """The USGS product (the table's `product` label) a page's scenario uses, from its `product` parameter.

    "auto" takes the one product published for the mineral, stage and year; where USGS lists several (cobalt
    from 2023: most countries as cobalt content, the United States without the qualifier) the page must
    name one, and the error lists them."""
    # NOTE: products are not merged: rows under another label than the one chosen are left out of the scenario.
    from critmin import params

    rows = rows[(rows["year"] == year).fillna(False).to_numpy(dtype=bool)]
    found = sorted(rows["product"].dropna().unique()) if "product" in rows.columns else []
    listed = "; ".join(repr(p) for p in found)
    if not isinstance(product, str) or not product.strip():
        raise ParameterError(f"product must be 'auto' or one of {listed}; got {product!r}")
    if product.strip().lower() == "auto":
        if len(found) > 1:
            raise ParameterError(
                f"product='auto': USGS publishes {label.lower()} {stage} production for {year} as {len(found)} "
                f"products; choose one with -p product '<name>': {listed}")
        return found[0] if found else None
    try:
        return params.choice("product", product, found)
    except ParameterError:
        raise ParameterError(f"product={product!r} is not available for {label.lower()} {stage} production in "
                             f"{year}; allowed: 'auto' or one of {listed}") from None


def chapter(production: pd.DataFrame, minerals: pd.DataFrame, reliance: pd.DataFrame, import_sources: pd.DataFrame,
            indicators: pd.DataFrame, us_salient: pd.DataFrame, *, processing: pd.DataFrame, import_forms: pd.DataFrame,
            mineral: str, added_supply_t, supply_source: str, supplier: str, buyer: str, year, stage: str,
            displaces: str, share_to_buyer, buyer_consumption_t, world_growth_absorbs, sensitivity_max,
            product: str = "auto") -> Chapter:
    """Check the chapter's parameters against the data and run the scenario they describe.

    ``production`` and ``processing`` are the USGS production table and the processing table: the stages a
    scenario can start from are those of :func:`critmin.analysis.scenario.stage_tables`. ``import_forms`` says
    at which stage the buyer's imports are measured.

    Raises ParameterError for an unknown mineral, stage, year, supplier or buyer, China as supplier, numbers
    out of range, and a `displaces` that needs the buyer's consumption where none is known. Checks run in
    the order of the parameters, so the first bad one is named.
    """
    from critmin import params

    mineral = params.choice("mineral", mineral, sorted(production["mineral"].dropna().unique()))
    label = str(minerals.set_index("mineral").loc[mineral, "label"])
    tables = stage_tables(production[production["mineral"] == mineral],
                          processing[processing["mineral"] == mineral])
    rows_m = tables[tables["mineral"] == mineral]
    stages = sorted(rows_m["stage"].dropna().unique(), key=lambda st: (stage_order(st), st))
    try:
        stage = params.choice("stage", stage, stages)
    except ParameterError:
        raise ParameterError(f"stage={stage!r} has no production table for {label.lower()}; allowed: "
                             + ", ".join(repr(x) for x in stages)) from None
    rows_ms = rows_m[rows_m["stage"] == stage]
    reported = rows_ms[(rows_ms["row_kind"] == "country") & rows_ms["value"].notna()]
    try:
        year = params.choice("year", year, sorted({int(y) for y in reported["year"]}))
    except ParameterError:
        years = sorted({int(y) for y in reported["year"]})
        raise ParameterError(f"year={year!r} has no {label.lower()} {stage} table; allowed for stage {stage!r}: "
                             + ", ".join(str(y) for y in years)) from None
    product_asked = product
    product = choose_product(rows_ms, product, label=label, stage=stage, year=year)

    countries = (production[(production["row_kind"] == "country") & production["iso3"].notna()]
                 .drop_duplicates("country").set_index("country")["iso3"])
    supplier = params.choice("supplier", supplier, sorted(countries.index))
    supplier_iso3 = str(countries[supplier])
    if supplier_iso3 == "CHN":
        raise ParameterError("supplier='China' is not allowed: the page measures how other suppliers change China's share")
    try:
        buyer = params.choice("buyer", buyer, BUYERS)
    except ParameterError:
        raise ParameterError(
            f"buyer={buyer!r} is not available: the book has net import reliance and import sources only for the "
            "United States (USGS Mineral Commodity Summaries); allowed: United States") from None

    added_supply_t = float(params.number("added_supply_t", added_supply_t, minimum=0))
    share_to_buyer = float(params.number("share_to_buyer", share_to_buyer, minimum=0, maximum=1))
    buyer_consumption_t = float(params.number("buyer_consumption_t", buyer_consumption_t, minimum=0))
    sensitivity_max = float(params.number("sensitivity_max", sensitivity_max, minimum=1, maximum=10))
    displaces_asked = displaces = params.choice("displaces", displaces, PAGE_DISPLACES)
    if not isinstance(world_growth_absorbs, bool):
        raise ParameterError(f"world_growth_absorbs must be true or false; got {world_growth_absorbs!r}")

    start = Scenario(mineral, 0.0, supplier_iso3=supplier_iso3, year=year, stage=stage, product=product,
                     share_to_buyer=share_to_buyer,
                     displaces="market" if displaces == "auto" else displaces,
                     world_growth_absorbs=world_growth_absorbs)
    base = baseline(rows_m, start)
    china = metrics.country_share(base["rows"], "CHN", ["mineral", "year"], denominator="book").iloc[0]
    if china["status"] != "reported":
        # NOTE: where the publisher does not give China's output (not listed, or withheld) the page, which
        # measures China's share, has nothing to start from; it refuses rather than guess a share.
        listed = _minerals_with_china(stage_tables(production, processing), stage_order(stage))
        how = "withholds" if china["status"] == "withheld" else "does not list"
        raise ParameterError(
            f"mineral={mineral!r}: {_publisher(str(rows_ms['publisher'].dropna().iloc[0]))} {how} China's "
            f"{label.lower()} {stage} output for {year}, so its share cannot be computed; allowed at this stage (China "
            f"listed): {', '.join(listed)}")
    # Magnitudes are checked against world production here, before any number is computed or printed.
    limit = round(MAX_MULTIPLE_OF_WORLD * base["world_t"])
    for name, value in (("added_supply_t", added_supply_t), ("buyer_consumption_t", buyer_consumption_t)):
        if value > limit:
            # NOTE: the buyer's consumption is bounded like the added supply, at 10× current world production:
            # beyond that a figure can only be a typing slip.
            raise ParameterError(
                f"{name}={_magnitude(value)} is out of range; allowed: 0 to {limit:,} t ({MAX_MULTIPLE_OF_WORLD}× "
                f"world {label.lower()} {stage} production in {year}, {round(base['world_t']):,} t)")
    # The buyer's apparent consumption: as given, else USGS's figure for the year (in the production table's unit).
    sourced = buyer_consumption(us_salient, mineral, year, base["unit"], label=label.lower())
    if buyer_consumption_t > 0:
        consumption, basis = buyer_consumption_t, "given"
    elif sourced["tonnes"] is not None:
        consumption, basis = sourced["tonnes"], "usgs"
    else:
        consumption, basis = None, "none"
    if displaces == "auto":
        displaces = "china" if consumption is not None else "market"
    elif displaces != "market" and consumption is None:
        raise ParameterError(
            f"displaces={displaces!r} needs the buyer's apparent consumption, but {sourced['reason']}; give "
            "buyer_consumption_t (tonnes a year), or use displaces='market'")
    start = dataclasses.replace(start, displaces=displaces)
    supply = resolve_supply(supply_source, added_supply_t, mineral=mineral, supplier_iso3=supplier_iso3,
                            indicators_df=indicators, world_t=base["world_t"])
    sc = dataclasses.replace(start, added_supply_t=supply["tonnes"])
    bi = buyer_inputs(reliance, import_sources, mineral, year, import_forms)
    sc = dataclasses.replace(sc, imports_stage=bi["imports_stage"])
    res = run(rows_m, bi["nir_pct"], bi["china_import_share"], sc, buyer_consumption_t=consumption)
    publisher = str(rows_ms["publisher"].dropna().iloc[0]) if rows_ms["publisher"].notna().any() else "USGS"
    return Chapter(mineral=mineral, label=label, stage=stage, year=year, supplier=supplier,
                   supplier_iso3=supplier_iso3, buyer=buyer, product=product, product_asked=product_asked,
                   added_supply_t=added_supply_t,
                   supply_source=supply_source, displaces_asked=displaces_asked, displaces=displaces,
                   share_to_buyer=share_to_buyer, buyer_consumption_t=buyer_consumption_t,
                   world_growth_absorbs=world_growth_absorbs, sensitivity_max=sensitivity_max, base=base,
                   sourced=sourced, consumption=consumption, consumption_basis=basis, supply=supply, bi=bi,
                   scenario=sc, results=res, rows=rows_m, publisher=_publisher(publisher))


def _minerals_with_china(tables: pd.DataFrame, order: int) -> list[str]:
    """Minerals whose newest table at a stage of this order lists China's output."""
    t = tables[[stage_order(st) == order for st in tables["stage"]]]
    t = t[t["year"] == t.groupby("mineral")["year"].transform("max")]
    china = t[(t["iso3"].astype("object") == "CHN") & t["value"].notna()]
    return sorted(china["mineral"].unique())


def _publisher(name: str) -> str:
    """A publisher's name as the prose uses it."""
    if "Geological Survey" in name or name == "USGS":
        return "USGS"
    if "Energy Agency" in name:
        return "the IEA"
    return name


def summary_text(ch: Chapter) -> str:
    """The page's answer in numbers, for its first screen."""
    r, bi = ch.r, ch.bi
    c0, c1 = r.loc["china_share", "before"], r.loc["china_share", "after"]
    r0, r1 = r.loc["buyer_reliance_on_china", "before"], r.loc["buyer_reliance_on_china", "after"]
    where = "at the mine" if not ch.processing else f"at the {ch.stage} stage"
    text = (f"**In short:** {tonnes_text(ch.supply['tonnes'])} a year of {ch.noun} added {where} by {ch.supplier} "
            f"would move China's share of world {ch.name} {ch.stage} output ({ch.base['year']}) from "
            f"**{share_text(c0)}** to **{share_text(c1)}**.")
    if math.isnan(r0):
        if bi["nir_pct"] == 0:
            text += f" The United States does not rely on net imports of {ch.noun}."
        else:
            text += " Its effect on US reliance on China cannot be computed from the book's data (see below)."
    elif r0 == 0:
        text += (f" The United States buys almost no {bi['import_forms'] or ch.noun} from China (China is not among "
                 "USGS's major sources of its imports), so there is no US reliance on China for the scenario to lower.")
    elif not ch.reaches_imports:
        text += (f" US reliance on China, measured on {bi['import_forms']}, would stay at **{share_text(r0)}** of US "
                 f"consumption: {ch.stage} output does not replace those imports.")
    elif not math.isnan(r1):
        text += (f" US reliance on China would move from **{share_text(r0)}** to **{share_text(r1)}** of US "
                 "consumption.")
    return text


def supply_text(ch: Chapter, indicators: pd.DataFrame) -> str:
    """The scenario section: where the added tonnes come from, how they compare with the supplier's current
    output and world output, and the unit of the production table."""

    A, base, supply, noun, supplier = ch.supply["tonnes"], ch.base, ch.supply, ch.noun, ch.supplier
    unit, pub = base["unit"], ch.publisher
    Pub = pub[0].upper() + pub[1:]
    the_pub = pub if pub.startswith("the ") else f"the {pub}"
    lines = []
    if supply["basis"] == "indicator":
        ind = supply["indicator"]
        note = f" The table's note on it: “{ind['note']}”." if ind.get("note") else ""
        lines.append(
            f"The added supply is **{tonnes_text(A)} of {noun} a year**: the figure *{ind['label']}* ({ind['year']}) "
            f"in the book's table of Pakistan indicators, from [{ind['publisher']}]({ind['source_url']}), "
            f"{RELIABILITY_PHRASE[ind['reliability']]}.{note}")
    elif supply["basis"] == "world_share":
        found = supply_indicators(indicators, ch.mineral) if ch.supplier_iso3 == "PAK" else indicators.iloc[0:0]
        if found.empty:
            lines.append(
                f"**Illustrative assumption, not a sourced figure.** The book's data hold no sourced tonnage for new "
                f"{ch.name} output from {supplier}. The page therefore assumes new supply equal to "
                f"**{pct(supply['fraction'], 0 if (supply['fraction'] * 100).is_integer() else 1)} of current world "
                "production**, "
                f"which is **{tonnes_text(A)} a year**, computed from {the_pub} table below.")
        else:
            listed = ", ".join(f"`indicator:{i}` ({tonnes_text(v)})" for i, v in zip(found["indicator"], found["value"]))
            lines.append(
                f"**Illustrative assumption.** The added supply, **{tonnes_text(A)} a year**, is "
                f"{pct(supply['fraction'], 1)} of current world production. Sourced figures in the book's data: "
                f"{listed}.")
    else:
        lines.append(f"The added supply, **{tonnes_text(A)} of {noun} a year**, is the value of `added_supply_t` as "
                     "given; it is not a sourced figure.")

    if base["supplier_status"] == "reported" and base["supplier_t"] > 0:
        ratio = A / base["supplier_t"]
        now = f"{supplier}'s current output in {the_pub} table ({tonnes_text(base['supplier_t'])} in {base['year']})"
        if round(ratio, 2) == 1:
            lines.append(f"That is the same as {now}, so the scenario is {supplier} doubling its output; it equals "
                         f"{share_text(A / base['world_t'])} of world output.")
        else:
            lines.append(f"That is {num(ratio, 1)} times {now} and {share_text(A / base['world_t'])} of world output.")
    else:
        lines.append(f"{Pub} does not list {supplier} separately for {ch.name} {ch.stage} output in {base['year']} "
                     f"(any output it has is in the table's residual line), so the page starts {supplier} at 0"
                     + ("." if supply["basis"] == "world_share"
                        else f"; the added supply equals {share_text(A / base['world_t'])} of world output."))
    if unit == "t":
        lines.append(f"{Pub} reports this table (*{base['product']}*, {base['edition']}) in tonnes, the unit of the "
                     "added supply, so no conversion is needed.")
    else:
        lines.append(f"{Pub} reports this table (*{base['product']}*, {base['edition']}) in {UNIT_LONG.get(unit, unit)}; "
                     f"the page converts the added {tonnes_text(A)} to "
                     f"{num(A / base['tonnes_per_unit'], 3).rstrip('0').rstrip('.')} {unit} before adding it, and shows "
                     "all results in tonnes.")
    return "## The scenario\n\n" + " ".join(lines)


def world_text(ch: Chapter) -> str:
    """World supply before and after: China's and the supplier's shares and the HHI."""

    r = ch.r
    c0, c1 = r.loc["china_share", "before"], r.loc["china_share", "after"]
    s0, s1 = r.loc["supplier_share", "before"], r.loc["supplier_share", "after"]
    h0, h1 = r.loc["hhi", "before"], r.loc["hhi", "after"]
    w0, w1 = r.loc["world_production", "before"], r.loc["world_production", "after"]
    if ch.world_growth_absorbs:
        growth = (f"World output is held at {tonnes_text(w0)}: the new tonnes take market share from every other "
                  f"producer in proportion to its output, so China's output falls from "
                  f"{tonnes_text(r.loc['china_production', 'before'])} to "
                  f"{tonnes_text(r.loc['china_production', 'after'], sig=3)}.")
    else:
        growth = (f"The new tonnes add to world output, which rises by {tonnes_text(w1 - w0, sig=3)} "
                  f"({pct((w1 - w0) / w0, 1)}); no other producer changes its output.")
    return (f"## World supply before and after\n\n"
            f"In {ch.base['year']} China produced **{share_text(c0)}** of world {ch.name} {ch.stage} output (shares of "
            + (f"{ch.publisher}'s world total" if ch.base.get("denominator") == "world_total" else
               f"the sum of the countries {ch.publisher} lists")
            + f", {tonnes_text(w0)}). {growth} China's share falls to "
            f"**{share_text(c1)}**, {points_text(c1 - c0)} lower, and {ch.supplier}'s rises from {share_text(s0)} to "
            f"{share_text(s1)}. The Herfindahl–Hirschman index of concentration (HHI = Σ (100 × sᵢ)², from 0 to "
            f"10,000, where 10,000 is a single producer) moves from about {num(round_sig(h0, 3))} to about "
            f"{num(round_sig(h1, 3))}.")


def world_table(ch: Chapter) -> pd.DataFrame:
    """World production, China's and the supplier's output and shares and the HHI, before and after (as text)."""

    r, supplier = ch.r, ch.supplier
    rows = [
        ("World production (t)", "world_production", num),
        ("China's production (t)", "china_production", num),
        (f"{supplier}'s production (t)", "supplier_production", num),
        ("China's share of world production", "china_share", share_text),
        (f"{supplier}'s share of world production", "supplier_share", share_text),
        ("HHI (0–10,000)", "hhi", num),
    ]
    return pd.DataFrame([(m, f(r.loc[k, "before"]), f(r.loc[k, "after"])) for m, k, f in rows],
                        columns=["Measure", "Before", "After"])


def buyer_text(ch: Chapter) -> str:
    """The buyer section: US net import reliance, China's share of US imports and how the scenario changes
    US reliance on China (or why it cannot be computed)."""
    from critmin.data import package as datapackage

    r, bi, noun, sourced = ch.r, ch.bi, ch.noun, ch.sourced
    m0, m1 = r.loc["buyer_china_import_share", "before"], r.loc["buyer_china_import_share", "after"]
    R0, R1 = r.loc["buyer_reliance_on_china", "before"], r.loc["buyer_reliance_on_china", "after"]
    text = ["## The buyer's reliance on China"]
    period = str(bi["import_period"]).replace("-", "–")
    if math.isnan(bi["nir_pct"]):
        text.append(f"USGS reports no net import reliance for {noun} in the years the book covers, so the buyer "
                    "measures are not available; the world measures above still apply.")
    elif math.isnan(R0) and bi["nir_pct"] == 0:
        exporter = " (the United States is a net exporter)" if bi["nir_flag"] == "net_exporter" else ""
        text.append(f"US net import reliance for {noun} was 0% in {bi['nir_year']}{exporter}, so the United States "
                    "does not depend on net imports, from China or anywhere else, and the scenario cannot change that.")
    elif math.isnan(R0):
        why = ("the book has no USGS list of US import sources for it" if bi["china_import_status"] == "no_data"
               else f"USGS ranks China among the sources ({bi['import_edition']}) without giving its share")
        text.append(f"US net import reliance for {noun} was {num(bi['nir_pct'])}% in {bi['nir_year']}, but "
                    f"China's share of US imports is not known because {why}. The buyer measures are therefore not "
                    "available; the world measures above still apply.")
    else:
        censored = bi["nir_flag"] == "censored_gt"
        nir_txt = f"more than {num(bi['nir_pct'])}%" if censored else f"{num(bi['nir_pct'])}%"
        if bi["nir_flag"] == "net_exporter":
            nir_txt = "0% (the United States is a net exporter)"
        basis = bi["nir_basis"]
        # NOTE: older editions name only the publisher's column (e.g. NIR_pct), which says nothing to a reader.
        basis = f" (basis: {basis})" if basis and not str(basis).startswith("NIR") else ""
        latest = ""
        if bi.get("nir_latest_year") and bi["nir_latest_year"] != bi["nir_year"]:
            flag = bi.get("nir_latest_flag")
            word = {"estimated": ", an estimate", "censored_gt": ", a lower bound", "censored_lt": ", an upper bound"}
            latest = (f" The page uses the year of the production table; USGS's figure for {bi['nir_latest_year']} is "
                      f"{num(bi['nir_latest_pct'])}%{word.get(flag, '')}.")
        text.append(
            f"USGS puts US net import reliance for {noun} in {bi['nir_year']} at {nir_txt} of apparent consumption{basis}."
            + (f" The page uses {num(bi['nir_pct'])}%, so the reliance on China below is a lower bound."
               if censored else "") + latest)
        if bi["china_share_assumed_zero"]:
            text.append(
                f"China is not among the major sources of US imports that USGS lists (category "
                f"“{bi['import_category']}”, {period}, {bi['import_edition']}), so the page takes China's share of US "
                f"imports as 0: US reliance on China for {noun} is about nil before the scenario, and the scenario "
                "cannot lower it.")
        else:
            text.append(
                f"China supplied {pct(m0)} of US imports in {period} (USGS category “{bi['import_category']}”, "
                f"{bi['import_edition']}). Taken together, about **{share_text(R0)}** of US consumption came directly "
                "from China (reliance on China = net import reliance × China's share of imports).")
            if not ch.reaches_imports:
                text.append(_stage_gap_text(ch, R0))
            elif ch.displaces == "market" and ch.displaces_asked == "auto":
                text.append(
                    f"The page cannot work out how many tonnes of US imports the new supply would replace, because "
                    f"{sourced['reason']}, so it does not assume the new tonnes are sold to the United States.")
            if not ch.reaches_imports:
                pass
            elif ch.displaces == "market":
                text.append(
                    f"Assuming the new tonnes are sold on the world market, and China's share of US imports falls in "
                    f"the same proportion as its share of world production (`displaces='market'`), China's share of "
                    f"US imports moves to {share_text(m1)} and US reliance on China to **{share_text(R1)}**, "
                    f"{points_text(R1 - R0)} lower.")
            else:
                B, D = r.loc["supplied_to_buyer", "after"], r.loc["displaced_from_china", "after"]
                how = {"china": "replacing imports from China first",
                       "proportional": "replacing imports from every source in proportion",
                       "none": "consumed on top of existing imports (for example, stockpiled)"}[ch.displaces]
                if ch.consumption_basis == "usgs":
                    src = next(s for s in datapackage.resource("us_salient")["sources"]
                               if s["edition"].replace(" ", "").startswith(sourced["edition"]))
                    est = ", an estimate" if sourced["flag"] == "estimated" else ""
                    q_txt = (f"US apparent consumption of {num(ch.consumption)} t in {sourced['year']} "
                             f"([{src['short']}]({src['path']}), column *{sourced['column']}*{est})")
                else:
                    q_txt = f"US apparent consumption of {tonnes_text(ch.consumption)} a year (`buyer_consumption_t`, as given)"
                imports_cn = r.loc["buyer_nir", "before"] / 100 * m0 * ch.consumption
                text.append(
                    f"With {q_txt}, US imports from China come to about {tonnes_text(imports_cn, sig=3)} a year. "
                    f"Assuming {pct(ch.share_to_buyer)} of the new supply ({tonnes_text(B)}) is sold to the United "
                    f"States, {how}, about {tonnes_text(D, sig=3)} of imports from China are displaced"
                    + (" (all of them)" if imports_cn - 1e-9 <= D and D > 0 else "")
                    + f": US reliance on China moves to **{share_text(R1)}**, {points_text(R1 - R0)} lower.")
    return "\n\n".join([text[0], " ".join(text[1:])])


def _stage_gap_text(ch: Chapter, r0: float) -> str:
    """Why supply at an earlier stage than the buyer's imports leaves its reliance on China where it was."""
    bi, noun = ch.bi, ch.noun
    later = sorted({st for st in ch.rows["stage"].dropna().unique() if stage_order(st) >= stage_order(bi["imports_stage"])},
                   key=lambda st: (stage_order(st), st)) if bi["imports_stage"] != "any" else []
    rerun = (" To model that, rerun the page at a later stage: " + ", ".join(f"`-p stage {st}`" for st in later) + "."
             if later else " The book has no production table at that stage for this mineral, so that case cannot be "
             "computed here.")
    return (f"The new supply enters the chain at the {ch.stage} stage (*{ch.base['product']}*), but US net import "
            f"reliance for {noun} is measured on {bi['import_forms']}. {ch.stage.capitalize()} output does not "
            f"replace those imports unless it is processed outside China, so **US reliance on China stays at "
            f"{share_text(r0)}**: the scenario changes only the world {ch.stage} shares above.{rerun}")


def refinery_text(ch: Chapter) -> str:
    """For supply entering after the mine: China's share of the stage if the same tonnes were processed in China
    instead (shipped as ore or concentrate), beside its share if they are processed by the supplier."""
    if not ch.processing:
        return ""
    alt_sc = dataclasses.replace(ch.scenario, supplier_iso3="CHN", imports_stage=None)
    alt = run(ch.rows, np.nan, np.nan, alt_sc).set_index("measure")
    c0, c1 = ch.r.loc["china_share", "before"], ch.r.loc["china_share", "after"]
    c_cn = alt.loc["china_share", "after"]
    return (f"## Processed in {ch.supplier}, or in China?\n\n"
            f"If the same {tonnes_text(ch.supply['tonnes'])} a year left {ch.supplier} as ore or concentrate and were "
            f"processed in China, China's share of world {ch.name} {ch.stage} output would rise from {share_text(c0)} "
            f"to {share_text(c_cn)}. Processed in {ch.supplier} instead, the same tonnes lower it to {share_text(c1)}. "
            f"Where the processing "
            f"happens makes a difference of **{points_text(c_cn - c1)}** to China's share of this stage.")


def _times(x: float) -> str:
    """A ratio for prose: '3.2 times', 'about 150 times'."""
    return f"{num(x, 1)} times" if x < 10 else f"about {num(round_sig(x, 2))} times"


def sensitivity_curve(ch: Chapter, points: int = 41) -> dict:
    """The scenario rerun for added supply from 0 to ``sensitivity_max`` × the scenario's (or to 5% of world
    output when the scenario adds nothing), and the supply needed to bring China's share below half (or a
    quarter below today's share where it is already under half).

    Returns ``long`` (added_supply_t, measure label, share; rounded for a stable page), ``series`` (measure
    id → label), ``top`` (the largest added supply), ``c_top`` (China's share there), ``target`` and ``need``
    (tonnes a year; NaN if no amount reaches the target, 0 if already reached).
    """
    A, base, sc, bi = ch.supply["tonnes"], ch.base, ch.scenario, ch.bi
    c0 = ch.r.loc["china_share", "before"]
    target = 0.5 if c0 > 0.5 else c0 * 0.75
    need = supply_for_china_share(base, sc, target)
    top = A * ch.sensitivity_max if A > 0 else 0.05 * base["world_t"]
    sens = sensitivity(ch.rows, bi["nir_pct"], bi["china_import_share"], sc, np.linspace(0, top, points),
                       buyer_consumption_t=ch.consumption)
    series = {"china_share_after": "China's share of world production"}
    if not sens["buyer_reliance_on_china_after"].isna().all():
        series["buyer_reliance_on_china_after"] = "US reliance on China"
    long = sens.melt(id_vars="added_supply_t", value_vars=list(series), var_name="measure", value_name="share")
    long["measure"] = long["measure"].map(series)
    long = long.round({"added_supply_t": 3, "share": 6})
    return {"long": long, "series": series, "top": top, "c_top": float(sens["china_share_after"].iloc[-1]),
            "target": target, "need": need}


def sensitivity_text(ch: Chapter, curve: dict) -> str:
    """The 'How much supply would it take?' section: the range the chart covers and the supply needed to
    reach the target share of :func:`sensitivity_curve`."""

    A, need, target = ch.supply["tonnes"], curve["need"], curve["target"]
    if math.isnan(need):
        need_txt = f"No amount of added supply in this model brings China's share down to {pct(target)}."
    elif need == 0:
        need_txt = ""
    else:
        goal = "below half" if target == 0.5 else f"to {pct(target, 1)} (a quarter less than today)"
        need_txt = (f"To bring China's share {goal}, {ch.supplier} would have to add about **{tonnes_text(need, sig=2)} a "
                    f"year**, {_times(need / A) + ' this scenario' if A > 0 else ''}"
                    f"{' and ' if A > 0 else ''}{num(need / ch.base['world_t'] * 100, 0)}% of today's world output.")
    return ("## How much supply would it take?\n\nThe chart reruns the scenario for added supply from 0 to "
            f"{tonnes_text(curve['top'])} a year, everything else unchanged. " + need_txt)


def sensitivity_chart(ch: Chapter, curve: dict) -> alt.TopLevelMixin:
    """Lines of the shares of :func:`critmin.scenario.sensitivity_curve`, with the page's scenario marked."""
    A, series = ch.supply["tonnes"], curve["series"]
    c0 = ch.r.loc["china_share", "before"]
    base_chart = alt.Chart(curve["long"]).encode(
        x=alt.X("added_supply_t:Q", title=f"Added supply from {ch.supplier} (tonnes a year)"),
        y=alt.Y("share:Q", title="Share (%)", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=True)),
        color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=list(series.values()),
                        range=[charts.CHINA, charts.PALETTE[1]][:len(series)])),
        tooltip=[alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("added_supply_t:Q", title="Added supply (t)", format=",.0f"),
                 alt.Tooltip("share:Q", title="Share", format=".1%")])
    marker = pd.DataFrame({"added_supply_t": [round(A, 3)], "label": ["this page's scenario"]})
    rule = alt.Chart(marker).mark_rule(strokeDash=[4, 4], color="#555").encode(x="added_supply_t:Q")
    rule_text = alt.Chart(marker).mark_text(align="left", dx=4, dy=-140, color="#555").encode(
        x="added_supply_t:Q", text="label:N")
    c_top = curve["c_top"]
    return charts.finish(
        alt.layer(base_chart.mark_line(), rule, rule_text).properties(width=540, height=300),
        title=(f"Even {num(ch.sensitivity_max, 0)}× this supply leaves China with {pct(c_top)} of world {ch.name} output"
               if A > 0 else f"Adding supply up to 5% of world output leaves China with {pct(c_top)}"),
        subtitle=f"{ch.label}, {ch.stage} production, {ch.base['year']}; dashed line: this page's scenario "
                 f"({tonnes_text(A)} a year)",
        description=(f"Line chart of China's share of world {ch.name} {ch.stage} output against added supply from "
                     f"{ch.supplier}, from 0 to {tonnes_text(curve['top'])} a year. China's share falls from "
                     f"{pct(c0, 1)} to {pct(c_top, 1)}."),
        sources=["production", "import_reliance", "import_sources", "us_salient"])
