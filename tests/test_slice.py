"""Slices: make, nil slices, append's growth (Go's formula) and aliasing, reslicing and its
bounds, copy."""

from __future__ import annotations

import pytest
from conftest import NO_TYPE, U64, K, Runtime, f64, from_f64, gstr, int_slice, new_runtime, s64, sread
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_ref import GoxPanic
from gox_ref.objects.slice import grow_cap


def test_make_slice(rt: Runtime) -> None:
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 10)
    assert (rt.gox_slice_len(s), rt.gox_slice_cap(s)) == (3, 10)
    assert [rt.gox_slice_get(s, i) for i in range(3)] == [0, 0, 0]
    rt.gox_slice_set(s, 2, 7)
    assert rt.gox_slice_get(s, 2) == 7
    e = rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 0, 0)
    assert e != 0 and rt.gox_slice_len(e) == 0  # make([]T, 0) is not nil


def test_nil_slice(rt: Runtime) -> None:
    assert rt.gox_slice_len(0) == 0 and rt.gox_slice_cap(0) == 0
    assert rt.gox_rt_slice_slice(0, 0, 0) == 0
    assert rt.gox_rt_slice_slice3(0, 0, 0, 0) == 0
    assert rt.gox_slice_copy(0, 0) == 0
    s = int_slice(rt, [1, 2])
    assert rt.gox_slice_copy(s, 0) == 0 and rt.gox_slice_copy(0, s) == 0
    with pytest.raises(GoxPanic, match=r"^runtime error: index out of range \[0\] with length 0$"):
        rt.gox_slice_get(0, 0)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[:1\] with capacity 0$"):
        rt.gox_rt_slice_slice(0, 0, 1)
    # append to nil makes a slice of elem_kind; Go 1.19.8 gives a []int16 cap 4 (8 bytes)
    t = rt.gox_rt_slice_append(K.INT16, NO_TYPE, 0, 0xFFFF)
    assert (rt.gox_slice_len(t), rt.gox_slice_cap(t)) == (1, 4)
    assert rt.gox_slice_get(t, 0) == U64


def test_slice_element_widths(rt: Runtime) -> None:
    s = rt.gox_rt_slice_create(K.INT8, NO_TYPE, 4, 4)
    rt.gox_slice_set(s, 3, 0xFF)
    assert rt.gox_slice_get(s, 3) == U64
    u = rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 4, 4)
    rt.gox_slice_set(u, 3, 0xFF)
    assert rt.gox_slice_get(u, 3) == 255
    f = rt.gox_rt_slice_create(K.FLOAT64, NO_TYPE, 1, 1)
    rt.gox_slice_set(f, 0, f64(0.1))
    assert from_f64(rt.gox_slice_get(f, 0)) == 0.1


def test_append_growth_caps(rt: Runtime) -> None:
    s = 0
    caps: list[int] = []
    for i in range(1100):
        s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, i)
        c = rt.gox_slice_cap(s)
        if not caps or caps[-1] != c:
            caps.append(c)
    # Go 1.19.8, appending to a []int one at a time: 1 2 4 ... 512 848 1280 (size-class rounding)
    assert caps == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 848, 1280]
    assert slice_items_sum(rt, s) == sum(range(1100))


def slice_items_sum(rt: Runtime, s: int) -> int:
    return sum(rt.gox_slice_get(s, i) for i in range(rt.gox_slice_len(s)))


def test_grow_cap_formula() -> None:
    # (old cap, needed) -> Go 1.19.8's cap(append(make([]int, old), make([]int, needed-old)...))
    cases = {(0, 1): 1, (1, 2): 2, (255, 256): 512, (256, 257): 512, (512, 513): 848, (832, 833): 1280,
             (5, 11): 12, (1000, 1400): 1536, (1000, 1500): 2048}
    assert {k: grow_cap(*k, 8) for k in cases} == cases


def test_append_within_capacity_aliases(rt: Runtime) -> None:
    # s := make([]int, 1, 4); a := append(s, 1); b := append(s, 2) -> a[1] == 2 (shared array)
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 1, 4)
    a = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 1)
    b = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 2)
    assert rt.gox_slice_get(a, 1) == 2
    assert rt.gox_slice_get(b, 1) == 2
    assert rt.gox_slice_len(s) == 1  # s itself is unchanged
    assert rt.gox_slice_cap(a) == 4


def test_append_beyond_capacity_copies(rt: Runtime) -> None:
    s = int_slice(rt, [1, 2])
    a = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 3)
    assert (rt.gox_slice_len(a), rt.gox_slice_cap(a)) == (3, 4)
    rt.gox_slice_set(a, 0, 100)
    assert rt.gox_slice_get(s, 0) == 1  # new backing array
    assert [rt.gox_slice_get(a, i) for i in range(3)] == [100, 2, 3]


def test_append_to_subslice_writes_into_parent(rt: Runtime) -> None:
    s = int_slice(rt, [1, 2, 3, 4])
    head = rt.gox_rt_slice_slice(s, 0, 2)
    rt.gox_rt_slice_append(K.INT, NO_TYPE, head, 99)
    assert [rt.gox_slice_get(s, i) for i in range(4)] == [1, 2, 99, 4]
    # a 3-index slice limits capacity, so append copies instead
    lim = rt.gox_rt_slice_slice3(s, 0, 2, 2)
    t = rt.gox_rt_slice_append(K.INT, NO_TYPE, lim, 7)
    assert rt.gox_slice_get(s, 2) == 99
    assert [rt.gox_slice_get(t, i) for i in range(3)] == [1, 2, 7]


def test_append_of_offset_slice_copies_from_start(rt: Runtime) -> None:
    s = int_slice(rt, [1, 2, 3, 4])
    tail = rt.gox_rt_slice_slice(s, 2, 4)  # cap 2, full
    t = rt.gox_rt_slice_append(K.INT, NO_TYPE, tail, 5)
    assert [rt.gox_slice_get(t, i) for i in range(3)] == [3, 4, 5]
    assert rt.gox_slice_cap(t) == 4


def test_append_references(rt: Runtime) -> None:
    rt.gox_init_globals(1, [True])
    s = 0
    for word in ["a", "bb", "ccc"]:
        s = rt.gox_rt_slice_append(K.STRING, NO_TYPE, s, gstr(rt, word))
        rt.gox_rt_set_global(0, s)
    rt.gox_collect_garbage()
    assert [sread(rt, rt.gox_slice_get(s, i)) for i in range(3)] == [b"a", b"bb", b"ccc"]


def test_reslice_bounded_by_cap(rt: Runtime) -> None:
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 4)
    rt.gox_slice_set(s, 1, 5)
    t = rt.gox_rt_slice_slice(s, 1, 4)  # beyond len, within cap: allowed
    assert (rt.gox_slice_len(t), rt.gox_slice_cap(t)) == (3, 3)
    assert rt.gox_slice_get(t, 0) == 5
    rt.gox_slice_set(t, 2, 9)
    full = rt.gox_rt_slice_slice(s, 0, 4)
    assert rt.gox_slice_get(full, 3) == 9
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[:5\] with capacity 4$"):
        rt.gox_rt_slice_slice(s, 0, 5)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[3:2\]$"):
        rt.gox_rt_slice_slice(s, 3, 2)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[-1:\]$"):
        rt.gox_rt_slice_slice(s, -1, 2)
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[:-1\]$"):
        rt.gox_rt_slice_slice(s, 0, -1)


def test_slice3(rt: Runtime) -> None:
    s = int_slice(rt, [0, 1, 2, 3, 4, 5])
    t = rt.gox_rt_slice_slice3(s, 1, 3, 4)
    assert (rt.gox_slice_len(t), rt.gox_slice_cap(t)) == (2, 3)
    assert [rt.gox_slice_get(t, i) for i in range(2)] == [1, 2]
    u = rt.gox_rt_slice_slice(t, 0, 3)  # can grow to cap 3 only
    assert rt.gox_slice_get(u, 2) == 3
    cases = [
        ((0, 0, 7), "[::7] with capacity 6"),
        ((0, 5, 4), "[:5:4]"),
        ((3, 2, 4), "[3:2:]"),
        ((0, 0, -1), "[::-1]"),
        ((0, -1, 2), "[:-1:]"),
        ((-1, 0, 2), "[-1::]"),
    ]
    for (lo, hi, mx), text in cases:
        with pytest.raises(GoxPanic) as info:
            rt.gox_rt_slice_slice3(s, lo, hi, mx)
        assert str(info.value) == f"runtime error: slice bounds out of range {text}"


def test_copy(rt: Runtime) -> None:
    dst = int_slice(rt, [0, 0, 0])
    src = int_slice(rt, [1, 2, 3, 4, 5])
    assert rt.gox_slice_copy(dst, src) == 3
    assert [rt.gox_slice_get(dst, i) for i in range(3)] == [1, 2, 3]
    short = int_slice(rt, [9])
    assert rt.gox_slice_copy(dst, short) == 1
    assert [rt.gox_slice_get(dst, i) for i in range(3)] == [9, 2, 3]


@pytest.mark.parametrize("kind", [K.INT, K.UINT8, K.INT16, K.INT32])
def test_copy_overlap(rt: Runtime, kind: int) -> None:
    s = rt.gox_rt_slice_create(kind, NO_TYPE, 6, 6)
    for i in range(6):
        rt.gox_slice_set(s, i, i + 1)
    # copy(s[1:], s): shifts right like memmove
    assert rt.gox_slice_copy(rt.gox_rt_slice_slice(s, 1, 6), s) == 5
    assert [rt.gox_slice_get(s, i) for i in range(6)] == [1, 1, 2, 3, 4, 5]
    # copy(s, s[2:]): shifts left
    assert rt.gox_slice_copy(s, rt.gox_rt_slice_slice(s, 2, 6)) == 4
    assert [rt.gox_slice_get(s, i) for i in range(6)] == [2, 3, 4, 5, 4, 5]


def test_copy_between_kinds_with_type_ids(rt: Runtime) -> None:
    # elem_type_id is meaningless for non-struct kinds: copy must not compare it
    a = rt.gox_rt_slice_create(K.INT, 0, 2, 2)
    b = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 2)
    rt.gox_slice_set(b, 1, 4)
    assert rt.gox_slice_copy(a, b) == 2
    assert rt.gox_slice_get(a, 1) == 4


def test_copy_references_keeps_them_alive(rt: Runtime) -> None:
    dst = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 2, 2)
    rt.gox_gc_pin(dst)
    src = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 2, 2)
    rt.gox_slice_set(src, 0, gstr(rt, "kept"))
    assert rt.gox_slice_copy(dst, src) == 2
    rt.gox_collect_garbage()
    assert not rt.is_live(src)
    assert sread(rt, rt.gox_slice_get(dst, 0)) == b"kept"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=40), st.data())
def test_slice_model(backend: str, vals: list[int], data: st.DataObject) -> None:
    """Appends, reslices and sets against a Python model of Go slices sharing arrays."""
    rt = new_runtime(backend)
    s = 0
    for v in vals:
        s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, v & U64)
    assert [s64(rt.gox_slice_get(s, i)) for i in range(len(vals))] == vals
    n = len(vals)
    cap = rt.gox_slice_cap(s)
    assert cap >= n
    lo = data.draw(st.integers(0, n))
    hi = data.draw(st.integers(lo, cap))
    t = rt.gox_rt_slice_slice(s, lo, hi) if s else 0
    assert rt.gox_slice_len(t) == hi - lo
    if hi > lo:
        rt.gox_slice_set(t, 0, 12345)  # visible through the parent's full-capacity view
        assert rt.gox_slice_get(rt.gox_rt_slice_slice(s, 0, cap), lo) == 12345
