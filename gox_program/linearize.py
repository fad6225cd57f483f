"""A linearizability checker for channels (docs/SCHEDULER.md, "Checking channels for
linearizability"): does some sequential order of a parallel run's channel operations agree
both with the reference's channel semantics and with the real-time order of the operations?

The history (history.py) gives each completed operation an interval [t0, t1] that contains the
moment it took effect.  The approach is Porcupine's (Wing & Gong's search as improved by Lowe):

* **P-compositionality**: a channel's operations touch only that channel, so each channel's
  history is checked on its own (a run is linearizable iff every channel's history is);
* **the search**: the call and return events in time order, in a linked list; walking it from
  the head, an operation whose call comes before the first remaining return may be linearized
  next if the specification accepts it from the current state: it is lifted out of the list and
  the walk restarts; meeting a return whose operation is not yet linearized means the choices
  so far were wrong: the last one is undone (backtracking).  A set of the (linearized
  operations, state) pairs already seen prunes every branch reached a second time;
* **the sequential specification** is the reference's: gox_ref/chan.py's ``Channels.try_send``
  and ``try_recv`` applied to a channel state (its buffer and closed flag) with no goroutine
  parked; close and len/cap are one line each.  On an unbuffered channel a send completes only
  with a receive: the two are linearized together, at one point, as the receive that finds the
  sender parked (``try_recv`` from the send queue).  A close wakes parked senders with a panic,
  so no rendezvous comes after it.

A violation reports the longest linearization found, the state after it, the operation that
had already returned but cannot come next, and the operations that could have (``Violation``);
a history small enough is shrunk to a minimal non-linearizable sub-history (``shrink``: one from
which no value's sends and receives, nor the close with its effects, can be dropped).  Each
search has a step budget: past it the verdict is "unknown", never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from gox_abi.errors import GoxPanic
from gox_abi.kinds import ValueKind
from gox_ref.chan import Channels, ChanState, Waiter
from gox_ref.gc import Collector
from gox_ref.heap import GcObject, Heap
from gox_ref.sched import Goroutine, Scheduler

from .history import History, Op

State = tuple[tuple[int, ...], bool]  # a channel's buffer and closed flag
START: State = ((), False)
BUDGET = 2_000_000  # search steps per channel before the verdict is "unknown"
SHRINK_MAX = 400  # a violation with at most this many operations is shrunk to a minimal one


class _Quiet:
    """The scheduler as chan.py's rules see it with no goroutine parked: no tracer, nobody to
    wake (the rendezvous's sender is no real goroutine)."""

    tracer = None

    def trace(self, event: str, **info: object) -> None:
        return None

    def ready(self, g: object, value: int, ok: bool, case: int, is_ref: bool = False) -> None:
        return None


class _NoObject:
    num = 0  # (only traces read the channel object's number)


class Spec:
    """The sequential specification of one channel of capacity ``cap``: the reference's rules."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._rules = Channels(cast(Heap, None), cast(Collector, None), cast(Scheduler, _Quiet()))

    def _chan(self, state: State) -> ChanState:
        st = ChanState(cast(GcObject, _NoObject()), ValueKind.INT, self.cap)  # (values compared as words)
        st.buf.extend(state[0])
        st.closed = state[1]
        return st

    def step(self, state: State, op: Op) -> State | None:
        """The state after ``op`` with the result it had, or None if it cannot have it here."""
        k = op.kind
        if k == "close":
            if state[1]:  # close of closed channel
                return None if op.ok else state
            return (state[0], True) if op.ok else None
        if k == "len":
            return state if op.value == len(state[0]) else None
        if k == "cap":
            return state if op.value == self.cap else None
        st = self._chan(state)
        if k in ("send", "send-default"):
            try:
                done = self._rules.try_send(st, op.value)
            except GoxPanic:  # send on closed channel (a select's default is not taken then)
                return state if k == "send" and not op.ok else None
            if k == "send-default":
                return None if done else state
            return (tuple(st.buf), st.closed) if done and op.ok else None
        got = self._rules.try_recv(st)
        if k == "recv-default":
            return state if got is None else None
        return (tuple(st.buf), st.closed) if got == (op.value, op.ok) else None

    def rendezvous(self, state: State, send: Op, recv: Op) -> State | None:
        """An unbuffered channel's send and the receive that took its value, at one point."""
        if state[1] or not (send.ok and recv.ok):  # close wakes a parked sender with a panic
            return None
        st = self._chan(state)
        st.sendq.append(Waiter(cast(Goroutine, None), send.value))
        return state if self._rules.try_recv(st) == (recv.value, True) else None


@dataclass
class Violation:
    chan: int
    cap: int
    ops: list[Op]  # the channel's operations
    prefix: list[Op]  # the longest linearization the search found
    state: State  # the channel after it
    stuck: Op  # had returned by then, but cannot come next
    candidates: list[Op]  # what could have come next in real time
    minimal: list[Op] | None = None  # a minimal non-linearizable sub-history (shrink), when one is found

    def report(self, tail: int = 6) -> str:
        base = min(op.t0 for op in self.ops)
        buf = ", ".join(map(str, self.state[0]))
        kind = f"buffered, cap {self.cap}" if self.cap else "unbuffered"
        lines = [
            f"channel {self.chan} ({kind}): not linearizable ({len(self.ops)} operations; times in us from its first)",
            f"  the longest linearization found orders {len(self.prefix)} of them; its last {min(tail, len(self.prefix))}:",
            *(f"    {op.describe(base)}" for op in self.prefix[-tail:]),
            f"  after it the channel is {'closed' if self.state[1] else 'open'}, buffer [{buf}]",
            f"  and this operation had returned but cannot come next:\n    {self.stuck.describe(base)}",
        ]
        others = [op for op in self.candidates if op is not self.stuck]
        if others:
            lines.append("  nor can any other operation that had started by then:")
            lines += [f"    {op.describe(base)}" for op in others[:tail]]
            if len(others) > tail:
                lines.append(f"    ... and {len(others) - tail} more")
        if self.minimal is not None:
            lines.append(f"  a minimal non-linearizable sub-history ({len(self.minimal)} operations):")
            lines += [f"    {op.describe(base)}" for op in sorted(self.minimal, key=lambda o: (o.t0, o.t1))]
        return "\n".join(lines)


class Unknown(Exception):
    """The search went past its step budget."""


def _search(spec: Spec, ops: Sequence[Op], budget: int) -> Violation | None:
    """Lowe's list-based search over one channel's operations; None if they linearize."""
    n = len(ops)
    head, tail = 2 * n, 2 * n + 1
    # entry 2i is op i's call, 2i+1 its return; at equal times calls first (the ops overlap)
    order = sorted(range(2 * n), key=lambda e: (ops[e >> 1].t1 if e & 1 else ops[e >> 1].t0, e & 1, e))
    nxt = [0] * (2 * n + 2)
    prv = [0] * (2 * n + 2)
    chain = [head, *order, tail]
    for a, b in itertools.pairwise(chain):
        nxt[a], prv[b] = b, a

    def lift(i: int) -> None:
        for e in (2 * i, 2 * i + 1):
            nxt[prv[e]], prv[nxt[e]] = nxt[e], prv[e]

    def unlift(i: int) -> None:
        for e in (2 * i + 1, 2 * i):
            nxt[prv[e]] = prv[nxt[e]] = e

    unbuffered = spec.cap == 0
    partner = {"send": "recv", "recv": "send"}

    def moves(entry: int) -> list[tuple[int, ...]]:
        a = entry >> 1
        out: list[tuple[int, ...]] = [(a,)]
        op = ops[a]
        if unbuffered and op.ok and op.kind in partner:  # the rendezvous with a concurrent partner
            e = nxt[entry]
            while e < head and not e & 1:
                b = ops[e >> 1]
                if b.kind == partner[op.kind] and b.ok and b.value == op.value:
                    out.append((a, e >> 1))
                e = nxt[e]
        return out

    def apply(state: State, mv: tuple[int, ...]) -> State | None:
        if len(mv) == 1:
            return spec.step(state, ops[mv[0]])
        x, y = ops[mv[0]], ops[mv[1]]
        return spec.rendezvous(state, x, y) if x.kind == "send" else spec.rendezvous(state, y, x)

    seen: set[tuple[int, State]] = set()
    stack: list[tuple[int, int, tuple[int, ...], State]] = []  # (entry, move index, move, state before)
    state, lin, steps = START, 0, 0
    best: Violation | None = None
    entry, start = nxt[head], 0
    while nxt[head] != tail:
        if not entry & 1:  # a call: try its moves from `start` on
            advanced = False
            mvs = moves(entry)
            for mi in range(start, len(mvs)):
                steps += 1
                if steps > budget:
                    raise Unknown(f"over {budget:,} search steps")
                new = apply(state, mvs[mi])
                if new is None:
                    continue
                bits = sum(1 << i for i in mvs[mi])
                if (lin | bits, new) in seen:
                    continue
                seen.add((lin | bits, new))
                stack.append((entry, mi, mvs[mi], state))
                state, lin = new, lin | bits
                for i in mvs[mi]:
                    lift(i)
                entry, start, advanced = nxt[head], 0, True
                break
            if not advanced:
                entry, start = nxt[entry], 0
            continue
        # a return whose operation is not linearized yet: undo the last choice
        if best is None or len(stack) > len(best.prefix):
            cands, e = [], nxt[head]
            while not e & 1:
                cands.append(ops[e >> 1])
                e = nxt[e]
            prefix = [ops[i] for _, _, mv, _ in stack for i in mv]
            best = Violation(0, spec.cap, list(ops), prefix, state, ops[entry >> 1], cands)
        if not stack:
            return best
        entry, mi, mv, state = stack.pop()
        for i in reversed(mv):
            unlift(i)
        lin &= ~sum(1 << i for i in mv)
        start = mi + 1
    return None


def _fails(spec: Spec, ops: list[Op], budget: int) -> bool:
    """``ops`` do not linearize (undecided counts as not shown)."""
    try:
        return _search(spec, ops, budget) is not None
    except Unknown:
        return False


OBSERVERS = ("len", "cap", "send-default", "recv-default")


def _units(ops: list[Op]) -> list[list[Op]]:
    """What a sub-history drops together, so that what is left still explains itself: each
    value's sends with its successful receives; the close with everything it caused (receives
    with ok false, panicked sends and closes)."""
    by_value: dict[int, list[Op]] = {}
    closing: list[Op] = []
    for op in ops:
        if op.kind == "close" or not op.ok:
            closing.append(op)
        else:
            by_value.setdefault(op.value, []).append(op)
    return [*by_value.values(), *([closing] if closing else [])]


def shrink(spec: Spec, ops: list[Op], budget: int = BUDGET) -> list[Op] | None:
    """A minimal non-linearizable sub-history of ``ops`` (which do not linearize), or None:
    the observers (len, cap, select defaults) go first, then units (``_units``), chunks of them
    and then single ones, while what is left still does not linearize.  When the violation
    needs an observer there is no meaningful smaller history (dropping a value changes what
    len saw), and the answer is None."""
    core = [op for op in ops if op.kind not in OBSERVERS]
    if len(core) < len(ops) and not _fails(spec, core, budget):
        return None
    units = _units(core)
    size = max(1, len(units) // 2)
    while True:
        i = 0
        while i < len(units):
            sub = units[:i] + units[i + size:]
            if sub and _fails(spec, [op for u in sub for op in u], budget):
                units = sub
            else:
                i += size
        if size == 1:
            return [op for u in units for op in u]
        size = max(1, size // 2)


def check_channel(chan: int, cap: int, ops: list[Op], budget: int = BUDGET) -> Violation | None:
    """None if the channel's operations linearize; Unknown past the step budget."""
    spec = Spec(cap)
    v = _search(spec, ops, budget)
    if v is None:
        return None
    v.chan = chan
    sub = ops
    if len(ops) > SHRINK_MAX:  # a failing prefix first: the values first sent, 16, 32, ... of them
        units = sorted(_units([op for op in ops if op.kind not in OBSERVERS]), key=lambda u: min(op.t0 for op in u))
        n = 16
        while True:
            sub = [op for u in units[:n] for op in u]
            if len(sub) > SHRINK_MAX or n >= len(units):
                return v
            if _fails(spec, sub, budget):
                break
            n *= 2
    v.minimal = shrink(spec, sub, budget)
    return v


@dataclass
class Report:
    channels: int = 0
    ops: int = 0
    unchecked: int = 0  # selects that took default over several channels
    violations: list[Violation] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # channels not decided, and why

    @property
    def ok(self) -> bool:
        return not self.violations and not self.unknown

    def summary(self) -> str:
        verdict = "linearizable" if self.ok else "NOT linearizable" if self.violations else "undecided"
        text = f"{self.ops} operations on {self.channels} channels: {verdict}"
        if self.unchecked:
            text += f" ({self.unchecked} multi-channel select defaults not checked)"
        return "\n".join([text, *self.unknown, *(v.report() for v in self.violations)])


def check(history: History, budget: int = BUDGET) -> Report:
    """Every channel of a run's history, each on its own (P-compositionality)."""
    rep = Report(unchecked=history.unchecked)
    for chan, ops in sorted(history.by_channel().items()):
        rep.channels += 1
        rep.ops += len(ops)
        if chan not in history.caps:
            rep.unknown.append(f"channel {chan}: no make record (made outside the recorded run): not checked")
            continue
        try:
            v = check_channel(chan, history.caps[chan], ops, budget)
        except Unknown as e:
            rep.unknown.append(f"channel {chan}: undecided: {e}")
            continue
        if v is not None:
            rep.violations.append(v)
    return rep
