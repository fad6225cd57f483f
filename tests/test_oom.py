"""Running out of memory ends a program with Go's fatal error on both backends (docs/SCHEDULER.md section 8).

Each program runs in a child process under a data limit (``RLIMIT_DATA``: the heap, ``mmap``'d
private memory and goroutine stacks count), never by exhausting the machine.  Go 1.19 under the
same limit (``prlimit --data=N``, a program spawning goroutines that block on a channel, or one
keeping 1 MiB slices) ends with, on stderr and status 2::

    fatal error: runtime: out of memory

    runtime stack:
    runtime.throw({0x4667aa?, 0x2030?})
    ...
    goroutine 1 [running]:
    ...

(``throw("runtime: out of memory")`` in runtime/mem_linux.go: ``mmap`` refused its heap memory.
Under an address-space limit, ``ulimit -v``, Go 1.19 fails one step earlier, reserving the
address space: ``runtime: out of memory: cannot allocate 4194304-byte block (72744960 in use)``
then ``fatal error: out of memory``, status 2.)  Our report is the first line, as for every other
fatal error of the project (no run-time stack: there is none to show), the status Go's.
In host mode (ABI calls outside a program) the same error is ``GoxFatal("runtime: out of
memory")``, and the runtime stays usable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections import deque
from pathlib import Path

import pytest
from conftest import expect_error, run

from gox_program.check import load
from gox_ref import GoxFatal, RefRuntime
from gox_ref import ValueKind as K
from gox_ref.chan import chan_state

ROOT = Path(__file__).resolve().parent.parent
OOM_TEXT = "runtime: out of memory"
REPORT = f"fatal error: {OOM_TEXT}\n".encode()
LIMIT_MIB = 64  # what a program may use beyond what its process had when it started
HOST_LIMIT_MIB = 16
TIMEOUT = 60.0

# main spawns goroutines that block on a channel and never gives them the processor: memory
# runs out spawning (the goroutine records: the reference's Goroutine, C's GoxG).
SPAWN = """
func block(c ref) {
    gox_chan_recv(c)
}

func main() {
    var c ref = gox_chan_new(kind.Int, 0)
    gox_debug_print("spawning", kind.String)
    for var i i64 = 0; i < 100000000; i++ {
        go block(c)
    }
}
"""
# ... and yields after each: every goroutine starts and parks, memory runs out on the scheduler's
# side (the reference's greenlets, C's goroutine stacks).
PARK = SPAWN.replace("        go block(c)\n", "        go block(c)\n        gox_yield()\n")
# a list whose every node holds an 8 KiB array: memory runs out in the heap
HEAP = """
var keep ref

func main() {
    var node_t u64 = gox_type_register("Node", "\\x01\\x01")
    gox_debug_print("allocating", kind.String)
    for var i i64 = 0; i < 100000000; i++ {
        var n ref = gox_rt_alloc(kind.Struct, node_t, 2)
        gox_gc_write_slot(n, 0, keep)
        gox_rt_write_barrier(n, keep)
        var s ref = gox_rt_slice_create(kind.Int, type.None, 1024, 1024)
        gox_gc_write_slot(n, 1, s)
        gox_rt_write_barrier(n, s)
        keep = n
    }
}
"""
PROGRAMS = {"spawn": (SPAWN, b"spawning\n"), "park": (PARK, b"spawning\n"), "heap": (HEAP, b"allocating\n")}

# Every child sets its own data limit: `extra` bytes beyond what the process uses at that point
# (or an absolute limit), the soft limit only, so that it can be lifted again.
LIMIT = textwrap.dedent("""
    import resource

    def limit(extra, relative=True):
        base = 0
        if relative:
            with open("/proc/self/status") as f:
                base = next(int(ln.split()[1]) * 1024 for ln in f if ln.startswith("VmData:"))
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
        resource.setrlimit(resource.RLIMIT_DATA, (base + extra, hard))
        return soft, hard
""")

# A program's child: the reference runs it (``gox-ref run``) with the limit set once its imports
# are done; the native executable replaces the child under the limit (it survives the exec).
CHILD = LIMIT + textwrap.dedent("""
    import os, sys
    from gox_program.cli import main
    import gox_program.interp

    mode, target, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
    limit(extra, relative=mode == "ref")
    if mode == "ref":
        sys.exit(main(["run", target]))
    os.execv(target, [target, "0"])
""")


def _require(what: str, reason: str | None) -> None:
    """Skip for a missing tool, except in CI, where a missing tool is a failure."""
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def _native_lib() -> None:
    """The native backend with its scheduler, not a sanitizer build (or a skip, or in CI a failure)."""
    from gox_program import native

    try:
        lib = native.library()
        native.compiler()
    except native.NativeUnavailable as e:
        _require("the native backend", str(e))
        raise
    _require("the native scheduler", None if lib.sched else "the library has no gox_run_main")
    if lib.sanitized or lib.tsan:
        pytest.skip("the sanitizers map terabytes of shadow memory: no data limit lets them start")


def _native_exe(name: str, tmp_path: Path) -> Path:
    from gox_program import native

    _native_lib()
    path = tmp_path / f"{name}.gox"
    path.write_text(PROGRAMS[name][0])
    return native.build(load(PROGRAMS[name][0], str(path)))


def _run_limited(
    mode: str, target: Path, env: dict[str, str] | None = None, mib: int = LIMIT_MIB
) -> subprocess.CompletedProcess[bytes]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full.pop("LD_PRELOAD", None)
    return subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(target), str(mib)],
        capture_output=True, env=full, timeout=TIMEOUT,
    )


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_reference_out_of_memory_is_go_fatal_error(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.gox"
    path.write_text(PROGRAMS[name][0])
    proc = _run_limited("ref", path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, PROGRAMS[name][1], REPORT)


@pytest.mark.parametrize("mib", [40, 48, 56, 72, 88])
def test_reference_parked_goroutines_run_out_of_memory_cleanly_at_any_limit(mib: int, tmp_path: Path) -> None:
    """Goroutines that start and park: whether greenlet (saving a parked goroutine's stack,
    which aborts the process when it cannot: SIGABRT) or Python runs out first would depend on
    the memory's layout without the headroom, so the same test would pass or fail with the
    limit, the interpreter and the imports (it aborted at 55 MiB, and in one CI run at 64).  The reference
    makes no goroutine within HEADROOM of the limit (gox_ref/sched.py), so every limit ends
    with the report; a sweep of 40..119 MiB for the three programs found no other end."""
    path = tmp_path / "park.gox"
    path.write_text(PARK)
    proc = _run_limited("ref", path, mib=mib)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, b"spawning\n", REPORT)


def test_reference_makes_no_goroutine_within_headroom_of_the_limit(tmp_path: Path) -> None:
    """The limit 4 MiB beyond what the process uses, inside HEADROOM (8 MiB): the first spawn
    already fails, deterministically, with Go's report (the old code made the goroutine and
    the program ended normally)."""
    path = tmp_path / "one.gox"
    path.write_text('func idle() {\n}\n\nfunc main() {\n    gox_debug_print("spawning", kind.String)\n'
                    '    go idle()\n    gox_debug_print("spawned", kind.String)\n}\n')
    proc = _run_limited("ref", path, mib=4)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, b"spawning\n", REPORT)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_native_out_of_memory_is_go_fatal_error(name: str, workers: int, tmp_path: Path) -> None:
    exe = _native_exe(name, tmp_path)
    proc = _run_limited("native", exe, {"GOX_WORKERS": str(workers)})
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, PROGRAMS[name][1], REPORT)


def test_native_goroutine_stack_that_cannot_be_mapped(tmp_path: Path) -> None:
    """The issue's case: the pool maps stacks 256 at a time; with 64 MiB stacks that is 16 GiB,
    beyond the limit, so main, the first goroutine to start, has none (the old runtime: SIGABRT)."""
    exe = _native_exe("park", tmp_path)
    proc = _run_limited("native", exe, {"GOX_STACK_SIZE": str(64 << 20)})
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, b"", REPORT)


# -- the reference, in process: a MemoryError wherever it is raised ----------------------------
@pytest.mark.skipif(
    "libasan" in os.environ.get("LD_PRELOAD", ""), reason="the reference's greenlets cannot run under the preloaded ASan runtime"
)
def test_reference_memory_error_in_a_goroutine_ends_the_program_cleanly() -> None:
    """Raised by the goroutine's own code (outside any ABI call), with goroutines parked on a
    channel: the report and status 2, and the runtime runs the next program."""
    rt = RefRuntime()
    ch = int(rt.gox_chan_new(K.INT, 0))
    rt.gox_gc_pin(ch)

    def parked(rt: RefRuntime) -> None:
        rt.gox_chan_recv(ch)

    def main(rt: RefRuntime) -> None:
        for _ in range(3):
            rt.gox_go_spawn(parked, [])
        rt.gox_yield()
        raise MemoryError

    assert run(main, rt=rt) == (2, b"", REPORT)
    assert (rt.goroutines, rt.hub, chan_state(rt.heap.objects[rt.heap.num_of(ch)]).recvq) == ({}, None, deque())

    def hello(rt: RefRuntime) -> None:
        rt.gox_debug_print(7, K.INT)

    assert run(hello, rt=rt) == (0, b"7\n", b"")


def test_reference_memory_error_in_an_abi_call_is_gox_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host mode: the call raises GoxFatal with Go's text and the heap is as it was."""
    rt = RefRuntime()

    def no_memory(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(rt.heap, "new_object", no_memory)
    expect_error(rt, GoxFatal, lambda: rt.gox_rt_string_from_ptr(b"x"), exact=OOM_TEXT)


# -- host mode --------------------------------------------------------------------------------
# Objects made one after another until memory runs out (GoxFatal); then, the limit lifted, the
# runtime must still work: all that was made reads back, a collection runs, a string is made.
# The workloads: 64 KiB strings, pinned (the heap runs out); one map that grows (its entry and
# index arrays); many small maps, pinned (small allocations of the map's state and the heap's);
# small boxes, pinned (the table of pins).
# (The references go in a list made beforehand: the test's own memory does not grow.)
HOST = LIMIT + textwrap.dedent("""
    import sys
    from gox_ref import GoxFatal, ValueKind as K

    backend, work, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
    if backend == "ref":
        from gox_ref import RefRuntime as Runtime
    else:
        from gox_ref_native import NativeRuntime as Runtime
    rt = Runtime()
    data = b"x" * 65536
    refs = [0] * 1000000
    m = rt.gox_rt_map_new(K.INT, K.INT)
    rt.gox_gc_pin(m)

    def make(i):
        if work == "strings":
            refs[i] = rt.gox_rt_string_from_ptr(data)
            rt.gox_gc_pin(refs[i])
        elif work == "map":
            rt.gox_map_set(m, i, i)
        elif work == "pins":
            refs[i] = rt.gox_rt_box(K.BOXED_INT, i)
            rt.gox_gc_pin(refs[i])
        else:
            refs[i] = rt.gox_rt_map_new(K.INT, K.INT)
            rt.gox_gc_pin(refs[i])
            rt.gox_map_set(refs[i], i, i)

    def check(i):
        if work == "strings":
            return bytes(rt.gox_string_read(refs[i])) == data
        if work == "map":
            return rt.gox_map_get(m, i) == (i, True)
        if work == "pins":
            return rt.gox_box_get(refs[i]) == i
        return rt.gox_map_get(refs[i], i) == (i, True)

    soft, hard = limit(extra)
    n = 0
    try:
        while n < len(refs):
            make(n)
            n += 1
    except GoxFatal as e:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
        print("GoxFatal:", e)
    assert 10 < n < len(refs), n
    rt.gox_collect_garbage()
    assert all(check(i) for i in range(0, n, max(1, n // 2000))) and check(n - 1)
    if work == "map":
        assert rt.gox_map_len(m) in (n, n + 1), (rt.gox_map_len(m), n)
    print(bytes(rt.gox_string_read(rt.gox_rt_string_from_ptr(b"still works"))).decode())
""")


# (Not "maps" and "pins" on the reference: its memory is the host's, and small steps run the
# test's own Python code out of memory as often as the runtime.)
@pytest.mark.parametrize(
    ("backend", "work"),
    [("ref", "strings"), ("ref", "map"), ("native", "strings"), ("native", "map"), ("native", "maps"), ("native", "pins")],
)
def test_host_mode_out_of_memory_is_gox_fatal(backend: str, work: str) -> None:
    if backend == "native":
        _native_lib()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LD_PRELOAD", None)  # (the sanitizer run's: the child runs an uninstrumented build)
    proc = subprocess.run(
        [sys.executable, "-c", HOST, backend, work, str(HOST_LIMIT_MIB)], capture_output=True, env=env, timeout=TIMEOUT
    )
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout == b"GoxFatal: runtime: out of memory\nstill works\n"
