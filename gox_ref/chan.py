"""Channels, per the Go spec and runtime/chan.go.

State (host-side, behind the channel object's opaque slot 0): the element kind, the
capacity, a FIFO buffer, a closed flag, and two FIFO queues of parked goroutines: receivers
(``recvq``) and senders (``sendq``, each with the value it is sending).

Invariants (as in Go):
* ``sendq`` and ``recvq`` are never both non-empty, except on an unbuffered channel that one
  goroutine's select waits on in both directions;
* a buffered channel with values in its buffer has no parked receivers, and one with room has
  no parked senders;
* a send to a parked receiver hands the value over directly, bypassing the buffer;
* a receive from a full buffer with a parked sender takes the head and appends the sender's
  value at the tail, so FIFO order holds;
* close wakes every parked receiver (zero value, ok=false) and then every parked sender
  (which panics ``send on closed channel`` when it resumes), in queue order;
* a nil channel blocks forever; its len and cap are 0.
A waiter that belongs to a select is removed from every other channel the moment one of its
cases wins, so a select completes at most one case and leaves nothing behind (select6).

``Channels`` holds the operations a select and a range loop share with the channel calls, as
``rt.chans`` (chan.c's ``chan_*`` functions); ``ChanOps`` is the channel part of the ABI.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gox_abi.errors import GoxABIError, GoxPanic
from gox_abi.kinds import ValueKind, is_ref_kind, kind_name, valid_kind
from gox_abi.layout import GO_MAX_ALLOC, NO_TYPE

from .core import RuntimeCore
from .gc import Collector
from .heap import GcObject, Heap
from .sched import Goroutine, Scheduler

if TYPE_CHECKING:  # (select.py builds on this module)
    from .select import SelectWait

# Go's makechan on 64-bit Linux: cap * elemsize must not exceed maxAlloc - hchanSize
# (1<<48 - 96); every element here is one 8-byte slot (test/chancap.go tries 1<<59).
MAX_CHAN_CAP = (GO_MAX_ALLOC - 96) // 8
_CHANNEL = ValueKind.CHANNEL  # looked up once: channel operations check every reference's kind


@dataclass(eq=False, slots=True)
class Waiter:
    """A parked goroutine on one channel queue (Go's sudog)."""

    g: Goroutine
    value: int = 0  # the value a sender offers
    case: int = -1  # the select case index, or -1 for a plain send/receive
    select: SelectWait | None = None  # the select it belongs to (shared by its waiters)


class ChanState:
    def __init__(self, obj: GcObject, elem_kind: int, cap: int) -> None:
        self.obj = obj  # the channel object: traces name it by number, the GC barrier needs it
        self.elem_kind = elem_kind
        self.holds_refs = is_ref_kind(elem_kind)  # its values are references (checked, traced)
        self.cap = cap
        self.buf: collections.deque[int] = collections.deque()
        self.closed = False
        self.recvq: collections.deque[Waiter] = collections.deque()
        self.sendq: collections.deque[Waiter] = collections.deque()


def chan_state(obj: GcObject) -> ChanState:
    st = obj.state
    assert isinstance(st, ChanState)
    return st


def _chan_children(obj: GcObject) -> Iterable[int]:
    st = chan_state(obj)
    if st.holds_refs:
        yield from st.buf
        for w in st.sendq:
            yield w.value


def dequeue(q: collections.deque[Waiter]) -> Waiter:
    """The first waiter of a non-empty queue; a select's other waiters leave their queues now."""
    w = q.popleft()
    if w.select is not None:
        w.select.won(w)
    return w


class Channels:
    """The channel operations shared by the channel calls, select and range loops.  Its
    collaborator is the scheduler, which parks and wakes goroutines."""

    def __init__(self, heap: Heap, gc: Collector, sched: Scheduler) -> None:
        self.heap = heap
        self.gc = gc
        self.sched = sched

    def new(self, elem_kind: int, cap: int) -> GcObject:
        """A new channel (the caller checked the arguments and passed its safepoint)."""
        obj = self.gc.allocate(ValueKind.CHANNEL, NO_TYPE, 1)
        obj.state = ChanState(obj, elem_kind, cap)
        obj.slots[0] = obj.num  # an opaque handle
        return obj

    def get(self, ref: int, fn: str) -> ChanState | None:
        """The state of channel ``ref``, None for the nil channel; an ABI error for anything
        else (the one lookup of every channel operation: it checks the reference and its kind)."""
        if ref == 0:
            return None
        st: ChanState = self.heap.get_kind(ref, _CHANNEL, fn).state
        return st

    def drop_waiters(self, goroutines: Iterable[Goroutine]) -> None:
        """The program is over: no channel may keep a waiter of an abandoned goroutine.  Every
        goroutine is abandoned and a queue holds only parked goroutines' waiters, so the queues
        of the channels they wait on are emptied, at once (not a filtered copy per goroutine: a
        million goroutines parked on one channel made that quadratic, and out of memory)."""
        for g in goroutines:
            for ch in g.parked_on:
                obj = self.heap.lookup(ch)
                if obj is not None:
                    st = chan_state(obj)
                    st.recvq.clear()
                    st.sendq.clear()

    def enqueue(self, st: ChanState, w: Waiter, sending: bool) -> None:
        """Park a waiter on a queue.  A sender's value is a child of the channel from now on
        (``_chan_children``), so the write barrier applies to it as to a buffered value: a
        channel scanned before the sender parked would otherwise hide a new (white) value from
        the atomic step, and the sweep would free it while a receiver can still take it."""
        if sending:
            st.sendq.append(w)
            if st.holds_refs and w.value:
                self.gc.barrier(st.obj, w.value)
        else:
            st.recvq.append(w)

    def _shown(self, st: ChanState, val: int) -> int:
        """A value as the trace shows it: a reference at its canonical address (both backends)."""
        return self.heap.canonical(val) if st.holds_refs else val

    def try_send(self, st: ChanState, val: int) -> bool:
        """Complete a send now if possible (panics if closed); False if it must wait."""
        if st.closed:
            raise GoxPanic("send on closed channel")
        if st.recvq:
            w = dequeue(st.recvq)
            sched = self.sched
            if sched.tracer is not None:
                sched.trace("send", chan=st.obj.num, value=self._shown(st, val), to=w.g.gid)
            sched.ready(w.g, val, True, w.case, st.holds_refs)
            return True
        if len(st.buf) < st.cap:
            st.buf.append(val)
            if st.holds_refs and val:
                self.gc.barrier(st.obj, val)
            if self.sched.tracer is not None:
                self.sched.trace("send", chan=st.obj.num, value=self._shown(st, val))
            return True
        return False

    def try_recv(self, st: ChanState) -> tuple[int, bool] | None:
        """Complete a receive now if possible: (value, ok); None if it must wait."""
        sched = self.sched
        if st.sendq:
            w = dequeue(st.sendq)
            if st.cap == 0:
                val = w.value
            else:  # full buffer: take the head, the sender's value goes to the tail
                val = st.buf.popleft()
                st.buf.append(w.value)
            if sched.tracer is not None:
                sched.trace("recv", chan=st.obj.num, value=self._shown(st, val), sender=w.g.gid)
            sched.ready(w.g, 0, True, w.case)
            return val, True
        if st.buf:
            val = st.buf.popleft()
            if sched.tracer is not None:
                sched.trace("recv", chan=st.obj.num, value=self._shown(st, val))
            return val, True
        if st.closed:
            sched.trace("recv", chan=st.obj.num, value=0, closed=True)
            return 0, False
        return None

    def recv(self, ch: int, fn: str) -> tuple[int, bool]:
        """A receive from ``ch``, parking until it completes: (value, ok)."""
        st = self.get(ch, fn)
        if st is None:
            self.sched.park(self.sched.running("block"), "chan receive (nil chan)")
            raise AssertionError("a nil channel receive never wakes")  # pragma: no cover
        got = self.try_recv(st)
        if got is not None:
            return got
        sched = self.sched
        g = sched.running("receive from an empty channel")
        self.enqueue(st, Waiter(g), sending=False)
        sched.park(g, "chan receive", (ch,))
        return g.wake_value, g.wake_ok


class ChanOps(RuntimeCore):
    sched: Scheduler
    chans: Channels

    def __init__(self) -> None:
        super().__init__()
        self.gc.state_tracers[ValueKind.CHANNEL] = _chan_children

    # -- ABI ----------------------------------------------------------------------------------
    def gox_chan_new(self, elem_kind: int, cap: int) -> int:
        if not valid_kind(elem_kind) or elem_kind == ValueKind.INTERFACE:
            raise GoxABIError(f"gox_chan_new: elem_kind={kind_name(elem_kind)}, expected a single-slot value kind")
        if cap < 0 or cap > MAX_CHAN_CAP:
            raise GoxPanic("makechan: size out of range")
        self.gc.safepoint()
        return self.chans.new(elem_kind, cap).ref

    def gox_chan_send(self, ch: int, val: int) -> None:
        chans = self.chans
        st = chans.get(ch, "gox_chan_send")
        if st is None:
            self.sched.park(self.sched.running("block"), "chan send (nil chan)")
            raise AssertionError("a nil channel send never wakes")  # pragma: no cover
        if st.holds_refs:
            self.heap.check_ref_value(val, "gox_chan_send", f"an element of kind {kind_name(st.elem_kind)}")
        if chans.try_send(st, val):
            return
        sched = self.sched
        g = sched.running("send on a full channel")
        chans.enqueue(st, Waiter(g, val), sending=True)
        sched.park(g, "chan send", (ch,))
        if not g.wake_ok:
            raise GoxPanic("send on closed channel")

    def gox_chan_recv(self, ch: int) -> int:
        return self.chans.recv(ch, "gox_chan_recv")[0]

    def gox_chan_recv_ok(self, ch: int) -> tuple[int, bool]:
        return self.chans.recv(ch, "gox_chan_recv_ok")

    def gox_chan_close(self, ch: int) -> None:
        st = self.chans.get(ch, "gox_chan_close")
        if st is None:
            raise GoxPanic("close of nil channel")
        if st.closed:
            raise GoxPanic("close of closed channel")
        st.closed = True
        sched = self.sched
        sched.trace("close", chan=st.obj.num)
        for q in (st.recvq, st.sendq):
            while q:
                w = dequeue(q)
                sched.ready(w.g, 0, False, w.case)

    def gox_chan_len(self, ch: int) -> int:
        st = self.chans.get(ch, "gox_chan_len")
        return len(st.buf) if st is not None else 0

    def gox_chan_cap(self, ch: int) -> int:
        st = self.chans.get(ch, "gox_chan_cap")
        return st.cap if st is not None else 0
