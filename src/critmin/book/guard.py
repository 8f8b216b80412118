"""Keeping a build safe: one build at a time per checkout, a clean stop on Ctrl-C, and scratch folders that
never outlive the build that made them.

Whatever runs the pages (worker processes, kernels started in their own sessions, a Jupyter Book
subprocess), an interrupt kills every process the build started, by walking the process tree from this
process down, so nothing keeps executing after the command has returned.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from critmin import paths

SCRATCH = ".build-tmp"
LOCK = "build.lock"
# Scratch folders of the page executor: under .build-tmp/ now; in the repository root before (pages-XXXXXXXX,
# the names tempfile makes), which a killed build could leave behind.
_OLD_SCRATCH = re.compile(r"pages-[a-z0-9_]{8}")


class Interrupted(KeyboardInterrupt):
    """The build was stopped by SIGINT (Ctrl-C) or SIGTERM after killing `stopped` processes it had started."""

    def __init__(self, stopped: int = 0, signum: int = signal.SIGINT):
        super().__init__(stopped, signum)
        self.stopped = stopped
        self.signum = signum


class Busy(RuntimeError):
    """Another build holds this checkout's lock."""


def scratch_root(root: Path | None = None) -> Path:
    return (root or paths.ROOT) / SCRATCH


# ---------------------------------------------------------------- one build per checkout

@contextlib.contextmanager
def build_lock(root: Path | None = None):
    """Hold the checkout's build lock, or raise Busy at once. The operating system releases the lock when the
    process ends, however it ends, so a killed build never leaves a stale lock behind."""
    folder = scratch_root(root)
    folder.mkdir(parents=True, exist_ok=True)
    fh = open(folder / LOCK, "a+", encoding="utf-8")  # noqa: SIM115 (held open: the lock lives as long as the build)
    try:
        try:
            import fcntl
        except ImportError:  # no advisory locks on this platform: builds are not serialised
            yield
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            pid = fh.read().strip()
            raise Busy(f"another build is running in this checkout{f' (process {pid})' if pid.isdigit() else ''}; "
                       "wait for it to finish and run the command again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    finally:
        fh.close()


# ---------------------------------------------------------------- scratch folders

def clean_stale_scratch(root: Path | None = None) -> list[Path]:
    """Remove page scratch folders left by a killed build. Call it holding the lock: then no other build of this
    checkout is using them. Returns what was removed."""
    root = root or paths.ROOT
    stale = [d for d in scratch_root(root).glob("pages-*") if d.is_dir()]
    stale += [d for d in root.glob("pages-*") if d.is_dir() and _OLD_SCRATCH.fullmatch(d.name)]
    for d in stale:
        shutil.rmtree(d, ignore_errors=True)
    for f in paths.PAGES.glob(".*.tmp") if root == paths.ROOT else ():  # half-written files of write_atomic
        f.unlink(missing_ok=True)
        stale.append(f)
    return stale


def scratch_dir(prefix: str = "pages-", root: Path | None = None) -> tempfile.TemporaryDirectory:
    """A temporary folder under .build-tmp/ (removed on exit, and by the next build if this one is killed)."""
    folder = scratch_root(root)
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.TemporaryDirectory(prefix=prefix, dir=folder)


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file so that a reader (or a killed writer) sees the old content or the new, never half of it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- interrupts

def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) for every process visible to us."""
    table: dict[int, tuple[int, str]] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for d in proc.iterdir():
            if not d.name.isdigit():
                continue
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces and brackets, so split after the last ')'
            rest = stat[stat.rfind(")") + 2:].split()
            table[int(d.name)] = (int(rest[1]), rest[0])
        return table
    out = subprocess.run(["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "stat="], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[1].isdigit():
            table[int(parts[0])] = (int(parts[1]), parts[2][0])
    return table


def descendants(pid: int | None = None) -> list[int]:
    """Every live process below `pid` (default: this one), children first."""
    pid = pid or os.getpid()
    table = _process_table()
    kids: dict[int, list[int]] = {}
    for p, (ppid, state) in table.items():
        if state != "Z":
            kids.setdefault(ppid, []).append(p)
    out, todo = [], [pid]
    while todo:
        for child in kids.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    state = _process_table().get(pid)
    return state is not None and state[1] != "Z"


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, sig)
    # Kernels run in their own session: their process group holds whatever they started.
    with contextlib.suppress(OSError):
        pgid = os.getpgid(pid)
        if pgid == pid and pgid != os.getpgrp():
            os.killpg(pgid, sig)


def kill_descendants(grace: float = 2.0) -> int:
    """Stop every process this one started, and theirs: SIGTERM, then SIGKILL after `grace` seconds.
    Returns how many processes were stopped."""
    stopped: set[int] = set()
    for _ in range(3):  # a worker may start a kernel while we list: look again
        found = [p for p in descendants() if p not in stopped]
        if not found:
            break
        for p in found:
            _signal(p, signal.SIGTERM)
        stopped.update(found)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p) for p in stopped):
        time.sleep(0.05)
    for p in stopped:
        if _alive(p):
            _signal(p, signal.SIGKILL)
    return len(stopped)


_state = {"defer": 0, "pending": None, "active": False}


def _stop(signum: int):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Interrupted(kill_descendants(), signum)


def _handler(signum, frame):
    if _state["defer"]:
        _state["pending"] = signum
        return
    _stop(signum)


@contextlib.contextmanager
def interruptible():
    """Turn SIGINT and SIGTERM into Interrupted after killing every process started inside the block.
    Only the main thread can install signal handlers; elsewhere this does nothing."""
    import threading

    if threading.current_thread() is not threading.main_thread() or _state["active"]:
        yield
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    _state.update(active=True, pending=None)
    for s in old:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _state.update(active=False, pending=None, defer=0)


@contextlib.contextmanager
def deferred_interrupts():
    """Finish the block (publishing files, swapping folders) before acting on an interrupt received inside it."""
    _state["defer"] += 1
    try:
        yield
    finally:
        _state["defer"] -= 1
        if not _state["defer"] and _state["pending"] is not None and _state["active"]:
            signum, _state["pending"] = _state["pending"], None
            _stop(signum)


def worker_ignores_interrupts() -> None:
    """Initializer for executor worker processes: the terminal's Ctrl-C reaches the whole process group, but only
    the main process acts on it (it kills the workers), so workers print no traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
