"""``python -m benchmarks [--tiny] [--only NAME ...] [--out DIR] [--threads N] [--no-torch]``: run, print, save."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks import registry, run
from benchmarks._harness import format_markdown, format_terminal, to_json


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="tiny shapes, one repeat (checks the harness, not speed)")
    parser.add_argument("--only", action="append", metavar="NAME", help="run benchmarks whose name contains NAME")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results", help="output folder")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is importable")
    parser.add_argument(
        "--threads", type=int, metavar="N", help="limit NumPy's BLAS and PyTorch to N threads each (default: all cores)"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(registry()))
        return 0
    start = time.perf_counter()

    def progress(name: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {name}", file=sys.stderr, flush=True)

    try:
        out = run(tiny=args.tiny, only=args.only, use_torch=not args.no_torch, progress=progress, threads=args.threads)
    except ValueError as exc:
        parser.error(str(exc))
    info, rate, results = out["info"], out["matmul"], out["results"]
    print(format_terminal(results, info, rate))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = ("benchmarks-tiny" if args.tiny else "benchmarks") + (f"-{args.threads}thread" if args.threads else "")
    (args.out / f"{stem}.json").write_text(to_json(results, info, rate))
    (args.out / f"{stem}.md").write_text(format_markdown(results, info, rate))
    print(f"\nwritten: {args.out / stem}.json and .md ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
