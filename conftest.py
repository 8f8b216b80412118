"""Loaded for every test run, including nbval on book/pages alone: how nbval starts the kernel of each page.

nbval starts a new kernel for every notebook. Here, as in the book's build (`critmin.book.execute`), that kernel is
forked by a kernel server that has imported the third-party libraries once: a new process for each notebook, whose
namespace and modules are those of a kernel that has just started, without the two to three seconds of start-up
and imports each time. The pages also read their tables through the build's table cache, keyed by the files'
content (see `critmin.data.cache`). What a page computes is unchanged: its outputs must still match the committed
ones, cell by cell. Where `os.fork` is missing nbval starts its kernels as it always does.

With several test processes (`make test` runs three), kernels start at the same moment, and jupyter_client picks
each kernel's ports before the kernel binds them, so two kernels can pick the same port and one dies at start.
The kernel's start is therefore tried up to three times. Only the start is retried, never a cell: a page whose
outputs changed still fails.
"""

import atexit
import os
import tempfile

import nbval.kernel

_START_ATTEMPTS = 3
_start_new_kernel = nbval.kernel.start_new_kernel
_servers: dict = {}


def _server(kernel_name: str):
    """This test process's kernel server for `kernel_name`, started on first use (and again if it died)."""
    from critmin import paths
    from critmin.book import execute

    server = _servers.get(kernel_name)
    if server is None or not server.alive():
        fd, log = tempfile.mkstemp(prefix="nbval-kernel-server-", suffix=".log")
        os.close(fd)
        server = execute.KernelServer.for_kernel(kernel_name, paths.NOTEBOOKS, log,
                                                 nbval.kernel.NbvalKernelspecManager())
        _servers[kernel_name] = server
        atexit.register(_close, server, log)
    return server


def _close(server, log: str) -> None:
    server.close()
    if os.path.exists(log):
        os.unlink(log)


def _start_forked(startup_timeout=60, kernel_name="python", **kwargs):
    """nbval's `start_new_kernel`, with the kernel forked by the server."""
    from jupyter_client.manager import KernelManager

    from critmin.book import execute

    km = execute.forked_by(KernelManager(kernel_name=kernel_name,
                                         kernel_spec_manager=nbval.kernel.NbvalKernelspecManager()),
                           _server(kernel_name))
    err = kwargs.pop("stderr", None)  # the forked kernel's output goes to the provisioner's log
    if err is not None:
        err.close()
    env = {**os.environ, **kwargs.pop("env", {})}
    env.setdefault(execute.TABLE_CACHE_ENV, str(execute.table_cache_dir()))
    km.start_kernel(env=env, **kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    return km, kc


def _start_with_retries(*args, **kwargs):
    from critmin.book import execute

    start = _start_forked if execute.CAN_FORK else _start_new_kernel
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            return start(*args, **kwargs)
        except RuntimeError:  # "Kernel died before replying to kernel_info", or the server did not answer
            if attempt == _START_ATTEMPTS:
                raise


nbval.kernel.start_new_kernel = _start_with_retries
