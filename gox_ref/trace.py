"""An opt-in event log of a run: scheduler, channel, select, panic and GC events.

``log = rt.start_trace()`` installs a recorder as the scheduler's ``tracer`` (its ``trace``
calls it with ``(event, gid, **info)``) and a hook on ``rt.gc.on_cycle``;
``rt.stop_trace()`` removes both.  Each recorded ``TraceEvent`` carries a logical clock
``seq`` (1, 2, 3, ... in the order events happen; no wall time, so a run's trace is a pure
function of the program and its seed), the id of the goroutine that was running (0: the
host, outside any goroutine), the event name and its details.

Events (docs/SCHEDULER.md, "Tracing"):

===========  ===============================  ===========================================
event        emitted                          details
===========  ===============================  ===========================================
spawn        ``go f()`` (and main at start)   child
run          a goroutine gets the processor   (gid is the goroutine that runs)
park         the running goroutine blocks     reason (Go's wait reason)
wake         a parked goroutine is readied    target
yield        ``gox_yield``                    --
exit         a goroutine's function returned  --
send         a send completed                 chan, value[, to]
recv         a receive completed              chan, value[, sender][, closed]
close        ``close(ch)``                    chan
select       a select chose a case            case (-1: default)
panic        a panic started                  value
recover      a frame recovered and returns    --
recovered    ``recover()`` stopped a panic    value
fatal        the program ends abnormally      message
gc_start     a GC cycle started               the collector's statistics (GcStats fields)
gc_end       a GC cycle ended                 the collector's statistics (GcStats fields)
timer_set    a timer, ticker or sleep is set  timer, when[, period]
timer_stop   a timer or ticker is stopped     timer, pending
timer_reset  ``gox_timer_reset``              timer, pending
clock        the clock jumps                  now
timer_fire   a timer fires                    timer, when
===========  ===============================  ===========================================

``chan`` is the channel's allocation number.  Export forms:

* ``TraceLog.canonical()``: one line per event, ``"<seq> g<gid> <event> k=v ..."`` with the
  details sorted by name -- the form to compare two runs (same seed -> identical lists);
* ``TraceLog.to_chrome_json()`` / ``write(path)``: Chrome Trace Event JSON
  (``{"traceEvents": [...]}``, loadable in Perfetto and chrome://tracing).  ``pid`` is 1,
  ``tid`` the goroutine id, ``ts`` the logical clock.  Every event is an instant (``ph: "i"``,
  ``s: "t"``) named after it with its details in ``args``; in addition ``run`` opens a
  ``running`` slice (``ph: "B"``) on the goroutine's track that the goroutine's next park,
  yield, exit or fatal closes (``ph: "E"``), and each GC cycle is a ``gc cycle`` slice on
  track 0.  Slices still open at the end are closed at the last clock value + 1.  Metadata
  events (``ph: "M"``) name the process ``gox`` and each track ``goroutine N`` (``host`` for 0).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gox_abi.gcstats import GcStats

from .core import RuntimeCore
from .sched import Scheduler

_SLICE_END = frozenset({"park", "yield", "exit", "fatal"})
_LINE = re.compile(r"(\d+) g(\d+) (\S+)((?: .*)?)$")
# a detail: key=repr(value); a string's repr may hold spaces and escaped quotes
_ARG = re.compile(r""" (\w+)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+)""")


@dataclass(frozen=True)
class TraceEvent:
    seq: int  # the logical clock
    gid: int
    name: str
    args: dict[str, Any] = field(default_factory=dict)

    def canonical(self) -> str:
        parts = [f"{self.seq}", f"g{self.gid}", self.name]
        parts += [f"{k}={self.args[k]!r}" for k in sorted(self.args)]
        return " ".join(parts)


class TraceLog:
    """The events of one trace, in clock order."""

    def __init__(self) -> None:
        self.events: list[TraceEvent] = []
        self.clock = 0

    def record(self, event: str, gid: int, **info: Any) -> None:
        """The ``rt.tracer`` callback."""
        self.clock += 1
        self.events.append(TraceEvent(self.clock, gid, event, dict(info)))

    def canonical(self) -> list[str]:
        return [e.canonical() for e in self.events]

    @classmethod
    def from_canonical(cls, lines: str | Iterable[str]) -> TraceLog:
        """The log whose ``canonical()`` is ``lines`` (a text or its lines): how a trace the C
        runtime wrote (``gox_trace_text``) becomes the same Chrome JSON as the reference's."""
        log = cls()
        for line in lines.splitlines() if isinstance(lines, str) else lines:
            if not line.strip():
                continue
            m = _LINE.match(line)
            if m is None:
                raise ValueError(f"not a canonical trace line: {line!r}")
            seq, gid, name, rest = int(m[1]), int(m[2]), m[3], m[4] or ""
            args: dict[str, Any] = {}
            pos = 0
            while pos < len(rest):
                a = _ARG.match(rest, pos)
                if a is None:
                    raise ValueError(f"bad detail in trace line: {line!r}")
                args[a[1]] = ast.literal_eval(a[2])
                pos = a.end()
            log.events.append(TraceEvent(seq, gid, name, args))
            log.clock = max(log.clock, seq)
        return log

    def names(self) -> list[str]:
        return [e.name for e in self.events]

    def to_chrome(self) -> dict[str, Any]:
        out: list[dict[str, Any]] = [
            {"ph": "M", "name": "process_name", "pid": 1, "tid": 0, "ts": 0, "args": {"name": "gox"}},
        ]
        tids = sorted({0} | {e.gid for e in self.events})
        for tid in tids:
            label = "host" if tid == 0 else f"goroutine {tid}"
            out.append({"ph": "M", "name": "thread_name", "pid": 1, "tid": tid, "ts": 0, "args": {"name": label}})
        open_run: set[int] = set()
        gc_open = False
        for e in self.events:
            base = {"pid": 1, "tid": e.gid, "ts": e.seq}
            if e.name == "run":
                out.append({**base, "ph": "B", "name": "running", "args": {"seq": e.seq}})
                open_run.add(e.gid)
                continue
            out.append({**base, "ph": "i", "s": "t", "name": e.name, "args": {"seq": e.seq, **e.args}})
            if e.name in _SLICE_END and e.gid in open_run:
                out.append({**base, "ph": "E", "name": "running", "args": {}})
                open_run.discard(e.gid)
            elif e.name == "gc_start" and not gc_open:
                out.append({"pid": 1, "tid": 0, "ts": e.seq, "ph": "B", "name": "gc cycle", "args": dict(e.args)})
                gc_open = True
            elif e.name == "gc_end" and gc_open:
                out.append({"pid": 1, "tid": 0, "ts": e.seq, "ph": "E", "name": "gc cycle", "args": dict(e.args)})
                gc_open = False
        end = self.clock + 1
        for tid in sorted(open_run):
            out.append({"pid": 1, "tid": tid, "ts": end, "ph": "E", "name": "running", "args": {}})
        if gc_open:
            out.append({"pid": 1, "tid": 0, "ts": end, "ph": "E", "name": "gc cycle", "args": {}})
        return {"traceEvents": out, "displayTimeUnit": "ns", "otherData": {"clock": "logical"}}

    def to_chrome_json(self) -> str:
        return json.dumps(self.to_chrome())

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.to_chrome_json())


class TraceOps(RuntimeCore):
    """``start_trace`` / ``stop_trace`` on the runtime: a recorder as the scheduler's tracer and
    a hook on the collector's cycles."""

    sched: Scheduler
    _trace_log: TraceLog | None = None
    _trace_gc_hook: Callable[[str, GcStats], None] | None = None

    def start_trace(self, log: TraceLog | None = None) -> TraceLog:
        """Record every event from now on into ``log``, by default a new log (replacing a
        running trace); a subclass of ``TraceLog`` may watch each event as it is recorded."""
        self.stop_trace()
        log = log if log is not None else TraceLog()
        sched = self.sched

        def gc_hook(phase: str, stats: GcStats) -> None:
            cur = sched.current
            log.record("gc_" + phase, cur.gid if cur is not None else 0, **dataclasses.asdict(stats))

        sched.tracer = log.record
        self.gc.on_cycle.append(gc_hook)
        self._trace_log = log
        self._trace_gc_hook = gc_hook
        return log

    def stop_trace(self) -> TraceLog | None:
        """Stop recording; returns the log that was recording, if any."""
        log = self._trace_log
        if log is None:
            return None
        if self._trace_gc_hook in self.gc.on_cycle:
            self.gc.on_cycle.remove(self._trace_gc_hook)
        if self.sched.tracer == log.record:
            self.sched.tracer = None
        self._trace_log = None
        self._trace_gc_hook = None
        return log


__all__ = ["TraceEvent", "TraceLog", "TraceOps"]
