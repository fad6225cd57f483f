"""Time on the reference runtime: the virtual clock, sleeps, timers and tickers
(gox_ref/timer.py, docs/SCHEDULER.md section 10), rule by rule: the order of equal deadlines,
the ticker's re-arm, Stop and Reset, the clock jump, the deadlock rule, the collector's view of
timers, bad arguments.  tests/test_native_time.py holds the native runtime to it.
"""

from __future__ import annotations

import pytest

from gox_abi.errors import GoxABIError, GoxPanic
from gox_ref import RefRuntime, ValueKind
from gox_ref.rng import Rng

MS = 1_000_000
HOUR = 3600 * 10**9


def run(main: object, seed: int = 0) -> tuple[RefRuntime, list[str], int]:
    """Run ``main`` on a new reference runtime; its trace lines and exit status."""
    rt = RefRuntime()
    log = rt.start_trace()
    status = rt.run_main(main, (), seed)
    return rt, log.canonical(), status


# -- the clock --------------------------------------------------------------------------------------
def test_an_hour_of_sleep_moves_the_virtual_clock_by_an_hour() -> None:
    seen: list[int] = []

    def main(rt: RefRuntime) -> None:
        seen.append(rt.gox_time_now())
        rt.gox_time_sleep(HOUR)
        seen.append(rt.gox_time_now())

    rt, trace, status = run(main)
    assert status == 0 and seen == [0, HOUR]  # the virtual duration, exactly: no wall time involved
    assert f"clock now={HOUR}" in "\n".join(trace)
    assert rt.gox_time_now() == 0  # outside a program the clock reads 0 (the program's end resets it)


def test_the_clock_does_not_move_while_a_goroutine_is_runnable() -> None:
    seen: list[int] = []

    def busy(rt: RefRuntime) -> None:
        for _ in range(3):
            seen.append(rt.gox_time_now())
            rt.gox_yield()

    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(busy, [])
        rt.gox_time_sleep(5 * MS)
        seen.append(rt.gox_time_now())

    run(main)
    assert seen == [0, 0, 0, 5 * MS]


def test_sleep_of_zero_or_less_is_a_yield() -> None:
    order: list[str] = []

    def other(rt: RefRuntime) -> None:
        order.append("other")

    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(other, [])
        rt.gox_time_sleep(-5)
        order.append("main")

    _, trace, _ = run(main)
    assert order == ["other", "main"]
    assert not any("timer_set" in line for line in trace) and any(" yield" in line for line in trace)


@pytest.mark.parametrize("seed", [0, 1, 2, 7, 12345])
def test_equal_deadlines_wake_in_the_seeded_fisher_yates_order(seed: int) -> None:
    """Five sleepers with one deadline wake in the order an inside-out Fisher-Yates over them (in
    seq order: spawn order here) draws from the run's generator; a lone timer draws nothing."""
    woke: list[int] = []

    def sleeper(rt: RefRuntime, i: int) -> None:
        rt.gox_time_sleep(10 * MS)
        woke.append(i)

    def main(rt: RefRuntime) -> None:
        for i in range(5):
            rt.gox_go_spawn(sleeper, [i])
        rt.gox_time_sleep(20 * MS)  # a later deadline: alone in its jump

    rt, _, _ = run(main, seed)
    rng, order = Rng(seed), list[int]()
    for k in range(5):
        j = rng.below(k + 1) if order else 0
        order.append(k)
        order[-1], order[j] = order[j], k
    assert woke == order
    assert rt.sched.rng.draws == 4  # four draws for the group of five, none for main's lone deadline


def test_different_seeds_give_different_orders_of_equal_deadlines() -> None:
    orders = set()
    for seed in range(8):
        woke: list[int] = []

        def sleeper(rt: RefRuntime, i: int, woke: list[int] = woke) -> None:
            rt.gox_time_sleep(MS)
            woke.append(i)

        def main(rt: RefRuntime) -> None:
            for i in range(4):
                rt.gox_go_spawn(sleeper, [i])
            rt.gox_time_sleep(2 * MS)

        run(main, seed)
        orders.add(tuple(woke))
    assert len(orders) > 1


def test_a_deadline_past_int64_is_the_largest_time() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_time_sleep(1)
        t = rt.gox_timer_new(2**63 - 1)  # now + ns overflows: Go's maxWhen
        rt.gox_timer_stop(t)

    _, trace, _ = run(main)
    assert any(line.endswith(f"timer_set timer=2 when={2**63 - 1}") for line in trace), trace


# -- timers, Stop and Reset ---------------------------------------------------------------------------
def test_stop_and_reset_return_whether_the_timer_was_pending() -> None:
    got: list[object] = []

    def main(rt: RefRuntime) -> None:
        t = rt.gox_timer_new(10 * MS)
        c = rt.gox_timer_chan(t)
        got.extend([rt.gox_timer_stop(t), rt.gox_timer_stop(t), rt.gox_timer_reset(t, 10 * MS)])
        rt.gox_time_sleep(15 * MS)
        got.extend([rt.gox_chan_len(c), rt.gox_timer_stop(t), rt.gox_timer_reset(t, MS), rt.gox_timer_reset(t, MS)])
        rt.gox_time_sleep(5 * MS)
        got.extend([rt.gox_chan_len(c), rt.gox_chan_recv(c)])  # the second firing dropped: the first value stays

    run(main)
    assert got == [True, False, False, 1, False, False, True, 1, 10 * MS]


def test_a_ticker_rearms_on_its_period_and_drops_ticks_for_a_slow_receiver() -> None:
    got: list[int] = []

    def main(rt: RefRuntime) -> None:
        tk = rt.gox_ticker_new(10 * MS)
        c = rt.gox_timer_chan(tk)
        rt.gox_time_sleep(35 * MS)
        got.extend([rt.gox_chan_len(c), rt.gox_chan_recv(c), rt.gox_chan_recv(c), rt.gox_time_now()])
        rt.gox_ticker_stop(tk)

    _, trace, _ = run(main)
    assert got == [1, 10 * MS, 40 * MS, 40 * MS]
    whens = [int(line.rsplit("when=", 1)[1]) for line in trace if " timer_set period=" in line]
    assert whens == [w * MS for w in (10, 20, 30, 40, 50)]


def test_a_ticker_fired_late_skips_the_periods_it_missed() -> None:
    """Go 1.19's runOneTimer: when + period * (1 + (now - when) / period).  The clock only ever
    jumps to a deadline, so a virtual ticker is never late: the rule is checked on its state."""
    rt = RefRuntime()
    tk = rt.gox_ticker_new(10)
    st = rt.timers.pending[0]
    rt.timers.unset(st)
    st.when, rt.timers.now = 10, 37  # fired at 37, due since 10
    rt.timers.fire(st)
    assert st.pending and st.when == 40
    rt.gox_ticker_stop(tk)


def test_ticker_of_a_non_positive_interval_panics_with_gos_text() -> None:
    rt = RefRuntime()
    for ns in (0, -1):
        with pytest.raises(GoxPanic, match=r"^non-positive interval for NewTicker$"):
            rt.gox_ticker_new(ns)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda rt, t, k: rt.gox_timer_stop(k), "gox_timer_stop: 0x[0-9a-f]+ is not a timer \\(gox_timer_new\\)"),
        (lambda rt, t, k: rt.gox_ticker_stop(t), "gox_ticker_stop: 0x[0-9a-f]+ is not a ticker \\(gox_ticker_new\\)"),
        (lambda rt, t, k: rt.gox_timer_chan(rt.gox_timer_chan(t)), "gox_timer_chan: 0x[0-9a-f]+ is not a timer or a ticker"),
        (lambda rt, t, k: rt.gox_timer_reset(12345, 1), "gox_timer_reset: 0x3039 is not a reference"),
    ],
)
def test_a_wrong_reference_is_an_abi_error_naming_what_was_expected(call: object, message: str) -> None:
    rt = RefRuntime()
    t, k = rt.gox_timer_new(HOUR), rt.gox_ticker_new(HOUR)
    with pytest.raises(GoxABIError, match=message):
        call(rt, t, k)  # type: ignore[operator]


def test_a_nil_timer_is_a_nil_dereference() -> None:
    rt = RefRuntime()
    with pytest.raises(GoxPanic, match="nil pointer dereference"):
        rt.gox_timer_stop(0)


def test_a_raw_write_cannot_replace_a_timers_channel() -> None:
    rt = RefRuntime()
    t = rt.gox_timer_new(HOUR)
    with pytest.raises(GoxABIError):
        rt.gox_gc_write_slot(t, 0, rt.gox_chan_new(ValueKind.INT64, 1))


# -- deadlock ------------------------------------------------------------------------------------------
def test_a_pending_timer_is_no_deadlock_and_none_left_is(capfd: pytest.CaptureFixture[str]) -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_time_after(20 * MS)
        rt.gox_chan_recv(rt.gox_chan_new(ValueKind.INT, 0))

    _, trace, status = run(main)
    assert status == 2
    assert "all goroutines are asleep - deadlock!" in capfd.readouterr().err
    assert [line.split(" ", 2)[2] for line in trace[-4:]] == [
        f"clock now={20 * MS}", f"timer_fire timer=2 when={20 * MS}", f"send chan=1 value={20 * MS}",
        "fatal message='all goroutines are asleep - deadlock!'"]


def test_a_ticker_nobody_can_receive_from_is_a_deadlock_not_a_hang(capfd: pytest.CaptureFixture[str]) -> None:
    """Go hangs (its ticker fires for ever into a full channel); the runtime sees that no firing can
    ever deliver and reports the deadlock (docs/decisions.md, "Time")."""
    def main(rt: RefRuntime) -> None:
        rt.gox_ticker_new(MS)
        rt.gox_chan_recv(rt.gox_chan_new(ValueKind.INT, 0))

    _, trace, status = run(main)
    assert status == 2 and "deadlock" in capfd.readouterr().err
    assert sum(" timer_fire " in line for line in trace) == 1  # the first tick fills the channel; then the report


# -- the collector -------------------------------------------------------------------------------------
def test_a_pending_timer_is_a_root_and_a_stopped_one_is_collected() -> None:
    rt = RefRuntime()
    pending, stopped = rt.gox_timer_new(HOUR), rt.gox_timer_new(HOUR)
    pending_chan, stopped_chan = rt.gox_timer_chan(pending), rt.gox_timer_chan(stopped)
    assert rt.gox_timer_stop(stopped)
    rt.gox_collect_garbage()
    assert rt.is_live(pending) and rt.is_live(pending_chan)  # Go 1.19: in the P's heap, never collected
    assert not rt.is_live(stopped) and not rt.is_live(stopped_chan)
    assert [w for w, _ in rt.heap_snapshot().roots] == ["pending timer #2"]
    rt.gox_timer_stop(pending)
    rt.gox_collect_garbage()
    assert rt.heap_objects() == []


def test_init_gc_drops_the_pending_timers_with_their_objects() -> None:
    rt = RefRuntime()
    rt.gox_timer_new(HOUR)
    rt.gox_init_gc()
    assert len(rt.timers.pending) == 0
    rt.gox_collect_garbage()  # no root names a dropped object
