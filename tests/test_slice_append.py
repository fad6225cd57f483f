"""Go's append, copy and string conversions on both backends (the rt fixture), against real Go.

Capacities come from tests/data/go_growth.json, which tests/data/go_growth.go captured with Go
1.19.8 on linux/amd64; every other expected value is quoted from Go 1.19.8's output of the same
operations (the Go statement is in the comment beside it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Runtime, new_runtime
from hypothesis import given
from hypothesis import strategies as st

from gox_abi.kinds import SlotType
from gox_abi.kinds import ValueKind as K
from gox_abi.layout import GO_MAX_ALLOC
from gox_ref import GoxABIError, GoxError
from gox_ref.objects.slice import grow_cap, round_up_size
from gox_ref_native.runtime import NativeRuntime

NO_TYPE = 0xFFFF
NEVER = 0x1234  # never a reference
DATA = json.loads((Path(__file__).parent / "data" / "go_growth.json").read_text())
SEQUENCES: dict[int, list[int]] = {int(k): v for k, v in DATA["sequences"].items()}
BULK: list[tuple[int, int, int, int]] = [tuple(r) for r in DATA["bulk"]]  # (size, len == cap, added, cap)

Rt = Runtime


def gstr(rt: Rt, data: bytes) -> int:
    return rt.gox_rt_string_from_ptr(data)


def items(rt: Rt, s: int) -> list[int]:
    return [rt.gox_slice_get(s, i) for i in range(rt.gox_slice_len(s))]


def signed(v: int) -> int:
    return v - (1 << 64) if v >> 63 else v


def ints(rt: Rt, vals: list[int], cap: int | None = None) -> int:
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, len(vals), len(vals) if cap is None else cap)
    for i, v in enumerate(vals):
        rt.gox_slice_set(s, i, v)
    return s


def len_cap(rt: Rt, s: int) -> tuple[int, int]:
    return rt.gox_slice_len(s), rt.gox_slice_cap(s)


# -- the growth rule against Go's captured capacities ------------------------------------------
def test_data_is_go_1_19_on_amd64() -> None:
    assert DATA["go_version"].startswith("go1.19.") and DATA["goarch"] == "amd64"
    assert {0, 1, 2, 4, 8, 16, 24, 40} <= set(SEQUENCES) and len(BULK) > 1000


def _one_at_a_time(size: int, n: int = 2100) -> list[int]:
    caps: list[int] = []
    cap = 0
    for needed in range(1, n + 1):
        if needed > cap:
            got = grow_cap(cap, needed, size)
            assert got is not None
            cap = got
        if not caps or caps[-1] != cap:
            caps.append(cap)
    return caps


@pytest.mark.parametrize("size", sorted(SEQUENCES))
def test_grow_cap_gives_gos_sequence(size: int) -> None:
    assert _one_at_a_time(size) == SEQUENCES[size]


@given(st.sampled_from(BULK))
def test_grow_cap_gives_gos_capacity_for_a_bulk_append(row: tuple[int, int, int, int]) -> None:
    size, c, k, want = row
    assert grow_cap(c, c + k, size) == want


@given(old=st.integers(0, 1 << 44), extra=st.integers(1, 1 << 44), size=st.sampled_from([1, 2, 4, 8, 16, 24, 40, 1000]))
def test_grow_cap_fills_its_size_class(old: int, extra: int, size: int) -> None:
    """Any size: at least what is needed, exactly what the rounded allocation holds, and None
    only past Go's maxAlloc (the capacity before rounding is below 2.5 x old + 192 or needed)."""
    got = grow_cap(old, old + extra, size)
    if got is None:
        assert max(old + extra, 3 * old) * size > GO_MAX_ALLOC
        return
    assert old + extra <= got and got * size <= GO_MAX_ALLOC
    assert got == round_up_size(got * size) // size


def test_grow_cap_beyond_go_max_alloc() -> None:
    # Go 1.19.8: append to a slice of len == cap == 1<<48 bytes panics "growslice: cap out of range"
    assert grow_cap(1 << 48, (1 << 48) + 1, 1) is None
    # 1.25x + 768/4 = 2^44 + 2^42 + 192 elements; 8 x that rounded up to 8 KiB pages holds 832 more
    assert grow_cap(1 << 44, (1 << 44) + 1, 8) == (1 << 44) + (1 << 42) + 1024
    assert grow_cap(5, 1 << 60, 0) == 1 << 60  # zero-size elements: exactly what is needed


def test_round_up_size_is_gos_roundupsize() -> None:
    # Go's class_to_size around the steps, and whole 8 KiB pages from 32 KiB on
    assert [round_up_size(n) for n in (0, 1, 8, 9, 17, 1024, 1025, 32768, 32769)] == [
        0, 8, 8, 16, 24, 1024, 1152, 32768, 40960]


# -- the same capacities through the ABI -----------------------------------------------------
def _elem(rt: Rt, size: int) -> tuple[int, int, int]:
    """(elem_kind, elem_type_id, the runtime's element width) of an element kind whose Go size
    is ``size``: a scalar, or a struct of size / 8 value slots (0: struct{})."""
    scalar = {1: K.UINT8, 2: K.INT16, 4: K.INT32, 8: K.INT, 16: K.STRING, 24: K.SLICE}
    if size in scalar:
        return scalar[size], NO_TYPE, min(size, 8)
    return K.STRUCT, rt.gox_type_register(b"S", bytes(size // 8)), size


@pytest.mark.parametrize("size", [0, 1, 2, 4, 8, 16, 24, 40, 64])
def test_append_one_at_a_time_gives_gos_sequence(rt: Rt, size: int) -> None:
    kind, tid, w = _elem(rt, size)
    rt.gox_gc_pause()  # (only capacities matter here: no collection work)
    one = rt.gox_rt_slice_create(kind, tid, 1, 1)
    want = SEQUENCES[size]  # Go's, up to 2100 elements: the later ones are large objects
    s, caps = 0, list[int]()
    while rt.gox_slice_len(s) < min(2100, want[-1]):
        s = rt.gox_rt_slice_append(kind, tid, s, 0) if w <= 8 else rt.gox_rt_slice_append_slice(kind, tid, s, one)
        if not caps or caps[-1] != rt.gox_slice_cap(s):
            caps.append(rt.gox_slice_cap(s))
    assert caps == want


def test_interface_elements_grow_as_16_bytes(rt: Rt) -> None:
    one = rt.gox_rt_slice_create(K.INTERFACE, NO_TYPE, 1, 1)
    s, caps = 0, list[int]()
    for _ in range(600):
        s = rt.gox_rt_slice_append_slice(K.INTERFACE, NO_TYPE, s, one)
        if not caps or caps[-1] != rt.gox_slice_cap(s):
            caps.append(rt.gox_slice_cap(s))
    assert caps == [c for c in SEQUENCES[16] if c <= 848]


BULK_KINDS = {1: (K.UINT8, 1), 2: (K.INT16, 2), 8: (K.INT, 8), 16: (K.STRING, 8), 24: (K.SLICE, 8)}
ABI_BULK = [r for r in BULK if r[0] in BULK_KINDS and r[1] + r[2] <= 20000]


def test_append_of_several_grows_once_to_gos_capacity(rt: Rt) -> None:
    assert len(ABI_BULK) > 300
    for size, c, k, want in ABI_BULK:
        kind = BULK_KINDS[size][0]
        s = rt.gox_rt_slice_create(kind, NO_TYPE, c, c)
        t = rt.gox_rt_slice_create(kind, NO_TYPE, k, k)
        assert rt.gox_slice_cap(rt.gox_rt_slice_append_slice(kind, NO_TYPE, s, t)) == want, (size, c, k)
        if k <= 64:
            assert rt.gox_slice_cap(rt.gox_rt_slice_append_n(kind, NO_TYPE, s, [0] * k)) == want, (size, c, k)
        rt.gox_collect_garbage()


def test_the_issues_examples(rt: Rt) -> None:
    # Go 1.19.8: append([]byte(nil), 1) has cap 8; 513 appends to a []int give cap 848
    assert rt.gox_slice_cap(rt.gox_rt_slice_append(K.UINT8, NO_TYPE, 0, 1)) == 8
    s = 0
    for i in range(513):
        s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, i)
    assert len_cap(rt, s) == (513, 848) and items(rt, s) == list(range(513))
    # append([]int(nil), 1, 2, 3) has cap 3, one more element makes it 6, then 5, 6, 7: len 7 cap 12
    s = rt.gox_rt_slice_append_n(K.INT, NO_TYPE, 0, [1, 2, 3])
    assert len_cap(rt, s) == (3, 3)
    s = rt.gox_rt_slice_append_n(K.INT, NO_TYPE, s, [4])
    assert len_cap(rt, s) == (4, 6)
    s = rt.gox_rt_slice_append_n(K.INT, NO_TYPE, s, [5, 6, 7])
    assert len_cap(rt, s) == (7, 12) and items(rt, s) == [1, 2, 3, 4, 5, 6, 7]


def test_append_n_values(rt: Rt) -> None:
    s = rt.gox_rt_slice_append_n(K.INT8, NO_TYPE, 0, [1, -1, 300, 2**64 - 2])
    assert [signed(v) for v in items(rt, s)] == [1, -1, 44, -2]  # int8 wraps, as Go's conversions do
    b = rt.gox_rt_slice_append_n(K.BOOL, NO_TYPE, 0, [0, 5])
    assert items(rt, b) == [0, 1]
    strs = [gstr(rt, b"a"), 0, gstr(rt, b"bc")]
    ss = rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, 0, strs)
    assert [rt.gox_string_read(v) for v in items(rt, ss)] == [b"a", b"", b"bc"]
    assert len_cap(rt, ss) == (3, 3)  # Go: append([]string(nil), "a", "", "bc") has cap 3 (48 bytes)


def test_appending_nothing_returns_the_slice_itself(rt: Rt) -> None:
    # Go: append(s) and append(s, empty...) are s; append([]int(nil), []int{}...) == nil is true
    s = ints(rt, [1, 2])
    assert rt.gox_rt_slice_append_n(K.INT, NO_TYPE, s, []) == s
    assert rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, s, 0) == s
    assert rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, 0, ints(rt, [])) == 0
    assert rt.gox_rt_slice_append_n(K.INT, NO_TYPE, 0, []) == 0
    assert rt.gox_rt_slice_append_string(0, 0) == 0  # append([]byte(nil), ""...) == nil is true


def test_append_within_capacity_shares_the_array(rt: Rt) -> None:
    # base := make([]int, 3, 10); p := append(base, 7); q := append(base, 8); p[3], q[3] -> 8 8
    base = rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 10)
    p = rt.gox_rt_slice_append_n(K.INT, NO_TYPE, base, [7])
    q = rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, base, ints(rt, [8]))
    assert rt.gox_slice_get(p, 3) == rt.gox_slice_get(q, 3) == 8
    assert len_cap(rt, p) == len_cap(rt, q) == (4, 10)
    b = rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 1, 8)
    x = rt.gox_rt_slice_append_string(b, gstr(rt, b"xy"))
    y = rt.gox_rt_slice_append_string(b, gstr(rt, b"z"))
    assert items(rt, x) == [0, ord("z"), ord("y")] and items(rt, y) == [0, ord("z")]


def test_append_of_an_overlapping_slice(rt: Rt) -> None:
    # a := []int{1, 2, 3, 4, 5, 0, 0, 0}; s := a[:5]; s = append(s[:2], s[1:5]...)
    # -> s == [1 2 2 3 4 5], a == [1 2 2 3 4 5 0 0] (within capacity: a memmove)
    a = ints(rt, [1, 2, 3, 4, 5, 0, 0, 0])
    s = rt.gox_rt_slice_slice(a, 0, 5)
    s = rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, rt.gox_rt_slice_slice(s, 0, 2), rt.gox_rt_slice_slice(s, 1, 5))
    assert items(rt, s) == [1, 2, 2, 3, 4, 5] and items(rt, a) == [1, 2, 2, 3, 4, 5, 0, 0]
    # a2 := []int{1, 2, 3, 4}; s2 := append(a2, a2[1:]...) -> [1 2 3 4 2 3 4] 7 8, a2 unchanged
    a2 = ints(rt, [1, 2, 3, 4])
    s2 = rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, a2, rt.gox_rt_slice_slice(a2, 1, 4))
    assert items(rt, s2) == [1, 2, 3, 4, 2, 3, 4] and len_cap(rt, s2) == (7, 8) and items(rt, a2) == [1, 2, 3, 4]
    # packed bytes: b := []byte("abcdef"); append(b[:1], b[:5]...) within capacity -> "aabcde"
    b = rt.gox_rt_string_to_bytes(gstr(rt, b"abcdef"))
    r = rt.gox_rt_slice_append_slice(K.UINT8, NO_TYPE, rt.gox_rt_slice_slice(b, 0, 1), rt.gox_rt_slice_slice(b, 0, 5))
    assert bytes(items(rt, r)) == b"aabcde"


def test_append_slice_of_multi_slot_elements(rt: Rt) -> None:
    pair = rt.gox_type_register(b"Pair", bytes([SlotType.VALUE, SlotType.GC_REF]))
    src = rt.gox_rt_slice_create(K.STRUCT, pair, 2, 2)
    arr = rt.gox_gc_read_slot(src, 0)
    name = gstr(rt, b"n")
    for slot, v in ((4, 1), (5, name), (6, 2), (7, 0)):  # array data starts at slot 4
        rt.gox_gc_write_slot(arr, slot, v)
    s = rt.gox_rt_slice_append_slice(K.STRUCT, pair, 0, src)
    s = rt.gox_rt_slice_append_slice(K.STRUCT, pair, s, src)
    assert len_cap(rt, s) == (4, 4)  # Go: []struct{int; *T} appends 2, then 2 more: cap 2, then 4
    out = rt.gox_gc_read_slot(s, 0)
    assert [rt.gox_gc_read_slot(out, 4 + i) for i in range(8)] == [1, name, 2, 0, 1, name, 2, 0]


# -- copy ------------------------------------------------------------------------------------
def test_copy_overlapping(rt: Rt) -> None:
    # c := []int{1, 2, 3, 4, 5}; copy(c[1:], c) -> 4 [1 1 2 3 4]; copy(c, c[2:]) -> 3 [3 4 5 4 5]
    c = ints(rt, [1, 2, 3, 4, 5])
    assert rt.gox_slice_copy(rt.gox_rt_slice_slice(c, 1, 5), c) == 4 and items(rt, c) == [1, 1, 2, 3, 4]
    c = ints(rt, [1, 2, 3, 4, 5])
    assert rt.gox_slice_copy(c, rt.gox_rt_slice_slice(c, 2, 5)) == 3 and items(rt, c) == [3, 4, 5, 4, 5]
    # bb := []byte("abcdef"); copy(bb[2:], bb) -> 4 "ababcd"
    bb = rt.gox_rt_string_to_bytes(gstr(rt, b"abcdef"))
    assert rt.gox_slice_copy(rt.gox_rt_slice_slice(bb, 2, 6), bb) == 4 and bytes(items(rt, bb)) == b"ababcd"


def test_copy_from_a_string(rt: Rt) -> None:
    # x := make([]byte, 3, 10); copy(x, "hello") -> 3 "hel"; copy(x, "") -> 0; copy([]byte(nil), "abc") -> 0
    x = rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 3, 10)
    assert rt.gox_slice_copy_string(x, gstr(rt, b"hello")) == 3 and bytes(items(rt, x)) == b"hel"
    assert rt.gox_slice_copy_string(x, 0) == 0
    assert rt.gox_slice_copy_string(0, gstr(rt, b"abc")) == 0
    # copy into the middle of a []byte: b := []byte("abcdefgh"); copy(b[3:5], "XYZ") -> 2 "abcXYfgh"
    b = rt.gox_rt_string_to_bytes(gstr(rt, b"abcdefgh"))
    assert rt.gox_slice_copy_string(rt.gox_rt_slice_slice(b, 3, 5), gstr(rt, b"XYZ")) == 2
    assert bytes(items(rt, b)) == b"abcXYfgh"


def test_append_a_string_to_bytes(rt: Rt) -> None:
    # y := append([]byte(nil), "hello"...) -> 5 8; y = append(y, " world"...) -> 11 16 "hello world"
    y = rt.gox_rt_slice_append_string(0, gstr(rt, b"hello"))
    assert len_cap(rt, y) == (5, 8)
    y = rt.gox_rt_slice_append_string(y, gstr(rt, b" world"))
    assert len_cap(rt, y) == (11, 16) and bytes(items(rt, y)) == b"hello world"
    # a string slice that starts inside a word of its array
    sub = rt.gox_rt_string_slice(gstr(rt, b"0123456789"), 3, 9)
    assert bytes(items(rt, rt.gox_rt_slice_append_string(y, sub)))[11:] == b"345678"


# -- conversions -----------------------------------------------------------------------------
def test_string_to_bytes_capacity_is_gos_heap_allocation(rt: Rt) -> None:
    # b := []byte(s), escaping to the heap: len cap for "", "a", "hello", 14 and 40 bytes:
    # 0 0, 1 8, 5 8, 14 16, 40 48, and b == nil is false every time
    for text, want in ((b"", (0, 0)), (b"a", (1, 8)), (b"hello", (5, 8)), (b"x" * 14, (14, 16)), (b"y" * 40, (40, 48))):
        b = rt.gox_rt_string_to_bytes(gstr(rt, text))
        assert b != 0 and len_cap(rt, b) == want and bytes(items(rt, b)) == text


def test_bytes_to_string(rt: Rt) -> None:
    # b := []byte("\xffa\xe4\xb8"); string(b) keeps the bytes; string(b[1:2]) == "a"; string(nil) == ""
    b = rt.gox_rt_string_to_bytes(gstr(rt, b"\xffa\xe4\xb8"))
    assert rt.gox_string_read(rt.gox_rt_bytes_to_string(b)) == b"\xffa\xe4\xb8"
    assert rt.gox_string_read(rt.gox_rt_bytes_to_string(rt.gox_rt_slice_slice(b, 1, 2))) == b"a"
    assert rt.gox_rt_bytes_to_string(0) == 0
    # the string is a copy: writing b afterwards does not change it
    s = rt.gox_rt_bytes_to_string(b)
    rt.gox_slice_set(b, 1, ord("Z"))
    assert rt.gox_string_read(s) == b"\xffa\xe4\xb8"


def test_string_to_runes(rt: Rt) -> None:
    # []rune(s) escaping: len cap r for "", "a", "héllo", "héllo, wörld!!" and invalid UTF-8:
    cases = [
        (b"", 0, []),
        (b"a", 2, [97]),
        ("héllo".encode(), 6, [104, 233, 108, 108, 111]),
        ("héllo, wörld!!".encode(), 16, [ord(c) for c in "héllo, wörld!!"]),
        # "\xff\xfe\xed\xa0\x80a\xf4\x90\x80\x80\xe2\x82": 12 12 [65533 x5, 97, 65533 x6]: one U+FFFD per byte
        (b"\xff\xfe\xed\xa0\x80a\xf4\x90\x80\x80\xe2\x82", 12, [0xFFFD] * 5 + [97] + [0xFFFD] * 6),
    ]
    for text, cap, runes in cases:
        r = rt.gox_rt_string_to_runes(gstr(rt, text))
        assert r != 0 and len_cap(rt, r) == (len(runes), cap) and items(rt, r) == runes, text


def test_runes_to_string(rt: Rt) -> None:
    # string([]rune{0x41, -1, 0xD800, 0x10FFFF, 0x110000, 0x4e16}) -> "A\ufffd\ufffd\U0010ffff\ufffd世"
    r = rt.gox_rt_slice_append_n(K.INT32, NO_TYPE, 0, [0x41, -1, 0xD800, 0x10FFFF, 0x110000, 0x4E16])
    assert rt.gox_string_read(rt.gox_rt_runes_to_string(r)) == "A\ufffd\ufffd\U0010ffff\ufffd世".encode()
    assert rt.gox_rt_runes_to_string(0) == 0
    # a round trip of valid text
    text = "héllo, 世界 \U0001f600".encode()
    assert rt.gox_string_read(rt.gox_rt_runes_to_string(rt.gox_rt_string_to_runes(gstr(rt, text)))) == text


# -- the collector ---------------------------------------------------------------------------
def test_append_n_roots_its_values_at_its_safepoint(rt: Rt) -> None:
    """The values are roots of the call's safepoint: a cycle that ends there keeps them."""
    s = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 0, 0)
    rt.gox_gc_pin(s)
    for i in range(3):
        rt.gox_gc_tune(200, 100, 8, 1)
        rt.gox_gc_step()  # a cycle starts: the collector is propagating
        assert rt.gox_gc_stats().state == 1
        rt.gox_gc_pause()  # new strings, held by nothing but the call's arguments
        vals = [gstr(rt, b"a%d" % i), gstr(rt, b"b%d" % i)]
        rt.gox_gc_resume()
        cycles = rt.gox_gc_stats().cycles
        rt.gox_gc_tune(200, 1_000_000, 8, 1)  # the append's safepoint finishes the cycle
        new = rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, s, vals)
        assert rt.gox_gc_stats().cycles == cycles + 1
        rt.gox_gc_pin(new)
        rt.gox_gc_unpin(s)
        s = new
    rt.gox_collect_garbage()
    assert [rt.gox_string_read(v) for v in items(rt, s)] == [b"%s%d" % (p, i) for i in range(3) for p in (b"a", b"b")]


def _color(rt: Rt, ref: int) -> str:
    want = rt.canonical(ref)
    return next(o.color for o in rt.heap_snapshot().objects if o.ref == want)


@pytest.mark.parametrize("how", ["slice", "n"])
def test_append_within_capacity_into_a_black_array_has_the_barrier(rt: Rt, how: str) -> None:
    """Appending references into an array the collector has already blackened grays them: else
    the cycle would free a string only that array holds."""
    rt.gox_gc_tune(200, 100, 8, 1)  # one object per step
    dst = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 0, 4)
    rt.gox_gc_pin(dst)
    arr = rt.gox_gc_read_slot(dst, 0)
    rt.gox_gc_pause()
    x = gstr(rt, b"kept")
    t = rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, 0, [x])
    rt.gox_gc_resume()
    while _color(rt, arr) != "black":
        rt.gox_gc_step()
    assert rt.gox_gc_stats().state == 1  # still propagating
    rt.gox_gc_pause()  # no collection work inside the append: only its barrier can save x
    out = rt.gox_rt_slice_append_slice(K.STRING, NO_TYPE, dst, t) if how == "slice" else \
        rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, dst, [x])
    rt.gox_gc_pin(out)
    rt.gox_gc_resume()
    assert rt.gox_gc_read_slot(out, 0) == arr  # within capacity: the same (black) array
    while not rt.gox_gc_step():  # the cycle ends
        pass
    assert rt.gox_string_read(rt.gox_slice_get(out, 0)) == b"kept"


# -- bad input: the same error on both backends, nothing changed ------------------------------
BIG = 0x7FFF  # a struct type id never registered


def _bad_calls(rt: Rt) -> list[tuple[str, Callable[[], Any], type[GoxError], str]]:
    pair = rt.gox_type_register(b"Pair", bytes([SlotType.VALUE, SlotType.GC_REF]))
    s = gstr(rt, b"abc")
    ints_ = ints(rt, [1, 2])
    strs = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 1, 1)
    byts = rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 1, 1)
    gone = gstr(rt, b"gone")
    for r in (s, ints_, strs, byts):
        rt.gox_gc_pin(r)
    rt.gox_collect_garbage()
    at = {r: f"{rt.canonical(r):#x}" for r in (s, ints_, strs, byts)}
    return [
        ("n-not-slice", lambda: rt.gox_rt_slice_append_n(K.INT, NO_TYPE, s, [1]), GoxABIError,
         f"gox_rt_slice_append_n: {at[s]} is a 15 (String) object, expected a 17 (Slice) object"),
        ("n-kind", lambda: rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, ints_, [0]), GoxABIError,
         f"gox_rt_slice_append_n: {at[ints_]} has 2 (Int) elements; expected 15 (String) as elem_kind says"),
        ("n-multi-slot", lambda: rt.gox_rt_slice_append_n(K.STRUCT, pair, 0, [0]), GoxABIError,
         "gox_rt_slice_append_n: elements of kind 21 (Struct) take 16 bytes; expected a single-slot kind"),
        ("n-bad-value", lambda: rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, strs, [s, NEVER]), GoxABIError,
         "gox_rt_slice_append_n: an element of kind 15 (String) takes a reference or 0, but 0x1234"),
        ("n-freed-value", lambda: rt.gox_rt_slice_append_n(K.STRING, NO_TYPE, 0, [gone]), GoxABIError,
         "is a freed reference"),
        ("n-not-a-sequence", lambda: rt.gox_rt_slice_append_n(K.INT, NO_TYPE, 0, 5), GoxABIError,  # type: ignore[arg-type]
         "gox_rt_slice_append_n: vals=5 is not a sequence (Sequence[int])"),
        ("n-too-big", lambda: rt.gox_rt_slice_append_n(K.INT, NO_TYPE, 0, [2**64]), GoxABIError,
         "gox_rt_slice_append_n: vals holds 18446744073709551616, expected 64-bit integers"),
        ("slice-kind", lambda: rt.gox_rt_slice_append_slice(K.INT, NO_TYPE, ints_, strs), GoxABIError,
         f"gox_rt_slice_append_slice: {at[strs]} has 15 (String) elements; expected 2 (Int) as elem_kind says"),
        ("slice-type", lambda: rt.gox_rt_slice_append_slice(K.STRUCT, BIG, 0, 0), GoxABIError,
         "gox_rt_slice_append_slice: unknown struct type id 32767"),
        ("string-kind", lambda: rt.gox_rt_slice_append_string(ints_, s), GoxABIError,
         f"gox_rt_slice_append_string: {at[ints_]} has 2 (Int) elements; expected 8 (Uint8) elements (a []byte)"),
        ("string-not-string", lambda: rt.gox_rt_slice_append_string(byts, byts), GoxABIError,
         "expected a 15 (String) object"),
        ("copy-kind", lambda: rt.gox_slice_copy_string(strs, s), GoxABIError,
         f"gox_slice_copy_string: {at[strs]} has 15 (String) elements; expected 8 (Uint8) elements (a []byte)"),
        ("copy-freed", lambda: rt.gox_slice_copy_string(byts, gone), GoxABIError, "is a freed reference"),
        ("to-bytes", lambda: rt.gox_rt_string_to_bytes(ints_), GoxABIError, "expected a 15 (String) object"),
        ("to-runes", lambda: rt.gox_rt_string_to_runes(gone), GoxABIError, "is a freed reference"),
        ("from-bytes", lambda: rt.gox_rt_bytes_to_string(ints_), GoxABIError,
         f"gox_rt_bytes_to_string: {at[ints_]} has 2 (Int) elements; expected 8 (Uint8) elements (a []byte)"),
        ("from-runes", lambda: rt.gox_rt_runes_to_string(byts), GoxABIError,
         f"gox_rt_runes_to_string: {at[byts]} has 8 (Uint8) elements; expected 5 (Int32) elements (a []rune)"),
        ("rune-range", lambda: rt.gox_rt_string_from_rune(2**63), GoxABIError, "r=9223372036854775808"),
    ]


def test_bad_calls_get_the_same_error_on_both_backends_and_change_nothing() -> None:
    ref, nat = new_runtime("ref", io.BytesIO()), new_runtime("native", io.BytesIO())
    try:
        got: dict[str, list[str]] = {}
        for r in (ref, nat):
            for name, call, exc, needle in _bad_calls(r):
                before = r.heap_snapshot().canonical()
                with pytest.raises(exc) as e:
                    call()
                assert needle in str(e.value), (name, str(e.value))
                assert r.heap_snapshot().canonical() == before, name
                got.setdefault(name, []).append(str(e.value))
        assert all(a == b for a, b in got.values()), {k: v for k, v in got.items() if v[0] != v[1]}
    finally:
        assert isinstance(nat, NativeRuntime)
        nat.close()


def test_conversions_into_large_objects(rt: Rt) -> None:
    """A []byte or []rune past the old 65535-slot object is a large object with Go's capacity
    (Go 1.19.8: cap([]rune(131072 x "x")) 131072, cap([]byte(516104 x "y")) 524288: 64 pages)."""
    ascii_ = gstr(rt, b"x" * 131072)  # 4 x 131072 bytes: 65540 slots
    runes_ = rt.gox_rt_string_to_runes(ascii_)
    assert (rt.gox_slice_len(runes_), rt.gox_slice_cap(runes_)) == (131072, 131072)
    assert rt.gox_slice_get(runes_, 131071) == ord("x")
    long_ = gstr(rt, b"y" * 516104)
    bytes_ = rt.gox_rt_string_to_bytes(long_)
    assert (rt.gox_slice_len(bytes_), rt.gox_slice_cap(bytes_)) == (516104, 524288)
    assert rt.gox_slice_get(bytes_, 516103) == ord("y")
    assert rt.gox_string_len(rt.gox_rt_bytes_to_string(bytes_)) == 516104
