"""Strings: creation, reading, indexing, concatenation, slicing (sharing), comparison, runes."""

from __future__ import annotations

import pytest
from conftest import Runtime, gstr, new_runtime, sread
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_abi.layout import STRING_BYTES, STRING_LEN, STRING_START
from gox_ref import ValueKind

RUNE_ERROR = 0xFFFD


def test_from_ptr_and_read(rt: Runtime) -> None:
    s = gstr(rt, "héllo, 世界")
    assert sread(rt, s) == "héllo, 世界".encode()
    assert rt.gox_string_len(s) == len("héllo, 世界".encode())
    assert rt.object_kind(s) == ValueKind.STRING


def test_empty_string_is_nil_ref(rt: Runtime) -> None:
    before = rt.gox_gc_stats().allocated_objects
    assert rt.gox_rt_string_from_ptr(b"") == 0
    assert rt.gox_gc_stats().allocated_objects == before
    assert rt.gox_string_len(0) == 0
    assert rt.gox_string_read(0) == b""


def test_string_copies_the_bytes(rt: Runtime) -> None:
    buf = bytearray(b"abc")
    s = rt.gox_rt_string_from_ptr(bytes(buf))
    buf[0] = ord("z")
    assert rt.gox_string_read(s) == b"abc"


def test_any_bytes_allowed(rt: Runtime) -> None:
    raw = bytes(range(256))
    s = gstr(rt, raw)
    assert sread(rt, s) == raw
    assert [rt.gox_string_index(s, i) for i in (0, 127, 128, 255)] == [0, 127, 128, 255]


def test_index(rt: Runtime) -> None:
    s = gstr(rt, "abcdefghijk")  # spans two data slots
    assert [rt.gox_string_index(s, i) for i in range(11)] == list(b"abcdefghijk")


def test_concat(rt: Runtime) -> None:
    a, b = gstr(rt, "foo"), gstr(rt, "barbazqux")
    c = rt.gox_rt_string_concat(a, b)
    assert sread(rt, c) == b"foobarbazqux"
    assert rt.gox_string_len(c) == 12
    # operands are unchanged
    assert sread(rt, a) == b"foo" and sread(rt, b) == b"barbazqux"


def test_concat_with_empty_returns_operand(rt: Runtime) -> None:
    a = gstr(rt, "x")
    assert rt.gox_rt_string_concat(a, 0) == a
    assert rt.gox_rt_string_concat(0, a) == a
    assert rt.gox_rt_string_concat(0, 0) == 0


def test_slice_shares_bytes(rt: Runtime) -> None:
    s = gstr(rt, "hello, world")
    sub = rt.gox_rt_string_slice(s, 7, 12)
    assert sread(rt, sub) == b"world"
    s_slots, sub_slots = rt.object_slots(s), rt.object_slots(sub)
    assert sub_slots[STRING_BYTES] == s_slots[STRING_BYTES]  # same byte array
    assert sub_slots[STRING_START] == 7 and sub_slots[STRING_LEN] == 5
    # slicing a slice composes offsets
    sub2 = rt.gox_rt_string_slice(sub, 1, 3)
    assert sread(rt, sub2) == b"or"
    assert rt.object_slots(sub2)[STRING_START] == 8
    # index of a view
    assert rt.gox_string_index(sub, 0) == ord("w")


def test_slice_full_and_empty(rt: Runtime) -> None:
    s = gstr(rt, "abc")
    assert rt.gox_rt_string_slice(s, 0, 3) == s
    assert rt.gox_rt_string_slice(s, 2, 2) == 0
    assert rt.gox_rt_string_slice(s, 3, 3) == 0
    assert rt.gox_rt_string_slice(0, 0, 0) == 0


def test_slice_keeps_bytes_alive(rt: Runtime) -> None:
    rt.gox_init_globals(1, [True])
    s = gstr(rt, "abcdefgh")
    sub = rt.gox_rt_string_slice(s, 2, 5)
    rt.gox_rt_set_global(0, sub)
    rt.gox_collect_garbage()
    assert not rt.is_live(s)  # the original header is gone ...
    assert sread(rt, sub) == b"cde"  # ... its bytes are not


def test_comparisons(rt: Runtime) -> None:
    a, b, a2 = gstr(rt, "abc"), gstr(rt, "abd"), gstr(rt, "abc")
    assert rt.gox_string_eq(a, a2) and not rt.gox_string_ne(a, a2)
    assert rt.gox_string_ne(a, b) and not rt.gox_string_eq(a, b)
    assert rt.gox_string_lt(a, b) and rt.gox_string_le(a, b)
    assert rt.gox_string_gt(b, a) and rt.gox_string_ge(b, a)
    assert rt.gox_string_le(a, a2) and rt.gox_string_ge(a, a2)
    assert not rt.gox_string_lt(a, a2) and not rt.gox_string_gt(a, a2)
    assert (rt.gox_string_cmp(a, b), rt.gox_string_cmp(b, a), rt.gox_string_cmp(a, a2)) == (-1, 1, 0)


def test_prefix_orders_first(rt: Runtime) -> None:
    a, ab = gstr(rt, "ab"), gstr(rt, "abc")
    assert rt.gox_string_lt(a, ab)
    assert rt.gox_string_lt(0, a)  # "" < "ab"
    assert rt.gox_string_eq(0, 0)
    assert rt.gox_string_cmp(0, a) == -1


def test_non_ascii_ordering_is_bytewise(rt: Runtime) -> None:
    # U+FFFD (EF BF BD) < U+10000 (F0 90 80 80) bytewise, and both > "z"
    # (UTF-16 order would put U+10000 first); Latin-1 byte 0xFF > any UTF-8 lead byte below it.
    repl, astral, z = gstr(rt, "\ufffd"), gstr(rt, "\U00010000"), gstr(rt, "z")
    assert rt.gox_string_lt(repl, astral)
    assert rt.gox_string_gt(repl, z)
    hi = gstr(rt, b"\xff")
    e_acute = gstr(rt, "é")  # C3 A9
    assert rt.gox_string_lt(e_acute, hi)
    assert rt.gox_string_cmp(hi, astral) == 1


def test_comparison_of_views(rt: Runtime) -> None:
    s = gstr(rt, "xxabcxx")
    view = rt.gox_rt_string_slice(s, 2, 5)
    other = gstr(rt, "abc")
    assert rt.gox_string_eq(view, other)


@pytest.mark.parametrize(
    ("data", "pos", "want"),
    [
        (b"a", 0, (ord("a"), 1)),
        ("é".encode(), 0, (0xE9, 2)),
        ("世".encode(), 0, (0x4E16, 3)),
        ("😀".encode(), 0, (0x1F600, 4)),
        ("\U0010FFFF".encode(), 0, (0x10FFFF, 4)),
        (b"\x7f", 0, (0x7F, 1)),
        (b"a\xc3\xa9", 1, (0xE9, 2)),
        # invalid lead bytes
        (b"\x80", 0, (RUNE_ERROR, 1)),
        (b"\xbf", 0, (RUNE_ERROR, 1)),
        (b"\xff", 0, (RUNE_ERROR, 1)),
        (b"\xf5\x80\x80\x80", 0, (RUNE_ERROR, 1)),  # lead for > U+13FFFF
        # overlong encodings
        (b"\xc0\x80", 0, (RUNE_ERROR, 1)),
        (b"\xc1\xbf", 0, (RUNE_ERROR, 1)),
        (b"\xe0\x80\x80", 0, (RUNE_ERROR, 1)),
        (b"\xe0\x9f\xbf", 0, (RUNE_ERROR, 1)),
        (b"\xf0\x80\x80\x80", 0, (RUNE_ERROR, 1)),
        (b"\xf0\x8f\xbf\xbf", 0, (RUNE_ERROR, 1)),
        # surrogates U+D800..U+DFFF
        (b"\xed\xa0\x80", 0, (RUNE_ERROR, 1)),
        (b"\xed\xbf\xbf", 0, (RUNE_ERROR, 1)),
        (b"\xed\x9f\xbf", 0, (0xD7FF, 3)),
        (b"\xee\x80\x80", 0, (0xE000, 3)),
        # above U+10FFFF
        (b"\xf4\x90\x80\x80", 0, (RUNE_ERROR, 1)),
        (b"\xf4\x8f\xbf\xbf", 0, (0x10FFFF, 4)),
        # truncated sequences
        (b"\xc3", 0, (RUNE_ERROR, 1)),
        (b"\xe4\xb8", 0, (RUNE_ERROR, 1)),
        (b"\xf0\x9f\x98", 0, (RUNE_ERROR, 1)),
        (b"\xf0\x9f\x98a", 0, (RUNE_ERROR, 1)),
        (b"\xe4a\x96", 0, (RUNE_ERROR, 1)),
        # the encoded U+FFFD itself decodes with width 3
        ("\ufffd".encode(), 0, (RUNE_ERROR, 3)),
    ],
)
def test_decode_rune(rt: Runtime, data: bytes, pos: int, want: tuple[int, int]) -> None:
    s = gstr(rt, data)
    assert rt.gox_string_decode_rune(s, pos) == want


def test_decode_rune_in_view(rt: Runtime) -> None:
    s = gstr(rt, "ab世界")
    view = rt.gox_rt_string_slice(s, 2, 8)
    assert rt.gox_string_decode_rune(view, 0) == (0x4E16, 3)
    assert rt.gox_string_decode_rune(view, 3) == (0x754C, 3)
    cut = rt.gox_rt_string_slice(s, 2, 4)  # the first two bytes of 世
    assert rt.gox_string_decode_rune(cut, 0) == (RUNE_ERROR, 1)


def _go_range(data: bytes) -> list[tuple[int, int]]:
    """What ``for i, r := range s`` yields, by Python's strict UTF-8 decoder."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(data):
        for w in (1, 2, 3, 4):
            try:
                ch = data[i : i + w].decode("utf-8", "strict")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                out.append((i, ord(ch)))
                i += w
                break
        else:
            out.append((i, RUNE_ERROR))
            i += 1
    return out


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=24))
def test_decode_rune_matches_utf8(backend: str, data: bytes) -> None:
    rt = new_runtime(backend)
    s = gstr(rt, data)
    got: list[tuple[int, int]] = []
    i = 0
    while i < len(data):
        r, w = rt.gox_string_decode_rune(s, i)
        assert w >= 1
        got.append((i, r))
        i += w
    assert got == _go_range(data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=20), st.binary(max_size=20))
def test_compare_and_concat_model(backend: str, a: bytes, b: bytes) -> None:
    rt = new_runtime(backend)
    ra, rb = gstr(rt, a), gstr(rt, b)
    assert rt.gox_string_cmp(ra, rb) == (a > b) - (a < b)
    assert rt.gox_string_lt(ra, rb) == (a < b)
    assert rt.gox_string_eq(ra, rb) == (a == b)
    assert rt.gox_string_read(rt.gox_rt_string_concat(ra, rb)) == a + b


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=30), st.data())
def test_slice_model(backend: str, data: bytes, draw: st.DataObject) -> None:
    rt = new_runtime(backend)
    s = gstr(rt, data)
    lo = draw.draw(st.integers(0, len(data)))
    hi = draw.draw(st.integers(lo, len(data)))
    sub = rt.gox_rt_string_slice(s, lo, hi)
    assert rt.gox_string_read(sub) == data[lo:hi]
    assert rt.gox_string_len(sub) == hi - lo


def test_string_from_rune(rt: Runtime) -> None:
    # fmt.Printf("%q", string(r)) for r int64 = -1, 0, 0x41, 0xD800, 0xDFFF, 0xE000, 0x10FFFF, 0x110000,
    # 1<<40, -1<<63: "�" "\x00" "A" "�" "�" "\ue000" "\U0010ffff" "�" "�" "�"
    want = {-1: "\ufffd", 0: "\x00", 0x41: "A", 0xD800: "\ufffd", 0xDFFF: "\ufffd", 0xE000: "\ue000",
            0x10FFFF: "\U0010ffff", 0x110000: "\ufffd", 1 << 40: "\ufffd", -(1 << 63): "\ufffd", 0xE9: "é"}
    assert {r: rt.gox_string_read(rt.gox_rt_string_from_rune(r)).decode() for r in want} == want
