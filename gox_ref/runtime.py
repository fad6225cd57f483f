"""``RefRuntime``: one independent instance of the reference runtime.

It is assembled from one class per concept, each standing on the core alone (core.py); each ABI
symbol is a method with exactly the symbol's name (see gox_abi/abi.py for the table).  Several
instances may live in one process.  Arguments are checked before the call runs, by the wrapper
both backends share (``gox_abi.checks.checked``).

Who holds whom:

* the core (``RuntimeCore``): ``heap``, ``gc`` (the collector), the sinks ``out`` and ``err``;
* ``sched`` (sched.py's ``Scheduler``): the goroutines, the run queue, who runs; it holds its
  collaborators -- the outermost frame of a goroutine's function, each goroutine's own roots,
  the channels' waiters to drop at the end -- as ``RefRuntime`` wires them below;
* ``chans`` (chan.py's ``Channels``): the channel operations select and range loops share
  with the channel calls; it holds the scheduler;
* ``timers`` (timer.py's ``Clock``): the virtual clock and the pending timers; it holds the
  scheduler and the channels (a timer fires by a non-blocking send).

Where each order the spec fixes is written, once:

* the roots of a collection, and each goroutine's own roots: ``RefRuntime.__init__`` below;
* how a goroutine exits: ``Scheduler.goroutine_main``;
* what the end of a program tears down: ``Scheduler.abandon``.
"""

from __future__ import annotations

from gox_abi.abi import SYMBOLS
from gox_abi.checks import checked
from gox_abi.heapview import HeapSnapshot, inspected_ref, no_object, to_dot
from gox_abi.kinds import ValueKind
from gox_abi.sinks import Sink

from .chan import Channels, ChanOps
from .core import RuntimeCore
from .debug import DebugOps
from .defer import DeferOps
from .externs import ExternOps
from .functable import FuncTableOps
from .gc import color_name
from .gcapi import GcOps
from .globals import GlobalOps
from .heap import GcObject
from .heapview import snapshot
from .iter import IterOps
from .objects.array import ArrayOps
from .objects.closure import ClosureOps
from .objects.iface import IfaceOps
from .objects.map import MapOps
from .objects.slice import SliceOps
from .objects.string import StringOps
from .sched import SchedOps, Scheduler
from .select import SelectOps
from .stackmap import StackMapOps
from .symbols import SymbolOps
from .timer import Clock, TimerOps
from .trace import TraceOps


class RefRuntime(
    GcOps,
    GlobalOps,
    StackMapOps,
    SchedOps,
    ChanOps,
    DeferOps,
    SelectOps,
    IterOps,
    TimerOps,
    ArrayOps,
    SliceOps,
    StringOps,
    MapOps,
    ClosureOps,
    IfaceOps,
    FuncTableOps,
    SymbolOps,
    ExternOps,
    DebugOps,
    TraceOps,
):
    """The executable spec of the ``gox_*`` ABI."""

    sched: Scheduler
    chans: Channels
    timers: Clock

    def __init__(self, out: Sink | None = None) -> None:
        super().__init__()  # the core, then each concept's own state
        self.sched = Scheduler(self, self.stack_maps)
        self.chans = Channels(self.heap, self.gc, self.sched)
        self.timers = Clock(self.heap, self.sched, self.chans)
        # The roots of a collection, in the order of docs/GC.md (gc.c: gc_each_root).
        self.gc.root_sources[:] = [
            self._global_roots, self._pinned_roots, self._stack_roots, self.sched.goroutine_roots, self.timers.roots,
        ]
        # Each goroutine's own roots, after its stack and what it waits on: defer, select,
        # iterators (sched.c: state_roots).
        self.sched.state_roots[:] = [self._defer_roots, self._select_roots, self._iter_roots]
        # A goroutine's function runs in its outermost frame; at a program's end the channels
        # drop the abandoned goroutines' waiters.
        self.sched.run_body = self._run_body
        self.sched.drop_waiters = self.chans.drop_waiters
        # With nothing runnable the clock jumps to the next deadline; the timers end with the program.
        self.sched.advance_clock = self.timers.advance
        self.sched.drop_timers = self.timers.drop
        self.gc.on_drop_all.append(self.timers.drop_objects)  # (timer.c: timer_free_state)
        if out is not None:
            self.out = out

    def set_output(self, out: Sink, err: Sink | None = None) -> None:
        """Send debug output to ``out`` and panic/fatal reports to ``err`` (``write(bytes)``)."""
        self.out = out
        if err is not None:
            self.err = err

    def ref_number(self, ref: int) -> int:
        """Allocation number of a reference (0 when it is none this instance made)."""
        return self.heap.ref_number(ref)

    def canonical(self, ref: int) -> int:
        """The reference's canonical address (``0x10000000 + 16 * number``), as outputs show
        it; a value that is no reference of this instance unchanged.  (Each instance's own
        references differ, as the native backend's addresses do.)"""
        return self.heap.canonical(ref)

    def heap_snapshot(self) -> HeapSnapshot:
        return snapshot(self)

    def heap_dot(self, title: str = "gox heap") -> str:
        return to_dot(snapshot(self), title)

    # -- inspection, as NativeRuntime shows it (docs/ABI.md "Conventions") -------------------
    def heap_objects(self) -> list[int]:
        """Every object not yet freed (those awaiting the sweep included), in allocation order."""
        return [obj.ref for obj in self.heap.objects.values()]

    def is_live(self, ref: int) -> bool:
        """Whether ``ref`` is a live object of this instance: one every ABI call accepts (made
        by this instance, neither freed nor awaiting the sweep)."""
        return self.heap.is_live(inspected_ref("is_live", ref))

    def object_kind(self, ref: int) -> ValueKind:
        """The value kind in the header of an object not yet freed."""
        return ValueKind(self._inspected("object_kind", ref).kind)

    def object_slots(self, ref: int) -> list[int]:
        """The data slots of an object not yet freed, as ``gox_gc_read_slot`` reads them."""
        return list(self._inspected("object_slots", ref).slots)

    def object_color(self, ref: int) -> str:
        """The collector's color of an object not yet freed, named as in heap snapshots."""
        return color_name(self._inspected("object_color", ref), self.gc.current_white)

    def _inspected(self, fn: str, ref: int) -> GcObject:
        obj = self.heap.lookup(inspected_ref(fn, ref))
        if obj is None:
            raise no_object(fn, ref, self.heap.ref_number(ref))
        return obj


def _check_flat() -> None:
    """Each concept stands on the core alone and defines its own names, so the order of
    ``RefRuntime``'s bases decides nothing (no method of one concept overrides another's)."""
    owner: dict[str, type] = {}
    for base in RefRuntime.__bases__:
        if base.__bases__ != (RuntimeCore,):
            raise TypeError(f"{base.__name__} must stand on RuntimeCore alone, not on {base.__bases__}")
        for name in vars(base):
            if name.startswith("__") and name.endswith("__"):
                continue
            if name in owner:
                raise TypeError(f"{name} is defined by both {owner[name].__name__} and {base.__name__}")
            owner[name] = base


def _install_checks() -> None:
    for sym in SYMBOLS:
        method = getattr(RefRuntime, sym.name, None)
        if method is not None:
            setattr(RefRuntime, sym.name, checked(sym, method))


_check_flat()
_install_checks()
