"""Time on both backends: the native runtime (src/timer.c) held to the reference
(gox_ref/timer.py) on programs of sleeps, timers, tickers and timeouts: the same output, exit
status, trace, heap, roots and GC statistics, at exit and at a checkpoint while timers are
pending (their roots' order is (deadline, seq) on both).  The reference runs in a child process
(tests/program_ref.py), so this file runs under the sanitizer builds (scripts/test-asan-run).
Then parallel mode, on the real clock: idle workers sleep until the next deadline, a timer fires
on another worker than a busy one, a pending timer is no deadlock.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_native_programs import assert_same, run_native

from gox_program import load, native

MS = 1_000_000

GC_PROGRAM = """
func main() {
    var pending ref = gox_timer_new(3600000000000)
    var stopped ref = gox_timer_new(3600000000000)
    gox_debug_print(gox_timer_stop(stopped), kind.Bool)
    stopped = nil
    pending = nil
    gox_collect_garbage()
    checkpoint "collected"
    gox_debug_print("done", kind.String)
}
"""


def test_both_backends_collect_a_stopped_timer_and_keep_a_pending_one(tmp_path: Path) -> None:
    prog = load(GC_PROGRAM, "gc.gox")
    assert_same(prog, 0, tmp_path, at="collected")
    _, dump = run_native(prog, 0, tmp_path, at="collected")
    # objects 1 and 2: the string literal; 3 and 4: the pending timer's channel and the timer (the
    # stopped timer's, 5 and 6, are gone)
    assert [o[:2] for o in dump.objects] == [(1, "Array"), (2, "String"), (3, "Channel"), (4, "Pointer")]
    assert ("pending timer #4", 4) in dump.roots


DELAYS = st.sampled_from([0, 1, 1, 2, 5, 10])


@st.composite
def time_programs(draw: st.DrawFn) -> str:
    """A program of straight-line sleeps, timer and ticker operations and timeouts in main and up to
    two goroutines, over two shared timers and a ticker (equal deadlines are frequent)."""
    def op(who: str) -> str:
        d = draw(DELAYS) * MS
        t = draw(st.sampled_from(["t0", "t1"]))
        k = draw(st.integers(0, 8))
        say = f'gox_debug_write("{who} ", kind.String)\n    '
        return say + [
            f"gox_time_sleep({d})\n    gox_debug_print(gox_time_now(), kind.Int)",
            f"gox_debug_print(gox_timer_stop({t}), kind.Bool)",
            f"gox_debug_print(gox_timer_reset({t}, {d}), kind.Bool)",
            f"gox_debug_print(gox_chan_len(gox_timer_chan({t})), kind.Int)",
            "gox_debug_print(gox_chan_len(gox_timer_chan(tk)), kind.Int)",
            f"gox_select_start(2, false)\n    gox_select_add_recv(gox_timer_chan({t}))\n    "
            f"gox_select_add_recv(gox_time_after({d}))\n    gox_debug_print(gox_select_exec(), kind.Int)",
            f"gox_select_start(2, true)\n    gox_select_add_recv(gox_timer_chan(tk))\n    "
            f"gox_select_add_recv(gox_timer_chan({t}))\n    gox_debug_print(gox_select_exec(), kind.Int)",
            "gox_collect_garbage()\n    gox_debug_print(0, kind.Int)",
            'checkpoint "mid"\n    gox_debug_print(1, kind.Int)',
        ][k]

    def body(who: str) -> str:
        return "\n    ".join(op(who) for _ in range(draw(st.integers(1, 6))))

    n = draw(st.integers(0, 2))
    funcs = "".join(f"func g{i}(t0 ref, t1 ref, tk ref) {{\n    {body(f'g{i}')}\n}}\n\n" for i in range(n))
    spawns = "".join(f"    go g{i}(t0, t1, tk)\n" for i in range(n))
    return (f"{funcs}func main() {{\n    var t0 ref = gox_timer_new({draw(DELAYS) * MS})\n"
            f"    var t1 ref = gox_time_after({draw(DELAYS) * MS})\n"
            f"    var tk ref = gox_ticker_new({draw(st.sampled_from([1, 3])) * MS})\n"
            f"    t1 = gox_timer_new({draw(DELAYS) * MS})\n{spawns}    {body('main')}\n"
            f"    gox_time_sleep({draw(DELAYS) * MS})\n    gox_ticker_stop(tk)\n}}\n")


@settings(max_examples=int(os.environ.get("GOX_TIME_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(src=time_programs(), seed=st.sampled_from([0, 1, 2**64 - 1]))
def test_random_time_programs_agree_on_both_backends(tmp_path: Path, src: str, seed: int) -> None:
    """Output, status, trace, heap, roots and GC statistics, at exit and at the first checkpoint
    (timers pending there are roots: their order is (deadline, seq) on both)."""
    prog = load(src, "time.gox")
    assert_same(prog, seed, tmp_path)
    if 'checkpoint "mid"' in src:
        assert_same(prog, seed, tmp_path, at="mid")


# -- parallel mode: the real clock ------------------------------------------------------------------------
SLEEPERS = """
func sleeper(ms i64, done ref) {
    gox_time_sleep(ms * 1000000)
    gox_chan_send(done, ms)
}

func main() {
    var done ref = gox_chan_new(kind.Int, 0)
    var t0 i64 = gox_time_now()
    go sleeper(300, done)
    go sleeper(100, done)
    go sleeper(200, done)
    gox_debug_print(gox_chan_recv(done), kind.Int)
    gox_debug_print(gox_chan_recv(done), kind.Int)
    gox_debug_print(gox_chan_recv(done), kind.Int)
    gox_debug_print(gox_time_now() - t0 >= 300000000, kind.Bool)
}
"""


@pytest.mark.parametrize("workers", [2, 4])
def test_idle_workers_sleep_until_the_next_deadline_instead_of_spinning(workers: int) -> None:
    """Every goroutine asleep for 300 ms on the real clock: the workers wait for the deadline in a
    timed wait, so the process uses a small part of one CPU for it, where workers spinning would use
    the whole 300 ms each.  (CPU time is the process's own: other load on the host does not count.)"""
    exe = native.build(load(SLEEPERS, "sleepers.gox"))  # (the compiler's CPU time is not the run's)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    o = native.run_exe(exe, 0, workers=workers)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert (o.status, o.stdout) == (0, b"100\n200\n300\ntrue\n"), o.stderr
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert cpu < 0.15, f"{cpu:.3f} s of CPU for 0.3 s of sleep on {workers} workers"


BUSY_MAIN = """
func sleeper(done ref) {
    gox_time_sleep(20000000)
    gox_chan_send(done, 1)
}

func main() {
    var done ref = gox_chan_new(kind.Int, 1)
    go sleeper(done)
    var spins i64 = 0
    for gox_chan_len(done) == 0 {
        spins++
    }
    gox_debug_print("woken", kind.String)
}
"""


def test_a_timer_fires_on_another_worker_while_main_never_yields() -> None:
    """Main loops without blocking on worker 0; the sleeper's timer is another worker's to fire
    (the timer that became the earliest woke an idle worker, which waits for its deadline)."""
    o = native.run_program(load(BUSY_MAIN, "busy.gox"), 0, workers=2, timeout=30)
    assert (o.status, o.stdout) == (0, b"woken\n"), o.stderr


def test_a_pending_timer_is_no_deadlock_in_parallel_mode_and_none_left_is() -> None:
    src = """
func main() {
    var t ref = gox_time_after(50000000)
    gox_debug_print(i64(gox_chan_recv(t)) >= 50000000, kind.Bool)
    gox_chan_recv(gox_chan_new(kind.Int, 0))
}
"""
    o = native.run_program(load(src, "dl.gox"), 0, workers=4)
    assert (o.status, o.stdout) == (2, b"true\n")
    assert o.stderr.startswith(b"fatal error: all goroutines are asleep - deadlock!")
