"""The programs of tests/c/sched_progs.c, for the reference runtime.

Each function here is the C function of the same name, call for call (the same allocations,
channel operations, selects, defers and prints in the same order), so the reference and the
native runtime must give the same output, exit status and canonical trace for every seed.
The names the C side registers with ``gox_func_set_name`` are these functions' qualnames,
which is what the reference prints in reports.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from gox_ref import GoxABIError, RefRuntime, ValueKind

K = ValueKind
INT, STR, BOOL = K.INT, K.STRING, K.BOOL
Rt = RefRuntime


def pint(rt: Rt, v: int) -> None:
    rt.gox_debug_print(v & ((1 << 64) - 1), INT)


def pstr(rt: Rt, s: str) -> None:
    rt.gox_debug_print(rt.gox_rt_string_from_ptr(s.encode()), STR)


def iface(rt: Rt, kind: int) -> int:
    return int(rt.gox_interface_pack(0, 0, kind))


def chan(rt: Rt, kind: int, cap: int) -> int:
    c = int(rt.gox_chan_new(kind, cap))
    rt.gox_gc_pin(c)
    return c


def rec_print(rt: Rt) -> None:
    with rt.defer_frame():
        s0, s1 = rt.gox_recover()
        pstr(rt, "recovered:")
        if s0 & 0xFF == STR:
            rt.gox_debug_print(s1, STR)
        elif s0 == 0:
            pstr(rt, "nil")
        else:
            rt.gox_debug_print(s1, s0 & 0xFF)


# -- pingpong ---------------------------------------------------------------------------------------
def player(rt: Rt, ping: int, pong: int) -> None:
    while True:
        v = rt.gox_chan_recv(ping)
        if v == 0:
            return
        rt.gox_chan_send(pong, v + 1)


def pingpong(rt: Rt) -> None:
    ping, pong = chan(rt, INT, 0), chan(rt, INT, 0)
    rt.gox_go_spawn(player, [ping, pong])
    v = 1
    for _ in range(5):
        rt.gox_chan_send(ping, v)
        v = rt.gox_chan_recv(pong)
        pint(rt, v)
    rt.gox_chan_send(ping, 0)


# -- roundrobin -------------------------------------------------------------------------------------
def worker(rt: Rt, i: int, done: int) -> None:
    for step in range(3):
        pint(rt, i * 10 + step)
        rt.gox_yield()
    rt.gox_chan_send(done, i)


def roundrobin(rt: Rt) -> None:
    done = chan(rt, INT, 2)
    for i in range(1, 4):
        rt.gox_go_spawn(worker, [i, done])
    for step in range(2):
        pint(rt, -step)
        rt.gox_yield()
    for _ in range(3):
        pint(rt, rt.gox_chan_len(done))
        pint(rt, rt.gox_chan_recv(done))
    pint(rt, rt.gox_chan_cap(done))


# -- select6 ------------------------------------------------------------------------------------------
def s6_recv1(rt: Rt, c1: int) -> None:
    rt.gox_chan_recv(c1)


def s6_selector(rt: Rt, c1: int, c2: int, c3: int) -> None:
    rt.gox_select_start(2, False)
    rt.gox_select_add_recv(c1)
    rt.gox_select_add_recv(c2)
    if rt.gox_select_exec() == 0:
        rt.gox_panic(iface(rt, STR), rt.gox_rt_string_from_ptr(b"dummy"))
    rt.gox_chan_send(c3, 1)
    rt.gox_chan_recv(c1)


def s6_send2(rt: Rt, c2: int) -> None:
    rt.gox_chan_send(c2, 1)


def select6(rt: Rt) -> None:
    c1, c2, c3 = chan(rt, BOOL, 0), chan(rt, BOOL, 0), chan(rt, BOOL, 0)
    rt.gox_go_spawn(s6_recv1, [c1])
    rt.gox_go_spawn(s6_selector, [c1, c2, c3])
    rt.gox_go_spawn(s6_send2, [c2])
    rt.gox_chan_recv(c3)
    rt.gox_chan_send(c1, 1)
    rt.gox_chan_send(c1, 1)
    pstr(rt, "select6 ok")


# -- selectmix ----------------------------------------------------------------------------------------
def sm_blocked(rt: Rt, c3: int, c4: int) -> None:
    rt.gox_select_start(3, False)
    rt.gox_select_add_recv(c3)
    rt.gox_select_add_send(c4, 77)
    rt.gox_select_add_recv(0)
    c = rt.gox_select_exec()
    pint(rt, c)
    if c == 0:
        v, ok = rt.gox_select_recv_result()
        pint(rt, v)
        pint(rt, int(ok))


def selectmix(rt: Rt) -> None:
    c1, c2, c3, c4 = chan(rt, INT, 4), chan(rt, INT, 4), chan(rt, INT, 0), chan(rt, INT, 0)
    for i in range(1, 4):
        rt.gox_chan_send(c1, i)
        rt.gox_chan_send(c2, 10 * i)
    for _ in range(7):
        rt.gox_select_start(3, True)
        rt.gox_select_add_recv(c1)
        rt.gox_select_add_recv(0)
        rt.gox_select_add_recv(c2)
        c = rt.gox_select_exec()
        v = rt.gox_select_recv_result()[0] if c >= 0 else 0
        pint(rt, c)
        pint(rt, v)
    for i in range(3):
        rt.gox_select_start(2, False)
        rt.gox_select_add_send(c3, 5)
        rt.gox_select_add_send(c1, 100 + i)
        pint(rt, rt.gox_select_exec())
    rt.gox_go_spawn(sm_blocked, [c3, c4])
    rt.gox_go_spawn(sm_blocked, [c3, c4])
    rt.gox_yield()
    rt.gox_chan_send(c3, 42)
    pint(rt, rt.gox_chan_recv(c4))
    rt.gox_yield()


# -- closed channels ----------------------------------------------------------------------------------
def try_close(rt: Rt, ch: int, *_: int) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        rt.gox_chan_close(ch)
        pstr(rt, "closed")


def try_send(rt: Rt, ch: int, v: int) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        rt.gox_chan_send(ch, v)
        pstr(rt, "sent")


def parked_recv(rt: Rt, ch: int) -> None:
    v, ok = rt.gox_chan_recv_ok(ch)
    pstr(rt, "parked receiver woke")
    pint(rt, v)
    pint(rt, int(ok))


def closedmatrix(rt: Rt) -> None:
    b, u, d = chan(rt, INT, 3), chan(rt, INT, 0), chan(rt, INT, 0)
    rt.gox_chan_send(b, 7)
    rt.gox_chan_send(b, 8)
    rt.gox_chan_close(b)
    pint(rt, rt.gox_chan_len(b))
    pint(rt, rt.gox_chan_cap(b))
    for _ in range(3):
        v, ok = rt.gox_chan_recv_ok(b)
        pint(rt, v)
        pint(rt, int(ok))
    try_close(rt, b)
    try_send(rt, b, 9)
    try_close(rt, 0)
    rt.gox_go_spawn(parked_recv, [u])
    rt.gox_go_spawn(try_send, [d, 5])
    rt.gox_yield()
    rt.gox_chan_close(u)
    rt.gox_chan_close(d)
    rt.gox_yield()
    rt.gox_select_start(2, False)
    rt.gox_select_add_recv(u)
    rt.gox_select_add_recv(0)
    pint(rt, rt.gox_select_exec())
    v, ok = rt.gox_select_recv_result()
    pint(rt, v)
    pint(rt, int(ok))
    r = chan(rt, INT, 5)
    for i in range(1, 5):
        rt.gox_chan_send(r, i * i)
    rt.gox_chan_close(r)
    it = rt.gox_iter_begin(r, K.CHANNEL)
    while True:
        more, k, _ = rt.gox_iter_next(it)
        if not more:
            break
        pint(rt, k)
    rt.gox_iter_end(it)
    pint(rt, rt.gox_chan_len(0))
    pint(rt, rt.gox_chan_cap(0))


# -- recover1 -----------------------------------------------------------------------------------------
def problem(rt: Rt, what: str, x: int) -> None:
    pstr(rt, what)
    pint(rt, x)


def must_not_recover(rt: Rt) -> None:
    with rt.defer_frame():
        if rt.gox_recover()[0] != 0:
            problem(rt, "spurious recover", 0)


def must_recover(rt: Rt, x: int) -> None:
    with rt.defer_frame():
        must_not_recover(rt)
        s0, s1 = rt.gox_recover()
        if s0 == 0:
            problem(rt, "missing recover of", x)
        elif s0 != iface(rt, INT) or s1 != x:
            problem(rt, "wrong value", x)
        if rt.gox_recover()[0] != 0:
            problem(rt, "recover didn't recover", x)


def builtin_recover(rt: Rt) -> None:
    rt.gox_recover()


def panic_int(rt: Rt, v: int) -> None:
    rt.gox_panic(iface(rt, INT), v & ((1 << 64) - 1))


def r1_d1(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(must_recover, [2])
        panic_int(rt, 2)


def r1_d2(rt: Rt) -> None:
    with rt.defer_frame():
        s0, s1 = rt.gox_recover()
        if s0 != iface(rt, INT) or s1 != 2:
            problem(rt, "test2: wrong value", s1)
        rt.gox_defer_push(must_recover, [3])
        panic_int(rt, 3)


def r1_d3(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_recover()
        rt.gox_defer_push(must_recover, [3])
        panic_int(rt, 3)


def r1_d4(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_recover()


def r1_d5(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(builtin_recover, [])


def r1_d6(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(builtin_recover, [])
        rt.gox_defer_push(must_recover, [3])
        panic_int(rt, 3)


def r1_d7(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(must_recover, [3])
        rt.gox_defer_push(builtin_recover, [])
        panic_int(rt, 3)


def r1_case(rt: Rt, first: Callable[..., None], first_args: Sequence[int], d: Callable[..., None], v: int) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(first, first_args)
        rt.gox_defer_push(d, [])
        panic_int(rt, v)


def recover1(rt: Rt) -> None:
    r1_case(rt, must_recover, [1], r1_d1, 1)
    must_not_recover(rt)
    r1_case(rt, must_not_recover, [], r1_d2, 2)
    r1_case(rt, must_not_recover, [], r1_d3, 2)
    r1_case(rt, must_not_recover, [], r1_d4, 4)
    r1_case(rt, must_not_recover, [], r1_d5, 5)
    r1_case(rt, must_not_recover, [], r1_d6, 2)
    r1_case(rt, must_recover, [2], r1_d7, 2)
    pstr(rt, "recover1 done")


# -- defer rules ----------------------------------------------------------------------------------------
def printer(rt: Rt, v: int) -> None:
    pint(rt, v)


def helper_recover(rt: Rt) -> None:
    with rt.defer_frame():
        pint(rt, rt.gox_recover()[0])


def calls_helper(rt: Rt) -> None:
    with rt.defer_frame():
        helper_recover(rt)


def returns_normally(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(printer, [3])
        rt.gox_defer_push(rec_print, [])
        rt.gox_defer_push(printer, [1])
        panic_int(rt, 99)
        pstr(rt, "not reached")
    pstr(rt, "after recovery")


def nil_deferred(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        rt.gox_defer_push(None, [])


def helper_case(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        rt.gox_defer_push(calls_helper, [])
        rt.gox_defer_push(builtin_recover, [])
        panic_int(rt, 5)


def deferrules(rt: Rt) -> None:
    with rt.defer_frame():
        x = 1
        rt.gox_defer_push(printer, [x])
        x = 2
        rt.gox_defer_push(printer, [x])
        rt.gox_defer_push(printer, [42])
        rt.gox_defer_pop()
        returns_normally(rt)
        nil_deferred(rt)
        helper_case(rt)
        pint(rt, rt.gox_recover()[0])
    pstr(rt, "end")


# -- panics that end the program --------------------------------------------------------------------------
def panic_second(rt: Rt) -> None:
    rt.gox_panic(iface(rt, STR), rt.gox_rt_string_from_ptr(b"second\nline"))


def panic_chain(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(panic_second, [])
        panic_int(rt, 1)


def repanic(rt: Rt) -> None:
    with rt.defer_frame():
        s0, s1 = rt.gox_recover()
        rt.gox_panic(s0, s1)


def panic_repanic(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(repanic, [])
        rt.gox_panic(rt.gox_interface_pack(0, 0, K.FLOAT64), 0x3FF8000000000000)


def bad_index(rt: Rt, i: int) -> None:
    s = rt.gox_rt_slice_create(INT, 0xFFFF, 3, 3)
    pint(rt, rt.gox_slice_get(s, i))


def guarded_index(rt: Rt, i: int) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        bad_index(rt, i)


def panic_goroutine(rt: Rt) -> None:
    guarded_index(rt, 5)
    rt.gox_go_spawn(bad_index, [7])
    rt.gox_yield()
    pstr(rt, "not reached")


def panic_values(rt: Rt, which: int) -> None:
    if which == 0:
        rt.gox_panic(iface(rt, BOOL), 1)
    elif which == 1:
        rt.gox_panic(iface(rt, K.UINT8), 0x1FF)
    elif which == 2:
        rt.gox_panic(iface(rt, K.INT8), 0xFF)
    elif which == 3:
        rt.gox_panic(iface(rt, K.BOXED_INT), rt.gox_rt_box(K.BOXED_INT, 3))
    elif which == 4:
        rt.gox_panic(0, 0)
    else:
        rt.gox_panic(iface(rt, K.FLOAT32), 0x3F800000)


def go_nil(rt: Rt) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(rec_print, [])
        rt.gox_go_spawn(None, [])


def abi_error(rt: Rt) -> None:
    pstr(rt, "before")
    rt.gox_chan_send(0x2A, 1)
    pstr(rt, "not reached")


# -- deadlock -----------------------------------------------------------------------------------------------
def blocked_send(rt: Rt, c: int) -> None:
    rt.gox_chan_send(c, 1)


def blocked_recv(rt: Rt, c: int) -> None:
    rt.gox_chan_recv(c)


def nil_send(rt: Rt) -> None:
    rt.gox_chan_send(0, 1)


def nil_recv(rt: Rt) -> None:
    rt.gox_chan_recv(0)


def blocked_select(rt: Rt, c: int, d: int) -> None:
    rt.gox_select_start(2, False)
    rt.gox_select_add_recv(c)
    rt.gox_select_add_send(d, 3)
    rt.gox_select_exec()


def empty_select(rt: Rt) -> None:
    rt.gox_select_start(0, False)
    rt.gox_select_exec()


def nil_select(rt: Rt) -> None:
    rt.gox_select_start(1, False)
    rt.gox_select_add_recv(0)
    rt.gox_select_exec()


def quick(rt: Rt) -> None:
    pass


def deadlock(rt: Rt) -> None:
    c, d, e = chan(rt, INT, 0), chan(rt, INT, 0), chan(rt, INT, 0)
    rt.gox_go_spawn(blocked_send, [c])
    rt.gox_go_spawn(blocked_recv, [d])
    rt.gox_go_spawn(nil_send, [])
    rt.gox_go_spawn(quick, [])
    rt.gox_go_spawn(nil_recv, [])
    rt.gox_go_spawn(blocked_select, [d, d])
    rt.gox_go_spawn(blocked_select, [e, e])
    rt.gox_go_spawn(empty_select, [])
    rt.gox_go_spawn(nil_select, [])
    rt.gox_yield()
    it = rt.gox_iter_begin(0, K.CHANNEL)
    rt.gox_iter_next(it)


# -- iterators ------------------------------------------------------------------------------------------------
def iter_print(rt: Rt, it: int) -> None:
    while True:
        more, k, v = rt.gox_iter_next(it)
        if not more:
            break
        rt.gox_debug_write(k, INT)
        rt.gox_debug_write(rt.gox_rt_string_from_ptr(b" "), STR)
        pint(rt, v)
    rt.gox_iter_end(it)


def iterators(rt: Rt) -> None:
    s = rt.gox_rt_slice_create(INT, 0xFFFF, 4, 8)
    rt.gox_gc_pin(s)
    for i in range(4):
        rt.gox_slice_set(s, i, i * 11)
    it = rt.gox_iter_begin(s, K.SLICE)
    while True:
        more, k, v = rt.gox_iter_next(it)
        if not more:
            break
        pint(rt, v)
        if k == 0:
            rt.gox_slice_set(s, 2, 999)
    rt.gox_iter_end(it)
    arr = rt.gox_rt_array_create(K.INT8, 0xFFFF, 3)
    rt.gox_gc_pin(arr)
    rt.gox_array_set(arr, 1, (-5) & ((1 << 64) - 1))
    iter_print(rt, rt.gox_iter_begin(arr, K.ARRAY))
    st = rt.gox_rt_string_from_ptr(b"h\xc3\xa9\xff!\xe2\x82")
    rt.gox_gc_pin(st)
    iter_print(rt, rt.gox_iter_begin(st, STR))
    m = rt.gox_rt_map_new(INT, INT)
    rt.gox_gc_pin(m)
    for i in range(1, 7):
        rt.gox_map_set(m, i, i * 100)
    for rnd in range(3):
        it = rt.gox_iter_begin(m, K.MAP)
        seen = 0
        while True:
            more, k, v = rt.gox_iter_next(it)
            if not more:
                break
            rt.gox_debug_write(k, INT)
            pint(rt, v)
            if seen == 0:
                rt.gox_map_delete(m, 4 if k == 3 else 3)
                rt.gox_map_set(m, 7 + rnd, 1)
                rt.gox_map_set(m, 6 if k == 5 else 5, 555)
            seen += 1
        rt.gox_iter_end(it)
    sm = rt.gox_rt_map_new(STR, INT)
    rt.gox_gc_pin(sm)
    for i, name in enumerate(["a", "bb", "ccc", "dddd"]):
        rt.gox_map_set(sm, rt.gox_rt_string_from_ptr(name.encode()), i)
    it = rt.gox_iter_begin(sm, K.MAP)
    while True:
        more, k, v = rt.gox_iter_next(it)
        if not more:
            break
        rt.gox_debug_write(k, STR)
        pint(rt, v)
    rt.gox_iter_end(it)
    outer = rt.gox_iter_begin(arr, K.ARRAY)
    while rt.gox_iter_next(outer)[0]:
        inner = rt.gox_iter_begin(0, K.MAP)
        pint(rt, int(rt.gox_iter_next(inner)[0]))
        rt.gox_iter_end(inner)
    pint(rt, int(rt.gox_iter_next(outer)[0]))
    rt.gox_iter_end(outer)
    iter_print(rt, rt.gox_iter_begin(0, K.SLICE))


# -- gc -----------------------------------------------------------------------------------------------------------
def gc_producer(rt: Rt, c: int, count: int) -> None:
    for i in range(count):
        rt.gox_rt_string_from_ptr(b"garbage garbage garbage")
        rt.gox_chan_send(c, rt.gox_rt_string_from_ptr(f"item-{i}".encode()))
    rt.gox_chan_close(c)


def gc_print_arg(rt: Rt, s: int) -> None:
    rt.gox_debug_print(s, STR)


def gcstress(rt: Rt) -> None:
    rt.gox_gc_tune(0, 0, 64, 2048)
    c = chan(rt, STR, 3)
    rt.gox_go_spawn(gc_producer, [c, 40])
    rt.gox_go_spawn(gc_print_arg, [rt.gox_rt_string_from_ptr(b"argument root")])
    rt.gox_collect_garbage()
    total = 0
    it = rt.gox_iter_begin(c, K.CHANNEL)
    count = 0
    while True:
        more, k, _ = rt.gox_iter_next(it)
        if not more:
            break
        count += 1
        if count % 8 == 0:
            rt.gox_debug_print(k, STR)
        total = rt.gox_rt_string_concat(total, rt.gox_rt_string_from_ptr(b"+"))
        rt.gox_gc_pin(total)
    rt.gox_iter_end(it)
    pint(rt, rt.gox_string_len(total))
    with rt.defer_frame():
        rt.gox_defer_push(gc_print_arg, [rt.gox_rt_string_from_ptr(b"deferred root")])
        rt.gox_collect_garbage()
    st = rt.gox_gc_stats()
    pint(rt, st.cycles)
    pint(rt, st.live_objects)


def _values(which: int) -> Callable[[Rt], None]:
    def main(rt: Rt) -> None:
        panic_values(rt, which)

    return main


PROGRAMS: dict[str, Callable[[Rt], None]] = {
    f.__name__: f
    for f in (
        pingpong, roundrobin, select6, selectmix, closedmatrix, recover1, deferrules, panic_chain,
        panic_repanic, panic_goroutine, go_nil, abi_error, deadlock, iterators, gcstress,
    )
}
PROGRAMS.update({f"panic_values{i}": _values(i) for i in range(6)})


def _named_main(f: Callable[[Rt], None]) -> Callable[..., None]:
    """Goroutine 1's entry, named ``main`` as the C side registers every program's entry."""

    def main(rt: Rt) -> None:
        f(rt)

    main.__qualname__ = "main"
    return main


def run_reference(name: str, seed: int) -> tuple[int, bytes, bytes, list[str]]:
    """(exit status, stdout, stderr, canonical trace) of a program on the reference."""
    out, err = io.BytesIO(), io.BytesIO()
    rt = RefRuntime(out=out)
    rt.set_output(out, err)
    log = rt.start_trace()
    status: Any
    try:
        status = rt.run_main(_named_main(PROGRAMS[name]), [], seed)
    except GoxABIError as e:
        status = 3
        err.write(f"ABI error: {e}\n".encode())
    return int(status), out.getvalue(), err.getvalue(), log.canonical()
