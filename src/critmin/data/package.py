"""The data package's metadata: one YAML file per resource in data/meta/, assembled into data/datapackage.json."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import yaml

from critmin import paths
from critmin.render import deps
from critmin.text import years_text

PACKAGE_HEAD = {
    "profile": "tabular-data-package",
    "name": "critical-minerals-pakistan",
    "title": "Critical minerals, China's supply-chain share and Pakistan's USSM–FWO deal",
    "description": (
        "Curated tables behind every number in the book: world production, reserves, US import reliance "
        "and import sources, long production series, trade, refining, Pakistan's mineral economy, events, "
        "deals and expert claims. Each resource names its publisher, edition and licence."
    ),
    "version": "0.1.0",
}


def meta_files(data_dir: Path | None = None) -> list[Path]:
    return sorted((data_dir or paths.data_dir()).joinpath("meta").glob("*.yaml"))


def assemble(data_dir: Path | None = None) -> dict:
    """Build the datapackage.json dictionary from data/meta/*.yaml (resources sorted by name)."""
    resources = []
    for f in meta_files(data_dir):
        res = yaml.safe_load(f.read_text(encoding="utf-8"))
        if res.get("name") != f.stem:
            raise ValueError(f"{f}: 'name' must equal the file stem {f.stem!r}")
        resources.append(res)
    return {**PACKAGE_HEAD, "resources": resources}


def render(data_dir: Path | None = None) -> str:
    return json.dumps(assemble(data_dir), indent=2, ensure_ascii=False) + "\n"


def write(data_dir: Path | None = None) -> Path:
    target = (data_dir or paths.data_dir()) / "datapackage.json"
    target.write_text(render(data_dir), encoding="utf-8")
    return target


@functools.lru_cache(maxsize=8)
def _read(path: str) -> dict:
    from critmin.data.loader import DataError

    deps.record([path])  # the build's record of what a page depends on
    where = _shown(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{where}: file missing; run `critmin datapackage` to write it from data/meta/") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{where}: cannot be read ({e})") from None
    try:
        pkg = json.loads(text)
    except json.JSONDecodeError as e:
        raise DataError(f"{where}, line {e.lineno}, column {e.colno}: not valid JSON ({e.msg}); "
                        "run `critmin datapackage` to write it again from data/meta/") from None
    if not isinstance(pkg, dict) or not isinstance(pkg.get("resources"), list):
        raise DataError(f"{where}: no list of resources; run `critmin datapackage` to write it again from data/meta/")
    return pkg


def _shown(path: Path) -> str:
    """A file's name as messages show it: relative to the repository when it is inside it."""
    try:
        return path.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


def package(data_dir: Path | None = None) -> dict:
    """The committed datapackage.json."""
    return _read(str((data_dir or paths.data_dir()) / "datapackage.json"))


def resource(name: str, data_dir: Path | None = None) -> dict:
    res = {r["name"]: r for r in package(data_dir)["resources"]}
    if name not in res:
        raise KeyError(f"unknown dataset {name!r}; the data package has: {', '.join(sorted(res))}")
    return res[name]


def resource_names(data_dir: Path | None = None) -> list[str]:
    return sorted(r["name"] for r in package(data_dir)["resources"])


def source_line(names: list[str] | str, data_dir: Path | None = None) -> str:
    """A short 'Source: …' line for chart captions, from the resources' own source metadata.

    Editions of one series are folded together: "USGS, Mineral Commodity Summaries 2022–2026".
    """
    if isinstance(names, str):
        names = [names]
    labels: list[str] = []
    for n in names:
        for s in resource(n, data_dir).get("sources", []):
            label = s.get("short") or f"{s.get('publisher', '')}, {s.get('title', '')}".strip(", ")
            if label not in labels:
                labels.append(label)
    series: dict[str, list[int]] = {}
    order: list[str] = []
    for label in labels:
        m = re.fullmatch(r"(.*\D)(\d{4})", label)
        key = m.group(1) if m else label
        if key not in series:
            series[key] = []
            order.append(key)
        if m:
            series[key].append(int(m.group(2)))
    return "Source: " + "; ".join(k + years_text(series[k]) if series[k] else k for k in order)


if __name__ == "__main__":  # python -m critmin.data.package (or `critmin datapackage`) → rewrite data/datapackage.json
    print(write())
