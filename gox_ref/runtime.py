"""``RefRuntime``: one independent instance of the reference runtime.

It is assembled from one mixin per concept; each ABI symbol is a method with exactly the
symbol's name (see gox_abi/abi.py for the table).  Several instances may live in one process.
Arguments are checked before the call runs, by the wrapper both backends share
(``gox_abi.checks.checked``).
"""

from __future__ import annotations

from gox_abi.abi import SYMBOLS
from gox_abi.checks import checked
from gox_abi.heapview import HeapSnapshot, to_dot
from gox_abi.sinks import Sink

from .debug import DebugOps
from .externs import ExternOps
from .functable import FuncTableOps
from .gcapi import GcOps
from .globals import GlobalOps
from .heapview import snapshot
from .iter import IterOps
from .objects.array import ArrayOps
from .objects.closure import ClosureOps
from .objects.iface import IfaceOps
from .objects.map import MapOps
from .objects.slice import SliceOps
from .objects.string import StringOps
from .symbols import SymbolOps
from .trace import TraceOps


class RefRuntime(
    IterOps,
    GcOps,
    GlobalOps,
    ArrayOps,
    SliceOps,
    StringOps,
    ClosureOps,
    IfaceOps,
    MapOps,
    FuncTableOps,
    SymbolOps,
    ExternOps,
    DebugOps,
    TraceOps,
):
    """The executable spec of the ``gox_*`` ABI."""

    def __init__(self, out: Sink | None = None) -> None:
        super().__init__()
        # The root order of docs/GC.md, stated here rather than left to the mixins' order.
        self.gc.root_sources[:] = [self._global_roots, self._pinned_roots, self._stack_roots, self._goroutine_roots]
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


def _install_checks() -> None:
    for sym in SYMBOLS:
        method = getattr(RefRuntime, sym.name, None)
        if method is not None:
            setattr(RefRuntime, sym.name, checked(sym, method))


_install_checks()
