"""The mutants of tools/mutants.py, as data: each plants one semantic bug by exact-text
replacement (the text must occur exactly once in its file, or the mutant fails loudly).

kind "c-only": the C runtime alone is wrong (the reference and the corpus expectations are
right): two-way fuzzing can see it.  kind "shared": the same wrong rule in the reference and in
the C runtime, a "shared misunderstanding" that only an outside oracle (the corpus's
expectations, Go) can see.  ``equivalent``: why the mutant changes nothing observable (it is
left out of the kill rate).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    file: str  # relative to the checkout
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    id: str
    kind: str  # "c-only" or "shared"
    what: str
    edits: tuple[Edit, ...]
    equivalent: str = ""  # why nothing observable changes; "" for a real bug


def c(mid: str, file: str, what: str, old: str, new: str, equivalent: str = "") -> Mutant:
    return Mutant(mid, "c-only", what, (Edit(f"gox_ref_native/src/{file}", old, new),), equivalent)



C_ONLY: tuple[Mutant, ...] = (
    # ---- chan.c ----
    # (the ring's helpers and the buffered fast paths are inline in gox_internal.h)
    c("chan-buf-lifo", "gox_internal.h", "a buffered receive takes the newest value (FIFO order broken)",
      "    uint64_t v = st->buf[st->head];\n    st->head = chan_buf_index(st, 1);\n    st->len--;",
      "    st->len--;\n    uint64_t v = st->buf[chan_buf_index(st, st->len)];"),
    c("chan-closed-ok", "chan.c", "a receive from a closed, drained channel reports ok=true",
      "        *val = 0;\n        *ok = false;", "        *val = 0;\n        *ok = true;"),
    c("chan-close-wakes-ok", "chan.c", "close wakes parked receivers with ok=true",
      "while ((w = dequeue(R, &st->recvq)) != NULL) wake(R, o, w, 0, false, false);",
      "while ((w = dequeue(R, &st->recvq)) != NULL) wake(R, o, w, 0, true, false);"),
    c("chan-full-handoff", "chan.c", "a receive from a full buffer with a parked sender takes the sender's value",
      "            v = chan_buf_pop(st);\n            chan_buf_append(st, w->value);", "            v = w->value;"),
    c("chan-send-closed-silent", "chan.c", "a parked sender woken by close does not panic",
      '    if (!g->wake_ok) gox_fail(R, ERR_PANIC, "send on closed channel");\n}', "}"),
    Mutant("chan-cap-off-by-one", "c-only", "a buffered channel holds one value fewer than its capacity", (
        Edit("gox_ref_native/src/gox_internal.h", "(int64_t)st->len >= st->cap", "(int64_t)st->len + 1 >= st->cap"),
        Edit("gox_ref_native/src/chan.c", "    if ((int64_t)st->len < st->cap) {",
             "    if ((int64_t)st->len + 1 < st->cap) {"))),
    c("chan-recvq-lifo", "chan.c", "a send hands its value to the newest parked receiver",
      "    Waiter *w = dequeue(R, &st->recvq);",
      "    Waiter *w = st->recvq.last;\n    if (w) {\n        chan_unlink(w);\n        if (w->sel) select_won(R, w);\n    }"),
    c("chan-len-bufcap", "chan.c", "len(ch) is the buffer's allocated size",
      "    int64_t n = (int64_t)chan_state(o)->len;", "    int64_t n = (int64_t)chan_state(o)->bufcap;"),
    c("chan-no-barrier", "gox_internal.h", "a buffered send misses the write barrier",
      "    if (gox_is_ref_kind(st->elem_kind) && val) gc_barrier(R, o, val);\n    trace_chan",
      "    trace_chan"),
    # ---- select.c ----
    c("select-no-shuffle", "select.c", "select polls its cases in source order (the draw is made, not used)",
      "(uint64_t)k + 1);\n        order[k] = order[j];\n        order[j] = i;\n        k++;\n    }\n    /* 2. pass 1",
      "(uint64_t)k + 1);\n        order[k] = i;\n        (void)j;\n        k++;\n    }\n    /* 2. pass 1"),
    c("select-default-first", "select.c", "a select with a default takes it even when a case is ready",
      "    for (uint32_t x = 0; x < k; x++) {\n        uint32_t i = order[x];\n"
      "        const SelCase *c = &st->cases[i];\n        GoxObj *o",
      "    for (uint32_t x = 0; x < k && !st->has_default; x++) {\n        uint32_t i = order[x];\n"
      "        const SelCase *c = &st->cases[i];\n        GoxObj *o"),
    c("select-recv-ok", "select.c", "a select receive from a closed channel reports ok=true",
      "                g->sel_value = v;\n                g->sel_ok = ok;\n                g->sel_ref = chan_elem_is_ref(o);",
      "                g->sel_value = v;\n                g->sel_ok = true;\n                g->sel_ref = chan_elem_is_ref(o);"),
    # ---- defer.c ----
    c("defer-fifo", "defer.c", "deferred calls run oldest first",
      "        if (driven) push_base(g, i + 1);\n        run_record(R, fr->defers[--fr->ndefers]);",
      "        if (driven) push_base(g, i + 1);\n        DeferRec d0 = fr->defers[0];\n"
      "        memmove(fr->defers, fr->defers + 1, --fr->ndefers * sizeof *fr->defers);\n        run_record(R, d0);"),
    c("recover-any-depth", "defer.c", "recover works from a function the deferred call calls (Go: only directly)",
      "g->nframes != g->bases[g->nbases - 1] + 1) return 0;", "g->nframes < g->bases[g->nbases - 1] + 1) return 0;"),
    c("recover-twice", "defer.c", "a second recover of the same panic returns its value again",
      "    if (p->recovered || g->nframes", "    if (g->nframes"),
    c("report-no-recovered", "defer.c", "the panic report omits [recovered] on a recovered, re-panicked chain",
      '        buf_printf(&b, "panic: %s%s", p->text, p->recovered ? " [recovered]" : "");',
      '        buf_printf(&b, "panic: %s%s", p->text, "");'),
    c("recover-drop-le", "defer.c", "a recovery drops the panics with start_fid < the frame's (was <=)",
      "            if (g->panics[j].start_fid <= fr->fid)", "            if (g->panics[j].start_fid < fr->fid)"),
    # (not equivalent: a panic records next_fid, which the first frame opened after it takes as
    # its fid, so a panic started just before a deferred call's frame opened has start_fid == fid;
    # goports/recover1 kills it)
    # ---- gc.c ----
    c("gc-store-no-barrier", "gc.c", "gc_store_ref misses the write barrier",
      "    o->slots[idx] = ref;\n    if (ref) gc_barrier(R, o, ref);",
      "    o->slots[idx] = ref;\n    (void)R;"),
    c("gc-atomic-no-roots", "gc.c", "the atomic step does not re-scan the roots",
      "    R->state = GC_ATOMIC;\n    roots_mark(R, args, nargs);", "    R->state = GC_ATOMIC;\n    (void)args, (void)nargs;"),
    c("gc-sweep-keeps-color", "gc.c", "the sweep does not turn survivors white for the next cycle",
      "                o->mark = (uint8_t)R->current_white;\n", ""),
    c("gc-threshold-min", "gc.c", "the next cycle's trigger ignores the live heap (always the minimum)",
      "    R->threshold = t > R->min_threshold ? t : R->min_threshold;", "    (void)t;\n    R->threshold = R->min_threshold;"),
    c("gc-scan-order", "gc.c", "blacken pushes children last-first (no reversal)",
      "    for (size_t hi = R->ngray; hi - lo > 1; lo++, hi--) {",
      "    for (size_t hi = R->ngray; hi - lo > 1 && 0; lo++, hi--) {"),
    # (not equivalent: which object a step scans first decides what a later unlink can still
    # free, and so the steps a cycle takes; gc/scan_order kills it)
    # ---- slice.c ----
    c("slice-index-off-by-one", "slice.c", "a slice index equal to len is accepted",
      "    if (!s || idx < 0 || idx >= n) {", "    if (!s || idx < 0 || idx > n) {"),
    c("slice-grow-1024", "slice.c", "append doubles below 1024 (Go before 1.18), not 256",
      "#define GROW_THRESHOLD 256u", "#define GROW_THRESHOLD 1024u"),
    c("slice-no-roundup", "slice.c", "append's new capacity is not rounded up to the size class",
      "    return round_up_size(cap * elem_size) / elem_size;\n}", "    return cap;\n}"),
    c("slice-cap-is-len", "slice.c", "cap(s) returns len(s)",
      "return o ? (int64_t)o->slots[3] : 0;", "return o ? (int64_t)o->slots[2] : 0;"),
    # ---- string.c ----
    c("string-index-off-by-one", "string.c", "a string index equal to len is accepted",
      "    if (idx < 0 || (uint64_t)idx >= n) {", "    if (idx < 0 || (uint64_t)idx > n) {"),
    c("string-cmp-prefix", "string.c", "a proper prefix compares greater than the longer string",
      "    return (na > nb) - (na < nb);", "    return (na < nb) - (na > nb);"),
    c("string-concat-empty", "string.c", "s + \"\" is \"\"", "    if (!nb) return a;", "    if (!nb) return b;"),
    c("string-surrogates", "string.c", "UTF-8 decoding accepts encoded surrogates (ED A0..BF)",
      "        if (b0 == 0xED) hi = 0x9F;\n", ""),
    # ---- map.c ----
    c("map-nan-equal", "map.c", "NaN keys are equal to each other",
      "            k->nan = true;\n            return true;", "            k->nan = false;\n            return true;",
      equivalent="key_eq compares float keys with C's ==, so a NaN key still matches nothing; the flag "
                 "only keeps NaN entries out of the hash index (found by maps/float_keys, which it survives)"),
    c("map-negzero", "map.c", "-0.0 and +0.0 are different keys",
      "        double z = k->f + 0.0; /* -0 -> +0 */", "        double z = k->f;"),
    c("map-delete-len", "map.c", "delete does not decrement len(m)",
      "    s->live--;\n    if (s->n > 16", "    if (s->n > 16"),
    c("map-nil-set", "map.c", "assignment to a nil map is silently ignored",
      '        gox_fail(R, ERR_PANIC, "assignment to entry in nil map");\n', ""),
    c("map-no-compact", "map.c", "delete never compacts the entry table",
      "    if (s->n > 16 && s->live * 2 < s->n) reindex(s, 0);", "    (void)reindex;",
      equivalent="compaction keeps the live entries' order and only frees room: iteration, lookups and "
                 "len are the same"),
    # ---- sched.c ----
    c("sched-deadlock-status", "sched.c", "a deadlock exits with status 1 (Go: 2)",
      "    sched_end_status(R, 2);\n}\n\n/* The program is over", "    sched_end_status(R, 1);\n}\n\n/* The program is over"),
    c("sched-deadlock-reason", "sched.c", "the deadlock report shows [waiting], not the wait reason",
      "g->gid, g->wait_reason);", "g->gid, \"waiting\");"),
    c("sched-yield-noop", "sched.c", "runtime.Gosched does not yield",
      '    g->status = G_RUNNABLE;\n    runq_put(R, g);\n    sched_trace0(R, "yield");\n    hand_off(R, g);',
      '    sched_trace0(R, "yield");'),
    c("sched-exit-code", "sched.c", "os.Exit keeps only the low 7 bits of the code",
      "    sched_end_program(R, (int)(code & 0xFF));", "    sched_end_program(R, (int)(code & 0x7F));"),
)

# ---- shared misunderstandings: the reference and the C runtime agree, both wrong; each reuses
# the C edit of the c-only mutant of the same rule ----
_C = {m.id: m.edits[0] for m in C_ONLY}


def shared(mid: str, what: str, c_twin: str, py_file: str, old: str, new: str) -> Mutant:
    return Mutant(mid, "shared", what, (_C[c_twin], Edit(py_file, old, new)))


SHARED: tuple[Mutant, ...] = (
    shared("sh-chan-buf-lifo", "buffered channels are LIFO", "chan-buf-lifo",
           "gox_ref/chan.py", "        if st.buf:\n            val = st.buf.popleft()",
           "        if st.buf:\n            val = st.buf.pop()"),
    shared("sh-chan-closed-ok", "a receive from a closed channel reports ok=true", "chan-closed-ok",
           "gox_ref/chan.py", "            return 0, False\n        return None",
           "            return 0, True\n        return None"),
    shared("sh-select-default-first", "a select with a default takes it even when a case is ready", "select-default-first",
           "gox_ref/select.py", "        for i in order:\n            d, ch, val = st.cases[i]",
           "        for i in order if not st.has_default else []:\n            d, ch, val = st.cases[i]"),
    shared("sh-recover-any-depth", "recover works from any function below the deferred call", "recover-any-depth",
           "gox_ref/defer.py", "len(g.frames) != g.defer_call_base[-1] + 1:", "len(g.frames) < g.defer_call_base[-1] + 1:"),
    shared("sh-recover-twice", "a second recover returns the panic's value again", "recover-twice",
           "gox_ref/defer.py", "        if p.recovered or len(g.frames)", "        if len(g.frames)"),
    shared("sh-defer-fifo", "deferred calls run oldest first", "defer-fifo",
           "gox_ref/defer.py", "            fn, args = fr.defers.pop()\n", "            fn, args = fr.defers.pop(0)\n"),
    shared("sh-slice-grow-1024", "append doubles below 1024 (Go before 1.18)", "slice-grow-1024",
           "gox_ref/objects/slice.py", "GROW_THRESHOLD = 256 ", "GROW_THRESHOLD = 1024 "),
    shared("sh-slice-no-roundup", "append's capacity is not rounded up to the size class", "slice-no-roundup",
           "gox_ref/objects/slice.py", "    return round_up_size(cap * elem_size) // elem_size\n", "    return cap\n"),
    shared("sh-map-nil-set", "assignment to a nil map is ignored", "map-nil-set",
           "gox_ref/objects/map.py", '            raise GoxPanic("assignment to entry in nil map")\n', "            return\n"),
    shared("sh-deadlock-status", "a deadlock exits with status 1", "sched-deadlock-status",
           "gox_ref/sched.py", '"all goroutines are asleep - deadlock!")\n        raise ProgramExit(2)',
           '"all goroutines are asleep - deadlock!")\n        raise ProgramExit(1)'),
)

MUTANTS: tuple[Mutant, ...] = C_ONLY + SHARED
