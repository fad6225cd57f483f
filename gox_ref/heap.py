"""The heap: object headers, references, byte accounting and the struct type table.

A reference is a plain int that looks like an address: ``heap.base + 16 * n`` for the n-th
object ever allocated (n counts from 1), where ``base`` is ``HEAP_BASE`` plus an instance's own
multiple of 2**36.  References are never reused, so a freed reference is always recognised as
freed, and each instance's references are its own, as the native backend's (real addresses) are:
another instance's reference, or a made-up one such as a canonical address, is no reference of
this heap.  What is printed or put in a message is the *canonical address*
``HEAP_BASE + 16 * n`` (``Heap.canonical``), the same on both backends; the allocation number
``n`` is what differential tests compare.

An object is an 8-byte header (mark, gen, value_kind, flags, type_id, slots) followed by
``slots`` 64-bit data slots; it is accounted as ``8 + 8 * slots`` bytes, whatever the host's
allocator really spent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from gox_abi.errors import GoxABIError, nil_dereference
from gox_abi.kinds import SlotType, ValueKind, kind_name
from gox_abi.layout import GEN_YOUNG, HEADER_BYTES, HEAP_BASE, NO_TYPE, REF_STRIDE, SLOT_BYTES, WHITE0, canonical_ref

# Instance i's references start at HEAP_BASE + i * 2**36 (i >= 1: no instance hands out the
# canonical addresses themselves); ids wrap after 2**27 - 1 instances, keeping references below
# 2**63.  2**32 objects fit below the next instance's range.
INSTANCE_SHIFT = 36
MAX_INSTANCES = 2**27 - 1
_instances = itertools.count()


@dataclass(slots=True, eq=False)
class GcObject:
    """One heap object: its header fields and its data slots (each a u64)."""

    num: int  # allocation number, 1-based; ref = heap.base + REF_STRIDE * num
    ref: int
    kind: ValueKind
    type_id: int
    slots: list[int]
    mark: int = WHITE0
    gen: int = GEN_YOUNG
    flags: int = 0
    # Host-side state behind an opaque slot (a map's table, a channel's queues); its kind says
    # which type (typed Any so that hot paths read it without an isinstance test).
    state: Any = None

    @property
    def size(self) -> int:
        return HEADER_BYTES + SLOT_BYTES * len(self.slots)


@dataclass(frozen=True, slots=True)
class StructType:
    """An entry of the struct type table: which of its slots are references."""

    type_id: int
    name: str
    slot_types: tuple[SlotType, ...]


# Type id 0 is reserved: an interface's slot 0 packed from a bare kind (`gox_panic(kind.String,
# "boom")`) has type bits 0 and means "no type", so no registered type may have id 0.  The
# placeholder keeps ids equal to list indexes; every lookup of a registered type rejects it.
RESERVED_TYPE = StructType(0, "", ())


def _new_base() -> int:
    return HEAP_BASE + ((next(_instances) % MAX_INSTANCES + 1) << INSTANCE_SHIFT)


@dataclass
class Heap:
    """Every live object, in allocation order, plus the byte counters the collector reads."""

    base: int = field(default_factory=_new_base)  # this instance's reference of object n: base + 16 n
    objects: dict[int, GcObject] = field(default_factory=dict)  # num -> object, ascending
    next_num: int = 1
    live_bytes: int = 0
    types: list[StructType] = field(default_factory=lambda: [RESERVED_TYPE])  # ids 1.. registered
    # While the collector sweeps, objects carrying this mark are garbage awaiting the sweep:
    # no call may use them (they were unreachable when marking ended).  -1 outside the sweep.
    dead_mark: int = -1

    # -- allocation -------------------------------------------------------------------------
    def new_object(self, kind: ValueKind, type_id: int, nslots: int, color: int) -> GcObject:
        num = self.next_num
        obj = GcObject(num, self.base + REF_STRIDE * num, kind, type_id, [0] * nslots, mark=color)
        self.objects[obj.num] = obj
        self.next_num += 1
        self.live_bytes += obj.size
        return obj

    def free(self, obj: GcObject) -> None:
        del self.objects[obj.num]
        self.live_bytes -= obj.size

    # -- references ---------------------------------------------------------------------------
    def num_of(self, ref: int) -> int:
        """The allocation number ``ref`` names if it is shaped as this heap's reference (allocated
        or not yet), else 0.  Another instance's references fall below or beyond every number
        this heap makes."""
        off = ref - self.base
        if off <= 0 or off % REF_STRIDE:
            return 0
        return off // REF_STRIDE

    def ref_number(self, ref: int) -> int:
        """The allocation number of a reference this heap made (live or freed), else 0."""
        num = self.num_of(ref)
        return num if num < self.next_num else 0

    def lookup(self, ref: int) -> GcObject | None:
        """The object ``ref`` names while it exists (live or awaiting the sweep), else None."""
        return self.objects.get(self.num_of(ref))

    def canonical(self, ref: int) -> int:
        """The canonical address of a reference this heap made (live or freed); any other
        value unchanged (the native backend's heap_canon)."""
        num = self.ref_number(ref)
        return canonical_ref(num) if num else ref

    def fmt(self, ref: int) -> str:
        """A reference as messages show it: canonical if this heap made it, else as given."""
        return f"{self.canonical(ref):#x}"

    # -- lookup and validation --------------------------------------------------------------
    def describe(self, ref: int) -> str:
        """Why ``ref`` is not a live object (for error messages)."""
        num = self.ref_number(ref)
        if num == 0:
            return f"{ref:#x} is not a reference the heap ever allocated"
        canon = canonical_ref(num)
        if num in self.objects:
            return (
                f"{canon:#x} (object #{num}) was unreachable when the collector finished "
                "marking and is being swept; keep references held across allocating calls "
                "rooted (gox_gc_pin, a global or a stack map)"
            )
        return f"{canon:#x} is a freed reference (object #{num})"

    def get(self, ref: int, fn: str, what: str = "a live object") -> GcObject:
        obj = self.objects.get(self.num_of(ref))
        if obj is None or obj.mark == self.dead_mark:
            if ref == 0:
                raise GoxABIError(f"{fn}: nil reference, expected {what}")
            raise GoxABIError(f"{fn}: {self.describe(ref)}; expected {what}")
        return obj

    def deref(self, ref: int, fn: str, what: str = "a live object") -> GcObject:
        """``get`` where Go dereferences a pointer: a nil reference is Go's nil-dereference
        panic (freed and forged ones stay ABI errors)."""
        if ref == 0:
            raise nil_dereference()
        return self.get(ref, fn, what)

    def deref_kind(self, ref: int, kind: ValueKind, fn: str) -> GcObject:
        """``get_kind`` where Go dereferences a pointer (see ``deref``)."""
        if ref == 0:
            raise nil_dereference()
        return self.get_kind(ref, kind, fn)

    def get_kind(self, ref: int, kind: ValueKind, fn: str) -> GcObject:
        obj = self.objects.get(self.num_of(ref))
        if obj is None or obj.mark == self.dead_mark:
            self.get(ref, fn, f"a {kind_name(kind)} object")  # raises, naming the problem
        assert obj is not None
        if obj.kind != kind:
            raise GoxABIError(
                f"{fn}: {self.fmt(ref)} is a {kind_name(obj.kind)} object, "
                f"expected a {kind_name(kind)} object"
            )
        return obj

    def is_live(self, ref: int) -> bool:
        obj = self.objects.get(self.num_of(ref))
        return obj is not None and obj.mark != self.dead_mark

    def check_ref_value(self, val: int, fn: str, where: str) -> None:
        """A value about to be stored where a reference belongs must be 0 or live."""
        if val != 0 and not self.is_live(val):
            raise GoxABIError(f"{fn}: {where} takes a reference or 0, but {self.describe(val)}")

    # -- struct type table ------------------------------------------------------------------
    def register_type(self, name: str, slot_types: tuple[SlotType, ...]) -> int:
        if len(self.types) >= NO_TYPE:
            # ids 1..0xFFFE: 0 is reserved (RESERVED_TYPE) and NO_TYPE (0xFFFF) means none
            raise GoxABIError(f"gox_type_register: the type table is full ({NO_TYPE - 1} types)")
        tid = len(self.types)
        self.types.append(StructType(tid, name, slot_types))
        return tid

    def get_type(self, type_id: int, fn: str) -> StructType:
        if not 1 <= type_id < len(self.types):
            n = len(self.types) - 1  # (entry 0 is reserved)
            want = f"expected 1..{n} (registered with gox_type_register)" if n else \
                "no struct type is registered yet (gox_type_register registers them)"
            raise GoxABIError(f"{fn}: unknown struct type id {type_id}; {want}")
        return self.types[type_id]
