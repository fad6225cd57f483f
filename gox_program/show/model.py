"""One model of a run's states: what ``gox-ref show`` prints (``--text``) and draws (the page).

A program runs on the reference backend (the interpreter over ``gox_ref``, as ``gox-ref run
--backend ref``), and at every step the recorder takes the state of the run:

* the goroutines: id, function, state (running, runnable, waiting, dead), what it waits on
  (Go's wait reason and the channels), which goroutine woke it, its call stack with each
  frame's current line, its defer frames (the deferred calls not yet run) and its panics;
* the channels: element kind, capacity, buffer, closed flag, receive and send queues in order;
* the heap: every object with its GC colour (white, gray, black; ``white(dead)`` during the
  sweep: what it frees), the collector's phase, the roots;
* the program's output so far (stdout and stderr).

The steps are the trace's events (gox_ref/trace.py; docs/SCHEDULER.md section 6), each with
its logical clock ``seq``, plus three the model adds without touching the trace (their
``seq`` is that of the trace event before them): ``gc_step`` (an incremental collector step
ended: ``phase``, and ``freed``, the objects its sweep freed), ``shade`` (the write barrier
turned object ``child`` gray when it was stored into black ``parent``), ``checkpoint`` (the
program passed ``checkpoint "label"``: ``label``) and ``end`` (the run ended: ``status``).

States are JSON-like dicts, stored as deltas: step i's delta turns state i-1 into state i
(``apply``); ``RunModel.state_at(i)`` rebuilds state i.  A state is::

    {"goroutines": {gid: G}, "channels": {num: C}, "objects": {num: O},   # keyed sections
     "roots": {"WHERE -> #NUM": [where, num]}, "gc": {...}, "stdout": str, "stderr": str}

Keyed sections' keys are strings (as in JSON).  A delta holds, per keyed section, ``set`` (the
entries new or changed, whole) and ``del`` (the keys gone); the whole new value of ``gc``
when it changed; and the text ``stdout``/``stderr`` gained.  The page rebuilds the
states from the same deltas (docs/SHOW.md), so text and page cannot disagree.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass, field
from typing import Any

from gox_abi.heapview import ObjectView, readable
from gox_abi.kinds import ValueKind
from gox_abi.layout import canonical_num
from gox_ref import RefRuntime
from gox_ref.chan import chan_state
from gox_ref.heap import GcObject
from gox_ref.heapview import view_object
from gox_ref.sched import Goroutine
from gox_ref.trace import TraceLog

from ..interp import Interpreter
from ..limits import DEFAULT_STEPS, REF_MAX_DEPTH
from ..syntax import Program

KEYED = ("goroutines", "channels", "objects", "roots")
_CHANNEL = ValueKind.CHANNEL
_HOST_STATE = frozenset({ValueKind.CHANNEL, ValueKind.MAP})  # children kept outside the slots
WHOLE = ("gc",)
TEXTS = ("stdout", "stderr")

State = dict[str, Any]
Delta = dict[str, Any]


@dataclass(frozen=True)
class Step:
    index: int  # 0, 1, 2, ...: the model's timeline
    seq: int  # the trace's logical clock (model-only steps share the previous event's)
    gid: int  # the goroutine that was running (0: none)
    event: str
    args: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """``clock SEQ gGID EVENT k=v ...``: the event as the trace's canonical form words it."""
        details = "".join(f" {k}={v!r}" for k, v in sorted(self.args.items()))
        return f"clock {self.seq} g{self.gid} {self.event}{details}"

    def to_json(self) -> list[Any]:
        return [self.seq, self.gid, self.event, self.args]


def empty_state() -> State:
    return {"goroutines": {}, "channels": {}, "objects": {}, "roots": {}, "gc": {}, "stdout": "", "stderr": ""}


def apply(state: State, delta: Delta) -> None:
    """Turn ``state`` (a step's) into the next step's, in place (entries are replaced, never
    changed, so states rebuilt from the same deltas may share them)."""
    for sec in KEYED:
        d = delta.get(sec)
        if d is not None:
            part = state[sec] = dict(state[sec])
            part.update(d.get("set", {}))
            for k in d.get("del", ()):
                part.pop(k, None)
    for sec in WHOLE:
        if sec in delta:
            state[sec] = delta[sec]
    for sec in TEXTS:
        if sec in delta:
            state[sec] = state[sec] + delta[sec]


def diff(old: State, new: State, known: tuple[str, ...] = ()) -> Delta:
    """The delta that ``apply`` turns ``old`` into ``new`` with (but for the ``known``
    sections, whose delta the caller has)."""
    delta: Delta = {}
    for sec in KEYED:
        if sec in known:
            continue
        a, b = old[sec], new[sec]
        changed = {k: v for k, v in b.items() if a.get(k) != v}
        gone = [k for k in a if k not in b]
        if changed or gone:
            delta[sec] = {k: v for k, v in (("set", changed), ("del", gone)) if v}
    for sec in WHOLE:
        if old[sec] != new[sec]:
            delta[sec] = new[sec]
    for sec in TEXTS:
        if len(new[sec]) > len(old[sec]):
            delta[sec] = new[sec][len(old[sec]):]
    return delta


@dataclass
class RunModel:
    """A recorded run: its steps and the delta of each."""

    file: str
    source: str
    seed: int
    steps: list[Step] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    status: int | None = None

    def state_at(self, index: int) -> State:
        """The state after step ``index`` (rebuilt from the deltas)."""
        if not 0 <= index < len(self.steps):
            raise IndexError(f"step {index} is not in the run (it has steps 0..{len(self.steps) - 1})")
        state = empty_state()
        for d in self.deltas[: index + 1]:
            apply(state, d)
        return state

    def states(self) -> list[State]:
        """Every step's state, in order (one replay)."""
        out: list[State] = []
        state = empty_state()
        for d in self.deltas:
            apply(state, d)
            out.append(dict(state))
        return out

    def checkpoint(self, label: str) -> int | None:
        """The step of the program's first ``checkpoint "label"``, if it passed one."""
        return next((s.index for s in self.steps if s.event == "checkpoint" and s.args["label"] == label), None)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "source": self.source, "seed": self.seed, "status": self.status,
                "steps": [s.to_json() for s in self.steps], "deltas": self.deltas}


class Recorder(TraceLog):
    """A trace log that takes the run's state at each event it records (the runtime's tracer:
    ``rt.start_trace(recorder)``), and at each collector step and barrier shading."""

    def __init__(self, rt: RefRuntime, model: RunModel, out: io.BytesIO, err: io.BytesIO) -> None:
        super().__init__()
        self.rt = rt
        self.model = model
        self.interp: Interpreter | None = None
        self.prev = empty_state()
        self.gviews: dict[str, dict[str, Any]] = {}  # each goroutine's entry, as of the last state (kept when it ends)
        self.woken_by: dict[int, int] = {}
        # each object's mark and slots when last worded, and a channel's state (None: a map's,
        # worded at every step)
        self.fingerprints: dict[int, tuple[int, list[int], Any]] = {}
        self.chan_views: dict[int, dict[str, Any]] = {}  # each channel's entry, as of its fingerprint
        self.views: dict[str, dict[str, Any]] = {}  # each object's entry, as of the last state
        self.white = rt.gc.current_white
        self.streams = {"stdout": out, "stderr": err}
        self.decoders = {k: codecs.getincrementaldecoder("utf-8")("replace") for k in TEXTS}
        self.seen = dict.fromkeys(TEXTS, 0)
        self.text = dict.fromkeys(TEXTS, "")
        self._watch_collector()

    def attach(self, interp: Interpreter) -> None:
        """``execute``'s ``on_start``: the interpreter whose call stacks the states show."""
        self.interp = interp

    def _watch_collector(self) -> None:
        """Take a state after each collector step and each shading by the write barrier.  The
        collector's methods are wrapped on this runtime only (instrumentation of a recording
        run, like the tracer): they still do exactly what they did."""
        gc, heap = self.rt.gc, self.rt.heap
        step, barrier = gc.step, gc.barrier

        def watched_step(budget: int, args: Any = ()) -> bool:
            before = set(heap.objects)
            done = step(budget, args)
            freed = sorted(before - heap.objects.keys())
            self.take("gc_step", phase=gc.state.name, freed=freed)
            return done

        def watched_barrier(parent: GcObject, child_ref: int) -> None:
            child = heap.lookup(child_ref) if child_ref else None
            mark = child.mark if child is not None else None
            barrier(parent, child_ref)
            if child is not None and child.mark != mark:
                self.take("shade", parent=parent.num, child=child.num)

        gc.step = watched_step  # type: ignore[method-assign]
        gc.barrier = watched_barrier  # type: ignore[method-assign]

    # -- taking states ------------------------------------------------------------------------
    def record(self, event: str, gid: int, **info: Any) -> None:
        super().record(event, gid, **info)
        if event == "wake":
            self.woken_by[info["target"]] = gid
        touched = (gid, *(info[k] for k in ("target", "child") if k in info))
        self._add(Step(len(self.model.steps), self.clock, gid, event, dict(info)), *self.state(touched))

    def take(self, event: str, **args: Any) -> None:
        """A model-only step (not in the trace)."""
        cur = self.rt.sched.current
        self._add(Step(len(self.model.steps), self.clock, cur.gid if cur else 0, event, args), *self.state(()))

    def finish(self, status: int) -> None:
        """The run ended: the last step, with the output the end wrote (the goroutines keep
        their last state: the runtime has forgotten them)."""
        state = dict(self.prev)
        state.update(self._texts())
        self.model.status = status
        self._add(Step(len(self.model.steps), self.clock, 0, "end", {"status": status}), state, {})

    def _add(self, step: Step, state: State, known: Delta) -> None:
        self.model.steps.append(step)
        delta = diff(self.prev, state, known=("goroutines", "objects"))
        delta.update(known)
        self.model.deltas.append(delta)
        self.prev = state

    def state(self, touched: tuple[int, ...]) -> tuple[State, Delta]:
        """The run's state now, and the delta of its goroutines and objects (worked out as
        they are read); ``touched``: the goroutines the step names."""
        objects, channels = self._heap()
        delta: Delta = {}
        goroutines = self._goroutines(touched)
        if goroutines:
            delta["goroutines"] = goroutines
        if objects:
            delta["objects"] = objects
        state: State = {"goroutines": self.gviews, "channels": channels, "objects": self.views,
                        "gc": self._gc(), "roots": self._roots()}
        state.update(self._texts())
        return state, delta

    def _texts(self) -> dict[str, str]:
        for k, stream in self.streams.items():
            data = stream.getbuffer()
            if len(data) > self.seen[k]:
                self.text[k] += self.decoders[k].decode(bytes(data[self.seen[k]:]))
                self.seen[k] = len(data)
            del data
        return dict(self.text)

    def _goroutines(self, touched: tuple[int, ...]) -> Delta:
        """The goroutines' delta since the last state (``self.gviews`` is kept up to date).
        Only the goroutines a step names (its goroutine, a ``wake``'s target, a ``spawn``'s
        child) and the running one can have changed: a goroutine's state changes only when it
        runs, parks, yields or ends, or is woken, each an event naming it; its stack and defer
        frames only while it runs.  (So a step costs the same with 10 goroutines or 10,000.)"""
        sched = self.rt.sched
        cur = sched.current
        changed: dict[str, Any] = {}
        for gid in sorted({*touched, cur.gid if cur is not None else 0} - {0}):
            g = sched.goroutines.get(gid)
            if g is None:  # it ended (its exit step took its last state)
                continue
            key, entry = str(gid), self.goroutine_entry(g)
            if self.gviews.get(key) != entry:
                self.gviews[key] = changed[key] = entry
        return {"set": changed} if changed else {}

    def goroutine_entry(self, g: Goroutine) -> dict[str, Any]:
        stacks = self.interp.stacks if self.interp is not None else {}
        return {
            "gid": g.gid,
            "func": g.name(),
            "state": g.status,
            "wait": g.wait_reason,
            "chans": [self.rt.heap.num_of(c) for c in g.parked_on],
            "woken_by": self.woken_by.get(g.gid),
            "stack": [[fr.fn.name, fr.line] for fr in stacks.get(g.gid, ())],
            "defers": [[_entry_name(e) for e, _ in fr.defers] for fr in g.frames if fr.defers],
            "panics": [p.text + (" [recovered]" if p.recovered else "") for p in g.panics],
        }

    def _heap(self) -> tuple[Delta, dict[str, Any]]:
        """The objects' delta since the last state (``self.views`` is kept up to date) and
        the channels.  An object is worded again only when its mark or slots changed, a
        channel's buffer or queues (``_chan_fingerprint``), or it is a map (its entries are host
        state): the cost of a step on a large heap."""
        heap = self.rt.heap
        cw = self.rt.gc.current_white
        fps, views = self.fingerprints, self.views
        if cw != self.white:  # the whites swapped: every white object's colour name changes
            fps.clear()
            self.white = cw
        changed: dict[str, Any] = {}
        channels: dict[str, Any] = {}
        for num, obj in heap.objects.items():
            kind = obj.kind
            host = _chan_fingerprint(obj) if kind == _CHANNEL else None
            fp = fps.get(num)
            fresh = fp is not None and fp[0] == obj.mark and fp[1] == obj.slots and (
                kind not in _HOST_STATE or (host is not None and fp[2] == host))
            if kind == _CHANNEL:
                if not fresh:  # (a fresh channel was worded when its fingerprint was taken)
                    self.chan_views[num] = self._channel(obj)
                channels[str(num)] = self.chan_views[num]
            if not fresh:
                fps[num] = (obj.mark, list(obj.slots), host)
                key = str(num)
                view = self._object(obj)
                if views.get(key) != view:
                    views[key] = changed[key] = view
        gone = [str(n) for n in sorted(fps.keys() - heap.objects.keys())]
        for key in gone:
            del fps[int(key)]
            del views[key]
            self.chan_views.pop(int(key), None)
        delta: Delta = {k: v for k, v in (("set", changed), ("del", gone)) if v}
        return delta, channels

    def _object(self, obj: GcObject) -> dict[str, Any]:
        """An object as ``gox-ref heap`` words it (gox_abi/heapview.py's ``readable``)."""
        rt = self.rt
        objects = rt.heap.objects

        def lookup(ref: int) -> ObjectView | None:  # (a string's byte array: its text)
            other = objects.get(canonical_num(ref))
            return view_object(rt, other) if other is not None else None

        v = view_object(rt, obj)
        label = readable(v, lookup)
        return {"num": v.num, "kind": v.kind, "type": v.type_name, "color": v.color, "title": label.title,
                "fields": list(label.fields), "edges": [list(e) for e in label.edges]}

    def _channel(self, obj: GcObject) -> dict[str, Any]:
        st = chan_state(obj)
        num_of = self.rt.heap.num_of

        def shown(v: int) -> Any:
            return f"#{num_of(v)}" if st.holds_refs and v else v

        return {
            "num": obj.num,
            "elem": ValueKind(st.elem_kind).name.title().replace("_", ""),
            "cap": st.cap,
            "buf": [shown(v) for v in st.buf],
            "closed": st.closed,
            "recvq": [{"gid": w.g.gid, "case": w.case} for w in st.recvq],
            "sendq": [{"gid": w.g.gid, "case": w.case, "value": shown(w.value)} for w in st.sendq],
        }

    def _gc(self) -> dict[str, Any]:
        gc = self.rt.gc
        return {"phase": gc.state.name, "cycles": gc.cycles, "steps": gc.steps,
                "gray": [o.num for o in gc.gray], "live_bytes": self.rt.heap.live_bytes, "threshold": gc.threshold}

    def _roots(self) -> dict[str, list[Any]]:
        """Keyed like the objects (``WHERE -> #NUM``: [where, num]), so that a step's delta holds
        only the roots that changed: with a few hundred goroutines the whole list at every step
        made most of a page's bytes."""
        heap = self.rt.heap
        pairs = ((where, heap.num_of(v)) for src in self.rt.gc.root_sources for where, v in src() if v)
        return {f"{where} -> #{num}": [where, num] for where, num in pairs}


def _chan_fingerprint(obj: GcObject) -> tuple[Any, ...]:
    """What a channel's entry shows, cheaply: worded again only when this changes."""
    st = chan_state(obj)
    return (st.closed, tuple(st.buf), tuple((w.g.gid, w.case) for w in st.recvq),
            tuple((w.g.gid, w.case, w.value) for w in st.sendq))


def _entry_name(entry: Any) -> str:
    return str(getattr(entry, "__qualname__", None) or getattr(entry, "__name__", None) or repr(entry))


def record_run(prog: Program, *, file: str, source: str, seed: int = 0, fuel: int = DEFAULT_STEPS,
               max_depth: int = REF_MAX_DEPTH, recorder: type[Recorder] | None = None) -> RunModel:
    """Run ``prog`` on the reference backend and record the state at every step (with a
    ``Recorder`` subclass if given: the tests' checked one)."""
    from ..case import execute

    rt = RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    model = RunModel(file, source, seed)
    rec = (recorder or Recorder)(rt, model, out, err)
    rt.start_trace(rec)
    try:
        status = execute(prog, seed=seed, out=out, err=err, rt=rt, fuel=fuel, max_depth=max_depth,
                         lines=True, on_start=rec.attach, on_checkpoint=lambda _, label: rec.take("checkpoint", label=label))
    finally:
        rt.stop_trace()
    rec.finish(status)
    return model


__all__ = ["Delta", "Recorder", "RunModel", "State", "Step", "apply", "diff", "empty_state", "record_run"]
