/* Parallel allocation against gox_abi.h only (tests/test_native_palloc.py).
 *
 *   palloc_prog WORKERS
 *
 * G goroutines each build a list of KEEP nodes rooted in a global of its own, allocating JUNK
 * unreachable nodes per kept one; goroutine 0 collects in the middle of it all.  Then main
 * collects and prints the collector's counts and each list's sum: the same whatever the
 * worker count, when every worker's allocation cache was flushed at the stops of the world. */
#include <stdio.h>
#include <stdlib.h>

#include "gox_abi.h"

#define G 6
#define KEEP 3000
#define JUNK 7

static uint16_t node_t;

static uint64_t builder(const uint64_t *a, uint32_t n) {
    (void)n;
    size_t g = (size_t)a[0] + 1; /* its global (0 is the channel) */
    for (uint64_t k = 0; k < KEEP; k++) {
        GoxRef x = gox_rt_alloc(GOX_KIND_STRUCT, node_t, 2);
        gox_gc_write_slot(x, 1, k);
        if (!gox_gc_write_slot_barrier(x, 0, gox_rt_get_global(g))) return 0;
        gox_rt_set_global(g, x); /* (rooted before the next allocation) */
        for (int j = 0; j < JUNK; j++) {
            GoxRef y = gox_rt_alloc(GOX_KIND_STRUCT, node_t, 2);
            gox_gc_write_slot_barrier(y, 0, gox_rt_get_global(g)); /* garbage pointing at live nodes */
            gox_gc_write_slot(y, 1, gox_gc_read_slot(x, 1));
        }
        if (g == 1 && k == KEEP / 2) gox_collect_garbage();
    }
    gox_chan_send(gox_rt_get_global(0), 1);
    return 0;
}

static void stats(const char *when) {
    uint64_t s[GOX_STAT_COUNT];
    gox_gc_stats(s, GOX_STAT_COUNT);
    printf("%s: live %llu allocated %llu freed %llu (bytes: live %llu allocated %llu freed %llu)\n", when,
           (unsigned long long)s[GOX_STAT_LIVE_OBJECTS], (unsigned long long)s[GOX_STAT_ALLOCATED_OBJECTS],
           (unsigned long long)s[GOX_STAT_FREED_OBJECTS], (unsigned long long)s[GOX_STAT_LIVE_BYTES],
           (unsigned long long)s[GOX_STAT_ALLOCATED_BYTES], (unsigned long long)s[GOX_STAT_FREED_BYTES]);
}

static uint64_t main_fn(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    gox_rt_set_global(0, gox_chan_new(GOX_KIND_INT, 0));
    for (uint64_t i = 0; i < G; i++) gox_go_spawn((const void *)(uintptr_t)builder, &i, 1);
    for (int i = 0; i < G; i++) gox_chan_recv(gox_rt_get_global(0));
    gox_collect_garbage();
    stats("collected");
    for (size_t g = 1; g <= G; g++) {
        uint64_t sum = 0, len = 0;
        for (GoxRef x = gox_rt_get_global(g); x; x = gox_gc_read_slot(x, 0)) {
            sum += gox_gc_read_slot(x, 1);
            len++;
        }
        printf("list %zu: %llu nodes, sum %llu\n", g, (unsigned long long)len, (unsigned long long)sum);
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) return 64;
    gox_sched_set_workers((uint32_t)atoi(argv[1]));
    node_t = gox_type_register("Node", (const uint8_t *)"\x01\x00", 2);
    uint8_t is_ref[G + 1];
    for (int i = 0; i <= G; i++) is_ref[i] = 1;
    gox_init_globals(G + 1, is_ref, G + 1);
    int32_t status = gox_run_main(main_fn, NULL, 0, 1);
    if (status < 0) {
        char msg[1024];
        gox_error_take(msg, sizeof msg);
        fprintf(stderr, "ABI error: %s\n", msg);
        return 3;
    }
    stats("after the run");
    return status;
}
