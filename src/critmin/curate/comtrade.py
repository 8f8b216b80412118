"""UN Comtrade extracts (US, China, World; 2020–2024) → data/us_imports.csv: US imports by partner and HS code.

The raw folder holds one CSV per commodity group with the standard Comtrade API columns. Only US
imports (reporter 842, flow M) are kept, for partners China (156), World (0) and Australia (36)
where the extract has them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._io import check_raw, write_csv

FOLDER = "comtrade-us-china-cmm"
NAME = "us_imports"

REPORTER_US = "842"
PARTNERS = {"156": ("China", "CHN", "country"), "0": ("World", "", "world_total"), "36": ("Australia", "AUS", "country")}

# HS code → (mineral id, short description). The extract's cmdDesc column is empty, so the wording
# here paraphrases the Harmonized System nomenclature.
HS = {
    "2846": ("rare_earths", "Compounds of rare-earth metals, yttrium or scandium"),
    "280530": ("rare_earths", "Rare-earth metals, scandium and yttrium"),
    # NOTE: 811292 is a basket (unwrought gallium, germanium, indium, niobium, vanadium and others;
    # waste, scrap, powders); the extract filed it under gallium, and the mineral id follows that.
    "811292": ("gallium", "Unwrought gallium, germanium, indium, niobium, vanadium and other metals of 8112; waste and scrap; powders"),
    "250410": ("graphite", "Natural graphite in powder or flakes"),
    "380110": ("graphite", "Artificial graphite"),
    "282520": ("lithium", "Lithium oxide and hydroxide"),
    "283691": ("lithium", "Lithium carbonates"),
    # NOTE: 253090 (mineral substances not elsewhere specified) contains spodumene but much else; the
    # extract filed it under lithium, so it is kept there with that warning in the metadata.
    "253090": ("lithium", "Mineral substances not elsewhere specified (includes lithium ores such as spodumene)"),
    "282200": ("cobalt", "Cobalt oxides and hydroxides"),
    "8105": ("cobalt", "Cobalt mattes and intermediate products; cobalt and articles thereof, incl. waste and scrap"),
    "7402": ("copper", "Unrefined copper; copper anodes for electrolytic refining"),
    "7403": ("copper", "Refined copper and copper alloys, unwrought"),
    "7501": ("nickel", "Nickel mattes, oxide sinters and other intermediate products of nickel metallurgy"),
    "7502": ("nickel", "Unwrought nickel"),
}

COLUMNS = [
    "mineral", "hs_code", "hs_description", "year", "partner", "partner_iso3", "row_kind",
    "value_usd", "net_weight_kg", "weight_estimated",
]
KEY = ["hs_code", "year", "partner"]


def _num(s: str) -> str:
    """Comtrade writes '123.0'; keep integers as integers and drop float noise."""
    if s.strip() == "":
        return ""
    v = round(float(s), 3)
    return str(int(v)) if v == int(v) else f"{v:.3f}".rstrip("0")


def read_raw(raw: Path) -> pd.DataFrame:
    frames = []
    for f in sorted((raw / FOLDER).glob("*_trade_data.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8")
        frames.append(df.drop(columns=["commodity_name"], errors="ignore"))
    df = pd.concat(frames, ignore_index=True)
    # NOTE: heavy_ree and light_ree hold the same rows (HS 2846 and 280530) in a different order;
    # dropping exact duplicates (ignoring the file's own commodity label) removes the second copy.
    return df.drop_duplicates(ignore_index=True)


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    df = df[
        (df["reporterCode"] == REPORTER_US)
        & (df["flowCode"] == "M")
        & df["partnerCode"].isin(PARTNERS)
        # Totals over all transport modes, customs procedures and second partners; breakdowns would double count.
        & (df["motCode"] == "0")
        & (df["customsCode"] == "C00")
        & (df["partner2Code"] == "0")
        & (df["freqCode"] == "A")
    ].copy()
    unknown = sorted(set(df["cmdCode"]) - set(HS))
    if unknown:
        raise ValueError(f"HS codes without a mineral mapping: {unknown}")
    partner = df["partnerCode"].map(PARTNERS)
    weight = df["netWgt"].map(_num)
    value = df["primaryValue"].map(_num)
    # NOTE: a net weight of 0 kg next to a positive value is a missing weight, not a zero shipment.
    weight = weight.where(~((weight == "0") & (value != "0") & (value != "")), "")
    out = pd.DataFrame(
        {
            "mineral": df["cmdCode"].map(lambda c: HS[c][0]),
            "hs_code": df["cmdCode"],
            "hs_description": df["cmdCode"].map(lambda c: HS[c][1]),
            "year": df["refYear"].astype(int),
            "partner": partner.str[0],
            "partner_iso3": partner.str[1],
            "row_kind": partner.str[2],
            "value_usd": value,
            "net_weight_kg": weight,
            "weight_estimated": df["isNetWgtEstimated"].str.lower().map({"true": "true", "false": "false"}),
        }
    )
    if out["weight_estimated"].isna().any():
        raise ValueError("isNetWgtEstimated is not True/False in some rows")
    out.loc[out["net_weight_kg"] == "", "weight_estimated"] = ""
    if out.duplicated(KEY).any():
        raise ValueError(f"several US import rows for one HS code, year and partner:\n{out[out.duplicated(KEY, keep=False)]}")
    return out[COLUMNS].sort_values(["mineral", "hs_code", "year", "row_kind", "partner"]).reset_index(drop=True)


def curate(raw: Path, out: Path) -> list[Path]:
    check_raw("comtrade", raw)
    df = tidy(read_raw(raw))
    return [write_csv(df, out / f"{NAME}.csv")]
