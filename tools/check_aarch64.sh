#!/usr/bin/env bash
# Manual check (not CI): the aarch64 context switch (gox_ref_native/src/ctx_aarch64.S), the
# stack-overflow guard and the frame-pointer walk of stack maps, under qemu user-mode emulation.
#
# Cross-compiles the runtime (src/*.c + src/*.S, the Makefile's flags) and the C test programs
# of tests/test_native_sched.py (tests/c/sched_progs.c + sched_checks.c, built and run as that
# test does) for aarch64, runs every program for the test's seeds and every check_* under
# qemu-aarch64, and compares status, stdout, stderr and trace with the same build for x86-64 on
# this machine.  An extra program (regs.c, below) checks that the callee-saved registers
# (x19-x28, d8-d15) and the rounding mode (FPCR / MXCSR) of each goroutine survive its switches,
# which the test programs do not exercise.  Three aarch64 builds: plain; -mbranch-protection=standard (signed return
# addresses in frame records); and *.c only (the weak copies of ctx_fallback.c).
#
# Needs (Debian): apt-get install -y gcc-aarch64-linux-gnu qemu-user
# Usage: tools/check_aarch64.sh [-k]   (-k keeps the work directory)
#
# qemu-user (7.2) ignores madvise() and returns 0, so MADV_GUARD_INSTALL installs no guard under
# emulation; check_overflow therefore runs with a preloaded shim that fails that one advice, so
# the runtime takes its mprotect(PROT_NONE) fallback (real guard pages, real SIGSEGV).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NATIVE=$ROOT/gox_ref_native
XCC=${XCC:-aarch64-linux-gnu-gcc}
HCC=${HCC:-cc}
QEMU=${QEMU:-qemu-aarch64}
SYSROOT=${SYSROOT:-/usr/aarch64-linux-gnu}
SEEDS=(0 1 7 20240611)                       # tests/test_native_sched.py SEEDS
CHECKS=(check_stackmap check_host check_repanic check_many check_overflow)
KEEP=0
[[ ${1:-} == -k ]] && KEEP=1

for tool in "$XCC" "$HCC" "$QEMU"; do
    command -v "$tool" >/dev/null || { echo "check_aarch64: FAIL (missing $tool; apt-get install -y gcc-aarch64-linux-gnu qemu-user)"; exit 1; }
done

W=$(mktemp -d /tmp/gox-aarch64.XXXXXX)
if [[ $KEEP == 0 ]]; then trap 'rm -rf "$W"' EXIT; else echo "work directory: $W" >&2; fi

# the Makefile's flags (WARN, RTFLAGS, -O2), and the test's flags for the programs
LIBFLAGS=(-std=c11 -Wall -Wextra -Werror -O2 -g -fno-omit-frame-pointer -fstack-clash-protection -fPIC -shared)
PROGFLAGS=(-std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer)
ALL_SRCS=("$NATIVE"/src/*.c "$NATIVE"/src/*.S)
C_SRCS=("$NATIVE"/src/*.c)

# the program table of sched_progs.c: P(name) and {"name", ...} entries
mapfile -t PROGS < <(sed -n '/static const Prog PROGS\[\]/,/^};/p' "$ROOT/tests/c/sched_progs.c" |
    grep -o 'P([a-z_0-9]*)\|{"[a-z_0-9]*"' | sed 's/^P(//; s/)$//; s/^{"//; s/"$//')
((${#PROGS[@]} > 0)) || { echo "check_aarch64: FAIL (no programs found in sched_progs.c)"; exit 1; }

build() { # name cc extra-flags... -- sources...
    local name=$1 cc=$2; shift 2
    local extra=() srcs=()
    while [[ $1 != -- ]]; do extra+=("$1"); shift; done
    shift
    srcs=("$@")
    local d=$W/$name
    mkdir -p "$d"
    "$cc" "${LIBFLAGS[@]}" "${extra[@]}" -o "$d/libgox.so" "${srcs[@]}" -lm -lpthread
    "$cc" "${PROGFLAGS[@]}" "${extra[@]}" -I "$NATIVE" "$ROOT/tests/c/sched_progs.c" "$ROOT/tests/c/sched_checks.c" \
        "$d/libgox.so" "-Wl,-rpath,$d" -o "$d/sched_progs"
    "$cc" -std=c11 -Wall -Wextra -Werror -O2 -fno-omit-frame-pointer "${extra[@]}" -I "$NATIVE" "$W/regs.c" \
        "$d/libgox.so" "-Wl,-rpath,$d" -lm -o "$d/regs"
}

run_all() { # name runner...
    local name=$1; shift
    local out=$W/out-$name
    mkdir -p "$out"
    local p s rc
    for p in "${PROGS[@]}"; do
        for s in "${SEEDS[@]}"; do
            rc=0
            timeout 300 "$@" "$W/$name/sched_progs" "$p" "$s" "$out/$p.$s.trace" >"$out/$p.$s.out" 2>"$out/$p.$s.err" || rc=$?
            echo "$rc" >"$out/$p.$s.rc"
        done
    done
    for p in "${CHECKS[@]}"; do
        rc=0
        if [[ $p == check_overflow && $name != x86_64 ]]; then
            timeout 300 "$@" -E "LD_PRELOAD=$W/madv_shim.so" "$W/$name/sched_progs" "$p" 0 >"$out/$p.out" 2>"$out/$p.err" || rc=$?
        else
            timeout 300 "$@" "$W/$name/sched_progs" "$p" 0 >"$out/$p.out" 2>"$out/$p.err" || rc=$?
        fi
        echo "$rc" >"$out/$p.rc"
    done
    rc=0
    timeout 300 "$@" "$W/$name/regs" >"$out/regs.out" 2>"$out/regs.err" || rc=$?
    echo "$rc" >"$out/regs.rc"
}

cat >"$W/regs.c" <<'EOF'
/* callee-saved registers (integer, floating point) and the rounding mode survive switches */
#include <fenv.h>
#include <stdio.h>
#include "gox_abi.h"
static int fails, done;
static const int modes[4] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
#define ROUNDS 64
__attribute__((noinline)) static void work(uint64_t g) {
    fesetround(modes[g % 4]);
    double d0 = g * 1.5, d1 = g * 2.5, d2 = g * 3.5, d3 = g * 4.5, d4 = g * 5.5, d5 = g * 6.5, d6 = g * 7.5, d7 = g * 8.5;
    uint64_t i0 = g * 3 + 1, i1 = g * 5 + 2, i2 = g * 7 + 3, i3 = g * 11 + 4, i4 = g * 13 + 5, i5 = g * 17 + 6,
             i6 = g * 19 + 7, i7 = g * 23 + 8, i8 = g * 29 + 9, i9 = g * 31 + 10;
    for (uint64_t k = 0; k < ROUNDS; k++) {
        gox_yield();
        if (fegetround() != modes[g % 4]) fails++;
        fails += d0 != g * 1.5 + k || d1 != g * 2.5 + 2 * k || d2 != g * 3.5 + 3 * k || d3 != g * 4.5 + 4 * k ||
                 d4 != g * 5.5 + 5 * k || d5 != g * 6.5 + 6 * k || d6 != g * 7.5 + 7 * k || d7 != g * 8.5 + 8 * k;
        fails += i0 != g * 3 + 1 + k || i1 != g * 5 + 2 + 2 * k || i2 != g * 7 + 3 + 3 * k || i3 != g * 11 + 4 + 4 * k ||
                 i4 != g * 13 + 5 + 5 * k || i5 != g * 17 + 6 + 6 * k || i6 != g * 19 + 7 + 7 * k ||
                 i7 != g * 23 + 8 + 8 * k || i8 != g * 29 + 9 + 9 * k || i9 != g * 31 + 10 + 10 * (uint64_t)k;
        d0 += 1, d1 += 2, d2 += 3, d3 += 4, d4 += 5, d5 += 6, d6 += 7, d7 += 8;
        i0 += 1, i1 += 2, i2 += 3, i3 += 4, i4 += 5, i5 += 6, i6 += 7, i7 += 8, i8 += 9, i9 += 10;
    }
    double ds[8] = {d0, d1, d2, d3, d4, d5, d6, d7};
    uint64_t is[10] = {i0, i1, i2, i3, i4, i5, i6, i7, i8, i9};
    static const uint64_t im[10] = {3, 5, 7, 11, 13, 17, 19, 23, 29, 31};
    for (int j = 0; j < 8; j++) fails += ds[j] != g * (1.5 + j) + (double)(j + 1) * ROUNDS;
    for (int j = 0; j < 10; j++) fails += is[j] != g * im[j] + (uint64_t)(j + 1) + (uint64_t)(j + 1) * ROUNDS;
    fesetround(FE_TONEAREST);
}
static uint64_t body(const uint64_t *a, uint32_t n) { (void)n; work(a[0]); done++; return 0; }
static uint64_t prog(const uint64_t *a, uint32_t n) {
    (void)a, (void)n;
    for (uint64_t g = 1; g <= 7; g++) gox_go_spawn((const void *)(uintptr_t)body, &g, 1);
    work(8);
    while (done < 7) gox_yield();
    return 0;
}
int main(void) {
    int st = gox_run_main(prog, NULL, 0, 0);
    printf("regs status=%d fails=%d\n", st, fails);
    return st || fails;
}
EOF

cat >"$W/madv_shim.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
int madvise(void *addr, size_t len, int advice) {
    if (advice == 102) { /* MADV_GUARD_INSTALL: qemu-user would ignore it */
        errno = EINVAL;
        return -1;
    }
    return (int)syscall(SYS_madvise, addr, len, advice);
}
EOF
"$XCC" -O2 -fPIC -shared -o "$W/madv_shim.so" "$W/madv_shim.c"

build x86_64 "$HCC" -- "${ALL_SRCS[@]}"
build aarch64 "$XCC" -- "${ALL_SRCS[@]}"
build aarch64-pac "$XCC" -mbranch-protection=standard -- "${ALL_SRCS[@]}"
build aarch64-fallback "$XCC" -- "${C_SRCS[@]}"

QRUN=("$QEMU" -L "$SYSROOT")
run_all x86_64
for v in aarch64 aarch64-pac aarch64-fallback; do run_all "$v" "${QRUN[@]}"; done

# sanity of the x86-64 reference itself (tests/test_native_sched.py's expectations)
fail=0
ref=$W/out-x86_64
if [[ $(cat "$ref/regs.out") != "regs status=0 fails=0" ]]; then echo "x86-64 regs failed" >&2; fail=1; fi
for c in check_stackmap check_host check_many; do
    if [[ $(cat "$ref/$c.rc") != 0 || $(cat "$ref/$c.out") != ok ]]; then
        echo "x86-64 $c failed: status $(cat "$ref/$c.rc")" >&2; fail=1
    fi
done
if [[ $(cat "$ref/check_overflow.rc") != 2 ]] || ! head -2 "$ref/check_overflow.err" | grep -q '^fatal error: stack overflow$'; then
    echo "x86-64 check_overflow: no stack-overflow report" >&2; fail=1
fi

runs=$((${#PROGS[@]} * ${#SEEDS[@]} + ${#CHECKS[@]} + 1))
summary=()
for v in aarch64 aarch64-pac aarch64-fallback; do
    bad=0
    for f in "$ref"/*.rc; do
        b=${f%.rc}; b=${b##*/}
        for ext in rc out err trace; do
            [[ -e $ref/$b.$ext || -e $W/out-$v/$b.$ext ]] || continue
            if ! cmp -s "$ref/$b.$ext" "$W/out-$v/$b.$ext"; then
                echo "$v: $b.$ext differs from x86-64" >&2
                diff <(head -c 2000 "$ref/$b.$ext") <(head -c 2000 "$W/out-$v/$b.$ext") | head -10 >&2 || true
                bad=$((bad + 1)); break
            fi
        done
    done
    summary+=("$v $((runs - bad))/$runs")
    ((bad == 0)) || fail=1
done

qv=$("$QEMU" --version | head -1 | sed 's/.*version \([^ ]*\).*/\1/')
gv=$("$XCC" -dumpfullversion)
if ((fail == 0)); then
    echo "check_aarch64: PASS (identical to x86-64: ${summary[*]}; ${#PROGS[@]} programs x ${#SEEDS[@]} seeds + ${#CHECKS[@]} checks + regs; qemu $qv, $XCC $gv)"
else
    echo "check_aarch64: FAIL (identical to x86-64: ${summary[*]}; qemu $qv, $XCC $gv)"
    exit 1
fi
