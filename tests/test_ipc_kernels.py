"""tools/ipc_kernels.py: notebook kernels listen on Unix sockets with names of their own (no TCP port to collide on)."""

import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from ipc_kernels import use_ipc_kernels  # noqa: E402

nbclient = pytest.importorskip("nbclient")

ASK = "from ipykernel import get_connection_info\nprint(get_connection_info())"


def _connection_of_a_new_kernel() -> dict:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ASK)])
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    return json.loads(nb.cells[0].outputs[0]["text"])


def test_kernels_use_unix_sockets_with_unique_absolute_names():
    use_ipc_kernels()
    use_ipc_kernels()  # a second call changes nothing
    first, second = _connection_of_a_new_kernel(), _connection_of_a_new_kernel()
    assert first["transport"] == second["transport"] == "ipc"
    assert Path(first["ip"]).is_absolute() and first["ip"] != second["ip"]
    # the kernel removes its socket files when it shuts down
    assert not list(Path(first["ip"]).parent.glob(Path(first["ip"]).name + "-*"))
