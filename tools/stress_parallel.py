#!/usr/bin/env python3
"""Run fuzz programs many times in parallel mode, under CPU load, and count bad endings.

The parallel scheduler's bugs show up at random: a collection that lands in a rare window.
This script makes the window likely and counts: it builds the fuzzer's program of each seed
as the fuzzer builds it (``native.build_batch``; ``--tsan`` links the ThreadSanitizer build,
whose slower runs widen the windows), starts ``--load`` CPU-bound processes beside it (as
``yes > /dev/null`` would) so that workers are descheduled at arbitrary points, and runs each
program ``--runs`` times for each worker count.  A run that does not end as a Go program could
(``fuzz.ended_like_go``: status 0, a panic or fatal error report, the step budget) is a
failure; its stderr's last line is printed.  Exit status 1 when any run failed.

    python tools/stress_parallel.py                       # seed 7053, 1000 runs, 2 and 4 workers
    python tools/stress_parallel.py --tsan --runs 300 --seeds 7000-7079

What it catches: without the write barrier at the send queue (docs/GC.md, "The write
barrier"), seed 7053 with the TSan build ends with `gox_string_len: ... was unreachable when
the collector finished marking` about once in 300 runs on 2 workers under load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gox_program import native  # noqa: E402
from gox_program.check import load  # noqa: E402
from gox_program.fuzz import ended_like_go, generate  # noqa: E402

_BURN = "while True: pass"


def _seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


@contextmanager
def _cpu_load(n: int) -> Iterator[None]:
    """n processes that only burn CPU, for as long as the block runs."""
    procs = [subprocess.Popen([sys.executable, "-c", _BURN]) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="7053", help="fuzz seeds: 7053 or 7000-7079 or 1,5,9 (default 7053)")
    ap.add_argument("--runs", type=int, default=1000, help="runs per program and worker count (default 1000)")
    ap.add_argument("--workers", default="2,4", help="worker counts (default 2,4)")
    ap.add_argument("--load", type=int, default=3, help="CPU-bound processes beside the runs (default 3)")
    ap.add_argument("--tsan", action="store_true", help="link the ThreadSanitizer build (make -C gox_ref_native tsan)")
    args = ap.parse_args(argv)
    if args.tsan:
        subprocess.run(["make", "-s", "-C", str(ROOT / "gox_ref_native"), "tsan"], check=True)
        os.environ["GOX_NATIVE_LIB"] = str(ROOT / "gox_ref_native" / "libgox-tsan.so")
    seeds = _seeds(args.seeds)
    workers = [int(w) for w in args.workers.split(",")]
    exe = native.build_batch([load(generate(s), f"fuzz-{s}.gox") for s in seeds])
    failures = 0
    t0 = time.monotonic()
    with _cpu_load(args.load):
        for w in workers:
            bad = 0
            for k, seed in enumerate(seeds):
                for i in range(args.runs):
                    o = native.run_exe(exe, seed, index=k, workers=w, timeout=120)
                    if not ended_like_go(o):
                        bad += 1
                        last = o.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
                        print(f"  seed {seed}, {w} workers, run {i + 1}: status {o.status}: {last[0]}", flush=True)
            total = args.runs * len(seeds)
            print(f"{w} workers: {bad} of {total} runs failed (load {args.load}, "
                  f"{'tsan' if args.tsan else 'plain'} build)", flush=True)
            failures += bad
    print(f"{failures} failures in {time.monotonic() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
