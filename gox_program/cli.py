"""The ``gox-ref`` command.

    gox-ref abi [--group G]        the ABI table, one symbol a line
    gox-ref demo [--dot FILE]      build a small heap, collect it, show what survived
    gox-ref run FILE [--backend ref|native] [--seed N] [--trace out.json]
                                   run a program (docs/PROGRAM_FORMAT.md); exits as it does
    gox-ref conformance [PATHS] [--backend ref|native] [--workers N] [--runs K] [--expect-fail FILE] [-k PATTERN]
                        [--json] [--junitxml FILE] [-v] [--slowest N] | conformance [PATHS] --update
                                   run the corpus; passed/failed/skipped per group (--workers:
                                   native's parallel scheduler; schedule-dependent cases skip;
                                   --runs K: native, each case K times, every run must pass;
                                   --expect-fail FILE: listed failures are XFAIL, passes XPASS)
    gox-ref conformance --go [PATHS] [-k PATTERN] [--json]
                                   run each case's Go twin (NAME.go) with the installed Go and
                                   check it against the case (gox_program/gotwin.py)
    gox-ref bench [--json] [--scale S] [--repeat R] [--go PATH] [--clock cpu|wall]
                                   reference vs native vs Go (bench/bench_go.py, docs/BENCHMARKS.md)
    gox-ref bench --parallel [--workers 1,2,...] [--json] [--scale S] [--repeat R] [--go PATH]
                                   parallel workloads: native with W workers vs Go with
                                   GOMAXPROCS=W (bench/bench_parallel.py)
    gox-ref heap FILE [--at LABEL] [-o OUT.dot|.svg|.png] [--focus N] [--seed N] [--backend ref|native]
                                   the program's heap at exit (or at a checkpoint) as DOT; past
                                   300 objects a summary per kind and type (--focus N: object #N
                                   and its neighbours)
    gox-ref show FILE [-o run.html] [--from STEP|LABEL] [--to STEP|LABEL] [--seed N]
                                   the run on the reference as one self-contained page: a timeline
                                   of its steps, goroutines, channels, the heap in GC colours, the
                                   source line, the output (docs/SHOW.md)
    gox-ref show FILE --text [--at STEP]
                                   the same in words: each step and what it changed, or the
                                   whole state after one step
    gox-ref diff FILE... [--seed N] [--go]
                                   run each program on both backends and compare stdout, exit
                                   status, stderr and the event trace; 1 on a divergence
                                   (--go: also run its twin NAME.go; each backend's first
                                   divergence from Go)
    gox-ref fuzz [--seconds S] [--seed N] [--out DIR] [--workers N | --scheduler ADDR] [--programs N] [--go]
                                   random programs on both backends; each divergence, crash or
                                   hang is shrunk and written to DIR/<id>.gox; 1 if any
                                   (--go: three ways, also written and run as Go: DIR/<id>.go)
    gox-ref lincheck FILE [--workers N] [--runs K] [--seed N] | lincheck --history PATH
                                   run the program on the native backend with N workers, K
                                   times, recording its channel operations, and check that
                                   each channel's history is linearizable (docs/SCHEDULER.md);
                                   1 on a violation (reported) or an undecided channel
    gox-ref abi-diff [--lib PATH] [--examples N] [--steps N] [--seed N]
                                   random ABI call sequences (hypothesis) on the reference and
                                   a C library, compared after every call; a divergence is
                                   shrunk and printed as Python that replays it (exit 1)
    gox-ref --version              the version

A user's mistake gets a one-line error on stderr and a non-zero exit, never a traceback.
Output into a closed pipe (``gox-ref abi | head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from gox_abi.abi import GROUPS, SYMBOLS
from gox_abi.errors import GoxError
from gox_abi.heapview import HeapSnapshot, to_dot
from gox_abi.kinds import SlotType, ValueKind
from gox_abi.sinks import STDERR, STDOUT
from gox_ref import RefRuntime, __version__
from gox_ref.heapview import snapshot
from gox_ref.rng import MAX_SEED, check_seed
from gox_ref.trace import TraceLog

from . import ProgramError, load
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import FUZZ as FUZZ_LIMITS
from .limits import MAX_DEPTH, MAX_STEPS, REF_MAX_DEPTH, Limits
from .limits import SHARED as SHARED_LIMITS

OWN_DEPTH = f"{REF_MAX_DEPTH:,} on the reference; none on native, where Go's 1 GB stack limit applies"

# Each command imports the program modules it runs (case, corpus, diff, fuzz, native) when it
# runs, for start-up time: loading them all at start-up takes `gox-ref --version` from 0.34 s
# to 0.60 s.


def cmd_abi(args: argparse.Namespace) -> int:
    for s in SYMBOLS:
        if args.group and s.group != args.group:
            continue
        flags = ("A" if s.allocates else "-") + ("B" if s.blocks else "-")
        print(f"{s.group:10} {flags} {s.c}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    rt = RefRuntime()
    node = rt.gox_type_register(b"Node", bytes([SlotType.GC_REF, SlotType.GC_REF, SlotType.VALUE]))
    rt.gox_init_globals(1, [True])
    nodes = [rt.gox_rt_alloc(ValueKind.STRUCT, node, 3) for _ in range(6)]
    for a, b in itertools.pairwise(nodes[:3]):  # 0 -> 1 -> 2 kept; 3..5 garbage
        rt.gox_gc_write_slot(a, 0, b)
        rt.gox_rt_write_barrier(a, b)
    rt.gox_gc_write_slot(nodes[4], 0, nodes[5])
    name = rt.gox_rt_string_from_ptr(b"root")
    rt.gox_gc_write_slot(nodes[0], 1, name)
    rt.gox_rt_set_global(0, nodes[0])
    print("before:", rt.gox_gc_stats())
    rt.gox_collect_garbage()
    print("after: ", rt.gox_gc_stats())
    dot = rt.heap_dot("gox-ref demo: after a full collection")
    if args.dot:
        if not _write_output(args.dot, lambda: Path(args.dot).write_text(dot)):
            return 1
        print(f"heap graph written to {args.dot}")
    else:
        sys.stdout.write(dot)
    return 0


class UsageError(Exception):
    """A user's mistake: reported as one line, exit status 2."""


class CannotWrite(Exception):
    """An output destination that cannot be written: ``gox-ref: cannot write PATH: reason``."""

    def __init__(self, path: object, why: OSError | str) -> None:
        reason = why if isinstance(why, str) else (why.strerror or str(why))
        super().__init__(f"cannot write {path}: {reason}")


def _writable_file(path: str) -> None:
    """Check that ``path`` can be written as a file, before a program runs (so that its run is
    not lost for want of a place to put the result).  Leaves no file behind."""
    p = Path(path)
    try:
        if p.is_dir():
            raise CannotWrite(path, "it is a directory")
        if p.exists():
            with p.open("ab"):  # opens for writing without changing it
                pass
        else:
            with p.open("xb"):
                pass
            p.unlink()
    except OSError as e:
        raise CannotWrite(path, e) from None


def _writable_dir(path: str) -> None:
    """Check that ``path`` is, or can be made, a directory to write files in (``fuzz --out``),
    before a campaign starts.  Creates nothing: the directory appears with the first finding."""
    p = Path(path)
    top = p
    while not top.exists() and top != top.parent:
        top = top.parent
    if not top.is_dir():
        raise CannotWrite(path, "it is not a directory" if top == p else f"{top} is not a directory")
    try:
        tempfile.TemporaryFile(dir=top).close()
    except OSError as e:
        raise CannotWrite(path, e) from None


def _write_output(path: object, write: Callable[[], object]) -> bool:
    """Write an output after the program ran.  On failure say so on stderr and return False: the
    caller keeps the program's own exit status."""
    try:
        write()
    except OSError as e:
        print(f"gox-ref: {CannotWrite(path, e)}", file=sys.stderr)
        return False
    return True


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


BACKENDS = ("ref", "native")
BACKEND_HELP = "ref (the interpreter, the default) or native (compiled to C)"

# Each command's --help ends with these (argparse's epilog).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "abi": ("gox-ref abi --group chan                 # the channel symbols of the ABI table",),
    "demo": ("gox-ref demo --dot heap.dot",),
    "run": ("gox-ref run prog.gox                     # on the reference (the interpreter)",
            "gox-ref run prog.gox --backend native --seed 7",
            "gox-ref run deep.gox --max-depth 500000 --trace t.json"),
    "conformance": ("gox-ref conformance                      # the whole corpus on the reference",
                    "gox-ref conformance conformance/chan -k fifo --backend native",
                    "gox-ref conformance --backend native --workers 4 --runs 100",
                    "gox-ref conformance --backend native --expect-fail known.yaml --json > report.json",
                    "gox-ref conformance --go                 # each case's Go twin with the installed Go",
                    "gox-ref conformance mycases/ --update    # expected stdout rewritten from the reference"),
    "heap": ("gox-ref heap conformance/gc/linked_list.gox -o heap.svg",
             "gox-ref heap conformance/gc/linked_list.gox --at built --backend native",
             "gox-ref heap conformance/gc/linked_list.gox --focus 7    # object #7 and its neighbours"),
    "show": ("gox-ref show examples/show/pingpong.gox -o pingpong.html # the page (open it in a browser)",
             "gox-ref show conformance/gc/linked_list.gox --from built  # a window: from checkpoint 'built' on",
             "gox-ref show examples/show/pingpong.gox --text          # each step and what it changed",
             "gox-ref show examples/show/gc_cycles.gox --text --at 8   # the whole state after step 8"),
    "diff": ("gox-ref diff prog.gox                    # reference against native",
             "gox-ref diff --go prog.gox               # ... and both against prog.go run with Go"),
    "fuzz": ("gox-ref fuzz --seconds 60 --out findings/",
             "gox-ref fuzz --go --workers 2 --seed 5   # three ways, with Go, on a local Dask cluster",
             "gox-ref fuzz --scheduler tcp://HOST:8786 # on a Dask cluster's workers"),
    "bench": ("gox-ref bench                            # reference vs native vs Go",
              "gox-ref bench --go none --json",
              "gox-ref bench --parallel --workers 1,2"),
    "abi-diff": ("gox-ref abi-diff                         # the package's library (or $GOX_NATIVE_LIB)",
                 "gox-ref abi-diff --lib ./libmine.so --examples 1000 --seed 7"),
    "lincheck": ("gox-ref lincheck conformance/parallel/select_many_senders.gox --workers 4 --runs 10",
                 "gox-ref lincheck --history h.jsonl"),
}


def _command(sub: Any, name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its EXAMPLES (the description wrapped here: the
    raw formatter keeps the examples' lines as written)."""
    text = textwrap.fill(description or help[:1].upper() + help[1:] + ".", 78)
    epilog = "examples:\n" + "\n".join("  " + e for e in EXAMPLES[name])
    p: argparse.ArgumentParser = sub.add_parser(name, help=help, description=text, epilog=epilog,
                                                formatter_class=argparse.RawDescriptionHelpFormatter)
    return p


LIB_HELP = ("the native library under test, a build of the gox_* ABI (docs/YOUR_RUNTIME.md; default: the "
            "package's own; $GOX_NATIVE_LIB does the same)")


def _add_lib(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lib", metavar="PATH", help=LIB_HELP)


@contextmanager
def _use_lib(args: argparse.Namespace) -> Iterator[None]:
    """--lib PATH: the library every native run of this command uses (and its children: they
    read $GOX_NATIVE_LIB), for the command's length (a caller of ``main`` gets its environment
    back)."""
    from gox_ref_native.runtime import LIB_ENV

    lib = getattr(args, "lib", None)
    if lib is None:
        yield
        return
    path = Path(lib)
    if not path.is_file():
        why = "no such file" if not path.exists() else "not a file"
        raise UsageError(f"--lib {lib}: {why} (expected a shared library built from the gox_* ABI)")
    before = os.environ.get(LIB_ENV)
    os.environ[LIB_ENV] = str(path.resolve())
    try:
        yield
    finally:
        if before is None:
            del os.environ[LIB_ENV]
        else:
            os.environ[LIB_ENV] = before


def _chosen_backend(args: argparse.Namespace) -> str:
    """--backend, checked; --lib means native (and refuses --backend ref)."""
    if getattr(args, "lib", None) is not None:
        if args.backend == "ref":
            raise UsageError("--lib names the native library under test: it takes --backend native, not ref")
        return _backend("native")
    return _backend(args.backend or "ref")


def _backend(name: str) -> str:
    if name not in BACKENDS:
        raise UsageError(f"unknown backend {name!r}; expected one of: {', '.join(BACKENDS)}")
    if name == "native":
        from .native import NativeUnavailable, compiler, library

        try:
            library()
            compiler()
        except NativeUnavailable as e:
            raise UsageError(f"backend native: {e}") from None
    return name


def _run_native(prog: Any, seed: int, trace: str | None, limits: Limits) -> int:
    """Build the program and run it in a child process with this process's stdout/stderr."""
    from .native import NativeBuildError, library, run_program, skip_reason

    lib = library()
    if trace is not None and not lib.sched:
        raise UsageError("--trace is not available on the native backend: the C library has no scheduler (no tracer)")
    why = skip_reason(prog, lib)
    if why is not None:
        raise UsageError(f"{prog.file}: cannot run on the native backend: it {why}")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        outcome = run_program(prog, seed, capture=False, trace=trace is not None, limits=limits)
    except NativeBuildError as e:
        raise UsageError(f"backend native: {e}") from None
    if trace is not None:  # the runtime's canonical trace, exported as the reference exports its own
        log = TraceLog.from_canonical(outcome.extra.get("trace", []))
        _write_output(trace, lambda: log.write(trace))
    if outcome.status == 128 + signal.SIGPIPE:  # the reader of our stdout went away (`| head`): no crash
        raise BrokenPipeError
    if outcome.stderr:  # only the runner's own notes (a crash, a timeout): the program wrote directly
        sys.stderr.buffer.write(outcome.stderr)
        sys.stderr.flush()
    return outcome.status if outcome.status is not None else 1


def _read_program(path: str) -> tuple[str, Any]:
    """The text of a program file and its loaded program; ProgramError for a bad program."""
    from .case import UnreadableSource, read_source

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{path}: no such file" if not p.exists() else f"{path}: not a file")
    try:
        text = read_source(p)
    except UnreadableSource as e:
        raise UsageError(str(e)) from None
    return text, load(text, path)


def _header_seed(text: str, path: str) -> int:
    from .case import CaseError, header_seed, parse_header

    if not text.startswith("/*---"):
        return 0
    try:
        hdr, _ = parse_header(text, path)
    except CaseError:  # not a case header: a comment of the program's own
        return 0
    try:
        return header_seed(hdr, path)
    except CaseError as e:
        raise UsageError(f"{e} (--seed overrides it)") from None


def _parse_seed(text: str, limit: int) -> int:
    """``--seed``: an integer in 0..limit, checked by ``rng.check_seed`` for every command."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer (expected 0..{limit})") from None
    try:
        check_seed(seed, limit)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return seed


def _run_seed(text: str) -> int:
    """A run's seed (run, diff, heap): the scheduler's SplitMix64 state, a u64."""
    return _parse_seed(text, MAX_SEED)


def _campaign_seed(text: str) -> int:
    """``fuzz --seed``: a campaign seed, 0..2^40-1 (its programs' seeds: docs/DIFF_AND_FUZZ.md, "Determinism")."""
    from .fuzz import MAX_CAMPAIGN_SEED

    return _parse_seed(text, MAX_CAMPAIGN_SEED - 1)


def _limit(name: str, most: int) -> Callable[[str], int]:
    """``--max-steps`` / ``--max-depth``: an integer in 1..most."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer (expected 1..{most})") from None
        if not 1 <= n <= most:
            raise argparse.ArgumentTypeError(f"{n} is out of range (expected 1..{most})")
        return n

    parse.__name__ = name  # argparse names the type in its message
    return parse


def _add_limits(p: argparse.ArgumentParser, base: Limits, depth_default: str) -> None:
    """The runner's limits (gox_program/limits.py), on every command that runs programs."""
    p.add_argument("--max-steps", type=_limit("max-steps", MAX_STEPS), default=base.steps, metavar="N",
                   help=f"the step budget, calls plus loop iterations (default {base.steps:,})")
    p.add_argument("--max-depth", type=_limit("max-depth", MAX_DEPTH), default=base.depth, metavar="N",
                   help=f"frames per goroutine before 'fatal error: stack overflow' (default: {depth_default})")


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(steps=args.max_steps, depth=args.max_depth)


def cmd_run(args: argparse.Namespace) -> int:
    from .case import execute

    backend = _chosen_backend(args)
    text, prog = _read_program(args.file)
    seed = args.seed if args.seed is not None else _header_seed(text, args.file)
    if args.trace is not None:
        _writable_file(args.trace)
    if backend == "native":
        return _run_native(prog, seed, args.trace, _limits(args))
    rt = RefRuntime()
    log = rt.start_trace() if args.trace is not None else None
    try:
        status = execute(prog, seed=seed, out=STDOUT, err=STDERR, rt=rt, fuel=args.max_steps,
                         max_depth=_limits(args).ref_depth())
    finally:
        rt.stop_trace()
    if log is not None:
        _write_output(args.trace, lambda: log.write(args.trace))
    return status


@contextmanager
def _case_bar(quiet: bool) -> Iterator[Callable[[int, int, Any], None] | None]:
    """conformance's progress: a bar of cases on a terminal (gox_program/terminal.py), the
    failures counted beside it; none with ``quiet`` (--json) or where terminal.interactive says no."""
    from . import terminal

    if quiet or not terminal.interactive(sys.stderr):
        yield None
        return
    failed = 0
    with terminal.bar(sys.stderr, 0, "conformance", "case") as b:
        def step(done: int, total: int, r: Any) -> None:
            nonlocal failed
            if b.total != total:
                b.reset(total=total)
            failed += r.result == "failed"
            b.set_postfix_str(f"{failed} failed, {r.id[:40]}", refresh=False)
            b.update(1)

        yield step


def _go() -> Any:
    """The installed Go, for ``--go``; None (a skip) where it is missing, unless it is required."""
    from .gotwin import GoUnavailable, find_go, go_required

    try:
        return find_go()
    except GoUnavailable as e:
        if go_required():
            raise UsageError(f"--go: {e} (GOX_REQUIRE_GO or CI is set, so Go is required)") from None
        print(f"gox-ref: --go skipped: {e}", file=sys.stderr)
        return None


def cmd_conformance(args: argparse.Namespace) -> int:
    from . import expectfail, report
    from .corpus import EXPECTED_RESULTS, RESULTS, known_case_ids, run_corpus, summarize

    if args.update:
        return _update_cases(args)
    if args.go and (args.workers is not None or args.backend is not None or args.lib is not None):
        raise UsageError("--go runs the Go twins, not a backend: it takes no --backend, --lib or --workers")
    backend = "go" if args.go else _chosen_backend(args)
    if args.workers is not None:
        if backend != "native":
            raise UsageError("--workers is for --backend native (the reference has one deterministic scheduler)")
        if not 1 <= args.workers <= 64:
            raise UsageError(f"--workers {args.workers}: expected 1..64")
    if args.slowest < 0:
        raise UsageError(f"--slowest {args.slowest}: expected a count, 0 or more")
    if args.runs != 1:
        if backend != "native":
            raise UsageError("--runs is for --backend native (a reference run is deterministic: it repeats itself)")
        if args.runs < 1:
            raise UsageError(f"--runs {args.runs}: expected at least 1")
    files = _case_files(args.paths)
    expected: dict[str, str] | None = None
    if args.expect_fail is not None:
        try:
            expected = expectfail.load(Path(args.expect_fail))
            expectfail.check_ids(expected, known_case_ids(files), Path(args.expect_fail))
        except expectfail.ExpectFailError as e:
            raise UsageError(f"--expect-fail: {e}") from None
    if args.go:
        from .gotwin import run_go_corpus

        go = _go()
        if go is None:
            return 0
        with _case_bar(args.json) as step:
            results = run_go_corpus(files, go, args.k, step)
    else:
        with _case_bar(args.json) as step:
            results = run_corpus(files, backend, args.k, step, workers=args.workers, limits=_limits(args),
                                 runs=args.runs)
    kinds: tuple[str, ...] = RESULTS
    if expected is not None:
        results, kinds = expectfail.apply(results, expected), RESULTS + EXPECTED_RESULTS
    groups = summarize(results, kinds)
    failed = [r for r in results if r.result in ("failed", "xpass")]
    lib = None
    if backend == "native":  # the library under test, named in the reports
        from .native import library

        native_lib = library()
        lib = {"path": str(native_lib.path), "sha256": native_lib.digest}
    if args.junitxml is not None:
        try:
            report.junit_xml(results, Path(args.junitxml), f"gox-ref conformance ({backend})", lib)
        except OSError as e:
            raise CannotWrite(args.junitxml, e) from None
    if args.json:
        print(report.as_json(results, groups, backend=backend, library=lib, workers=args.workers or 1,
                             runs=args.runs, expect_fail=args.expect_fail))
        return 1 if failed else 0
    report.text(results, groups, kinds, verbose=args.verbose, slowest=args.slowest)
    if not results:
        print("no cases matched", file=sys.stderr)
        return 1
    return 1 if failed else 0


def _case_files(paths: list[str]) -> list[Path]:
    """conformance's case files: under PATHS, else the corpus (a path that is not there: a usage error)."""
    from .corpus import discover

    try:
        return discover([Path(p) for p in paths] if paths else None)
    except FileNotFoundError as e:
        raise UsageError(str(e)) from None


def _update_cases(args: argparse.Namespace) -> int:
    """conformance --update (gox_program/update.py): each case's stdout from the reference."""
    from .corpus import case_id_of
    from .gotwin import GoUnavailable, find_go
    from .update import update_case

    if args.go or args.json or args.backend not in (None, "ref") or args.lib is not None or args.workers is not None \
            or args.runs != 1 or args.expect_fail is not None or args.junitxml is not None:
        raise UsageError("--update rewrites cases from the reference: it takes only PATHS, -k and the limits")
    files = [f for f in _case_files(args.paths) if args.k is None or args.k in case_id_of(f)]
    try:
        go = find_go()
    except GoUnavailable:
        go = None  # (a case with a twin is then refused: nothing checks its new stdout)
    counts = {"updated": 0, "unchanged": 0, "refused": 0}
    for f in files:
        u = update_case(f, go, _limits(args))
        counts[u.result] += 1
        if u.result != "unchanged":
            print(f"{u.result.upper()} {u.id}{': ' + u.reason if u.reason else ''}")
    print(", ".join(f"{n} {k}" for k, n in counts.items()))
    return 1 if counts["refused"] else 0


def cmd_heap(args: argparse.Namespace) -> int:
    backend = _chosen_backend(args)
    out_path = Path(args.output) if args.output else None
    fmt = out_path.suffix.lstrip(".").lower() if out_path else "dot"
    if fmt not in ("dot", "gv", "svg", "png"):
        raise UsageError(f"cannot write {args.output}: the output must end in .dot, .svg or .png")
    if fmt in ("svg", "png") and shutil.which("dot") is None:
        instead = out_path.with_suffix(".dot") if out_path else "a .dot file"
        raise UsageError(f"Graphviz is not installed (no 'dot' command); write {instead} instead")
    text, prog = _read_program(args.file)
    if args.at is not None and args.at not in prog.checkpoints:
        have = ", ".join(repr(c) for c in prog.checkpoints) or "none"
        raise UsageError(f"{args.file}: no checkpoint {args.at!r} (the program has: {have})")
    if out_path is not None:
        _writable_file(args.output)
    seed = args.seed if args.seed is not None else _header_seed(text, args.file)
    snap, title = (_native_heap if backend == "native" else _ref_heap)(prog, seed, args.file, args.at)
    if args.focus is not None and args.focus not in {o.num for o in snap.objects}:
        nums = [o.num for o in snap.objects]
        have = f"#{min(nums)}..#{max(nums)}" if nums else "no objects"
        raise UsageError(f"--focus {args.focus}: no object #{args.focus} in the heap (it has {have})")
    dot = to_dot(snap, title, focus=args.focus)
    if out_path is None:
        sys.stdout.write(dot)
        return 0
    if fmt in ("dot", "gv"):
        if not _write_output(out_path, lambda: out_path.write_text(dot)):
            return 1
    else:
        proc = subprocess.run(["dot", f"-T{fmt}", "-o", str(out_path)], input=dot.encode(), capture_output=True)
        if proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(f"dot failed: {msg[0] if msg else proc.returncode}")
    print(f"heap graph written to {out_path}", file=sys.stderr)
    return 0


def _heap_title(file: str, at: str | None, status: int | None, reached: bool) -> str:
    """The graph's title; a checkpoint the run never reached is the user's mistake."""
    if at is None:
        return f"{file} at exit (status {status})"
    if not reached:
        raise UsageError(f"{file}: the program never reached checkpoint {at!r} (exit status {status})")
    return f"{file} at checkpoint {at!r}"


def _ref_heap(prog: Any, seed: int, file: str, at: str | None) -> tuple[HeapSnapshot, str]:
    """The heap and its title after running on the reference; the program's output goes to stderr."""
    from .case import execute

    taken: list[HeapSnapshot] = []

    def at_checkpoint(rt: RefRuntime, label: str) -> None:
        if label == at and not taken:
            taken.append(snapshot(rt))

    rt = RefRuntime()
    status = execute(prog, seed=seed, out=STDERR, err=STDERR, on_checkpoint=at_checkpoint, rt=rt)
    title = _heap_title(file, at, status, bool(taken))
    return (taken[0] if taken else snapshot(rt)), title


def _native_heap(prog: Any, seed: int, file: str, at: str | None) -> tuple[HeapSnapshot, str]:
    """The same from the compiled program's heap dump (``GOX_NATIVE_DUMP``, ``native.read_dump``)."""
    from .native import NativeBuildError, build, library, read_dump, run_exe, skip_reason

    lib = library()
    why = skip_reason(prog, lib)
    if why is not None:
        raise UsageError(f"{file}: cannot run on the native backend: it {why}")
    try:
        exe = build(prog, lib)
    except NativeBuildError as e:
        raise UsageError(f"backend native: {e}") from None
    with tempfile.TemporaryDirectory(prefix="gox-heap.") as td:
        dump = Path(td) / "heap.dump"
        o = run_exe(exe, seed, dump=dump, dump_at=at)
        sys.stderr.flush()
        sys.stderr.buffer.write(o.stdout + o.stderr)  # the program's own output, as on the reference
        sys.stderr.flush()
        if at is None and not dump.is_file():  # a crash: no dump at exit
            raise UsageError(f"{file}: the native program wrote no heap dump (exit status {o.status})")
        title = _heap_title(file, at, o.status, dump.is_file())
        return read_dump(dump).snapshot(), title


def cmd_show(args: argparse.Namespace) -> int:
    from .show.model import record_run
    from .show.page import render, window
    from .show.text import state_text, story_text

    if args.at is not None and (args.start is not None or args.stop is not None):
        raise UsageError("--at shows one step; --from/--to a window: give one or the other")
    if args.text and args.output is not None:
        raise UsageError("--text prints the run; -o writes the page: give one or the other")
    if args.at is not None and not args.text:
        raise UsageError("--at is for --text (the page has every step: open it at #step=N)")
    out = args.output if args.output is not None else Path(args.file).with_suffix(".html").name
    if not args.text:
        _writable_file(out)
    text, prog = _read_program(args.file)
    seed = args.seed if args.seed is not None else _header_seed(text, args.file)
    model = record_run(prog, file=args.file, source=text, seed=seed, fuel=args.max_steps,
                       max_depth=_limits(args).ref_depth())
    last = len(model.steps) - 1

    def bound(given: str | None, name: str) -> int | None:
        """A --from/--to: a step number, or a checkpoint label (the step it was passed at)."""
        if given is None or given.isdigit():
            return None if given is None else int(given)
        step = model.checkpoint(given)
        if step is None:
            raise UsageError(f"{name} {given}: the run of {args.file} passed no checkpoint {given!r}")
        return step

    try:
        lo, hi = window(model, bound(args.start, "--from"), bound(args.stop, "--to"))
    except ValueError as e:
        raise UsageError(str(e)) from None
    if args.at is not None:
        if not 0 <= args.at <= last:
            raise UsageError(f"--at {args.at}: the run of {args.file} has steps 0..{last}")
        sys.stdout.write(state_text(model, args.at))
    elif args.text:
        sys.stdout.write(story_text(model, lo, hi))
    else:
        page = render(model, lo, hi)
        if not _write_output(out, lambda: Path(out).write_text(page, encoding="utf-8")):
            return 1
        part = f"steps {lo}..{hi} of 0..{last}" if (lo, hi) != (0, last) else f"{last + 1} steps"
        print(f"page written to {out} ({part}, {len(page.encode()):,} bytes)", file=sys.stderr)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from .diff import CannotDiff, check_native, diff_program, diff_with_go, run_both

    loaded = []
    for path in args.files:  # every file loads (and can run natively) before any runs
        try:
            text, prog = _read_program(path)
        except ProgramError as e:
            raise UsageError(f"{path}: malformed program: {e}") from None
        try:
            check_native(prog)
        except CannotDiff as e:
            raise UsageError(str(e)) from None
        loaded.append((path, prog, args.seed if args.seed is not None else _header_seed(text, path)))
    go = None
    if args.go:
        from .gotwin import twin_of

        missing = [p for p, _, _ in loaded if not twin_of(Path(p)).is_file()]
        if missing:
            raise UsageError(f"--go: {missing[0]} has no Go twin {twin_of(Path(missing[0])).name} beside it")
        go = _go()
    code = 0
    for path, prog, seed in loaded:
        try:
            runs = run_both(prog, seed, _limits(args))
            result = diff_program(prog, seed, path, runs)
            print(result.render(), flush=True)
            against = None if go is None else diff_with_go(prog, seed, go, path, runs)
        except CannotDiff as e:
            raise UsageError(str(e)) from None
        if against is not None:
            print(against.render(), flush=True)
        if not result.same or (against is not None and not against.same):
            code = 1
    return code


def cmd_fuzz(args: argparse.Namespace) -> int:
    """``gox-ref fuzz``: random programs on both backends (gox_program/fuzz.py)."""
    from . import fuzz
    from .gotwin import GoUnavailable
    from .native import NativeUnavailable, fast_compiler, library

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.scheduler is not None and args.workers != 1:
        raise UsageError("--workers starts a local cluster: with --scheduler the cluster's workers run the campaign")
    if args.seconds <= 0:
        raise UsageError("--seconds must be positive")
    if args.programs is not None and args.programs < 1:
        raise UsageError("--programs must be at least 1")
    seed = args.seed if args.seed is not None else random.randrange(fuzz.MAX_CAMPAIGN_SEED)
    _writable_dir(args.out)
    out = Path(args.out)
    where = f"the cluster at {args.scheduler}" if args.scheduler else f"{args.workers} worker(s)"
    try:
        cc = fast_compiler()
        lib = library()
    except NativeUnavailable as e:
        raise UsageError(f"fuzz needs the native backend: {e}") from None
    print(f"gox-ref fuzz: seed {seed}, {where}, C compiler {cc}, library {lib.path} (sha256 {lib.digest[:16]}), "
          f"findings in {out}", file=sys.stderr, flush=True)
    try:
        s = fuzz.campaign(seconds=args.seconds, seed=seed, out_dir=out, workers=args.workers,
                          programs=args.programs, progress=sys.stderr, scheduler=args.scheduler, go=args.go,
                          limits=_limits(args))
    except NativeUnavailable as e:
        raise UsageError(f"fuzz needs the native backend: {e}") from None
    except GoUnavailable as e:
        raise UsageError(f"fuzz --go needs Go: {e}") from None
    except fuzz.CampaignError as e:
        raise UsageError(str(e)) from None
    for why in dict.fromkeys(s.write_errors):
        print(f"gox-ref: {why}", file=sys.stderr)
    for f, path in zip(s.findings, s.paths, strict=True):
        if path is None:  # not written: the program itself, so that the finding is not lost
            print(f"{f.sig}: seed {f.seed}, not written; the shrunk program:\n{f.text}", end="")
            continue
        go = " --go" if f.go_text else ""
        print(f"{f.sig}: {path} (reproduce: gox-ref diff{go} {path} --seed {f.seed})")
    summed = " (summed over the workers)" if args.workers > 1 or args.scheduler else ""
    shrinking = f"; {s.shrink_seconds:.1f} s of it shrinking{summed}" if s.findings else ""
    dups = f" (and {s.duplicates} duplicates)" if s.duplicates else ""
    left = f", {s.left_out} left out (no draw that the library can run)" if s.left_out else ""
    print(f"fuzz: {s.programs} programs in {s.seconds:.1f} s ({s.rate:.1f} programs/s{shrinking}), "
          f"{len(s.findings)} divergences{dups}, {s.skipped} skipped (over the step budget){left}, built with {cc}; "
          f"seed {seed}")
    return 1 if s.findings else 0


def cmd_bench(args: argparse.Namespace) -> int:
    """``gox-ref bench``: bench/bench_go.py, with ``--parallel`` bench/bench_parallel.py (needs
    the source tree: bench/ is not installed)."""
    if args.workers is not None and not args.parallel:
        raise UsageError("bench: --workers needs --parallel (the one-worker bench runs one worker)")
    if args.parallel and args.clock is not None:
        raise UsageError("bench: --clock is for the one-worker bench (--parallel reports wall and CPU time side by side)")
    root = Path(__file__).resolve().parent.parent  # a source checkout (or editable install) has bench/ there
    if (root / "bench" / "bench_go.py").is_file() and str(root) not in sys.path:
        sys.path.insert(0, str(root))
    # Imported here, when the command runs: bench/ sits above this layer and is not installed,
    # so this is the one upward import the layer rule allows (tests/test_layers.py).
    try:
        from bench import bench_go, bench_parallel  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise UsageError("gox-ref bench needs the source tree (bench/bench_go.py): run it from the repository root") from None
    try:
        code: int = (bench_parallel if args.parallel else bench_go).run_cli(args)
    except (ValueError, RuntimeError) as e:
        raise UsageError(f"bench: {e}") from None
    return code


def cmd_lincheck(args: argparse.Namespace) -> int:
    from . import history, linearize

    if (args.file is None) == (args.history is None):
        raise UsageError("lincheck: give a program FILE or --history PATH (not both)")
    if not 1 <= args.workers <= 64:
        raise UsageError(f"lincheck: --workers {args.workers}: expected 1..64")
    if args.runs < 1:
        raise UsageError(f"lincheck: --runs {args.runs}: expected at least 1")
    if args.history is not None:
        try:
            report = linearize.check(history.read(Path(args.history)))
        except history.HistoryError as e:
            raise UsageError(str(e)) from None
        print(report.summary())
        return 0 if report.ok else 1
    from .native import NativeBuildError, build, library, skip_reason

    _backend("native")
    text, prog = _read_program(args.file)
    lib = library()
    why = skip_reason(prog, lib)
    if why is not None:
        raise UsageError(f"{args.file}: cannot run on the native backend: it {why}")
    try:
        exe = build(prog, lib, _limits(args))
    except NativeBuildError as e:
        raise UsageError(f"backend native: {e}") from None
    base = args.seed if args.seed is not None else _header_seed(text, args.file)
    bad = 0
    for k in range(args.runs):
        seed = (base + k) % (MAX_SEED + 1)
        outcome, hist = history.run_recorded(exe, seed, args.workers)
        report = linearize.check(hist)
        print(f"run {k + 1}/{args.runs} (seed {seed}, {args.workers} workers, exit {outcome.status}): {report.summary()}")
        bad += not report.ok
    return 1 if bad else 0


def _add_lincheck(sub: Any) -> None:
    p = _command(sub, "lincheck", "check a parallel run's channel operations for linearizability (native)")
    p.add_argument("file", nargs="?", help="the program (.gox) to run")
    p.add_argument("--workers", type=int, default=2, metavar="N", help="scheduler threads, 1..64 (default 2)")
    p.add_argument("--runs", type=int, default=1, metavar="K", help="runs, seeds SEED..SEED+K-1 (default 1)")
    p.add_argument("--seed", type=_run_seed, help=SEED_HELP)
    p.add_argument("--history", metavar="PATH", help="check this recorded history ($GOX_CHAN_HISTORY) instead")
    _add_limits(p, DEFAULT_LIMITS, OWN_DEPTH)
    _add_lib(p)
    p.set_defaults(func=cmd_lincheck)


def _add_bench(sub: Any) -> None:
    p = _command(sub, "bench", "the same workloads on the reference, the native backend and Go (--parallel: W workers)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    p.add_argument("--repeat", type=int, help="rounds of interleaved runs: times are each system's best, ratios to Go "
                   "the median of the rounds' (default 5; --parallel: best of 3)")
    p.add_argument("--go", metavar="PATH", help="the go command (default: go on PATH; 'none' to leave Go out)")
    p.add_argument("--clock", choices=("cpu", "wall"),
                   help="what the one-worker bench compares: cpu (default: user + system time) or wall (elapsed)")
    p.add_argument("--parallel", action="store_true",
                   help="the parallel workloads: native with W workers against Go with GOMAXPROCS=W")
    p.add_argument("--workers", metavar="LIST",
                   help="with --parallel: worker counts, e.g. 1,2,4 (default: 1, 2 and powers of two up to the core count)")
    _add_lib(p)
    p.set_defaults(func=cmd_bench)


def _add_abi_diff(sub: Any) -> None:
    """``gox-ref abi-diff``: the state machine of gox_program/abidiff.py against a library."""
    p = _command(sub, "abi-diff", "random ABI call sequences on the reference and a library, compared after each call",
                 description="Random gox_* ABI call sequences (hypothesis), bad arguments included, on the reference "
                             "and on a C library; results, errors, output, heap and GC statistics compared after "
                             "every call.  A divergence is shrunk and printed as Python that replays it (exit 1).  "
                             "Rules that need a symbol the library lacks are left out (listed).")
    p.add_argument("--lib", metavar="PATH", help="the shared library to test (default: $GOX_NATIVE_LIB, else the package's)")
    p.add_argument("--examples", type=int, default=200, metavar="N", help="call sequences to try (default 200)")
    p.add_argument("--steps", type=int, default=50, metavar="N", help="rules per sequence, at most (default 50)")
    p.add_argument("--seed", type=int, metavar="N", help="hypothesis's seed, 0..2^32-1 (default: random, printed)")

    def cmd_abi_diff(args: argparse.Namespace) -> int:
        for flag, value, low, high in (("--examples", args.examples, 1, None), ("--steps", args.steps, 1, None),
                                       ("--seed", args.seed, 0, (1 << 32) - 1)):
            if value is not None and (value < low or (high is not None and value > high)):
                raise UsageError(f"{flag} {value}: expected {low}..{high}" if high else f"{flag} {value}: expected >= {low}")
        try:
            from . import abidiff
        except ImportError as e:  # hypothesis is a dependency; a hand-made environment may lack it
            raise UsageError(f"abi-diff needs hypothesis ({e}): pip install hypothesis") from None
        from gox_ref_native.runtime import LIB_ENV, library_path

        try:
            lib = Path(args.lib).absolute() if args.lib else library_path()
        except FileNotFoundError as e:
            raise UsageError(str(e)) from None
        try:
            return abidiff.command(lib, args.examples, args.steps, args.seed)
        except abidiff.LibraryError as e:
            source = "--lib " if args.lib else f"${LIB_ENV} " if os.environ.get(LIB_ENV) else ""
            raise UsageError(f"{source}{e}") from None

    p.set_defaults(func=cmd_abi_diff)


def main(argv: list[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # here, so that a closed pipe is seen now and not at interpreter exit
        return code
    except BrokenPipeError:
        # the reader went away (`gox-ref abi | head`): stop quietly, as the Python docs advise
        # ("Note on SIGPIPE", module signal): stdout to /dev/null, so the exit's flush cannot fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except UsageError as e:
        print(f"gox-ref: error: {e}", file=sys.stderr)
        return 2
    except CannotWrite as e:
        print(f"gox-ref: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gox-ref: interrupted", file=sys.stderr)
        return 130


SEED_HELP = "the scheduler's seed, 0..2^64-1 (default: the file's header seed, else 0)"


def _main(argv: list[str] | None) -> int:
    parser = _Parser(prog="gox-ref", description="Reference runtime for the GoX gox_* ABI.")
    parser.add_argument("--version", action="version", version=f"gox-ref {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_abi = _command(sub, "abi", "list the ABI table")
    p_abi.add_argument("--group", choices=GROUPS)
    p_abi.set_defaults(func=cmd_abi)
    p_demo = _command(sub, "demo", "a small heap, collected, as a Graphviz graph")
    p_demo.add_argument("--dot", metavar="FILE", help="write the DOT graph to FILE")
    p_demo.set_defaults(func=cmd_demo)
    p_run = _command(sub, "run", "run a program")
    p_run.add_argument("file")
    p_run.add_argument("--backend", choices=BACKENDS, help=BACKEND_HELP)
    p_run.add_argument("--seed", type=_run_seed, help=SEED_HELP)
    p_run.add_argument("--trace", metavar="OUT.json", help="write a trace of the run")
    _add_limits(p_run, DEFAULT_LIMITS, OWN_DEPTH)
    _add_lib(p_run)
    p_run.set_defaults(func=cmd_run)
    p_conf = _command(sub, "conformance", "run the conformance corpus")
    p_conf.add_argument("paths", nargs="*", help="case files or directories (default: conformance/)")
    p_conf.add_argument("--backend", choices=BACKENDS, help=BACKEND_HELP)
    p_conf.add_argument("--workers", type=int, metavar="N",
                        help="native only: run programs on N scheduler threads (1..64, the parallel mode when N > 1)")
    p_conf.add_argument("--runs", type=int, default=1, metavar="K",
                        help="native only: run each case K times (built once); it passes only if every run does")
    p_conf.add_argument("--expect-fail", metavar="FILE",
                        help="a YAML list of expected failures (- id: CASE, reason: WHY): a listed failure is "
                             "XFAIL and passes the run, a listed pass is XPASS and fails it")
    p_conf.add_argument("-k", metavar="PATTERN", help="only cases whose id contains PATTERN")
    p_conf.add_argument("--json", action="store_true", help="a JSON report on stdout")
    p_conf.add_argument("--junitxml", metavar="FILE", help="also write a JUnit XML report (for CI servers) to FILE")
    p_conf.add_argument("-v", "--verbose", action="store_true", help="a line for every case, with its time")
    p_conf.add_argument("--slowest", type=int, default=0, metavar="N", help="list the N slowest cases at the end")
    p_conf.add_argument("--go", action="store_true", help="run the cases' Go twins with the installed Go instead")
    p_conf.add_argument("--update", action="store_true",
                        help="rewrite each case's expected stdout from the reference (a case with a Go twin only "
                             "if Go agrees); nothing else about a case is changed")
    _add_limits(p_conf, DEFAULT_LIMITS, OWN_DEPTH)
    _add_lib(p_conf)
    p_conf.set_defaults(func=cmd_conformance)
    p_heap = _command(sub, "heap", "a program's heap as a Graphviz graph")
    p_heap.add_argument("file")
    p_heap.add_argument("--at", metavar="LABEL", help="at the program's first 'checkpoint LABEL' (default: at exit)")
    p_heap.add_argument("-o", "--output", metavar="OUT", help="write OUT.dot, OUT.svg or OUT.png (default: DOT on stdout)")
    p_heap.add_argument("--focus", type=int, metavar="N",
                        help="draw object #N and its neighbours only (for heaps too large to draw whole)")
    p_heap.add_argument("--seed", type=_run_seed, help=SEED_HELP)
    p_heap.add_argument("--backend", choices=BACKENDS, help=BACKEND_HELP)
    _add_lib(p_heap)
    p_heap.set_defaults(func=cmd_heap)
    p_show = _command(sub, "show", "a run step by step, as a page or in words: goroutines, channels, the heap's GC colours")
    p_show.add_argument("file")
    p_show.add_argument("--seed", type=_run_seed, help=SEED_HELP)
    p_show.add_argument("--text", action="store_true", help="the run in words on stdout: each step and what it changed")
    p_show.add_argument("--at", type=int, metavar="STEP", help="with --text: the whole state after step STEP (from 0)")
    p_show.add_argument("-o", "--output", metavar="OUT.html", help="where the page goes (default: FILE's name .html, here)")
    p_show.add_argument("--from", dest="start", metavar="STEP|LABEL",
                        help="the window's first step: a number, or a checkpoint label (the step the program passed it)")
    p_show.add_argument("--to", dest="stop", metavar="STEP|LABEL", help="the window's last step (default: the run's last)")
    _add_limits(p_show, DEFAULT_LIMITS, OWN_DEPTH)
    p_show.set_defaults(func=cmd_show)
    p_diff = _command(sub, "diff", "run programs on both backends and compare the runs")
    p_diff.add_argument("files", nargs="+", metavar="FILE")
    p_diff.add_argument("--seed", type=_run_seed, help=SEED_HELP)
    p_diff.add_argument("--go", action="store_true", help="also run each file's Go twin NAME.go; compare both with Go")
    _add_limits(p_diff, SHARED_LIMITS, f"{SHARED_LIMITS.depth:,}, on both backends")
    _add_lib(p_diff)
    p_diff.set_defaults(func=cmd_diff)
    p_fuzz = _command(
        sub, "fuzz", "random programs on both backends; divergences shrunk to DIR",
        description="Random programs on both backends (and Go with --go); divergences shrunk to DIR.  The native "
                    "batches are built with $GOX_FUZZ_CC, else tcc when it is on PATH (TinyCC: a fraction of gcc -O0's "
                    "time), else $CC or cc; the summary says which.")
    p_fuzz.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    p_fuzz.add_argument("--seed", type=_campaign_seed, help="the campaign seed, 0..2^40-1 (default: random, printed)")
    p_fuzz.add_argument("--out", default="fuzz-out", metavar="DIR", help="where findings go (default fuzz-out)")
    p_fuzz.add_argument("--workers", type=int, default=1,
                        help="worker processes of a local Dask cluster (default 1: in process)")
    p_fuzz.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run the campaign on this Dask scheduler's workers (docs/DIFF_AND_FUZZ.md)")
    p_fuzz.add_argument("--programs", type=int, help="stop after this many programs (instead of --seconds)")
    p_fuzz.add_argument("--go", action="store_true",
                        help="three ways: each program also written in Go and run with Go (needs go on PATH)")
    _add_limits(p_fuzz, FUZZ_LIMITS, f"{FUZZ_LIMITS.depth:,}, on both backends")
    _add_lib(p_fuzz)
    p_fuzz.set_defaults(func=cmd_fuzz)
    _add_bench(sub)
    _add_lincheck(sub)
    _add_abi_diff(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version: argparse has printed them
        return e.code if isinstance(e.code, int) else 0
    try:
        with _use_lib(args):
            code: int = args.func(args)
    except ProgramError as e:
        print(str(e), file=sys.stderr)
        return 1
    except GoxError as e:
        print(f"gox-ref: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise
    except OSError as e:  # in words: the file and the reason, no "[Errno N]"
        print(f"gox-ref: {_os_reason(e, e.filename)}", file=sys.stderr)
        return 1
    return code


def _os_reason(e: OSError, path: object = None) -> str:
    """``PATH: reason`` for an OSError, without Python's ``[Errno N]``."""
    reason = e.strerror or str(e)
    return f"{path}: {reason}" if path is not None else reason


if __name__ == "__main__":
    raise SystemExit(main())
