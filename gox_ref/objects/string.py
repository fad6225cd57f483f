"""Strings: ``[0] byte array ref, [1] start, [2] len`` -- a view of a Uint8 array.

Slicing a string shares its bytes.  Bytes are usually UTF-8 but any bytes are allowed, as in
Go.  The reference 0 is the empty string (the zero value of a string slot), so every string
call accepts it.  Calls that would produce an empty string return 0 and allocate nothing.
"""

from __future__ import annotations

from gox_abi.errors import GoxABIError, index_out_of_range, slice_out_of_range
from gox_abi.kinds import ValueKind
from gox_abi.layout import ARRAY_DATA as DATA
from gox_abi.layout import FLAG_IMMUTABLE, GO_MAX_ALLOC, NO_TYPE, STRING_SLOTS, pack_bytes, unpack_bytes
from gox_abi.layout import STRING_BYTES as BYTES
from gox_abi.layout import STRING_LEN as SLEN
from gox_abi.layout import STRING_START as START

from ..core import RuntimeCore
from ..heap import GcObject, Heap

RUNE_ERROR = 0xFFFD


def decode_rune(b: bytes, pos: int) -> tuple[int, int]:
    """Go's utf8.DecodeRune on ``b[pos:]``: (rune, width); (U+FFFD, 1) for a bad byte.

    Rejects overlong forms, surrogates (U+D800..U+DFFF) and values above U+10FFFF.
    At the end of the input it returns (U+FFFD, 0).
    """
    n = len(b) - pos
    if n <= 0:
        return RUNE_ERROR, 0
    b0 = b[pos]
    if b0 < 0x80:
        return b0, 1
    if 0xC2 <= b0 <= 0xDF:
        need, lo, hi, val = 1, 0x80, 0xBF, b0 & 0x1F
    elif 0xE0 <= b0 <= 0xEF:
        need, val = 2, b0 & 0x0F
        lo, hi = (0xA0, 0xBF) if b0 == 0xE0 else (0x80, 0x9F) if b0 == 0xED else (0x80, 0xBF)
    elif 0xF0 <= b0 <= 0xF4:
        need, val = 3, b0 & 0x07
        lo, hi = (0x90, 0xBF) if b0 == 0xF0 else (0x80, 0x8F) if b0 == 0xF4 else (0x80, 0xBF)
    else:
        return RUNE_ERROR, 1
    if n < need + 1:
        return RUNE_ERROR, 1
    b1 = b[pos + 1]
    if not lo <= b1 <= hi:
        return RUNE_ERROR, 1
    val = (val << 6) | (b1 & 0x3F)
    for k in range(2, need + 1):
        bk = b[pos + k]
        if not 0x80 <= bk <= 0xBF:
            return RUNE_ERROR, 1
        val = (val << 6) | (bk & 0x3F)
    return val, need + 1


def encode_rune(r: int) -> bytes:
    """Go's UTF-8 encoding of rune ``r`` (runtime/utf8.go, encoderune; the spec's string(r)):
    a negative value, a surrogate half (U+D800..U+DFFF) or one above U+10FFFF gives U+FFFD."""
    if not 0 <= r <= 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = RUNE_ERROR
    return chr(r).encode()


def runes(s: bytes) -> list[tuple[int, int]]:
    """Go's ``for i, r := range s``: (rune, width) pairs."""
    out = []
    i = 0
    while i < len(s):
        r, w = decode_rune(s, i)
        out.append((r, w))
        i += w
    return out


def string_obj(heap: Heap, ref: int, fn: str) -> GcObject | None:
    """The string object, or None for the empty string 0 (string.c: ``string_obj``)."""
    if ref == 0:
        return None
    return heap.get_kind(ref, ValueKind.STRING, fn)


def string_bytes(heap: Heap, ref: int, fn: str) -> bytes:
    """The bytes of a string (b"" for 0; string.c: ``string_bytes``)."""
    s = string_obj(heap, ref, fn)
    if s is None:
        return b""
    arr = heap.objects[heap.num_of(s.slots[BYTES])]
    return unpack_bytes(arr.slots, s.slots[START], s.slots[SLEN])


def new_string(rt: RuntimeCore, data: bytes) -> int:
    """Allocate a byte array and a string over it, after the caller's safepoint (string.c:
    ``string_new``)."""
    if not data:
        return 0
    arr = rt._alloc(ValueKind.ARRAY, NO_TYPE, 4 + (len(data) + 7) // 8)
    arr.slots[:4] = [ValueKind.UINT8, NO_TYPE, 1, len(data)]
    arr.slots[DATA:] = pack_bytes(data)
    arr.flags |= FLAG_IMMUTABLE
    s = rt._alloc(ValueKind.STRING, NO_TYPE, STRING_SLOTS)
    s.slots[:] = [arr.ref, 0, len(data)]
    return s.ref


def check_string_size(n: int) -> None:
    """A string is as large as memory allows: more than Go's maxAlloc bytes is out of memory, as
    Go's mallocgc (string.c: ``string_check_size``)."""
    if n > GO_MAX_ALLOC:
        raise MemoryError


def alloc_string(rt: RuntimeCore, data: bytes, fn: str, args: tuple[int, ...] = ()) -> int:
    """Safepoint, then a new string holding ``data`` (the usual tail of a call that makes one)."""
    check_string_size(len(data))
    rt.gc.safepoint(args)
    return new_string(rt, data)


class StringOps(RuntimeCore):
    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_string_from_ptr(self, data: bytes) -> int:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise GoxABIError(f"gox_rt_string_from_ptr: data={data!r} is not bytes")
        return alloc_string(self, bytes(data), "gox_rt_string_from_ptr")

    def gox_rt_string_from_rune(self, r: int) -> int:
        """``string(r)`` for an integer ``r``: its UTF-8 (encode_rune)."""
        return alloc_string(self, encode_rune(r), "gox_rt_string_from_rune")

    def gox_string_read(self, s: int) -> bytes:
        return string_bytes(self.heap, s, "gox_string_read")

    def gox_string_len(self, s: int) -> int:
        obj = string_obj(self.heap, s, "gox_string_len")
        return obj.slots[SLEN] if obj else 0

    def gox_string_index(self, s: int, idx: int) -> int:
        obj = string_obj(self.heap, s, "gox_string_index")
        n = obj.slots[SLEN] if obj else 0
        if obj is None or not 0 <= idx < n:
            raise index_out_of_range(idx, n)
        arr = self.heap.objects[self.heap.num_of(obj.slots[BYTES])]
        return unpack_bytes(arr.slots, obj.slots[START] + idx, 1)[0]

    def gox_rt_string_concat(self, a: int, b: int) -> int:
        fn = "gox_rt_string_concat"
        ab, bb = string_bytes(self.heap, a, fn), string_bytes(self.heap, b, fn)
        check_string_size(len(ab) + len(bb))
        self.gc.safepoint((a, b))
        if not bb:
            return a
        if not ab:
            return b
        return new_string(self, ab + bb)

    def gox_rt_string_slice(self, s: int, lo: int, hi: int) -> int:
        """``s[lo:hi]``: shares the bytes of ``s``."""
        obj = string_obj(self.heap, s, "gox_rt_string_slice")
        n = obj.slots[SLEN] if obj else 0
        err = slice_out_of_range(lo, hi, n, "length")
        if err:
            raise err
        self.gc.safepoint((s,))
        if obj is None or lo == hi:
            return 0
        if lo == 0 and hi == n:
            return s
        view = self._alloc(ValueKind.STRING, NO_TYPE, STRING_SLOTS)
        view.slots[:] = [obj.slots[BYTES], obj.slots[START] + lo, hi - lo]
        return view.ref

    def _cmp(self, a: int, b: int, fn: str) -> int:
        ab, bb = string_bytes(self.heap, a, fn), string_bytes(self.heap, b, fn)
        return (ab > bb) - (ab < bb)

    def gox_string_cmp(self, a: int, b: int) -> int:
        return self._cmp(a, b, "gox_string_cmp")

    def gox_string_eq(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_eq") == 0

    def gox_string_ne(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_ne") != 0

    def gox_string_lt(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_lt") < 0

    def gox_string_le(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_le") <= 0

    def gox_string_gt(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_gt") > 0

    def gox_string_ge(self, a: int, b: int) -> bool:
        return self._cmp(a, b, "gox_string_ge") >= 0

    def gox_string_decode_rune(self, s: int, pos: int) -> tuple[int, int]:
        """The rune at byte ``pos`` and its width, as ``for i, r := range s`` sees it."""
        data = string_bytes(self.heap, s, "gox_string_decode_rune")
        if not 0 <= pos < len(data):
            raise index_out_of_range(pos, len(data))
        return decode_rune(data, pos)
