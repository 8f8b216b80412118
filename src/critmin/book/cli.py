"""The one command: `critmin build | run | check | pages | curate | datapackage`."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import yaml

from critmin import paths
from critmin.book import build as b
from critmin.book import guard
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


def slug(params: dict, limit: int = 120) -> str:
    """A run folder's name from its parameters. Where characters had to be replaced or the name cut to
    `limit`, a short hash of the parameters keeps two different runs apart."""
    text = "-".join(f"{k}-{v}" for k, v in params.items()) or "defaults"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", text)
    if safe == text and len(safe) <= limit:
        return safe
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:10]
    return f"{safe[:limit - len(digest) - 1]}-{digest}"


def notebook_source(name: str) -> Path:
    """The notebook in notebooks/ that `name` means: its name (with or without .ipynb), or a path to it.
    Anything else, a path outside notebooks/ included, is refused with the list of notebooks."""
    known = sorted(f.stem for f in paths.NOTEBOOKS.glob("*.ipynb"))
    if name is None or not str(name).strip():
        raise ParameterError(f"name the notebook to rerun (make run NB=<name>); notebooks: {', '.join(known)}")
    text = str(name).strip()
    candidate = Path(text if text.endswith(".ipynb") else f"{text}.ipynb")
    if len(candidate.parts) == 1:
        source = paths.NOTEBOOKS / candidate
    else:
        source = candidate.expanduser().resolve()
    if source.parent.resolve() != paths.NOTEBOOKS.resolve() or source.stem not in known:
        raise ParameterError(f"unknown notebook {name!r}; notebooks: {', '.join(known)}")
    return paths.NOTEBOOKS / source.name


def run_folder(out: str | None) -> Path:
    """Where reruns go: runs/ by default, never inside the sources (notebooks, book, data, code)."""
    base = Path(out).expanduser().resolve() if out else paths.RUNS.resolve()
    for source in (paths.NOTEBOOKS, paths.BOOK, paths.data_dir(), paths.ROOT / "src", b.CODE_ROOT / "src"):
        source = source.resolve()
        if base == source or base.is_relative_to(source):
            raise ParameterError(f"--out {out!r} is inside {source}, which holds the book's sources; "
                                 "choose another folder (the default is runs/)")
    return base


def cmd_run(args) -> int:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = notebook_source(args.notebook)
    name = source.stem
    params = {k: _parse_value(value) for k, value in (args.p or [])}
    b.check_parameters(source, params)
    out_dir = run_folder(args.out) / f"{name}-{slug(params)}"
    with guard.interruptible(), tempfile.TemporaryDirectory() as tmp:
        nb_path = Path(tmp) / f"{name}.ipynb"
        try:
            # The notebook is written once, when it has run: it is in a scratch folder until then, so
            # papermill's copy after every cell would be read by no one.
            papermill.execute_notebook(str(source), str(nb_path), parameters=params, kernel_name=b.KERNEL,
                                       progress_bar=False, cwd=str(paths.NOTEBOOKS),
                                       extra_arguments=b.KERNEL_ARGS, request_save_on_cell_execute=False)
        except PapermillExecutionError as e:
            raise ParameterError(f"{name}: {e.ename}: {e.evalue}") from None
        nb = b.clean_notebook(nbformat.read(nb_path, as_version=4))
        from critmin.book.standalone import write_html
        staged = Path(tmp) / "out"
        staged.mkdir()
        nbformat.write(nb, staged / f"{name}.ipynb")
        write_html(nb, staged / f"{name}.html", title=f"{name} {slug(params)}")
        with guard.deferred_interrupts():  # both files are replaced whole, or neither
            out_dir.mkdir(parents=True, exist_ok=True)
            for f in sorted(staged.iterdir()):
                guard.write_atomic(out_dir / f.name, f.read_bytes())
    print(f"wrote {out_dir / (name + '.ipynb')}\nwrote {out_dir / (name + '.html')}")
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
    pr.add_argument("notebook", nargs="?", help="notebook name in notebooks/, without .ipynb")
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
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM: the kernels it started are already stopped
        stopped = getattr(e, "stopped", 0)
        what = f"stopped {stopped} process(es) it had started; " if stopped else ""
        print(f"interrupted: {what}published pages, HTML and runs/ left as they were", file=sys.stderr)
        return 130
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
