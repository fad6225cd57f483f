/* C-only checks of the native concurrency half (run by tests/test_native_sched.py through
 * sched_progs check_NAME): stack maps over real frames (the running goroutine's and a suspended
 * one's), the stack-overflow guard, 100k parked goroutines, host mode, and nested programs. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_abi.h"

static int failures;
#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: CHECK(%s)\n", __FILE__, __LINE__, #cond); \
            failures++;                                                       \
        }                                                                     \
    } while (0)

#define FN(f) ((const void *)(uintptr_t)(f))

static bool is_live(GoxRef ref) {
    size_t n = gox_heap_walk(NULL, 0);
    GoxRef *all = malloc((n ? n : 1) * sizeof *all);
    gox_heap_walk(all, n);
    bool hit = false;
    for (size_t i = 0; i < n; i++) hit |= all[i] == ref;
    free(all);
    return hit;
}

/* ---- stack maps over real frames ------------------------------------------------------------ */
/* The frame base of docs: the caller's frame pointer + 16; the caller's frame pointer is the
 * first word of our own frame record. */
static uintptr_t caller_base(void *own_fp) { return ((uintptr_t *)own_fp)[0] + 16; }

__attribute__((noinline)) static void collect_here(volatile uint64_t *described) {
    int32_t off = (int32_t)((intptr_t)(uintptr_t)described - (intptr_t)caller_base(__builtin_frame_address(0)));
    gox_stack_map_register((uintptr_t)__builtin_return_address(0), &off, 1);
    int32_t back[4];
    CHECK(gox_stack_map_lookup((uintptr_t)__builtin_return_address(0), back, 4) == 1 && back[0] == off);
    CHECK(gox_stack_map_scan() == 1); /* the running goroutine's real frames */
    gox_collect_garbage();
}

__attribute__((noinline)) static void frame_with_slots(void) {
    volatile uint64_t slots[2];
    slots[0] = gox_rt_box(GOX_KIND_BOXED_INT, 111); /* described by the map */
    slots[1] = gox_rt_box(GOX_KIND_BOXED_INT, 222); /* not described */
    collect_here(&slots[0]);
    CHECK(is_live(slots[0]));
    CHECK(gox_box_get(slots[0]) == 111);
    CHECK(!is_live(slots[1]));
}

/* a suspended goroutine: its slot is described at the call that parks it */
__attribute__((noinline)) static void park_here(volatile uint64_t *described, GoxRef ch) {
    int32_t off = (int32_t)((intptr_t)(uintptr_t)described - (intptr_t)caller_base(__builtin_frame_address(0)));
    gox_stack_map_register((uintptr_t)__builtin_return_address(0), &off, 1);
    gox_chan_recv(ch);
}

static uint64_t suspended(const uint64_t *a, uint32_t n) {
    (void)n;
    volatile uint64_t slots[2];
    slots[0] = gox_rt_box(GOX_KIND_BOXED_INT, 333);
    slots[1] = gox_rt_box(GOX_KIND_BOXED_INT, 444);
    gox_gc_pin(slots[1]); /* published to main, then unpinned there */
    gox_chan_send(a[1], slots[0]);
    gox_chan_send(a[1], slots[1]);
    park_here(&slots[0], a[0]);
    CHECK(gox_box_get(slots[0]) == 333);
    return 0;
}

static uint64_t stackmap_main(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    frame_with_slots();
    GoxRef wake = gox_chan_new(GOX_KIND_INT, 0), refs = gox_chan_new(GOX_KIND_INT, 2);
    gox_gc_pin(wake);
    gox_gc_pin(refs);
    uint64_t args[2] = {wake, refs};
    gox_go_spawn(FN(suspended), args, 2);
    GoxRef kept = gox_chan_recv(refs), dropped = gox_chan_recv(refs);
    gox_yield(); /* it parks in park_here */
    gox_gc_unpin(dropped);
    gox_collect_garbage();
    CHECK(is_live(kept));
    CHECK(!is_live(dropped));
    gox_chan_send(wake, 1);
    gox_yield();
    gox_stack_map_clear();
    CHECK(gox_stack_map_lookup(0, NULL, 0) == -1);
    return 0;
}

/* ---- the stack guard ---------------------------------------------------------------------- */
static volatile uint64_t depth_limit = UINT64_MAX; /* never reached: the guard stops it */

__attribute__((noinline)) static uint64_t deep(uint64_t x) {
    volatile char pad[512];
    pad[0] = (char)x;
    if (x >= depth_limit) return 0;
    return deep(x + 1) + (uint64_t)pad[0];
}

static uint64_t overflow_entry(const uint64_t *a, uint32_t n) {
    (void)n;
    return deep(a[0]);
}

static uint64_t overflow_main(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    uint64_t x = 1;
    gox_go_spawn(FN(overflow_entry), &x, 1);
    gox_yield();
    return 0;
}

/* ---- 100k parked goroutines --------------------------------------------------------------- */
#define MANY 100000
static int woke;

static uint64_t parked(const uint64_t *a, uint32_t n) {
    (void)n;
    bool ok;
    gox_chan_recv_ok(a[0], &ok);
    if (!ok) woke++;
    return 0;
}

static uint64_t many_main(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    GoxRef c = gox_chan_new(GOX_KIND_INT, 0);
    gox_gc_pin(c);
    for (int i = 0; i < MANY; i++) gox_go_spawn(FN(parked), &c, 1);
    gox_yield(); /* every one of them runs and parks */
    CHECK(woke == 0);
    gox_chan_close(c); /* wakes them all, in order */
    gox_yield();
    CHECK(woke == MANY);
    return 0;
}

/* ---- host mode ------------------------------------------------------------------------------ */
static int printed;
static uint64_t count_call(const uint64_t *a, uint32_t n) {
    (void)n;
    printed += (int)a[0];
    return 0;
}

static uint64_t nested_main(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    gox_run_main(nested_main, NULL, 0, 0); /* an ABI error: the program stops here */
    CHECK(false);
    return 0;
}

static void check_host(void) {
    char msg[512];
    gox_yield(); /* nothing to yield to */
    GoxRef c = gox_chan_new(GOX_KIND_INT, 1);
    gox_chan_send(c, 5);
    CHECK(*gox_error_flag() == 0 && gox_chan_len(c) == 1);
    gox_chan_send(c, 6);
    CHECK(gox_error_take(msg, sizeof msg) == 3);
    CHECK(strcmp(msg, "all goroutines are asleep - deadlock! (the host tried to send on a full channel outside run_main)") == 0);
    gox_panic(gox_interface_pack(0, 0, GOX_KIND_INT), 7);
    CHECK(gox_error_take(msg, sizeof msg) == 1 && strcmp(msg, "7") == 0);
    uint64_t fr = gox_defer_frame_enter();
    uint64_t three = 3;
    gox_defer_push(FN(count_call), &three, 1);
    gox_defer_frame_jmpbuf(fr + 1);
    CHECK(gox_error_take(msg, sizeof msg) == 2);
    CHECK(strstr(msg, "is not the innermost open frame") != NULL);
    gox_defer_frame_exit(fr);
    CHECK(printed == 3);
    GoxRef s = gox_rt_string_from_ptr((const uint8_t *)"ab", 2);
    gox_gc_pin(s);
    uint64_t it = gox_iter_begin(s, GOX_KIND_STRING), k, v;
    CHECK(gox_iter_next(it, &k, &v) && k == 0 && v == 'a');
    gox_iter_end(it);
    gox_iter_next(it, &k, &v);
    CHECK(gox_error_take(msg, sizeof msg) == 2 && strstr(msg, "has ended") != NULL);
    CHECK(gox_run_main(nested_main, NULL, 0, 0) == -1);
    CHECK(gox_error_take(msg, sizeof msg) == 2 && strstr(msg, "already running") != NULL);
    gox_func_set_name(NULL, "x");
    CHECK(gox_error_take(msg, sizeof msg) == 2);
}

/* ---- a recovery, then a deferred call of the same frame panics again ----------------------- */
static uint64_t rec(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    volatile uint64_t fr = gox_defer_frame_enter();
    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;
    uint64_t s1;
    gox_recover(&s1);
out:
    gox_defer_frame_exit(fr);
    return 0;
}

static uint64_t panic2(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    gox_panic(gox_interface_pack(0, 0, GOX_KIND_INT), 2);
    return 0;
}

static uint64_t inner(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    volatile uint64_t fr = gox_defer_frame_enter();
    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;
    gox_defer_push(FN(panic2), NULL, 0);
    gox_defer_push(FN(rec), NULL, 0);
    gox_panic(gox_interface_pack(0, 0, GOX_KIND_INT), 1);
out:
    gox_defer_frame_exit(fr);
    return 0;
}

static uint64_t repanic_after_recovery(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    volatile uint64_t fr = gox_defer_frame_enter();
    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;
    inner(NULL, 0);
out:
    gox_defer_frame_exit(fr);
    return 0;
}

int check_main(const char *name) {
    gox_func_set_name(FN(repanic_after_recovery), "main");
    if (strcmp(name, "check_stackmap") == 0) {
        CHECK(gox_run_main(stackmap_main, NULL, 0, 0) == 0);
    } else if (strcmp(name, "check_overflow") == 0) {
        gox_run_main(overflow_main, NULL, 0, 0);
        fprintf(stderr, "the overflow was not caught\n");
        return 1;
    } else if (strcmp(name, "check_many") == 0) {
        CHECK(gox_run_main(many_main, NULL, 0, 0) == 0);
    } else if (strcmp(name, "check_host") == 0) {
        check_host();
    } else if (strcmp(name, "check_repanic") == 0) {
        return gox_run_main(repanic_after_recovery, NULL, 0, 0);
    } else {
        fprintf(stderr, "unknown check %s\n", name);
        return 64;
    }
    if (failures) return 1;
    puts("ok");
    return 0;
}
