"""Deep recursion on both backends (docs/decisions.md, "Deep recursion").

The interpreter runs 100,000 frames per goroutine (``limits.REF_MAX_DEPTH``).  It raises
Python's recursion limit for that, which is safe only while an interpreted call adds Python
frames and no C frame: the greenlets share the thread's C stack, and a C frame per call would
overflow it long before 100,000 frames.  Each test below runs its program in a child process
on a thread whose C stack is 512 KiB, so one C frame per interpreted call (a few hundred
bytes) crashes the child.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import native_library_or_skip

from gox_program import load, native
from gox_program.case import Outcome, run_text
from gox_program.corpus import CORPUS_ROOT, run_case_file
from gox_program.limits import REF_MAX_DEPTH, depth_message
from gox_program.native import run_text as native_run_text

SMALL_C_STACK = 512 * 1024

# Every way one interpreted function calls another: direct, through the function table, a
# closure, a frame with a deferred call, and on a spawned goroutine.
SHAPES = """
func direct(n i64) i64 {
    if n == 0 {
        return 0
    }
    return direct(n - 1) + 1
}

func viaclosure(self ref, n i64) i64 {
    if n == 0 {
        return 0
    }
    return ccall[func(i64) i64](self, n - 1) + 1
}

func viatable(f u64, n i64) i64 {
    if n == 0 {
        return 0
    }
    return tcall[func(u64, i64) i64](f, f, n - 1) + 1
}

func deferring(n i64) i64 {
    defer gox_debug_write("", kind.String)
    if n == 0 {
        return 0
    }
    return deferring(n - 1) + 1
}

func spawned(n i64, ch ref) {
    gox_chan_send(ch, direct(n))
}

func main() {
    gox_debug_print(direct(%(top)d), kind.Int)
    gox_debug_print(viatable(u64(&viatable), %(n)d), kind.Int)
    var tid u64 = gox_type_register("env", "\\x01")
    var c ref = gox_rt_closure_create(u64(&viaclosure), tid, 1)
    gox_debug_print(ccall[func(i64) i64](c, %(n)d), kind.Int)
    gox_debug_print(deferring(%(n)d), kind.Int)
    var ch ref = gox_chan_new(kind.Int, 0)
    go spawned(%(n)d, ch)
    gox_debug_print(gox_chan_recv(ch), kind.Int)
}
"""

CHILD = textwrap.dedent("""
    import sys, threading
    from gox_program.case import run_text
    threading.stack_size(int(sys.argv[1]))
    out = []
    t = threading.Thread(target=lambda: out.append(run_text(sys.stdin.read(), "shapes.gox", 0)))
    t.start()
    t.join()
    o = out[0]
    sys.stdout.buffer.write(o.stdout + o.stderr + b"status %d\\n" % o.status)
""")


def test_the_reference_recurses_to_its_limit_on_a_small_c_stack() -> None:
    """main and 99,999 calls of direct (the limit: 100,000 frames), then 30,000 frames of each
    other kind of call.  Before: the limit was 400 frames, and a call through the function
    table or a closure (``entry(rt, *slots)``) took a C frame (the child died of SIGSEGV)."""
    top = REF_MAX_DEPTH - 2  # direct(top) is top + 1 frames, under main
    n = 30_000
    src = SHAPES % {"top": top, "n": n}
    p = subprocess.run([sys.executable, "-c", CHILD, str(SMALL_C_STACK)], input=src.encode(),
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode(errors="replace")[-2000:]
    assert p.stdout == f"{top}\n{n}\n{n}\n{n}\n{n}\nstatus 0\n".encode()


DOWN = """
func down(n i64) i64 {
    if n == 0 {
        return 0
    }
    return down(n - 1) + 1
}

func main() {
    gox_debug_print(down(%d), kind.Int)
}
"""


def test_the_frame_limit_counts_main() -> None:
    """--max-depth 100: main and 99 frames of down run, one more is the runner's stack overflow."""
    ok = run_text(DOWN % 98, "t.gox", 0, max_depth=100)
    assert (ok.status, ok.stdout, ok.stderr) == (0, b"98\n", b"")
    over = run_text(DOWN % 99, "t.gox", 0, max_depth=100)
    assert (over.status, over.stdout) == (2, b"")
    assert over.stderr == f"{depth_message(100)}\nfatal error: stack overflow\n".encode()


# -- the native backend: growth segments up to Go's 1 GB (gox_ref_native/src/stack.c) --------------
STACK_CASES = sorted((CORPUS_ROOT / "stack").glob("*.gox"))


@pytest.mark.parametrize("path", STACK_CASES, ids=lambda p: p.stem)
def test_native_stack_cases(path: Path) -> None:
    """1,000,000 frames on main and on a goroutine (Go 1.19.8: both print 1000000), 100,000,
    and unbounded recursion on a goroutine: Go's report at 1 GB.  Before: the native backend
    stopped at 400 frames (GX_MAX_DEPTH) and its goroutine stacks were 64 KiB."""
    native_library_or_skip(sched=True)
    r = run_case_file(path, "native")
    assert r.result == "passed", r.reason


OVERFLOW = "func down(n i64) i64 {\n    return down(n + 1) + 1\n}\n\nfunc main() {\n    gox_debug_print(down(0), kind.Int)\n}\n"


def test_native_overflow_is_gos_report_at_1_gb() -> None:
    """Go 1.19.8 (conformance/basics/stack_overflow.go) prints these two lines (and, between
    them, runtime: sp=... stack=[...], which has addresses), exit status 2."""
    native_library_or_skip(sched=True)
    o = native_run_text(OVERFLOW, "overflow.gox", 0)
    assert isinstance(o, Outcome)
    assert (o.status, o.stdout) == (2, b"")
    assert o.stderr == b"runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n"


RECOVER_ACROSS = """
func catcher() {
    var s0 u64
    var s1 u64
    s0, s1 = gox_recover()
    if s0 != 0 {
        gox_debug_print(ref(s1), kind.String)
    }
}

func dive(n i64) i64 {
    if n == 0 {
        gox_panic(kind.String, "bottom")
    }
    return dive(n - 1) + 1
}

func guarded(n i64) {
    defer catcher()
    gox_debug_print(dive(n), kind.Int)
}

func rec(n i64) i64 {
    if n == 0 {
        return 0
    }
    return rec(n - 1) + 1
}

func waiter(n i64, ch ref, done ref) {
    if n == 0 {
        gox_chan_send(done, gox_chan_recv(ch))
        return
    }
    waiter(n - 1, ch, done)
}

func main() {
    for var i i64 = 0; i < 3; i++ {
        guarded(200000)
    }
    var s i64 = 0
    for var j i64 = 0; j < 3000; j++ {
        s = s + rec(j)
    }
    gox_debug_print(s, kind.Int)
    var ch ref = gox_chan_new(kind.Int, 0)
    var done ref = gox_chan_new(kind.Int, 0)
    for var k i64 = 0; k < 3; k++ {
        go waiter(200000, ch, done)
    }
    for var k i64 = 0; k < 3; k++ {
        gox_chan_send(ch, k)
        gox_debug_print(gox_chan_recv(done), kind.Int)
    }
    gox_debug_print(rec(300000), kind.Int)
}
"""


def test_native_growth_segments_survive_recovery_reuse_and_parking() -> None:
    """A panic 200,000 frames down recovered at the top (its longjmp leaves the growth segments:
    they go back, and the sanitizer build cleans the slot the longjmp skipped), calls crossing a
    segment's boundary 2,500 times, goroutines parked 200,000 frames deep, then deep again on
    main: the output Go's twin of this program would print (checked by hand against Go 1.19.8)."""
    native_library_or_skip(sched=True)
    o = native_run_text(RECOVER_ACROSS, "across.gox", 0)
    assert isinstance(o, Outcome)
    assert (o.status, o.stderr) == (0, b""), o.stderr.decode(errors="replace")
    assert o.stdout == b"bottom\n" * 3 + f"{sum(range(3000))}\n0\n1\n2\n300000\n".encode()


def test_native_growth_counts_a_large_frame() -> None:
    """A chain of 3,000 additions is 3,000 C variables, each a stack slot at -O0 (the fuzzer's
    builds): a 24 KB frame, more than the room the limit leaves.  The check counts the frame,
    so the call moves to a new segment in time.  Before: the frame ran into the guard below
    its segment (status 2, a false "exceeds 1000000000-byte limit")."""
    native_library_or_skip(sched=True)
    terms = " + ".join(["n"] * 3000)
    prog = load(DOWN.replace("down(n - 1) + 1", f"down(n - 1) + ({terms}) / n") % 3000, "big.gox")
    o = native.run_exe(native.build_batch([prog], opt="-O0"), 0, index=0)
    assert (o.status, o.stdout, o.stderr) == (0, b"9000000\n", b"")
