"""Range loops: gox_iter_begin / gox_iter_next / gox_iter_end (docs/SCHEDULER.md section 5)."""

from __future__ import annotations

import io

import pytest
from conftest import NO_TYPE, PYTHON_GOROUTINES, K, gstr, int_slice, s64

from gox_ref import GcState, GoxABIError, GoxPanic, RefRuntime
from gox_ref.rng import Rng

pytestmark = PYTHON_GOROUTINES

def drain(rt: RefRuntime, it: int, limit: int = 10_000) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for _ in range(limit):
        more, k, v = rt.gox_iter_next(it)
        if not more:
            return out
        out.append((k, v))
    raise AssertionError("the loop did not end")


def loop(rt: RefRuntime, container: int, kind: int) -> list[tuple[int, int]]:
    it = rt.gox_iter_begin(container, kind)
    try:
        return drain(rt, it)
    finally:
        rt.gox_iter_end(it)


def int_map(rt: RefRuntime, items: list[tuple[int, int]]) -> int:
    m = rt.gox_rt_map_new(K.INT, K.INT)
    for k, v in items:
        rt.gox_map_set(m, k, v)
    return m


def rotated(keys: list[int], offset: int) -> list[int]:
    return keys[offset:] + keys[:offset]


# -- slices and arrays ------------------------------------------------------------------------


def test_slice_yields_index_and_element(rt: RefRuntime) -> None:
    s = int_slice(rt, [10, 20, 30])
    assert loop(rt, s, K.SLICE) == [(0, 10), (1, 20), (2, 30)]


def test_subslice_reads_its_window(rt: RefRuntime) -> None:
    s = int_slice(rt, [1, 2, 3, 4, 5])
    sub = rt.gox_rt_slice_slice(s, 1, 4)
    assert loop(rt, sub, K.SLICE) == [(0, 2), (1, 3), (2, 4)]


def test_nil_and_empty_slice_give_no_iterations(rt: RefRuntime) -> None:
    assert loop(rt, 0, K.SLICE) == []
    assert loop(rt, int_slice(rt, []), K.SLICE) == []


def test_slice_length_fixed_at_begin_but_writes_seen(rt: RefRuntime) -> None:
    s = int_slice(rt, [1, 2, 3], cap=10)
    it = rt.gox_iter_begin(s, K.SLICE)
    assert rt.gox_iter_next(it) == (True, 0, 1)
    rt.gox_slice_set(s, 2, 99)  # seen: read through the header at next
    grown = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 4)  # shares the array, but len is fixed
    assert rt.gox_slice_len(grown) == 4
    assert drain(rt, it) == [(1, 2), (2, 99)]
    assert rt.gox_iter_next(it) == (False, 0, 0)  # stays over
    rt.gox_iter_end(it)


def test_slice_elements_are_extended_by_kind(rt: RefRuntime) -> None:
    s = rt.gox_rt_slice_create(K.INT8, NO_TYPE, 2, 2)
    rt.gox_slice_set(s, 0, -3)
    rt.gox_slice_set(s, 1, 7)
    got = loop(rt, s, K.SLICE)
    assert [(i, s64(v)) for i, v in got] == [(0, -3), (1, 7)]


def test_slice_of_strings_yields_references(rt: RefRuntime) -> None:
    a, b = gstr(rt, "a"), gstr(rt, "b")
    s = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 2, 2)
    rt.gox_slice_set(s, 0, a)
    rt.gox_slice_set(s, 1, b)
    assert loop(rt, s, K.SLICE) == [(0, a), (1, b)]


def test_array(rt: RefRuntime) -> None:
    arr = rt.gox_rt_array_create(K.UINT16, NO_TYPE, 3)
    for i, v in enumerate([5, 0xFFFF, 7]):
        rt.gox_array_set(arr, i, v)
    it = rt.gox_iter_begin(arr, K.ARRAY)
    assert rt.gox_iter_next(it) == (True, 0, 5)
    rt.gox_array_set(arr, 2, 8)
    assert drain(rt, it) == [(1, 0xFFFF), (2, 8)]
    rt.gox_iter_end(it)
    # a nil *[N]T: Go 1.19.8's `for i, v := range a` panics (conformance/errors/nil_array_range)
    with pytest.raises(GoxPanic, match=r"^runtime error: invalid memory address or nil pointer dereference$"):
        rt.gox_iter_begin(0, K.ARRAY)


def test_multi_slot_elements_are_refused(rt: RefRuntime) -> None:
    s = rt.gox_rt_slice_create(K.INTERFACE, NO_TYPE, 1, 1)
    with pytest.raises(GoxABIError, match=r"gox_iter_begin: .* elements of 16 bytes"):
        rt.gox_iter_begin(s, K.SLICE)
    arr = rt.gox_rt_array_create(K.INTERFACE, NO_TYPE, 1)
    with pytest.raises(GoxABIError, match="elements of 16 bytes"):
        rt.gox_iter_begin(arr, K.ARRAY)


# -- strings ----------------------------------------------------------------------------------


def test_string_runes_with_byte_offsets(rt: RefRuntime) -> None:
    s = gstr(rt, "aé世😀")
    assert loop(rt, s, K.STRING) == [(0, ord("a")), (1, ord("é")), (3, ord("世")), (6, 0x1F600)]


def test_string_bad_bytes_are_fffd_of_width_one(rt: RefRuntime) -> None:
    # a stray continuation byte, a truncated 3-byte sequence, an overlong form, a surrogate
    s = gstr(rt, b"x\x80\xe4\xb8y\xc0\xaf\xed\xa0\x80z")
    got = loop(rt, s, K.STRING)
    assert got == [
        (0, ord("x")), (1, 0xFFFD), (2, 0xFFFD), (3, 0xFFFD), (4, ord("y")), (5, 0xFFFD), (6, 0xFFFD),
        (7, 0xFFFD), (8, 0xFFFD), (9, 0xFFFD), (10, ord("z")),
    ]  # fmt: skip


def test_empty_string(rt: RefRuntime) -> None:
    assert loop(rt, 0, K.STRING) == []


def test_string_slice_view(rt: RefRuntime) -> None:
    s = gstr(rt, "héllo")
    sub = rt.gox_rt_string_slice(s, 1, 4)
    assert loop(rt, sub, K.STRING) == [(0, ord("é")), (2, ord("l"))]


# -- maps -------------------------------------------------------------------------------------


def test_map_insertion_order_from_a_drawn_offset(rt: RefRuntime) -> None:
    keys = [5, 3, 9, 1, 7]
    m = int_map(rt, [(k, k * 10) for k in keys])
    rt.rng = Rng(42)
    expect = Rng(42).below(len(keys))
    got = loop(rt, m, K.MAP)
    assert got == [(k, k * 10) for k in rotated(keys, expect)]
    assert rt.rng.draws == 1


def test_map_update_keeps_position_and_value_is_current(rt: RefRuntime) -> None:
    m = int_map(rt, [(1, 1), (2, 2), (3, 3)])
    rt.gox_map_set(m, 1, 100)  # an update does not move the key
    rt.rng = Rng(7)
    off = Rng(7).below(3)
    it = rt.gox_iter_begin(m, K.MAP)
    order = rotated([1, 2, 3], off)
    first = rt.gox_iter_next(it)
    assert first[:2] == (True, order[0])
    rt.gox_map_set(m, order[2], 555)  # updated before it is reached: the new value is produced
    rest = drain(rt, it)
    rt.gox_iter_end(it)
    vals = {1: 100, 2: 2, 3: 3, order[2]: 555}
    assert [first[1:], *rest] == [(k, vals[k]) for k in order]


def test_map_delete_and_add_during_iteration(rt: RefRuntime) -> None:
    keys = list(range(10))
    m = int_map(rt, [(k, k) for k in keys])
    rt.rng = Rng(3)
    off = Rng(3).below(10)
    order = rotated(keys, off)
    it = rt.gox_iter_begin(m, K.MAP)
    got = [rt.gox_iter_next(it)[1:]]
    rt.gox_map_delete(m, order[5])  # deleted before it is reached: skipped
    rt.gox_map_delete(m, order[0])  # already produced: nothing changes
    for k in range(100, 110):  # added during the loop: never produced
        rt.gox_map_set(m, k, k)
    got += drain(rt, it)
    rt.gox_iter_end(it)
    assert got == [(k, k) for k in order if k != order[5]]


def test_map_delete_everything_during_iteration(rt: RefRuntime) -> None:
    m = int_map(rt, [(1, 1), (2, 2), (3, 3)])
    it = rt.gox_iter_begin(m, K.MAP)
    more, _, _ = rt.gox_iter_next(it)
    assert more
    for key in (1, 2, 3):
        rt.gox_map_delete(m, key)
    assert rt.gox_iter_next(it) == (False, 0, 0)
    rt.gox_iter_end(it)


def test_nil_and_empty_map_draw_nothing(rt: RefRuntime) -> None:
    before = rt.rng.draws
    assert loop(rt, 0, K.MAP) == []
    assert loop(rt, rt.gox_rt_map_new(K.INT, K.INT), K.MAP) == []
    assert rt.rng.draws == before


def test_map_with_string_keys(rt: RefRuntime) -> None:
    m = rt.gox_rt_map_new(K.STRING, K.BOOL)
    keys = [gstr(rt, w) for w in ("one", "two", "three")]
    for k in keys:
        rt.gox_map_set(m, k, 1)
    got = loop(rt, m, K.MAP)
    assert sorted(bytes(rt.gox_string_read(k)) for k, _ in got) == [b"one", b"three", b"two"]
    assert all(v == 1 for _, v in got)


def _map_order_program(seed: int, n: int = 8) -> list[int]:
    out = io.BytesIO()
    rt = RefRuntime(out=out)

    def main(rt: RefRuntime) -> None:
        m = rt.gox_rt_map_new(K.INT, K.INT)
        for k in range(n):
            rt.gox_map_set(m, k, k)
        for _ in range(3):
            it = rt.gox_iter_begin(m, K.MAP)
            while True:
                more, k, _ = rt.gox_iter_next(it)
                if not more:
                    break
                rt.gox_debug_print(k, K.INT)
            rt.gox_iter_end(it)

    assert rt.run_main(main, [], seed=seed) == 0
    return [int(x) for x in out.getvalue().split()]


def test_map_order_replays_from_the_seed() -> None:
    for seed in (1, 2, 12345):
        assert _map_order_program(seed) == _map_order_program(seed)


def test_map_order_varies_across_seeds_and_loops() -> None:
    firsts = {tuple(_map_order_program(seed)[:8]) for seed in range(1, 30)}
    assert len(firsts) > 3
    # within one run, each loop draws its own offset
    runs = [_map_order_program(seed) for seed in range(1, 30)]
    assert any(r[:8] != r[8:16] for r in runs)
    # every loop is a rotation of insertion order
    for r in runs:
        for j in range(3):
            part = r[8 * j : 8 * j + 8]
            assert part == rotated(list(range(8)), part[0])


def test_map_offset_matches_the_specified_generator() -> None:
    for seed in (0, 1, 99):
        order = _map_order_program(seed, n=5)
        rng = Rng(seed)
        offsets = [rng.below(5) for _ in range(3)]
        assert [order[5 * j] for j in range(3)] == offsets


# -- channels ---------------------------------------------------------------------------------


def test_channel_range_receives_until_closed_and_drained() -> None:
    out = io.BytesIO()
    rt = RefRuntime(out=out)

    def producer(rt: RefRuntime, ch: int) -> None:
        for i in range(5):
            rt.gox_chan_send(ch, i * i)
        rt.gox_chan_close(ch)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 2)
        rt.gox_go_spawn(producer, [ch])
        it = rt.gox_iter_begin(ch, K.CHANNEL)
        while True:
            more, v, z = rt.gox_iter_next(it)
            if not more:
                break
            assert z == 0
            rt.gox_debug_print(v, K.INT)
        assert rt.gox_iter_next(it) == (False, 0, 0)
        rt.gox_iter_end(it)
        rt.gox_debug_print(1234, K.INT)

    assert rt.run_main(main, [], seed=1) == 0
    assert out.getvalue() == b"0\n1\n4\n9\n16\n1234\n"


def test_channel_range_over_closed_buffered_channel_on_the_host(rt: RefRuntime) -> None:
    ch = rt.gox_chan_new(K.INT, 3)
    for v in (7, 8):
        rt.gox_chan_send(ch, v)
    rt.gox_chan_close(ch)
    assert loop(rt, ch, K.CHANNEL) == [(7, 0), (8, 0)]


def test_nil_channel_range_blocks_forever() -> None:
    out, err = io.BytesIO(), io.BytesIO()
    rt = RefRuntime()
    rt.set_output(out, err)

    def main(rt: RefRuntime) -> None:
        it = rt.gox_iter_begin(0, K.CHANNEL)
        rt.gox_iter_next(it)
        rt.gox_debug_print(1, K.INT)  # never reached

    assert rt.run_main(main, [], seed=1) == 2
    assert out.getvalue() == b""
    text = err.getvalue().decode()
    assert text.startswith("fatal error: all goroutines are asleep - deadlock!")
    assert "goroutine 1 [chan receive (nil chan)]:" in text


def test_wrong_container_kind_and_bad_kind(rt: RefRuntime) -> None:
    s = int_slice(rt, [1])
    with pytest.raises(GoxABIError, match=r"gox_iter_begin: .* is a 17 \(Slice\) object, expected a 18 \(Map\)"):
        rt.gox_iter_begin(s, K.MAP)
    with pytest.raises(GoxABIError, match=r"gox_iter_begin: kind=2 \(Int\)"):
        rt.gox_iter_begin(s, K.INT)
    with pytest.raises(GoxABIError, match="out of range for uint8_t"):
        rt.gox_iter_begin(s, 300)
    with pytest.raises(GoxABIError, match="not a reference the heap ever allocated"):
        rt.gox_iter_begin(0x1234, K.SLICE)


# -- nesting and handles ----------------------------------------------------------------------


def test_nested_loops(rt: RefRuntime) -> None:
    outer = int_slice(rt, [1, 2, 3])
    inner = gstr(rt, "ab")
    pairs = []
    it1 = rt.gox_iter_begin(outer, K.SLICE)
    while (r := rt.gox_iter_next(it1))[0]:
        it2 = rt.gox_iter_begin(inner, K.STRING)
        assert it2 != it1
        while (q := rt.gox_iter_next(it2))[0]:
            pairs.append((r[2], chr(q[2])))
        rt.gox_iter_end(it2)
    rt.gox_iter_end(it1)
    assert pairs == [(1, "a"), (1, "b"), (2, "a"), (2, "b"), (3, "a"), (3, "b")]


def test_same_container_twice_is_independent(rt: RefRuntime) -> None:
    s = int_slice(rt, [4, 5])
    a = rt.gox_iter_begin(s, K.SLICE)
    b = rt.gox_iter_begin(s, K.SLICE)
    assert rt.gox_iter_next(a) == (True, 0, 4)
    assert rt.gox_iter_next(b) == (True, 0, 4)
    assert rt.gox_iter_next(a) == (True, 1, 5)
    rt.gox_iter_end(a)
    assert rt.gox_iter_next(b) == (True, 1, 5)
    rt.gox_iter_end(b)


def test_handle_errors(rt: RefRuntime) -> None:
    with pytest.raises(GoxABIError, match="gox_iter_next: iterator 0 was never returned by gox_iter_begin"):
        rt.gox_iter_next(0)
    with pytest.raises(GoxABIError, match="gox_iter_end: iterator 77 was never returned"):
        rt.gox_iter_end(77)
    it = rt.gox_iter_begin(int_slice(rt, [1]), K.SLICE)
    rt.gox_iter_end(it)
    with pytest.raises(GoxABIError, match=f"gox_iter_next: iterator {it} has ended"):
        rt.gox_iter_next(it)
    with pytest.raises(GoxABIError, match=f"gox_iter_end: iterator {it} has ended"):
        rt.gox_iter_end(it)
    with pytest.raises(GoxABIError, match="not an integer"):
        rt.gox_iter_next("x")  # type: ignore[arg-type]


def test_handles_are_per_goroutine() -> None:
    rt = RefRuntime(out=io.BytesIO())
    errors: list[str] = []
    handles: dict[str, int] = {}

    def other(rt: RefRuntime, done: int) -> None:
        for call in (lambda: rt.gox_iter_next(handles["main"]), lambda: rt.gox_iter_end(handles["main"])):
            try:
                call()
            except GoxABIError as e:
                errors.append(str(e))
        rt.gox_chan_send(done, 1)

    def main(rt: RefRuntime) -> None:
        s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 2)
        handles["main"] = rt.gox_iter_begin(s, K.SLICE)
        done = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(other, [done])
        rt.gox_chan_recv(done)
        assert rt.gox_iter_next(handles["main"]) == (True, 0, 0)  # still usable by its owner
        rt.gox_iter_end(handles["main"])

    assert rt.run_main(main, [], seed=1) == 0
    h = handles["main"]
    assert errors == [
        f"gox_iter_next: iterator {h} belongs to goroutine 1, not to goroutine 2; iterators are per goroutine",
        f"gox_iter_end: iterator {h} belongs to goroutine 1, not to goroutine 2; iterators are per goroutine",
    ]


def test_handles_are_never_reused(rt: RefRuntime) -> None:
    seen = set()
    for _ in range(5):
        it = rt.gox_iter_begin(0, K.SLICE)
        assert it not in seen and it > 0
        seen.add(it)
        rt.gox_iter_end(it)


# -- garbage collection -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", [K.SLICE, K.ARRAY, K.STRING, K.MAP, K.CHANNEL])
def test_gc_during_iteration_keeps_the_container_alive(rt: RefRuntime, kind: int) -> None:
    if kind == K.SLICE:
        c = int_slice(rt, [1, 2, 3])
        expect = [(0, 1), (1, 2), (2, 3)]
    elif kind == K.ARRAY:
        c = rt.gox_rt_array_create(K.INT, NO_TYPE, 2)
        rt.gox_array_set(c, 1, 9)
        expect = [(0, 0), (1, 9)]
    elif kind == K.STRING:
        c = gstr(rt, "hey")
        expect = [(0, ord("h")), (1, ord("e")), (2, ord("y"))]
    elif kind == K.MAP:
        c = int_map(rt, [(1, 2)])
        expect = [(1, 2)]
    else:
        c = rt.gox_chan_new(K.INT, 2)
        rt.gox_chan_send(c, 5)
        rt.gox_chan_close(c)
        expect = [(5, 0)]
    it = rt.gox_iter_begin(c, kind)
    rt.gox_collect_garbage()
    rt.gox_collect_garbage()
    assert rt.is_live(c)
    assert drain(rt, it) == expect
    rt.gox_collect_garbage()
    assert rt.is_live(c)  # still live until the handle ends
    rt.gox_iter_end(it)
    rt.gox_collect_garbage()
    assert not rt.is_live(c)


def test_gc_during_iteration_in_a_parked_goroutine() -> None:
    out = io.BytesIO()
    rt = RefRuntime(out=out)
    refs: dict[str, int] = {}

    def collector(rt: RefRuntime, ch: int) -> None:
        rt.gox_collect_garbage()
        refs["live"] = int(rt.is_live(refs["slice"]))
        rt.gox_chan_send(ch, 1)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_gc_pin(ch)
        s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 3)
        refs["slice"] = s
        it = rt.gox_iter_begin(s, K.SLICE)
        s = 0  # only the iterator holds it now
        rt.gox_go_spawn(collector, [ch])
        rt.gox_chan_recv(ch)  # parked while the other goroutine collects
        assert drain(rt, it) == [(0, 0), (1, 0), (2, 0)]
        rt.gox_iter_end(it)

    assert rt.run_main(main, [], seed=1) == 0
    assert refs["live"] == 1


def test_begin_is_a_safepoint_with_the_container_as_root(rt: RefRuntime) -> None:
    s = int_slice(rt, [1, 2])
    rt.gc.threshold = 0  # the next safepoint starts a cycle
    assert rt.gox_gc_stats().state == GcState.PAUSE
    it = rt.gox_iter_begin(s, K.SLICE)
    assert rt.gox_gc_stats().state == GcState.PROPAGATE
    while rt.gc.state != GcState.PAUSE:
        rt.gc.step(1 << 40)
    assert rt.is_live(s)
    assert drain(rt, it) == [(0, 1), (1, 2)]
    rt.gox_iter_end(it)


def test_iterator_roots_are_named(rt: RefRuntime) -> None:
    s = int_slice(rt, [1])
    it = rt.gox_iter_begin(s, K.SLICE)
    roots = [(w, v) for src in rt.gc.root_sources for w, v in src()]
    assert (f"goroutine 0: iterator {it} container", s) in roots
    rt.gox_iter_end(it)
