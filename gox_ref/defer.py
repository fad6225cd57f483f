"""Defer, panic and recover, per goroutine, with explicit function frames.

The rules -- frames and their records, unwinding, when ``recover()`` is effective (Go's
test/recover1.go cases 1-7: tests/test_defer.py), the panic chain and the report of an
unrecovered panic -- are docs/SCHEDULER.md section 4.  A function that defers (or calls
recover) opens a frame on entry and closes it on every way out: in Python the
``with rt.defer_frame():`` block does both; in C a recovered panic returns to the setjmp after
``gox_defer_frame_enter`` (defer.c).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import greenlet

from gox_abi import oom
from gox_abi.errors import NIL_DEREF, SIGNAL_LINE, GoxABIError, GoxFatal, GoxPanic
from gox_abi.kinds import ValueKind, as_signed, is_ref_kind, normalize
from gox_abi.layout import NO_TYPE

from .core import RuntimeCore
from .debug import f32_from_bits, f64_from_bits, format_float
from .gc import Root
from .objects.iface import ITYPE_SHIFT, VTYPE_SHIFT
from .objects.string import new_string, string_bytes
from .sched import Goroutine, ProgramExit, Scheduler, call_entry

RUNTIME_ERROR_TYPE = 0xFFFE  # value_type_id of run-time error panic values (runtime.Error)


@dataclass(eq=False)
class DeferFrame:
    fid: int
    defers: list[tuple[Any, tuple[int, ...]]] = field(default_factory=list)
    closed: bool = False


@dataclass(eq=False)
class Panic:
    slot0: int
    slot1: int
    text: str  # how the report prints the value
    start_fid: int = 0  # the next frame id when it started: frames opened before it enclose it
    recovered: bool = False


class GoPanicUnwind(Exception):
    """Carries a GoX panic up the Python stack to the innermost open frame."""

    def __init__(self, panic: Panic) -> None:
        super().__init__(panic.text)
        self.panic = panic


class _RecoveredAt(Exception):
    """Internal: a deferred call recovered; the owning frame returns normally."""


class DeferOps(RuntimeCore):
    sched: Scheduler
    next_fid: int

    def __init__(self) -> None:
        super().__init__()
        self.next_fid = 1

    def _defer_roots(self, g: Goroutine) -> Iterable[Root]:
        """A goroutine's deferred calls' arguments, then its panic values (defer.c: ``defer_roots``)."""
        for fr in g.frames:
            for i, (_, args) in enumerate(fr.defers):
                for a in args:
                    if self.heap.is_live(a):  # conservative: deferred arguments carry no kinds
                        yield f"goroutine {g.gid}: deferred call {i} argument", a
        for p in g.panics:
            if is_ref_kind(p.slot0 & 0xFF):
                yield f"goroutine {g.gid}: panic value", p.slot1

    # -- formatting the report ----------------------------------------------------------------
    def _panic_text(self, slot0: int, slot1: int) -> str:
        """printpanicval: how Go prints a panic value.  A value whose value_type_id names a
        registered type prints as printanycustomtype does: ``main.Msg("second")`` for a basic
        kind, ``(main.T) 0xADDR`` otherwise."""
        kind = slot0 & 0xFF
        if kind == ValueKind.NIL:
            return "panic called with nil argument"
        basic = self._basic_text(kind, slot1)
        name = self._type_name(slot0)
        if basic is not None:
            if name is None:
                return basic
            return f'{name}("{basic}")' if kind == ValueKind.STRING else f"{name}({basic})"
        if name is None:
            name = ValueKind(kind).name.title().replace("_", "") if kind <= max(ValueKind) else str(kind)
        shown = self.heap.canonical(slot1) if is_ref_kind(kind) else slot1  # as native shows it
        return f"({name}) {shown:#x}"

    def _basic_text(self, kind: int, slot1: int) -> str | None:
        """A value of a basic kind as print shows it; None for any other kind."""
        if kind == ValueKind.STRING:
            return string_bytes(self.heap, slot1, "gox_panic").decode("utf-8", "replace").replace("\n", "\n\t")
        if kind == ValueKind.BOOL:
            return "true" if slot1 else "false"
        if kind == ValueKind.FLOAT64:
            return format_float(f64_from_bits(slot1))
        if kind == ValueKind.FLOAT32:  # widened, as print shows a float32
            return format_float(f32_from_bits(slot1))
        if kind in (ValueKind.INT, ValueKind.INT8, ValueKind.INT16, ValueKind.INT32, ValueKind.INT64):
            return str(as_signed(normalize(kind, slot1)))
        if kind in (ValueKind.UINT, ValueKind.UINT8, ValueKind.UINT16, ValueKind.UINT32, ValueKind.UINT64):
            return str(normalize(kind, slot1))
        return None

    def _type_name(self, slot0: int) -> str | None:
        """The name the value's type was registered with (gox_type_register); None for an
        unnamed value: type.None, type.RuntimeError, an id never registered, or an empty name."""
        tid = (slot0 >> VTYPE_SHIFT) & 0xFFFF
        if tid == RUNTIME_ERROR_TYPE or tid >= len(self.heap.types):
            return None
        return self.heap.types[tid].name or None

    def _report(self, g: Goroutine) -> str:
        """printpanics, oldest first (Go 1.25): a recovered value panicked again as the very
        same value prints once, as ``[recovered, repanicked]``."""
        links = []
        chain = g.panics
        i = 0
        while i < len(chain):
            p = chain[i]
            again = i + 1 < len(chain) and (chain[i + 1].slot0, chain[i + 1].slot1) == (p.slot0, p.slot1)
            if p.recovered and again:
                links.append(f"panic: {p.text} [recovered, repanicked]")
                i += 2
                continue
            links.append("panic: " + p.text + (" [recovered]" if p.recovered else ""))
            i += 1
        if g.signal:  # Go's dopanic_m: the goroutine's nil dereference, after the panic lines
            links[-1] += "\n" + SIGNAL_LINE
        return "\n\t".join(links) + f"\n\ngoroutine {g.gid} [running]:\n{g.name()}(...)\n"

    # -- the panic machinery ------------------------------------------------------------------
    def _start_panic(self, slot0: int, slot1: int, text: str) -> GoPanicUnwind:
        g = self.sched.g()
        p = Panic(slot0, slot1, text, start_fid=self.next_fid)
        g.panics.append(p)
        self.sched.trace("panic", value=text)
        return GoPanicUnwind(p)

    def _as_panic(self, exc: BaseException) -> GoPanicUnwind | None:
        """A run-time error raised by an ABI call becomes a panic with Go's value."""
        if isinstance(exc, GoPanicUnwind):
            return exc
        if isinstance(exc, GoxPanic):
            self.gc.pause_depth += 1  # the error string must not trigger a collection here
            try:
                s = new_string(self, exc.message.encode())
            finally:
                self.gc.pause_depth -= 1
            slot0 = (RUNTIME_ERROR_TYPE << VTYPE_SHIFT) | ValueKind.STRING
            if exc.message == NIL_DEREF:  # in Go a SIGSEGV: the report's signal line (docs/SCHEDULER.md 4)
                self.sched.g().signal = True
            return self._start_panic(slot0, s, exc.message)
        return None

    def _run_deferred(self, g: Goroutine, fr: DeferFrame, panic: Panic | None) -> None:
        """Run the frame's deferred calls, newest first (defer.c's ``run_deferred``).  For a panic:
        stop after a call that recovered it (raising _RecoveredAt), or switch to a newer panic
        raised by a call."""
        while fr.defers:
            fn, args = fr.defers.pop()
            driven = panic is not None  # run because of a panic: recover may see it
            if driven:
                g.defer_call_base.append(len(g.frames))
            try:
                call_entry(self, fn, args)
            except (ProgramExit, greenlet.GreenletExit):
                raise
            except BaseException as exc:
                newer = self._as_panic(exc)
                if newer is None:
                    raise
                panic = newer.panic  # a panic during the deferred call replaces the current one
            finally:
                if driven:
                    g.defer_call_base.pop()
            if panic is not None and panic.recovered:
                raise _RecoveredAt()
        if panic is not None:
            raise GoPanicUnwind(panic)

    def _close_frame(self, fr: DeferFrame, exc: BaseException | None) -> bool:
        """Close ``fr`` on the way out of its function; True if the function returns normally
        (defer.c: ``close_frame``, and ``unwind`` for a panic)."""
        g = self.sched.g()
        if fr.closed:
            return exc is None
        if not g.frames or g.frames[-1] is not fr:
            raise GoxABIError(f"gox_defer_frame_exit: frame {fr.fid} is not the innermost open frame")
        if isinstance(exc, (ProgramExit, greenlet.GreenletExit)):
            self._pop_frame(g, fr)
            return False
        unwind = self._as_panic(exc) if exc is not None else None
        if exc is not None and unwind is None:
            self._pop_frame(g, fr)
            return False  # a Python error in host code: let it propagate unchanged
        panic = unwind.panic if unwind else None
        returns_normally = exc is None
        while True:
            try:
                self._run_deferred(g, fr, panic)
            except _RecoveredAt:
                # Panicking stopped here: every panic started within this frame's extent
                # (while it was open: after it opened, as it is still open) is over -- the
                # recovered one and any it aborted.  A panic started before it opened goes on,
                # even if the frames it started in have unwound (Go keeps panics whose start is
                # shallower than the recovering frame).  The frame runs its remaining defers,
                # which may panic anew (and be recovered anew): so, round again.
                g.panics = [p for p in g.panics if p.start_fid <= fr.fid]
                if not g.panics:  # Go clears gp.sig only when no panic is left
                    g.signal = False
                self.sched.trace("recover")
                panic, returns_normally = None, True
                continue
            except BaseException:
                self._pop_frame(g, fr)
                raise
            break
        self._pop_frame(g, fr)
        return returns_normally

    @staticmethod
    def _pop_frame(g: Goroutine, fr: DeferFrame) -> None:
        """``fr``, the innermost frame, closes (defer.c's ``pop_frame``)."""
        g.frames.pop()
        fr.closed = True

    @contextmanager
    def defer_frame(self) -> Iterator[DeferFrame]:
        """``with rt.defer_frame():`` around a function body that defers or recovers."""
        fr = self._open_frame()
        try:
            yield fr
        except BaseException as exc:
            if self._close_frame(fr, exc):
                return  # a deferred call recovered: the function returns normally
            raise
        self._close_frame(fr, None)

    def _open_frame(self) -> DeferFrame:
        """A new innermost frame of the running goroutine (defer.c's ``open_frame``)."""
        g = self.sched.g()
        fr = DeferFrame(self.next_fid)
        self.next_fid += 1
        g.frames.append(fr)
        return fr

    def _run_body(self, g: Goroutine) -> None:
        """``g``'s function in its outermost frame (the scheduler's ``run_body``).  A panic that
        leaves it ends the program: Go's report, the ``fatal`` event, status 2 (defer.c:
        ``unrecovered``); so does a fatal error, running out of memory included, with its own
        report."""
        try:
            call_entry(self, g.entry, g.args)
        except (ProgramExit, greenlet.GreenletExit):
            raise
        except BaseException as exc:
            unwind = self._as_panic(exc)
            if unwind is None:
                if isinstance(exc, MemoryError):  # wherever Python ran out (gox_abi/oom.py)
                    exc = oom.fatal()
                if isinstance(exc, GoxFatal):
                    raise self.sched.fatal(exc) from None
                raise
            self.err.write(self._report(g).encode())
            self.sched.trace("fatal", message="panic: " + unwind.panic.text)
            raise ProgramExit(2) from exc

    # -- ABI ----------------------------------------------------------------------------------
    def gox_defer_frame_enter(self) -> int:
        return self._open_frame().fid

    def _frame_by_id(self, frame: int, fn: str) -> DeferFrame:
        g = self.sched.g()
        if not g.frames or g.frames[-1].fid != frame:
            raise GoxABIError(
                f"{fn}: frame {frame} is not the innermost open frame"
                + (f" ({g.frames[-1].fid} is)" if g.frames else " (no frame is open)")
            )
        top: DeferFrame = g.frames[-1]
        return top

    def gox_defer_frame_exit(self, frame: int) -> None:
        self._close_frame(self._frame_by_id(frame, "gox_defer_frame_exit"), None)

    def gox_defer_push(self, func_ptr: Any, args: Sequence[int]) -> None:
        g = self.sched.g()
        if not g.frames:
            raise GoxABIError("gox_defer_push: no frame is open; expected gox_defer_frame_enter first")
        if func_ptr is not None and not callable(func_ptr) and not isinstance(func_ptr, int):
            raise GoxABIError(f"gox_defer_push: func_ptr {func_ptr!r} is not a function entry")
        g.frames[-1].defers.append((func_ptr, tuple(a & ((1 << 64) - 1) for a in args)))

    def gox_defer_pop(self) -> None:
        g = self.sched.g()
        if not g.frames or not g.frames[-1].defers:
            raise GoxABIError("gox_defer_pop: the innermost frame has no deferred call")
        fn, args = g.frames[-1].defers.pop()
        call_entry(self, fn, args)

    def gox_panic(self, slot0: int, slot1: int) -> None:
        kind = slot0 & 0xFF
        if kind == ValueKind.NIL:  # Go 1.21: panic(nil) is a run-time error
            raise GoxPanic("panic called with nil argument")
        if is_ref_kind(kind) and slot1:
            self.heap.get(slot1, "gox_panic", "the panic value's object")
        raise self._start_panic(slot0, slot1, self._panic_text(slot0, slot1))

    def gox_recover(self) -> tuple[int, int]:
        g = self.sched.g()
        if not g.panics or not g.defer_call_base:
            return 0, 0
        p = g.panics[-1]
        # Directly called by the deferred call: its own frame is the innermost one.
        if p.recovered or len(g.frames) != g.defer_call_base[-1] + 1:
            return 0, 0
        p.recovered = True
        self.sched.trace("recovered", value=p.text)
        return p.slot0, p.slot1


__all__ = ["ITYPE_SHIFT", "NO_TYPE", "RUNTIME_ERROR_TYPE", "DeferOps", "GoPanicUnwind"]
