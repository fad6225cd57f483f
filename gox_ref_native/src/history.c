/* history.c: the channel history, for the linearizability checker (gox_program/linearize.py;
 * docs/SCHEDULER.md, "Checking channels for linearizability").  C only: the reference runs one
 * goroutine at a time, so its history would prove nothing.
 *
 * With $GOX_CHAN_HISTORY=PATH set when gox_run_main starts, every channel operation a goroutine
 * completes is recorded: make, send, receive (value, ok), close, len, cap and select (the case it
 * completed and its value, or default), with the goroutine, the channel's object number (stable
 * for the channel's life) and two CLOCK_MONOTONIC times: t0 read before the operation starts
 * (before any lock is taken) and t1 after it is over.  A parked
 * operation is recorded by the goroutine that completes it (hist_woken), as it wakes it: its
 * interval spans its whole wait, and it is recorded even if the program ends before the parked
 * goroutine runs again.  A panic's interval ends before the panic starts.  Whatever
 * the operation did took effect inside [t0, t1].
 *
 * Each worker appends to its own buffer (GoxWorker.hist), which only that worker's thread
 * touches: recording takes no lock.  When gox_run_main ends (the workers joined) the buffers are
 * written to PATH as JSON lines (the format: docs/SCHEDULER.md) and freed.  When recording is
 * off an operation pays one predictable branch on a global flag (hist_begin).  Operations still
 * parked when the program ends (they took no effect), host-mode calls and nil-channel operations
 * are not recorded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

int gox_hist_on; /* a program records (relaxed atomic loads: set before the workers start) */

bool hist_start(GoxRuntime *R) {
    GoxSched *S = R->sched;
    const char *path = getenv("GOX_CHAN_HISTORY");
    if (!path || !*path) return true;
    S->hist_file = fopen(path, "w");
    if (!S->hist_file) {
        gox_fail(R, ERR_ABI, "gox_run_main: $GOX_CHAN_HISTORY=%s cannot be written: %s; expected a file path", path,
                 strerror(errno));
        return false;
    }
    __atomic_store_n(&gox_hist_on, 1, __ATOMIC_RELAXED);
    return true;
}

void hist_add(GoxRuntime *R, HistRec r) {
    GoxWorker *W = this_worker();
    if (!W || W->R != R || !R->sched->hist_file) return; /* host mode, or another runtime's program */
    r.t1 = now_ns();
    if (!r.gid) r.gid = W->current ? W->current->gid : 0;
    HistBuf *b = &W->hist;
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->recs = xrealloc(b->recs, b->cap * sizeof *b->recs);
    }
    b->recs[b->n++] = r;
}

void hist_chan(GoxRuntime *R, uint64_t t0, int op, GoxObj *o, uint64_t value, bool ok) {
    hist_add(R, (HistRec){.t0 = t0, .op = (uint8_t)op, .chan = o->num, .value = value, .ok = ok});
}

/* Recorded by the goroutine that completes a parked operation, when it does (its effect is
 * then over; the parked goroutine may not run again before the program ends, and never records
 * it itself): a plain send or receive, or the case of a select that won. */
void hist_woken(GoxRuntime *R, GoxObj *o, const Waiter *w, uint64_t value, bool ok) {
    HistRec r = {.t0 = w->hist_t0, .gid = w->g->gid, .chan = o->num, .value = w->is_send ? w->value : value, .ok = ok};
    if (w->sel) {
        r.op = H_SELECT;
        r.arg = w->case_i;
        r.dir = w->is_send ? SEL_SEND : SEL_RECV;
        r.ncases = (unsigned)w->sel->n;
    } else {
        r.op = w->is_send ? H_SEND : H_RECV;
    }
    hist_add(R, r);
}

static const char *const OP_NAMES[] = {"make", "send", "recv", "close", "len", "cap", "select"};

static void write_rec(FILE *f, unsigned w, const HistRec *r) {
    fprintf(f, "{\"op\":\"%s\",\"w\":%u,\"g\":%" PRIu64 ",\"t0\":%" PRIu64 ",\"t1\":%" PRIu64, OP_NAMES[r->op], w,
            r->gid, r->t0, r->t1);
    if (r->chan) fprintf(f, ",\"chan\":%" PRIu64, r->chan);
    switch (r->op) {
    case H_MAKE:
        fprintf(f, ",\"cap\":%" PRId64 ",\"elem\":%" PRIu64, r->arg, r->value);
        break;
    case H_SEND:
    case H_CLOSE:
        if (r->op == H_SEND) fprintf(f, ",\"value\":%" PRIu64, r->value);
        fprintf(f, ",\"panic\":%s", r->ok ? "false" : "true");
        break;
    case H_RECV:
        fprintf(f, ",\"value\":%" PRIu64 ",\"ok\":%s", r->value, r->ok ? "true" : "false");
        break;
    case H_LEN:
    case H_CAP:
        fprintf(f, ",\"value\":%" PRIu64, r->value);
        break;
    default: /* select: the case (-1 default), its direction, value and ok (a send's: not panicked) */
        fprintf(f, ",\"case\":%" PRId64 ",\"dir\":\"%s\",\"value\":%" PRIu64 ",\"ok\":%s,\"ncases\":%u", r->arg,
                r->dir == SEL_SEND ? "send" : "recv", r->value, r->ok ? "true" : "false", r->ncases);
        break;
    }
    fputs("}\n", f);
}

void hist_finish(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S->hist_file) return;
    __atomic_store_n(&gox_hist_on, 0, __ATOMIC_RELAXED);
    for (unsigned w = 0; w < MAX_WORKERS; w++) {
        HistBuf *b = &S->workers[w].hist;
        for (size_t i = 0; i < b->n; i++) write_rec(S->hist_file, w, &b->recs[i]);
        free(b->recs);
        *b = (HistBuf){0};
    }
    fclose(S->hist_file);
    S->hist_file = NULL;
}
