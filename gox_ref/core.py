"""What every concept of a runtime instance shares: the heap, the collector and the output sinks.

``RefRuntime`` is assembled from one class per concept (strings, channels, defer, ...), each a
subclass of ``RuntimeCore`` and of nothing else: it reaches the shared state through the core,
and another concept only through a collaborator it names -- the scheduler (``self.sched``:
who runs, sched.py) or the channels (``self.chans``, chan.py) -- which ``RefRuntime`` makes and
wires.  No concept overrides another's method, so the order of ``RefRuntime``'s bases decides
nothing; runtime.py says where each order the spec fixes across concepts is written.
"""

from __future__ import annotations

from gox_abi.kinds import ValueKind, as_signed
from gox_abi.sinks import STDERR, STDOUT, Sink

from .gc import Collector
from .heap import GcObject, Heap


class RuntimeCore:
    heap: Heap
    gc: Collector
    out: Sink  # debug output (print, println)
    err: Sink  # panic and fatal-error reports

    def __init__(self) -> None:
        self.heap = Heap()
        self.gc = Collector(self.heap)
        self.out = STDOUT
        self.err = STDERR

    def _alloc(self, kind: ValueKind, type_id: int, nslots: int) -> GcObject:
        return self.gc.allocate(kind, type_id, nslots)

    def _store_ref(self, obj: GcObject, idx: int, ref: int) -> None:
        """Store a reference into ``obj`` with the forward barrier (typed setters use this)."""
        obj.slots[idx] = ref
        if ref:
            self.gc.barrier(obj, ref)


def int_arg(val: int) -> int:
    """An i64 argument given as a Python int (may arrive as a u64 from compiled code)."""
    return as_signed(val)
