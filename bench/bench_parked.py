"""Parked goroutines at scale (issue 15, point 3): N goroutines parked at once, native vs Go.

Not a test: a script that prints one line per system (``python -m bench.bench_parked``;
``--n 1000000`` is the issue's "1,000,000 parked still work", the default 100,000 is the
``gox-ref bench`` row).  It builds bench/programs/parked.gox (checked mode, -O2) and
bench/go/parked exactly as ``gox-ref bench`` does (bench/bench_go.py) and runs each once
through the same launcher, reporting wall time, peak RSS, RSS per goroutine and whether the
program printed its checksum (N: every goroutine was parked and then released).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench.bench_go import Go, Native, Run, checksum


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_parked", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="goroutines parked at once (default 100,000)")
    ap.add_argument("--go", default=shutil.which("go") or "none", help="the go command ('none' to leave Go out)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gox-parked-") as d:
        tmp = Path(d)
        nat = Native(tmp)
        runs: list[tuple[str, Run]] = [("native", nat.run(nat.build("parked", args.n)))]
        if args.go != "none":
            go = Go(args.go, tmp, nat.launcher)
            runs.append(("go", go.run(go.build("parked"), args.n)))
    for who, r in runs:
        ok = checksum(r.stdout, who) == args.n
        print(f"{who:7} n={args.n:,}  {r.seconds:6.2f} s  peak RSS {r.maxrss / 2**20:8.1f} MiB  "
              f"{r.maxrss / args.n:7,.0f} B/goroutine  {'ok' if ok else 'WRONG CHECKSUM'}")
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
