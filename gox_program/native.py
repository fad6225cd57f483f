"""The native backend: programs compiled to C (``compile_c``), built against the C runtime and
run in a child process.

* **Build.** The C text is written to a cache directory (``$GOX_NATIVE_CACHE``, else
  ``~/.cache/gox-ref/native``) under a key hashing the C text, the library, the headers and the
  compiler command, and built there once with ``cc -std=c11 -O1 -Wall -Wextra -Werror``
  against ``gox_ref_native/gox_abi.h`` and ``gox_prog.h`` (which the C text includes), linked
  with the library (its path, and an rpath to its directory).  The library is the one
  ``NativeRuntime`` loads (``$GOX_NATIVE_LIB``, else the one built into the package).  With
  the sanitizer build (``libgox-asan.so``, ``tox -e asan``) the program is compiled with
  ``-fsanitize=address,undefined -fno-sanitize-recover=undefined`` too, and runs without the
  test interpreter's ``LD_PRELOAD`` (it links the ASan runtime).
* **Trace.** ``run_exe(..., trace=True)`` sets ``GOX_NATIVE_TRACE=path``: the program starts
  the runtime's tracer before ``gox_run_main`` and writes ``gox_trace_text`` there at exit;
  ``outcome.extra["trace"]`` holds the canonical lines (``TraceLog.from_canonical`` reads them).
* **Run.** The executable runs in a child process with a timeout; the seed is its first
  argument.  Its stdout, stderr and exit status make the same ``Outcome`` the reference's
  runner produces (``case.run_text``), so ``case.mismatch`` judges both alike.  A crash (a
  signal) is status 128 + the signal with a ``gox-ref: ... killed by SIG...`` line on stderr,
  a timeout status 124: failures, never a hang of the caller.
* **Batches.** ``build_batch(progs)`` builds several programs into one executable (one
  ``cc -O0`` run, ``compile_c.compile_batch``) that runs program k when its first argument is
  k (``run_exe(..., index=k)``), each run still its own child process: the fuzzer's fast path,
  with the compiler ``fast_compiler()`` chooses (``$GOX_FUZZ_CC``, else TinyCC when it is on
  PATH, else ``cc``).  A TinyCC build has no thread-local storage (gox_prog.h): it runs on one
  worker and refuses more (status 125).
* **Features.** Until the library has the scheduler (``gox_run_main``,
  ``gox_defer_frame_jmpbuf``), cases needing goroutines, channels, select, defer, recover,
  deadlock detection or iterators are skipped (``SCHED_FEATURES``), and so is any program
  calling an ABI symbol the library does not export (``gox_panic``, ...).
* **Heap dumps.** With ``dump=PATH`` the program writes the collector's counters, every
  object and every root at exit (or at the first ``checkpoint`` named ``dump_at``), which
  ``read_dump`` turns into the reference's ``HeapSnapshot.canonical()`` form.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from gox_abi.abi import BY_NAME
from gox_abi.gcstats import GcState
from gox_abi.heapview import HeapSnapshot, ObjectView
from gox_abi.kinds import ValueKind
from gox_abi.layout import canonical_ref
from gox_ref_native.runtime import LIB_ENV, library_path

from .case import FEATURES, Outcome
from .check import load
from .compile_c import compile_batch, compile_program
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .syntax import (
    Assign,
    Block,
    Call,
    Expr,
    ExprStmt,
    For,
    GoStmt,
    If,
    Program,
    ProgramError,
    Return,
    Stmt,
    TCall,
    VarDecl,
    subexprs,
)

PACKAGE = Path(__file__).resolve().parents[1] / "gox_ref_native"
HEADER = PACKAGE / "gox_abi.h"
PROG_HEADER = PACKAGE / "gox_prog.h"  # the glue every compiled program includes (compile_c)
WARN_CFLAGS = ("-Wall", "-Wextra", "-Werror")
CFLAGS = ("-std=c11", "-O1", *WARN_CFLAGS)
SANITIZE_CFLAGS = ("-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined")
SCHED_SYMBOLS = ("gox_run_main", "gox_defer_frame_jmpbuf")
SCHED_FEATURES = frozenset({"chan", "go", "select", "defer", "recover", "deadlock", "iter", "time"})
SHADOW_SYMBOLS = ("gox_shadow_push", "gox_shadow_pop", "gox_shadow_unwind", "gox_shadow_top")
TSAN_CFLAGS = ("-g", "-fno-omit-frame-pointer", "-fsanitize=thread")
TSAN_EXIT = 66  # a ThreadSanitizer report ends a program with this status ($TSAN_OPTIONS)
DEFAULT_TIMEOUT = 60.0
STATUS_TIMEOUT = 124
_COLORS = ("white", "white(dead)", "gray", "black")


class NativeUnavailable(Exception):
    """The native backend cannot run here (no library, no C compiler, a stale library)."""


# -- the library ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Library:
    path: Path
    digest: str
    symbols: frozenset[str]

    @property
    def sanitized(self) -> bool:
        """The AddressSanitizer/UBSan build (``make -C gox_ref_native asan``: libgox-asan.so):
        programs linked with it are compiled with the same sanitizers."""
        return "asan" in self.path.name

    @property
    def tsan(self) -> bool:
        """The ThreadSanitizer build (``make -C gox_ref_native tsan``: libgox-tsan.so), for the
        parallel scheduler; its symbols are read from the file (a TSan library cannot be
        loaded into an uninstrumented interpreter)."""
        return "tsan" in self.path.name

    @property
    def sanitize_cflags(self) -> tuple[str, ...]:
        return SANITIZE_CFLAGS if self.sanitized else TSAN_CFLAGS if self.tsan else ()

    @property
    def sched_missing(self) -> tuple[str, ...]:
        """The scheduler's symbols the library does not export (none: it has the scheduler)."""
        return tuple(s for s in SCHED_SYMBOLS if s not in self.symbols)

    @property
    def sched(self) -> bool:
        return not self.sched_missing

    def features(self) -> frozenset[str]:
        return FEATURES if self.sched else FEATURES - SCHED_FEATURES


_LIBS: dict[tuple[str, int, int], Library] = {}
_LOCK = threading.Lock()


def named_library() -> str | None:
    """The library the user named (``--lib`` or ``$GOX_NATIVE_LIB``), if any."""
    return os.environ.get(LIB_ENV) or None


def library() -> Library:
    """The C runtime the programs link with (checked for the shadow-stack entries)."""
    try:
        path = library_path().resolve()
    except FileNotFoundError as e:
        raise NativeUnavailable(f"no native library: {e}") from None
    if not path.is_file():
        if named_library():  # the user's own library: no advice about building ours
            raise NativeUnavailable(f"no native library at {path} (named by --lib or ${LIB_ENV})")
        raise NativeUnavailable(f"no native library at {path}; build it with: make -C gox_ref_native")
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _LOCK:
        lib = _LIBS.get(key)
        if lib is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            # read from the file, not by loading it: the programs load it, each in its own
            # process (a TSan build cannot be loaded into this uninstrumented interpreter, and a
            # process has static TLS for only a few libraries: docs/YOUR_RUNTIME.md)
            exported = _dynamic_symbols(path)
            names = [n for n in (*BY_NAME, *SCHED_SYMBOLS) if n in exported]
            lib = _LIBS[key] = Library(path, digest, frozenset(names))
    missing = [s for s in SHADOW_SYMBOLS if s not in lib.symbols]
    if missing:
        how = ("every compiled program needs them (docs/YOUR_RUNTIME.md, group shadow stacks)" if named_library()
               else "rebuild it: make -C gox_ref_native, or pip install -e .")
        raise NativeUnavailable(f"the native library {path} has no shadow stack ({', '.join(missing)}); {how}")
    return lib


def _dynamic_symbols(path: Path) -> set[str]:
    """The functions a shared library defines, from its dynamic symbol table (``nm -D``)."""
    try:
        proc = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True)
    except FileNotFoundError:
        raise NativeUnavailable("no nm (binutils) to list the native library's symbols; install binutils") from None
    if proc.returncode != 0:
        why = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"nm exited with {proc.returncode}"
        raise NativeUnavailable(f"cannot load the native library {path}: {why}")
    return {line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}


def compiler() -> str:
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise NativeUnavailable(f"no C compiler ({cc!r} is not on PATH; set CC)")
    return cc


FAST_CC = "tcc"  # TinyCC: a fuzz batch's C in about 1/50 of gcc -O0's time (docs/decisions.md)


def fast_compiler(lib: Library | None = None) -> str:
    """The C compiler of the fuzzer's batch builds: ``$GOX_FUZZ_CC``, else ``tcc`` when it is
    on PATH, else ``compiler()``.  A sanitizer build of the library always gets
    ``compiler()``: TinyCC has no sanitizers."""
    lib = lib or library()
    if lib.sanitized or lib.tsan:
        return compiler()
    cc = os.environ.get("GOX_FUZZ_CC")
    if cc:
        if shutil.which(cc) is None:
            raise NativeUnavailable(f"no C compiler ({cc!r} is not on PATH; set GOX_FUZZ_CC)")
        return cc
    return FAST_CC if shutil.which(FAST_CC) else compiler()


# -- what a program needs -------------------------------------------------------------------------
def used_symbols(prog: Program) -> set[str]:
    """The ABI symbols the compiled program calls (beyond those every program calls)."""
    used: set[str] = set()

    def expr(e: Expr | None) -> None:
        for x in subexprs(e) if e is not None else ():
            if isinstance(x, Call) and x.how == "abi":
                used.add(x.name)
            elif isinstance(x, TCall):
                used.add("gox_func_table_get")
                if x.closure:
                    used.add("gox_closure_func_id")

    def stmt(s: Stmt | None) -> None:
        if s is None:
            return
        if isinstance(s, VarDecl):
            expr(s.init)
        elif isinstance(s, Assign):
            expr(s.value)
        elif isinstance(s, ExprStmt):
            expr(s.expr)
        elif isinstance(s, If):
            expr(s.cond)
            block(s.then)
            if s.els is not None:
                block(s.els)
        elif isinstance(s, For):
            stmt(s.init)
            expr(s.cond)
            stmt(s.post)
            block(s.body)
        elif isinstance(s, Return):
            for v in s.values:
                expr(v)
        elif isinstance(s, GoStmt):
            used.add("gox_defer_push" if s.defer else "gox_go_spawn")
            expr(s.call)

    def block(b: Block) -> None:
        for s in b.stmts:
            stmt(s)

    for f in prog.funcs:
        block(f.body)
    return used


def skip_reason(prog: Program, lib: Library) -> str | None:
    """Why the program cannot run on this library yet (None: it can)."""
    need = used_symbols(prog)
    if any(f.has_frame for f in prog.funcs):
        need |= {"gox_defer_frame_enter", "gox_defer_frame_exit"}
    absent = sorted(n for n in need if n not in lib.symbols)
    if absent:
        return f"needs {', '.join(absent)}, which the library {lib.path.name} does not export"
    if not lib.sched:  # the concurrency half only works inside gox_run_main
        half2 = sorted(n for n in need if BY_NAME[n].half == 2)
        if half2:
            return (f"needs the native scheduler for {', '.join(half2)} ({', '.join(lib.sched_missing)}, which the library "
                    f"{lib.path.name} does not export)")
    return None


# -- building and running -------------------------------------------------------------------------
def cache_dir() -> Path:
    env = os.environ.get("GOX_NATIVE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gox-ref" / "native"


def build(prog: Program, lib: Library | None = None, limits: Limits = DEFAULT_LIMITS) -> Path:
    """Compile the program to C and build it (once per distinct program, limits and library:
    the limits are in the C text, which keys the cache)."""
    lib = lib or library()
    cc = compiler()
    names = "gox_func_set_name" in lib.symbols
    csrc = compile_program(prog, sched=lib.sched, names=names, source_name=Path(prog.file).name,
                           fuel=limits.steps, max_depth=limits.depth)
    flags = [*CFLAGS, *lib.sanitize_cflags]
    return _build_text(csrc, lib, cc, flags)


def build_batch(
    progs: list[Program], lib: Library | None = None, *, opt: str = "-O0", strict: bool = False,
    limits: Limits = DEFAULT_LIMITS, cc: str | None = None,
) -> Path:
    """Build several programs into one executable (one ``cc`` run, ``opt`` and no warning
    flags: the fuzzer's fast path; ``strict`` adds ``build``'s -Wall -Wextra -Werror, so that
    what the C compiler warns about fails here as in ``build``).  The programs share one
    prelude and program k's definitions have the C prefix ``p<k>``
    (``compile_c.compile_batch``); the executable runs program k when its first argument is
    ``k`` (``run_exe(..., index=k)``), every run still its own child process.  Cached like
    ``build`` (the fuzzer deletes its builds after use).  ``cc``: the C compiler, by default
    ``compiler()`` (the fuzzer passes ``fast_compiler()``)."""
    lib = lib or library()
    cc = cc or compiler()
    names = "gox_func_set_name" in lib.symbols
    parts = [compile_batch(progs, sched=lib.sched, names=names, fuel=limits.steps, max_depth=limits.depth)]
    cases = "".join(f"    case {k}: return gxp{k}_main(argc - 1, argv + 1);\n" for k in range(len(progs)))
    parts.append(
        "int main(int argc, char **argv) {\n    switch (argc > 1 ? atoi(argv[1]) : -1) {\n"
        f"{cases}    default: break;\n    }}\n"
        '    fprintf(stderr, "gox-ref: no such program in this batch\\n");\n    return 125;\n}\n'
    )
    csrc = "\n".join(parts)
    # no -Wall -Wextra -Werror here: the warnings' analysis is a third of the build time
    flags = ["-std=c11", opt, *(WARN_CFLAGS if strict else ()), "-pipe", "-fno-asynchronous-unwind-tables",
             *lib.sanitize_cflags]
    return _build_text(csrc, lib, cc, flags)


def _build_text(csrc: str, lib: Library, cc: str, flags: list[str]) -> Path:
    cmd_tail = [*flags, "-I", str(HEADER.parent), str(lib.path), f"-Wl,-rpath,{lib.path.parent}", "-lm"]
    h = hashlib.sha256()
    for part in (csrc, lib.digest, HEADER.read_text(), PROG_HEADER.read_text(), cc, " ".join(cmd_tail)):
        h.update(part.encode())
        h.update(b"\0")
    key = h.hexdigest()[:32]
    d = cache_dir()
    exe = d / f"{key}.exe"
    if exe.is_file():
        return exe
    d.mkdir(parents=True, exist_ok=True)
    # Other processes may build the same program at the same moment: each writes the source
    # and the executable under temporary names and renames them into place (atomically), so
    # a compiler never reads a source that another process is still writing.
    src = d / f"{key}.c"
    fd, tmp_src = tempfile.mkstemp(prefix=f"{key}.", suffix=".c.tmp", dir=d)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(csrc)
    os.replace(tmp_src, src)
    fd, tmp = tempfile.mkstemp(prefix=f"{key}.", suffix=".tmp", dir=d)
    os.close(fd)
    try:
        proc = subprocess.run([cc, str(src), *cmd_tail[:-1], "-o", tmp, cmd_tail[-1]], capture_output=True, text=True)
        if proc.returncode != 0:
            raise NativeBuildError(f"{cc} failed on {src}:\n{proc.stderr.strip()}")
        os.replace(tmp, exe)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return exe


class NativeBuildError(Exception):
    """The C compiler refused the generated code (a bug of compile_c)."""


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def run_exe(
    exe: Path,
    seed: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    dump: Path | None = None,
    dump_at: str | None = None,
    capture: bool = True,
    trace: bool = False,
    index: int | None = None,
    workers: int | None = None,
    unchecked: bool = False,
    history: Path | None = None,
) -> Outcome:
    """Run a built program in a child process; its outcome (status, stdout, stderr).  With
    ``trace`` the program records the runtime's event trace and ``outcome.extra["trace"]``
    holds its canonical lines (``TraceLog.canonical()``; empty if the program wrote none).
    ``index`` selects program k of a ``build_batch`` executable; ``workers`` sets the scheduler's
    worker threads (``$GOX_WORKERS``; more than one is the parallel mode, docs/SCHEDULER.md);
    ``unchecked`` runs the runtime in unchecked mode (``gox_set_checked(false)``: references
    trusted, not validated; ``$GOX_NATIVE_UNCHECKED``); ``history`` is where the runtime writes
    the program's channel history (``$GOX_CHAN_HISTORY``: gox_program/history.py reads it)."""
    pre = [] if index is None else [str(index)]
    env = dict(os.environ)
    # the caller's own settings of these never leak into a run: only the arguments decide
    for var in ("GOX_NATIVE_DUMP", "GOX_NATIVE_DUMP_AT", "GOX_NATIVE_TRACE", "GOX_NATIVE_UNCHECKED", "GOX_CHAN_HISTORY"):
        env.pop(var, None)
    if workers is not None:
        env["GOX_WORKERS"] = str(workers)
    if unchecked:
        env["GOX_NATIVE_UNCHECKED"] = "1"
    if history is not None:
        env["GOX_CHAN_HISTORY"] = str(history)
    if "libasan" in env.get("LD_PRELOAD", ""):
        env.pop("LD_PRELOAD")  # a sanitized program links the ASan runtime itself
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.setdefault("TSAN_OPTIONS", f"halt_on_error=1 exitcode={TSAN_EXIT}")
    if dump is not None:
        env["GOX_NATIVE_DUMP"] = str(dump)
        if dump_at is not None:
            env["GOX_NATIVE_DUMP_AT"] = dump_at
    if trace:
        with tempfile.TemporaryDirectory(prefix="gox-trace.") as td:
            path = Path(td) / "trace.txt"
            env["GOX_NATIVE_TRACE"] = str(path)
            o = _run_child(exe, seed, env, timeout, capture, pre)
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        o.extra["trace"] = text.splitlines()
        return o
    return _run_child(exe, seed, env, timeout, capture, pre)


def _run_child(
    exe: Path, seed: int, env: dict[str, str], timeout: float, capture: bool, pre: list[str] | None = None
) -> Outcome:
    pipe = subprocess.PIPE if capture else None
    try:
        proc = subprocess.run([str(exe), *(pre or []), str(seed)], stdout=pipe, stderr=pipe, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = (e.stderr or b"") + f"gox-ref: the native program timed out after {timeout:g} s\n".encode()
        return Outcome(STATUS_TIMEOUT, e.stdout or b"", err)
    status, err = proc.returncode, proc.stderr or b""
    if status < 0:
        err += f"gox-ref: the native program was killed by {_signal_name(-status)} (a crash)\n".encode()
        status = 128 - status
    return Outcome(status, proc.stdout or b"", err)


def run_program(
    prog: Program,
    seed: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    capture: bool = True,
    trace: bool = False,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Outcome:
    return run_exe(build(prog, limits=limits), seed, timeout=timeout, capture=capture, trace=trace, workers=workers)


def run_text(
    text: str, file: str, seed: int, *, timeout: float = DEFAULT_TIMEOUT, workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Outcome | str:
    """Load, build and run a program on the native backend; a string says why it is skipped."""
    exe = build_text(text, file, limits)
    return run_exe(exe, seed, timeout=timeout, workers=workers) if isinstance(exe, Path) else exe


def build_text(text: str, file: str, limits: Limits = DEFAULT_LIMITS) -> Path | Outcome | str:
    """Load and build a program: its executable, else the outcome of its load-time rejection,
    else (a string) why the native backend skips it."""
    try:
        prog = load(text, file)
    except ProgramError as e:
        return Outcome(None, reject=e)  # load-time rejection does not depend on the backend
    lib = library()
    why = skip_reason(prog, lib)
    return why if why is not None else build(prog, lib, limits)


# -- heap dumps -----------------------------------------------------------------------------------
@dataclass
class Dump:
    stats: tuple[int, ...]
    objects: tuple[tuple[object, ...], ...]  # as ObjectView.canonical()
    roots: tuple[tuple[str, int], ...]  # (where, allocation number)
    types: dict[int, str] = field(default_factory=dict)  # type id -> the name it was registered with

    def snapshot(self) -> HeapSnapshot:
        """The dump as the reference's ``heapview.snapshot`` (references as the reference numbers
        them, ``layout.canonical_ref``), for ``heapview.to_dot``."""
        def slot(s: object) -> int | None:  # ("ref", n) for a child, an int, or None (opaque)
            return canonical_ref(cast(tuple[str, int], s)[1]) if isinstance(s, tuple) else cast(int | None, s)

        objects = []
        for o in self.objects:
            num, kind, type_id, color, gen, flags, slots, refs = cast(_DumpObject, o)
            name = self.types.get(type_id, "") if kind in ("Struct", "Closure") else ""
            objects.append(ObjectView(num, canonical_ref(num), kind, type_id, name, color, gen, flags,
                                      tuple(slot(s) for s in slots), tuple(canonical_ref(r) for r in refs)))
        roots = tuple((w, canonical_ref(n)) for w, n in self.roots)
        return HeapSnapshot(GcState(self.stats[1]).name, tuple(objects), roots)


_DumpObject = tuple[int, str, int, str, int, int, tuple[object, ...], tuple[int, ...]]


def read_dump(path: Path) -> Dump:
    stats: tuple[int, ...] = ()
    objects = []
    roots = []
    types: dict[int, str] = {}
    heap_base, stride = 0x10000000, 16
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("stats "):
            stats = tuple(int(x) for x in line.split()[1:])
        elif line.startswith("type "):
            _, tid, hexname = line.split(" ", 2)  # "type ID NAME-IN-HEX" (an empty name: "")
            types[int(tid)] = bytes.fromhex(hexname).decode("utf-8", "replace")
        elif line.startswith("obj "):
            head, slot_text, ref_text = line[4:].split(" ;")
            num, kind, type_id, color, gen, flags = (int(x) for x in head.split())
            slots: list[object] = []
            for tok in slot_text.split():
                if tok.startswith("r"):
                    slots.append(("ref", int(tok[1:])))
                elif tok.startswith("a"):
                    slots.append(heap_base + stride * int(tok[1:]))
                else:
                    slots.append(int(tok))
            if kind in (ValueKind.MAP, ValueKind.CHANNEL) and slots:
                slots[0] = None
            refs = tuple(int(x) for x in ref_text.split())
            name = ValueKind(kind).name.title().replace("_", "")
            objects.append((num, name, type_id, _COLORS[color], gen, flags, tuple(slots), refs))
        elif line.startswith("root "):
            num_text, where = line[5:].split("\t", 1)
            roots.append((where, int(num_text)))
    return Dump(stats, tuple(objects), tuple(roots), types)
