"""The same workloads on the reference, the native backend and Go (``gox-ref bench``).

Not a test: a report (``gox-ref bench [--json] [--scale S] [--repeat R]``, or ``python -m
bench.bench_go``).  Each workload is a GoX program ``bench/programs/NAME.gox`` and an
equivalent Go program ``bench/go/NAME/main.go``; every program prints one checksum, which the
harness compares with the value computed here for the same size, so all three systems are
checked to do the same work.

* **Sizes.** A ``.gox`` program's size is the integer on its line ending in ``// N`` (the
  harness rewrites it; the file as it stands runs at full size with ``gox-ref run``); a Go
  program reads it from ``os.Args[1]``.  ``--scale`` multiplies every size (binary-trees: the
  depth moves by ``log2(scale)``, never below 6).  The reference runs at a smaller size where
  the full one would take too long (``WORKLOADS``, last column); every figure is per operation, with its n.
* **Timing.** There is no clock extern, so the harness times the whole run: the CPU time
  (user + system, all threads; ``--clock wall``: the elapsed time) of the process (native, Go)
  or of ``execute`` (reference, in this process), minus the same for
  the empty program (``empty.gox`` / ``go/empty``: start-up and exit), best of ``--repeat``
  (5) runs, divided by n.  A workload's native, unchecked and Go runs take turns in rounds, and
  a ratio to Go (the table's and the targets') is the median over the rounds of the ratio of
  the round's two runs (``paired_median``), not the ratio of the two bests.  Memory: the
  peak resident set size of the process (``wait4``'s ``ru_maxrss``) minus the empty program's,
  divided by n; for the reference, the RSS delta of ``bench_ref.bench_parked_memory``.
* **Native.** The program is compiled to C by ``compile_c`` exactly as ``--backend native``
  does, built with ``cc -O2`` (the runner uses -O1) against the installed library, and runs in
  the runtime's default checked mode and again in unchecked mode; the runner's step budget (20M loop iterations and calls) is
  lifted to INT64_MAX, its per-step check kept.  One worker: the native scheduler runs every goroutine on
  one thread.
* **Go.** ``go build`` of each program, run with ``GOMAXPROCS=1``; without ``go`` on PATH, or
  with ``--go none``, the report says which (``not installed`` or ``left out``) and the
  targets against Go are ``N/A``.
* **Targets**: native faster than Go on ping-pong, select, spawn and
  defer+panic+recover; within 1.5x of Go on binary-trees; no more memory than Go per parked
  goroutine; the reference's ping-pong (``bench_ref.bench_pingpong``: the runtime driven
  directly, no interpreter) no more than 3x a raw greenlet switch pair measured in the same run;
  ``bench_ref.minimal_pingpong`` (a minimal unchecked channel on greenlets) is measured alongside
  as the floor any Python channel has.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import bench_ref
from gox_program import load
from gox_program.case import execute
from gox_program.compile_c import compile_program
from gox_program.native import HEADER, NativeUnavailable, compiler, library

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
GO_DIR = HERE / "go"
SEED = 1
TIMEOUT = 600.0
N_LINE = re.compile(r"(?m)^(\s*var n i64 = )[0-9_]+( // N)$")

# name -> (title, unit of one operation, native/Go size at scale 1, reference size at scale 1)
WORKLOADS: dict[str, tuple[str, str, int, int]] = {
    "pingpong": ("ping-pong round trip (unbuffered)", "round trip", 1_000_000, 20_000),
    "buffered": ("buffered channel message (cap 128)", "message", 2_000_000, 50_000),
    "spawn": ("spawn + run + exit", "goroutine", 100_000, 20_000),
    "select": ("select over two ready channels", "select", 1_000_000, 20_000),
    "panic": ("defer + panic + recover", "iteration", 500_000, 10_000),
    "binarytrees": ("binary-trees", "tree node", 16, 10),
    "parked": ("parked goroutine memory (RSS)", "goroutine", 100_000, 10_000),
}
TIME_ROWS = ("pingpong", "buffered", "spawn", "select", "panic", "binarytrees")


def tree_nodes(depth: int) -> int:
    return (1 << (depth + 1)) - 1


def binarytrees_total(n: int) -> int:
    """The checksum (and the node count) of binary-trees at depth n."""
    lo, hi = 4, max(n, 6)
    total = tree_nodes(hi + 1) + tree_nodes(hi)
    for d in range(lo, hi + 1, 2):
        total += (1 << (hi - d + lo)) * tree_nodes(d)
    return total


def expected(name: str, n: int) -> int:
    if name == "pingpong":
        return n * (n + 1) // 2
    if name in ("buffered", "spawn", "panic"):
        return n * (n - 1) // 2
    if name in ("select", "parked"):
        return n
    if name == "binarytrees":
        return binarytrees_total(n)
    raise KeyError(name)


def ops(name: str, n: int) -> int:
    """Operations a run of size n performs (binary-trees: nodes built and checked)."""
    return binarytrees_total(n) if name == "binarytrees" else n


def size(name: str, scale: float, ref: bool = False) -> int:
    _, _, full, reduced = WORKLOADS[name]
    base = reduced if ref else full
    if name == "binarytrees":
        return max(6, base + round(math.log2(scale)))
    return max(int(base * scale), 1)


def gox_text(name: str, n: int | None) -> str:
    text = (PROGRAMS / f"{name}.gox").read_text()
    if n is None:
        return text
    new, count = N_LINE.subn(lambda m: f"{m.group(1)}{n}{m.group(2)}", text)
    if count != 1:
        raise RuntimeError(f"{name}.gox: expected one 'var n i64 = ... // N' line, found {count}")
    return new


# -- measurements -------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float  # wall time
    maxrss: int  # bytes
    stdout: str
    cpu: float = 0.0  # CPU time (user + system) of the child, all its threads

    def time(self, clock: str) -> float:
        """The run's time on ``clock``: ``wall`` or ``cpu`` (``--clock``)."""
        return self.cpu if clock == "cpu" else self.seconds


# What the targets compare (``--clock``).  CPU time by default: on a shared host the wall time
# of a one-thread run also counts the time it waited for a core (docs/BENCHMARKS.md, "Clock").
CLOCKS = ("cpu", "wall")
# Rounds of interleaved runs (``--repeat``): five, so that the median of the paired ratios
# outvotes two slow rounds (``paired_median``).
REPEAT = 5
REPEAT_HELP = ("rounds of interleaved runs: times are each system's best, ratios to Go the median of the rounds' "
               "(default 5; --parallel: 3)")
CLOCK_HELP = ("what the one-worker targets compare: cpu (default: the programs' user + system time) or wall "
              "(elapsed time, which on a shared machine includes waiting for a core)")


# A minimal launcher: the child's peak RSS (wait4's ru_maxrss) survives exec, so a child forked
# from this Python process would report at least this interpreter's size; forked from this
# small C program it reports its own.  ``launcher REPORT PROG ARGS...`` writes
# "WALL_NS CPU_NS MAXRSS_KB STATUS" to the file REPORT (CPU: the child's user + system time).
LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    struct timespec t0, t1;
    struct rusage ru;
    int status = 0;
    if (argc < 3) return 127;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid == 0) { execv(argv[2], argv + 2); _exit(127); }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) return 127;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    FILE *rep = fopen(argv[1], "w");
    if (!rep) return 127;
    long long cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL
                    + ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
    fprintf(rep, "%lld %lld %ld %d\n", ns, cpu, ru.ru_maxrss,
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    fclose(rep);
    return 0;
}
"""


def build_launcher(cc: str, tmp: Path) -> Path:
    src = tmp / "launcher.c"
    exe = tmp / "launcher"
    src.write_text(LAUNCHER_C)
    subprocess.run([cc, "-O2", "-o", str(exe), str(src)], check=True, capture_output=True)
    return exe


def run_process(launcher: Path, argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a child through the launcher; its wall time, peak RSS and stdout.  Fails unless it exits 0."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryDirectory(prefix="gox-bench-rep-") as d:
        rep = Path(d) / "report"
        proc = subprocess.Popen([str(launcher), str(rep), *argv], stdout=out, stderr=subprocess.PIPE, env=env)
        try:
            _, err_b = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RuntimeError(f"{' '.join(argv)} timed out after {TIMEOUT:g} s") from None
        fields = rep.read_text().split() if rep.is_file() else []
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    err = err_b.decode("utf-8", "replace")
    if proc.returncode != 0 or len(fields) != 4:
        raise RuntimeError(f"launcher failed on {' '.join(argv)} (status {proc.returncode}): {err.strip()[:500]}")
    ns, cpu_ns, kb, status = (int(f) for f in fields)
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with status {status}: {err.strip()[:500]}")
    return Run(ns / 1e9, kb * 1024, text, cpu_ns / 1e9)


def _best_of(runs: list[Run]) -> Run:
    return Run(min(r.seconds for r in runs), min(r.maxrss for r in runs), runs[0].stdout, min(r.cpu for r in runs))


def best(repeat: int, fn: Callable[[], Run]) -> Run:
    return _best_of([fn() for _ in range(repeat)])


def interleaved(repeat: int, fns: dict[str, Callable[[], Run]]) -> dict[str, list[Run]]:
    """``repeat`` rounds in which the systems take turns (A B C A B C ...): a slow minute of a
    shared machine then falls on all of them, not on one system's runs.  Each system's runs,
    round by round (``paired_median`` compares the runs of one round)."""
    runs: dict[str, list[Run]] = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            runs[k].append(fn())
    return runs


def net_time(run: Run, base: Run, clock: str) -> float:
    """A run's time on ``clock`` less the empty program's (start-up and exit)."""
    return max(run.time(clock) - base.time(clock), 0.0)


def paired_ratios(a: list[float], b: list[float]) -> list[float]:
    """a[i] / b[i]: the ratio of two systems measured in the same round, seconds apart (rounds
    without a time to divide by are left out)."""
    return [x / y for x, y in zip(a, b, strict=True) if y > 0]


def median_ratio(pairs: list[float]) -> float | None:
    """The median of a row's paired ratios (None: no round had a time to divide by).  The
    targets compare this and not the ratio of each system's best: a host whose speed drifts by
    tens of percent within minutes (docs/BENCHMARKS.md, "Clock") moves the two runs of a round
    together, and one slow round is outvoted instead of deciding a MISS."""
    return statistics.median(pairs) if pairs else None


def paired_median(a: list[float], b: list[float]) -> float | None:
    """The median over rounds of a[i] / b[i] (``paired_ratios``, ``median_ratio``)."""
    return median_ratio(paired_ratios(a, b))


def checksum(stdout: str, what: str) -> int:
    try:
        return int(stdout.split()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"{what}: no checksum in its output {stdout[:200]!r}") from None


class Native:
    """Builds the .gox programs against the installed C runtime (-O2, checked mode)."""

    def __init__(self, tmp: Path) -> None:
        self.lib = library()
        if not self.lib.sched:
            raise RuntimeError(f"the native library {self.lib.path} has no scheduler")
        self.cc = compiler()
        self.header = HEADER
        self.tmp = tmp
        self.launcher = build_launcher(self.cc, tmp)

    def build(self, name: str, n: int | None) -> Path:
        prog = load(gox_text(name, n), f"{name}.gox")
        # the runner's step budget (the interpreter's 20M steps) would stop the full-size runs:
        # lift it (the per-step check stays, as in every compiled program)
        csrc = compile_program(prog, sched=True, names="gox_func_set_name" in self.lib.symbols, source_name=f"{name}.gox",
                               fuel=2**63 - 1)
        src = self.tmp / f"{name}-{n}.c"
        exe = self.tmp / f"{name}-{n}.exe"
        src.write_text(csrc)
        subprocess.run(
            [self.cc, "-std=c11", "-O2", "-I", str(self.header.parent), str(src), "-o", str(exe), str(self.lib.path),
             f"-Wl,-rpath,{self.lib.path.parent}", "-lm"],
            check=True, capture_output=True,
        )
        return exe

    def run(self, exe: Path, unchecked: bool = False) -> Run:
        """Checked mode (the default), or unchecked (``$GOX_NATIVE_UNCHECKED``: references
        trusted, not validated; freed memory reused)."""
        env = {k: v for k, v in os.environ.items() if k != "GOX_NATIVE_UNCHECKED"}  # (not the caller's)
        if unchecked:
            env["GOX_NATIVE_UNCHECKED"] = "1"
        return run_process(self.launcher, [str(exe), str(SEED)], env=env)


class Go:
    def __init__(self, go: str, tmp: Path, launcher: Path) -> None:
        self.go = go
        self.launcher = launcher
        self.tmp = tmp
        self.version = subprocess.run([go, "version"], capture_output=True, text=True, check=True).stdout.strip()
        self.env = {**os.environ, "GOMAXPROCS": "1", "GOFLAGS": "-mod=mod", "GOCACHE": str(tmp / "gocache")}
        self.env.setdefault("GOPATH", str(tmp / "gopath"))

    def build(self, name: str) -> Path:
        exe = self.tmp / f"go-{name}"
        proc = subprocess.run([self.go, "build", "-o", str(exe), f"./{name}"], cwd=GO_DIR, env=self.env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"go build ./{name} failed: {proc.stderr.strip()[:500]}")
        return exe

    def run(self, exe: Path, n: int) -> Run:
        return run_process(self.launcher, [str(exe), str(n)], env=self.env)


def ref_run(text: str, what: str) -> Run:
    """Run a program on the reference interpreter in this process."""
    prog = load(text, what)
    out, err = io.BytesIO(), io.BytesIO()
    t0, c0 = time.perf_counter(), time.process_time()
    status = execute(prog, seed=SEED, out=out, err=err, fuel=1 << 62)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    if status != 0:
        raise RuntimeError(f"{what} on the reference: status {status}: {err.getvalue().decode()[:500]}")
    return Run(dt, 0, out.getvalue().decode(), cpu)


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """One system's figure for one workload."""

    n: int
    per_op: float  # ns per operation, or bytes per goroutine for "parked"
    total: float  # seconds of the timed part (0 for memory)
    checksum: int | None


@dataclass
class Row:
    name: str
    title: str
    unit: str  # "ns" or "B"
    op: str
    native: Cell | None
    go: Cell | None
    ref: Cell | None
    ref_note: str = ""
    unchecked: Cell | None = None  # the native program in unchecked mode
    # native/Go and unchecked/Go, round by round (``paired_ratios``; times only)
    paired: dict[str, list[float]] = field(default_factory=dict)

    def ratio(self, a: Cell | None, b: Cell | None) -> float | None:
        if a is None or b is None or b.per_op <= 0:
            return None
        return a.per_op / b.per_op

    def vs_go(self, system: str) -> float | None:
        """``native`` or ``unchecked`` against Go: the paired median where the rounds gave one
        (times), else the ratio of the cells (memory)."""
        if system in self.paired:
            return median_ratio(self.paired[system])
        return self.ratio(self.native if system == "native" else self.unchecked, self.go)


@dataclass
class Target:
    what: str
    goal: str
    measured: float | None  # the ratio
    limit: float
    strict: bool  # measured < limit (else <=)
    note: str = ""

    @property
    def result(self) -> str:
        if self.measured is None:
            return "N/A"
        ok = self.measured < self.limit if self.strict else self.measured <= self.limit
        return "PASS" if ok else "MISS"


@dataclass
class Report:
    scale: float
    repeat: int
    clock: str
    machine: dict[str, str]
    go_status: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    greenlet_pair_ns: float = 0.0
    ref_pingpong_direct_ns: float = 0.0
    minimal_pingpong_ns: float = 0.0  # bench_ref.minimal_pingpong: the floor of any Python channel


def _first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    lines = (out.stdout or out.stderr).strip().splitlines()
    return lines[0] if lines else "unavailable"


def find_go(arg: str | None) -> tuple[str | None, str]:
    """``--go``: the go command to run (None: no Go) and, without one, why, for the report:
    ``none`` leaves Go out; a PATH that is no command is the user's mistake (ValueError)."""
    if arg == "none":
        return None, "left out (--go none)"
    path = shutil.which(arg or "go")
    if path is not None:
        return path, ""
    if arg:
        raise ValueError(f"--go {arg}: no such command")
    return None, "not installed (no go on PATH)"


def machine_info(go: str | None, no_go: str = "not installed") -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cc = os.environ.get("CC", "cc")
    try:  # the library under test (--lib, $GOX_NATIVE_LIB), named as every report names it
        lib = library()
        named = f"{lib.path} (sha256 {lib.digest})"
    except NativeUnavailable as e:
        named = f"none ({e})"
    return {
        "library": named,
        "nproc": str(os.cpu_count() or 0),
        "cpu": cpu,
        "kernel": platform.release(),
        "cc": _first_line([cc, "--version"]),
        "go": _first_line([go, "version"]) if go else no_go,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _check(name: str, n: int, got: int, who: str) -> int:
    want = expected(name, n)
    if got != want:
        raise RuntimeError(f"{name} (n={n}) on {who}: checksum {got}, expected {want}")
    return got


def run(scale: float, repeat: int, go_arg: str | None = None, log: Callable[[str], None] | None = None,
        clock: str = "cpu") -> Report:
    """``go_arg`` is ``--go``: None (go on PATH), a command, or ``none`` (``find_go``); ``clock``
    what the times are (``CLOCKS``)."""
    say = log or (lambda _msg: None)
    go_path, why_no_go = find_go(go_arg)
    info = machine_info(go_path, why_no_go)
    rep = Report(scale, repeat, clock, info, info["go"])
    with tempfile.TemporaryDirectory(prefix="gox-bench-go-") as d:
        tmp = Path(d)
        native = Native(tmp)
        go = Go(go_path, tmp, native.launcher) if go_path else None
        # baselines: the empty programs
        say("baselines")
        empty_exe = native.build("empty", None)
        nat_base = best(repeat, lambda: native.run(empty_exe))
        go_base: Run | None = None
        go_exes: dict[str, Path] = {}
        if go is not None:
            for name in ("empty", *WORKLOADS):
                go_exes[name] = go.build(name)
            go_base = best(repeat, lambda: go.run(go_exes["empty"], 0))
        empty_text = gox_text("empty", None)
        ref_base = min(ref_run(empty_text, "empty.gox").time(clock) for _ in range(repeat))

        for name, (title, op, _, _) in WORKLOADS.items():
            n = size(name, scale)
            rn = size(name, scale, ref=True) if name != "parked" else max(int(WORKLOADS[name][3] * scale), 1)
            exe = native.build(name, n)
            systems: dict[str, Callable[[], Run]] = {
                "native": lambda exe=exe: native.run(exe),  # type: ignore[misc]
                "unchecked": lambda exe=exe: native.run(exe, unchecked=True),  # type: ignore[misc]
            }
            if go is not None and go_base is not None:
                systems["go"] = lambda name=name, n=n: go.run(go_exes[name], n)  # type: ignore[misc]
            say(f"{name}: {', '.join(systems)}, interleaved")
            rounds = interleaved(repeat, systems)
            got = {k: _best_of(v) for k, v in rounds.items()}
            nr, ur, gr = got["native"], got["unchecked"], got.get("go")
            _check(name, n, checksum(nr.stdout, f"native {name}"), "native")
            _check(name, n, checksum(ur.stdout, f"native unchecked {name}"), "native (unchecked)")
            if gr is not None:
                _check(name, n, checksum(gr.stdout, f"go {name}"), "go")
            if name == "parked":
                nat_cell = Cell(n, max(nr.maxrss - nat_base.maxrss, 0) / n, 0.0, n)
                unc_cell = Cell(n, max(ur.maxrss - nat_base.maxrss, 0) / n, 0.0, n)
                go_cell = None if gr is None or go_base is None else Cell(n, max(gr.maxrss - go_base.maxrss, 0) / n, 0.0, n)
                say("parked: reference (bench_ref)")
                _, rss = bench_ref.bench_parked_memory(rn)  # once: its cost grows faster than n
                ref_cell = Cell(rn, rss, 0.0, None)
                rep.rows.append(Row(name, title, "B", op, nat_cell, go_cell, ref_cell,
                                    "bench_ref.bench_parked_memory: the runtime driven directly", unc_cell))
                continue
            k = ops(name, n)
            nat_s = net_time(nr, nat_base, clock)
            nat_cell = Cell(n, nat_s / k * 1e9, nat_s, int(checksum(nr.stdout, name)))
            unc_s = net_time(ur, nat_base, clock)
            unc_cell = Cell(n, unc_s / k * 1e9, unc_s, int(checksum(ur.stdout, name)))
            go_cell = None
            paired: dict[str, list[float]] = {}
            if gr is not None and go_base is not None:
                go_s = net_time(gr, go_base, clock)
                go_cell = Cell(n, go_s / k * 1e9, go_s, int(checksum(gr.stdout, name)))
                go_rounds = [net_time(r, go_base, clock) for r in rounds["go"]]
                paired = {s: paired_ratios([net_time(r, nat_base, clock) for r in rounds[s]], go_rounds)
                          for s in ("native", "unchecked")}
            say(f"{name}: reference (n={rn})")
            text = gox_text(name, rn)
            rr = min((ref_run(text, f"{name}.gox") for _ in range(repeat)), key=lambda r: r.time(clock))
            ref_sum = _check(name, rn, checksum(rr.stdout, f"reference {name}"), "the reference")
            ref_s = max(rr.time(clock) - ref_base, 0.0)
            ref_cell = Cell(rn, ref_s / ops(name, rn) * 1e9, ref_s, ref_sum)
            rep.rows.append(Row(name, title, "ns", op, nat_cell, go_cell, ref_cell, "the .gox program on the interpreter",
                                unc_cell, paired))

        say("reference ping-pong vs greenlet switch pair")
        n_pp = max(int(50_000 * scale), 1000)
        n_sw = max(int(200_000 * scale), 1000)
        rep.greenlet_pair_ns = bench_ref.best_of(repeat, lambda: bench_ref.raw_switch_pair(n_sw)) * 1e9
        rep.ref_pingpong_direct_ns = bench_ref.best_of(repeat, lambda: bench_ref.bench_pingpong(n_pp)) * 1e9
        rep.minimal_pingpong_ns = bench_ref.best_of(repeat, lambda: bench_ref.minimal_pingpong(n_pp)) * 1e9

    rows = {r.name: r for r in rep.rows}

    def vs_go(name: str) -> float | None:
        return rows[name].vs_go("native")

    no_go = "" if go_path else f"Go: {why_no_go}"
    for name, label in (("pingpong", "ping-pong"), ("select", "select"), ("spawn", "spawning"),
                        ("panic", "defer+panic+recover")):
        rep.targets.append(Target(f"native {label} faster than Go (GOMAXPROCS=1)", "native/Go < 1",
                                  vs_go(name), 1.0, True, no_go))
    rep.targets.append(Target("native binary-trees within 1.5x of Go", "native/Go <= 1.5",
                              vs_go("binarytrees"), 1.5, False, no_go))
    bt = rows["binarytrees"]
    rep.targets.append(Target("  the same in unchecked mode (GOX_NATIVE_UNCHECKED=1)", "unch/Go <= 1.5",
                              bt.vs_go("unchecked"), 1.5, False, no_go))
    rep.targets.append(Target("native 100k parked goroutines in no more memory than Go", "native/Go <= 1",
                              vs_go("parked"), 1.0, False, no_go))
    pair = rep.greenlet_pair_ns
    rep.targets.append(Target("reference ping-pong <= 3x a raw greenlet switch pair", "ref/greenlet <= 3",
                              rep.ref_pingpong_direct_ns / pair if pair > 0 else None, 3.0, False,
                              f"{rep.ref_pingpong_direct_ns:.0f} ns vs {pair:.0f} ns (bench_ref); the floor, a "
                              f"minimal unchecked channel: {rep.minimal_pingpong_ns:.0f} ns = "
                              f"{rep.minimal_pingpong_ns / pair if pair > 0 else float('nan'):.1f}x"))
    return rep


def _cell_json(c: Cell | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"n": c.n, "per_op": c.per_op, "total_seconds": c.total, "checksum": c.checksum}


def to_json(rep: Report) -> dict[str, Any]:
    return {
        "scale": rep.scale,
        "repeat": rep.repeat,
        "machine": rep.machine,
        "go": rep.go_status,
        "clock": rep.clock,
        "method": f"{rep.clock} time minus the empty program's, best of repeat, per operation (ns); "
                  "native_vs_go and the targets: the median of each round's native/Go ratio; "
                  "parked: peak RSS minus the empty program's, per goroutine (bytes)",
        "rows": [
            {
                "name": r.name, "title": r.title, "unit": r.unit, "op": r.op,
                "native": _cell_json(r.native),
                "native_unchecked": _cell_json(r.unchecked),
                "go": _cell_json(r.go) if r.go is not None else rep.go_status,
                "reference": _cell_json(r.ref), "reference_note": r.ref_note,
                "native_vs_go": r.vs_go("native"),
                "native_unchecked_vs_go": r.vs_go("unchecked"),
                "native_vs_go_rounds": r.paired.get("native"),  # the ratios the median is of
                "native_unchecked_vs_go_rounds": r.paired.get("unchecked"),
                "reference_vs_native": r.ratio(r.ref, r.native),
            }
            for r in rep.rows
        ],
        "greenlet_switch_pair_ns": rep.greenlet_pair_ns,
        "reference_pingpong_direct_ns": rep.ref_pingpong_direct_ns,
        "minimal_channel_pingpong_ns": rep.minimal_pingpong_ns,
        "targets": [
            {"what": t.what, "goal": t.goal, "measured": t.measured, "result": t.result, "note": t.note}
            for t in rep.targets
        ],
    }


def _fmt(c: Cell | None, unit: str) -> str:
    if c is None:
        return "-"
    if unit == "B":
        return f"{c.per_op:,.0f} B"
    v = c.per_op
    return f"{v / 1000:,.2f} us" if v >= 10_000 else f"{v:,.1f} ns"


def _ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}x"


def table(rep: Report) -> str:
    m = rep.machine
    lines = [
        f"machine: {m['cpu']}, nproc {m['nproc']}, kernel {m['kernel']}; {m['cc']}; go: {m['go']}; library: {m['library']}; "
        f"Python {m['python']}; {m['date']}",
        f"scale {rep.scale:g}, best of {rep.repeat}; times are per operation ({rep.clock} time minus the empty program's); "
        f"native/Go and unch/Go: the median of the {rep.repeat} rounds' paired ratios; "
        "memory per goroutine (peak RSS delta)",
        "",
    ]
    head = (f"{'workload':<36} {'per':<10} {'n':>9} {'native':>11} {'Go':>11} {'native/Go':>10} "
            f"{'unchecked':>11} {'unch/Go':>8} {'ref n':>7} {'reference':>11} {'ref/native':>10}")
    lines += [head, "-" * len(head)]
    for r in rep.rows:
        n = r.native.n if r.native else 0
        go_txt = _fmt(r.go, r.unit) if r.go is not None else "no go"
        rn = r.ref.n if r.ref else 0
        lines.append(
            f"{r.title:<36} {r.op:<10} {n:>9} {_fmt(r.native, r.unit):>11} {go_txt:>11} "
            f"{_ratio(r.vs_go('native')):>10} {_fmt(r.unchecked, r.unit):>11} {_ratio(r.vs_go('unchecked')):>8} "
            f"{rn:>7} {_fmt(r.ref, r.unit):>11} {_ratio(r.ratio(r.ref, r.native)):>10}"
        )
    lines.append("(binary-trees: n is the depth; per tree node built and checked.  native: checked mode (the default); "
                 "unchecked: the same program with GOX_NATIVE_UNCHECKED=1.  reference: the .gox program on the "
                 "interpreter, parked: bench_ref's method)")
    lines.append("")
    lines.append(f"reference runtime ping-pong (bench_ref, no interpreter): {rep.ref_pingpong_direct_ns:,.0f} ns; "
                 f"raw greenlet switch pair: {rep.greenlet_pair_ns:,.0f} ns; a minimal channel on greenlets "
                 f"(bench_ref.minimal_pingpong, no checks: the floor): {rep.minimal_pingpong_ns:,.0f} ns")
    lines.append("")
    lines.append("targets:")
    for t in rep.targets:
        meas = "-" if t.measured is None else f"{t.measured:.2f}"
        note = f"  ({t.note})" if t.note else ""
        lines.append(f"  {t.result:<4} {t.what:<58} {t.goal:<18} measured {meas}{note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    ap = argparse.ArgumentParser(prog=prog, description=(__doc__ or "").splitlines()[0])
    add_arguments(ap)
    return run_cli(ap.parse_args(argv))


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    ap.add_argument("--repeat", type=int, help=REPEAT_HELP)
    ap.add_argument("--go", metavar="PATH", help="the go command (default: go on PATH; 'none' to leave Go out)")
    ap.add_argument("--clock", choices=CLOCKS, help=CLOCK_HELP)


def run_cli(args: argparse.Namespace) -> int:
    if not (args.scale > 0 and math.isfinite(args.scale)):
        raise ValueError("--scale must be a positive number")
    quiet = args.json
    rep = run(args.scale, max(args.repeat or REPEAT, 1), args.go,
              None if quiet else (lambda msg: print(f"  ... {msg}", file=sys.stderr)), getattr(args, "clock", None) or "cpu")
    if args.json:
        print(json.dumps(to_json(rep), indent=2))
    else:
        print(table(rep))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
