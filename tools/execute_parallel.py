"""Execute the book's notebooks in parallel into Jupyter Book's execution cache, before the build.

Jupyter Book (``execute_notebooks: cache``) runs notebooks one after another while it reads them. This script
runs every notebook whose code changed since its cached run, ``--jobs`` at a time, exactly as myst-nb would (same
working directory, timeout and cache record), so that the build that follows finds every notebook in the cache.
A notebook that fails is left uncached and reported: the build then runs it again and shows the error in place.

jupyter-cache keys a notebook on its own code only, but every chapter's results also depend on ``dlbook`` (and the
demos' front ends are saved into the executed notebooks). So a fingerprint of the library's files is kept beside the
cache, and when the library changes every cached execution is dropped: the book never shows results of old code.

``make test`` executes every notebook once: nbmake runs copies of the chapters and keeps their outputs under
``.nbmake`` (``make notebooks``; nbmake skips folders named ``_build``), and ``--executed .nbmake`` puts those runs
into the cache instead of running the notebooks again, whenever a copy's code is exactly that of the chapter.

Usage: ``python tools/execute_parallel.py [--jobs N] [--executed DIR]`` (called by ``make book`` and ``make test``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"
TIMEOUT = 300


def toc_notebooks() -> list[Path]:
    """The notebooks listed in _toc.yml, in reading order."""
    entries = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [ROOT / f"{e}.ipynb" for e in entries if (ROOT / f"{e}.ipynb").is_file()]


def library_fingerprint() -> str:
    """Hash of every file of the dlbook package (Python and the widgets' ES modules)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "dlbook").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".js", ".css"}:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_one(path: str) -> tuple[str, object, float, str | None]:
    """Execute one notebook in its own folder; return (path, executed notebook, seconds, error text)."""
    import nbformat
    from ipc_kernels import use_ipc_kernels
    from jupyter_cache.executors.utils import single_nb_execution

    use_ipc_kernels()  # two notebooks run at once: Unix sockets, so that their kernels never collide on a TCP port
    nb = nbformat.read(path, as_version=4)
    cwd = str(Path(path).parent)
    result = single_nb_execution(nb, cwd=cwd, allow_errors=False, timeout=TIMEOUT, meta_override=True)
    error = None if result.err is None else (result.exc_string or repr(result.err))
    return path, nb, result.time, error


def _code(nb: object) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def _seconds(nb: object) -> float:
    """Execution time of an executed notebook, from the timing nbclient records in each cell's metadata."""
    from datetime import datetime

    stamps = []
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        for key in ("iopub.status.busy", "shell.execute_reply"):
            if key in timing:
                stamps.append(datetime.fromisoformat(timing[key].replace("Z", "+00:00")))
    return (max(stamps) - min(stamps)).total_seconds() if stamps else 0.0


def reuse_executed(path: Path, executed: Path, cache: object) -> bool:
    """Cache the executed copy of ``path`` found under ``executed`` if its code equals the chapter's; say if it did."""
    import nbformat
    from jupyter_cache.base import CacheBundleIn

    copy = executed.resolve() / path.relative_to(ROOT)  # executed may be relative (make passes .nbmake)
    if not copy.is_file():
        return False
    nb, done = nbformat.read(str(path), as_version=4), nbformat.read(str(copy), as_version=4)
    ran = all(c.get("execution_count") for c in done.cells if c.cell_type == "code" and c.source.strip())
    has_error = any(o.get("output_type") == "error" for c in done.cells if c.cell_type == "code" for o in c.outputs)
    if _code(nb) != _code(done) or not ran or has_error:
        return False
    record = cache.add_nb_to_project(str(path))
    seconds = _seconds(done)
    for cell in done.cells:  # nbclient's timing would change the notebook's hash (myst-nb's runs record none)
        cell.get("metadata", {}).pop("execution", None)
    bundle = CacheBundleIn(done, record.uri, data={"execution_seconds": seconds})
    cache.cache_notebook_bundle(bundle, check_validity=False, overwrite=True)
    print(f"execute: {path.relative_to(ROOT)} taken from {copy.relative_to(ROOT)} ({seconds:.1f} s under nbmake)")
    return True


def main() -> int:
    """Execute what is stale, cache what succeeded, report what failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--executed", type=Path, help="folder of already executed copies of book/ (nbmake's)")
    args = parser.parse_args()

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    CACHE.mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(CACHE))
    stamp = CACHE / "dlbook-fingerprint.txt"
    fingerprint = library_fingerprint()
    if stamp.is_file() and stamp.read_text().strip() != fingerprint:
        print("execute: dlbook changed since the cached runs; every notebook will run again")
        cache.clear_cache()
    stamp.write_text(fingerprint + "\n")
    stale = []
    for path in toc_notebooks():
        nb = nbformat.read(str(path), as_version=4)
        try:
            cache.match_cache_notebook(nb)
        except KeyError:
            stale.append(path)
    if args.executed is not None:
        stale = [path for path in stale if not reuse_executed(path, args.executed, cache)]
    if not stale:
        print("execute: every notebook is up to date in the cache")
        return 0
    print(f"execute: running {len(stale)} notebook(s), {args.jobs} at a time")
    start = time.perf_counter()
    failures = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_one, str(p)) for p in stale]
        for future in as_completed(futures):
            path, nb, seconds, error = future.result()
            rel = Path(path).relative_to(ROOT)
            if error:
                failures.append(rel)
                print(f"execute: FAILED {rel} after {seconds:.1f} s (the build will show the error)")
                continue
            record = cache.add_nb_to_project(path)
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds}), check_validity=False, overwrite=True
            )
            print(f"execute: {rel} in {seconds:.1f} s")
    print(f"execute: done in {time.perf_counter() - start:.1f} s wall-clock")
    return 0


if __name__ == "__main__":
    sys.exit(main())
