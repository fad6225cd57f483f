"""Objects as large as memory allows (issue 15, point 1; docs/GC.md, "Large objects").

An array of more than 65535 slots (the header's u16) is a large object: made, read, written,
accounted, traced, barriered and swept as any other, on both backends, with the same results;
the native backend's checked mode still recognises a freed one.  Sizes here are the issue's
reference-side figures (a slice of 1,000,000 ints, a string of 10 MB, a map of 200,000 entries);
the native backend's larger ones are in bench/large_objects.py.
"""

from __future__ import annotations

import os

import pytest
from conftest import Runtime, gstr, native_library_or_skip

from gox_abi.kinds import ValueKind as K
from gox_ref import GoxABIError, GoxFatal, GoxPanic, RefRuntime

NO_TYPE = 0xFFFF
LARGE = 65532  # Int elements: 65536 slots, one past the header's 16-bit field


def test_a_large_array_is_made_read_written_and_reported(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, LARGE)
    rt.gox_array_set(a, LARGE - 1, 7)
    assert (rt.gox_array_len(a), rt.gox_array_get(a, LARGE - 1), rt.gox_array_get(a, 0)) == (LARGE, 7, 0)
    assert len(rt.object_slots(a)) == 4 + LARGE  # the true count, though the header field says 0
    assert rt.gox_gc_read_slot(a, 4 + LARGE - 1) == 7
    with pytest.raises(GoxABIError, match=rf"slot index {4 + LARGE} out of range for 16 \(Array\) object "
                                          rf"0x[0-9a-f]+ with {4 + LARGE} slots"):
        rt.gox_gc_read_slot(a, 4 + LARGE)
    with pytest.raises(GoxPanic, match=rf"^runtime error: index out of range \[{LARGE}\] with length {LARGE}$"):
        rt.gox_array_get(a, LARGE)


def test_a_large_object_is_accounted_and_swept_as_any_other(rt: Runtime) -> None:
    rt.gox_collect_garbage()
    before = rt.gox_gc_stats()
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, LARGE)
    size = 8 + 8 * (4 + LARGE)
    made = rt.gox_gc_stats()
    assert (made.live_bytes - before.live_bytes, made.allocated_bytes - before.allocated_bytes) == (size, size)
    rt.gox_gc_pin(a)
    rt.gox_collect_garbage()
    assert rt.gox_gc_stats().live_bytes == made.live_bytes and rt.gox_array_len(a) == LARGE
    rt.gox_gc_unpin(a)
    rt.gox_collect_garbage()
    assert rt.gox_gc_stats().live_bytes == before.live_bytes
    # a use after free of the large object is reported as for a small one (checked mode)
    with pytest.raises(GoxABIError, match=r"gox_array_len: 0x[0-9a-f]+ is a freed reference \(object #\d+\)"):
        rt.gox_array_len(a)
    for _ in range(3):  # more large objects (the freed one's chunk retired): still recognised
        rt.gox_rt_array_create(K.INT, NO_TYPE, 300_000)
        rt.gox_collect_garbage()
    with pytest.raises(GoxABIError, match=r"gox_array_len: 0x[0-9a-f]+ is a freed reference \(object #\d+\)"):
        rt.gox_array_len(a)


def test_a_large_reference_array_is_traced_and_barriered(rt: Runtime) -> None:
    n = 70_000
    a = rt.gox_rt_array_create(K.STRING, NO_TYPE, n)
    rt.gox_gc_pin(a)
    rt.gox_array_set(a, n - 1, gstr(rt, "last"))
    rt.gox_collect_garbage()  # traced: the string lives on through the array's last slot
    assert rt.gox_string_read(rt.gox_array_get(a, n - 1)) == b"last"
    rt.gox_gc_step()  # a cycle starts: the pinned array is scanned whole (black) in its step
    assert rt.object_color(a) == "black"
    late = gstr(rt, "late")
    assert rt.object_color(late) == "white"
    rt.gox_array_set(a, n - 2, late)  # the barrier: a white child stored into a black array
    assert rt.object_color(late) == "gray"
    rt.gox_collect_garbage()
    assert rt.gox_string_read(rt.gox_array_get(a, n - 2)) == b"late"


def test_a_million_int_slice(rt: Runtime) -> None:
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 1_000_000, 1_000_000)
    for i in (0, 1, 499_999, 999_999):
        rt.gox_slice_set(s, i, i * 3)
    s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 42)  # Go 1.19.8: cap 1,250,304 (8-byte elements)
    assert (rt.gox_slice_len(s), rt.gox_slice_cap(s)) == (1_000_001, 1_250_304)
    assert [rt.gox_slice_get(s, i) for i in (0, 1, 499_999, 999_999, 1_000_000)] == [0, 3, 1_499_997, 2_999_997, 42]


def test_a_ten_megabyte_string(rt: Runtime) -> None:
    s = gstr(rt, "0123456789")
    for _ in range(20):  # 10 x 2**20 bytes by concatenation
        s = rt.gox_rt_string_concat(s, s)
    n = 10 << 20
    assert rt.gox_string_len(s) == n
    assert (rt.gox_string_index(s, 0), rt.gox_string_index(s, n - 1)) == (ord("0"), ord("9"))
    b = rt.gox_rt_string_to_bytes(s)  # and by conversion, both ways
    assert (rt.gox_slice_len(b), rt.gox_slice_cap(b)) == (n, n)
    t = rt.gox_rt_bytes_to_string(b)
    assert rt.gox_string_len(t) == n and rt.gox_string_index(t, n - 2) == ord("8")
    assert rt.gox_string_read(rt.gox_rt_string_slice(t, n - 4, n)) == b"6789"


def test_a_map_of_200000_entries(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.INT, K.INT)
    rt.gox_gc_pin(m)
    for k in range(200_000):
        rt.gox_map_set(m, k, k * 2)
    rt.gox_collect_garbage()
    assert rt.gox_map_len(m) == 200_000
    assert [rt.gox_map_get(m, k) for k in (0, 123_456, 199_999)] == [(0, True), (246_912, True), (399_998, True)]


def test_makeslice_past_maxalloc_panics_below_it_is_out_of_memory(rt: Runtime) -> None:
    """Go 1.19.8: make([]int64, 1<<45+1) panics `makeslice: len out of range`; make([]int64,
    1<<44) (128 TiB, under maxAlloc) dies out of memory (conformance/slices/makeslice_out_of_memory.gox).
    In host mode the fatal error is GoxFatal, and the runtime stays usable."""
    if isinstance(rt, RefRuntime) and "libasan" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("the preloaded ASan runtime aborts Python's own 128 TiB malloc (allocation-size-too-big)")
    with pytest.raises(GoxPanic, match=r"^runtime error: makeslice: len out of range$"):
        rt.gox_rt_slice_create(K.INT, NO_TYPE, 2**45 + 1, 2**45 + 1)
    with pytest.raises(GoxPanic, match=r"^runtime error: makeslice: cap out of range$"):
        rt.gox_rt_slice_create(K.INT, NO_TYPE, 1, 2**45 + 1)
    before = rt.gox_gc_stats()
    with pytest.raises(GoxFatal, match=r"^runtime: out of memory$"):
        rt.gox_rt_slice_create(K.INT, NO_TYPE, 2**44, 2**44)
    assert rt.gox_gc_stats().live_objects == before.live_objects
    assert rt.gox_slice_len(rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 3)) == 3


def test_native_issue_sizes() -> None:
    """The issue's native sizes (bench/bench_large.py): a slice of 10,000,000 ints, a string of
    100 MiB by concatenation and by conversion, a map of 1,000,000 entries."""
    native_library_or_skip()
    from bench.bench_large import run

    sizes = {r.name: (r.size, r.live_bytes) for r in run(1.0)}
    assert sizes["slice"] == (10_000_000, 8 + 8 * (4 + 12_500_992) + 8 + 8 * 4)  # the array and its slice
    assert sizes["string_concat"][0] == sizes["string_convert"][0] == 100 << 20
    assert sizes["string_convert"][1] >= 3 * (100 << 20)  # the string, the []byte and the new string
    assert sizes["map"][0] == 1_000_000


def _rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.parametrize("checked", [True, False])
def test_native_large_objects_give_their_memory_back(checked: bool) -> None:
    """A freed large object's chunk of its own goes back at once (unchecked mode: unmapped;
    checked mode: retired, its pages given back, its addresses kept): 40 arrays of 8 MiB made
    and dropped one after another leave the resident set about where it was (it would grow
    by 320 MiB if they stayed)."""
    native_library_or_skip()
    from gox_ref_native import NativeRuntime

    rt = NativeRuntime(checked=checked)
    try:
        first = rt.gox_rt_array_create(K.INT, NO_TYPE, 1 << 20)
        rt.gox_array_set(first, (1 << 20) - 1, 1)  # its pages touched
        rt.gox_collect_garbage()
        before = _rss_mib()
        for _ in range(40):
            a = rt.gox_rt_array_create(K.INT, NO_TYPE, 1 << 20)
            for i in range(0, 1 << 20, 512):  # one write per 4 KiB page
                rt.gox_array_set(a, i, i)
            rt.gox_collect_garbage()
        assert _rss_mib() - before < 64
        if checked:  # (unchecked mode trusts references: nothing to ask)
            with pytest.raises(GoxABIError, match=r"is a freed reference \(object #41\)"):
                rt.gox_array_len(a)
    finally:
        rt.close()
