"""The page executor: a fresh kernel per page (nothing leaks from one page to the next), parameters injected as
papermill injects them, one line per failing page, and no kernel left alive after an interrupt."""

from __future__ import annotations

import _thread
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from critmin.book import build, execute

MODES = ["fork", "spawn"] if hasattr(os, "fork") else ["spawn"]
# Each test runs a few tiny notebooks in seconds; a kernel that never answers fails its test after five minutes.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Page timings (and tables) go to a scratch cache folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def light_kernels(monkeypatch):
    """Kernels warmed with one small module instead of the book's libraries, for the tests of what the executor
    does with its kernels (failures, retries, interrupts), which no page library takes part in. The tests of
    what a page sees (no state leaks, byte-identical pages, the nbval hook) keep the real list."""
    monkeypatch.setattr(execute, "WARM_MODULES", ("json",))


@dataclass(frozen=True)
class FakePage:
    page: str
    source: Path
    params: dict = field(default_factory=dict)
    title: str = "A page"


def _notebook(path: Path, params: str, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nText."),
                nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters", "remove-cell"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    for i, c in enumerate(nb.cells):
        c.id = f"cell-{i}"
    nbformat.write(nb, path)
    return path


def _outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs]


# ---------------------------------------------------------------- no kernel needed

def test_errors_come_on_one_line():
    assert execute.one_line("DataError: a.csv, line 2, column 'x': bad\na.csv, line 5, column 'y': bad\n") == \
        "DataError: a.csv, line 2, column 'x': bad; a.csv, line 5, column 'y': bad"


def test_the_server_never_imports_the_package():
    assert not any(m == "critmin" or m.startswith("critmin.") for m in execute.WARM_MODULES)
    assert "critmin" not in execute._SERVER


def test_longest_pages_start_first_and_new_pages_lead():
    pages = [FakePage(n, Path("x.ipynb")) for n in ("a", "b", "c", "d")]
    order = execute.longest_first(pages, {"a": 1.0, "b": 9.0, "d": 3.0})
    assert [p.page for p in order] == ["c", "b", "d", "a"]


# ---------------------------------------------------------------- kernels

PROBE = """\
import json, os, sys
import pandas
seen = {
    "globals": sorted(k for k in globals() if not k.startswith("_") and k not in
                      ("In", "Out", "get_ipython", "exit", "quit", "open", "step", "json", "os", "sys", "pandas")),
    "package_modules": sorted(m for m in sys.modules if m == "critmin" or m.startswith("critmin.")),
    "pandas_marked": hasattr(pandas, "LEAKED"),
    "env_marked": "CRITMIN_LEAK" in os.environ,
    "pid": os.getpid(),
    "execution_count": get_ipython().execution_count,
}
print(json.dumps(seen))
"""

LEAK = """\
left_behind = 1
pandas.LEAKED = True
os.environ["CRITMIN_LEAK"] = "1"
import critmin.text
from critmin.render import deps
deps.record_modules()
"""


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_no_state_leaks_from_one_page_to_the_next(tmp_path, mode):
    nb = _notebook(tmp_path / "probe.ipynb", 'step: str = "first"', PROBE, LEAK)
    pages = [FakePage("one", nb, {"step": "first"}), FakePage("two", nb, {"step": "second"})]
    work = tmp_path / "work"
    work.mkdir()
    res = execute.run_pages(pages, work, jobs=1, log=lambda *_: None, mode=mode, table_cache=False)
    assert all(r.error is None for r in res.values()), res
    first, second = (json.loads(_outputs(work / f"{p}.ipynb")[0]) for p in ("one", "two"))
    assert second["pid"] != first["pid"]
    for seen in (first, second):
        assert seen["globals"] == []
        assert seen["package_modules"] == []  # so the dependency log sees only what the page imports
        assert not seen["pandas_marked"] and not seen["env_marked"]
    assert first["execution_count"] == second["execution_count"]  # a kernel that has run nothing else
    for p in ("one", "two"):
        counts = [c.execution_count for c in nbformat.read(work / f"{p}.ipynb", as_version=4).cells
                  if c.cell_type == "code"]
        assert counts == [1, 2, 3, 4]  # parameters, injected parameters, the probe, the leaks
    # the dependency log records the modules the page imported, and only for that page
    assert "src/critmin/text.py" in res["one"].reads and res["one"].reads == res["two"].reads


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_pages_are_byte_identical_to_a_plain_papermill_run(tmp_path, mode):
    import papermill

    nb = _notebook(tmp_path / "demo.ipynb", 'mineral: str = "copper"  # id\nyear: int = 2024  # year',
                   "print(mineral, year)", "from IPython.display import Markdown\nMarkdown(f'**{mineral}**')",
                   "import pandas as pd\npd.DataFrame({'a': [1.5, None]})")
    page = FakePage("demo", nb, {"mineral": "gallium", "year": 2023}, title="Gallium")
    work = tmp_path / "work"
    work.mkdir()
    res = execute.run_pages([page], work, jobs=1, log=lambda *_: None, mode=mode, table_cache=False)
    assert res["demo"].error is None
    plain = tmp_path / "plain.ipynb"
    papermill.execute_notebook(str(nb), str(plain), parameters=page.params, kernel_name=build.KERNEL,
                               progress_bar=False, cwd=str(tmp_path))
    nbformat.write(build.retitle(build.clean_notebook(nbformat.read(plain, as_version=4)), "Gallium"), plain)
    assert (work / "demo.ipynb").read_bytes() == plain.read_bytes()
    injected = [c for c in nbformat.read(work / "demo.ipynb", as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected[0].source == '# Parameters\nmineral = "gallium"\nyear = 2023\n'


@pytest.mark.slow
def test_each_failing_page_is_reported_on_one_line(tmp_path, light_kernels):
    good = _notebook(tmp_path / "good.ipynb", "x: int = 1", "print(x)")
    bad = _notebook(tmp_path / "bad.ipynb", "x: int = 1", "raise ValueError('first problem\\nsecond problem')")
    pages = [FakePage("good", good), FakePage("bad-1", bad), FakePage("bad-2", bad, {"x": 2})]
    work = tmp_path / "work"
    work.mkdir()
    lines = []
    res = execute.run_pages(pages, work, jobs=2, log=lines.append, table_cache=False)
    assert res["good"].error is None and (work / "good.ipynb").exists()
    for p in ("bad-1", "bad-2"):
        assert res[p].error == "ValueError: first problem; second problem"
        assert not (work / f"{p}.ipynb").exists()
    assert sorted(lines) == ["  FAILED bad-1: ValueError: first problem; second problem",
                             "  FAILED bad-2: ValueError: first problem; second problem", "  ran good"]


@pytest.mark.slow
def test_kernels_that_cannot_start_fail_their_pages_without_hanging(tmp_path, light_kernels, monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(execute.KernelServer, "fork", broken)
    nb = _notebook(tmp_path / "good.ipynb", "x: int = 1", "print(x)")
    pages = [FakePage(n, nb) for n in ("a", "b", "c")]
    work = tmp_path / "work"
    work.mkdir()
    res = execute.run_pages(pages, work, jobs=2, log=lambda *_: None, mode="fork", table_cache=False)
    error = "kernel did not start: OSError: no more processes"
    assert {p: r.error for p, r in res.items()} == dict.fromkeys(("a", "b", "c"), error)


@pytest.mark.slow
def test_a_kernel_that_fails_to_start_is_retried(tmp_path, light_kernels, monkeypatch):
    real, calls = execute.KernelServer.fork, []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("address already in use")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(execute.KernelServer, "fork", flaky)
    nb = _notebook(tmp_path / "good.ipynb", "x: int = 1", "print(x)")
    work = tmp_path / "work"
    work.mkdir()
    res = execute.run_pages([FakePage("a", nb), FakePage("b", nb)], work, jobs=1, log=lambda *_: None,
                            mode="fork", table_cache=False)
    assert [r.error for r in res.values()] == [None, None] and len(calls) == 3
    assert all(len(r.cells) == 2 and r.wall >= sum(r.cells) > 0 for r in res.values())  # the cells' own times


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to see processes")
def test_an_interrupt_kills_every_kernel(tmp_path, light_kernels):
    pids = tmp_path / "pids"
    pids.mkdir()
    nb = _notebook(tmp_path / "sleep.ipynb", 'name: str = "a"',
                   f"import os, time, pathlib\npathlib.Path({str(pids)!r}, name).write_text("
                   "f'{os.getpid()} {os.getppid()}')\ntime.sleep(600)")
    pages = [FakePage(n, nb, {"name": n}) for n in ("a", "b", "c")]
    work = tmp_path / "work"
    work.mkdir()

    def interrupt_when_running():
        deadline = time.monotonic() + 120
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        _thread.interrupt_main()

    threading.Thread(target=interrupt_when_running, daemon=True).start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        execute.run_pages(pages, work, jobs=2, log=lambda *_: None, table_cache=False)
    running = [tuple(map(int, f.read_text().split())) for f in pids.iterdir()]
    assert len(running) == 2  # the third page never started
    # the kernels, and the kernel server that forked them (a spawned kernel's parent is this process)
    watched = {pid for pair in running for pid in pair} - {os.getpid()}
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in watched) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in watched if _alive(pid)]
    assert time.monotonic() - t0 < 60


def test_a_kernel_server_that_does_not_answer_fails_the_start_instead_of_hanging(monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(execute, "FORK_TIMEOUT", 0.5)
    srv = execute.KernelServer.__new__(execute.KernelServer)  # a server that reads requests and never answers
    srv._lock, srv.pid = threading.Lock(), 1
    srv.proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        t0 = time.monotonic()
        with pytest.raises(RuntimeError, match="did not answer within 0.5 s"):
            srv.fork(["python"], {}, ".", "kernel.log")
        assert time.monotonic() - t0 < 10
    finally:
        srv.proc.kill()
        srv.proc.wait()


def test_killing_a_kernel_cleans_up_but_never_terminates_its_zmq_context(tmp_path):
    """zmq's term() waits for every socket of a context; a client papermill leaves running can hold one for
    ever, which once hung a build after its last page. kill() cleans up without destroying the context."""
    import zmq

    class KernelManager:  # the part of jupyter_client's manager that kill() uses
        def __init__(self):
            self.context, self._created_context, self.cleaned = zmq.Context(), True, False

        async def cleanup_resources(self):
            self.cleaned = True
            if self._created_context:  # as jupyter_client does
                self.context.destroy(linger=0)

    supplier = execute.KernelSupplier.__new__(execute.KernelSupplier)
    supplier._lock, supplier.live = threading.Lock(), {}
    km = KernelManager()
    supplier.kill(execute.Kernel(km, 2 ** 22 + 12345, tmp_path / "reads", tmp_path / "stderr"))  # no such process
    assert km.cleaned and not km.context.closed


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the kernel server forks")
def test_a_blocking_kernel_manager_can_have_its_kernel_forked_by_the_server(tmp_path):
    """What the nbval hook (conftest.py) uses: a plain jupyter_client KernelManager whose kernel the server forks,
    with the libraries already imported, and which shuts down as a kernel of its own would."""
    from jupyter_client.manager import KernelManager

    server = execute.KernelServer.for_kernel("python3", tmp_path, tmp_path / "server.log")
    try:
        km = execute.forked_by(KernelManager(kernel_name="python3"), server, tmp_path / "kernel.log")
        km.start_kernel(cwd=str(tmp_path), env={**os.environ, "PAGE_ENV": "set"})
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
            seen: list[str] = []
            kc.execute_interactive(
                "import os, sys; print(os.getppid(), 'pandas' in sys.modules, os.environ['PAGE_ENV'], os.getcwd())",
                output_hook=lambda m: seen.append(m["content"].get("text", "")), timeout=60)
        finally:
            kc.stop_channels()
        pid = km.provisioner.pid
        assert "".join(seen).split() == [str(server.pid), "True", "set", str(tmp_path)]
        km.shutdown_kernel(now=True)
        assert not _alive(pid)
    finally:
        server.close()
