"""Executing pages fast: a fresh kernel process per page, started warm, in parallel.

Most of a page's run used to be overhead: a new Python process, IPython and ipykernel, then pandas, altair and
pandera imported again, 44 times. Here one *kernel server* process imports those third-party libraries once and
then forks a kernel for each page. A forked kernel is a new process: its namespace, its modules and their state
are those of a kernel that has just started and imported the libraries, whatever the previous page did. The
server never imports the book's own package (`critmin`): a page imports it itself, so the dependency log
(`render.deps.record_modules`) still sees exactly the package modules the page used.

A supplier thread keeps the next kernels forked and ready while pages run; worker threads (one per core) take a
ready kernel, run the page through papermill (same parameter injection, same nbclient engine, so the executed
notebook is byte-identical to a run with a kernel of its own), then kill the kernel. Every kernel and the server
die with the build: on KeyboardInterrupt the executor kills them, and the kernel asks Linux to kill it when its
parent goes (PR_SET_PDEATHSIG), so nothing outlives a killed build either.

Where `os.fork` is missing the executor falls back to ordinary kernels (`spawn`): still one fresh kernel per page,
started ahead of time, with the libraries imported silently before the page's first cell.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from critmin import paths

# Third-party modules a page would import anyway (through the package): imported once in the kernel server (or
# silently in each spawned kernel) before the page starts. Never `critmin` itself: see the module docstring.
WARM_MODULES = (
    "numpy", "pandas", "pandera.pandas", "altair", "jsonschema", "yaml", "country_converter",
    "IPython.display", "papermill",
)

# A page's failure reaches the reader as its one-line Result. Papermill's own log lines would add a second
# line, e.g. "Kernel died while waiting for execute reply" when Ctrl-C kills the kernels mid-cell.
logging.getLogger("papermill").addHandler(logging.NullHandler())

# Kernels are forked where the system can fork safely (macOS's system libraries do not survive a fork).
CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin"

# The environment variable that points the loaders at the table cache (see data/cache.py).
TABLE_CACHE_ENV = "CRITMIN_TABLE_CACHE"
# Where the executor writes each page's timings, when set (tools/bench.py reads them).
TIMINGS_ENV = "CRITMIN_TIMINGS"

# The kernel server, run as `python -c` so that no module of the package is imported in it. It reads one JSON
# request a line on stdin and answers with one JSON line on stdout.
_SERVER = r'''
import ctypes, importlib, json, os, signal, sys, traceback

def _pdeathsig():
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

_pdeathsig()  # the server dies with the build
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle: it kills us
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
warm = json.loads(sys.argv[1])
for name in ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.interactiveshell"] + warm:
    importlib.import_module(name)
requests, answers = sys.stdin, sys.stdout
answers.write(json.dumps({"ready": os.getpid()}) + "\n"); answers.flush()

def _kernel(req):
    os.setsid()  # its own process group, as jupyter_client gives a kernel it launches
    _pdeathsig()
    if os.getppid() != server:
        os._exit(1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDONLY)
    log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(null, 0); os.dup2(log, 1); os.dup2(log, 2)
    os.close(null); os.close(log)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    # What `python -m ipykernel_launcher ARGS` does, minus the imports already done. The kernel app read
    # JPY_PARENT_PID when it was imported, before there was one: give it the server (its parent) here.
    import ipykernel_launcher
    sys.argv = [ipykernel_launcher.__file__] + req["args"] + [f"--IPKernelApp.parent_handle={server}"]
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    from ipykernel import kernelapp
    kernelapp.launch_new_instance()

server = os.getpid()
for line in requests:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _kernel(req)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            try:
                sys.stdout.flush(); sys.stderr.flush()
            finally:
                os._exit(code)
    answers.write(json.dumps({"pid": pid}) + "\n"); answers.flush()
'''


class KernelStartError(RuntimeError):
    """No kernel could be started for a page."""


class KernelServer:
    """The process that imports the libraries once and forks one kernel per request."""

    def __init__(self, argv_prefix: list[str], cwd: Path, log: Path):
        # Must be created by the thread that outlives the pool: Linux kills the server when that thread ends.
        self._lock = threading.Lock()
        self._log = open(log, "wb")  # noqa: SIM115 - open as long as the server runs
        # One thread per numeric library: a process that forks must not hold thread pools the children inherit
        # half-started (a forked kernel could wait on a lock held by a thread that no longer exists).
        env = {**os.environ, **dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1")}
        self.proc = subprocess.Popen(
            [*argv_prefix, "-c", _SERVER, json.dumps(list(WARM_MODULES))], cwd=cwd, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1)
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError(f"the kernel server did not start; see {log}")
        self.pid = json.loads(hello)["ready"]

    @classmethod
    def for_kernel(cls, kernel_name: str, cwd: Path, log: Path, spec_manager=None) -> KernelServer:
        """The server for the kernel spec `kernel_name` (its interpreter and flags)."""
        if spec_manager is None:
            from jupyter_client.kernelspec import KernelSpecManager

            spec_manager = KernelSpecManager()
        return cls(_argv_prefix(spec_manager.get_kernel_spec(kernel_name).argv), cwd, log)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, args: list[str], env: dict, cwd: str, log: str) -> int:
        with self._lock:
            self.proc.stdin.write(json.dumps({"args": args, "env": {**env, "JPY_PARENT_PID": str(self.pid)},
                                              "cwd": str(cwd), "log": log}) + "\n")
            self.proc.stdin.flush()
            # The server answers at once; a server that does not is treated as a kernel that failed to start
            # (retried, then the pages fail with one line) rather than a build that waits for ever.
            ready, _, _ = select.select([self.proc.stdout], [], [], FORK_TIMEOUT)
            if not ready:
                raise RuntimeError(f"the kernel server did not answer within {FORK_TIMEOUT:g} s")
            answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("the kernel server stopped")
        return json.loads(answer)["pid"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self._log):
            with contextlib.suppress(OSError):
                f.close()


class _Forked:
    """What jupyter_client's LocalProvisioner needs of a Popen, for a kernel forked by the server."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except (ProcessLookupError, PermissionError):
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        t0 = time.monotonic()
        while self.poll() is None:
            if timeout is not None and time.monotonic() - t0 > timeout:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        os.kill(self.pid, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """Launches the kernel by asking the kernel server to fork one, with the command's arguments."""

        server: KernelServer | None = None
        log_path: str = os.devnull

        async def launch_kernel(self, cmd, **kwargs):
            args = cmd[cmd.index("ipykernel_launcher") + 1:]
            cwd = kwargs.get("cwd") or os.getcwd()
            pid = self.server.fork(args, dict(kwargs.get("env") or os.environ), cwd, self.log_path)
            self.process = _Forked(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    return ForkProvisioner


def forked_by(km, server: KernelServer, log: str = os.devnull):
    """Make the jupyter_client kernel manager `km` (blocking or async) start its kernel by asking `server` to fork
    one; the kernel's output goes to `log`. Returns `km`, ready for `start_kernel`."""
    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    prov = _provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    prov.server, prov.log_path = server, str(log)
    km.provisioner = prov
    return km


# ---------------------------------------------------------------- kernels

@dataclass
class Kernel:
    """One started kernel, good for one page."""

    km: object
    pid: int
    reads_log: Path
    stderr_log: Path
    ready_at: float = field(default_factory=time.perf_counter)


def _argv_prefix(spec_argv: list[str]) -> list[str]:
    """The interpreter and its flags from the kernel spec (`python -Xfrozen_modules=off -m ipykernel_launcher`)."""
    if "-m" not in spec_argv or spec_argv[spec_argv.index("-m") + 1] != "ipykernel_launcher":
        raise RuntimeError(f"kernel spec {spec_argv} does not run ipykernel_launcher")
    return spec_argv[:spec_argv.index("-m")]


def _warm_code() -> str:
    return "import " + ", ".join(WARM_MODULES) + "\ndel " + ", ".join(m.split(".")[0] for m in WARM_MODULES)


class KernelSupplier:
    """Starts kernels ahead of the pages (up to `ahead` ready at a time) and kills them when done with."""

    def __init__(self, workdir: Path, ahead: int, mode: str | None = None, kernel_name: str = "python3",
                 cwd: Path | None = None, env: dict | None = None, limit: int | None = None):
        self.workdir = Path(workdir)
        self.kernel_name = kernel_name
        self.cwd = Path(cwd or paths.NOTEBOOKS)
        self.env = dict(env or {})
        self.mode = mode or ("fork" if CAN_FORK else "spawn")
        self.server = KernelServer.for_kernel(kernel_name, self.cwd, self.workdir / "kernel-server.log") \
            if self.mode == "fork" else None
        self.ready: queue.Queue[Kernel] = queue.Queue(maxsize=max(1, ahead))
        self.failure: BaseException | None = None
        self.live: dict[int, Kernel] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._n = 0
        self.limit = limit  # how many kernels in all (one per page): none is started for nothing
        self._thread = threading.Thread(target=self._run, name="kernel-supplier", daemon=True)
        self._thread.start()

    # ---- supplier thread
    def _run(self) -> None:
        from jupyter_core.utils import run_sync

        start = run_sync(self._start)
        made = 0
        while not self._stop.is_set() and (self.limit is None or made < self.limit):
            for attempt in range(START_ATTEMPTS):  # a kernel can lose its port to another process: retry
                try:
                    k = start()
                    made += 1
                    break
                except BaseException as e:  # noqa: BLE001 - handed to the workers below
                    if self._stop.is_set():
                        return
                    if attempt == START_ATTEMPTS - 1:
                        self.failure = e  # every worker waiting for a kernel now gets this error
                        return
            if not self._put(k):
                self.kill(k)
                return

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self.ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    async def _start(self) -> Kernel:
        from jupyter_client import AsyncKernelManager

        with self._lock:
            self._n += 1
            n = self._n
        reads = self.workdir / f"kernel-{n}.reads"
        stderr = self.workdir / f"kernel-{n}.stderr"
        env = {**os.environ, **self.env, "CRITMIN_READS_LOG": str(reads)}
        km = AsyncKernelManager(kernel_name=self.kernel_name)
        if self.server is not None:
            forked_by(km, self.server, stderr)
            await asyncio.wait_for(km.start_kernel(cwd=str(self.cwd), env=env, extra_arguments=_NBCLIENT_ARGS),
                                   START_TIMEOUT)
        else:
            with open(stderr, "wb") as err:
                await asyncio.wait_for(
                    km.start_kernel(cwd=str(self.cwd), env=env, extra_arguments=_NBCLIENT_ARGS, stderr=err),
                    START_TIMEOUT)
        pid = km.provisioner.pid
        k = Kernel(km, pid, reads, stderr)
        with self._lock:
            self.live[pid] = k
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            if self.server is None:  # spawned kernel: import the libraries now, silently (no execution count)
                reply = await kc.execute_interactive(_warm_code(), silent=True, store_history=False, timeout=120)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"warming a kernel failed: {reply['content'].get('evalue')}")
        except BaseException:
            self.kill(k)
            raise
        finally:
            kc.stop_channels()
        k.ready_at = time.perf_counter()
        return k

    # ---- used by the workers
    def take(self) -> Kernel:
        """The next ready kernel; raises if kernels can no longer be started."""
        while True:
            try:
                return self.ready.get(timeout=0.1)
            except queue.Empty:
                if self.failure is not None:
                    raise KernelStartError(f"{type(self.failure).__name__}: {self.failure}") from None
                if not self._thread.is_alive() and self.ready.empty():
                    raise KernelStartError("no kernel left to run a page") from None

    def kill(self, k: Kernel) -> None:
        """Kill a kernel at once (no polite shutdown: it will never be used again) and remove its files."""
        try:
            os.killpg(k.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(k.pid, signal.SIGKILL)
        with self._lock:
            self.live.pop(k.pid, None)
        from jupyter_core.utils import run_sync

        # NOTE: the kernel manager's zmq context is not destroyed here. Its term() waits for every socket made
        # in it to close, and a client papermill leaves behind (its heartbeat thread keeps running) can hold one
        # for ever: a build then hung after its last page. The context is kept until the process exits, when
        # pyzmq skips destroying it; the connection file and control socket are still cleaned up.
        k.km._created_context = False
        _RETIRED_CONTEXTS.append(k.km.context)
        with contextlib.suppress(Exception):  # connection file, cached ports, control socket; best effort
            run_sync(k.km.cleanup_resources)()

    def close(self) -> None:
        """Stop starting kernels and kill every kernel still alive, then the server."""
        self._stop.set()
        self._thread.join(timeout=30)
        while True:
            try:
                item = self.ready.get_nowait()
            except queue.Empty:
                break
            self.kill(item)
        with self._lock:
            live = list(self.live.values())
        for k in live:
            self.kill(k)
        if self.server is not None:
            self.server.close()


START_ATTEMPTS = 3
# zmq contexts of killed kernels, kept alive until the process exits (see KernelSupplier.kill).
_RETIRED_CONTEXTS: list = []
# Seconds: the kernel server's answer to a fork request, a kernel's start, and one cell of a page. Generous
# bounds that a working machine never reaches; they turn a stalled kernel into a failed page.
FORK_TIMEOUT = 60.0
START_TIMEOUT = 120.0
CELL_TIMEOUT = 1200

# nbclient passes this to every kernel it starts itself; a kernel started here gets the same.
_NBCLIENT_ARGS = ["--HistoryManager.hist_file=:memory:"]


# ---------------------------------------------------------------- pages

@dataclass
class Result:
    page: str
    error: str | None
    reads: list[str]
    wall: float = 0.0  # from taking the kernel to the cleaned notebook written
    waited: float = 0.0  # for a ready kernel, before that
    cells: list[float] = field(default_factory=list)  # each code cell's own run time, in order


def one_line(text: str) -> str:
    """A message on one line (data errors list several problems, one a line)."""
    lines = [ln.strip() for ln in str(text).strip().splitlines() if ln.strip()]
    return "; ".join(lines)


def _run_page(page, kernel: Kernel, workdir: Path) -> Result:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from critmin.book import build

    t0 = time.perf_counter()
    out = Path(workdir) / f"{page.page}.ipynb"
    try:
        # No `cwd`: papermill would chdir the whole process; the kernel was started in the notebooks folder.
        # No output path: the notebook is cleaned in memory and written once, below.
        nb = papermill.execute_notebook(
            str(page.source), None, parameters=page.params, kernel_name=build.KERNEL, km=kernel.km,
            progress_bar=False, log_output=False, report_mode=False, request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT,
        )
    except PapermillExecutionError as e:
        return Result(page.page, one_line(f"{e.ename}: {e.evalue}"), [], wall=time.perf_counter() - t0)
    except Exception as e:  # kernel died, bad notebook JSON …
        return Result(page.page, one_line(f"{type(e).__name__}: {e}"), [], wall=time.perf_counter() - t0)
    cells = [c.metadata.get("papermill", {}).get("duration") or 0.0 for c in nb.cells if c.cell_type == "code"]
    nbformat.write(build.retitle(build.clean_notebook(nb), page.title), out)
    log = kernel.reads_log
    reads = log.read_text(encoding="utf-8").split() if log.exists() else []
    return Result(page.page, None, sorted({build._rel(Path(r)) for r in reads}), wall=time.perf_counter() - t0,
                  cells=cells)


def table_cache_dir() -> Path:
    """Parsed, validated tables, keyed by content (never committed): the user's cache folder."""
    return paths.cache_dir() / "tables"


def run_pages(todo: list, workdir: Path, jobs: int | None = None, log=print, mode: str | None = None,
              table_cache: Path | None | bool = True) -> dict[str, Result]:
    """Execute pages (objects with .page, .source, .params, .title) in parallel, each in a fresh warm kernel.

    Writes each cleaned notebook to workdir/<page>.ipynb and returns one Result per page, errors as one line.
    Interrupting (KeyboardInterrupt) kills every kernel before the exception propagates.
    """
    t0 = time.perf_counter()
    workdir = Path(workdir)
    if not todo:
        return {}
    history = _read_history()
    todo = longest_first(todo, history)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    env = {}
    if table_cache:
        env[TABLE_CACHE_ENV] = str(table_cache_dir() if table_cache is True else table_cache)
    supplier = KernelSupplier(workdir, ahead=jobs, mode=mode, env=env, limit=len(todo))
    pending: queue.Queue = queue.Queue()
    for p in todo:
        pending.put(p)
    done: queue.Queue[Result | BaseException] = queue.Queue()

    def worker():
        while True:
            try:
                p = pending.get_nowait()
            except queue.Empty:
                return
            t_take = time.perf_counter()
            try:
                k = supplier.take()
            except KernelStartError as e:  # that page fails; so will the others
                done.put(Result(p.page, one_line(f"kernel did not start: {e}"), []))
                continue
            except BaseException as e:  # noqa: BLE001 - raised in the main thread
                done.put(e)
                return
            waited = time.perf_counter() - t_take
            try:
                r = _run_page(p, k, workdir)
                r.waited = waited
                done.put(r)
            except BaseException as e:  # noqa: BLE001
                done.put(e)
            finally:
                supplier.kill(k)

    threads = [threading.Thread(target=worker, name=f"page-worker-{i}", daemon=True) for i in range(jobs)]
    results: dict[str, Result] = {}
    try:
        for t in threads:
            t.start()
        while len(results) < len(todo):
            try:
                item = done.get(timeout=0.2)
            except queue.Empty:
                continue
            if isinstance(item, BaseException):
                raise item
            results[item.page] = item
            log(f"  {'FAILED' if item.error else 'ran'} {item.page}" + (f": {item.error}" if item.error else ""))
    except BaseException:
        while True:  # no page starts after this
            try:
                pending.get_nowait()
            except queue.Empty:
                break
        supplier.close()  # kills running kernels: their workers end with a dead-kernel error
        raise
    supplier.close()
    for t in threads:
        t.join(timeout=10)
    _write_history(history, {r.page: r.wall for r in results.values() if r.error is None})
    if os.environ.get(TIMINGS_ENV):  # for the benchmark
        Path(os.environ[TIMINGS_ENV]).write_text(json.dumps(
            {"execute_s": time.perf_counter() - t0, "jobs": jobs, "mode": supplier.mode,
             "pages": {r.page: {"wall": r.wall, "waited": r.waited, "cells": r.cells} for r in results.values()}},
            indent=1), encoding="utf-8")
    return results


# ---------------------------------------------------------------- page order

def history_file() -> Path:
    return table_cache_dir().parent / "page-seconds.json"


def _read_history() -> dict[str, float]:
    try:
        h = json.loads(history_file().read_text(encoding="utf-8"))
        return {k: float(v) for k, v in h.items()} if isinstance(h, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _write_history(old: dict, new: dict) -> None:
    with contextlib.suppress(OSError):
        f = history_file()
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({**old, **new}, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, f)


def longest_first(todo: list, seconds: dict[str, float]) -> list:
    """Pages that took longest last time start first, so no long page is left running alone at the end; pages
    never timed keep their place at the front, in book order. Only the order of work changes, never a page."""
    unknown = [p for p in todo if p.page not in seconds]
    known = sorted((p for p in todo if p.page in seconds), key=lambda p: -seconds[p.page])
    return unknown + known
