"""The scheduler's documented rules (gox_ref/sched.py): a FIFO run queue (spawn order is run
order, a yield goes to the back, a woken goroutine goes to the back, a wake does not switch),
main returning abandons every other goroutine without running its code, replay from the seed,
the deadlock report for every wait reason, ``go`` of a nil func, and blocking outside run_main."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import greenlet
import pytest
from conftest import PYTHON_GOROUTINES, Main, run

from gox_ref import GoxABIError, GoxFatal, RefRuntime, ValueKind

pytestmark = PYTHON_GOROUTINES

K = ValueKind


# -- the FIFO run queue -------------------------------------------------------------------------
def test_spawn_order_is_run_order_and_the_spawner_keeps_running() -> None:
    log: list[str] = []

    def worker(rt: RefRuntime, n: int) -> None:
        log.append(f"w{n}")

    def main(rt: RefRuntime) -> None:
        for n in range(5):
            rt.gox_go_spawn(worker, [n])
            log.append(f"spawned {n}")
        rt.gox_yield()  # main goes behind the five workers
        log.append("main again")

    assert run(main)[0] == 0
    assert log == [*(f"spawned {n}" for n in range(5)), "w0", "w1", "w2", "w3", "w4", "main again"]


def test_yield_goes_to_the_back_of_the_queue() -> None:
    log: list[str] = []

    def worker(rt: RefRuntime, n: int) -> None:
        for step in range(3):
            log.append(f"{n}.{step}")
            rt.gox_yield()

    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(worker, [1])
        rt.gox_go_spawn(worker, [2])
        for step in range(4):
            log.append(f"m.{step}")
            rt.gox_yield()

    assert run(main)[0] == 0
    # Round robin: queue [1, 2, m] after main's first yield, and every yield rejoins the back.
    assert log == ["m.0", "1.0", "2.0", "m.1", "1.1", "2.1", "m.2", "1.2", "2.2", "m.3"]


def test_a_woken_goroutine_goes_to_the_back_and_the_waker_keeps_running() -> None:
    log: list[str] = []

    def receiver(rt: RefRuntime, ch: int) -> None:
        log.append("r waits")
        log.append(f"r got {rt.gox_chan_recv(ch)}")

    def other(rt: RefRuntime) -> None:
        log.append("x1")
        rt.gox_yield()
        log.append("x2")

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(receiver, [ch])
        rt.gox_go_spawn(other, [])
        rt.gox_yield()  # queue: receiver, other, main -> receiver parks, other yields behind main
        rt.gox_chan_send(ch, 7)  # the receiver joins the back, behind other
        log.append("m sent")
        rt.gox_yield()
        log.append("m end")

    assert run(main)[0] == 0
    assert log == ["r waits", "x1", "m sent", "x2", "r got 7", "m end"]


def test_a_sender_woken_by_a_receive_goes_to_the_back() -> None:
    log: list[str] = []

    def sender(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_send(ch, 1)
        log.append("s resumed")

    def other(rt: RefRuntime) -> None:
        log.append("o")

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(sender, [ch])
        rt.gox_yield()  # the sender parks
        rt.gox_go_spawn(other, [])
        log.append(f"m got {rt.gox_chan_recv(ch)}")  # sender goes behind `other`
        rt.gox_yield()
        log.append("m end")

    assert run(main)[0] == 0
    assert log == ["m got 1", "o", "s resumed", "m end"]


def test_blocking_runs_the_front_of_the_queue() -> None:
    log: list[str] = []

    def worker(rt: RefRuntime, n: int, ch: int) -> None:
        log.append(f"w{n}")
        rt.gox_chan_send(ch, n)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 10)
        for n in range(3):
            rt.gox_go_spawn(worker, [n, ch])
        done = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_close(done), [])
        rt.gox_chan_recv(done)  # main blocks: the queue runs in order
        log.append("main")
        log.extend(str(rt.gox_chan_recv(ch)) for _ in range(3))

    assert run(main)[0] == 0
    assert log == ["w0", "w1", "w2", "main", "0", "1", "2"]


def test_goroutine_arguments_are_copied_as_u64_and_results_discarded() -> None:
    seen: list[tuple[int, ...]] = []

    def worker(rt: RefRuntime, *args: int) -> int:
        seen.append(args)
        return 99

    def main(rt: RefRuntime) -> None:
        args = [-1, 5, 1 << 63]
        rt.gox_go_spawn(worker, args)
        args[1] = 6  # the goroutine got a copy
        rt.gox_yield()

    assert run(main)[0] == 0
    assert seen == [((1 << 64) - 1, 5, 1 << 63)]


def test_yield_alone_and_outside_a_program_just_continues() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_yield()
        rt.gox_debug_print(1, K.INT)

    assert run(main) == (0, b"1\n", b"")
    RefRuntime().gox_yield()  # the host has nobody to yield to


# -- hand-offs: one greenlet switch, the same events --------------------------------------------
def _ping_pong_twice(names: dict[Any, str]) -> Callable[[RefRuntime], None]:
    """main sends 0 and 1 to a ponger that answers each with the value + 1; then main yields
    twice (first to the ponger, which ends; then alone)."""

    def ponger(rt: RefRuntime, ping: int, pong: int) -> None:
        names[greenlet.getcurrent()] = "g2"
        for _ in range(2):
            rt.gox_chan_send(pong, rt.gox_chan_recv(ping) + 1)

    def main(rt: RefRuntime) -> None:
        names[greenlet.getcurrent()] = "g1"
        ping, pong = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(ponger, [ping, pong])
        for i in range(2):
            rt.gox_chan_send(ping, i)
            assert rt.gox_chan_recv(pong) == i + 1
        rt.gox_yield()
        rt.gox_yield()

    return main


def test_a_goroutine_that_blocks_or_yields_switches_straight_to_the_next() -> None:
    """The front of the run queue runs without a detour through the hub (run_main's greenlet)
    if it has run before: the hub takes over only to start a goroutine, when one ends, or when
    nothing is runnable."""
    names: dict[Any, str] = {greenlet.getcurrent(): "hub"}
    seen: list[tuple[Any, Any]] = []

    def tracer(event: str, args: Any) -> None:
        if event == "switch" and args[0] is not args[1]:  # a lone yield may switch to itself
            seen.append(args)

    old = greenlet.settrace(tracer)
    try:
        assert RefRuntime().run_main(_ping_pong_twice(names), [], seed=1) == 0
    finally:
        greenlet.settrace(old)
    switches = [(names.get(origin, "?"), names.get(target, "?")) for origin, target in seen]
    assert switches == [
        ("hub", "g1"),
        ("g1", "hub"),  # main parks on its first send: the hub starts the ponger
        ("hub", "g2"),
        ("g2", "g1"),  # the ponger parks sending the answer: main has run before
        ("g1", "g2"),
        ("g2", "g1"),
        ("g1", "g2"),  # main yields
        ("g2", "hub"),  # the ponger ends: its greenlet returns to the hub
        ("hub", "g1"),
        ("g1", "hub"),  # main yielded alone (no switch), then ended
    ]


def test_thousands_of_goroutines_park_and_wake() -> None:
    """Every goroutine starts on the hub's stack: had each started on top of the one that
    blocked before it, their Python (and C) stacks would nest, thousands deep."""
    n = 3000
    woken: list[int] = []

    def waiter(rt: RefRuntime, ch: int, i: int) -> None:
        rt.gox_chan_recv(ch)
        woken.append(i)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        for i in range(n):
            rt.gox_go_spawn(waiter, [ch, i])
        rt.gox_yield()  # every waiter runs and parks; then main runs again
        rt.gox_chan_close(ch)  # wakes them in queue order
        rt.gox_yield()

    assert run(main)[0] == 0
    assert woken == list(range(n))


def test_the_events_of_direct_hand_offs() -> None:
    """The same events, in the same order, as when every hand-off went through the hub."""
    rt = RefRuntime()
    log = rt.start_trace()
    assert rt.run_main(_ping_pong_twice({}), [], seed=1) == 0
    assert log.canonical() == [
        "1 g0 spawn child=1",
        "2 g1 run",
        "3 g1 spawn child=2",
        "4 g1 park reason='chan send'",
        "5 g2 run",
        "6 g2 recv chan=1 sender=1 value=0",
        "7 g2 wake target=1",
        "8 g2 park reason='chan send'",
        "9 g1 run",
        "10 g1 recv chan=2 sender=2 value=1",
        "11 g1 wake target=2",
        "12 g1 park reason='chan send'",
        "13 g2 run",
        "14 g2 recv chan=1 sender=1 value=1",
        "15 g2 wake target=1",
        "16 g2 park reason='chan send'",
        "17 g1 run",
        "18 g1 recv chan=2 sender=2 value=2",
        "19 g1 wake target=2",
        "20 g1 yield",
        "21 g2 run",
        "22 g2 exit",
        "23 g1 run",
        "24 g1 yield",
        "25 g1 run",
        "26 g1 exit",
    ]


# -- the end of the program ---------------------------------------------------------------------
def test_main_returning_abandons_the_others_without_running_their_defers() -> None:
    calls: list[str] = []

    def deferred(rt: RefRuntime) -> None:
        calls.append("deferred")
        rt.gox_debug_print(111, K.INT)

    def blocked(rt: RefRuntime, ch: int) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(deferred, [])
            rt.gox_chan_recv(ch)
            calls.append("after recv")

    def never_started(rt: RefRuntime) -> None:
        calls.append("never")

    def yielder(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(deferred, [])
            while True:
                rt.gox_yield()

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(blocked, [ch])
        rt.gox_go_spawn(yielder, [])
        rt.gox_yield()
        rt.gox_go_spawn(never_started, [])
        rt.gox_debug_print(1, K.INT)

    rt = RefRuntime()
    assert run(main, rt=rt) == (0, b"1\n", b"")
    assert calls == []
    assert rt.goroutines == {} and not rt.runq and rt.current is None


def test_a_runtime_runs_programs_one_after_another() -> None:
    rt = RefRuntime()

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_send(ch, 5), [])
        rt.gox_debug_print(rt.gox_chan_recv(ch), K.INT)

    assert run(main, rt=rt) == (0, b"5\n", b"")
    assert run(main, rt=rt) == (0, b"5\n", b"")


def test_run_main_inside_a_program_is_an_abi_error() -> None:
    def main(rt: RefRuntime) -> None:
        rt.run_main(lambda rt: None, [])

    rt = RefRuntime()
    with pytest.raises(GoxABIError, match="already running"):
        run(main, rt=rt)
    assert rt.hub is None and rt.goroutines == {}  # the runtime can run again
    assert run(lambda rt: None, rt=rt) == (0, b"", b"")


# -- determinism --------------------------------------------------------------------------------
def busy_program(rt: RefRuntime) -> None:
    """Goroutines, buffered and unbuffered channels and selects among ready cases."""
    a, b, done = rt.gox_chan_new(K.INT, 3), rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)

    def producer(rt: RefRuntime, ch: int, base: int) -> None:
        for i in range(20):
            rt.gox_chan_send(ch, base + i)
            if i % 3 == 0:
                rt.gox_yield()
        rt.gox_chan_send(done, 0)

    rt.gox_go_spawn(producer, [a, 100])
    rt.gox_go_spawn(producer, [b, 200])
    finished = 0
    while finished < 2:
        rt.gox_select_start(3, False)
        rt.gox_select_add_recv(a)
        rt.gox_select_add_recv(b)
        rt.gox_select_add_recv(done)
        i = rt.gox_select_exec()
        v, _ = rt.gox_select_recv_result()
        if i == 2:
            finished += 1
        rt.gox_debug_write(i, K.INT)
        rt.gox_debug_print(v, K.INT)
    while rt.gox_chan_len(a):
        rt.gox_debug_print(rt.gox_chan_recv(a), K.INT)


def test_same_seed_same_bytes() -> None:
    for seed in (0, 1, 12345):
        first = run(busy_program, seed=seed)
        second = run(busy_program, seed=seed)
        assert first == second
        assert first[0] == 0
    rt = RefRuntime()  # the same runtime, twice
    assert run(busy_program, seed=9, rt=rt) == run(busy_program, seed=9, rt=rt) == run(busy_program, seed=9)


def test_the_seed_changes_the_choices() -> None:
    outputs = {run(busy_program, seed=seed)[1] for seed in range(8)}
    assert len(outputs) > 1


def test_every_value_arrives_whatever_the_seed() -> None:
    for seed in range(5):
        out = run(busy_program, seed=seed)[1].decode().split()
        values = sorted(int(w[1:]) if len(w) > 3 else int(w) for w in out)
        assert [v for v in values if v >= 100] == [*range(100, 120), *range(200, 220)]


# -- deadlock -----------------------------------------------------------------------------------
def deadlock_text(*goroutines: tuple[int, str, Callable[..., Any]]) -> bytes:
    text = "fatal error: all goroutines are asleep - deadlock!\n\n"
    for gid, reason, fn in goroutines:
        text += f"goroutine {gid} [{reason}]:\n{fn.__qualname__}(...)\n\n"
    return text.encode()


def recv_empty(rt: RefRuntime) -> None:
    rt.gox_chan_recv(rt.gox_chan_new(K.INT, 0))


def recv_ok_empty_buffered(rt: RefRuntime) -> None:
    rt.gox_chan_recv_ok(rt.gox_chan_new(K.INT, 2))


def send_unbuffered(rt: RefRuntime) -> None:
    rt.gox_chan_send(rt.gox_chan_new(K.INT, 0), 1)


def send_full(rt: RefRuntime) -> None:
    ch = rt.gox_chan_new(K.INT, 1)
    rt.gox_chan_send(ch, 1)
    rt.gox_chan_send(ch, 2)


def recv_nil(rt: RefRuntime) -> None:
    rt.gox_chan_recv(0)


def send_nil(rt: RefRuntime) -> None:
    rt.gox_chan_send(0, 1)


def select_blocked(rt: RefRuntime) -> None:
    a, b = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)
    rt.gox_select_start(2, False)
    rt.gox_select_add_recv(a)
    rt.gox_select_add_send(b, 1)
    rt.gox_select_exec()


def select_only_nil(rt: RefRuntime) -> None:
    rt.gox_select_start(2, False)
    rt.gox_select_add_recv(0)
    rt.gox_select_add_send(0, 1)
    rt.gox_select_exec()


def select_empty(rt: RefRuntime) -> None:
    rt.gox_select_start(0, False)
    rt.gox_select_exec()


@pytest.mark.parametrize(
    ("main", "reason"),
    [
        (recv_empty, "chan receive"),
        (recv_ok_empty_buffered, "chan receive"),
        (send_unbuffered, "chan send"),
        (send_full, "chan send"),
        (recv_nil, "chan receive (nil chan)"),
        (send_nil, "chan send (nil chan)"),
        (select_blocked, "select"),
        (select_only_nil, "select"),
        (select_empty, "select (no cases)"),
    ],
)
def test_deadlock_report_for_each_wait_reason(main: Main, reason: str) -> None:
    assert run(main) == (2, b"", deadlock_text((1, reason, main)))


def test_deadlock_lists_every_live_goroutine_in_id_order() -> None:
    def finishes(rt: RefRuntime) -> None:
        rt.gox_debug_print(3, K.INT)

    def waits_nil(rt: RefRuntime) -> None:
        rt.gox_chan_send(0, 1)

    def waits_chan(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_recv(ch)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(waits_nil, [])
        rt.gox_go_spawn(finishes, [])
        rt.gox_go_spawn(waits_chan, [ch])
        rt.gox_go_spawn(select_empty, [])
        rt.gox_debug_print(1, K.INT)
        rt.gox_chan_send(rt.gox_chan_new(K.STRING, 0), 0)

    status, out, err = run(main)
    assert status == 2
    assert out == b"1\n3\n"  # output written before the deadlock stays
    assert err == deadlock_text(
        (1, "chan send", main),
        (2, "chan send (nil chan)", waits_nil),
        (4, "chan receive", waits_chan),
        (5, "select (no cases)", select_empty),
    )


def test_a_goroutine_waiting_forever_does_not_deadlock_a_finishing_main() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(recv_nil, [])
        rt.gox_yield()

    assert run(main) == (0, b"", b"")


def test_deadlock_after_others_finish() -> None:
    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_send(ch, 1), [])
        rt.gox_chan_recv(ch)
        rt.gox_chan_recv(ch)  # the sender has gone

    assert run(main) == (2, b"", deadlock_text((1, "chan receive", main)))


# -- go of a nil func ---------------------------------------------------------------------------
@pytest.mark.parametrize("nil", [None, 0])
def test_go_of_nil_func_is_fatal_and_not_recoverable(nil: Any) -> None:
    """Go's newproc1: ``fatal("go of nil func value")``; runtime/crash_test.go TestGoNil runs
    it under a deferred recover(), which must not stop it."""
    recovered: list[tuple[int, int]] = []

    def rec(rt: RefRuntime) -> None:
        with rt.defer_frame():
            recovered.append(rt.gox_recover())

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(rec, [])
            rt.gox_go_spawn(nil, [])
            rt.gox_debug_print(1, K.INT)

    status, out, err = run(main)
    assert (status, out) == (2, b"")
    assert err.startswith(b"fatal error: go of nil func value\n")
    assert recovered == []  # a fatal error runs no deferred calls


def test_go_of_nil_func_outside_a_program() -> None:
    with pytest.raises(GoxFatal, match=r"^go of nil func value$"):
        RefRuntime().gox_go_spawn(None, [])


def test_go_of_a_non_function_is_an_abi_error() -> None:
    with pytest.raises(GoxABIError, match="gox_go_spawn"):
        RefRuntime().gox_go_spawn("f", [])


# -- blocking outside run_main ------------------------------------------------------------------
def _host_select(rt: RefRuntime, ch: int) -> None:
    rt.gox_select_start(1, False)
    rt.gox_select_add_recv(ch)
    rt.gox_select_exec()


@pytest.mark.parametrize(
    "op",
    [
        lambda rt, ch: rt.gox_chan_recv(ch),
        lambda rt, ch: rt.gox_chan_recv_ok(ch),
        lambda rt, ch: rt.gox_chan_send(ch, 1),
        lambda rt, ch: rt.gox_chan_recv(0),
        lambda rt, ch: rt.gox_chan_send(0, 1),
        _host_select,
        lambda rt, ch: select_empty(rt),
        lambda rt, ch: select_only_nil(rt),
    ],
)
def test_blocking_outside_run_main_is_fatal_and_leaves_no_waiter(op: Callable[[RefRuntime, int], Any]) -> None:
    from gox_ref.chan import chan_state

    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 0)
    with pytest.raises(GoxFatal, match="all goroutines are asleep - deadlock!"):
        op(rt, ch)
    st = chan_state(rt.heap.get(ch, "test"))
    assert not st.recvq and not st.sendq and not st.buf
    assert rt.host_goroutine.select is None
    # the runtime still works at host level, and can run a program
    rt.gox_select_start(1, True)
    rt.gox_select_add_recv(ch)
    assert rt.gox_select_exec() == -1
    assert run(lambda rt: rt.gox_debug_print(2, K.INT), rt=rt) == (0, b"2\n", b"")


def test_non_blocking_operations_work_outside_run_main() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 2)
    rt.gox_chan_send(ch, 1)
    rt.gox_chan_send(ch, 2)
    assert rt.gox_chan_recv(ch) == 1
    rt.gox_chan_close(ch)
    assert rt.gox_chan_recv_ok(ch) == (2, True)
    assert rt.gox_chan_recv_ok(ch) == (0, False)
