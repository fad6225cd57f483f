"""Channels (gox_ref/chan.py, docs/decisions.md, "Channel elements"): Go's test/closedchan.go matrix through
direct operations, one-case selects and two-case selects with a dummy case; close of nil and
of closed channels; len/cap; makechan's range (test/chancap.go); unbuffered rendezvous with
direct hand-off; buffered FIFO order with parked senders; close waking every waiter; nil
channels; and the collector keeping values that only a channel (or a hand-off) holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PYTHON_GOROUTINES, run, sread

from gox_ref import GoxPanic, RefRuntime, ValueKind
from gox_ref.chan import MAX_CHAN_CAP, chan_state

pytestmark = PYTHON_GOROUTINES

K = ValueKind


def gstr(rt: RefRuntime, text: str) -> int:
    return int(rt.gox_rt_string_from_ptr(text.encode()))


# -- test/closedchan.go: three ways to do each operation ------------------------------------------
class Chan:
    """One channel and one way of operating on it: ``x`` (the <- operator), ``s`` (one-case
    selects) or ``ss`` (selects with an extra case on a dummy channel that is never ready)."""

    def __init__(self, rt: RefRuntime, ch: int, impl: str) -> None:
        self.rt, self.ch, self.impl = rt, ch, impl
        self.dummy = rt.gox_chan_new(K.BOOL, 0)

    def _select(self, send: int | None, default: bool) -> tuple[int, int, bool]:
        """Run a select on the channel (plus the dummy for ``ss``): (case, value, ok);
        case 0 is the channel's case, -1 default."""
        rt = self.rt
        rt.gox_select_start(2 if self.impl == "ss" else 1, default)
        if self.impl == "ss":
            rt.gox_select_add_recv(self.dummy)
        if send is None:
            rt.gox_select_add_recv(self.ch)
        else:
            rt.gox_select_add_send(self.ch, send)
        i = rt.gox_select_exec()
        if i == -1:
            return -1, 0, False
        assert i == (1 if self.impl == "ss" else 0), "the dummy case was chosen"
        v, ok = rt.gox_select_recv_result() if send is None else (0, False)
        return 0, v, ok

    def send(self, v: int) -> None:
        if self.impl == "x":
            self.rt.gox_chan_send(self.ch, v)
        else:
            self._select(v, False)

    def nbsend(self, v: int) -> bool:
        return self._select(v, True)[0] == 0

    def recv(self) -> int:
        if self.impl == "x":
            return int(self.rt.gox_chan_recv(self.ch))
        return self._select(None, False)[1]

    def recv2(self) -> tuple[int, bool]:
        if self.impl == "x":
            v, ok = self.rt.gox_chan_recv_ok(self.ch)
            return v, ok
        _, v, ok = self._select(None, False)
        return v, ok

    def nbrecv(self) -> tuple[int, bool]:
        i, v, _ = self._select(None, True)
        return v, i == 0

    def nbrecv2(self) -> tuple[int, bool, bool]:
        i, v, ok = self._select(None, True)
        return v, ok, i == 0

    def close(self) -> None:
        self.rt.gox_chan_close(self.ch)


IMPLS = ["x", "s", "ss"]


def should_panic(text: str, f: Callable[[], Any]) -> None:
    with pytest.raises(GoxPanic) as info:
        f()
    assert str(info.value) == text


def closed_test1(c: Chan) -> None:
    for _ in range(3):
        assert c.recv() == 0
        assert c.recv2() == (0, False)
        assert c.nbrecv() == (0, True)
        assert c.nbrecv2() == (0, False, True)
    should_panic("send on closed channel", lambda: c.nbsend(1))
    assert c.recv() == 0  # the value was discarded
    should_panic("send on closed channel", lambda: c.send(2))
    assert c.recv() == 0
    assert c.rt.sched.g().select is None  # the panicking select is over


def closedsync(rt: RefRuntime) -> int:
    c = rt.gox_chan_new(K.INT, 0)
    rt.gox_chan_close(c)
    return c


def closedasync(rt: RefRuntime) -> int:
    c = rt.gox_chan_new(K.INT, 2)
    rt.gox_chan_send(c, 1)
    rt.gox_chan_close(c)
    return c


@pytest.mark.parametrize("impl", IMPLS)
def test_closedchan_sync(impl: str) -> None:
    rt = RefRuntime()
    closed_test1(Chan(rt, closedsync(rt), impl))


def _async1(c: Chan) -> None:
    assert c.recv() == 1


def _async2(c: Chan) -> None:
    assert c.recv2() == (1, True)


def _async3(c: Chan) -> None:
    assert c.nbrecv() == (1, True)


def _async4(c: Chan) -> None:
    assert c.nbrecv2() == (1, True, True)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("first", [_async1, _async2, _async3, _async4])
def test_closedchan_async(impl: str, first: Callable[[Chan], None]) -> None:
    """The buffered value comes out first, then the closed channel's zero values."""
    rt = RefRuntime()
    c = Chan(rt, closedasync(rt), impl)
    assert rt.gox_chan_len(c.ch) == 1
    first(c)
    assert rt.gox_chan_len(c.ch) == 0
    closed_test1(c)


@pytest.mark.parametrize("impl", IMPLS)
def test_closedchan_inside_a_program_recovers_the_go_text(impl: str) -> None:
    """The same matrix inside run_main: the panics are recovered, and their values are strings
    holding Go's text."""
    texts: list[bytes] = []

    def catch(rt: RefRuntime) -> None:
        with rt.defer_frame():
            slot0, slot1 = rt.gox_recover()
            assert rt.gox_interface_unbox_kind(slot0) == K.STRING
            texts.append(sread(rt, slot1))

    def should_panic_in_program(rt: RefRuntime, f: Callable[[], Any]) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(catch, [])
            f()
            raise AssertionError("did not panic")

    def main(rt: RefRuntime) -> None:
        c = Chan(rt, closedasync(rt), impl)
        assert c.recv2() == (1, True)
        assert c.recv2() == (0, False)
        should_panic_in_program(rt, lambda: c.send(2))
        should_panic_in_program(rt, lambda: c.nbsend(2))
        should_panic_in_program(rt, c.close)
        should_panic_in_program(rt, lambda: rt.gox_chan_close(0))
        rt.gox_debug_print(1, K.INT)

    assert run(main) == (0, b"1\n", b"")
    assert texts == [b"send on closed channel"] * 2 + [b"close of closed channel", b"close of nil channel"]


def test_close_of_nil_and_of_closed_channel() -> None:
    rt = RefRuntime()
    should_panic("close of nil channel", lambda: rt.gox_chan_close(0))
    ch = rt.gox_chan_new(K.INT, 0)
    rt.gox_chan_close(ch)
    should_panic("close of closed channel", lambda: rt.gox_chan_close(ch))


def test_unrecovered_send_on_closed_channel_ends_the_program() -> None:
    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 1)
        rt.gox_chan_close(ch)
        rt.gox_chan_send(ch, 1)

    assert run(main) == (2, b"", f"panic: send on closed channel\n\ngoroutine 1 [running]:\n{main.__qualname__}(...)\n".encode())


# -- len, cap, makechan -------------------------------------------------------------------------
def test_len_and_cap() -> None:
    """test/chancap.go, plus nil and closed channels."""
    rt = RefRuntime()
    c = rt.gox_chan_new(K.INT, 10)
    assert (rt.gox_chan_len(c), rt.gox_chan_cap(c)) == (0, 10)
    for i in range(3):
        rt.gox_chan_send(c, i)
    assert (rt.gox_chan_len(c), rt.gox_chan_cap(c)) == (3, 10)
    rt.gox_chan_close(c)
    assert (rt.gox_chan_len(c), rt.gox_chan_cap(c)) == (3, 10)
    rt.gox_chan_recv(c)
    assert rt.gox_chan_len(c) == 2
    u = rt.gox_chan_new(K.INT, 0)
    assert (rt.gox_chan_len(u), rt.gox_chan_cap(u)) == (0, 0)
    assert (rt.gox_chan_len(0), rt.gox_chan_cap(0)) == (0, 0)


def test_len_does_not_count_parked_senders() -> None:
    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 1)
        rt.gox_chan_send(ch, 1)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_send(ch, 2), [])
        rt.gox_yield()
        rt.gox_debug_print(rt.gox_chan_len(ch), K.INT)
        u = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(lambda rt: rt.gox_chan_send(u, 2), [])
        rt.gox_yield()
        rt.gox_debug_print(rt.gox_chan_len(u), K.INT)

    assert run(main)[1] == b"1\n0\n"


@pytest.mark.parametrize("cap", [-1, -(1 << 63), 1 << 59, (1 << 63) - 1, MAX_CHAN_CAP + 1])
def test_makechan_size_out_of_range(cap: int) -> None:
    """Go panics when cap < 0 or cap * elemsize > maxAlloc - hchanSize (test/chancap.go tries
    -1, 1<<59 and 1<<63-1 on 64-bit systems)."""
    rt = RefRuntime()
    before = rt.heap_snapshot().canonical()
    should_panic("makechan: size out of range", lambda: rt.gox_chan_new(K.INT, cap))
    assert rt.heap_snapshot().canonical() == before


def test_makechan_limit_is_gos_amd64_bound() -> None:
    assert MAX_CHAN_CAP == ((1 << 48) - 96) // 8
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, MAX_CHAN_CAP)  # the buffer is filled lazily
    assert rt.gox_chan_cap(ch) == MAX_CHAN_CAP


# -- rendezvous and FIFO ------------------------------------------------------------------------
def test_unbuffered_send_to_a_parked_receiver_hands_over_directly() -> None:
    log: list[str] = []

    def receiver(rt: RefRuntime, ch: int) -> None:
        log.append(f"got {rt.gox_chan_recv(ch)}")

    def main(rt: RefRuntime) -> None:
        for cap in (0, 3):
            ch = rt.gox_chan_new(K.INT, cap)
            rt.gox_go_spawn(receiver, [ch])
            rt.gox_yield()  # the receiver parks
            rt.gox_chan_send(ch, 10 + cap)  # does not block: handed to the receiver
            log.append(f"sent len={rt.gox_chan_len(ch)}")
            rt.gox_yield()

    assert run(main)[0] == 0
    assert log == ["sent len=0", "got 10", "sent len=0", "got 13"]


def test_unbuffered_receive_from_a_parked_sender() -> None:
    log: list[str] = []

    def sender(rt: RefRuntime, ch: int, v: int) -> None:
        rt.gox_chan_send(ch, v)
        log.append(f"sent {v}")

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        for v in (1, 2, 3):
            rt.gox_go_spawn(sender, [ch, v])
        rt.gox_yield()  # three senders park, in order
        assert len(chan_state(rt.heap.get(ch, "t")).sendq) == 3
        log.append(f"recv {rt.gox_chan_recv(ch)}")
        log.append(f"recv {rt.gox_chan_recv_ok(ch)}")
        rt.gox_yield()
        log.append(f"recv {rt.gox_chan_recv(ch)}")

    assert run(main)[0] == 0
    assert log == ["recv 1", "recv (2, True)", "sent 1", "sent 2", "recv 3"]


def test_unbuffered_send_blocks_until_received() -> None:
    log: list[str] = []

    def receiver(rt: RefRuntime, ch: int) -> None:
        log.append("r start")
        rt.gox_yield()
        log.append(f"r got {rt.gox_chan_recv(ch)}")

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(receiver, [ch])
        rt.gox_chan_send(ch, 5)
        log.append("m sent")

    assert run(main)[0] == 0
    assert log == ["r start", "r got 5", "m sent"]


def test_buffered_fifo_with_parked_senders() -> None:
    """A receive from a full buffer takes the head and appends the first parked sender's
    value at the tail, so the order is the send order."""

    def sender(rt: RefRuntime, ch: int, v: int) -> None:
        rt.gox_chan_send(ch, v)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 2)
        rt.gox_chan_send(ch, 1)
        rt.gox_chan_send(ch, 2)
        for v in (3, 4, 5):
            rt.gox_go_spawn(sender, [ch, v])
        rt.gox_yield()
        for _ in range(5):
            rt.gox_debug_write(rt.gox_chan_len(ch), K.INT)
            rt.gox_debug_print(rt.gox_chan_recv(ch), K.INT)

    assert run(main) == (0, b"21\n22\n23\n24\n15\n", b"")


def test_buffered_channel_fifo_at_host_level() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 100)
    for v in range(100):
        rt.gox_chan_send(ch, v * 7)
    assert [rt.gox_chan_recv(ch) for _ in range(100)] == [v * 7 for v in range(100)]


def test_values_are_u64_slots() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 2)
    rt.gox_chan_send(ch, -1)
    rt.gox_chan_send(ch, (1 << 64) - 2)
    assert [rt.gox_chan_recv(ch), rt.gox_chan_recv(ch)] == [(1 << 64) - 1, (1 << 64) - 2]


# -- close wakes everybody --------------------------------------------------------------------
def test_close_wakes_every_receiver_and_every_sender_in_queue_order() -> None:
    log: list[str] = []

    def catch(rt: RefRuntime, n: int) -> None:
        with rt.defer_frame():
            _, s = rt.gox_recover()
            log.append(f"s{n} panicked: {sread(rt, s).decode()}")

    def receiver(rt: RefRuntime, ch: int, n: int) -> None:
        log.append(f"r{n} got {rt.gox_chan_recv_ok(ch)}")

    def sender(rt: RefRuntime, ch: int, n: int) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(catch, [n])
            rt.gox_chan_send(ch, n)
            log.append("not reached")

    def main(rt: RefRuntime) -> None:
        rch = rt.gox_chan_new(K.INT, 2)
        sch = rt.gox_chan_new(K.INT, 0)
        for n in range(3):
            rt.gox_go_spawn(receiver, [rch, n])
            rt.gox_go_spawn(sender, [sch, n])
        rt.gox_yield()
        log.append("closing")
        rt.gox_chan_close(sch)
        rt.gox_chan_close(rch)
        st = chan_state(rt.heap.get(rch, "t")), chan_state(rt.heap.get(sch, "t"))
        assert not any(s.recvq or s.sendq for s in st)
        rt.gox_yield()
        log.append("main end")

    assert run(main) == (0, b"", b"")
    assert log == [
        "closing",
        "s0 panicked: send on closed channel",
        "s1 panicked: send on closed channel",
        "s2 panicked: send on closed channel",
        "r0 got (0, False)",
        "r1 got (0, False)",
        "r2 got (0, False)",
        "main end",
    ]


def test_a_sender_woken_by_close_panics_and_ends_the_program() -> None:
    def sender(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_send(ch, 1)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(sender, [ch])
        rt.gox_yield()
        rt.gox_chan_close(ch)
        rt.gox_yield()
        rt.gox_debug_print(1, K.INT)  # not reached

    expected = f"panic: send on closed channel\n\ngoroutine 2 [running]:\n{sender.__qualname__}(...)\n"
    assert run(main) == (2, b"", expected.encode())


def test_close_keeps_buffered_values_for_receivers() -> None:
    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 3)
        rt.gox_chan_send(ch, 4)
        rt.gox_chan_send(ch, 5)
        rt.gox_chan_close(ch)
        for _ in range(4):
            v, ok = rt.gox_chan_recv_ok(ch)
            rt.gox_debug_write(v, K.INT)
            rt.gox_debug_print(ok, K.BOOL)

    assert run(main)[1] == b"4true\n5true\n0false\n0false\n"


# -- nil channels -------------------------------------------------------------------------------
def test_nil_channel_blocks_forever() -> None:
    def recv_nil(rt: RefRuntime) -> None:
        rt.gox_chan_recv_ok(0)

    def main(rt: RefRuntime) -> None:
        rt.gox_go_spawn(recv_nil, [])
        rt.gox_yield()
        rt.gox_debug_print(rt.gox_chan_len(0), K.INT)
        rt.gox_chan_send(0, 1)

    expected = (
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        f"goroutine 1 [chan send (nil chan)]:\n{main.__qualname__}(...)\n\n"
        f"goroutine 2 [chan receive (nil chan)]:\n{recv_nil.__qualname__}(...)\n\n"
    )
    assert run(main) == (2, b"0\n", expected.encode())


# -- the collector ------------------------------------------------------------------------------
def test_buffered_strings_survive_a_collection() -> None:
    got: list[bytes] = []

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.STRING, 3)
        rt.gox_gc_pin(ch)
        refs = [gstr(rt, f"value {i}") for i in range(3)]
        for r in refs:
            rt.gox_chan_send(ch, r)
        control = gstr(rt, "garbage")
        rt.gox_collect_garbage()
        assert not rt.is_live(control)  # the collection did run
        assert all(rt.is_live(r) for r in refs)
        got.extend(sread(rt, rt.gox_chan_recv(ch)) for _ in range(3))

    assert run(main) == (0, b"", b"")
    assert got == [b"value 0", b"value 1", b"value 2"]


def test_parked_senders_values_survive_a_collection() -> None:
    got: list[bytes] = []

    def sender(rt: RefRuntime, ch: int, n: int) -> None:
        rt.gox_chan_send(ch, gstr(rt, f"from {n}"))  # only the channel's send queue has it

    def main(rt: RefRuntime) -> None:
        for cap in (0, 1):
            ch = rt.gox_chan_new(K.STRING, cap)
            rt.gox_gc_pin(ch)
            for n in range(3):
                rt.gox_go_spawn(sender, [ch, n])
            rt.gox_yield()
            rt.gox_collect_garbage()
            got.extend(sread(rt, rt.gox_chan_recv(ch)) for _ in range(3))
            rt.gox_gc_unpin(ch)

    assert run(main) == (0, b"", b"")
    assert got == [b"from 0", b"from 1", b"from 2"] * 2


def test_the_channel_a_goroutine_waits_on_is_a_root() -> None:
    got: list[bytes] = []

    def sender(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_send(ch, gstr(rt, "kept"))

    def receiver(rt: RefRuntime, ch: int, done: int) -> None:
        rt.gox_yield()  # the sender parks on the (unpinned) channel first
        rt.gox_collect_garbage()
        got.append(sread(rt, rt.gox_chan_recv(ch)))
        rt.gox_chan_send(done, 0)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.STRING, 0)
        done = rt.gox_chan_new(K.INT, 0)
        rt.gox_gc_pin(done)
        rt.gox_go_spawn(sender, [ch])
        rt.gox_go_spawn(receiver, [ch, done])
        rt.gox_chan_recv(done)

    assert run(main) == (0, b"", b"")
    assert got == [b"kept"]


def test_a_value_handed_to_a_parked_receiver_survives_until_it_runs() -> None:
    """Go copies the value straight into the receiver's stack, which the collector scans; the
    reference keeps it as the woken goroutine's pending value, a root until it resumes."""
    got: list[bytes] = []

    def receiver(rt: RefRuntime, ch: int) -> None:
        got.append(sread(rt, rt.gox_chan_recv(ch)))

    def select_receiver(rt: RefRuntime, ch: int) -> None:
        rt.gox_select_start(2, False)
        rt.gox_select_add_recv(rt.gox_chan_new(K.STRING, 0))
        rt.gox_select_add_recv(ch)
        assert rt.gox_select_exec() == 1
        v, _ = rt.gox_select_recv_result()
        got.append(sread(rt, v))

    def main(rt: RefRuntime) -> None:
        for fn in (receiver, select_receiver):
            for cap in (0, 2):
                ch = rt.gox_chan_new(K.STRING, cap)
                rt.gox_gc_pin(ch)
                rt.gox_go_spawn(fn, [ch])
                rt.gox_yield()  # it parks
                rt.gox_chan_send(ch, gstr(rt, f"{fn.__name__} {cap}"))  # handed over; it is runnable
                rt.gox_collect_garbage()
                rt.gox_yield()

    assert run(main) == (0, b"", b"")
    assert got == [b"receiver 0", b"receiver 2", b"select_receiver 0", b"select_receiver 2"]


def test_int_channels_keep_nothing_alive() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.INT, 1)
    rt.gox_gc_pin(ch)
    s = gstr(rt, "an int channel does not trace its values")
    rt.gox_chan_send(ch, s)
    rt.gox_collect_garbage()
    assert not rt.is_live(s)


def test_an_unreachable_channel_is_collected_with_its_values() -> None:
    rt = RefRuntime()
    ch = rt.gox_chan_new(K.STRING, 1)
    s = gstr(rt, "x")
    rt.gox_chan_send(ch, s)
    rt.gox_collect_garbage()
    assert not rt.is_live(ch) and not rt.is_live(s)


def test_abandoned_goroutines_leave_no_waiters_behind() -> None:
    """When main returns, a goroutine parked on a channel is forgotten: a later host send
    neither wakes it nor hands it the value (the value is buffered)."""
    rt = RefRuntime()
    kept: list[int] = []

    def waiter(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_recv(ch)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 1)
        rt.gox_gc_pin(ch)
        kept.append(ch)
        rt.gox_go_spawn(waiter, [ch])
        rt.gox_yield()

    assert run(main, rt=rt)[0] == 0
    assert len(chan_state(rt.heap.get(kept[0], "test")).recvq) == 0
    rt.gox_chan_send(kept[0], 5)
    assert rt.gox_chan_len(kept[0]) == 1
