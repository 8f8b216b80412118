"""The one command: `critmin build | run | check | pages | curate | datapackage`."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import yaml

from critmin import paths
from critmin.book import build as b
from critmin.params import ParameterError


def _parse_value(text: str):
    """Like papermill's -p: numbers, true/false and lists parse as YAML; anything else (dates included)
    stays the text that was typed."""
    try:
        value = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return text
    if isinstance(value, str):
        try:  # YAML 1.1 reads 1e12 as text; a reader means a number
            return float(value) if re.fullmatch(r"[-+]?\d+(\.\d*)?[eE][-+]?\d+", value) else text
        except ValueError:
            return text
    return value if isinstance(value, (bool, int, float, list)) else text


def cmd_build(args) -> int:
    b.build(force=args.force, jobs=args.jobs)
    return 0


def cmd_check(args) -> int:
    problems = b.check_pages()
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"{len(b.pages())} page(s) match their notebooks and parameters")
    return 0


def cmd_pages(args) -> int:
    for p in b.pages():
        print(f"{p.page:28} {p.notebook:20} {p.params}")
    return 0


def slug(params: dict) -> str:
    text = "-".join(f"{k}-{v}" for k, v in params.items()) or "defaults"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def cmd_run(args) -> int:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = paths.NOTEBOOKS / f"{args.notebook}.ipynb"
    if not source.exists():
        known = ", ".join(sorted(f.stem for f in paths.NOTEBOOKS.glob("*.ipynb")))
        raise ParameterError(f"unknown notebook {args.notebook!r}; notebooks: {known}")
    params = {name: _parse_value(value) for name, value in (args.p or [])}
    b.check_parameters(source, params)
    out_dir = Path(args.out or paths.RUNS) / f"{args.notebook}-{slug(params)}"
    with tempfile.TemporaryDirectory() as tmp:
        nb_path = Path(tmp) / f"{args.notebook}.ipynb"
        try:
            papermill.execute_notebook(str(source), str(nb_path), parameters=params, kernel_name=b.KERNEL,
                                       progress_bar=False, cwd=str(paths.NOTEBOOKS))
        except PapermillExecutionError as e:
            raise ParameterError(f"{args.notebook}: {e.ename}: {e.evalue}") from None
        nb = b.clean_notebook(nbformat.read(nb_path, as_version=4))
        out_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, out_dir / f"{args.notebook}.ipynb")
        from critmin.book.standalone import write_html
        html = write_html(nb, out_dir / f"{args.notebook}.html", title=f"{args.notebook} {slug(params)}")
    print(f"wrote {out_dir / (args.notebook + '.ipynb')}\nwrote {html}")
    return 0


def cmd_curate(args) -> int:
    from critmin.curate.__main__ import main as curate_main

    return curate_main([str(args.raw), *(["--out", str(args.out)] if args.out else []),
                        *(["--only", args.only] if args.only else [])])


def cmd_datapackage(args) -> int:
    from critmin.data import package

    print(f"wrote {package.write()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="critmin", description="Build and rerun the critical-minerals book.")
    sub = ap.add_subparsers(dest="command", required=True)
    pb = sub.add_parser("build", help="execute changed pages and compile the HTML book")
    pb.add_argument("--force", action="store_true", help="re-execute every page")
    pb.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: number of cores)")
    pb.set_defaults(func=cmd_build)
    pc = sub.add_parser("check", help="check committed executed pages against their notebooks and parameters")
    pc.set_defaults(func=cmd_check)
    pp = sub.add_parser("pages", help="list the book's notebook pages")
    pp.set_defaults(func=cmd_pages)
    pr = sub.add_parser("run", help="rerun one notebook with new parameters into runs/ (the book is untouched)")
    pr.add_argument("notebook", help="notebook name in notebooks/, without .ipynb")
    pr.add_argument("-p", nargs=2, action="append", metavar=("NAME", "VALUE"), help="parameter (repeatable)")
    pr.add_argument("--out", default=None, help="output folder (default: runs/)")
    pr.set_defaults(func=cmd_run)
    pu = sub.add_parser("curate", help="rebuild data/ from the publishers' raw files (one folder per source)")
    pu.add_argument("raw", type=Path, help="folder holding the raw files, one sub-folder per source")
    pu.add_argument("--out", type=Path, default=None, help="data package folder to write (default: data/)")
    pu.add_argument("--only", default=None, help="comma-separated curation steps (default: all)")
    pu.set_defaults(func=cmd_curate)
    pd_ = sub.add_parser("datapackage", help="assemble data/datapackage.json from data/meta/*.yaml")
    pd_.set_defaults(func=cmd_datapackage)
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except (ParameterError, b.BuildError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # data errors and the like: one line, not a traceback
        from critmin.data import DataError
        if isinstance(e, DataError):
            print(f"error: {e}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
