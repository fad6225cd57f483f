/* iface.c: interfaces (two inline slots: slot 0 packs kind | value type << 16 | interface
 * type << 32, slot 1 the data) and boxed values (BoxedInt, BoxedFloat, BoxedBool). */
#include <inttypes.h>

#include "gox_internal.h"

uint64_t gox_interface_pack(uint16_t iface_type_id, uint16_t value_type_id, uint8_t value_kind) {
    if (!gox_valid_kind(value_kind) || value_kind == K_INTERFACE) {
        GOX_ENTER(R);
        gox_fail(R, ERR_ABI,
                 "gox_interface_pack: value_kind=%u cannot be held by an interface; expected 0..22 or 24..26", value_kind);
        return 0;
    }
    return ((uint64_t)iface_type_id << 32) | ((uint64_t)value_type_id << 16) | value_kind;
}

uint16_t gox_interface_unbox_type(uint64_t slot0) { return (uint16_t)(slot0 >> 16); }
uint8_t gox_interface_unbox_kind(uint64_t slot0) { return (uint8_t)slot0; }
uint16_t gox_interface_iface_type(uint64_t slot0) { return (uint16_t)(slot0 >> 32); }
uint64_t gox_interface_unbox_data(uint64_t slot0, uint64_t slot1) { return (slot0 & 0xFF) != K_NIL ? slot1 : 0; }
bool gox_interface_is_nil(uint64_t slot0) { return (slot0 & 0xFF) == K_NIL; }

static bool is_box(unsigned k) { return k == K_BOXED_INT || k == K_BOXED_FLOAT || k == K_BOXED_BOOL; }

GoxRef gox_rt_box(uint8_t kind, uint64_t val) {
    GOX_ENTER(R);
    if (!is_box(kind)) {
        Buf b = {0};
        buf_puts(&b, "gox_rt_box: kind=");
        buf_kind(&b, kind);
        buf_puts(&b, ", expected 24 (BoxedInt), 25 (BoxedFloat) or 26 (BoxedBool)");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *o = gc_alloc(R, kind, NO_TYPE, 1);
    if (!o) return 0;
    o->slots[0] = kind == K_BOXED_BOOL ? (val ? 1 : 0) : val;
    return OBJ_REF(o);
}

uint64_t gox_box_get(GoxRef box) {
    GOX_ENTER(R);
    GoxObj *o = heap_deref(R, box, "gox_box_get", "a BoxedInt, BoxedFloat or BoxedBool object");
    if (!o) return 0;
    if (!is_box(o->kind)) {
        Buf b = {0};
        buf_printf(&b, "gox_box_get: 0x%" PRIx64 " is a ", heap_canon(R, box));
        buf_kind(&b, o->kind);
        buf_puts(&b, " object, expected a boxed value");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    return o->slots[0];
}
