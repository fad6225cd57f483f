"""Time: the clock, sleeps, timers and tickers, with Go 1.19's semantics on a virtual clock.

The clock (``Clock``, held as ``rt.timers``; timer.c's ``GoxTimers``) is int64 nanoseconds since
the program started.  It starts at 0 and never moves while a goroutine is runnable: when the run
queue is empty and a timer is pending, the scheduler asks it to jump (``advance``) to the earliest
deadline, and every timer whose deadline is that time fires.  The rule (docs/SCHEDULER.md,
"Time"):

* pending timers are kept in a ``SortedList`` keyed (deadline, seq), seq a per-runtime counter
  taken whenever a timer is set (new, reset, a ticker's re-arm);
* the timers of one jump (one deadline) fire in an order drawn from the scheduler's generator: an
  inside-out Fisher-Yates over them in seq order (``rng.below(k + 1)`` for k = 1, 2, ...: a lone
  timer draws nothing), so the order is seeded and the same on both backends;
* a sleep's firing readies its goroutine; a timer's does Go's non-blocking ``sendTime`` of the
  time into its channel (capacity 1: a full channel drops the value; a closed one too);
* a ticker re-arms before it sends, at ``when + period * (1 + (now - when) // period)`` (Go 1.19's
  runOneTimer), so a slow receiver loses ticks;
* a jump that could deliver nothing for ever (every pending timer is a ticker whose channel is
  full or closed, and no goroutine is runnable) is not taken: the program is deadlocked, where
  Go would hang (docs/decisions.md, "Time").

A timer object is a Pointer object boxing its channel (type id: the Channel kind; immutable, so
no raw write replaces the channel), with its ``TimerState`` behind it.  A pending timer is a GC
root (Go 1.19 keeps it in its P's heap); a stopped or fired one is collected like any object.
``TimerOps`` is the time part of the ABI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sortedcontainers import SortedList

from gox_abi.errors import GoxABIError, GoxPanic
from gox_abi.kinds import ValueKind
from gox_abi.layout import FLAG_IMMUTABLE

from .core import RuntimeCore
from .gc import Root
from .heap import GcObject, Heap
from .sched import Goroutine, Scheduler

if TYPE_CHECKING:
    from .chan import Channels

MAX_WHEN = (1 << 63) - 1  # a deadline past int64 is Go's maxWhen
TIMER_CAP = 1  # a timer's channel holds one value (Go's make(chan Time, 1))
SLEEP_REASON = "sleep"  # Go's waitReasonSleep


@dataclass(eq=False, slots=True)
class TimerState:
    """A timer, a ticker or a goroutine's sleep (Go's runtime timer)."""

    obj: GcObject | None  # the timer object; None for a sleep
    g: Goroutine | None  # a sleep's goroutine
    chan: int = 0  # the channel a firing sends to (0 for a sleep)
    period: int = 0  # a ticker's, else 0
    when: int = 0
    seq: int = 0
    pending: bool = False

    @property
    def num(self) -> int:
        """The timer's allocation number, as traces show it (0: a sleep)."""
        return self.obj.num if self.obj is not None else 0


def _key(t: TimerState) -> tuple[int, int]:
    return (t.when, t.seq)


def deadline(now: int, ns: int) -> int:
    """Go's when(d): now + d, now for d <= 0, maxWhen past int64."""
    return now if ns <= 0 else min(now + ns, MAX_WHEN)


class Clock:
    """The virtual clock and the pending timers of one runtime."""

    def __init__(self, heap: Heap, sched: Scheduler, chans: Channels) -> None:
        self.heap = heap
        self.sched = sched
        self.chans = chans
        self.now = 0
        self.seq = 0
        self.pending: Any = SortedList(key=_key)  # of TimerState, by (when, seq)

    def set(self, t: TimerState, when: int) -> None:
        """Make ``t`` pending until ``when`` (it is not pending now)."""
        self.seq += 1
        t.when, t.seq, t.pending = when, self.seq, True
        self.pending.add(t)
        if self.sched.tracer is not None:
            info = {"period": t.period} if t.period else {}
            self.sched.trace("timer_set", timer=t.num, when=when, **info)

    def unset(self, t: TimerState) -> bool:
        """``t`` is no longer pending; whether it was."""
        if not t.pending:
            return False
        self.pending.remove(t)
        t.pending = False
        return True

    def roots(self) -> Iterable[Root]:
        """Root 5 of docs/GC.md: every pending timer object, in (deadline, seq) order."""
        for t in self.pending:
            if t.obj is not None:
                yield f"pending timer #{t.obj.num}", t.obj.ref

    def _undeliverable(self, t: TimerState) -> bool:
        """A ticker whose firing can never deliver: its channel is full or closed."""
        if not t.period:
            return False
        st = self.chans.get(t.chan, "timer")
        assert st is not None
        return st.closed or len(st.buf) >= st.cap

    def advance(self) -> bool:
        """Nothing is runnable: jump to the earliest deadline and fire its timers.  False when no
        timer is pending, or none could ever deliver (the caller reports the deadlock)."""
        pending = self.pending
        if not pending or all(self._undeliverable(t) for t in pending):
            return False
        sched = self.sched
        now = self.now = pending[0].when
        if sched.tracer is not None:
            sched.trace("clock", now=now)
        group: list[TimerState] = []
        while pending and pending[0].when == now:
            t = pending.pop(0)
            t.pending = False
            j = sched.rng.below(len(group) + 1) if group else 0
            group.append(t)
            group[-1], group[j] = group[j], t
        for t in group:
            self.fire(t)
        return True

    def fire(self, t: TimerState) -> None:
        sched, now = self.sched, self.now
        if sched.tracer is not None:
            sched.trace("timer_fire", timer=t.num, when=t.when)
        if t.g is not None:
            sched.ready(t.g, 0, True, -1)
            return
        if t.period:  # Go's runOneTimer re-arms a ticker before it sends
            self.set(t, min(t.when + t.period * (1 + (now - t.when) // t.period), MAX_WHEN))
        st = self.chans.get(t.chan, "timer")
        assert st is not None
        if not st.closed:
            self.chans.try_send(st, now)  # sendTime: non-blocking, a full channel drops it

    def drop_objects(self) -> None:
        """gox_init_gc drops every object: the timer objects leave the pending timers (sleeps stay)."""
        for t in [t for t in self.pending if t.obj is not None]:
            self.unset(t)

    def drop(self) -> None:
        """The program is over: no timer is pending any more, and the clock is back at 0."""
        for t in self.pending:
            t.pending = False
        self.pending.clear()
        self.now = 0


class TimerOps(RuntimeCore):
    sched: Scheduler
    chans: Channels
    timers: Clock

    def _timer(self, ref: int, fn: str, ticker: bool | None = None) -> TimerState:
        """The state of timer ``ref`` (a nil one is Go's nil dereference); ``ticker`` says which
        kind the call takes (None: either)."""
        want = "a ticker (gox_ticker_new)" if ticker else "a timer (gox_timer_new)" if ticker is not None else \
            "a timer or a ticker"
        obj = self.heap.deref(ref, fn, want)
        st = obj.state
        if obj.kind != ValueKind.POINTER or not isinstance(st, TimerState) or (
                ticker is not None and bool(st.period) != ticker):
            raise GoxABIError(f"{fn}: {self.heap.fmt(ref)} is not {want}")
        return st

    def _new_timer(self, ns: int, period: int) -> GcObject:
        """A timer object and its channel (one safepoint, then the channel, then the timer)."""
        self.gc.safepoint()
        ch = self.chans.new(ValueKind.INT64, TIMER_CAP)
        obj = self._alloc(ValueKind.POINTER, ValueKind.CHANNEL, 1)
        obj.slots[0] = ch.ref
        obj.flags |= FLAG_IMMUTABLE
        obj.state = t = TimerState(obj, None, ch.ref, period)
        self.timers.set(t, deadline(self.timers.now, ns))
        return obj

    # -- ABI ----------------------------------------------------------------------------------
    def gox_time_now(self) -> int:
        return self.timers.now

    def gox_time_sleep(self, ns: int) -> None:
        sched = self.sched
        if ns <= 0:
            sched.yield_current()
            return
        g = sched.running("sleep")
        self.timers.set(TimerState(None, g), deadline(self.timers.now, ns))
        sched.park(g, SLEEP_REASON)

    def gox_time_after(self, ns: int) -> int:
        return int(self._new_timer(ns, 0).slots[0])

    def gox_timer_new(self, ns: int) -> int:
        return self._new_timer(ns, 0).ref

    def gox_timer_chan(self, t: int) -> int:
        return self._timer(t, "gox_timer_chan").chan

    def gox_timer_stop(self, t: int) -> bool:
        st = self._timer(t, "gox_timer_stop", ticker=False)
        was = self.timers.unset(st)
        self.sched.trace("timer_stop", timer=st.num, pending=was)
        return was

    def gox_timer_reset(self, t: int, ns: int) -> bool:
        st = self._timer(t, "gox_timer_reset", ticker=False)
        was = self.timers.unset(st)
        self.sched.trace("timer_reset", timer=st.num, pending=was)
        self.timers.set(st, deadline(self.timers.now, ns))
        return was

    def gox_ticker_new(self, ns: int) -> int:
        if ns <= 0:
            raise GoxPanic("non-positive interval for NewTicker")
        return self._new_timer(ns, ns).ref

    def gox_ticker_stop(self, t: int) -> None:
        st = self._timer(t, "gox_ticker_stop", ticker=True)
        was = self.timers.unset(st)
        self.sched.trace("timer_stop", timer=st.num, pending=was)
