/* Programs for the native scheduler, written in C against gox_abi.h only.
 *
 *   sched_progs NAME SEED [TRACE_FILE]
 *
 * runs program NAME with gox_run_main(SEED): its output (gox_debug_print) on stdout, its
 * reports on stderr, exit status the program's (0 or 2), 3 when it stopped on an ABI error
 * ("ABI error: <message>" on stderr).  With TRACE_FILE, the canonical trace goes there.
 * tests/native_progs.py has the same programs for the reference (the names registered with
 * gox_func_set_name are the Python functions' names), and tests/test_native_sched.py compares
 * output, status and trace for several seeds.  Programs named check_* test C-only rules
 * (real stack frames, the stack guard, 100k goroutines) and print "ok".
 *
 * Compiled with -fno-omit-frame-pointer (the stack-map programs walk real frames).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_abi.h"

#define ENTRY(name) static uint64_t name(const uint64_t *a, uint32_t n)
#define UNUSED (void)a, (void)n
#define FN(f) ((const void *)(uintptr_t)(f))
/* a defer frame: `FRAME_BEGIN(fr); ... FRAME_END(fr);` (a recovery resumes at FRAME_END) */
#define FRAME_BEGIN(fr)                                                 \
    volatile uint64_t fr = gox_defer_frame_enter();                     \
    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto fr##_out
#define FRAME_END(fr) \
    fr##_out:         \
    gox_defer_frame_exit(fr)

enum { INT = GOX_KIND_INT, STR = GOX_KIND_STRING, BOOL = GOX_KIND_BOOL };

static void pint(int64_t v) { gox_debug_print((uint64_t)v, INT); }
static void pstr(const char *s) { gox_debug_print(gox_rt_string_from_ptr((const uint8_t *)s, strlen(s)), STR); }
static uint64_t iface(uint8_t kind) { return gox_interface_pack(0, 0, kind); }
static void spawn0(const void *f) { gox_go_spawn(f, NULL, 0); }
static void spawn1(const void *f, uint64_t x) { gox_go_spawn(f, &x, 1); }
static void spawn2(const void *f, uint64_t x, uint64_t y) {
    uint64_t v[2] = {x, y};
    gox_go_spawn(f, v, 2);
}
static void defer0(const void *f) { gox_defer_push(f, NULL, 0); }
static void defer1(const void *f, uint64_t x) { gox_defer_push(f, &x, 1); }
static GoxRef chan(uint8_t kind, int64_t cap) {
    GoxRef c = gox_chan_new(kind, cap);
    gox_gc_pin(c);
    return c;
}

/* recover() and print what it returned: "recovered: <value>" or "recovered: nil" */
ENTRY(rec_print) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1, s0 = gox_recover(&s1);
    pstr("recovered:");
    if ((s0 & 0xFF) == STR)
        gox_debug_print(s1, STR);
    else if (s0 == 0)
        pstr("nil");
    else
        gox_debug_print(s1, (uint8_t)(s0 & 0xFF));
    FRAME_END(fr);
    return 0;
}

/* -- pingpong ------------------------------------------------------------------------------- */
ENTRY(player) {
    (void)n;
    for (;;) {
        uint64_t v = gox_chan_recv(a[0]);
        if (v == 0) return 0;
        gox_chan_send(a[1], v + 1);
    }
}

ENTRY(pingpong) {
    UNUSED;
    GoxRef ping = chan(INT, 0), pong = chan(INT, 0);
    spawn2(FN(player), ping, pong);
    uint64_t v = 1;
    for (int i = 0; i < 5; i++) {
        gox_chan_send(ping, v);
        v = gox_chan_recv(pong);
        pint((int64_t)v);
    }
    gox_chan_send(ping, 0);
    return 0;
}

/* -- roundrobin: spawn order, yields, buffered channels ------------------------------------------ */
ENTRY(worker) {
    (void)n;
    for (int step = 0; step < 3; step++) {
        pint((int64_t)(a[0] * 10 + (uint64_t)step));
        gox_yield();
    }
    gox_chan_send(a[1], a[0]);
    return 0;
}

ENTRY(roundrobin) {
    UNUSED;
    GoxRef done = chan(INT, 2);
    for (uint64_t i = 1; i <= 3; i++) spawn2(FN(worker), i, done);
    for (int step = 0; step < 2; step++) {
        pint(-step);
        gox_yield();
    }
    for (int i = 0; i < 3; i++) {
        pint(gox_chan_len(done));
        pint((int64_t)gox_chan_recv(done));
    }
    pint(gox_chan_cap(done));
    return 0;
}

/* -- select6 (Go's test/chan/select6.go) ---------------------------------------------------------- */
ENTRY(s6_recv1) {
    (void)n;
    gox_chan_recv(a[0]);
    return 0;
}

ENTRY(s6_selector) {
    (void)n;
    gox_select_start(2, false);
    gox_select_add_recv(a[0]);
    gox_select_add_recv(a[1]);
    int64_t c = gox_select_exec();
    if (c == 0) gox_panic(iface(STR), gox_rt_string_from_ptr((const uint8_t *)"dummy", 5));
    gox_chan_send(a[2], 1);
    gox_chan_recv(a[0]);
    return 0;
}

ENTRY(s6_send2) {
    (void)n;
    gox_chan_send(a[0], 1);
    return 0;
}

ENTRY(select6) {
    UNUSED;
    GoxRef c1 = chan(BOOL, 0), c2 = chan(BOOL, 0), c3 = chan(BOOL, 0);
    spawn1(FN(s6_recv1), c1);
    uint64_t v[3] = {c1, c2, c3};
    gox_go_spawn(FN(s6_selector), v, 3);
    spawn1(FN(s6_send2), c2);
    gox_chan_recv(c3);
    gox_chan_send(c1, 1);
    gox_chan_send(c1, 1);
    pstr("select6 ok");
    return 0;
}

/* -- selectmix: poll order draws, default, nil cases, blocking selects ---------------------------- */
ENTRY(sm_blocked) {
    (void)n;
    gox_select_start(3, false);
    gox_select_add_recv(a[0]);
    gox_select_add_send(a[1], 77);
    gox_select_add_recv(0);
    int64_t c = gox_select_exec();
    pint(c);
    if (c == 0) {
        bool ok;
        pint((int64_t)gox_select_recv_result(&ok));
        pint(ok);
    }
    return 0;
}

ENTRY(selectmix) {
    UNUSED;
    GoxRef c1 = chan(INT, 4), c2 = chan(INT, 4), c3 = chan(INT, 0), c4 = chan(INT, 0);
    for (int i = 1; i <= 3; i++) {
        gox_chan_send(c1, (uint64_t)i);
        gox_chan_send(c2, (uint64_t)(10 * i));
    }
    for (int i = 0; i < 7; i++) {
        gox_select_start(3, true);
        gox_select_add_recv(c1);
        gox_select_add_recv(0);
        gox_select_add_recv(c2);
        int64_t c = gox_select_exec();
        bool ok = false;
        uint64_t v = c >= 0 ? gox_select_recv_result(&ok) : 0;
        pint(c);
        pint((int64_t)v);
    }
    /* sends: room in c1, nobody on c3 */
    for (int i = 0; i < 3; i++) {
        gox_select_start(2, false);
        gox_select_add_send(c3, 5);
        gox_select_add_send(c1, (uint64_t)(100 + i));
        pint(gox_select_exec());
    }
    spawn2(FN(sm_blocked), c3, c4);
    spawn2(FN(sm_blocked), c3, c4);
    gox_yield();
    gox_chan_send(c3, 42);
    pint((int64_t)gox_chan_recv(c4));
    gox_yield();
    return 0;
}

/* -- closed channels ---------------------------------------------------------------------------- */
ENTRY(try_close) {
    (void)n;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print));
    gox_chan_close(a[0]);
    pstr("closed");
    FRAME_END(fr);
    return 0;
}

ENTRY(try_send) {
    (void)n;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print));
    gox_chan_send(a[0], a[1]);
    pstr("sent");
    FRAME_END(fr);
    return 0;
}

ENTRY(parked_recv) {
    (void)n;
    bool ok;
    uint64_t v = gox_chan_recv_ok(a[0], &ok);
    pstr("parked receiver woke");
    pint((int64_t)v);
    pint(ok);
    return 0;
}

ENTRY(closedmatrix) {
    UNUSED;
    GoxRef b = chan(INT, 3), u = chan(INT, 0), d = chan(INT, 0);
    gox_chan_send(b, 7);
    gox_chan_send(b, 8);
    gox_chan_close(b);
    pint(gox_chan_len(b));
    pint(gox_chan_cap(b));
    for (int i = 0; i < 3; i++) {
        bool ok;
        uint64_t v = gox_chan_recv_ok(b, &ok);
        pint((int64_t)v);
        pint(ok);
    }
    uint64_t args[2] = {b, 9};
    try_close(args, 1);
    try_send(args, 2);
    uint64_t nil[2] = {0, 0};
    try_close(nil, 1);
    /* a parked receiver and a parked sender, woken by close */
    spawn1(FN(parked_recv), u);
    uint64_t sargs[2] = {d, 5};
    gox_go_spawn(FN(try_send), sargs, 2);
    gox_yield();
    gox_chan_close(u);
    gox_chan_close(d);
    gox_yield();
    /* select on a closed channel, and range over one */
    gox_select_start(2, false);
    gox_select_add_recv(u);
    gox_select_add_recv(0);
    pint(gox_select_exec());
    bool ok;
    pint((int64_t)gox_select_recv_result(&ok));
    pint(ok);
    GoxRef r = chan(INT, 5);
    for (uint64_t i = 1; i <= 4; i++) gox_chan_send(r, i * i);
    gox_chan_close(r);
    uint64_t it = gox_iter_begin(r, GOX_KIND_CHANNEL), k, v;
    while (gox_iter_next(it, &k, &v)) pint((int64_t)k);
    gox_iter_end(it);
    /* nil channel: len, cap */
    pint(gox_chan_len(0));
    pint(gox_chan_cap(0));
    return 0;
}

/* -- recover1 (Go's test/recover1.go, cases 1-7) ------------------------------------------------ */
static void problem(const char *what, int64_t x) {
    pstr(what);
    pint(x);
}

ENTRY(must_not_recover) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1;
    if (gox_recover(&s1) != 0) problem("spurious recover", 0);
    FRAME_END(fr);
    return 0;
}

ENTRY(must_recover) {
    (void)n;
    FRAME_BEGIN(fr);
    must_not_recover(NULL, 0); /* because it's not a defer call */
    uint64_t s1, s0 = gox_recover(&s1);
    if (s0 == 0)
        problem("missing recover of", (int64_t)a[0]);
    else if (s0 != iface(INT) || s1 != a[0])
        problem("wrong value", (int64_t)a[0]);
    if (gox_recover(&s1) != 0) problem("recover didn't recover", (int64_t)a[0]);
    FRAME_END(fr);
    return 0;
}

ENTRY(builtin_recover) {
    UNUSED;
    uint64_t s1;
    gox_recover(&s1);
    return 0;
}

static void panic_int(int64_t v) { gox_panic(iface(INT), (uint64_t)v); }

ENTRY(r1_d1) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer1(FN(must_recover), 2);
    panic_int(2);
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d2) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1, s0 = gox_recover(&s1);
    if (s0 != iface(INT) || s1 != 2) problem("test2: wrong value", (int64_t)s1);
    defer1(FN(must_recover), 3);
    panic_int(3);
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d3) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1;
    gox_recover(&s1);
    defer1(FN(must_recover), 3);
    panic_int(3);
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d4) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1;
    gox_recover(&s1);
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d5) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(builtin_recover));
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d6) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(builtin_recover));
    defer1(FN(must_recover), 3);
    panic_int(3);
    FRAME_END(fr);
    return 0;
}
ENTRY(r1_d7) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer1(FN(must_recover), 3);
    defer0(FN(builtin_recover));
    panic_int(3);
    FRAME_END(fr);
    return 0;
}

static void r1_case(const void *outer_first, uint64_t first_arg, bool first_has_arg, const void *d, int64_t v) {
    FRAME_BEGIN(fr);
    if (first_has_arg)
        defer1(outer_first, first_arg);
    else
        defer0(outer_first);
    defer0(d);
    panic_int(v);
    FRAME_END(fr);
}

ENTRY(recover1) {
    UNUSED;
    r1_case(FN(must_recover), 1, true, FN(r1_d1), 1);
    must_not_recover(NULL, 0);
    r1_case(FN(must_not_recover), 0, false, FN(r1_d2), 2);
    r1_case(FN(must_not_recover), 0, false, FN(r1_d3), 2);
    r1_case(FN(must_not_recover), 0, false, FN(r1_d4), 4);
    r1_case(FN(must_not_recover), 0, false, FN(r1_d5), 5);
    r1_case(FN(must_not_recover), 0, false, FN(r1_d6), 2);
    r1_case(FN(must_recover), 2, true, FN(r1_d7), 2);
    pstr("recover1 done");
    return 0;
}

/* -- defer rules -------------------------------------------------------------------------------- */
ENTRY(printer) {
    (void)n;
    pint((int64_t)a[0]);
    return 0;
}

ENTRY(helper_recover) { /* a helper the deferred function calls: recover is nil there */
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1;
    pint((int64_t)gox_recover(&s1));
    FRAME_END(fr);
    return 0;
}

ENTRY(calls_helper) {
    UNUSED;
    FRAME_BEGIN(fr);
    helper_recover(NULL, 0);
    FRAME_END(fr);
    return 0;
}

ENTRY(returns_normally) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer1(FN(printer), 3);
    defer0(FN(rec_print));
    defer1(FN(printer), 1);
    panic_int(99);
    pstr("not reached");
    FRAME_END(fr);
    pstr("after recovery");
    return 0;
}

ENTRY(nil_deferred) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print));
    defer0(NULL);
    FRAME_END(fr);
    return 0;
}

ENTRY(helper_case) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print));
    defer0(FN(calls_helper));
    defer0(FN(builtin_recover)); /* a bare deferred recover does not recover */
    panic_int(5);
    FRAME_END(fr);
    return 0;
}

ENTRY(deferrules) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t x = 1;
    defer1(FN(printer), x);
    x = 2;
    defer1(FN(printer), x);
    defer1(FN(printer), 42);
    gox_defer_pop();
    returns_normally(NULL, 0);
    nil_deferred(NULL, 0);
    helper_case(NULL, 0);
    uint64_t s1;
    pint((int64_t)gox_recover(&s1)); /* not panicking: nil */
    FRAME_END(fr);
    pstr("end");
    return 0;
}

/* -- panics that end the program ---------------------------------------------------------------- */
ENTRY(panic_second) {
    UNUSED;
    gox_panic(iface(STR), gox_rt_string_from_ptr((const uint8_t *)"second\nline", 11));
    return 0;
}

ENTRY(panic_chain) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(panic_second));
    panic_int(1);
    FRAME_END(fr);
    return 0;
}

ENTRY(repanic) {
    UNUSED;
    FRAME_BEGIN(fr);
    uint64_t s1, s0 = gox_recover(&s1);
    gox_panic(s0, s1);
    FRAME_END(fr);
    return 0;
}

ENTRY(panic_repanic) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(repanic));
    gox_panic(gox_interface_pack(0, 0, GOX_KIND_FLOAT64), 0x3FF8000000000000ull);
    FRAME_END(fr);
    return 0;
}

ENTRY(bad_index) {
    (void)n;
    GoxRef s = gox_rt_slice_create(INT, 0xFFFF, 3, 3);
    pint((int64_t)gox_slice_get(s, (int64_t)a[0]));
    return 0;
}

ENTRY(guarded_index) {
    (void)n;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print));
    bad_index(a, 1);
    FRAME_END(fr);
    return 0;
}

ENTRY(panic_goroutine) {
    UNUSED;
    uint64_t five = 5;
    guarded_index(&five, 1); /* recovered: the value is a runtime.Error string */
    GoxRef m = 0;
    (void)m;
    spawn1(FN(bad_index), 7);
    gox_yield();
    pstr("not reached");
    return 0;
}

ENTRY(panic_values) {
    (void)n;
    switch (a[0]) {
    case 0: gox_panic(iface(BOOL), 1); break;
    case 1: gox_panic(iface(GOX_KIND_UINT8), 0x1FF); break;
    case 2: gox_panic(iface(GOX_KIND_INT8), 0xFF); break;
    case 3: gox_panic(iface(GOX_KIND_BOXED_INT), gox_rt_box(GOX_KIND_BOXED_INT, 3)); break;
    case 4: gox_panic(0, 0); break;
    default: gox_panic(iface(GOX_KIND_FLOAT32), 0x3F800000); break;
    }
    return 0;
}

ENTRY(go_nil) {
    UNUSED;
    FRAME_BEGIN(fr);
    defer0(FN(rec_print)); /* never runs: a fatal error is no panic */
    gox_go_spawn(NULL, NULL, 0);
    FRAME_END(fr);
    return 0;
}

ENTRY(abi_error) {
    UNUSED;
    pstr("before");
    gox_chan_send(0x2A, 1);
    pstr("not reached");
    return 0;
}

/* -- deadlock ------------------------------------------------------------------------------------ */
ENTRY(blocked_send) {
    (void)n;
    gox_chan_send(a[0], 1);
    return 0;
}
ENTRY(blocked_recv) {
    (void)n;
    gox_chan_recv(a[0]);
    return 0;
}
ENTRY(nil_send) {
    UNUSED;
    gox_chan_send(0, 1);
    return 0;
}
ENTRY(nil_recv) {
    UNUSED;
    gox_chan_recv(0);
    return 0;
}
ENTRY(blocked_select) {
    (void)n;
    gox_select_start(2, false);
    gox_select_add_recv(a[0]);
    gox_select_add_send(a[1], 3);
    gox_select_exec();
    return 0;
}
ENTRY(empty_select) {
    UNUSED;
    gox_select_start(0, false);
    gox_select_exec();
    return 0;
}
ENTRY(nil_select) {
    UNUSED;
    gox_select_start(1, false);
    gox_select_add_recv(0);
    gox_select_exec();
    return 0;
}
ENTRY(quick) {
    UNUSED;
    return 0;
}

ENTRY(deadlock) {
    UNUSED;
    GoxRef c = chan(INT, 0), d = chan(INT, 0), e = chan(INT, 0);
    spawn1(FN(blocked_send), c);
    spawn1(FN(blocked_recv), d);
    spawn0(FN(nil_send));
    spawn0(FN(quick));
    spawn0(FN(nil_recv));
    spawn2(FN(blocked_select), d, d); /* sends to blocked_recv: both end */
    spawn2(FN(blocked_select), e, e); /* waits on both sides of e */
    spawn0(FN(empty_select));
    spawn0(FN(nil_select));
    gox_yield();
    uint64_t it = gox_iter_begin(0, GOX_KIND_CHANNEL), k, v;
    gox_iter_next(it, &k, &v);
    return 0;
}

/* -- iterators ------------------------------------------------------------------------------------ */
static void iter_print(uint64_t it) {
    uint64_t k, v;
    while (gox_iter_next(it, &k, &v)) {
        gox_debug_write(k, INT);
        gox_debug_write(gox_rt_string_from_ptr((const uint8_t *)" ", 1), STR);
        pint((int64_t)v);
    }
    gox_iter_end(it);
}

ENTRY(iterators) {
    UNUSED;
    GoxRef s = gox_rt_slice_create(INT, 0xFFFF, 4, 8);
    gox_gc_pin(s);
    for (int64_t i = 0; i < 4; i++) gox_slice_set(s, i, (uint64_t)(i * 11));
    uint64_t it = gox_iter_begin(s, GOX_KIND_SLICE), k, v;
    while (gox_iter_next(it, &k, &v)) {
        pint((int64_t)v);
        if (k == 0) gox_slice_set(s, 2, 999); /* seen */
    }
    gox_iter_end(it);
    GoxRef arr = gox_rt_array_create(GOX_KIND_INT8, 0xFFFF, 3);
    gox_gc_pin(arr);
    gox_array_set(arr, 1, (uint64_t)-5);
    iter_print(gox_iter_begin(arr, GOX_KIND_ARRAY));
    GoxRef str = gox_rt_string_from_ptr((const uint8_t *)"h\xc3\xa9\xff!\xe2\x82", 7);
    gox_gc_pin(str);
    iter_print(gox_iter_begin(str, STR));
    GoxRef m = gox_rt_map_new(INT, INT);
    gox_gc_pin(m);
    for (uint64_t i = 1; i <= 6; i++) gox_map_set(m, i, i * 100);
    for (int round = 0; round < 3; round++) {
        it = gox_iter_begin(m, GOX_KIND_MAP);
        int seen = 0;
        while (gox_iter_next(it, &k, &v)) {
            gox_debug_write(k, INT);
            pint((int64_t)v);
            if (seen++ == 0) {
                gox_map_delete(m, k == 3 ? 4 : 3);
                gox_map_set(m, 7 + (uint64_t)round, 1);
                gox_map_set(m, k == 5 ? 6 : 5, 555);
            }
        }
        gox_iter_end(it);
    }
    GoxRef sm = gox_rt_map_new(STR, INT);
    gox_gc_pin(sm);
    const char *names[] = {"a", "bb", "ccc", "dddd"};
    for (int i = 0; i < 4; i++) gox_map_set(sm, gox_rt_string_from_ptr((const uint8_t *)names[i], strlen(names[i])), (uint64_t)i);
    it = gox_iter_begin(sm, GOX_KIND_MAP);
    while (gox_iter_next(it, &k, &v)) {
        gox_debug_write(k, STR);
        pint((int64_t)v);
    }
    gox_iter_end(it);
    /* nested loops and nil containers */
    uint64_t outer = gox_iter_begin(arr, GOX_KIND_ARRAY), k2, v2;
    while (gox_iter_next(outer, &k, &v)) {
        uint64_t inner = gox_iter_begin(0, GOX_KIND_MAP);
        pint(gox_iter_next(inner, &k2, &v2));
        gox_iter_end(inner);
    }
    pint(gox_iter_next(outer, &k, &v));
    gox_iter_end(outer);
    iter_print(gox_iter_begin(0, GOX_KIND_SLICE));
    return 0;
}

/* -- gc: references through channels, arguments, deferred calls -------------------------------- */
ENTRY(gc_producer) {
    (void)n;
    for (uint64_t i = 0; i < a[1]; i++) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "item-%llu", (unsigned long long)i);
        gox_rt_string_from_ptr((const uint8_t *)"garbage garbage garbage", 23);
        gox_chan_send(a[0], gox_rt_string_from_ptr((const uint8_t *)buf, (size_t)len));
    }
    gox_chan_close(a[0]);
    return 0;
}

ENTRY(gc_print_arg) {
    (void)n;
    gox_debug_print(a[0], STR);
    return 0;
}

ENTRY(gcstress) {
    UNUSED;
    gox_gc_tune(0, 0, 64, 2048);
    GoxRef c = chan(STR, 3);
    uint64_t args[2] = {c, 40};
    gox_go_spawn(FN(gc_producer), args, 2);
    spawn1(FN(gc_print_arg), gox_rt_string_from_ptr((const uint8_t *)"argument root", 13));
    gox_collect_garbage();
    GoxRef total = 0;
    uint64_t it = gox_iter_begin(c, GOX_KIND_CHANNEL), k, v;
    int count = 0;
    while (gox_iter_next(it, &k, &v)) {
        if (++count % 8 == 0) gox_debug_print(k, STR);
        total = gox_rt_string_concat(total, gox_rt_string_from_ptr((const uint8_t *)"+", 1));
        gox_gc_pin(total);
    }
    gox_iter_end(it);
    pint(gox_string_len(total));
    FRAME_BEGIN(fr);
    defer1(FN(gc_print_arg), gox_rt_string_from_ptr((const uint8_t *)"deferred root", 13));
    gox_collect_garbage();
    FRAME_END(fr);
    uint64_t st[GOX_STAT_COUNT];
    gox_gc_stats(st, GOX_STAT_COUNT);
    pint((int64_t)st[GOX_STAT_CYCLES]);
    pint((int64_t)st[GOX_STAT_LIVE_OBJECTS]);
    return 0;
}

/* -- the program table ------------------------------------------------------------------------- */
typedef struct {
    const char *name;
    GoxEntryFn fn;
    uint64_t arg;
    int nargs;
} Prog;

#define P(f) {#f, f, 0, 0}
static const Prog PROGS[] = {
    P(pingpong),     P(roundrobin),    P(select6),   P(selectmix),  P(closedmatrix), P(recover1),
    P(deferrules),   P(panic_chain),   P(panic_repanic), P(panic_goroutine), P(go_nil), P(abi_error),
    P(deadlock),     P(iterators),     P(gcstress),
    {"panic_values0", panic_values, 0, 1}, {"panic_values1", panic_values, 1, 1},
    {"panic_values2", panic_values, 2, 1}, {"panic_values3", panic_values, 3, 1},
    {"panic_values4", panic_values, 4, 1}, {"panic_values5", panic_values, 5, 1},
};

static void name_all(void) {
#define NAME(f) gox_func_set_name(FN(f), #f)
    NAME(player); NAME(worker); NAME(s6_recv1); NAME(s6_selector); NAME(s6_send2); NAME(sm_blocked);
    NAME(try_close); NAME(try_send); NAME(parked_recv); NAME(must_not_recover); NAME(must_recover);
    NAME(builtin_recover); NAME(rec_print); NAME(printer); NAME(bad_index); NAME(blocked_send);
    NAME(blocked_recv); NAME(nil_send); NAME(nil_recv); NAME(blocked_select); NAME(empty_select);
    NAME(nil_select); NAME(quick); NAME(gc_producer); NAME(gc_print_arg); NAME(panic_second); NAME(repanic);
    for (size_t i = 0; i < sizeof PROGS / sizeof PROGS[0]; i++) gox_func_set_name(FN(PROGS[i].fn), "main");
#undef NAME
}

int check_main(const char *name); /* sched_checks.c */

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAME SEED [TRACE_FILE]\n", argv[0]);
        return 64;
    }
    if (strncmp(argv[1], "check_", 6) == 0) return check_main(argv[1]);
    const Prog *p = NULL;
    for (size_t i = 0; i < sizeof PROGS / sizeof PROGS[0]; i++)
        if (strcmp(PROGS[i].name, argv[1]) == 0) p = &PROGS[i];
    if (!p) {
        fprintf(stderr, "unknown program %s\n", argv[1]);
        return 64;
    }
    name_all();
    if (argc > 3) gox_trace_start();
    int32_t status = gox_run_main(p->fn, &p->arg, (uint32_t)p->nargs, strtoull(argv[2], NULL, 0));
    fflush(stdout);
    if (status < 0) {
        char msg[1024];
        gox_error_take(msg, sizeof msg);
        fprintf(stderr, "ABI error: %s\n", msg);
        status = 3;
    }
    if (argc > 3) {
        size_t len = gox_trace_text(NULL, 0);
        char *text = malloc(len + 1);
        gox_trace_text(text, len + 1);
        FILE *f = fopen(argv[3], "w");
        if (!f) return 65;
        fwrite(text, 1, len, f);
        fclose(f);
        free(text);
    }
    return status;
}
