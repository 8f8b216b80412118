"""The build's safety net: the checkout lock, interrupts that kill what the build started, deferred publishing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from critmin.book import guard


def test_a_second_holder_of_the_lock_is_refused_naming_the_first(tmp_path):
    busy = f"another build is running in this checkout \\(process {os.getpid()}\\)"
    with guard.build_lock(tmp_path), pytest.raises(guard.Busy, match=busy), guard.build_lock(tmp_path):
        pass
    with guard.build_lock(tmp_path):  # released on exit
        pass


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "page.ipynb"
    target.write_text("old")
    guard.write_atomic(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.ipynb"]


def _spawn_kernel_like():
    """A child in its own session with a grandchild, like a kernel jupyter_client starts and what it runs."""
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def test_kill_descendants_stops_children_in_their_own_sessions_and_theirs():
    child = _spawn_kernel_like()
    deadline = time.monotonic() + 10
    # The child's own descendants: the test process may have others (the kernel server nbval's pages use).
    while time.monotonic() < deadline and not guard.descendants(child.pid):
        time.sleep(0.05)
    below = guard.descendants(child.pid)
    assert below, "grandchild did not start"
    assert guard.kill_descendants(grace=2.0) >= 2
    child.wait(timeout=5)
    time.sleep(0.2)
    assert not [p for p in below if guard._alive(p)]


def test_an_interrupt_kills_children_and_raises_interrupted():
    child = _spawn_kernel_like()
    with pytest.raises(guard.Interrupted) as err, guard.interruptible():
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # interrupted long before this ends
    assert err.value.stopped >= 1
    child.wait(timeout=5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back


def test_an_interrupt_while_publishing_waits_for_the_block_to_finish():
    done = []
    with pytest.raises(guard.Interrupted), guard.interruptible():
        with guard.deferred_interrupts():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)
            done.append("all files in place")
        done.append("not reached")
    assert done == ["all files in place"]
