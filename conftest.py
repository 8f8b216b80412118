"""Loaded for every test run, including nbval on book/pages alone.

With several test processes (`make test` runs three), kernels start at the same moment, and jupyter_client picks
each kernel's ports before the kernel binds them, so two kernels can pick the same port and one dies at start.
nbval's kernel start is therefore tried up to three times. Only the start is retried, never a cell: a page whose
outputs changed still fails.
"""

import nbval.kernel

_START_ATTEMPTS = 3
_start_new_kernel = nbval.kernel.start_new_kernel


def _start_with_retries(*args, **kwargs):
    for attempt in range(1, _START_ATTEMPTS + 1):
        try:
            return _start_new_kernel(*args, **kwargs)
        except RuntimeError:  # "Kernel died before replying to kernel_info"
            if attempt == _START_ATTEMPTS:
                raise


nbval.kernel.start_new_kernel = _start_with_retries
