/* gox_prog.h compiled as a program's translation unit uses it (`make -C gox_ref_native
 * prog-check`, which passes the generator's defines): every helper is called once, so the
 * compiler checks each body, flow warnings included, with -Wall -Wextra -Werror.  Compiled
 * only, never run. */
#include "gox_prog.h"

static uint64_t check_ops(uint64_t a, uint64_t b) {
    return gx_sdiv(a, b) ^ gx_srem(a, b) ^ gx_udiv(a, b) ^ gx_urem(a, b) ^ gx_shl(a, b, 1) ^ gx_sar(a, b, 1) ^
           gx_shr(a, b, 0) ^ gx_fdiv(a, b) ^ gx_f2i(a) ^ gx_f2u(b) ^ gx_b(-gx_f(a));
}

static uint64_t check_entry(const uint64_t *args, uint32_t nargs) {
    gx_nargs("main.check_entry", nargs, 2u);
    return check_ops(args[0], args[1]);
}

int main(int argc, char **argv) {
    uint64_t args[2] = {gx_str[0], (uint64_t)argc};
    int64_t gx_lf = gx_fuel_take();
    (void)argv;
    gx_err = gox_error_flag();
    gx_dump_path = getenv("GOX_NATIVE_DUMP");
    gx_dump_at = getenv("GOX_NATIVE_DUMP_AT");
    gx_trace_path = getenv("GOX_NATIVE_TRACE");
    gx_unchecked = getenv("GOX_NATIVE_UNCHECKED") != NULL;
#if GX_SCHED
    gx_stw = gox_sched_preempt_flag();
    gx_poll();
    if (!gx_one_worker()) return 125;
#endif
    gx_burn();
    if (((uint64_t)--gx_lf & 1023u) == 1023u) gx_lf_every(gx_lf);
    gx_fuel_give(gx_lf);
    if (gx_unchecked) gx_slots(args[0])[0] = args[1];
    else gx_write_pair(args[0], 0, args[1]);
    GX_CHECK();
    if (args[1] > UINT64_C(0xFFFFFFFF)) gx_range("gox_func_table_get", "func_id", args[1], 0, "uint32_t", "0..4294967295");
    args[0] = gx_entry_of(gx_ptr_of(check_entry))(args, 2u);
    gx_checkpoint("check");
    GX_STORE(&gx_type_names[0], "T");
    if (args[0] == 1) gx_rterr("runtime error: check");
    if (args[0] == 2) gx_fatal("stack overflow");
    if (args[0] == 3) gx_abi_error("check");
    gx_in_main = true;
    gx_exit(0);
}
