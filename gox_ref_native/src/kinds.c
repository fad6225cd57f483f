/* kinds.c: value kinds, reference kinds, packed widths and Go's sign/zero extension. */
#include "gox_internal.h"

static const char *const TITLES[] = {
    "Nil", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "Uint", "Uint8", "Uint16", "Uint32",
    "Uint64", "Float32", "Float64", "FuncPtr", "String", "Array", "Slice", "Map", "Channel",
    "Closure", "Struct", "Pointer", "Interface", "BoxedInt", "BoxedFloat", "BoxedBool",
};

const char *gox_kind_title(unsigned kind) { return kind <= K_MAX ? TITLES[kind] : NULL; }

bool gox_valid_kind(unsigned kind) { return kind <= K_MAX; }

unsigned gox_scalar_bytes(unsigned kind) {
    switch (kind) {
    case K_BOOL: case K_INT8: case K_UINT8: return 1;
    case K_INT16: case K_UINT16: return 2;
    case K_INT32: case K_UINT32: case K_FLOAT32: return 4;
    default: return 8;
    }
}

uint64_t gox_normalize(unsigned kind, uint64_t val) {
    switch (kind) {
    case K_BOOL: return (val & 0xFF) ? 1 : 0;
    case K_INT8: return (uint64_t)(int64_t)(int8_t)(uint8_t)val;
    case K_INT16: return (uint64_t)(int64_t)(int16_t)(uint16_t)val;
    case K_INT32: return (uint64_t)(int64_t)(int32_t)(uint32_t)val;
    case K_UINT8: return val & 0xFF;
    case K_UINT16: return val & 0xFFFF;
    case K_UINT32: case K_FLOAT32: return val & 0xFFFFFFFFu;
    default: return val;
    }
}

/* kind_name (gox_ref/kinds.py): "15 (String)", as error messages name a kind */
void buf_kind(Buf *b, unsigned kind) {
    const char *t = gox_kind_title(kind);
    if (t)
        buf_printf(b, "%u (%s)", kind, t);
    else
        buf_printf(b, "%u (unknown)", kind);
}
