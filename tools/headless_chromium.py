"""How every headless Chromium of the project is launched: Debian's binary and one list of switches.

Used by ``tools/make_pdf.py`` (printing the PDF edition) and by the browser tests (``tests/conftest.py``), so that
the PDF and the tests open the book in the same browser, set up the same way. The switches turn off what a headless
run on a build machine must not do: sandboxing (absent in containers), the GPU, and every background connection
(QUIC, updates, sync, first-run pages), so that nothing leaves the machine.
"""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
