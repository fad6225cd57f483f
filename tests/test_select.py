"""Select (gox_ref/select.py): default, nil cases, ``select {}``, the select6 regression (a
losing case leaves no waiter), send on a closed channel, at most one case completing, the
received value and ok, the uniform choice among ready cases, and replay from the seed."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest
from conftest import PYTHON_GOROUTINES, run

from gox_ref import GoxABIError, GoxPanic, RefRuntime, ValueKind
from gox_ref.chan import chan_state
from gox_ref.rng import Rng

pytestmark = PYTHON_GOROUTINES

K = ValueKind


def select(rt: RefRuntime, cases: Sequence[tuple[str, int, int]], default: bool = False) -> int:
    """cases: ("recv", ch, 0) or ("send", ch, value)."""
    rt.gox_select_start(len(cases), default)
    for d, ch, v in cases:
        if d == "send":
            rt.gox_select_add_send(ch, v)
        else:
            rt.gox_select_add_recv(ch)
    return int(rt.gox_select_exec())


def queues(rt: RefRuntime, ch: int) -> tuple[int, int]:
    st = chan_state(rt.heap.get(ch, "test"))
    return len(st.recvq), len(st.sendq)


# -- default and nil cases ----------------------------------------------------------------------
def test_default_runs_when_nothing_is_ready() -> None:
    rt = RefRuntime()
    a, b = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 1)
    rt.gox_chan_send(b, 9)  # b is full: a send is not ready
    assert select(rt, [("recv", a, 0), ("send", b, 1), ("send", a, 1)], default=True) == -1
    assert queues(rt, a) == (0, 0) and queues(rt, b) == (0, 0)  # default parks nothing
    assert select(rt, [], default=True) == -1


def test_a_ready_case_beats_default() -> None:
    rt = RefRuntime()
    a = rt.gox_chan_new(K.INT, 1)
    assert select(rt, [("send", a, 5)], default=True) == 0
    assert select(rt, [("send", a, 6)], default=True) == -1
    assert select(rt, [("recv", a, 0)], default=True) == 0
    assert rt.gox_select_recv_result() == (5, True)


def test_nil_cases_are_never_ready() -> None:
    for seed in range(30):

        def main(rt: RefRuntime) -> None:
            ready = rt.gox_chan_new(K.INT, 1)
            rt.gox_chan_send(ready, 1)
            assert select(rt, [("recv", 0, 0), ("send", 0, 1)], default=True) == -1
            i = select(rt, [("recv", 0, 0), ("send", 0, 3), ("recv", ready, 0), ("send", 0, 4)])
            assert i == 2
            assert rt.gox_select_recv_result() == (1, True)

        assert run(main, seed=seed) == (0, b"", b"")


def test_select_with_only_nil_channels_blocks_forever() -> None:
    def main(rt: RefRuntime) -> None:
        select(rt, [("recv", 0, 0), ("send", 0, 1)])

    assert run(main) == (
        2,
        b"",
        f"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [select]:\n{main.__qualname__}(...)\n\n".encode(),
    )


def test_empty_select_blocks_forever() -> None:
    def forever(rt: RefRuntime) -> None:
        select(rt, [])

    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(forever, [])
        rt.gox_yield()
        rt.gox_debug_print(1, K.INT)  # a blocked goroutine does not stop main from ending
        forever(rt)

    expected = (
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        f"goroutine 1 [select (no cases)]:\n{main.__qualname__}(...)\n\n"
        f"goroutine 2 [select (no cases)]:\n{forever.__qualname__}(...)\n\n"
    )
    assert run(main) == (2, b"1\n", expected.encode())


def test_a_self_select_on_an_unbuffered_channel_blocks() -> None:
    """test/chan/select3.go: ``select { case c <- 1: case <-c: }`` cannot match itself."""

    def main(rt: RefRuntime) -> None:
        c = rt.gox_chan_new(K.INT, 0)
        select(rt, [("send", c, 1), ("recv", c, 0)])

    status, _, err = run(main)
    assert status == 2 and b"goroutine 1 [select]:" in err


def test_a_self_select_completes_one_case_for_another_goroutine() -> None:
    def selector(rt: RefRuntime, c: int, res: int) -> None:
        i = select(rt, [("send", c, 1), ("recv", c, 0)])
        rt.gox_chan_send(res, i)

    def main(rt: RefRuntime) -> None:
        c, res = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(selector, [c, res])
        rt.gox_yield()
        assert queues(rt, c) == (1, 1)  # parked in both directions
        rt.gox_debug_print(rt.gox_chan_recv(c), K.INT)
        assert queues(rt, c) == (0, 0)  # the other direction left the queue
        rt.gox_debug_print(rt.gox_chan_recv(res), K.INT)

    assert run(main) == (0, b"1\n0\n", b"")


# -- the select6 regression ---------------------------------------------------------------------
def test_select6_a_losing_case_leaves_no_waiter() -> None:
    """Go's test/chan/select6.go (issue 2075), ported: the select wins on c2, so its waiter on
    c1 must be gone, or the second ``c1 <- true`` would go to a select that is over."""
    log: list[str] = []

    def g_recv(rt: RefRuntime, c1: int) -> None:
        rt.gox_chan_recv(c1)
        log.append("g2 got c1")

    def g_select(rt: RefRuntime, c1: int, c2: int, c3: int) -> None:
        i = select(rt, [("recv", c1, 0), ("recv", c2, 0)])
        if i == 0:
            rt.gox_panic(rt.gox_interface_pack(0, 0, K.STRING), rt.gox_rt_string_from_ptr(b"dummy"))
        assert queues(rt, c1) == (1, 0), "the losing c1 case is still queued"
        rt.gox_chan_send(c3, 1)
        rt.gox_chan_recv(c1)
        log.append("g3 got c1")

    def g_send(rt: RefRuntime, c2: int) -> None:
        rt.gox_chan_send(c2, 1)

    def main(rt: RefRuntime) -> None:
        c1, c2, c3 = (rt.gox_chan_new(K.BOOL, 0) for _ in range(3))
        rt.gox_go_spawn(g_recv, [c1])
        rt.gox_go_spawn(g_select, [c1, c2, c3])
        rt.gox_go_spawn(g_send, [c2])
        rt.gox_chan_recv(c3)
        rt.gox_chan_send(c1, 1)
        rt.gox_chan_send(c1, 1)
        rt.gox_yield()

    for seed in range(10):
        log.clear()
        assert run(main, seed=seed) == (0, b"", b"")
        assert log == ["g2 got c1", "g3 got c1"]


# -- send on a closed channel -------------------------------------------------------------------
@pytest.mark.parametrize("default", [False, True])
def test_send_case_on_a_closed_channel_panics(default: bool) -> None:
    rt = RefRuntime()
    c, never = rt.gox_chan_new(K.INT, 1), rt.gox_chan_new(K.INT, 0)
    rt.gox_chan_close(c)
    for _ in range(10):  # whatever the poll order: the other case is never ready
        with pytest.raises(GoxPanic, match=r"^send on closed channel$"):
            select(rt, [("recv", never, 0), ("send", c, 1)], default=default)
        assert rt.host_goroutine.select is None
    assert queues(rt, never) == (0, 0)


def test_send_on_closed_or_a_ready_receive_depends_on_the_poll_order() -> None:
    """Both cases are ready (closed counts as ready); the poll order picks one, per seed."""
    outcomes: dict[int, str] = {}
    for seed in range(40):

        def main(rt: RefRuntime, seed: int = seed) -> None:
            c, r = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 1)
            rt.gox_chan_close(c)
            rt.gox_chan_send(r, 3)
            try:
                outcomes[seed] = f"case {select(rt, [('send', c, 1), ('recv', r, 0)])}"
            except GoxPanic as e:
                outcomes[seed] = str(e)

        assert run(main, seed=seed)[0] == 0
    assert set(outcomes.values()) == {"case 1", "send on closed channel"}


def test_a_select_parked_on_a_send_panics_when_the_channel_closes() -> None:
    def selector(rt: RefRuntime, c: int, other: int) -> None:
        select(rt, [("recv", other, 0), ("send", c, 1)])

    def main(rt: RefRuntime) -> None:
        c, other = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(selector, [c, other])
        rt.gox_yield()
        rt.gox_chan_close(c)
        assert queues(rt, other) == (0, 0)
        rt.gox_yield()

    expected = f"panic: send on closed channel\n\ngoroutine 2 [running]:\n{selector.__qualname__}(...)\n"
    assert run(main) == (2, b"", expected.encode())


# -- at most one case completes -----------------------------------------------------------------
def test_a_send_select_delivers_exactly_one_value_to_waiting_receivers() -> None:
    for seed in range(20):
        one_send_select(seed)


def one_send_select(seed: int) -> None:
    got: list[tuple[int, int]] = []

    def receiver(rt: RefRuntime, ch: int, n: int) -> None:
        got.append((n, rt.gox_chan_recv(ch)))

    def main(rt: RefRuntime) -> None:
        chans = [rt.gox_chan_new(K.INT, 0) for _ in range(4)]
        for n, ch in enumerate(chans):
            rt.gox_go_spawn(receiver, [ch, n])
        rt.gox_yield()  # every receiver parks
        i = select(rt, [("send", ch, 100 + n) for n, ch in enumerate(chans)])
        rt.gox_yield()
        assert got == [(i, 100 + i)]
        assert [queues(rt, ch) for ch in chans] == [(0, 0) if n == i else (1, 0) for n in range(4)]

    assert run(main, seed=seed)[0] == 0


def test_a_parked_send_select_completes_once_for_late_receivers() -> None:
    got: list[tuple[int, int]] = []

    def selector(rt: RefRuntime, *chans: int) -> None:
        i = select(rt, [("send", ch, 100 + n) for n, ch in enumerate(chans)])
        rt.gox_debug_print(i, K.INT)

    def receiver(rt: RefRuntime, ch: int, n: int) -> None:
        got.append((n, rt.gox_chan_recv(ch)))

    def main(rt: RefRuntime) -> None:
        chans = [rt.gox_chan_new(K.INT, 0) for _ in range(3)]
        rt.gox_go_spawn(selector, chans)
        rt.gox_yield()  # the select parks on all three
        assert [queues(rt, ch) for ch in chans] == [(0, 1)] * 3
        for n in (2, 0, 1):
            rt.gox_go_spawn(receiver, [chans[n], n])
        rt.gox_yield()
        assert got == [(2, 102)]
        assert [queues(rt, ch) for ch in chans] == [(1, 0), (1, 0), (0, 0)]
        rt.gox_yield()  # the woken selector runs

    status, out, _ = run(main)
    assert status == 0 and out == b"2\n"


def test_doubleselect_no_value_is_delivered_twice() -> None:
    """A small test/chan/doubleselect.go: a sender muxes 0..n-1 through a four-case send
    select into four forwarders; the receiver sees every value exactly once."""
    n = 300

    def sender(rt: RefRuntime, c1: int, c2: int, c3: int, c4: int) -> None:
        for i in range(n):
            select(rt, [("send", c1, i), ("send", c2, i), ("send", c3, i), ("send", c4, i)])
        for c in (c1, c2, c3, c4):
            rt.gox_chan_close(c)

    def mux(rt: RefRuntime, cin: int, out: int, done: int) -> None:
        while True:
            v, ok = rt.gox_chan_recv_ok(cin)
            if not ok:
                break
            rt.gox_chan_send(out, v)
        rt.gox_chan_send(done, 1)

    def main(rt: RefRuntime) -> None:
        cs = [rt.gox_chan_new(K.INT, 0) for _ in range(4)]
        out, done = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 4)
        rt.gox_go_spawn(sender, cs)
        for c in cs:
            rt.gox_go_spawn(mux, [c, out, done])
        rt.gox_go_spawn(lambda rt: [rt.gox_chan_recv(done) for _ in range(4)] and rt.gox_chan_close(out), [])
        seen: set[int] = set()
        while True:
            v, ok = rt.gox_chan_recv_ok(out)
            if not ok:
                break
            assert v not in seen
            seen.add(v)
        assert seen == set(range(n))

    for seed in (1, 2):
        assert run(main, seed=seed) == (0, b"", b"")


# -- the received value and ok ------------------------------------------------------------------
def test_recv_result_value_and_ok() -> None:
    def sender(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_send(ch, 77)

    def closer(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_close(ch)

    def main(rt: RefRuntime) -> None:
        never = rt.gox_chan_new(K.INT, 0)
        buf = rt.gox_chan_new(K.INT, 2)
        rt.gox_chan_send(buf, 5)
        assert select(rt, [("recv", never, 0), ("recv", buf, 0)]) == 1
        assert rt.gox_select_recv_result() == (5, True)
        rt.gox_chan_close(buf)
        assert select(rt, [("recv", never, 0), ("recv", buf, 0)]) == 1
        assert rt.gox_select_recv_result() == (0, False)
        for fn, want in ((sender, (77, True)), (closer, (0, False))):
            ch = rt.gox_chan_new(K.INT, 0)
            rt.gox_go_spawn(fn, [ch])
            assert select(rt, [("recv", never, 0), ("recv", ch, 0)]) == 1  # parks, then woken
            assert rt.gox_select_recv_result() == want
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_recv(ch), [])
        assert select(rt, [("recv", never, 0), ("send", ch, 1)]) == 1
        assert rt.gox_select_recv_result() == (0, False)  # unchanged by a send case
        rt.gox_debug_print(1, K.INT)

    assert run(main) == (0, b"1\n", b"")


def test_a_parked_select_send_value_survives_a_collection() -> None:
    got: list[bytes] = []

    def selector(rt: RefRuntime, ch: int) -> None:
        select(rt, [("recv", rt.gox_chan_new(K.INT, 0), 0), ("send", ch, rt.gox_rt_string_from_ptr(b"sent"))])

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.STRING, 0)
        rt.gox_gc_pin(ch)
        rt.gox_go_spawn(selector, [ch])
        rt.gox_yield()
        rt.gox_collect_garbage()
        got.append(bytes(rt.gox_string_read(rt.gox_chan_recv(ch))))

    assert run(main) == (0, b"", b"")
    assert got == [b"sent"]


# -- fairness and replay ------------------------------------------------------------------------
def five_sigma(n: int, p: float) -> float:
    return 5 * math.sqrt(n * p * (1 - p))


def test_fairness_within_one_run() -> None:
    """Two always-ready cases (closed channels), N = 20000 selects in one run: each case's
    count is Binomial(N, 1/2) if the choice is uniform, so it must lie within 5 standard
    deviations, |count - N/2| <= 5 * sqrt(N/4) ~ 354 (a false alarm has probability < 1e-6).
    With three ready cases among nil ones, each count is within 5 sigma of N/3."""
    n = 20000

    def main(rt: RefRuntime) -> None:
        a, b, c = (rt.gox_chan_new(K.INT, 0) for _ in range(3))
        for ch in (a, b, c):
            rt.gox_chan_close(ch)
        counts = [0, 0]
        for _ in range(n):
            counts[select(rt, [("recv", a, 0), ("recv", b, 0)])] += 1
        assert all(abs(x - n / 2) <= five_sigma(n, 0.5) for x in counts), counts
        counts3 = [0] * 5
        for _ in range(n):
            counts3[select(rt, [("recv", 0, 0), ("recv", a, 0), ("recv", b, 0), ("send", 0, 1), ("recv", c, 0)])] += 1
        assert counts3[0] == counts3[3] == 0
        assert all(abs(counts3[i] - n / 3) <= five_sigma(n, 1 / 3) for i in (1, 2, 4)), counts3

    assert run(main, seed=2024) == (0, b"", b"")


def test_fairness_across_seeds() -> None:
    """The first select of a run, over 3000 seeds: each of two ready cases (a buffered value,
    a closed channel) is chosen Binomial(3000, 1/2) times: within 5 sigma (~137) of 1500."""
    n = 3000
    counts = [0, 0]
    rt = RefRuntime()
    for seed in range(n):

        def main(rt: RefRuntime) -> None:
            a, b = rt.gox_chan_new(K.INT, 1), rt.gox_chan_new(K.INT, 0)
            rt.gox_chan_send(a, 1)
            rt.gox_chan_close(b)
            counts[select(rt, [("recv", a, 0), ("recv", b, 0)])] += 1

        assert rt.run_main(main, [], seed=seed) == 0
    assert all(abs(x - n / 2) <= five_sigma(n, 0.5) for x in counts), counts


def test_a_ready_case_wins_over_any_number_of_blocked_ones() -> None:
    def main(rt: RefRuntime) -> None:
        ready = rt.gox_chan_new(K.INT, 0)
        rt.gox_chan_close(ready)
        blocked = [rt.gox_chan_new(K.INT, 0) for _ in range(6)]
        for _ in range(200):
            cases = [("recv", ch, 0) for ch in blocked]
            cases.insert(3, ("recv", ready, 0))
            assert select(rt, cases) == 3

    assert run(main, seed=5)[0] == 0


def choices(seed: int, rounds: int = 200) -> list[int]:
    result: list[int] = []

    def main(rt: RefRuntime) -> None:
        chans = [rt.gox_chan_new(K.INT, 0) for _ in range(4)]
        for ch in chans:
            rt.gox_chan_close(ch)
        for r in range(rounds):
            k = 2 + r % 3
            result.append(select(rt, [("recv", ch, 0) for ch in chans[:k]]))

    assert run(main, seed=seed)[0] == 0
    return result


def test_replay_same_seed_same_choices() -> None:
    assert choices(7) == choices(7)
    assert choices(0) == choices(0)
    assert len({tuple(choices(s)) for s in range(5)}) == 5


def test_poll_order_is_the_documented_shuffle() -> None:
    """The first ready case in an inside-out Fisher-Yates shuffle of the non-nil cases, one
    rng.below(k + 1) draw for the k-th one, from SplitMix64 seeded with the run's seed; the
    C backend draws the same numbers, so this pins the algorithm."""
    layouts = [[1, 1], [1, 0, 1], [0, 1, 1, 0, 1], [1, 1, 1, 1, 1, 1, 1]]  # 1: ready, 0: nil
    for seed in (0, 1, 99, (1 << 64) - 1):
        rng = Rng(seed)
        expected: list[int] = []
        for layout in layouts * 10:
            order: list[int] = []
            for i, live in enumerate(layout):
                if live:
                    j = rng.below(len(order) + 1)
                    order.append(i)
                    order[-1], order[j] = order[j], i
            expected.append(order[0])
        got: list[int] = []

        def main(rt: RefRuntime, got: list[int] = got) -> None:
            ready = rt.gox_chan_new(K.INT, 0)
            rt.gox_chan_close(ready)
            for layout in layouts * 10:
                got.append(select(rt, [("recv", ready if live else 0, 0) for live in layout]))

        assert run(main, seed=seed)[0] == 0
        assert got == expected


def test_default_and_nil_cases_draw_nothing_extra() -> None:
    """Only non-nil cases draw: a select of nil cases with default leaves the generator alone."""

    def main(rt: RefRuntime) -> None:
        before = rt.rng.draws
        assert select(rt, [("recv", 0, 0), ("send", 0, 0)], default=True) == -1
        assert rt.rng.draws == before

    assert run(main)[0] == 0


# -- protocol errors ----------------------------------------------------------------------------
def test_select_protocol_errors() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 1)
    with pytest.raises(GoxABIError, match="gox_select_exec"):
        rt.gox_select_exec()
    with pytest.raises(GoxABIError, match="gox_select_add_recv"):
        rt.gox_select_add_recv(ch)
    rt.gox_select_start(1, True)
    with pytest.raises(GoxABIError, match="gox_select_start"):
        rt.gox_select_start(1, True)
    rt.gox_select_add_recv(ch)
    with pytest.raises(GoxABIError, match="gox_select_add_send"):
        rt.gox_select_add_send(ch, 1)
    assert rt.gox_select_exec() == -1
    rt.gox_select_start(2, True)
    rt.gox_select_add_recv(ch)
    with pytest.raises(GoxABIError, match="1 cases added"):
        rt.gox_select_exec()
