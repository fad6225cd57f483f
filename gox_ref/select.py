"""Select: the ABI's start / add_send / add_recv / exec protocol, with Go's semantics.

``gox_select_start(n, has_default)`` opens a select of ``n`` cases on the running goroutine;
``gox_select_add_send(ch, v)`` and ``gox_select_add_recv(ch)`` add them in source order (so
their operands are evaluated once, on entry, as the spec says); ``gox_select_exec()`` runs it
and returns the chosen case's index, or -1 for default.  A receive case's value and ``ok``
are then ``gox_select_recv_result()``.

exec does what runtime/select.go does, in the four steps numbered in gox_select_exec below
(the poll order, pass 1, default or blocking forever, pass 2); the rule, its draws included,
is docs/SCHEDULER.md section 2, item 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gox_abi.errors import GoxABIError, GoxPanic
from gox_abi.kinds import kind_name

from .chan import Channels, ChanState, Waiter, chan_state
from .core import RuntimeCore
from .gc import Root
from .sched import Goroutine, Scheduler

SEND = "send"
RECV = "recv"


@dataclass(eq=False)
class SelectState:
    ncases: int
    has_default: bool
    cases: list[tuple[str, int, int]] = field(default_factory=list)  # (dir, chan ref, value)


@dataclass(eq=False)
class SelectWait:
    """The waiters one blocked select parked, so the winner can remove the others."""

    waiters: list[tuple[ChanState, Waiter]] = field(default_factory=list)
    done: bool = False

    def won(self, w: Waiter) -> None:
        """``w``, one of its waiters, has just left its queue with a completed case: every other
        waiter leaves its queue now (select.c: ``select_won``)."""
        assert not self.done
        self.done = True
        for st, other in self.waiters:
            if other is w:
                continue
            q = st.sendq if other in st.sendq else st.recvq
            q.remove(other)


class SelectOps(RuntimeCore):
    sched: Scheduler
    chans: Channels

    def _select_roots(self, g: Goroutine) -> Iterable[Root]:
        """A goroutine's open select: each case's channel and a send case's value, then the value
        its last receive case took (select.c: ``select_roots``)."""
        if g.select is not None:
            for i, (d, ch, val) in enumerate(g.select.cases):
                yield f"goroutine {g.gid}: select case {i} channel", ch
                if d == SEND and ch and chan_state(self.heap.get(ch, "gc")).holds_refs:
                    yield f"goroutine {g.gid}: select case {i} value", val
        # the value a receive case took stays alive until gox_select_recv_result may read it
        if g.select_result_ref and g.select_result[0]:
            yield f"goroutine {g.gid}: select's received value", g.select_result[0]

    def _open_select(self, fn: str) -> SelectState:
        st: SelectState | None = self.sched.g().select
        if st is None:
            raise GoxABIError(f"{fn}: no select is open; expected gox_select_start first")
        if len(st.cases) >= st.ncases:
            raise GoxABIError(f"{fn}: the select already has its {st.ncases} cases")
        return st

    # -- ABI ----------------------------------------------------------------------------------
    def gox_select_start(self, ncases: int, has_default: bool) -> None:
        g = self.sched.g()
        if g.select is not None:
            raise GoxABIError("gox_select_start: a select is already open; expected gox_select_exec first")
        if ncases > 65536:
            raise GoxABIError(f"gox_select_start: ncases={ncases}, expected at most 65536 (Go's limit)")
        g.select = SelectState(ncases, bool(has_default))

    def gox_select_add_send(self, ch: int, val: int) -> None:
        st = self._open_select("gox_select_add_send")
        cst = self.chans.get(ch, "gox_select_add_send")
        if cst is not None and cst.holds_refs:
            self.heap.check_ref_value(val, "gox_select_add_send", f"an element of kind {kind_name(cst.elem_kind)}")
        st.cases.append((SEND, ch, val))

    def gox_select_add_recv(self, ch: int) -> None:
        st = self._open_select("gox_select_add_recv")
        self.chans.get(ch, "gox_select_add_recv")
        st.cases.append((RECV, ch, 0))

    def gox_select_exec(self) -> int:
        g = self.sched.g()
        st = g.select
        if st is None:
            raise GoxABIError("gox_select_exec: no select is open; expected gox_select_start first")
        if len(st.cases) != st.ncases:
            raise GoxABIError(f"gox_select_exec: {len(st.cases)} cases added, the select was opened with {st.ncases}")
        g.select_result_ref = False
        try:
            return self._exec(g, st)
        finally:
            g.select = None

    def _exec(self, g: Goroutine, st: SelectState) -> int:
        sched, chans = self.sched, self.chans
        # 1. poll order over the non-nil cases
        order: list[int] = []
        for i, (_, ch, _) in enumerate(st.cases):
            if ch == 0:
                continue
            j = sched.rng.below(len(order) + 1)
            order.append(i)
            order[-1], order[j] = order[j], i
        # 2. pass 1: the first ready case in poll order
        for i in order:
            d, ch, val = st.cases[i]
            cst = chan_state(self.heap.get(ch, "gox_select_exec"))
            if d == SEND:
                if chans.try_send(cst, val):
                    return self._chose(i)
            else:
                got = chans.try_recv(cst)
                if got is not None:
                    g.select_result, g.select_result_ref = got, cst.holds_refs
                    return self._chose(i)
        # 3. default, or block forever
        if st.has_default:
            return self._chose(-1)
        if not order:
            sched.park(sched.running("block"), "select (no cases)" if st.ncases == 0 else "select")
            raise AssertionError("a select without channels never wakes")  # pragma: no cover
        # 4. pass 2: park on every channel; the first to complete a case wins
        me = sched.running("block in select")
        sw = SelectWait()
        for i in sorted(order):
            d, ch, val = st.cases[i]
            cst = chan_state(self.heap.get(ch, "gox_select_exec"))
            w = Waiter(me, val if d == SEND else 0, case=i, select=sw)
            chans.enqueue(cst, w, sending=d == SEND)
            sw.waiters.append((cst, w))
        sched.park(me, "select", tuple(ch for _, ch, _ in st.cases if ch))
        i = me.wake_case
        if st.cases[i][0] == SEND:
            if not me.wake_ok:
                raise GoxPanic("send on closed channel")
        else:
            cst = chan_state(self.heap.get(st.cases[i][1], "gox_select_exec"))
            g.select_result, g.select_result_ref = (me.wake_value, me.wake_ok), cst.holds_refs
        return self._chose(i)

    def _chose(self, i: int) -> int:
        self.sched.trace("select", case=i)
        return i

    def gox_select_recv_result(self) -> tuple[int, bool]:
        return self.sched.g().select_result
