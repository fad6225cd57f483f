"""Value kinds and slot types: the shared data model of every GoX value.

Every value is one or more 64-bit slots. ``ValueKind`` is stored in every object header and
names what a slot holds; ``SlotType`` tells the collector which slots of a frame or struct are
references.  Both numberings are fixed by the runtime-core phase (docs/ABI.md, "Data model").
"""

from __future__ import annotations

import enum

U64_MASK = (1 << 64) - 1


class ValueKind(enum.IntEnum):
    NIL = 0
    BOOL = 1
    INT = 2
    INT8 = 3
    INT16 = 4
    INT32 = 5
    INT64 = 6
    UINT = 7
    UINT8 = 8
    UINT16 = 9
    UINT32 = 10
    UINT64 = 11
    FLOAT32 = 12
    FLOAT64 = 13
    FUNC_PTR = 14
    STRING = 15
    ARRAY = 16
    SLICE = 17
    MAP = 18
    CHANNEL = 19
    CLOSURE = 20
    STRUCT = 21
    POINTER = 22
    INTERFACE = 23
    BOXED_INT = 24
    BOXED_FLOAT = 25
    BOXED_BOOL = 26


class SlotType(enum.IntEnum):
    VALUE = 0  # no reference
    GC_REF = 1  # a reference or 0
    INTERFACE0 = 2  # interface header slot (packed kind and type ids)
    INTERFACE1 = 3  # interface data slot: a reference iff the header's kind is a ref kind


# Kinds whose one-slot value is a heap reference (0 is nil).  Struct and Array count as
# references when they stand alone in a slot (an interface's data, a channel element, a map
# value); as array elements they are inline (see elem_bytes).
REF_KINDS = frozenset(
    {
        ValueKind.STRING,
        ValueKind.ARRAY,
        ValueKind.SLICE,
        ValueKind.MAP,
        ValueKind.CHANNEL,
        ValueKind.CLOSURE,
        ValueKind.STRUCT,
        ValueKind.POINTER,
        ValueKind.BOXED_INT,
        ValueKind.BOXED_FLOAT,
        ValueKind.BOXED_BOOL,
    }
)

_SIGNED_BITS = {
    ValueKind.INT: 64,
    ValueKind.INT64: 64,
    ValueKind.INT8: 8,
    ValueKind.INT16: 16,
    ValueKind.INT32: 32,
}
_UNSIGNED_BITS = {
    ValueKind.UINT: 64,
    ValueKind.UINT64: 64,
    ValueKind.UINT8: 8,
    ValueKind.UINT16: 16,
    ValueKind.UINT32: 32,
    ValueKind.BOOL: 8,
    ValueKind.FLOAT32: 32,
}

# Packed element widths of arrays: 1, 2 and 4 byte kinds are packed little-endian into the
# data slots; every other single-slot kind takes a full slot.
_PACKED_BYTES = {
    ValueKind.BOOL: 1,
    ValueKind.INT8: 1,
    ValueKind.UINT8: 1,
    ValueKind.INT16: 2,
    ValueKind.UINT16: 2,
    ValueKind.INT32: 4,
    ValueKind.UINT32: 4,
    ValueKind.FLOAT32: 4,
}


def kind_name(kind: int) -> str:
    """``15 (String)`` style name used in error messages."""
    try:
        vk = ValueKind(kind)
    except ValueError:
        return f"{kind} (unknown)"
    return f"{kind} ({vk.name.title().replace('_', '')})"


def valid_kind(kind: int) -> bool:
    return 0 <= kind <= max(ValueKind)


def is_ref_kind(kind: int) -> bool:
    return kind in REF_KINDS


def scalar_bytes(kind: int) -> int:
    """Bytes an element of a single-slot kind takes inside an array (1, 2, 4 or 8)."""
    return _PACKED_BYTES.get(ValueKind(kind), 8)


def normalize(kind: int, val: int) -> int:
    """The canonical u64 of ``val`` stored as ``kind``: Go's sign or zero extension.

    An Int8 element read back from an array is sign-extended to 64 bits, a Uint8 is
    zero-extended, a Bool is 0 or 1, a Float32 keeps its 32 IEEE bits.
    """
    if kind == ValueKind.BOOL:
        return 1 if val & 0xFF else 0
    bits = _SIGNED_BITS.get(ValueKind(kind)) if kind in _SIGNED_BITS else None
    if bits is not None:
        v = val & ((1 << bits) - 1)
        if v >> (bits - 1):
            v -= 1 << bits
        return v & U64_MASK
    ubits = _UNSIGNED_BITS.get(ValueKind(kind)) if kind in _UNSIGNED_BITS else None
    if ubits is not None:
        return val & ((1 << ubits) - 1)
    return val & U64_MASK


def as_signed(val: int) -> int:
    """Interpret a u64 slot as a two's-complement int64."""
    val &= U64_MASK
    return val - (1 << 64) if val >> 63 else val


def as_u64(val: int) -> int:
    return val & U64_MASK
