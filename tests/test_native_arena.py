"""Checked mode's object arena (gox_ref_native/src/heap.c): objects bump-allocated from aligned
chunks with a bitmap of object starts.  Nothing of it may show: addresses stay unique and
recognisable, freed references keep their message, numbers and byte accounting are the
reference's, and switching checked mode off and on (the quarantine's end, memory given back)
keeps every live object usable."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from gox_ref import GoxABIError
from gox_ref import ValueKind as K

native = pytest.importorskip("gox_ref_native")
from gox_ref_native import NativeRuntime  # noqa: E402

CHUNK = 1 << 20


def test_many_chunks_unique_addresses_and_numbers() -> None:
    rt = NativeRuntime()
    tid = rt.gox_type_register(b"Node", bytes([1, 1]))
    rt.gox_gc_pause()
    refs = [rt.gox_rt_alloc(K.STRUCT, tid, 2) for _ in range(60000)]  # 56 bytes each: several chunks
    rt.gox_gc_resume()
    rt.gox_gc_pin(refs[0])
    assert len(set(refs)) == len(refs)
    assert len({r >> 20 for r in refs}) > 2
    for i in (0, 1, 18000, 18724, 18725, 40000, 59999):
        assert rt.ref_number(refs[i]) == i + 1
        assert rt.canonical(refs[i]) == 0x10000000 + 16 * (i + 1)
        assert rt.gox_gc_read_slot(refs[i], 1) == 0
    # a chain across chunk boundaries survives, the rest is collected and stays recognisable
    for a, b in itertools.pairwise(refs[:3000]):
        rt.gox_gc_write_slot(a, 0, b)
    rt.gox_collect_garbage()
    st = rt.gox_gc_stats()
    assert (st.live_objects, st.live_bytes) == (3000, 3000 * 24)
    assert rt.gox_gc_read_slot(refs[2998], 0) == refs[2999]
    with pytest.raises(GoxABIError, match=r"0x100ea600 is a freed reference \(object #60000\)"):
        rt.gox_gc_read_slot(refs[59999], 0)
    # words near objects are no references: inside an object, between chunks, small integers
    for bad in (refs[5] + 8, refs[5] - 8, refs[5] + 4, 0x2A, (refs[0] & ~(CHUNK - 1)) + 8):
        with pytest.raises(GoxABIError, match="not a reference the heap ever allocated"):
            rt.gox_gc_read_slot(bad, 0)
    rt.close()


def test_big_objects_take_fresh_chunks() -> None:
    rt = NativeRuntime()
    rt.gox_gc_pause()
    arrays = [rt.gox_rt_array_create(K.INT, 0, 40000) for _ in range(5)]  # 320 KB each
    small = rt.gox_rt_box(K.BOXED_INT, 5)
    rt.gox_gc_resume()
    for i, a in enumerate(arrays):
        rt.gox_gc_pin(a)
        rt.gox_array_set(a, 39999, i)
    for i, a in enumerate(arrays):
        assert rt.gox_array_get(a, 39999) == i
        assert rt.ref_number(a) == i + 1
    assert rt.gox_box_get(small) == 5 and rt.ref_number(small) == 6
    rt.close()


def test_checked_off_and_on_again() -> None:
    rt = NativeRuntime()
    tid = rt.gox_type_register(b"Node", bytes([1, 0]))
    keep = rt.gox_rt_alloc(K.STRUCT, tid, 2)
    rt.gox_gc_pin(keep)
    rt.gox_gc_tune(0, 0, 0, 1 << 40)  # no collection but the explicit ones
    rt.gox_gc_write_slot(keep, 1, 77)
    for _ in range(20000):  # garbage: whole chunks of it
        rt.gox_rt_box(K.BOXED_INT, 1)
    gone = rt.gox_rt_box(K.BOXED_INT, 2)
    rt.gox_collect_garbage()
    with pytest.raises(GoxABIError, match="is a freed reference"):
        rt.gox_box_get(gone)
    rt.set_checked(False)  # the quarantine ends: empty chunks go back
    assert rt.gox_gc_read_slot(keep, 1) == 77
    made_unchecked = rt.gox_rt_box(K.BOXED_INT, 3)
    rt.gox_gc_pin(made_unchecked)
    for _ in range(1000):
        rt.gox_rt_box(K.BOXED_INT, 4)
    rt.gox_collect_garbage()
    rt.set_checked(True)
    assert rt.gox_gc_read_slot(keep, 1) == 77
    assert rt.gox_box_get(made_unchecked) == 3
    assert rt.ref_number(keep) == 1 and rt.ref_number(made_unchecked) == 20003
    after = rt.gox_rt_box(K.BOXED_INT, 9)
    assert rt.gox_box_get(after) == 9 and rt.ref_number(after) == 21004
    rt.gox_gc_unpin(made_unchecked)
    rt.gox_collect_garbage()
    with pytest.raises(GoxABIError, match=r"is a freed reference \(object #20003\)"):
        rt.gox_box_get(made_unchecked)
    rt.set_checked(False)
    rt.gox_gc_unpin(keep)
    rt.gox_collect_garbage()  # the last arena object goes (unchecked: its chunk with it)
    assert rt.gox_gc_stats().live_objects == 0
    rt.close()


def test_unchecked_mode_reuses_freed_memory_and_knows_live_objects() -> None:
    """Unchecked mode allocates from the same arena and puts a freed small object's memory on
    the free list of its slot count: the next object of that size takes it, the first freed
    first (the sweep frees in allocation order, so what was made together stays together).  A
    freed address is no object any more (its bit is gone), which is what keeps the untyped
    words of a spawn or a defer from being taken for references (heap_maybe_ref)."""
    rt = NativeRuntime(checked=False)
    tid = rt.gox_type_register(b"Node", bytes([1, 0]))
    keep = rt.gox_rt_alloc(K.STRUCT, tid, 2)
    rt.gox_gc_pin(keep)
    gone = [rt.gox_rt_alloc(K.STRUCT, tid, 2) for _ in range(100)]
    rt.gox_collect_garbage()
    assert rt.gox_gc_stats().live_objects == 1
    assert rt.ref_number(keep) == 1
    assert all(rt.ref_number(g) == 0 for g in gone)  # freed: not objects
    again = [rt.gox_rt_alloc(K.STRUCT, tid, 2) for _ in range(100)]
    assert again == gone  # the same memory in the same order: the free lists are queues
    assert [rt.ref_number(a) for a in again] == list(range(102, 202))
    assert all(rt.gox_gc_read_slot(a, 0) == 0 and rt.gox_gc_read_slot(a, 1) == 0 for a in again)  # zeroed
    other = rt.gox_rt_alloc(K.STRUCT, rt.gox_type_register(b"Three", bytes([0, 0, 0])), 3)
    assert other not in gone  # another size class
    rt.set_checked(True)  # the free lists go: checked mode never reuses an address
    rt.gox_gc_unpin(keep)
    rt.gox_collect_garbage()
    fresh = rt.gox_rt_alloc(K.STRUCT, tid, 2)
    assert fresh not in gone and fresh != keep
    rt.close()


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_freed_chunks_give_their_memory_to_new_chunks_never_their_addresses() -> None:
    """A chunk all of whose objects are freed is retired: its pages move to a fresh address for
    the next chunk, its own addresses stay taken and recognised.  So a freed reference keeps its
    exact message and number after its memory went, no address is handed out twice, recycled
    memory is zero to a new object, and churning through far more memory than is live keeps
    the resident set small (a quarantined object does not keep its memory: its chunk is retired)."""
    rt = NativeRuntime()
    tid = rt.gox_type_register(b"Node", bytes([1, 1]))
    rt.gox_gc_tune(0, 0, 0, 1 << 40)  # no collection but the explicit ones
    rt.gox_gc_pause()
    first = [rt.gox_rt_alloc(K.STRUCT, tid, 2) for _ in range(60000)]  # 56 bytes each: 4 chunks
    rt.gox_gc_resume()
    rt.gox_collect_garbage()  # the first 3 chunks retire (the 4th is the one being filled)
    for i in (0, 1, 18000, 18724, 18725, 37449, 37450, 59999):
        assert rt.ref_number(first[i]) == i + 1
        assert rt.canonical(first[i]) == 0x10000000 + 16 * (i + 1)
        with pytest.raises(GoxABIError, match=rf"0x{0x10000000 + 16 * (i + 1):x} is a freed reference \(object #{i + 1}\)"):
            rt.gox_gc_read_slot(first[i], 0)
    for bad in (first[5] + 8, first[5] - 8, (first[0] & ~(CHUNK - 1)) + 8):
        with pytest.raises(GoxABIError, match="not a reference the heap ever allocated"):
            rt.gox_gc_write_slot(bad, 0, 0)
    # arrays of 320 KB (3 a chunk) with their last element set, freed, 40 times over: 400 MB
    before = _rss()
    seen: set[int] = set(first)
    for rnd in range(40):
        arrays = [rt.gox_rt_array_create(K.INT, 0, 40000) for _ in range(30)]
        for a in arrays:
            assert rt.gox_array_get(a, 39999) == 0  # recycled memory is zero again
            rt.gox_array_set(a, 39999, rnd + 1)
        assert seen.isdisjoint(arrays)
        seen.update(arrays)
        rt.gox_collect_garbage()
    grown = _rss() - before
    assert grown < 120 << 20, f"resident set grew by {grown >> 20} MB over 400 MB of churn"
    with pytest.raises(GoxABIError, match="is a freed reference"):
        rt.gox_array_get(first[0], 0)
    rt.close()


def test_a_chunk_that_goes_is_no_lookup_cache() -> None:
    """heap_known remembers the last chunk it found (heap.c, GoxRuntime.hot_chunk); a chunk that
    goes back to the system (here: its last object freed in unchecked mode, its free list
    dropped when checked mode returns) must not answer for its addresses afterwards, when new
    chunks may be mapped there.  (Under ASan a stale cache is a use after free.)"""
    rt = NativeRuntime()
    x = rt.gox_rt_box(K.BOXED_INT, 1)
    assert rt.gox_box_get(x) == 1  # (the cache: x's chunk)
    rt.set_checked(False)
    rt.gox_collect_garbage()  # x is freed; its memory waits on a free list
    rt.set_checked(True)  # the free lists go, and with them x's chunk
    made = [rt.gox_rt_box(K.BOXED_INT, i) for i in range(3)]
    assert [rt.gox_box_get(r) for r in made] == [0, 1, 2]
    assert rt.ref_number(made[0]) == 2
    rt.close()
