"""Arrays: packed elements (Go's sign and zero extension), struct elements, slicing an
array, the slot limit."""

from __future__ import annotations

import pytest
from conftest import NO_TYPE, U64, K, Runtime, f32, f64, gstr, sread

from gox_abi.layout import STRING_BYTES
from gox_ref import GoxABIError, GoxPanic, SlotType


def test_array_create_zeroed(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, 5)
    assert rt.gox_array_len(a) == 5
    assert [rt.gox_array_get(a, i) for i in range(5)] == [0] * 5
    assert rt.gox_array_len(rt.gox_rt_array_create(K.INT, NO_TYPE, 0)) == 0


@pytest.mark.parametrize(
    ("kind", "stored", "read_back"),
    [
        (K.INT8, 0xFF, U64),  # -1 sign-extended
        (K.INT8, 0x7F, 0x7F),
        (K.INT8, 0x80, U64 - 127),  # -128
        (K.INT8, 0x1FF, U64),  # truncated to 8 bits first
        (K.UINT8, 0xFF, 255),
        (K.UINT8, 0x1FF, 255),
        (K.UINT8, U64, 255),
        (K.INT16, 0xFFFF, U64),
        (K.INT16, 0x8000, (-32768) & U64),
        (K.UINT16, 0xFFFF, 0xFFFF),
        (K.UINT16, 0x12345, 0x2345),
        (K.INT32, 0xFFFF_FFFF, U64),
        (K.INT32, 0x8000_0000, (-(2**31)) & U64),
        (K.INT32, 0x7FFF_FFFF, 0x7FFF_FFFF),
        (K.UINT32, 0xFFFF_FFFF, 0xFFFF_FFFF),
        (K.UINT32, U64, 0xFFFF_FFFF),
        (K.BOOL, 1, 1),
        (K.BOOL, 0, 0),
        (K.BOOL, 0x100, 1),  # any non-zero bool is true
        (K.FLOAT32, f32(1.5), f32(1.5)),
        (K.FLOAT32, f32(-0.0), 0x8000_0000),
        (K.INT64, U64, U64),
        (K.INT, 1 << 63, 1 << 63),
        (K.UINT64, U64, U64),
        (K.FLOAT64, f64(-2.5), f64(-2.5)),
    ],
)
def test_packed_elements_extend_like_go(rt: Runtime, kind: int, stored: int, read_back: int) -> None:
    a = rt.gox_rt_array_create(kind, NO_TYPE, 11)
    rt.gox_array_set(a, 5, stored)
    assert rt.gox_array_get(a, 5) == read_back
    # neighbours are untouched (packing keeps elements apart)
    assert rt.gox_array_get(a, 4) == 0 and rt.gox_array_get(a, 6) == 0


@pytest.mark.parametrize("kind", [K.INT8, K.UINT8, K.BOOL, K.INT16, K.UINT16, K.INT32, K.UINT32, K.FLOAT32])
def test_packed_elements_independent(rt: Runtime, kind: int) -> None:
    n = 19  # crosses several slot boundaries for every width
    a = rt.gox_rt_array_create(kind, NO_TYPE, n)
    bits_of: dict[int, int] = {K.INT8: 8, K.UINT8: 8, K.BOOL: 1, K.INT16: 16, K.UINT16: 16}
    bits = bits_of.get(kind, 32)
    vals = [(i * 37 + 1) % (1 << bits) for i in range(n)]
    for i, v in enumerate(vals):
        rt.gox_array_set(a, i, v)
    got = [rt.gox_array_get(a, i) for i in range(n)]
    if kind in (K.INT8, K.INT16, K.INT32):
        got = [g & ((1 << bits) - 1) for g in got]
    assert got == vals
    # packed: 4 header slots + ceil(n * width / 8) data slots
    width_of: dict[int, int] = {K.INT8: 1, K.UINT8: 1, K.BOOL: 1, K.INT16: 2, K.UINT16: 2}
    width = width_of.get(kind, 4)
    assert len(rt.object_slots(a)) == 4 + (n * width + 7) // 8


def test_float32_keeps_bits(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.FLOAT32, NO_TYPE, 3)
    rt.gox_array_set(a, 1, f32(float("inf")))
    rt.gox_array_set(a, 2, f32(3.25))
    assert rt.gox_array_get(a, 1) == 0x7F80_0000
    assert rt.gox_array_get(a, 2) == f32(3.25)


def test_reference_array(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.STRING, NO_TYPE, 3)
    rt.gox_gc_pin(a)
    s = gstr(rt, "hello")
    rt.gox_array_set(a, 1, s)
    assert rt.gox_array_get(a, 1) == s
    assert rt.gox_array_get(a, 0) == 0
    rt.gox_collect_garbage()  # the array roots the string
    assert sread(rt, rt.gox_array_get(a, 1)) == b"hello"


def test_struct_elements(rt: Runtime) -> None:
    pair = rt.gox_type_register(b"Pair", bytes([SlotType.VALUE, SlotType.GC_REF]))
    a = rt.gox_rt_array_create(K.STRUCT, pair, 3)
    assert rt.gox_array_len(a) == 3
    # elements are inline: 3 * 2 data slots after the 4 header slots
    rt.gox_gc_write_slot(a, 4 + 2 * 2, 42)
    assert rt.gox_gc_read_slot(a, 8) == 42


def test_one_slot_struct_elements_are_inline_values(rt: Runtime) -> None:
    v = rt.gox_type_register(b"V", bytes([SlotType.VALUE]))
    a = rt.gox_rt_array_create(K.STRUCT, v, 2)
    rt.gox_array_set(a, 1, 5)  # a value, not a reference
    assert rt.gox_array_get(a, 1) == 5
    r = rt.gox_type_register(b"R", bytes([SlotType.GC_REF]))
    b = rt.gox_rt_array_create(K.STRUCT, r, 2)
    rt.gox_gc_pin(b)
    s = gstr(rt, "x")
    rt.gox_array_set(b, 0, s)
    rt.gox_collect_garbage()
    assert sread(rt, rt.gox_array_get(b, 0)) == b"x"


def test_zero_size_struct_elements(rt: Runtime) -> None:
    empty = rt.gox_type_register(b"Empty", b"")
    a = rt.gox_rt_array_create(K.STRUCT, empty, 1000)
    assert rt.gox_array_len(a) == 1000
    assert rt.gox_array_get(a, 999) == 0
    rt.gox_array_set(a, 3, 0)
    s = rt.gox_rt_slice_create(K.STRUCT, empty, 2, 2)
    s2 = rt.gox_rt_slice_append(K.STRUCT, empty, s, 0)
    assert rt.gox_slice_len(s2) == 3 and rt.gox_slice_get(s2, 2) == 0


def test_array_slice_shares(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, 6)
    for i in range(6):
        rt.gox_array_set(a, i, i * 10)
    s = rt.gox_rt_array_slice(a, 2, 4)
    assert (rt.gox_slice_len(s), rt.gox_slice_cap(s)) == (2, 4)
    assert [rt.gox_slice_get(s, i) for i in range(2)] == [20, 30]
    rt.gox_slice_set(s, 0, 99)
    assert rt.gox_array_get(a, 2) == 99
    whole = rt.gox_rt_array_slice(a, 0, 6)
    assert rt.gox_slice_cap(whole) == 6
    empty = rt.gox_rt_array_slice(a, 6, 6)
    assert (rt.gox_slice_len(empty), rt.gox_slice_cap(empty)) == (0, 0)


def test_array_slice_bounds(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, 3)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[:4\] with length 3$"):
        rt.gox_rt_array_slice(a, 0, 4)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[2:1\]$"):
        rt.gox_rt_array_slice(a, 2, 1)


def test_a_strings_byte_array_is_immutable(rt: Runtime) -> None:
    s = gstr(rt, "abc")
    byte_array = rt.gox_gc_read_slot(s, STRING_BYTES)
    immutable = f"^gox_array_set: {rt.canonical(byte_array):#x} holds a string's bytes, which are immutable$"
    with pytest.raises(GoxABIError, match=immutable):
        rt.gox_array_set(byte_array, 0, ord("x"))
    assert sread(rt, s) == b"abc"
