/* A C host using the native runtime directly through gox_abi.h: allocation, the collector,
 * the error record with the reference's messages, an extern registered from C, instances. */
#include <stdio.h>
#include <string.h>

#include "gox_abi.h"

static int failures;
#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            fprintf(stderr, "%s:%d: CHECK(%s)\n", __FILE__, __LINE__, #cond); \
            failures++;                                               \
        }                                                             \
    } while (0)

static int32_t add(const uint64_t *args, uint32_t nargs, uint64_t *rets, uint32_t nrets) {
    (void)nargs;
    (void)nrets;
    rets[0] = args[0] + args[1];
    return 0;
}

static int32_t fails(const uint64_t *args, uint32_t nargs, uint64_t *rets, uint32_t nrets) {
    (void)args, (void)nargs, (void)rets, (void)nrets;
    gox_error_set(1, "strconv.Atoi: parsing \"x\": invalid syntax");
    return 1;
}

int main(void) {
    char msg[512];
    gox_output_capture(true);
    GoxRef s = gox_rt_string_from_ptr((const uint8_t *)"hello", 5);
    CHECK(gox_string_len(s) == 5);
    CHECK(gox_ref_number(s) == 2); /* the byte array is object 1 */
    gox_debug_print(s, GOX_KIND_STRING);
    uint8_t out[64];
    size_t n = gox_output_take(out, sizeof out);
    CHECK(n == 6 && memcmp(out, "hello\n", 6) == 0);

    gox_collect_garbage(); /* nothing roots s: it is freed */
    gox_string_len(s);
    int32_t code = gox_error_take(msg, sizeof msg);
    CHECK(code == 2);
    CHECK(strcmp(msg, "gox_string_len: 0x10000020 is a freed reference (object #2); expected a 15 (String) object") == 0);

    GoxRef sl = gox_rt_slice_create(GOX_KIND_INT, 0xFFFF, 3, 3);
    gox_slice_get(sl, 5);
    CHECK(gox_error_take(msg, sizeof msg) == 1);
    CHECK(strcmp(msg, "runtime error: index out of range [5] with length 3") == 0);

    GoxExternSpec spec = {"test.Add", 2, 1, add};
    gox_register_extern(7, &spec);
    uint64_t args[2] = {40, 2}, rets[1] = {0};
    gox_extern_call(gox_extern_lookup("test.Add"), args, 2, rets, 1);
    CHECK(*gox_error_flag() == 0 && rets[0] == 42);
    GoxExternSpec bad = {"test.Fails", 0, 0, fails};
    gox_register_extern(8, &bad);
    gox_extern_call(8, NULL, 0, NULL, 0);
    CHECK(gox_error_take(msg, sizeof msg) == 1);
    CHECK(strstr(msg, "invalid syntax") != NULL);

    /* a second instance is independent */
    void *main_rt = gox_runtime_current();
    void *other = gox_runtime_new();
    gox_runtime_use(other);
    uint64_t stats[GOX_STAT_COUNT];
    gox_gc_stats(stats, GOX_STAT_COUNT);
    CHECK(stats[GOX_STAT_ALLOCATED_OBJECTS] == 0);
    gox_runtime_use(main_rt);
    gox_runtime_free(other);
    gox_gc_stats(stats, GOX_STAT_COUNT);
    CHECK(stats[GOX_STAT_ALLOCATED_OBJECTS] == 4);

    if (failures) return 1;
    puts("native_smoke: ok");
    return 0;
}
