"""Command line: python -m critmin.curate RAW_DIR [--out DATA_DIR] [--only usgs,bgs,...]"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from critmin import paths
from critmin.data import package as datapackage

STEPS = ["usgs", "bgs", "iea", "comtrade", "sbp", "usgs_tables", "processing", "baci", "wgi", "wmd"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m critmin.curate", description=__doc__)
    ap.add_argument("raw", type=Path, help="folder holding the publishers' raw files, one sub-folder per source")
    ap.add_argument("--out", type=Path, default=paths.DATA, help="data package folder to write (default: data/)")
    ap.add_argument("--only", default=",".join(STEPS), help=f"comma-separated steps (default: {','.join(STEPS)})")
    args = ap.parse_args(argv)
    if not args.raw.is_dir():
        print(f"error: raw folder not found: {args.raw}", file=sys.stderr)
        return 2
    steps = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(steps) - set(STEPS))
    if unknown:
        print(f"error: unknown step(s) {unknown}; allowed: {', '.join(STEPS)}", file=sys.stderr)
        return 2
    for step in steps:
        module = importlib.import_module(f"critmin.curate.{step}")
        for p in module.curate(args.raw, args.out):
            print(f"{step}: wrote {p}")
    print(f"wrote {datapackage.write(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
