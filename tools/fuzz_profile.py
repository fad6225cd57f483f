#!/usr/bin/env python3
"""Where a fuzz campaign's time goes: CPU seconds per program, per phase, of the two-way
pipeline (``gox-ref fuzz``) and the three-way one (``gox-ref fuzz --go``), for one batch of N
programs (docs/DIFF_AND_FUZZ.md, "Throughput")::

    python tools/fuzz_profile.py [N] [FIRST_SEED]

CPU time (this process's and its children's), not wall time, so that a shared machine's load
changes the figures less; the last line of each pipeline converts it into programs/s on two
otherwise idle cores.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from gox_program import fuzz, fuzzgen, gotwin, native
from gox_program.check import load


def _children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class _Clock:
    """Sums the CPU time (own and children's) of named phases."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.t0 = 0.0
        self.name = ""

    def __enter__(self) -> None:
        self.t0 = time.process_time() + _children()

    def start(self, name: str) -> _Clock:
        self.name = name
        return self

    def __exit__(self, *exc: object) -> None:
        self.phases[self.name] = self.phases.get(self.name, 0.0) + time.process_time() + _children() - self.t0


def profile(title: str, seeds: list[int], gen: Callable[[int], fuzzgen.Prog | str], go: gotwin.Go | None) -> None:
    c = _Clock()
    with c.start("generate"):
        made = [gen(s) for s in seeds]
    texts = [m if isinstance(m, str) else m.gox() for m in made]
    with c.start("load"):
        progs = [load(t, f"fuzz-{s}.gox") for t, s in zip(texts, seeds, strict=True)]
    with c.start("reference run"):
        for p, s in zip(progs, seeds, strict=True):
            fuzz.run_ref(p, s)
    cc = native.fast_compiler()
    with c.start(f"to C + {cc} (batch)"):
        exe = native.build_batch(progs, cc=cc)
    with c.start("native runs"):
        for k, s in enumerate(seeds):
            native.run_exe(exe, s, index=k, trace=True, timeout=fuzz.NATIVE_TIMEOUT)
    fuzz._discard(exe)
    if go is not None:
        with tempfile.TemporaryDirectory() as tmp:
            with c.start("go build (one batch)"):
                gexe = gotwin.build_batch(go, [m.go() for m in made if not isinstance(m, str)], Path(tmp))
            with c.start("go runs"):
                for k in range(len(seeds)):
                    gotwin.run_batch_exe(gexe, k)
    n, total = len(seeds), sum(c.phases.values())
    print(f"{title}: {n} programs, {total / n * 1000:.0f} ms CPU per program "
          f"(about {2 * n / total:.0f} programs/s on 2 idle cores)")
    for name, t in c.phases.items():
        print(f"  {name:22s} {t / n * 1000:6.1f} ms  {100 * t / total:3.0f}%")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=32, help="programs (one batch; default 32)")
    ap.add_argument("first_seed", nargs="?", type=int, default=7000)
    args = ap.parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.n))
    profile("two-way (fuzz.generate)", seeds, fuzz.generate, None)
    try:
        go = gotwin.find_go()
    except gotwin.GoUnavailable as e:
        print(f"three-way: skipped ({e})")
        return 0
    profile("three-way (fuzzgen.generate)", seeds, fuzzgen.generate, go)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
