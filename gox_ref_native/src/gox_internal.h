/* gox_internal.h: the native runtime's private types and helpers.
 *
 * One struct (GoxRuntime) holds every piece of state of an instance; the ABI's functions take
 * no context argument, so they act on the calling thread's current instance (gox_runtime_use).
 * An object is a hidden prefix (allocation number, allocation-order links, host state) followed
 * by the 8-byte header the ABI documents and its data slots; a GoxRef is the address of the
 * header, so compiled code reads slot i at ref + 8 + 8*i.
 */
#ifndef GOX_INTERNAL_H
#define GOX_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../gox_abi.h"

/* Everything declared below is private to the library: only gox_abi.h's symbols are exported. */
#pragma GCC visibility push(hidden)

/* ---- kinds (kinds.c) ------------------------------------------------------------------ */
enum {
    K_NIL = 0, K_BOOL, K_INT, K_INT8, K_INT16, K_INT32, K_INT64, K_UINT, K_UINT8, K_UINT16,
    K_UINT32, K_UINT64, K_FLOAT32, K_FLOAT64, K_FUNC_PTR, K_STRING, K_ARRAY, K_SLICE, K_MAP,
    K_CHANNEL, K_CLOSURE, K_STRUCT, K_POINTER, K_INTERFACE, K_BOXED_INT, K_BOXED_FLOAT,
    K_BOXED_BOOL, K_MAX = K_BOXED_BOOL
};
enum { ST_VALUE = 0, ST_GC_REF = 1, ST_IFACE0 = 2, ST_IFACE1 = 3 };

bool gox_valid_kind(unsigned kind);
bool gox_is_ref_kind(unsigned kind);
unsigned gox_scalar_bytes(unsigned kind);
uint64_t gox_normalize(unsigned kind, uint64_t val);
const char *gox_kind_title(unsigned kind); /* "String", "BoxedInt", ... or NULL */

/* ---- growable byte buffer (errors.c) ------------------------------------------------ */
typedef struct {
    char *data;
    size_t len, cap;
} Buf;
void buf_put(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(Buf *b);
void buf_kind(Buf *b, unsigned kind); /* kind_name: "15 (String)" */

/* ---- objects --------------------------------------------------------------------------- */
#define HEAP_BASE ((uint64_t)0x10000000)
#define REF_STRIDE ((uint64_t)16)
#define NO_TYPE 0xFFFFu
#define MAX_SLOTS 0xFFFFu
#define FLAG_IMMUTABLE 0x01u
#define FLAG_FREED 0x80u /* native only: a quarantined (freed) object in checked mode */
enum { WHITE0 = 0, WHITE1 = 1, GRAY = 2, BLACK = 3 };

typedef struct GoxObj GoxObj;
struct GoxObj {
    /* hidden prefix: not part of the ABI, not counted in the byte accounting */
    uint64_t num;
    GoxObj *prev, *next; /* allocation order */
    void *ext;           /* host state (a map's table) */
    /* the 8-byte header: a GoxRef points here */
    uint8_t mark, gen, kind, flags;
    uint16_t type_id, nslots;
    uint64_t slots[];
};
#define OBJ_REF(o) ((GoxRef)(uintptr_t)&(o)->mark)
#define REF_OBJ(r) ((GoxObj *)((char *)(uintptr_t)(r) - offsetof(GoxObj, mark)))
#define OBJ_SIZE(o) (8u + 8u * (uint64_t)(o)->nslots)

typedef struct {
    char *name;
    uint8_t *st;
    uint32_t n;
} GoxType;

/* u64 -> u64 open-addressing hash map (keys != 0 mapped through a salt; deletions by
 * backward shift), used for the checked-mode address set, stack maps, the sim stack. */
typedef struct {
    uint64_t *keys, *vals;
    uint8_t *used;
    size_t cap, len;
} U64Map;
bool u64map_get(const U64Map *m, uint64_t key, uint64_t *out);
void u64map_put(U64Map *m, uint64_t key, uint64_t val);
bool u64map_del(U64Map *m, uint64_t key);
void u64map_clear(U64Map *m);
void u64map_free(U64Map *m);

typedef struct {
    uint64_t num;
    GoxObj *obj;
    uint64_t count;
} Pin;

typedef struct {
    uint64_t ip, sp;
    uint32_t size;
} SimFrame;

typedef struct {
    uint32_t id;
    char *name;
    uint32_t nparams, nresults;
    GoxExternFn fn;
} Extern;

typedef struct {
    int32_t *offs;
    size_t n;
} StackMapEntry;

enum { GC_PAUSE = 0, GC_PROPAGATE = 1, GC_ATOMIC = 2, GC_SWEEP = 3 };

typedef struct GoxRuntime {
    int32_t err_code; /* first field: the host reads it through gox_error_flag() */
    Buf err_msg;
    bool checked;
    /* heap */
    GoxObj *head, *tail;
    uint64_t next_num, live_bytes, live_objects;
    int dead_mark;
    GoxType *types;
    size_t ntypes, types_cap;
    U64Map addrs; /* checked mode: every object address ever handed out -> 1 */
    /* collector */
    int state, current_white;
    GoxObj **gray;
    size_t ngray, gray_cap;
    GoxObj *sweep_next, *sweep_last;
    uint64_t pause, stepmul, step_size, min_threshold, threshold, debt, pause_depth;
    uint64_t cycles, steps, allocated_objects, allocated_bytes, freed_objects, freed_bytes;
    Pin *pins;
    size_t npins, pins_cap;
    /* globals */
    uint64_t *globals;
    uint8_t *globals_is_ref;
    size_t nglobals;
    /* function table */
    const void **funcs;
    size_t nfuncs;
    /* externs, in registration order */
    Extern *externs;
    size_t nexterns, externs_cap;
    /* stack maps: return address -> index into maps */
    U64Map map_index;
    StackMapEntry *maps;
    size_t nmaps, maps_cap;
    SimFrame *frames;
    size_t nframes, frames_cap;
    uint64_t *stack_mem; /* slot k holds address STACK_TOP - 8*(k+1) */
    size_t stack_slots;
    /* debug output */
    bool capture;
    Buf out;
    bool assert_open;
    Buf assert_buf;
    size_t assert_nargs;
} GoxRuntime;

GoxRuntime *gox_rt(void); /* the calling thread's current instance (created on first use) */

/* ---- errors (errors.c) ------------------------------------------------------------------- */
enum { ERR_NONE = 0, ERR_PANIC = 1, ERR_ABI = 2, ERR_FATAL = 3 };
void gox_fail(GoxRuntime *R, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gox_fail_buf(GoxRuntime *R, int code, Buf *msg); /* takes the message */
void gox_panic_index(GoxRuntime *R, int64_t idx, int64_t len);
bool gox_check_slice(GoxRuntime *R, int64_t lo, int64_t hi, int64_t bound, const char *what);
bool gox_check_slice3(GoxRuntime *R, int64_t lo, int64_t hi, int64_t mx, int64_t cap);

/* ---- heap (heap.c) ----------------------------------------------------------------------- */
GoxObj *heap_new(GoxRuntime *R, unsigned kind, unsigned type_id, unsigned nslots, int color);
void heap_free(GoxRuntime *R, GoxObj *o);
void heap_drop_all(GoxRuntime *R);
/* The canonical address of a value that is an object this runtime ever made, else the value. */
uint64_t heap_canon(GoxRuntime *R, uint64_t ref);
/* The object a value names if it is a live (or, with dead_ok, awaiting-sweep) object. */
GoxObj *heap_lookup(GoxRuntime *R, uint64_t ref, bool dead_ok);
bool heap_is_live(GoxRuntime *R, uint64_t ref);
void heap_describe(GoxRuntime *R, uint64_t ref, Buf *b);
GoxObj *heap_get(GoxRuntime *R, GoxRef ref, const char *fn, const char *what);
GoxObj *heap_get_kind(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn);
bool heap_check_ref_value(GoxRuntime *R, uint64_t val, const char *fn, const char *where);
GoxType *heap_get_type(GoxRuntime *R, uint32_t type_id, const char *fn);
void heap_set_checked(GoxRuntime *R, bool on);

/* ---- collector (gc.c) -------------------------------------------------------------------- */
void gc_reset(GoxRuntime *R);
GoxObj *gc_alloc(GoxRuntime *R, unsigned kind, unsigned type_id, unsigned nslots);
bool gc_safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs);
void gc_mark_gray(GoxRuntime *R, GoxObj *o);
void gc_barrier(GoxRuntime *R, GoxObj *parent, uint64_t child);
bool gc_step(GoxRuntime *R, uint64_t budget, const uint64_t *args, size_t nargs, bool *ok);
bool gc_start_cycle(GoxRuntime *R, const uint64_t *args, size_t nargs);
typedef void (*ChildFn)(GoxRuntime *R, void *ctx, uint64_t ref);
void gc_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx);
/* Roots in order: calls fn(where, value) for every root value (0s included); stops early
 * when fn returns false. */
typedef bool (*RootFn)(GoxRuntime *R, void *ctx, const char *where, uint64_t val);
void gc_each_root(GoxRuntime *R, RootFn fn, void *ctx);
void gc_store_ref(GoxRuntime *R, GoxObj *o, size_t idx, uint64_t ref);

/* ---- arrays (array.c), strings (string.c), maps (map.c) ------------------------------------ */
enum { A_ELEM_KIND = 0, A_ELEM_TYPE = 1, A_ELEM_BYTES = 2, A_LEN = 3, A_DATA = 4 };
#define MAX_DATA_SLOTS (MAX_SLOTS - 4u)
int64_t array_elem_bytes(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, const char *fn); /* -1: error */
bool array_elem_is_ref(GoxRuntime *R, unsigned elem_kind, unsigned elem_type);
GoxObj *array_new(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, int64_t length, const char *fn);
uint64_t array_read(GoxObj *o, uint64_t i);
void array_write(GoxObj *o, uint64_t i, uint64_t val);
void array_copy(GoxObj *dst, uint64_t di, GoxObj *src, uint64_t si, uint64_t n);
bool array_set_elem(GoxRuntime *R, GoxObj *o, uint64_t i, uint64_t val, const char *fn);
uint64_t data_slots(uint64_t w, uint64_t length);

/* The bytes of a string (ok=false on error); *len set; pointer valid until the next alloc. */
bool string_bytes(GoxRuntime *R, GoxRef s, const char *fn, const uint8_t **data, uint64_t *len);
GoxObj *string_obj(GoxRuntime *R, GoxRef s, const char *fn, bool *ok);
GoxRef string_new(GoxRuntime *R, const uint8_t *data, size_t n);
int32_t decode_rune(const uint8_t *b, size_t n, size_t pos, int64_t *width);

void map_free_state(GoxObj *o);
void map_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx);

GoxObj *slice_new_header(GoxRuntime *R, uint64_t arr, uint64_t start, uint64_t len, uint64_t cap);

/* ---- stack maps (stackmap.c) ---------------------------------------------------------- */
#define STACK_TOP 0x7FFF00000000ULL
#define MAX_STACK_BYTES (8u * 1024u * 1024u)
void stack_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);

/* ---- debug (debug.c) ------------------------------------------------------------------- */
bool debug_format(GoxRuntime *R, uint64_t val, unsigned kind, const char *fn, Buf *out);
void format_float(double v, Buf *out);
void runtime_emit(GoxRuntime *R, const char *data, size_t n);

/* ---- misc ---------------------------------------------------------------------------------- */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
void buf_repr(Buf *b, const uint8_t *s, size_t n); /* Python's repr of s.decode("utf-8", "replace") */

#pragma GCC visibility pop

#endif
