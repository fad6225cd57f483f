"""The heap: object headers, references, byte accounting and the struct type table.

A reference is a plain int that looks like an address: ``HEAP_BASE + 16 * n`` for the n-th
object ever allocated (n counts from 1).  References are never reused, so a freed reference is
always recognised as freed.  Addresses differ between backends; the allocation number ``n``
does not, and is what differential tests compare.

An object is an 8-byte header (mark, gen, value_kind, flags, type_id, slots) followed by
``slots`` 64-bit data slots; it is accounted as ``8 + 8 * slots`` bytes, whatever the host's
allocator really spent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import GoxABIError
from .kinds import SlotType, ValueKind, kind_name

HEAP_BASE = 0x1000_0000
REF_STRIDE = 16
HEADER_BYTES = 8
SLOT_BYTES = 8
MAX_SLOTS = 0xFFFF  # the header's slots field is a u16

# Header mark byte: two whites that swap roles every cycle, gray and black (docs/GC.md).
WHITE0 = 0
WHITE1 = 1
GRAY = 2
BLACK = 3
COLOR_NAMES = {WHITE0: "white0", WHITE1: "white1", GRAY: "gray", BLACK: "black"}

# Header gen byte: generations are reserved for a later phase; every object stays Young.
GEN_YOUNG = 0
GEN_OLD = 1
GEN_TOUCHED = 2

# Header flags.  FLAG_IMMUTABLE marks the byte array behind a string: Go strings never change,
# so no call may write it or slice it into a mutable slice.
FLAG_IMMUTABLE = 0x01

# type_id of objects whose header type_id carries no struct type.
NO_TYPE = 0xFFFF


@dataclass(slots=True, eq=False)
class GcObject:
    """One heap object: its header fields and its data slots (each a u64)."""

    num: int  # allocation number, 1-based; ref = HEAP_BASE + REF_STRIDE * num
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
    def ref(self) -> int:
        return HEAP_BASE + REF_STRIDE * self.num

    @property
    def size(self) -> int:
        return HEADER_BYTES + SLOT_BYTES * len(self.slots)


@dataclass(frozen=True, slots=True)
class StructType:
    """An entry of the struct type table: which of its slots are references."""

    type_id: int
    name: str
    slot_types: tuple[SlotType, ...]


def ref_to_num(ref: int) -> int:
    """Allocation number of ``ref``, or 0 when ``ref`` cannot be a reference at all."""
    off = ref - HEAP_BASE
    if off <= 0 or off % REF_STRIDE:
        return 0
    return off // REF_STRIDE


def num_to_ref(num: int) -> int:
    return HEAP_BASE + REF_STRIDE * num


def fmt_ref(ref: int) -> str:
    return f"{ref:#x}"


@dataclass
class Heap:
    """Every live object, in allocation order, plus the byte counters the collector reads."""

    objects: dict[int, GcObject] = field(default_factory=dict)  # num -> object, ascending
    next_num: int = 1
    live_bytes: int = 0
    types: list[StructType] = field(default_factory=list)
    # While the collector sweeps, objects carrying this mark are garbage awaiting the sweep:
    # no call may use them (they were unreachable when marking ended).  -1 outside the sweep.
    dead_mark: int = -1

    # -- allocation -------------------------------------------------------------------------
    def new_object(self, kind: ValueKind, type_id: int, nslots: int, color: int) -> GcObject:
        obj = GcObject(self.next_num, kind, type_id, [0] * nslots, mark=color)
        self.objects[obj.num] = obj
        self.next_num += 1
        self.live_bytes += obj.size
        return obj

    def free(self, obj: GcObject) -> None:
        del self.objects[obj.num]
        self.live_bytes -= obj.size

    # -- lookup and validation --------------------------------------------------------------
    def describe(self, ref: int) -> str:
        """Why ``ref`` is not a live object (for error messages)."""
        num = ref_to_num(ref)
        if num == 0 or num >= self.next_num:
            return f"{fmt_ref(ref)} is not a reference the heap ever allocated"
        if num in self.objects:
            return (
                f"{fmt_ref(ref)} (object #{num}) was unreachable when the collector finished "
                "marking and is being swept; keep references held across allocating calls "
                "rooted (gox_gc_pin, a global or a stack map)"
            )
        return f"{fmt_ref(ref)} is a freed reference (object #{num})"

    def get(self, ref: int, fn: str, what: str = "a live object") -> GcObject:
        obj = self.objects.get(ref_to_num(ref))
        if obj is None or obj.mark == self.dead_mark:
            if ref == 0:
                raise GoxABIError(f"{fn}: nil reference, expected {what}")
            raise GoxABIError(f"{fn}: {self.describe(ref)}; expected {what}")
        return obj

    def get_kind(self, ref: int, kind: ValueKind, fn: str) -> GcObject:
        obj = self.objects.get(ref_to_num(ref))
        if obj is None or obj.mark == self.dead_mark:
            self.get(ref, fn, f"a {kind_name(kind)} object")  # raises, naming the problem
        assert obj is not None
        if obj.kind != kind:
            raise GoxABIError(
                f"{fn}: {fmt_ref(ref)} is a {kind_name(obj.kind)} object, "
                f"expected a {kind_name(kind)} object"
            )
        return obj

    def is_live(self, ref: int) -> bool:
        obj = self.objects.get(ref_to_num(ref))
        return obj is not None and obj.mark != self.dead_mark

    def check_ref_value(self, val: int, fn: str, where: str) -> None:
        """A value about to be stored where a reference belongs must be 0 or live."""
        if val != 0 and not self.is_live(val):
            raise GoxABIError(f"{fn}: {where} takes a reference or 0, but {self.describe(val)}")

    # -- struct type table ------------------------------------------------------------------
    def register_type(self, name: str, slot_types: tuple[SlotType, ...]) -> int:
        if len(self.types) >= NO_TYPE:
            raise GoxABIError(f"gox_type_register: the type table is full ({NO_TYPE} types)")
        tid = len(self.types)
        self.types.append(StructType(tid, name, slot_types))
        return tid

    def get_type(self, type_id: int, fn: str) -> StructType:
        if not 0 <= type_id < len(self.types):
            raise GoxABIError(
                f"{fn}: unknown struct type id {type_id}; "
                f"expected 0..{len(self.types) - 1} (registered with gox_type_register)"
            )
        return self.types[type_id]
