"""A native run's channel history: what the runtime records with ``$GOX_CHAN_HISTORY=PATH``
(gox_ref_native/src/history.c) read back as operations, for the linearizability checker
(linearize.py; docs/SCHEDULER.md, "Checking channels for linearizability").

The file has one JSON object a line, one per completed operation, in no particular order:
``op`` (make, send, recv, close, len, cap, select), ``w`` the worker, ``g`` the goroutine,
``t0``/``t1`` CLOCK_MONOTONIC nanoseconds before it started and after it was over, ``chan`` the
channel's object number, and per op: make ``cap`` and ``elem``; send ``value`` and ``panic``;
recv ``value`` and ``ok``; close ``panic``; len and cap ``value``; select ``case`` (-1: default),
``dir``, ``value``, ``ok`` (a send case's: false when it panicked) and ``ncases``.

A select that completed case k is read as that case's send or receive; one that took its
default with one non-nil case as a failed poll of that channel (``send-default`` /
``recv-default``); one that took its default over several channels says something about all of
them at once, which a per-channel check cannot use: ``unchecked`` counts those.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .case import Outcome

KINDS = ("send", "recv", "close", "len", "cap", "send-default", "recv-default")


class HistoryError(Exception):
    """A history file that is not what history.c writes."""


@dataclass(frozen=True, slots=True)
class Op:
    """One completed channel operation: ``kind`` (KINDS), its channel, goroutine and interval;
    ``value`` is a send's or receive's value (len, cap: the result); ``ok`` a receive's ok, and
    for a send or close False when it panicked."""

    kind: str
    chan: int
    t0: int
    t1: int
    value: int = 0
    ok: bool = True
    gid: int = 0
    case: int | None = None  # the select case it completed, None for a plain call

    def describe(self, base: int = 0) -> str:
        """``g5 recv -> 7 ok  [12.3, 14.0] us`` (times in microseconds after ``base``)."""
        k = self.kind if self.case is None else f"select case {self.case}: {self.kind}"
        if self.kind in ("send", "close"):
            what = f"{k} {self.value}" if self.kind == "send" else k
            what += " (panicked)" if not self.ok else ""
        elif self.kind == "recv":
            what = f"{k} -> {self.value} {'ok' if self.ok else 'closed'}"
        elif self.kind in ("len", "cap"):
            what = f"{k} -> {self.value}"
        else:
            what = f"select default: {self.kind.split('-')[0]} not ready"
        return f"g{self.gid} {what}  [{(self.t0 - base) / 1000:.1f}, {(self.t1 - base) / 1000:.1f}] us"


@dataclass
class History:
    caps: dict[int, int] = field(default_factory=dict)  # channel number -> capacity (its make)
    ops: list[Op] = field(default_factory=list)
    unchecked: int = 0  # selects that took default over several channels

    def by_channel(self) -> dict[int, list[Op]]:
        out: dict[int, list[Op]] = {}
        for op in self.ops:
            out.setdefault(op.chan, []).append(op)
        return out


def _int(rec: dict[str, object], key: str, where: str) -> int:
    if key not in rec:
        raise HistoryError(f"{where}: no {key!r}; expected an integer")
    v = rec[key]
    if not isinstance(v, int) or isinstance(v, bool):
        raise HistoryError(f"{where}: {key!r} is {v!r}, expected an integer")
    return v


def _op(rec: dict[str, object], where: str) -> Op | None:
    name = rec.get("op")
    t0, t1, gid = _int(rec, "t0", where), _int(rec, "t1", where), _int(rec, "g", where)
    if t1 < t0:
        raise HistoryError(f"{where}: t1={t1} is before t0={t0}")
    case = None
    if name == "select":
        case = _int(rec, "case", where)
        if case < 0:
            if _int(rec, "ncases", where) != 1:
                return None  # (History.unchecked)
            name = f"{rec.get('dir')}-default"
        else:
            name = rec.get("dir")
    chan = _int(rec, "chan", where)
    if name in ("send", "close"):
        ok = not rec.get("panic") if case is None else bool(rec.get("ok"))  # (a select's send: ok)
        return Op(name, chan, t0, t1, _int(rec, "value", where) if name == "send" else 0, ok, gid, case)
    if name == "recv":
        return Op("recv", chan, t0, t1, _int(rec, "value", where), bool(rec.get("ok")), gid, case)
    if name in ("len", "cap"):
        return Op(name, chan, t0, t1, _int(rec, "value", where), True, gid)
    if name in ("send-default", "recv-default"):
        return Op(name, chan, t0, t1, 0, True, gid, case)
    raise HistoryError(f"{where}: unknown operation {name!r}; expected make, {', '.join(KINDS[:5])} or select")


def parse(text: str, source: str = "<history>") -> History:
    h = History()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise HistoryError(f"{where}: not JSON: {e.msg}") from None
        if not isinstance(rec, dict):
            raise HistoryError(f"{where}: expected a JSON object")
        if rec.get("op") == "make":
            h.caps[_int(rec, "chan", where)] = _int(rec, "cap", where)
            continue
        op = _op(rec, where)
        if op is None:
            h.unchecked += 1
        else:
            h.ops.append(op)
    return h


def read(path: Path) -> History:
    return parse(path.read_text(encoding="utf-8"), str(path))


def run_recorded(exe: Path, seed: int, workers: int, timeout: float = 60.0) -> tuple[Outcome, History]:
    """Run a built program (native.build) on ``workers`` workers, recording its channel history."""
    from . import native

    with tempfile.TemporaryDirectory(prefix="gox-history.") as td:
        path = Path(td) / "history.jsonl"
        o = native.run_exe(exe, seed, workers=workers, timeout=timeout, history=path)
        h = read(path) if path.is_file() else History()
    return o, h
