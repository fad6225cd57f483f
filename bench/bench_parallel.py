"""Parallel workloads, native with W workers against Go with GOMAXPROCS=W (``gox-ref bench --parallel``).

Not a test: a report (``gox-ref bench --parallel [--json] [--scale S] [--repeat R] [--go PATH|none]
[--workers 1,2,...]``, or ``python -m bench.bench_parallel``), issue 17's point 3.  The
programs, the build, the launcher, the machine's description and the target lines are
bench_go's (``gox-ref bench``); what differs is that every workload runs once per worker count W.

* **Workloads** (``WORKLOADS``): ``bench/programs/NAME.gox`` and its Go twin
  ``bench/go/NAME/main.go``, each printing one checksum that the harness checks against the
  value computed here, on every run: parallel binary-trees at depths 16 and 18 (``ptrees``, the
  benchmarks game's Go #2 shape: one goroutine per depth, sums over a channel), 8 independent
  unbuffered ping-pong pairs of 200,000 round trips (``ppingpong``), a fan-out/fan-in of 1,000
  goroutines over shared buffered channels (``fanout``), a map-reduce of 8 mappers allocating
  strings and slices (``mapreduce``).  Sizes and ``--scale`` as in bench_go (binary-trees: the
  depth moves by log2(scale), never below 6).
* **Workers**: W = 1, 2 and the powers of two up to the machine's core count, and the count
  itself (``--workers`` chooses); the native program runs with ``GOX_WORKERS=W`` (its parallel
  scheduler, docs/SCHEDULER.md section 7), the Go program with ``GOMAXPROCS=W``.
* **Timing**: whole runs through bench_go's launcher, the wall time minus the empty program's at
  the same W, best of ``--repeat``; the targets are on wall times.  The CPU time (user + system
  of the program, from the launcher's ``wait4``) is reported beside them, the same way: on a shared
  machine it shows what a second worker adds in work, which the wall time mixes with waiting
  for a CPU.  The runs of one workload are interleaved (every system and
  W once per round) so that a change in the shared machine's load falls on all of them alike.
  The load average is recorded before and after.
* **Targets** (issue 17, for 2 workers): parallel binary-trees at least 1.6x faster with 2
  workers than with 1 and no slower than Go with GOMAXPROCS=2; the ping-pong pairs no slower
  with 2 workers than with 1 and within 1.2x of Go with GOMAXPROCS=2; no workload slower with 2
  workers than with 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from bench import bench_go
from bench.bench_go import SEED, Go, Native, Run, checksum, run_process

MAX_WORKERS = 64  # gox_sched_set_workers' range
REPEAT = 3  # --repeat's default here: best of 3 (a round runs every workload at every W: long)
PAIRS = 8  # ppingpong.gox and go/ppingpong: independent pairs
MAPPERS = 8  # mapreduce.gox and go/mapreduce: mapper goroutines

# row -> (title, program, size at scale 1: the depth for ptrees, else n as the program reads it)
WORKLOADS: dict[str, tuple[str, str, int]] = {
    "ptrees16": ("parallel binary-trees (depth)", "ptrees", 16),
    "ptrees18": ("parallel binary-trees (depth)", "ptrees", 18),
    "ppingpong": ("8 ping-pong pairs (round trips each)", "ppingpong", 200_000),
    "fanout": ("fan-out/fan-in, 1,000 goroutines (jobs)", "fanout", 1_000_000),
    "mapreduce": ("map-reduce, 8 mappers (items each)", "mapreduce", 50_000),
}


def size(row: str, scale: float) -> int:
    _, program, base = WORKLOADS[row]
    if program == "ptrees":
        return max(6, base + round(math.log2(scale)))
    return max(int(base * scale), 1)


def mapreduce_total(n: int) -> int:
    """mapreduce's checksum: over the MAPPERS * n items i, the bytes of str(i) plus its length."""
    return sum(sum(s.encode()) + len(s) for s in map(str, range(MAPPERS * n)))


def expected(program: str, n: int) -> int:
    if program == "ptrees":
        return bench_go.binarytrees_total(n)
    if program == "ppingpong":
        return PAIRS * n * (n + 1) // 2
    if program == "fanout":
        return n * n  # job i gives 2i + 1
    if program == "mapreduce":
        return mapreduce_total(n)
    raise KeyError(program)


def default_workers(cores: int | None = None) -> list[int]:
    """1, 2, the powers of two up to the core count, and the count itself."""
    cores = cores or os.cpu_count() or 1
    ws = {1, 2, min(cores, MAX_WORKERS)}
    w = 4
    while w <= min(cores, MAX_WORKERS):
        ws.add(w)
        w *= 2
    return sorted(ws)


def parse_workers(text: str | None) -> list[int]:
    """``--workers 1,2,4``: distinct counts in 1..64, among them 1 (the speedups' base)."""
    if text is None:
        return default_workers()
    try:
        ws = sorted({int(p) for p in text.split(",")})
    except ValueError:
        raise ValueError(f"--workers {text}: expected worker counts separated by commas, e.g. 1,2,4") from None
    if not ws or ws[0] < 1 or ws[-1] > MAX_WORKERS:
        raise ValueError(f"--workers {text}: each count must be in 1..{MAX_WORKERS}")
    if ws[0] != 1:
        raise ValueError(f"--workers {text}: must include 1 (the speedups are against one worker)")
    return ws


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Target(bench_go.Target):
    """A target line; ``at_least``: the measured figure (a speedup) must reach the limit."""

    at_least: bool = False

    @property
    def result(self) -> str:
        if self.measured is None:
            return "N/A"
        if self.at_least:
            return "PASS" if self.measured >= self.limit else "MISS"
        return super().result


@dataclass
class Row:
    name: str
    title: str
    program: str
    n: int
    checksum: int
    native: dict[int, float] = field(default_factory=dict)  # W -> wall seconds
    go: dict[int, float] = field(default_factory=dict)  # W -> wall seconds (empty without Go)
    native_cpu: dict[int, float] = field(default_factory=dict)  # W -> CPU seconds (user + system)
    go_cpu: dict[int, float] = field(default_factory=dict)

    def speedup(self, times: dict[int, float], w: int) -> float | None:
        """T(1) / T(w): above 1, faster with w."""
        return _ratio(times.get(1), times.get(w))

    def vs_go(self, w: int) -> float | None:
        return _ratio(self.native.get(w), self.go.get(w))


def _ratio(a: float | None, b: float | None) -> float | None:
    """a / b; None where either is missing or 0 (a run no longer than the empty program's: too
    small to measure at this scale)."""
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return a / b


@dataclass
class Report:
    scale: float
    repeat: int
    workers: list[int]
    machine: dict[str, str]
    go_status: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unavailable"


class Sample(NamedTuple):
    """One run's wall time and CPU time (user + system), in seconds."""

    wall: float
    cpu: float


def _best(samples: list[Sample], base: Sample) -> Sample:
    """The best wall time and the best CPU time, each less the empty program's."""
    return Sample(max(min(s.wall for s in samples) - base.wall, 0.0), max(min(s.cpu for s in samples) - base.cpu, 0.0))


def _checked(r: Run, want: int, who: str) -> Sample:
    """The run's wall and CPU time (the launcher's, bench_go.run_process), once its checksum is right."""
    got = checksum(r.stdout, who)
    if got != want:
        raise RuntimeError(f"{who}: checksum {got}, expected {want}")
    return Sample(r.seconds, r.cpu)


def run(scale: float, repeat: int, workers: list[int], go_arg: str | None = None,
        log: Callable[[str], None] | None = None) -> Report:
    say = log or (lambda _msg: None)
    go_path, why_no_go = bench_go.find_go(go_arg)
    info = bench_go.machine_info(go_path, why_no_go)
    info["load_before"] = _load()
    rep = Report(scale, repeat, workers, info, info["go"])
    with tempfile.TemporaryDirectory(prefix="gox-bench-par-") as d:
        tmp = Path(d)
        native = Native(tmp)
        go = Go(go_path, tmp, native.launcher) if go_path else None

        def nat_run(exe: Path, w: int) -> Run:
            return run_process(native.launcher, [str(exe), str(SEED)], env={**os.environ, "GOX_WORKERS": str(w)})

        def go_run(exe: Path, n: int, w: int) -> Run:
            assert go is not None
            return run_process(native.launcher, [str(exe), str(n)], env={**go.env, "GOMAXPROCS": str(w)})

        say("baselines: the empty programs")
        zero = Sample(0.0, 0.0)
        empty = native.build("empty", None)
        nat_base = {w: _best([Sample(r.seconds, r.cpu) for r in (nat_run(empty, w) for _ in range(repeat))], zero)
                    for w in workers}
        go_exes: dict[str, Path] = {}
        go_base: dict[int, Sample] = {}
        if go is not None:
            for program in sorted({"empty", *(p for _, p, _ in WORKLOADS.values())}):
                go_exes[program] = go.build(program)
            go_base = {w: _best([Sample(r.seconds, r.cpu) for r in (go_run(go_exes["empty"], 0, w) for _ in range(repeat))],
                                zero) for w in workers}

        for name, (title, program, _) in WORKLOADS.items():
            n = size(name, scale)
            want = expected(program, n)
            row = Row(name, title, program, n, want)
            exe = native.build(program, n)
            nat: dict[int, list[Sample]] = {w: [] for w in workers}
            gos: dict[int, list[Sample]] = {w: [] for w in workers}
            for k in range(repeat):  # interleaved: each round runs every system and W once
                for w in workers:
                    say(f"{name} (n={n}): native, {w} worker(s), run {k + 1}/{repeat}")
                    nat[w].append(_checked(nat_run(exe, w), want, f"native {name} (n={n}, GOX_WORKERS={w})"))
                    if go is not None:
                        say(f"{name} (n={n}): Go, GOMAXPROCS={w}, run {k + 1}/{repeat}")
                        gos[w].append(_checked(go_run(go_exes[program], n, w), want,
                                               f"go {name} (n={n}, GOMAXPROCS={w})"))
            best_nat = {w: _best(ss, nat_base[w]) for w, ss in nat.items()}
            best_go = {w: _best(ss, go_base[w]) for w, ss in gos.items() if ss}
            row.native = {w: b.wall for w, b in best_nat.items()}
            row.native_cpu = {w: b.cpu for w, b in best_nat.items()}
            row.go = {w: b.wall for w, b in best_go.items()}
            row.go_cpu = {w: b.cpu for w, b in best_go.items()}
            rep.rows.append(row)
    info["load_after"] = _load()
    rep.targets = targets(rep, "" if go_path else f"Go: {why_no_go}")
    return rep


def targets(rep: Report, no_go: str) -> list[Target]:
    rows = {r.name: r for r in rep.rows}
    two = 2 in rep.workers
    no_two = "" if two else "not measured: --workers without 2"
    out: list[Target] = []
    for name in ("ptrees16", "ptrees18"):
        r = rows[name]
        out.append(Target(f"binary-trees depth {r.n}: 2 workers >= 1.6x faster than 1", "W1/W2 >= 1.6",
                          r.speedup(r.native, 2), 1.6, False, no_two, at_least=True))
        out.append(Target(f"binary-trees depth {r.n}: 2 workers no slower than Go (GOMAXPROCS=2)", "native/Go <= 1",
                          r.vs_go(2), 1.0, False, no_two or no_go))
    pp = rows["ppingpong"]
    out.append(Target("ping-pong pairs: 2 workers no slower than 1", "W1/W2 >= 1", pp.speedup(pp.native, 2), 1.0,
                      False, no_two, at_least=True))
    out.append(Target("ping-pong pairs: 2 workers within 1.2x of Go (GOMAXPROCS=2)", "native/Go <= 1.2",
                      pp.vs_go(2), 1.2, False, no_two or no_go))
    worst: tuple[float, str] | None = None
    for r in rep.rows:
        s = r.speedup(r.native, 2)
        if s is not None and (worst is None or s < worst[0]):
            worst = (s, r.name)
    out.append(Target("no workload slower with 2 workers than with 1", "min W1/W2 >= 1",
                      worst[0] if worst else None, 1.0, False,
                      f"the slowest: {worst[1]}" if worst else no_two or "every run too short at this scale",
                      at_least=True))
    return out


# -- output -------------------------------------------------------------------------------------


def _per_w(times: dict[int, float]) -> dict[str, float]:
    return {str(w): t for w, t in sorted(times.items())}


def _opt(d: dict[int, float | None]) -> dict[str, float | None]:
    return {str(w): v for w, v in sorted(d.items())}


def to_json(rep: Report) -> dict[str, Any]:
    many = [w for w in rep.workers if w > 1]
    return {
        "scale": rep.scale,
        "repeat": rep.repeat,
        "workers": rep.workers,
        "machine": rep.machine,
        "go": rep.go_status,
        "method": "wall time minus the empty program's at the same W, best of repeat (seconds); native with "
                  "GOX_WORKERS=W, Go with GOMAXPROCS=W; speedup = T(W=1)/T(W); cpu: user + system time, "
                  "the same way",
        "rows": [
            {
                "name": r.name, "title": r.title, "program": r.program, "n": r.n, "checksum": r.checksum,
                "native_seconds": _per_w(r.native),
                "go_seconds": _per_w(r.go) if r.go else rep.go_status,
                "native_speedup": _opt({w: r.speedup(r.native, w) for w in many}),
                "go_speedup": _opt({w: r.speedup(r.go, w) for w in many}),
                "native_vs_go": _opt({w: r.vs_go(w) for w in rep.workers}),
                "native_cpu_seconds": _per_w(r.native_cpu),
                "go_cpu_seconds": _per_w(r.go_cpu) if r.go_cpu else rep.go_status,
            }
            for r in rep.rows
        ],
        "targets": [
            {"what": t.what, "goal": t.goal, "measured": t.measured, "result": t.result, "note": t.note}
            for t in rep.targets
        ],
    }


def _secs(t: float | None) -> str:
    return "-" if t is None else f"{t:.3f} s"


def _x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def _block(rep: Report, cols: list[str], cells: Callable[[Row], list[str]]) -> list[str]:
    """A table: a header of ``cols`` and a line of ``cells(row)`` for each workload."""
    head = f"{'workload':<40} {'n':>8}" + "".join(f" {c:>12}" for c in cols)
    return [head, "-" * len(head)] + [f"{r.title:<40} {r.n:>8}" + "".join(f" {c:>12}" for c in cells(r))
                                       for r in rep.rows]


def table(rep: Report) -> str:
    m = rep.machine
    ws = rep.workers
    many = [w for w in ws if w > 1]
    lines = [
        f"machine: {m['cpu']}, {m['nproc']} cores, kernel {m['kernel']}; {m['cc']}; go: {m['go']}; "
        f"library: {m['library']}; {m['date']}",
        f"load average (1, 5, 15 min): {m['load_before']} before, {m['load_after']} after",
        f"scale {rep.scale:g}, best of {rep.repeat} (interleaved); seconds of wall time minus the empty program's at the "
        "same W; native: GOX_WORKERS=W, checked mode; Go: GOMAXPROCS=W; speedup: T(W=1)/T(W)",
        "",
    ]
    lines += _block(rep, [f"native W={w}" for w in ws] + [f"Go W={w}" for w in ws] + [f"native x{w}" for w in many]
                    + [f"Go x{w}" for w in many] + [f"nat/Go W={w}" for w in ws],
                    lambda r: [_secs(r.native.get(w)) for w in ws] + [_secs(r.go.get(w)) if r.go else "no go" for w in ws]
                    + [_x(r.speedup(r.native, w)) for w in many] + [_x(r.speedup(r.go, w)) for w in many]
                    + [_x(r.vs_go(w)) for w in ws])
    lines += ["", "CPU time (user + system, less the empty program's, best of the runs): the work each run cost, "
              "which other tenants' load inflates less than the wall time", ""]
    lines += _block(rep, [f"native W={w}" for w in ws] + [f"Go W={w}" for w in ws] + [f"native W{w}/W1" for w in many]
                    + [f"Go W{w}/W1" for w in many],
                    lambda r: [_secs(r.native_cpu.get(w)) for w in ws]
                    + [_secs(r.go_cpu.get(w)) if r.go_cpu else "no go" for w in ws]
                    + [_x(_ratio(r.native_cpu.get(w), r.native_cpu.get(1))) for w in many]
                    + [_x(_ratio(r.go_cpu.get(w), r.go_cpu.get(1))) for w in many])
    lines += ["", "targets:"]
    for t in rep.targets:
        meas = "-" if t.measured is None else f"{t.measured:.2f}"
        note = f"  ({t.note})" if t.note else ""
        lines.append(f"  {t.result:<4} {t.what:<66} {t.goal:<17} measured {meas}{note}")
    return "\n".join(lines)


def add_arguments(ap: argparse.ArgumentParser) -> None:
    bench_go.add_arguments(ap)
    ap.add_argument("--workers", metavar="LIST",
                    help="worker counts, e.g. 1,2,4 (default: 1, 2 and powers of two up to the core count)")


def run_cli(args: argparse.Namespace) -> int:
    if not (args.scale > 0 and math.isfinite(args.scale)):
        raise ValueError("--scale must be a positive number")
    workers = parse_workers(args.workers)
    rep = run(args.scale, max(args.repeat or REPEAT, 1), workers, args.go,
              None if args.json else (lambda msg: print(f"  ... {msg}", file=sys.stderr)))
    print(json.dumps(to_json(rep), indent=2) if args.json else table(rep))
    return 0


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    ap = argparse.ArgumentParser(prog=prog, description=(__doc__ or "").splitlines()[0])
    add_arguments(ap)
    return run_cli(ap.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
