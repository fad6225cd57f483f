/* gox_stdlib.h: the stdlib externs (math, strings, strconv), private to the library.
 *
 * (Named gox_stdlib.h, not stdlib.h, so that it can never shadow <stdlib.h> for code compiled
 * with -I pointing at this directory.)
 *
 * Every extern has the GoxExternFn signature and works on the calling thread's current
 * instance; docs/EXTERNS.md describes the algorithms and the id table, and gox_ref/stdlib/ is
 * the reference they match bit for bit.  A failing extern fills the error record (a Go panic:
 * ERR_PANIC with Go's message, or the ABI error of a bad string reference) and returns 1.
 */
#ifndef GOX_STDLIB_H
#define GOX_STDLIB_H

#include "gox_internal.h"

#include <string.h>

/* A float64's IEEE bits and back (the slot convention of every float argument). */
static inline uint64_t f2b(double x) {
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double b2f(uint64_t b) {
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

#pragma GCC visibility push(hidden)

/* Registers the 33 stdlib externs at ids 1..33 on the current instance (externs.c calls it
 * once, before the instance's first extern operation). */
void stdlib_register(void);

/* ---- shared helpers (stdlib_strings.c) -------------------------------------------------- */
/* A string argument's bytes, read as gox_string_read reads them (its ABI error on a bad
 * reference).  The pointer stays valid for the call: the collector is paused. */
bool sl_arg_str(GoxRuntime *R, uint64_t ref, const uint8_t **data, size_t *len);
/* A string result (0 for ""), made as gox_rt_string_from_ptr makes it. */
bool sl_ret_str(GoxRuntime *R, const uint8_t *data, size_t len, uint64_t *out);
/* Go's utf8.EncodeRune (an invalid rune becomes U+FFFD); returns the byte count. */
/* Go's strconv.IsPrint. */
bool sl_is_print(int32_t r);

/* ---- math (stdlib_math.c) ----------------------------------------------------------------- */
int32_t ext_math_sqrt(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_floor(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_ceil(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_trunc(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_abs(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_pow(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_exp(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_log(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_sin(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_cos(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_tan(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_atan2(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_hypot(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_mod(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_inf(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_nan(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_isinf(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_math_isnan(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);

/* ---- strings (stdlib_strings.c) ------------------------------------------------------------ */
int32_t ext_strings_index(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_last_index(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_contains(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_has_prefix(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_has_suffix(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_to_upper(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_to_lower(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_repeat(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_trim_space(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_count(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strings_replace(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);

/* ---- strconv (stdlib_strconv.c) ------------------------------------------------------------ */
int32_t ext_strconv_itoa(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strconv_atoi(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strconv_format_float(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);
int32_t ext_strconv_parse_float(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr);

#pragma GCC visibility pop

#endif
