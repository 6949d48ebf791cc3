"""Start the notebooks' Jupyter kernels over IPC (Unix domain sockets) instead of TCP ports.

Over TCP, the process that starts a kernel picks five free ports and the kernel binds them a moment later. When two
notebooks run at once (nbmake under ``pytest -n 2``, ``tools/execute_parallel.py``), another process's socket can
take one of those ports in between, and the kernel dies with zmq's "Address already in use" (this failed a CI run;
nbmake issue 129 reports the same). A Unix socket is a file whose name is unique to its kernel here, so no other
kernel or connection can take it.

Loaded as a pytest plugin (``pytest -p ipc_kernels`` with ``tools`` on ``PYTHONPATH``), or called before notebooks
are executed. nbclient (used by nbmake and jupyter-cache) looks up ``jupyter_client.AsyncKernelManager`` each time
it creates a kernel manager, so replacing that name with the subclass below is enough.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import Any


def use_ipc_kernels() -> None:
    """From now on, kernels that nbclient starts in this process listen on Unix sockets with unique names."""
    import jupyter_client

    base = jupyter_client.AsyncKernelManager
    if getattr(base, "uses_unique_ipc", False):
        return

    class IPCKernelManager(base):  # type: ignore[misc, valid-type]
        """An AsyncKernelManager whose kernels use IPC, at a socket path of their own in the temporary folder."""

        uses_unique_ipc = True

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)
            if self.transport == "ipc":
                self.ip = os.path.join(tempfile.gettempdir(), f"kernel-{uuid.uuid4().hex[:16]}")

    jupyter_client.AsyncKernelManager = IPCKernelManager


def pytest_configure(config: object) -> None:
    """pytest hook: switch before any notebook's kernel starts (runs in every xdist worker)."""
    use_ipc_kernels()
