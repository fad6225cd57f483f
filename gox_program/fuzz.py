"""Differential fuzzing of the two backends (``gox-ref fuzz``, docs/DIFF_AND_FUZZ.md "Fuzzing").

* **Generator.** ``generate(seed)`` writes a well-formed random program in the .gox format
  (docs/PROGRAM_FORMAT.md), a pure function of the seed: helper functions (called only from
  lower-numbered ones, so no recursion), goroutines feeding channels of capacities 0..3 and
  closing them, select with and without default, time on the virtual clock (sleepers,
  timeouts, timers, tickers), close, defer/panic/recover, closures with
  upvalue boxes (``ccall``, ``go ccall``), ``tcall``, strings, int and string slices, maps
  with iteration, globals, integer and float arithmetic printed with several kinds, trees of
  struct nodes linked with ``gox_gc_write_slot`` and ``gox_rt_write_barrier`` (some kept in a
  global and grafted onto, so objects of many ages point at each other), and heavy allocation
  with ``gox_gc_tune`` set so collection cycles are frequent.  Loops are bounded
  and every receive loop ends on a closed channel, so a program terminates (or, on purpose
  and rarely, deadlocks or panics at the end of main).
* **Runs.** The program seed is also the scheduler seed.  Each program runs on the reference
  (in process, with a step budget, ``REF_FUEL``) and on the native backend; the native side
  builds a batch of programs into one executable (``native.build_batch``, ``-O0``: one run of
  ``native.fast_compiler()``, TinyCC where it is installed, for ``BATCH`` programs), each run
  in its own child process with a timeout.  The two
  runs are compared with ``diff.compare`` (stdout, status, stderr, trace).
* **Findings.** A divergence, a native crash or timeout, a build failure or a reference
  exception is a finding; a campaign keeps the first (lowest seed) of each ``Finding.key``
  (the oracles and ``bucket``: the panic text or first differing event), shrinks it once
  (``shrink``: greedy removal of functions, statements and blocks, and unwrapping of blocks,
  over the program's lines; every candidate must load and reproduce the same ``signature``)
  and writes it to ``OUT/<id>.gox`` with a header comment holding the
  command that replays it (``gox-ref diff OUT/<id>.gox --seed N``).
* **Campaigns.** In process, or on a Dask cluster (``--workers N``: a local one;
  ``--scheduler``: gox_program/cluster.py); program k of campaign seed S has seed
  ``S * STREAM + k``, and results are taken in batch order, so the programs run (and the
  findings kept) do not depend on the workers.
* **Three ways** (``--go``, ``run_batch_go``): the programs come from gox_program/fuzzgen.py,
  one abstract program written as .gox and as Go; each runs on the reference, natively and
  with Go (a batch built with one ``go build``, ``gotwin.build_batch``, beside the ``cc``
  run); a finding is any disagreement among the three (``signature3``; its oracles name the
  pairs that disagree, e.g. ``ref/go, native/go``), de-duplicated like the others, shrunk on
  the abstract program (regenerated from the seed, so any worker can shrink it) and written
  as ``OUT/<id>.gox`` and ``OUT/<id>.go``.
* **Time.** ``--seconds S`` is one deadline for everything, shrinking included: no program
  and no shrinking candidate starts after it.  The batch in flight then still builds and runs
  natively the programs it ran on the reference (the overshoot: under a second with tcc, 1 to
  3 s with gcc); a finding whose shrinking the deadline cut is written as far as
  it got, and says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import os
import random
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TextIO, TypeVar

from gox_abi.abi import BY_NAME
from gox_ref import RefRuntime
from gox_ref.rng import check_seed

from . import diff, fuzzgen, gotwin, native, terminal
from .case import Outcome, execute
from .check import load
from .limits import FUZZ, FUZZ_STEPS, SHARED_MAX_DEPTH, Limits
from .syntax import Program, ProgramError

STREAM = 1_000_000  # programs per campaign seed: program k of seed S has seed S * STREAM + k
MAX_CAMPAIGN_SEED = 2**40  # campaign seeds are 0..2**40-1, so a program's seed S * STREAM + k stays below 2**63
# A library under test that lacks symbols (docs/YOUR_RUNTIME.md) gets only programs it can run:
# a drawn program that needs an absent symbol is drawn again from seed + k * REDRAW_STRIDE
# (k = 1, 2, ...: below 2**64, a scheduler seed), at most REDRAWS times; then its slot is left out.
REDRAWS = 16
REDRAW_STRIDE = 2**60
ALL_SYMBOLS = frozenset(BY_NAME)
T = TypeVar("T")
BATCH = 16  # programs per native build
HELPER_BUDGET = 400  # estimated steps of one helper call
MAIN_BUDGET = 4000  # estimated steps of main
REF_FUEL = FUZZ_STEPS  # the step budget here, both backends' (the runners' own is 20,000,000)
LIMITS = FUZZ  # fuzz's default --max-steps, --max-depth
NATIVE_TIMEOUT = 10.0
SHRINK_TESTS = 400  # at most this many candidate runs per finding
_STEP_LIMIT = b"gox-ref: step limit exceeded"


# -- the generator ------------------------------------------------------------------------------
@dataclass
class _Scope:
    ints: list[str] = field(default_factory=list)
    strs: list[str] = field(default_factory=list)
    slices: list[str] = field(default_factory=list)


class _Gen:
    """One program: ``text()`` after ``build()``."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.seed = seed
        self.nvar = 0
        self.funcs: list[str] = []
        self.nhelpers = self.r.randint(1, 4)
        self.nworkers = 2
        self.loop_depth = 0
        self.cur_helper = -1  # the helper being written (-1: main)
        self.mult = 1  # iterations of the enclosing loops
        self.cost = 0  # the function's estimated steps so far
        self.costs: dict[int, int] = {}  # helper -> its estimated steps per call
        self.budget = HELPER_BUDGET

    def var(self, p: str = "v") -> str:
        self.nvar += 1
        return f"{p}{self.nvar}"

    def last(self, p: str) -> str:
        return f"{p}{self.nvar}"

    # expressions
    def lit(self) -> str:
        v = fuzzgen.int_literal(self.r)
        return f"(0 - {-v})" if v < 0 else str(v)  # .gox has no negative literal

    def iexpr(self, sc: _Scope, depth: int = 0) -> str:
        r = self.r
        c = r.random()
        if depth >= 2 or c < 0.3:
            if sc.ints and r.random() < 0.6:
                return r.choice(sc.ints)
            return self.lit()
        if c < 0.6:
            op = r.choice(["+", "-", "*", "^", "&", "|", "+", "-"])
            return f"({self.iexpr(sc, depth + 1)} {op} {self.iexpr(sc, depth + 1)})"
        if c < 0.68:
            op = r.choice(["/", "%"])
            return f"({self.iexpr(sc, depth + 1)} {op} ({self.iexpr(sc, depth + 1)} | 1))"
        if c < 0.74:
            op = r.choice(["<<", ">>"])
            return f"({self.iexpr(sc, depth + 1)} {op} ({self.iexpr(sc, depth + 1)} & 15))"
        if c < 0.8 and sc.strs:
            return f"gox_string_len({r.choice(sc.strs)})"
        if c < 0.86 and sc.slices:
            return f"gox_slice_len({r.choice(sc.slices)})"
        if c < 0.93 and sc.strs and self.callable_helpers():
            h = r.choice(self.callable_helpers())
            self.cost += self.mult * self.costs[h]
            return f"f{h}({self.iexpr(sc, depth + 1)}, {r.choice(sc.strs)})"
        if c < 0.96:
            return "gcount"
        return f"i64(f64(i64({self.iexpr(sc, depth + 1)})) / 2.0)" if depth == 0 else self.lit()

    def cond(self, sc: _Scope) -> str:
        r = self.r
        c = r.random()
        if c < 0.5:
            return f"{self.iexpr(sc, 1)} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {self.iexpr(sc, 1)}"
        if c < 0.75:
            return f"({self.iexpr(sc, 1)} % 2) == 0"
        if sc.strs:
            return f"gox_string_eq({r.choice(sc.strs)}, {self.strlit()})"
        return "true"

    def strlit(self) -> str:
        return '"' + self.r.choice(["a", "bc", "xyz", "héllo", "", "0123456789", "go", "世界"]) + '"'

    def callable_helpers(self) -> list[int]:
        if self.loop_depth > (0 if self.cur_helper >= 0 else 1):
            return []
        lo = self.cur_helper + 1 if self.cur_helper >= 0 else 0
        return [h for h in range(lo, self.nhelpers) if self.cost + self.mult * self.costs[h] <= self.budget]

    # statements
    def time_stmt(self, sc: _Scope, ind: str, out: list[str]) -> None:
        """Time on the virtual clock, which the two backends must agree on to the nanosecond
        (the three-way generator, fuzzgen's s_time, keeps to what Go's real clock also shows):
        sleepers whose deadlines may be equal (the seeded order of simultaneous timers), a
        timeout select racing a sleeping sender, Stop and Reset in any order, a ticker with a
        slow receiver (dropped ticks), and the clock read between them."""
        r = self.r
        how = r.choice(["sleepers", "race", "stop_reset", "ticker"])
        t0, c, t = self.var("t0"), self.var("c"), self.var("t")
        out.append(f"{ind}var {t0} i64 = gox_time_now()")
        if how == "sleepers":  # each sends its id when it wakes: the order of the wake-ups
            n = r.randint(2, 4)
            out.append(f"{ind}var {c} ref = gox_chan_new(kind.Int, {n})")
            for j in range(n):
                out.append(f"{ind}go wsleep({c}, {r.choice([0, 1000, 1000, 2000, 5000])}, {j})")
            for _ in range(n):
                out.append(f"{ind}gox_debug_print(gox_chan_recv({c}), kind.Int)")
        elif how == "race":  # gox_time_after against a sleeping sender; equal deadlines included
            x = self.var("x")
            out.append(f"{ind}var {c} ref = gox_chan_new(kind.Int, {r.randint(0, 1)})")
            ns = r.choice([1000, 2000, 3000])  # (drawn before the value, as when the arguments were (ns, v, c))
            out.append(f"{ind}go wsleep({c}, {ns}, {self.iexpr(sc, 1)})")
            out.append(f"{ind}gox_select_start(2, {'true' if r.random() < 0.3 else 'false'})")
            out.append(f"{ind}gox_select_add_recv({c})")
            out.append(f"{ind}gox_select_add_recv(gox_time_after({r.choice([1000, 2000, 3000])}))")
            out.append(f"{ind}var {x} i64 = gox_select_exec()")
            out.append(f"{ind}gox_debug_print({x}, kind.Int)")
            out.append(f"{ind}if {x} != 0 {{")  # the sender must not be left parked on an unbuffered channel
            out.append(f"{ind}    gox_chan_recv({c})")
            out.append(f"{ind}}}")
        elif how == "stop_reset":
            out.append(f"{ind}var {t} ref = gox_timer_new({r.choice([0, 1000, 3000])})")
            for _ in range(r.randint(1, 4)):
                op = r.choice(["stop", "reset", "sleep", "len"])
                if op == "stop":
                    out.append(f"{ind}gox_debug_print(gox_timer_stop({t}), kind.Bool)")
                elif op == "reset":
                    out.append(f"{ind}gox_debug_print(gox_timer_reset({t}, {r.choice([0, 500, 2000])}), kind.Bool)")
                elif op == "sleep":
                    out.append(f"{ind}gox_time_sleep({r.choice([-5, 0, 700, 2500])})")
                else:  # the undrained channel: a fired timer's value waits there
                    out.append(f"{ind}gox_debug_print(gox_chan_len(gox_timer_chan({t})), kind.Int)")
            out.append(f"{ind}gox_timer_stop({t})")
        else:  # a ticker read by a receiver slower than its period: ticks are dropped
            i = self.var("i")
            period = r.choice([1000, 3000])
            out.append(f"{ind}var {t} ref = gox_ticker_new({period})")
            out.append(f"{ind}for var {i} i64 = 0; {i} < {r.randint(1, 3)}; {i}++ {{")
            out.append(f"{ind}    gox_time_sleep({r.choice([500, 2500, 7000])})")
            out.append(f"{ind}    gox_debug_print(i64(gox_chan_recv(gox_timer_chan({t}))) - {t0}, kind.Int)")
            out.append(f"{ind}}}")
            out.append(f"{ind}gox_ticker_stop({t})")
        out.append(f"{ind}gox_debug_print(gox_time_now() - {t0}, kind.Int)")

    def stmts(self, sc: _Scope, n: int, ind: str, out: list[str]) -> None:
        for _ in range(n):
            self.stmt(sc, ind, out)

    def stmt(self, sc: _Scope, ind: str, out: list[str]) -> None:
        r = self.r
        self.cost += self.mult * 3
        kinds = ["int", "int", "assign", "assign", "print", "str", "slice", "alloc", "if", "global", "arith", "tree", "keep"]
        if self.loop_depth < (1 if self.cur_helper >= 0 else 2) and self.cost + self.mult * 40 < self.budget:
            kinds += ["loop", "loop"]
        if self.cur_helper < 0 and self.loop_depth == 0:
            kinds += ["chan", "select", "select_default", "closure", "go_closure", "close", "protect", "protect", "tcall",
                      "map", "strslice", "copy", "feed", "nilselect", "gap"]
        if self.callable_helpers():
            kinds += ["call"]
        k = r.choice(kinds)
        if k == "gap":  # (one weight for the three: a program's C, and so cc's time, grows little)
            k = r.choice(["waiters", "closed_while_parked", "float_map", "time"])
        targets = [v for v in sc.ints if not v.startswith("i")]  # loop counters stay read-only
        if k == "int" or (k == "assign" and not targets):
            v = self.var()
            out.append(f"{ind}var {v} i64 = {self.iexpr(sc)}")
            sc.ints.append(v)
        elif k == "assign":
            v = r.choice(targets)
            op = r.choice(["=", "+=", "-=", "*=", "^=", "|=", "&="])
            out.append(f"{ind}{v} {op} {self.iexpr(sc)}")
        elif k == "print":
            if sc.strs and r.random() < 0.3:
                s = r.choice(sc.strs)
                out.append(f"{ind}gox_debug_print(gox_rt_string_slice({s}, 0, gox_string_len({s}) / 2), kind.String)")
            else:
                out.append(f"{ind}gox_debug_print({self.iexpr(sc)}, kind.Int)")
        elif k == "str":
            if sc.strs and r.random() < 0.6:
                s = r.choice(sc.strs)
                other = r.choice(sc.strs)
                if r.random() < 0.2:
                    out.append(f"{ind}{s} = gox_rt_string_slice({other}, gox_string_len({other}) / 3, gox_string_len({other}))")
                else:
                    out.append(f"{ind}{s} = gox_rt_string_concat({s}, {self.strlit()})")
                    out.append(f"{ind}if gox_string_len({s}) > 64 {{")
                    out.append(f"{ind}    {s} = gox_rt_string_slice({s}, 32, gox_string_len({s}))")
                    out.append(f"{ind}}}")
            else:
                v = self.var("s")
                out.append(f"{ind}var {v} ref = gox_rt_string_concat({self.strlit()}, {self.strlit()})")
                sc.strs.append(v)
        elif k == "slice":
            if sc.slices and r.random() < 0.7:
                s = r.choice(sc.slices)
                c = r.random()
                if c < 0.5:
                    out.append(f"{ind}{s} = gox_rt_slice_append(kind.Int, type.None, {s}, {self.iexpr(sc)})")
                elif c < 0.75:
                    out.append(f"{ind}if gox_slice_len({s}) > 0 {{")
                    out.append(f"{ind}    gox_debug_print(gox_slice_get({s}, gox_slice_len({s}) - 1), kind.Int)")
                    out.append(f"{ind}    gox_slice_set({s}, 0, {self.iexpr(sc, 1)})")
                    out.append(f"{ind}}}")
                else:
                    out.append(f"{ind}{s} = gox_rt_slice_slice({s}, gox_slice_len({s}) / 2, gox_slice_len({s}))")
            else:
                v = self.var("sl")
                n = r.randint(0, 4)
                out.append(f"{ind}var {v} ref = gox_rt_slice_create(kind.Int, type.None, {n}, {n + r.randint(0, 4)})")
                sc.slices.append(v)
        elif k == "tree":
            depth = r.randint(0, 6 if self.loop_depth == 0 else 3)
            self.cost += self.mult * _tree_nodes(depth) * 8
            t = self.var("t")
            out.append(f"{ind}var {t} ref = mktree({depth})")
            how = r.random()
            if how < 0.3:  # kept: later trees are grafted onto it
                out.append(f"{ind}gtree = {t}")
            elif how < 0.6:  # grafted onto the kept tree (a store into an older object)
                out.append(f"{ind}if gtree != nil {{")
                out.append(f"{ind}    gox_gc_write_slot(gtree, {r.randint(0, 1)}, {t})")
                out.append(f"{ind}    gox_rt_write_barrier(gtree, {t})")
                out.append(f"{ind}}}")
            out.append(f"{ind}gcount += treesum({t})")
        elif k == "alloc" and self.loop_depth > 1:
            out.append(f"{ind}gcount++")
        elif k == "alloc":
            i = self.var("i")
            t = self.var("t")
            n = r.randint(5, 30) if self.loop_depth == 0 else r.randint(2, 6)
            self.cost += self.mult * n * 4
            out.append(f"{ind}for var {i} i64 = 0; {i} < {n}; {i}++ {{")
            out.append(f"{ind}    var {t} ref = gox_rt_slice_create(kind.Int, type.None, {r.randint(1, 16)}, 16)")
            out.append(f"{ind}    gox_slice_set({t}, 0, {i})")
            if sc.strs:
                out.append(f'{ind}    {t} = gox_rt_string_concat({r.choice(sc.strs)}, "#")')
            out.append(f"{ind}}}")
        elif k == "if":
            out.append(f"{ind}if {self.cond(sc)} {{")
            self.stmts(_copy(sc), r.randint(1, 3), ind + "    ", out)
            if r.random() < 0.5:
                out.append(f"{ind}}} else {{")
                self.stmts(_copy(sc), r.randint(1, 2), ind + "    ", out)
            out.append(f"{ind}}}")
        elif k == "loop":
            i = self.var("i")
            n = r.randint(1, 4 if self.loop_depth else 8)
            out.append(f"{ind}for var {i} i64 = 0; {i} < {n}; {i}++ {{")
            inner = _copy(sc)
            inner.ints.append(i)
            self.loop_depth += 1
            self.mult *= n
            self.stmts(inner, r.randint(1, 3), ind + "    ", out)
            self.mult //= n
            self.loop_depth -= 1
            if r.random() < 0.2:
                out.append(f"{ind}    if {i} == {r.randint(0, 5)} {{")
                out.append(f"{ind}        {r.choice(['break', 'continue'])}")
                out.append(f"{ind}    }}")
            out.append(f"{ind}}}")
        elif k == "arith":
            e = self.iexpr(sc, 1)
            c = r.randrange(8)
            if c == 0:
                f = r.choice(["1.5", "0.1", "1e300", "1e-310", "3.0", "(0.0 - 2.5)", "1e21", "123456789.125"])
                out.append(f"{ind}gox_debug_print(f64(i64({e})) / f64(i64({self.iexpr(sc, 1)}) | 1) * {f}, kind.Float64)")
            elif c == 1:
                out.append(f"{ind}gox_debug_print(f64frombits(u64(i64({e})) * 2654435761), kind.Float64)")
            elif c == 2:
                kd = r.choice(["Uint64", "Uint8", "Int8", "Int16", "Uint32", "Int32", "Uint16"])
                out.append(f"{ind}gox_debug_print(u64(i64({e})) * 11400714819323198485, kind.{kd})")
            elif c == 3:
                op = r.choice(["<<", ">>"])
                out.append(f"{ind}gox_debug_print({e} {op} ({self.iexpr(sc, 1)} & 127), kind.Int)")
            elif c == 4:
                out.append(f"{ind}gox_debug_print(u64(i64({e})) >> (u64(i64({self.iexpr(sc, 1)})) & 127), kind.Uint64)")
            elif c == 5:
                out.append(f"{ind}gox_debug_print((0 - 9223372036854775807 - 1 + {e} * 0) / ((0 - 1) + {e} * 0), kind.Int)")
            elif c == 6:
                out.append(f"{ind}gox_debug_print(i64(f64(i64({e})) * 0.75), kind.Int)")
            else:
                out.append(f"{ind}gox_debug_print(f64(i64({e})) < f64(i64({self.iexpr(sc, 1)})) * 0.5, kind.Bool)")
        elif k == "global":
            if sc.strs and r.random() < 0.4:
                out.append(f"{ind}gstr = {r.choice(sc.strs)}")
            else:
                out.append(f"{ind}gcount += {self.iexpr(sc, 1)}")
        elif k == "call":
            h = r.choice(self.callable_helpers())
            self.cost += self.mult * self.costs[h]
            s = r.choice(sc.strs) if sc.strs else self.strlit()
            if targets:
                out.append(f"{ind}{r.choice(targets)} += f{h}({self.iexpr(sc, 1)}, {s})")
            else:
                out.append(f"{ind}f{h}({self.iexpr(sc, 1)}, {s})")
        elif k == "chan":
            self.chan_stmt(sc, ind, out)
        elif k in ("select", "select_default"):
            self.select_stmt(sc, ind, out, k == "select_default")
        elif k == "closure":
            box, clo = self.var("box"), self.var("clo")
            out.append(f"{ind}var {box} ref = gox_rt_upval_box_create(kind.Int, {self.iexpr(sc, 1)})")
            out.append(f"{ind}var {clo} ref = gox_rt_closure_create(u64(&counter), tid, 1)")
            out.append(f"{ind}gox_closure_set_upvalue({clo}, 0, {box})")
            for _ in range(r.randint(1, 3)):
                out.append(f"{ind}gox_debug_print(ccall[IntFn]({clo}, {self.iexpr(sc, 1)}), kind.Int)")
            out.append(f"{ind}gox_debug_print(gox_upval_box_get({box}), kind.Int)")
        elif k == "go_closure":
            ch, clo = self.var("c"), self.var("clo")
            out.append(f"{ind}var {ch} ref = gox_chan_new(kind.Int, {r.randint(0, 2)})")
            out.append(f"{ind}var {clo} ref = gox_rt_closure_create(u64(&sender), tid, 1)")
            out.append(f"{ind}gox_closure_set_upvalue({clo}, 0, {ch})")
            out.append(f"{ind}go ccall[func(i64)]({clo}, {self.iexpr(sc, 1)})")
            out.append(f"{ind}gox_debug_print(gox_chan_recv({ch}), kind.Int)")
        elif k == "close":
            ch, v, ok = self.var("c"), self.var("v"), self.var("ok")
            cap = r.randint(0, 3)
            out.append(f"{ind}var {ch} ref = gox_chan_new(kind.Int, {cap})")
            for j in range(min(cap, r.randint(0, 3))):
                out.append(f"{ind}gox_chan_send({ch}, {j + 7})")
            out.append(f"{ind}gox_debug_print(gox_chan_len({ch}) * 10 + gox_chan_cap({ch}), kind.Int)")
            out.append(f"{ind}gox_chan_close({ch})")
            out.append(f"{ind}var {v} u64")
            out.append(f"{ind}var {ok} bool")
            out.append(f"{ind}{v}, {ok} = gox_chan_recv_ok({ch})")
            out.append(f"{ind}gox_debug_print({v}, kind.Int)")
            out.append(f"{ind}gox_debug_print({ok}, kind.Bool)")
        elif k == "protect":
            how = r.choice([0, 1, 2, 3, 4, 5, 9, 10])  # (9, 10: an index at a slice's, a string's length)
            out.append(f"{ind}gox_debug_print(protect({self.iexpr(sc, 1)}, {how}), kind.Int)")
        elif k == "keep":  # an append in place into gkeep's array, which a running cycle may have scanned:
            # a string the barrier missed is freed, and the cycle's gc_end event counts it
            src = r.choice(sc.strs) if sc.strs else self.strlit()
            out.append(f"{ind}if gox_slice_len(gkeep) < gox_slice_cap(gkeep) {{")
            out.append(f"{ind}    gkeep = gox_rt_slice_append(kind.String, type.None, gkeep, gox_rt_string_concat({src}, \"k\"))")
            out.append(f"{ind}}}")
        elif k == "waiters":  # two receivers parked on one channel, served in the order they parked
            ch, ra, rb = self.var("c"), self.var("ra"), self.var("rb")
            out.append(f"{ind}var {ch} ref = gox_chan_new(kind.Int, 0)")
            out.append(f"{ind}var {ra} ref = gox_chan_new(kind.Int, 1)")
            out.append(f"{ind}var {rb} ref = gox_chan_new(kind.Int, 1)")
            out.append(f"{ind}go relay({ch}, {ra})")
            out.append(f"{ind}go relay({ch}, {rb})")
            out.append(f"{ind}gox_yield()")
            out.append(f"{ind}gox_chan_send({ch}, {self.iexpr(sc, 1)})")
            out.append(f"{ind}gox_chan_send({ch}, {self.iexpr(sc, 1)})")
            out.append(f"{ind}gox_debug_print(gox_chan_recv({ra}) * 2 + gox_chan_recv({rb}), kind.Int)")
        elif k == "time":
            self.time_stmt(sc, ind, out)
        elif k == "closed_while_parked":
            out.extend(ind + ln for ln in fuzzgen.closed_while_parked(self.var, fuzzgen.Expr(self.iexpr(sc, 1), "")).gox)
        elif k == "float_map":
            out.extend(ind + ln for ln in fuzzgen.float_map(r, self.var).gox)
        elif k == "map":
            m, it, ok, kk, vv, sum_ = (self.var(x) for x in ("m", "it", "ok", "k", "v", "sum"))
            out.append(f"{ind}var {m} ref = gox_rt_map_new(kind.Int, kind.String)")
            n = r.randint(0, 12)
            i = self.var("i")
            out.append(f"{ind}for var {i} i64 = 0; {i} < {n}; {i}++ {{")
            out.append(f"{ind}    gox_map_set({m}, {i} % {r.randint(1, 7)}, gox_rt_string_concat({self.strlit()}, \"m\"))")
            out.append(f"{ind}}}")
            out.append(f"{ind}gox_map_delete({m}, {r.randint(0, 3)})")
            out.append(f"{ind}var {sum_} i64 = 0")
            out.append(f"{ind}var {it} u64 = gox_iter_begin({m}, kind.Map)")
            out.append(f"{ind}var {ok} bool")
            out.append(f"{ind}var {kk} u64")
            out.append(f"{ind}var {vv} u64")
            out.append(f"{ind}for {{")
            out.append(f"{ind}    {ok}, {kk}, {vv} = gox_iter_next({it})")
            out.append(f"{ind}    if !{ok} {{")
            out.append(f"{ind}        break")
            out.append(f"{ind}    }}")
            out.append(f"{ind}    {sum_} += i64({kk}) * 10 + gox_string_len(ref({vv}))")
            out.append(f"{ind}}}")
            out.append(f"{ind}gox_iter_end({it})")
            out.append(f"{ind}gox_debug_print({sum_}, kind.Int)")
            out.append(f"{ind}gox_debug_print(gox_map_len({m}), kind.Int)")
        elif k == "strslice":
            v = self.var("ss")
            out.append(f"{ind}var {v} ref = gox_rt_slice_create(kind.String, type.None, 0, {r.randint(0, 2)})")
            for _ in range(r.randint(1, 5)):
                src = r.choice(sc.strs) if sc.strs and r.random() < 0.5 else self.strlit()
                out.append(f"{ind}{v} = gox_rt_slice_append(kind.String, type.None, {v}, gox_rt_string_concat({src}, \"+\"))")
            out.append(f"{ind}gox_debug_print(ref(gox_slice_get({v}, gox_slice_len({v}) - 1)), kind.String)")
            if sc.strs:
                s0 = r.choice(sc.strs)
                out.append(f"{ind}if gox_string_len({s0}) > 0 {{")
                out.append(f"{ind}    gox_debug_print(gox_string_index({s0}, gox_string_len({s0}) - 1), kind.Uint8)")
                out.append(f"{ind}}}")
        elif k == "copy":
            a, b = self.var("sl"), self.var("sl")
            out.append(f"{ind}var {a} ref = gox_rt_slice_create(kind.Int, type.None, {r.randint(0, 5)}, 8)")
            out.append(f"{ind}var {b} ref = gox_rt_slice_create(kind.Int, type.None, {r.randint(0, 5)}, 8)")
            out.append(f"{ind}gox_slice_set({a}, 0, {self.iexpr(sc, 1)})" if r.random() < 0.3 else f"{ind}gcount++")
            out.append(f"{ind}gox_debug_print(gox_slice_copy({b}, {a}), kind.Int)")
            out.append(f"{ind}{b} = gox_rt_slice_slice3({b}, 0, gox_slice_len({b}), gox_slice_cap({b}) - 1)")
            out.append(f"{ind}gox_debug_print(gox_slice_cap({b}), kind.Int)")
            sc.slices += [a, b]
        elif k == "feed":
            ch, done = self.var("c"), self.var("done")
            n = r.randint(0, 6)
            out.append(f"{ind}var {ch} ref = gox_chan_new(kind.Int, {r.randint(0, 2)})")
            out.append(f"{ind}var {done} ref = gox_chan_new(kind.Int, {r.randint(0, 1)})")
            out.append(f"{ind}go summer({ch}, {n}, {done})")
            out.append(f"{ind}for var {self.var('i')} i64 = 0; {self.last('i')} < {n}; {self.last('i')}++ {{")
            out.append(f"{ind}    gox_chan_send({ch}, {self.last('i')} * {r.randint(1, 9)})")
            out.append(f"{ind}}}")
            out.append(f"{ind}gox_debug_print(gox_chan_recv({done}), kind.Int)")
        elif k == "nilselect":
            nil, x = self.var("nc"), self.var("x")
            out.append(f"{ind}var {nil} ref")
            out.append(f"{ind}gox_select_start(2, true)")
            out.append(f"{ind}gox_select_add_recv({nil})")
            out.append(f"{ind}gox_select_add_send({nil}, 1)")
            out.append(f"{ind}var {x} i64 = gox_select_exec()")
            out.append(f"{ind}gox_debug_print({x}, kind.Int)")
        elif k == "tcall":
            h = min(range(self.nhelpers), key=lambda j: self.costs[j])
            self.cost += self.costs[h]
            s = r.choice(sc.strs) if sc.strs else self.strlit()
            out.append(f"{ind}gox_debug_print(tcall[HelperFn](&f{h}, {self.iexpr(sc, 1)}, {s}), kind.Int)")

    def chan_stmt(self, sc: _Scope, ind: str, out: list[str]) -> None:
        r = self.r
        ch, v, ok, acc = self.var("c"), self.var("v"), self.var("ok"), self.var("acc")
        strs = r.random() < 0.4
        out.append(f"{ind}var {ch} ref = gox_chan_new({'kind.String' if strs else 'kind.Int'}, {r.randint(0, 3)})")
        n = r.randint(0, 8)
        out.append(f"{ind}go {'wstr' if strs else 'wint'}({ch}, {n}, {self.iexpr(sc, 1)})")
        out.append(f"{ind}var {acc} i64 = 0")
        out.append(f"{ind}for {{")
        out.append(f"{ind}    var {v} u64")
        out.append(f"{ind}    var {ok} bool")
        out.append(f"{ind}    {v}, {ok} = gox_chan_recv_ok({ch})")
        out.append(f"{ind}    if !{ok} {{")
        out.append(f"{ind}        break")
        out.append(f"{ind}    }}")
        if strs:
            out.append(f"{ind}    {acc} += gox_string_len(ref({v}))")
            out.append(f"{ind}    gox_debug_print(ref({v}), kind.String)")
        else:
            out.append(f"{ind}    {acc} += i64({v})")
        out.append(f"{ind}}}")
        out.append(f"{ind}gox_debug_print({acc}, kind.Int)")
        sc.ints.append(acc)

    def select_stmt(self, sc: _Scope, ind: str, out: list[str], default: bool) -> None:
        r = self.r
        a, b, i, x, v, ok = self.var("a"), self.var("b"), self.var("i"), self.var("x"), self.var("v"), self.var("ok")
        out.append(f"{ind}var {a} ref = gox_chan_new(kind.Int, {r.randint(0, 3)})")
        out.append(f"{ind}var {b} ref = gox_chan_new(kind.Int, {r.randint(0, 3)})")
        n1, n2 = r.randint(0, 5), r.randint(0, 5)
        out.append(f"{ind}go wint({a}, {n1}, {self.iexpr(sc, 1)})")
        out.append(f"{ind}go wint({b}, {n2}, 100)")
        out.append(f"{ind}for var {i} i64 = 0; {i} < {n1 + n2 + r.randint(0, 2)}; {i}++ {{")
        ncases = 2 + (1 if default and r.random() < 0.5 else 0)
        out.append(f"{ind}    gox_select_start({ncases}, {'true' if default else 'false'})")
        out.append(f"{ind}    gox_select_add_recv({a})")
        out.append(f"{ind}    gox_select_add_recv({b})")
        if ncases == 3:
            out.append(f"{ind}    gox_select_add_send(gsink, {i})")
        out.append(f"{ind}    var {x} i64 = gox_select_exec()")
        out.append(f"{ind}    var {v} u64")
        out.append(f"{ind}    var {ok} bool")
        out.append(f"{ind}    if {x} >= 0 && {x} < 2 {{")
        out.append(f"{ind}        {v}, {ok} = gox_select_recv_result()")
        out.append(f"{ind}    }}")
        out.append(f"{ind}    gox_debug_write({x}, kind.Int)")
        out.append(f'{ind}    gox_debug_write(" ", kind.String)')
        out.append(f"{ind}    gox_debug_write({v}, kind.Int)")
        out.append(f'{ind}    gox_debug_write(" ", kind.String)')
        out.append(f"{ind}    gox_debug_print({ok}, kind.Bool)")
        out.append(f"{ind}}}")

    # functions
    def helper(self, k: int) -> str:
        r = self.r
        self.cur_helper = k
        self.cost = 10
        out = [f"func f{k}(a i64, s ref) i64 {{"]
        if r.random() < 0.3:
            out.append("    defer catcher()")
        sc = _Scope(ints=["a"], strs=["s"])
        self.stmts(sc, r.randint(1, 5), "    ", out)
        if r.random() < 0.15:
            out.append("    if a % 7 == 3 {")
            out.append(f'        gox_panic(kind.String, "boom{k}")')
            out.append("    }")
        out.append(f"    return {self.iexpr(sc, 1)}")
        out.append("}")
        self.cur_helper = -1
        self.costs[k] = self.cost
        return "\n".join(out)

    def build(self) -> str:
        r = self.r
        parts = [
            "type IntFn func(i64) i64\ntype HelperFn func(i64, ref) i64\n\nvar gcount i64\nvar gstr ref\nvar gsink ref"
            "\nvar gnode u64\nvar gtree ref\nvar gkeep ref",
        ]
        helpers = [self.helper(k) for k in reversed(range(self.nhelpers))]  # callees first: their costs
        self.cost, self.budget = 0, MAIN_BUDGET
        out = ["func main() {"]
        pause = r.choice([100, 110, 150])
        stepmul, step, least = r.choice([100, 200, 400]), r.choice([8, 64, 1024]), r.choice([64, 128, 512])
        out.append(f"    gox_gc_tune({pause}, {stepmul}, {step}, {least})")
        out.append('    var tid u64 = gox_type_register("env", "\\x01")')
        out.append("    gsink = gox_chan_new(kind.Int, 64)")
        out.append("    gkeep = gox_rt_slice_create(kind.String, type.None, 0, 32)")
        out.append(f"    var s0 ref = {self.strlit()}")
        out.append(f"    var n0 i64 = {self.lit()}")
        sc = _Scope(ints=["n0"], strs=["s0"])
        self.stmts(sc, r.randint(4, 10), "    ", out)
        for v in sc.ints:
            out.append(f"    gox_debug_print({v}, kind.Int)")
        out.append("    gox_debug_print(gcount, kind.Int)")
        out.append("    gox_debug_print(tid > 0, kind.Bool)")
        end = r.random()
        if end < 0.03:
            out.append("    gox_chan_recv(gox_chan_new(kind.Int, 0))")
        elif end < 0.06:
            out.append('    gox_panic(kind.String, "the end")')
        elif end < 0.08:
            out.append("    go boom()")
            out.append("    gox_chan_recv(gox_chan_new(kind.Int, 0))")
        elif end < 0.10:
            out.append("    gox_debug_print(gox_slice_get(gox_rt_slice_create(kind.Int, type.None, 1, 1), n0 & 7 + 1), kind.Int)")
        out.append("}")
        code = "\n".join([*helpers, *out])
        used = {name for name in _FIXED if re.search(rf"\b{name}\b", code)}
        if "mktree" in used:  # the node type first; the kept tree's sum last
            out.insert(2, '    gnode = gox_type_register("node", "\\x01\\x01\\x00")')
            out.insert(len(out) - 1, "    gox_debug_print(treesum(gtree), kind.Int)")
            used.add("treesum")
        if "protect" in used:
            used |= {"catcher", "boom"}
        if "psend" in used:
            used.add("precover")
        parts.extend(text for name, text in _FIXED.items() if name in used)  # only the fixed functions used
        parts.extend(reversed(helpers))
        parts.append("\n".join(out))
        return f"// gox-ref fuzz program, seed {self.seed}\n" + "\n\n".join(parts) + "\n"


# The fixed functions a program may use (only those it uses are in it).
_FIXED: dict[str, str] = {
    "catcher": fuzzgen.FIXED["catcher"][0],
    "counter": """func counter(self ref, x i64) i64 {
    var box ref = ref(gox_closure_get_upvalue(self, 0))
    var n i64 = i64(gox_upval_box_get(box)) + x
    gox_upval_box_set(box, n)
    return n * 3
}""",
    "wsleep": fuzzgen.FIXED["wsleep"][0],
    "relay": """func relay(ch ref, out ref) {
    gox_chan_send(out, gox_chan_recv(ch))
}""",
    "psend": fuzzgen.FIXED["psend"][0],
    "precover": fuzzgen.FIXED["precover"][0],
    "sender": """func sender(self ref, v i64) {
    var ch ref = ref(gox_closure_get_upvalue(self, 0))
    gox_chan_send(ch, v + 1)
}""",
    "wint": """func wint(ch ref, n i64, base i64) {
    for var i i64 = 0; i < n; i++ {
        gox_chan_send(ch, base + i)
    }
    gox_chan_close(ch)
}""",
    "wstr": """func wstr(ch ref, n i64, base i64) {
    var s ref = "w"
    for var i i64 = 0; i < n; i++ {
        s = gox_rt_string_concat(s, "x")
        gox_chan_send(ch, gox_rt_string_concat(s, "!"))
    }
    gox_chan_close(ch)
}""",
    "summer": """func summer(ch ref, n i64, done ref) {
    var sum i64 = 0
    for var i i64 = 0; i < n; i++ {
        sum += i64(gox_chan_recv(ch))
        defer gox_debug_print(i, kind.Int)
    }
    gox_chan_send(done, sum)
}""",
    "mktree": """func mktree(d i64) ref {
    var n ref = gox_rt_alloc(kind.Struct, gnode, 3)
    gox_gc_write_slot(n, 2, d)
    if d <= 0 {
        return n
    }
    var l ref = mktree(d - 1)
    gox_gc_write_slot(n, 0, l)
    gox_rt_write_barrier(n, l)
    var r ref = mktree(d - 2)
    gox_gc_write_slot(n, 1, r)
    gox_rt_write_barrier(n, r)
    return n
}""",
    "treesum": """func treesum(n ref) i64 {
    if n == nil {
        return 0
    }
    return i64(gox_gc_read_slot(n, 2)) + treesum(ref(gox_gc_read_slot(n, 0))) + treesum(ref(gox_gc_read_slot(n, 1)))
}""",
    "boom": fuzzgen.FIXED["boom"][0],
    "protect": fuzzgen.FIXED["protect"][0],
}


def _tree_nodes(depth: int) -> int:
    """The nodes of mktree(depth): a node and the trees of depth - 1 and depth - 2."""
    return 1 if depth <= 0 else 1 + _tree_nodes(depth - 1) + _tree_nodes(depth - 2)


def _copy(sc: _Scope) -> _Scope:
    return _Scope(list(sc.ints), list(sc.strs), list(sc.slices))


def generate(seed: int) -> str:
    """A random well-formed, terminating program: a pure function of ``seed``."""
    return _Gen(seed).build()


# -- running one program on both backends ---------------------------------------------------------
def run_ref(prog: Program, seed: int, fuel: int = REF_FUEL, max_depth: int = SHARED_MAX_DEPTH) -> Outcome:
    """The reference's run with its trace (``corpus.run_reference`` with a smaller budget)."""
    rt = RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    log = rt.start_trace()
    try:
        status = execute(prog, seed=seed, out=out, err=err, rt=rt, fuel=fuel, max_depth=max_depth)
    finally:
        rt.stop_trace()
    o = Outcome(status, out.getvalue(), err.getvalue())
    o.extra["trace"] = log.canonical()
    return o


def signature(ref: Outcome | None, nat: Outcome | None, problem: str = "") -> str | None:
    """How two runs differ, coarsely ("" ... None: they agree): what a shrink must keep."""
    if problem:
        return problem
    assert ref is not None and nat is not None
    if nat.status == native.STATUS_TIMEOUT and ref.status != native.STATUS_TIMEOUT:
        return "native timeout"
    if nat.status is not None and nat.status > 128 and (ref.status or 0) <= 128:
        return f"native crash (status {nat.status})"
    # TODO: reuse diff's rendering for the report once its API settles (diff.DiffResult.render is used below)
    ds = diff.compare(ref, nat)
    if not ds:
        return None
    return f"{ds[0].kind} differs"


_NUMBER = re.compile(r"0x[0-9a-f]+|\d+")
_PANIC = re.compile(r"^(?:panic: |fatal error: |\d+ g\d+ panic value=)(.*)")  # stderr's, or the trace's event


def bucket(ref: Outcome | None, nat: Outcome | None, sig: str) -> str:
    """What a campaign de-duplicates findings by: ``sig`` and the first differing item, a
    panic's text first (from stderr or the trace: recovered or not, one bug), else the first
    differing trace event; numbers (event counters, addresses, values) become ``N``, so that
    one bug met by many programs is one bucket."""
    if ref is None or nat is None:
        return sig
    return _bucket(diff.compare(ref, nat), sig)


def _bucket(ds: list[diff.Divergence], sig: str) -> str:
    """``bucket`` of the divergences ``ds`` (of the backends, or of a backend and Go)."""
    for d in ds:
        # the side under test first: native against the reference, a backend against Go
        for side in (d.ref, d.native) if d.sides[1] == "go" else (d.native, d.ref):
            m = _PANIC.match(side or "")
            if m and d.kind in ("stderr", "trace"):
                text = m.group(1).strip("'")  # (the trace quotes a string value)
                return f"{sig}: panic {_NUMBER.sub('N', text)}"
    a, b = ds[0].sides if ds else ("ref", "native")
    trace = [d for d in ds if d.kind == "trace"]
    if trace:  # an event is "SEQ gG kind attrs": the kind and attributes say what differs
        d = trace[0]
        ev = [_NUMBER.sub("N", (e or "<end>").split(" ", 2)[-1]) for e in (d.ref, d.native)]
        return f"{sig}: {a} {ev[0]} / {b} {ev[1]}"
    return f"{sig}: " + "; ".join(f"{d.kind} {a} {d.ref} / {b} {d.native}" for d in ds[:1])


@dataclass
class Finding:
    seed: int
    sig: str  # how the runs differ, coarsely: what a shrink keeps
    text: str  # the program (shrunk once the campaign has shrunk it)
    original_lines: int
    report: str = ""
    partial: bool = False  # the deadline stopped its shrinking
    go_text: str = ""  # a three-way finding (``--go``): the program's Go form
    oracles: str = "ref/native"  # the runs that disagree (three ways: the pairs, ``oracles3``)
    key: str = ""  # what findings are de-duplicated by: the oracles and ``bucket``


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _too_long(o: Outcome) -> bool:
    return o.status == 3 and o.stderr.startswith(_STEP_LIMIT)


def ended_like_go(o: Outcome) -> bool:
    """An end a Go program could have, whatever the schedule: status 0 with nothing on
    stderr, a panic or fatal error report with status 2, or the step budget.  What a run with
    several workers is judged by, since its output depends on the schedule."""
    err = o.stderr.decode(errors="replace")
    return (
        (o.status == 0 and not err)
        or (o.status == 2 and (err.startswith(("panic: ", "fatal error: ")) or "\npanic: " in err))
        or _too_long(o)
    )


def check_text(text: str, seed: int, *, opt: str = "-O0", limits: Limits = LIMITS) -> tuple[str | None, str]:
    """Run one program text on both backends: (signature or None, a report)."""
    try:
        prog = load(text, "fuzz.gox")
    except ProgramError as e:
        return None, f"does not load: {e}"
    try:
        ref = run_ref(prog, seed, limits.steps, limits.ref_depth())
    except Exception as e:  # a bug of the reference is a finding too
        return f"reference exception {type(e).__name__}", repr(e)
    if _too_long(ref):
        return None, "too long for the fuzz budget"
    try:
        exe = native.build_batch([prog], opt=opt, limits=limits, cc=native.fast_compiler())
    except native.NativeBuildError as e:
        return "native build failure", str(e)
    try:
        nat = native.run_exe(exe, seed, index=0, trace=True, timeout=NATIVE_TIMEOUT)
    finally:
        _discard(exe)
    sig = signature(ref, nat)
    rep = "" if sig is None else diff.DiffResult("fuzz.gox", seed, len(ref.extra["trace"]), diff.compare(ref, nat)).render()
    return sig, rep


# -- shrinking ------------------------------------------------------------------------------------
def _units(lines: list[str]) -> list[tuple[int, int]]:
    """Removable line ranges: every line that is not a block's closer, extended to its
    matching ``}`` when it opens a block (``} else {`` continues the block)."""
    units: list[tuple[int, int]] = []
    stack: list[int] = []
    for i, ln in enumerate(lines):
        s = ln.strip()
        if s.startswith("}"):
            if stack and not s.endswith("{"):
                units.append((stack.pop(), i))
            continue
        if s.endswith("{"):
            stack.append(i)
        elif s:
            units.append((i, i))
    return units


def _branches(lines: list[str], a: int, b: int) -> list[tuple[int, int]]:
    """The bodies (line ranges) of the block from line ``a`` to its closer ``b``: one, or one
    per branch of an if/else chain."""
    out: list[tuple[int, int]] = []
    lo, depth = a + 1, 0
    for j in range(a + 1, b):
        st = lines[j].strip()
        if st.startswith("}"):
            if depth == 0:  # `} else {` of this block
                out.append((lo, j))
                lo = j + 1
                continue
            depth -= 1
        if st.endswith("{"):
            depth += 1
    out.append((lo, b))
    return out


def _loads(lines: list[str]) -> bool:
    try:
        load("\n".join(lines) + "\n", "shrink.gox")
    except ProgramError:
        return False
    return True


def shrink(
    text: str, still_fails: Callable[[str], bool], max_tests: int = 400, deadline: float | None = None
) -> str:
    """Greedily remove functions, statements and blocks (and unwrap blocks) from the program
    while it still loads and ``still_fails``; at most ``max_tests`` runs of the predicate, and
    none after ``deadline`` (``time.monotonic()``)."""
    return _shrink(text, still_fails, max_tests, deadline)[0]


def _shrink(
    text: str, still_fails: Callable[[str], bool], max_tests: int, deadline: float | None
) -> tuple[str, bool]:
    """``shrink``, and whether the deadline stopped it."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    tests = 0
    changed = True
    while changed and tests < max_tests:
        changed = False
        for a, b in sorted(_units(lines), key=lambda u: (-u[0], u[0] - u[1])):
            if b >= len(lines) or tests >= max_tests:
                continue
            if lines[a].startswith("func main("):
                continue
            cands = [lines[:a] + lines[b + 1:]]
            if b > a and not lines[a].strip().startswith("func "):  # unwrap: keep one branch's body
                cands += [lines[:a] + lines[lo:hi] + lines[b + 1:] for lo, hi in _branches(lines, a, b)]
            for cand in cands:
                if not _loads(cand):
                    continue
                if _past(deadline):
                    return "\n".join(lines) + "\n", True
                tests += 1
                if still_fails("\n".join(cand) + "\n"):
                    lines = cand
                    changed = True
                    break
    return "\n".join(lines) + "\n", False


# -- three ways: the reference, the native backend and Go (``--go``) ---------------------------
GO_BATCH = 32  # programs per Go build (and native build) in a three-way campaign
GO_TIMEOUT = 10.0
SHRINK_TESTS_GO = 300  # at most this many candidate runs per three-way finding
SHRINK_BATCH = 12  # shrinking candidates built and run at once (one cc and one go build)


class Verdict(NamedTuple):
    """One program's three runs judged: its signature (None: they agree), a report, and for a
    finding its oracles (the pairs of runs that disagree) and key (``Finding.key``)."""

    sig: str | None
    report: str
    oracles: str = ""
    key: str = ""


_PAIRS = ("ref/native", "ref/go", "native/go")


def signature3(ref: Outcome, nat: Outcome, go: Outcome) -> str | None:
    """How the three runs disagree, coarsely (None: they agree): the two backends compared as
    the two-way fuzzer compares them, each compared with Go as the corpus's twins are
    (``diff.compare_go``: status, stdout, Go's report before its first blank line)."""
    return judge3(ref, nat, go).sig


def judge3(ref: Outcome, nat: Outcome, go: Outcome) -> Verdict:
    """``signature3`` with the oracles and the key: the pairs that disagree, each with its
    ``bucket`` (a backend against Go: of ``diff.compare_go``'s differences); no report yet."""
    parts, pairs, keys = [], [], []
    rn = signature(ref, nat)
    if rn is not None:
        parts.append(f"ref/native: {rn}")
        pairs.append("ref/native")
        keys.append(bucket(ref, nat, rn))
    if go.status == native.STATUS_TIMEOUT and ref.status != native.STATUS_TIMEOUT:
        parts.append("go timeout")
        pairs += ["ref/go", "native/go"]
        keys.append("go timeout")
    else:
        rg, ng = diff.compare_go("ref", ref, go), diff.compare_go("native", nat, go)
        if rg and ng:
            parts.append(f"ref and native vs go: {rg[0].kind} differs")
        elif rg or ng:
            parts.append(f"{'ref' if rg else 'native'} vs go: {(rg or ng)[0].kind} differs")
        for name, ds in (("ref", rg), ("native", ng)):
            if ds:
                pairs.append(f"{name}/go")
                keys.append(_bucket(ds, f"{ds[0].kind} differs"))
    if not parts:
        return Verdict(None, "")
    oracles = ", ".join(pairs)
    return Verdict("; ".join(parts), "", oracles, f"{oracles}: " + "; ".join(keys))


def _failed(sig: str, report: str, side: str) -> Verdict:
    """A run that failed before any comparison (it raised, or did not build): it disagrees
    with both others."""
    oracles = ", ".join(p for p in _PAIRS if side in p.split("/"))
    return Verdict(sig, report, oracles, f"{oracles}: {sig}")


def report3(file: str, seed: int, release: str, ref: Outcome, nat: Outcome, go: Outcome) -> str:
    """The three runs' differences: the two backends' (``diff.DiffResult``), then each with Go's
    (``diff.GoDiff``)."""
    two = diff.DiffResult(file, seed, len(ref.extra["trace"]), diff.compare(ref, nat))
    goes = {name: diff.compare_go(name, o, go) for name, o in (("ref", ref), ("native", nat))}
    return two.render() + "\n" + diff.GoDiff(file, gotwin.twin_of(Path(file)).name, release, goes).render()


def _go_build(go: gotwin.Go, sources: list[str], tmp: Path) -> Path | str:
    """``gotwin.build_batch``, or Go's message if the batch does not build."""
    try:
        return gotwin.build_batch(go, sources, tmp)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        return str(e)


def run3(progs: list[fuzzgen.Prog], go: gotwin.Go, opt: str = "-O0",
         names: Callable[[fuzzgen.Prog], str] | None = None, limits: Limits = LIMITS) -> list[Verdict]:
    """Run abstract programs three ways, as one batch: each on the reference, then all built at
    once natively (``native.build_batch``) and with Go (``gotwin.build_batch``; the two builds
    in parallel), each run in its own process on both.  Per program its ``Verdict``; a program
    over the reference's step budget is (None, "too long ...").  A batch
    that does not build is run one program at a time, so that the failure is the program's."""
    loaded: list[Program] = []
    refs: list[Outcome | str] = []
    for p in progs:
        prog, ref = _load_and_run(p.gox(), p.seed, limits)
        loaded.append(prog)
        refs.append(ref)
    with tempfile.TemporaryDirectory(prefix="gox-fuzz-go-") as tmp, ThreadPoolExecutor(1) as pool:
        gofut = pool.submit(_go_build, go, [p.go() for p in progs], Path(tmp))
        try:
            nexe: Path | str = native.build_batch(loaded, opt=opt, limits=limits, cc=native.fast_compiler())
        except native.NativeBuildError as e:
            nexe = str(e)
        gexe = gofut.result()
        try:
            if len(progs) > 1 and (isinstance(nexe, str) or isinstance(gexe, str)):
                return [run3([p], go, opt, names, limits)[0] for p in progs]
            out: list[Verdict] = []
            for k, (p, ref) in enumerate(zip(progs, refs, strict=True)):
                if isinstance(ref, str):
                    out.append(_failed(ref.split(":")[0], ref, "ref"))
                elif _too_long(ref):
                    out.append(Verdict(None, "too long for the fuzz budget"))
                elif isinstance(nexe, str):
                    out.append(_failed("native build failure", nexe, "native"))
                elif isinstance(gexe, str):
                    out.append(_failed("go build failure", gexe, "go"))
                else:
                    nat = native.run_exe(nexe, p.seed, index=k, trace=True, timeout=NATIVE_TIMEOUT)
                    theirs = gotwin.run_batch_exe(gexe, k, GO_TIMEOUT)
                    v = judge3(ref, nat, theirs)
                    name = names(p) if names else "fuzz.gox"
                    out.append(v if v.sig is None else v._replace(
                        report=report3(name, p.seed, go.release, ref, nat, theirs)))
            return out
        finally:
            if not isinstance(nexe, str):
                _discard(nexe)


def run_batch_go(
    seeds: list[int], opt: str = "-O0", do_shrink: bool = True, deadline: float | None = None, limits: Limits = LIMITS
) -> BatchResult:
    """``run_batch`` three ways (``run3``); no program starts after ``deadline``.  Writes
    nothing, as ``run_batch``."""
    with _young_gc_after():
        return _run_batch_go(seeds, opt, do_shrink, deadline, limits)


def _run_batch_go(seeds: list[int], opt: str, do_shrink: bool, deadline: float | None, limits: Limits) -> BatchResult:
    go = gotwin.find_go()
    res = BatchResult()
    lib = native.library()
    progs = []
    for seed in seeds:
        if _past(deadline):
            break
        got = _draw(seed, fuzzgen.generate, fuzzgen.Prog.gox, lib)
        if got is None:
            res.left_out += 1
        else:
            progs.append(got[1])
    if not progs:
        return res
    for p, v in zip(progs, run3(progs, go, opt, lambda p: f"fuzz-{p.seed}.gox", limits), strict=True):
        res.programs += 1
        if v.report.startswith("too long"):
            res.skipped += 1
        if v.sig is not None:
            text = p.gox()
            res.findings.append(Finding(p.seed, v.sig, text, len(text.splitlines()), v.report,
                                        go_text=p.go(), oracles=v.oracles, key=v.key))
    if do_shrink:
        _shrink_all(res, opt, deadline, limits)
    return res


def _shrink_go(f: Finding, opt: str, deadline: float | None, max_tests: int, limits: Limits = LIMITS) -> Finding:
    """A three-way finding shrunk on its abstract program (both forms re-rendered each time),
    ``SHRINK_BATCH`` candidates built and run at once.  The program is generated again from
    the seed (a pure function of it), so the finding travels as text and any process can
    shrink it.  A disagreement of the backends alone is shrunk by the two-way check, one
    candidate at a time: Go's part cannot be lost."""
    go = gotwin.find_go()
    p = fuzzgen.generate(f.seed)
    last = [f.report]
    two_way = f.sig.startswith("ref/native: ") and ";" not in f.sig

    def first_same(cands: list[fuzzgen.Prog]) -> int | None:
        if two_way:
            got, rep = check_text(cands[0].gox(), cands[0].seed, opt=opt, limits=limits)
            results = [Verdict(None if got is None else f"ref/native: {got}", rep)]
        else:
            results = run3(cands, go, opt, limits=limits)
        for i, v in enumerate(results):
            if v.sig == f.sig:
                last[0] = v.report
                return i
        return None

    small, partial = fuzzgen.shrink(p, first_same, max_tests, deadline, batch=1 if two_way else SHRINK_BATCH)
    return dataclasses.replace(f, text=small.gox(), go_text=small.go(), report=last[0], partial=partial)


# -- campaigns ------------------------------------------------------------------------------------
@dataclass
class BatchResult:
    programs: int = 0
    skipped: int = 0
    findings: list[Finding] = field(default_factory=list)
    shrink_seconds: float = 0.0
    left_out: int = 0  # slots with no program the library can run (REDRAWS)


@contextlib.contextmanager
def _young_gc_after() -> Iterator[None]:
    """Python's cyclic collector paused while a batch runs, then one collection of the young
    generation, which then holds exactly the batch's objects (nothing is promoted while the
    collector is off).  A program leaves thousands of cycles (AST, closures, the reference's
    heap); at the default thresholds the collector ran every few hundred allocations, and
    traversed the older generations too, for about a tenth of a campaign's CPU time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if was:
            gc.enable()


def run_batch(
    seeds: list[int], opt: str = "-O0", do_shrink: bool = True, deadline: float | None = None, limits: Limits = LIMITS
) -> BatchResult:
    """Generate, run and compare one batch of programs (one native build); no program starts
    after ``deadline`` (``time.monotonic()``), and shrinking stops there.  A pure function of
    its arguments that writes nothing: a campaign may run a batch again (a lost worker)."""
    with _young_gc_after():
        return _run_batch(seeds, opt, do_shrink, deadline, limits)


def _draw(seed: int, gen: Callable[[int], T], gox: Callable[[T], str], lib: native.Library) -> tuple[int, T] | None:
    """The program of ``seed`` or, where the library lacks a symbol it calls, of the first
    redraw it can run (REDRAWS); None when none of them can run."""
    if lib.symbols >= ALL_SYMBOLS:  # (the whole ABI: every program runs; no load to check)
        return seed, gen(seed)
    for k in range(REDRAWS):
        s = seed + k * REDRAW_STRIDE
        p = gen(s)
        try:
            if native.skip_reason(load(gox(p), f"fuzz-{s}.gox"), lib) is None:
                return s, p
        except ProgramError:  # (a generator's bug: keep the program, the campaign reports it)
            return s, p
    return None


def _run_batch(seeds: list[int], opt: str, do_shrink: bool, deadline: float | None, limits: Limits) -> BatchResult:
    res = BatchResult()
    lib = native.library()
    drawn: list[int] = []
    texts: list[str] = []
    progs: list[Program] = []
    refs: list[Outcome | str] = []
    for seed in seeds:
        if _past(deadline):
            break
        got = _draw(seed, generate, str, lib)
        if got is None:
            res.left_out += 1
            continue
        s, text = got
        drawn.append(s)
        texts.append(text)
        prog, ref = _load_and_run(text, s, limits)
        progs.append(prog)
        refs.append(ref)
    if not progs:
        return res
    seeds = drawn
    try:
        exe: Path | None = native.build_batch(progs, opt=opt, limits=limits, cc=native.fast_compiler())
    except native.NativeBuildError:
        exe = None
    try:
        _compare_batch(res, texts, seeds, refs, exe, opt, limits)
    finally:
        if exe is not None:
            _discard(exe)
    if do_shrink:
        _shrink_all(res, opt, deadline, limits)
    return res


def _load_and_run(text: str, seed: int, limits: Limits = LIMITS) -> tuple[Program, Outcome | str]:
    """A generated program loaded and run on the reference; an exception of the reference is
    a finding (its text), not the campaign's end."""
    prog = load(text, f"fuzz-{seed}.gox")
    try:
        return prog, run_ref(prog, seed, limits.steps, limits.ref_depth())
    except Exception as e:
        return prog, f"reference exception {type(e).__name__}: {e}"


def _discard(exe: Path) -> None:
    """A fuzz build is used once: keep it out of the build cache (it would grow by gigabytes)."""
    for p in (exe, exe.with_suffix(".c")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _compare_batch(
    res: BatchResult, texts: list[str], seeds: list[int], refs: list[Outcome | str], exe: Path | None, opt: str,
    limits: Limits = LIMITS,
) -> None:
    for k, (text, seed, ref) in enumerate(zip(texts, seeds, refs, strict=True)):
        res.programs += 1
        if isinstance(ref, Outcome) and _too_long(ref):
            res.skipped += 1
            continue
        nat: Outcome | None = None
        if isinstance(ref, str):
            sig: str | None = ref.split(":")[0]
            report = ref
        elif exe is None:
            sig, report = check_text(text, seed, opt=opt, limits=limits)
        else:
            nat = native.run_exe(exe, seed, index=k, trace=True, timeout=NATIVE_TIMEOUT)
            sig = signature(ref, nat)
            report = "" if sig is None else diff.DiffResult(
                f"fuzz-{seed}.gox", seed, len(ref.extra["trace"]), diff.compare(ref, nat)).render()
        if sig is None:
            continue
        key = bucket(ref if isinstance(ref, Outcome) else None, nat, sig)
        f = Finding(seed, sig, text, len(text.splitlines()), report)
        f.key = f"{f.oracles}: {key}"
        res.findings.append(f)


def shrink_finding(
    f: Finding, opt: str = "-O0", deadline: float | None = None, max_tests: int | None = None,
    limits: Limits = LIMITS,
) -> tuple[Finding, float]:
    """``f`` with its program shrunk (each candidate keeps ``f.sig``; at most ``max_tests``
    runs, default ``SHRINK_TESTS``), and the seconds it took.  A three-way finding
    (``f.go_text``) is shrunk on its abstract program (``_shrink_go``, default
    ``SHRINK_TESTS_GO``)."""
    t0 = time.monotonic()
    if f.go_text:
        small = _shrink_go(f, opt, deadline, SHRINK_TESTS_GO if max_tests is None else max_tests, limits)
        return small, time.monotonic() - t0
    last = [f.report]  # the report of the last candidate kept: the shrunk program's

    def same_failure(cand: str) -> bool:
        got, rep = check_text(cand, f.seed, opt=opt, limits=limits)
        if got == f.sig:
            last[0] = rep
        return got == f.sig

    text, partial = _shrink(f.text, same_failure, SHRINK_TESTS if max_tests is None else max_tests, deadline)
    return dataclasses.replace(f, text=text, report=last[0], partial=partial), time.monotonic() - t0


def _shrink_all(res: BatchResult, opt: str, deadline: float | None, limits: Limits = LIMITS) -> None:
    """Every finding of the batch shrunk (``run_batch``'s ``do_shrink``: outside campaigns)."""
    for i, f in enumerate(res.findings):
        res.findings[i], took = shrink_finding(f, opt, deadline, limits=limits)
        res.shrink_seconds += took


def write_finding(out_dir: Path, f: Finding) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{f.seed}.gox"
    body = "".join(ln + "\n" for ln in f.text.splitlines() if not ln.startswith("// gox-ref fuzz program"))
    rep = "".join(f"//   {ln}\n" for ln in f.report.splitlines())
    how = "partly shrunk (the time budget ran out)" if f.partial else "shrunk"
    go = " --go" if f.go_text else ""
    lib = native.library()  # (the campaign's: the library under test, named or the package's)
    named = f" --lib {lib.path}" if native.named_library() else ""
    head = (f"// gox-ref fuzz finding {f.seed}: {f.sig} ({how} from {f.original_lines} lines)\n"
            f"// reproduce: gox-ref diff{go} {path} --seed {f.seed}{named}\n"
            f"// library: {lib.path} (sha256 {lib.digest})\n")
    if f.go_text:  # the Go twin first: a finding is never a .gox without its .go
        go_body = "".join(ln + "\n" for ln in f.go_text.splitlines() if not ln.startswith("// gox-ref fuzz"))
        gotwin.twin_of(path).write_text(f"{head}{rep}\n{go_body}")
    path.write_text(f"{head}{rep}\n{body}")
    return path


class _Progress:
    """Progress on stderr: a bar on a terminal (gox_program/terminal.py: tqdm, not under CI),
    else a line every 5 s.  It leaves no final line: the caller prints the summary, once."""

    def __init__(self, stream: TextIO, seconds: float, limit: int | None) -> None:
        self.stream = stream
        self.seconds = seconds
        self.limit = limit
        self.t0 = time.monotonic()
        self.last = self.t0
        # (a campaign of --programs counts programs; one of --seconds counts seconds)
        self.bar = terminal.bar(stream, limit or seconds, "fuzz", "program" if limit else "s")

    def update(self, n: int, found: int) -> None:
        now = time.monotonic()
        el = now - self.t0
        rate = n / el if el > 0 else 0.0
        if not self.bar.disable:
            self.bar.n = min(n, self.limit) if self.limit else min(round(el), int(self.seconds))
            count = "" if self.limit else f"{n} programs, {rate:.1f}/s, "  # (a bar of programs shows them)
            self.bar.set_postfix_str(f"{count}{found} divergences")
            return
        goal = f"{n}/{self.limit}" if self.limit else f"{el:.0f}/{self.seconds:.0f} s"
        if now - self.last >= 5.0 and not (n >= self.limit if self.limit else el >= self.seconds):
            self.last = now  # (at the end the summary says it: no progress line just before it)
            self.stream.write(f"fuzz: {n} programs ({goal}), {rate:.1f}/s, {found} divergences\n")
            self.stream.flush()

    def done(self) -> None:
        self.bar.close()  # (leave=False: the bar is cleared)


@dataclass
class Summary:
    programs: int
    skipped: int
    seconds: float  # the whole campaign, shrinking included
    findings: list[Finding]  # one per ``Finding.key``: the first program (in seed order) of each
    paths: list[Path | None]  # per finding: its file, or None if it could not be written
    write_errors: list[str] = field(default_factory=list)  # why (``cannot write PATH: reason``)
    shrink_seconds: float = 0.0  # of ``seconds``, spent shrinking (summed over workers)
    duplicates: int = 0  # findings left out: the same key as an earlier one
    left_out: int = 0  # program slots the library could run no draw of (REDRAWS)

    @property
    def rate(self) -> float:
        return self.programs / self.seconds if self.seconds > 0 else 0.0


def _batches(seed: int, limit: int | None, batch: int) -> Iterator[list[int]]:
    k = 0
    while limit is None or k < limit:
        n = batch if limit is None else min(batch, limit - k)
        yield [seed * STREAM + k + j for j in range(n)]
        k += n


class CampaignError(Exception):
    """The campaign cannot go on: its cluster cannot be reached, or a task was lost for good."""


class Collector:
    """The client's side of a campaign: it takes the batches' results in batch order (so the
    finding kept for a key is the lowest seed's whatever the workers), keeps the first finding
    of each key (``new``: to shrink, once), and writes each shrunk one (``shrunk``)."""

    def __init__(self, out_dir: Path, bar: _Progress | None) -> None:
        self.out_dir = out_dir
        self.bar = bar
        self.summary = Summary(0, 0, 0.0, [], [])
        self.keys: set[str] = set()
        self.found = 0  # unique findings, shrunk or not yet

    def new(self, r: BatchResult) -> list[Finding]:
        s = self.summary
        s.programs += r.programs
        s.skipped += r.skipped
        s.left_out += r.left_out
        fresh = []
        for f in r.findings:
            if f.key in self.keys:
                s.duplicates += 1
            else:
                self.keys.add(f.key)
                fresh.append(f)
        self.found += len(fresh)
        self._show()
        return fresh

    def shrunk(self, f: Finding, seconds: float = 0.0) -> None:
        s = self.summary
        s.shrink_seconds += seconds
        s.findings.append(f)
        try:
            s.paths.append(write_finding(self.out_dir, f))
        except OSError as e:  # keep the finding (the caller shows it) and the campaign going
            s.paths.append(None)
            s.write_errors.append(f"cannot write {e.filename or self.out_dir}: {e.strerror or e}")

    def _show(self) -> None:
        if self.bar is not None:
            self.bar.update(self.summary.programs, self.found)


def campaign(
    *, seconds: float = 60.0, seed: int = 0, out_dir: Path = Path("fuzz-out"), workers: int = 1,
    programs: int | None = None, batch: int = BATCH, opt: str = "-O0", progress: TextIO | None = None,
    do_shrink: bool = True, scheduler: str | None = None, shrink_tests: int | None = None, go: bool = False,
    limits: Limits = LIMITS,
) -> Summary:
    """Run programs until ``seconds`` have passed, shrinking included (or until ``programs``
    have run): in process, or on a Dask cluster (``scheduler``'s, else a local one of
    ``workers`` processes when ``workers`` > 1, gox_program/cluster.py); de-duplicate the
    findings by key, shrink each kept one once (at most ``shrink_tests`` candidate runs,
    default ``SHRINK_TESTS``, ``SHRINK_TESTS_GO`` three ways) and write it to ``out_dir``.
    ``go``: the three-way campaign (``run_batch_go``, batches of ``GO_BATCH``;
    gotwin.GoUnavailable without Go)."""
    check_seed(seed, MAX_CAMPAIGN_SEED - 1)
    native.library()
    native.compiler()
    if go:
        gotwin.find_go()
        batch = GO_BATCH if batch == BATCH else batch
    one = run_batch_go if go else run_batch
    t0 = time.monotonic()
    deadline = t0 + seconds if programs is None else None
    bar = _Progress(progress, seconds, programs) if progress is not None else None
    col = Collector(out_dir, bar)
    gen = _batches(seed, programs, batch)
    if scheduler is None and workers <= 1:
        for seeds in gen:
            if _past(deadline):
                break
            for f in col.new(one(seeds, opt, False, deadline, limits)):
                col.shrunk(*shrink_finding(f, opt, deadline, shrink_tests, limits) if do_shrink else (f,))
    else:
        from . import cluster  # (distributed takes a second to import: only campaigns that use it)

        tests = (SHRINK_TESTS_GO if go else SHRINK_TESTS) if shrink_tests is None else shrink_tests
        cluster.run(gen, col, scheduler=scheduler, workers=workers, opt=opt, deadline=deadline,
                    shrink_tests=tests if do_shrink else 0, go=go, limits=limits)
    if bar is not None:
        bar.done()
    s = col.summary
    s.seconds = time.monotonic() - t0
    order = sorted(range(len(s.findings)), key=lambda i: s.findings[i].seed)  # (shrinks end in any order)
    s.findings, s.paths = [s.findings[i] for i in order], [s.paths[i] for i in order]
    return s


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
