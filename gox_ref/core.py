"""What every part of a runtime instance shares: the heap, the collector and the output sink.

``RefRuntime`` is assembled from one mixin per concept (strings, arrays, globals, ...); each
mixin is a subclass of ``RuntimeCore`` and reaches the shared state through it.
"""

from __future__ import annotations

from gox_abi.kinds import ValueKind, as_signed
from gox_abi.sinks import STDOUT, Sink

from .gc import Collector
from .heap import GcObject, Heap


class RuntimeCore:
    heap: Heap
    gc: Collector
    out: Sink

    def __init__(self) -> None:
        self.heap = Heap()
        self.gc = Collector(self.heap)
        self.out = STDOUT

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
