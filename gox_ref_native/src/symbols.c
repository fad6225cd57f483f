/* symbols.c: the symbol table: every ABI symbol by name, as compiled code links against it. */
#include <stdint.h>
#include <string.h>

#include "gox_internal.h"

typedef struct {
    const char *name;
    const void *addr;
} SymEntry;

/* ISO C has no conversion between function and object pointers; POSIX (dlsym) relies on it. */
#define SYM(n, a) {n, a},
static const SymEntry TABLE[] = {
#include "symbols_table.inc"
};
#undef SYM
#define NSYMS (sizeof TABLE / sizeof TABLE[0])

const void *gox_symbols_get(const char *name) {
    GOX_ENTER(R);
    for (size_t i = 0; i < NSYMS; i++) {
        if (strcmp(TABLE[i].name, name) == 0) {
            if (TABLE[i].addr) return TABLE[i].addr;
            Buf b = {0};
            buf_puts(&b, "gox_symbols_get: symbol ");
            buf_repr(&b, (const uint8_t *)name, strlen(name));
            buf_puts(&b, " is not implemented by this runtime");
            gox_fail_buf(R, ERR_ABI, &b);
            return NULL;
        }
    }
    Buf b = {0};
    buf_puts(&b, "gox_symbols_get: unknown symbol ");
    buf_repr(&b, (const uint8_t *)name, strlen(name));
    buf_puts(&b, "; expected a name from docs/ABI.md");
    gox_fail_buf(R, ERR_ABI, &b);
    return NULL;
}

size_t gox_symbols_count(void) { return NSYMS; }

const char *gox_symbols_name(size_t idx) {
    if (idx >= NSYMS) {
        GOX_ENTER(R);
        gox_fail(R, ERR_ABI, "gox_symbols_name: unknown symbol index %zu; expected 0..%zu", idx, NSYMS - 1);
        return NULL;
    }
    return TABLE[idx].name;
}
