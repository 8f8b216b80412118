"""Country names: publishers' spellings to ISO 3166-1 alpha-3 codes, with country_converter doing the matching."""

from __future__ import annotations

import functools
import logging
import re

import country_converter as coco

# Rows that are not a single country. The publisher's name is kept; these never get an ISO code.
_WORLD = re.compile(r"^(world|total)\b", re.I)
_OTHER = re.compile(r"^(other|others|other countries|rest of world|rest of the world)\b", re.I)
# Historic states and groupings that ISO 3166-1 does not cover as one current country.
_GROUP = re.compile(
    r"( and |, and |\bU\.?S\.?S\.?R\b|soviet union|yugoslavia|czechoslovakia|german democratic|"
    r"german federal|serbia and montenegro|european union|\bEU\b|africa \(other\))",
    re.I,
)
_FOOTNOTE = re.compile(r"\s*\d+(,\s*\d+)*\s*$")

# NOTE: country_converter's regexes miss a few spellings used by USGS and BGS; these map to the code
# the publisher means (checked against the publisher's own tables).
_EXTRA = {
    "congo (kinshasa)": "COD",
    "congo (brazzaville)": "COG",
    "korea, north": "PRK",
    "korea, south": "KOR",
    "burma": "MMR",
    "turkey": "TUR",
    "ivory coast": "CIV",
    "laos": "LAO",
}


def clean_name(name: str) -> str:
    """Strip whitespace and trailing footnote numbers (`World total (rounded) 10` → `World total (rounded)`)."""
    name = " ".join(str(name).replace("\u00a0", " ").split())
    return _FOOTNOTE.sub("", name).strip()


def row_kind(name: str) -> str:
    """`world_total`, `other` (the publisher's residual), `group` (several or historic states) or `country`."""
    name = clean_name(name)
    if _WORLD.search(name):
        return "world_total"
    if _OTHER.search(name):
        return "other"
    if _GROUP.search(name):
        return "group"
    return "country"


@functools.cache
def _converter() -> coco.CountryConverter:
    logging.getLogger("country_converter").setLevel(logging.ERROR)
    return coco.CountryConverter()


@functools.lru_cache(maxsize=4096)
def to_iso3(name: str) -> str | None:
    """ISO alpha-3 code for a publisher's country name, or None for world totals, residuals and groups.

    Raises ValueError for a name that looks like a country but matches nothing, so a new spelling is
    noticed at curation time rather than silently dropped.
    """
    name = clean_name(name)
    if row_kind(name) != "country":
        return None
    if name.lower() in _EXTRA:
        return _EXTRA[name.lower()]
    code = _converter().convert(name, to="ISO3", not_found=None)
    # country_converter hands back the input itself for some unmatched names, whatever `not_found` says.
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"country name not recognised: {name!r}")
    return code


def to_name(iso3: str) -> str:
    """Short English name for an ISO alpha-3 code (as used in the book's tables and charts)."""
    name = _converter().convert(iso3, src="ISO3", to="name_short", not_found=None)
    if not isinstance(name, str) or name == iso3:
        raise ValueError(f"unknown ISO 3166 alpha-3 code: {iso3!r}")
    return name
