"""Compiles a checked program to one C translation unit: the native backend.

The C calls the ``gox_*`` ABI directly, as JIT-compiled code would, and does exactly what the
reference's interpreter (``interp.py``) does, call for call, so the runtime sees the same ABI
calls with the same arguments in the same order -- and therefore allocates, collects and prints
the same.  The scheme (docs/PROGRAM_FORMAT.md, "Running a program"):

* **The translation unit.** Four ``#define``s (``GX_SCHED``: the library has the scheduler;
  ``GX_NSTR``: the string literals; ``GX_FUEL``: the step budget; ``GX_MAX_DEPTH``: the frame
  limit), ``#include "gox_prog.h"`` (``gox_ref_native/gox_prog.h``: the glue every program
  shares, compiled and warning-checked on its own by ``make -C gox_ref_native prog-check``),
  then the program's own definitions (``CCompiler.body``).
* **Functions.** Program function ``f`` becomes ``static R gx_f_f(GoxShadowFrame **gx_top,
  uint64_t p0, ...)`` (``gx_top``: the goroutine's shadow-stack slot, below): every
  value is a ``uint64_t`` slot (i64 two's complement, f64 IEEE bits, bool 0/1, ref the
  address).  No result: ``void``; one: ``uint64_t``; several: ``void`` with a last parameter
  ``uint64_t *gx_res`` the callee fills (an out-array of as many slots as results).
* **Entries.** Per function an adapter with the ABI's C calling convention (docs/SCHEDULER.md
  section 3), ``uint64_t gx_e_f(const uint64_t *args, uint32_t nargs)``, registered in the
  function table at start (``gox_init_func_table(N + 1)``, ``gox_set_func_ptr``); ``tcall``,
  ``ccall``, ``go``, ``defer`` and ``&f`` go through it.  It returns the first result; further
  results of a multi-result entry are left in the goroutine's ``gox_shadow_results()[1..]``
  for the compiled caller to read at once (per goroutine: parallel workers never share them).
* **Literals and globals.** ``gox_init_globals(G + S)``: program globals first, then one
  reference global per string literal, each allocated once at start with
  ``gox_rt_string_from_ptr`` and kept in ``gx_str[]`` (the interpreter does the same).
  Program globals are read and written with ``gox_rt_get_global``/``gox_rt_set_global``.
* **Integers and floats.** Wrap-around by ``uint64_t`` arithmetic, comparisons through
  ``int64_t`` or doubles, f64 values as IEEE bits (``gx_f``/``gx_b``: ``memcpy`` bit casts);
  division, remainder, shifts and float-to-integer conversions call gox_prog.h's ``gx_sdiv``
  ... ``gx_f2u``, Go's rules, which are the interpreter's ``ops.py`` under the same names.
* **Rooting.** The rule and the frame record's layout are docs/PROGRAM_FORMAT.md's,
  "Rooting": each function's record ``F`` (``GoxShadowFrame``) with its slots ``S[]``
  (``GX_RES``: where the results start), pushed on the goroutine's slot ``gx_top``; the
  temporaries are ``_rooted_list``'s.  The record also counts the depth (``GX_MAX_DEPTH``, the
  interpreter's limit of frames per goroutine: ``fatal error: stack overflow``).
* **Errors.** After every ABI call that can fail, the runtime's error record is checked
  (``gox_error_flag``).  Without the scheduler a panic prints Go's report for goroutine 1
  (docs/SCHEDULER.md section 4) and exits 2 (its message string is allocated with the
  collector paused first, as the reference's panic value is); a fatal error prints ``fatal
  error: MSG`` and exits 2; a broken ABI contract prints ``gox-ref: ABI error:
  MSG`` and exits 3 (the reference's runner statuses).  Integer division by zero, negative
  shift counts and nil function calls raise run-time errors the same way.  With the scheduler
  (``sched=True``) a run-time error becomes ``gox_panic`` of a ``runtime.Error`` string (the
  reference's panic value), which unwinds to the innermost defer frame; fatal and ABI errors
  still end the program at once, as in the reference.
* **Defer frames** (``sched=True`` only): ``fr = gox_defer_frame_enter(); if
  (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) { gox_shadow_unwind(&F); goto out; } ...
  out: gox_defer_frame_exit(fr);`` -- a recovered panic resumes at ``out`` with the shadow
  stack cut back to the function's own record (the runtime has already restored the top it had
  at ``gox_defer_frame_enter`` -- this record -- before running the frame's deferred calls for
  a panic, so unwound callees' records are no roots then; hence push before enter).  Results live in a ``volatile`` array so a
  recovered function returns what its last ``return`` set (zero if none ran), as the
  interpreter does.  Without the scheduler, a function that only needs a frame because its id
  is taken (``&f``) gets none: a frame with no deferred call and no recover has no effect.
* **Runner limits.** The interpreter's step budget (20,000,000 calls and loop iterations) is
  counted the same way (``gox-ref: step limit exceeded ...``, status 3).

* **Batches.** ``compile_batch`` puts several programs in one translation unit (the fuzzer's
  builds): the defines and gox_prog.h once (``GX_NSTR``: the largest program's literals), each
  program's own definitions renamed ``gxp<k>_*``.

Only warnings the generated code cannot avoid are silenced, by gox_prog.h's pragmas (it builds
with ``-std=c11 -Wall -Wextra -Werror``): ``-Winfinite-recursion`` and GCC's ``-Wclobbered``
(false positives about locals that are never read after a defer frame's longjmp); unused
parameters and values are cast to void.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from gox_abi.abi import BY_NAME
from gox_abi.checks import INT_RANGES
from gox_abi.errors import NIL_DEREF

from .check import ABI_SIGS, AbiSig
from .limits import DEFAULT_STEPS, depth_message, steps_message
from .ops import M64, f64_bits
from .syntax import (
    Assign,
    Binary,
    Block,
    BoolLit,
    Break,
    Call,
    Checkpoint,
    Continue,
    Expr,
    ExprStmt,
    FloatLit,
    For,
    FuncAddr,
    FuncDecl,
    GoStmt,
    If,
    IntLit,
    KindConst,
    Name,
    NilLit,
    Program,
    Return,
    Stmt,
    StrLit,
    TCall,
    Unary,
    VarDecl,
    calls_after,
    left_spine,
    subexprs,
)

_SIGNED_C = ("int64_t", "int32_t", "int16_t", "int8_t")


def _plain_expr(e: Expr) -> bool:
    """Whether evaluating e can neither call (a function, an ABI symbol that may switch
    goroutines, a conversion) nor panic (a division or shift by a non-constant)."""
    for x in subexprs(e):
        if isinstance(x, (Call, TCall, FuncAddr)):
            return False
        if isinstance(x, Binary):
            if x.op in ("/", "%") and not (isinstance(x.y, IntLit) and x.y.value != 0):
                return False
            if x.op in ("<<", ">>") and not isinstance(x.y, IntLit):
                return False
    return True


def _abi_stmt(s: Stmt | None, name: str) -> Call | None:
    if isinstance(s, ExprStmt) and isinstance(s.expr, Call) and s.expr.how == "abi" and s.expr.name == name:
        return s.expr
    return None


def _same_local(a: Expr, b: Expr) -> bool:
    return isinstance(a, Name) and isinstance(b, Name) and a.slot >= 0 and a.slot == b.slot


def _store_with_barrier(s: Stmt, nxt: Stmt | None) -> Call | None:
    """The write of ``s`` when s and nxt are ``gox_gc_write_slot(o, i, v)`` and
    ``gox_rt_write_barrier(o, v)`` on the same locals o and v (nothing runs between them that
    could change them), else None: the pair compiles to one gox_gc_write_slot_barrier."""
    write, barrier = _abi_stmt(s, "gox_gc_write_slot"), _abi_stmt(nxt, "gox_rt_write_barrier")
    if write is None or barrier is None:
        return None
    (obj, idx, val), (parent, child) = write.args, barrier.args
    if _same_local(obj, parent) and _same_local(val, child) and _plain_expr(idx):
        return write
    return None


def _plain_stmt(s: Stmt | Block | None) -> bool:
    """Whether running s can neither call nor panic (_plain_expr): a loop made of such
    statements keeps the step budget in a local (CCompiler._for)."""
    if s is None:
        return True
    if isinstance(s, Block):
        return all(_plain_stmt(x) for x in s.stmts)
    if isinstance(s, VarDecl):
        return s.init is None or _plain_expr(s.init)
    if isinstance(s, Assign):
        return _plain_expr(s.value)
    if isinstance(s, If):
        return _plain_expr(s.cond) and _plain_stmt(s.then) and _plain_stmt(s.els)
    if isinstance(s, For):
        return _plain_stmt(s.init) and _plain_loop(s)
    if isinstance(s, (Break, Continue)):
        return True
    if isinstance(s, Return):
        return all(_plain_expr(v) for v in s.values)
    return False  # a call statement, go, a checkpoint


def _plain_loop(s: For) -> bool:
    """Whether the repeated part of a loop (its condition, body and post statement; not its
    init, which runs once before it) can neither call nor panic."""
    return (s.cond is None or _plain_expr(s.cond)) and _plain_stmt(s.post) and _plain_stmt(s.body)


def c_string(data: bytes) -> str:
    """A C string literal holding exactly ``data`` (octal escapes for anything unusual)."""
    out = []
    for b in data:
        ch = chr(b)
        if 0x20 <= b < 0x7F and ch not in '"\\?':
            out.append(ch)
        else:
            out.append(f"\\{b:03o}")
    return '"' + "".join(out) + '"'


def _u(v: int) -> str:
    return f"UINT64_C({v & M64:#x})"


# Raw slot accesses that unchecked mode compiles to a load or a store (gx_slots).
INLINE_SLOTS = ("gox_gc_read_slot", "gox_gc_write_slot")


@dataclass
class AbiCall:
    """How one ABI symbol is called from C: per Python parameter, its C form."""

    name: str
    params: list[tuple[str, str, str]]  # (py name, class, C type): class is ref/raw/bool/int/bytes/cstr
    ret: str  # the C return type
    outs: list[tuple[str, str]]  # (C type without '*', name) of the out-parameters


def abi_call_shape(name: str) -> AbiCall:
    sym = BY_NAME[name]
    cparams = sym.c_params
    ctype = {n: t for t, n in cparams}
    sig = ABI_SIGS[name]
    assert isinstance(sig, AbiSig), name
    params = []
    for pname, cls in zip(sym.py_params, sig.params, strict=True):
        t = ctype[pname]
        if cls == "bytes":
            cls = "bytes" if f"{pname}_len" in ctype else "cstr"
        params.append((pname, cls, t))
    outs = [(t.replace("*", "").strip(), n) for t, n in cparams if n.startswith("out_")]
    return AbiCall(name, params, sym.c_return, outs)


@dataclass
class _Fn:
    """Per-function code generation state."""

    decl: FuncDecl
    lines: list[str] = field(default_factory=list)
    ntmp: int = 0
    nlabel: int = 0
    temp_depth: int = 0  # reference temporaries live now (static)
    max_temps: int = 0
    ref_index: dict[int, int] = field(default_factory=dict)  # slot -> index in S
    frame: bool = False  # has a defer frame (sched only)
    loops: list[str] = field(default_factory=list)  # continue labels
    fuel_local: bool = False  # inside a plain loop: the step budget is in gx_lf (_for)
    used_labels: set[str] = field(default_factory=set)
    indent: int = 1

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def tmp(self) -> str:
        self.ntmp += 1
        return f"t{self.ntmp}"

    def label(self, what: str) -> str:
        self.nlabel += 1
        return f"gx_{what}{self.nlabel}"


class CCompiler:
    """Program (checked) -> C source text."""

    def __init__(
        self, prog: Program, *, sched: bool = False, names: bool = False, source_name: str = "", fuel: int = DEFAULT_STEPS,
        max_depth: int | None = None,
    ) -> None:
        self.prog = prog
        self.sched = sched
        self.fuel = fuel  # the step budget (the interpreter's ``fuel``)
        self.max_depth = max_depth or 0  # frames per goroutine; 0: none (Go's stack limit only)
        self.names = names  # name entries for reports (gox_func_set_name), as the reference's qualnames
        self.source_name = source_name or prog.file
        self.nglobals = len(prog.globals)
        self.global_types = [g.type for g in prog.globals]
        self.funcs = {f.func_id: f for f in prog.funcs}
        # a function's part of its C names (gx_f_NAME, gx_e_NAME): a name that is not ASCII
        # may hold letters C does not take (U+2E2F) or a sequence not in NFC (U+1100 U+1161),
        # so its id stands in: no name starts with a digit
        self.cid = {f.func_id: f.name if f.name.isascii() else str(f.func_id) for f in prog.funcs}
        self.helpers: list[str] = []  # adapters of go/defer ABI calls
        self.helper_names: list[tuple[str, str]] = []  # (adapter, the symbol it calls)
        self.nhelpers = 0

    # -- the translation unit -------------------------------------------------------------------
    def compile(self) -> str:
        body = self.body()
        return self._prelude() + "\n" + body + "\n"

    def body(self) -> str:
        """Everything after the prelude (``_prelude``): the program's own definitions (``gx_f_*``, ``gx_e_*``,
        ``gx_names_*``, ``gx_abi_*``, ``gx_install``, ``main``)."""
        bodies = [self._function(f) for f in self.prog.funcs]
        out: list[str] = []
        for f in self.prog.funcs:
            out.append(self._signature(f) + ";")
            out.append(f"static uint64_t gx_e_{self.cid[f.func_id]}(const uint64_t *args, uint32_t nargs);")
        out.append("")
        out.extend(self.helpers)
        out.extend(self._info(f) for f in self.prog.funcs)
        out.extend(bodies)
        out.extend(self._entry(f) for f in self.prog.funcs)
        out.append(self._install())
        out.append(self._main())
        return "\n".join(out)

    def _prelude(self, nstr: int | None = None) -> str:
        """The prelude: the defines ``gox_ref_native/gox_prog.h`` needs, then that header (the
        runtime glue every program shares); ``nstr`` sizes ``gx_str`` (default: this
        program's literals)."""
        nstr = len(self.prog.strings) if nstr is None else nstr
        return f"""/* Generated by {__name__} from {self.source_name.replace('*/', '* /')}; do not edit. */
#define GX_SCHED {1 if self.sched else 0}
#define GX_NSTR {nstr}
#define GX_FUEL INT64_C({self.fuel})
#define GX_MAX_DEPTH {self.max_depth}u
#define GX_STEPS_MESSAGE {c_string(steps_message(self.fuel).encode())}
#define GX_DEPTH_MESSAGE {c_string(depth_message(self.max_depth).encode())}
#include "gox_prog.h"
"""

    def _signature(self, f: FuncDecl) -> str:
        params = ["GoxShadowFrame **gx_top"] + [f"uint64_t p{i}" for i in range(len(f.params))]
        if len(f.results) > 1:
            params.append("uint64_t *gx_res")
        ret = "uint64_t" if len(f.results) == 1 else "void"
        return f"static {ret} gx_f_{self.cid[f.func_id]}({', '.join(params)})"

    def _ref_slots(self, f: FuncDecl) -> list[int]:
        return [i for i, t in enumerate(f.slot_types) if t == "ref"]

    def _info(self, f: FuncDecl) -> str:
        refs = self._ref_slots(f)
        names = ", ".join(c_string(f.slot_names[i].encode()) for i in refs)
        lines = []
        if refs:
            lines.append(f"static const char *const gx_names_{self.cid[f.func_id]}[] = {{{names}}};")
        return "\n".join(lines)

    # -- functions ------------------------------------------------------------------------------
    def _function(self, f: FuncDecl) -> str:
        fn = _Fn(f)
        fn.ref_index = {s: k for k, s in enumerate(self._ref_slots(f))}
        fn.frame = f.has_frame and self.sched
        nlocals = len(fn.ref_index)
        self._block_into(fn, f.body)
        nres_ref = sum(1 for t in f.results if t == "ref")
        ntemps = fn.max_temps
        size = nlocals + ntemps + (nres_ref if fn.frame else 0)
        head: list[str] = [f"#define GX_RES {nlocals + ntemps}u"] if fn.frame else []
        vol = "volatile " if fn.frame else ""
        head.append(f"    {vol}uint64_t S[{max(size, 1)}] = {{0}};")
        names = f"gx_names_{self.cid[f.func_id]}" if nlocals else "NULL"
        head.append(f"    static const GoxShadowInfo info = {{\"{f.name}\", {names}, {nlocals}u, {ntemps}u}};")
        head.append("    GoxShadowFrame F;")
        head.append("    memset(&F, 0, sizeof F);")
        head.append("    F.info = &info;")
        head.append("    F.slots = S;")
        head.append(self._grow_check(f, 8 * (size + len(f.results) + len(f.slot_types) + fn.ntmp)))
        if fn.frame:
            if f.results:
                head.append(f"    volatile uint64_t R[{len(f.results)}] = {{0}};")
            head.append("    uint64_t gx_fr;")
        head.append("    gx_burn();")
        head.append("    gox_shadow_push_at(gx_top, &F);")
        if self.max_depth:
            head.append("    if (F.depth > GX_MAX_DEPTH) gx_too_deep();")
        for i, p in enumerate(f.params):
            if p.type == "ref":
                head.append(f"    S[{fn.ref_index[i]}] = p{i};")
        for i, t in enumerate(f.slot_types):
            if t != "ref":
                init = f"p{i}" if i < len(f.params) else "0"
                head.append(f"    uint64_t l{i} = {init};")
        if fn.frame:
            head.append("    gx_fr = gox_defer_frame_enter();")
            head.append("    GX_CHECK();")
            head.append("    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(gx_fr))) {")
            head.append("        gox_shadow_unwind(&F);")
            head.append("        goto gx_out;")
            head.append("    }")
        tail: list[str] = []
        if fn.frame:
            tail.append("gx_out:")
            tail.append("    gox_defer_frame_exit(gx_fr);")
            tail.append("    GX_CHECK();")
            tail.append("    gox_shadow_pop_at(gx_top, &F);")
            if len(f.results) == 1:
                tail.append("    return R[0];")
            elif f.results:
                tail.append(f"    for (int i = 0; i < {len(f.results)}; i++) gx_res[i] = R[i];")
        else:
            tail.append("    gox_shadow_pop_at(gx_top, &F);")
            if len(f.results) == 1:
                tail.append("    return 0;")
        unused = [f"    (void)l{i};" for i, t in enumerate(f.slot_types) if t != "ref"]
        if fn.frame:
            tail.append("#undef GX_RES")
        return "\n".join([self._grow(f), self._signature(f) + " {", *head, *unused, *fn.lines, *tail, "}", ""])

    def _grow_check(self, f: FuncDecl, frame: int) -> str:
        """The prologue's stack check: a frame record below the limit its caller's carries (the
        segment's end, less room for the ABI calls below it) runs the call on a new segment.
        ``frame``: the bytes of the function's own C variables (each a stack slot at -O0), of
        which those past a kilobyte (the limit's margin has room for that) count too."""
        cid = self.cid[f.func_id]
        at = f"(uintptr_t)&F - {frame}u" if frame > FRAME_IN_MARGIN else "(uintptr_t)&F"
        args = ", ".join(["gx_top"] + [f"p{i}" for i in range(len(f.params))] + (["gx_res"] if len(f.results) > 1 else []))
        call = f"return gx_grow_{cid}({args});" if len(f.results) == 1 else f"{{ gx_grow_{cid}({args}); return; }}"
        return f"    if (__builtin_expect(*gx_top && {at} < (*gx_top)->stack_limit, 0)) {call}"

    def _grow(self, f: FuncDecl) -> str:
        """The function's call on a new stack segment (``gox_stack_grow``): its arguments and
        result in a record, a thunk that makes the call from it, and the call's replacement."""
        cid = self.cid[f.func_id]
        n, nres = len(f.params), len(f.results)
        params = ", ".join(f"c->a[{i}]" for i in range(n))
        call = f"gx_f_{cid}(c->top{', ' + params if n else ''}{', c->res' if nres > 1 else ''})"
        sig = self._signature(f).replace(f"gx_f_{cid}(", f"gx_grow_{cid}(")
        init = ", ".join(["gx_top", "{" + ", ".join(f"p{i}" for i in range(n)) + "}" if n else "{0}",
                          "gx_res" if nres > 1 else "NULL", "0"])
        return "\n".join([
            f"struct gx_gs_{cid} {{ GoxShadowFrame **top; uint64_t a[{max(n, 1)}]; uint64_t *res; uint64_t r; }};",
            f"static void gx_gt_{cid}(void *p) {{",
            f"    struct gx_gs_{cid} *c = p;",
            f"    {'c->r = ' if nres == 1 else ''}{call};",
            "}",
            f"__attribute__((noinline, cold)) {sig} {{",
            f"    struct gx_gs_{cid} c = {{{init}}};",
            f"    gox_stack_grow(gx_gt_{cid}, &c);",
            "    return c.r;" if nres == 1 else "    (void)c.r;",
            "}",
        ])

    def _entry(self, f: FuncDecl) -> str:
        n = len(f.params)
        args = ", ".join(["gox_shadow_slot()"] + [f"args[{i}] != 0" if p.type == "bool" else f"args[{i}]"
                                                   for i, p in enumerate(f.params)])
        lines = [f"static uint64_t gx_e_{self.cid[f.func_id]}(const uint64_t *args, uint32_t nargs) {{"]
        lines.append(f'    gx_nargs("main.{f.name}", nargs, {n}u);')
        if n == 0:
            lines.append("    (void)args;")
        if not f.results:
            lines.append(f"    gx_f_{self.cid[f.func_id]}({args});")
            lines.append("    return 0;")
        elif len(f.results) == 1:
            lines.append(f"    return gx_f_{self.cid[f.func_id]}({args});")
        else:
            k = len(f.results)
            lines.append(f"    uint64_t r[{k}];")
            lines.append(f"    gx_f_{self.cid[f.func_id]}({args}, r);")
            lines.append("    memcpy(gox_shadow_results(), r, sizeof r);")
            lines.append("    return r[0];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _install(self) -> str:
        p = self.prog
        flags = [1 if t == "ref" else 0 for t in self.global_types] + [1] * len(p.strings)
        lines = ["static void gx_install(void) {"]
        if flags:
            lines.append(f"    static const uint8_t is_ref[] = {{{', '.join(map(str, flags))}}};")
            lines.append(f"    gox_init_globals({len(flags)}u, is_ref, {len(flags)}u);")
        else:
            lines.append("    gox_init_globals(0u, NULL, 0u);")
        lines.append("    GX_CHECK();")
        for i, s in enumerate(p.strings):
            lines.append(f"    gx_str[{i}] = gox_rt_string_from_ptr((const uint8_t *){c_string(s)}, {len(s)}u);")
            lines.append("    GX_CHECK();")
            lines.append(f"    gox_rt_set_global({self.nglobals + i}u, gx_str[{i}]);")
            lines.append("    GX_CHECK();")
        lines.append(f"    gox_init_func_table({len(p.funcs) + 1}u);")
        lines.append("    GX_CHECK();")
        for f in p.funcs:
            lines.append(f"    gox_set_func_ptr({f.func_id}u, gx_ptr_of(gx_e_{self.cid[f.func_id]}));")
            lines.append("    GX_CHECK();")
            if self.names:
                lines.append(f'    gox_func_set_name(gx_ptr_of(gx_e_{self.cid[f.func_id]}), "main.{f.name}");')
        if self.names:
            for helper, sym in self.helper_names:
                lines.append(f'    gox_func_set_name(gx_ptr_of({helper}), "{sym}");')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _main(self) -> str:
        main = next(f for f in self.prog.funcs if f.name == "main")
        run = (
            f"    status = (int)gox_run_main(gx_e_{self.cid[main.func_id]}, NULL, 0u, seed);\n"
            "    gx_in_main = false;\n    GX_CHECK();\n"
            if self.sched
            else f"    (void)seed;\n    gx_e_{self.cid[main.func_id]}(NULL, 0u);\n"
        )
        return f"""int main(int argc, char **argv) {{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 0;
    int status = 0;
    gx_err = gox_error_flag();
#if GX_SCHED
    if (!gx_one_worker()) return 125;
    gx_stw = gox_sched_preempt_flag();
#endif
    gx_dump_path = getenv("GOX_NATIVE_DUMP");
    gx_dump_at = getenv("GOX_NATIVE_DUMP_AT");
    if (gx_dump_at && !*gx_dump_at) gx_dump_at = NULL;
    gx_trace_path = getenv("GOX_NATIVE_TRACE");
    if (gx_trace_path && !*gx_trace_path) gx_trace_path = NULL;
    gx_unchecked = getenv("GOX_NATIVE_UNCHECKED") != NULL;
    if (gx_unchecked) gox_set_checked(false); /* references trusted, not validated */
    gx_install();
#if GX_SCHED
    if (gx_trace_path) gox_trace_start();
#endif
    gx_in_main = true;
{run}    gx_exit(status);
}}"""

    # -- statements ---------------------------------------------------------------------------
    def _block_into(self, fn: _Fn, b: Block) -> None:
        stmts = b.stmts
        i = 0
        while i < len(stmts):
            pair = _store_with_barrier(stmts[i], stmts[i + 1] if i + 1 < len(stmts) else None)
            if pair is not None:
                self._write_slot_barrier(fn, pair)
                i += 2
                continue
            self._stmt(fn, stmts[i])
            i += 1

    def _write_slot_barrier(self, fn: _Fn, write: Call) -> None:
        """``gox_gc_write_slot(o, i, v); gox_rt_write_barrier(o, v)`` as one call where the slot
        is a reference slot, else (false, no error) the pair (unchecked mode: a store, then the
        barrier's call)."""
        _shape, (obj, idx, val) = self._abi_args(fn, write)
        fn.emit(f"if (gx_unchecked && {obj}) {{ gx_slots({obj})[{idx}] = {val}; gox_rt_write_barrier({obj}, {val}); }}")
        fn.emit(f"else if (!gox_gc_write_slot_barrier({obj}, {idx}, {val}) && !*gx_err) gx_write_pair({obj}, {idx}, {val});")
        fn.emit("GX_CHECK();")

    def _local(self, fn: _Fn, slot: int) -> str:
        if slot in fn.ref_index:
            return f"S[{fn.ref_index[slot]}]"
        return f"l{slot}"

    def _store(self, fn: _Fn, target: Name, value: str) -> None:
        if target.slot >= 0:
            fn.emit(f"{self._local(fn, target.slot)} = {value};")
            return
        fn.emit(f"gox_rt_set_global({target.glob}u, {value});")
        fn.emit("GX_CHECK();")

    def _stmt(self, fn: _Fn, s: Stmt) -> None:
        if isinstance(s, VarDecl):
            v = self._expr(fn, s.init) if s.init is not None else "0"
            fn.emit(f"{self._local(fn, s.slot)} = {v};")
        elif isinstance(s, Assign):
            self._assign(fn, s)
        elif isinstance(s, ExprStmt):
            assert isinstance(s.expr, (Call, TCall))
            for v in self._call(fn, s.expr):  # results discarded
                fn.emit(f"(void){v};")
        elif isinstance(s, If):
            c = self._expr(fn, s.cond)
            fn.emit(f"if ({c}) {{")
            fn.indent += 1
            self._block_into(fn, s.then)
            fn.indent -= 1
            if s.els is not None:
                fn.emit("} else {")
                fn.indent += 1
                self._block_into(fn, s.els)
                fn.indent -= 1
            fn.emit("}")
        elif isinstance(s, For):
            self._for(fn, s)
        elif isinstance(s, Break):
            fn.emit("break;")
        elif isinstance(s, Continue):
            fn.used_labels.add(fn.loops[-1])
            fn.emit(f"goto {fn.loops[-1]};")
        elif isinstance(s, Return):
            self._return(fn, s)
        elif isinstance(s, GoStmt):
            self._go(fn, s)
        elif isinstance(s, Checkpoint):
            fn.emit(f"gx_checkpoint({c_string(s.label.encode())});")
        else:  # pragma: no cover
            raise TypeError(f"unknown statement {s!r}")

    def _assign(self, fn: _Fn, s: Assign) -> None:
        if len(s.targets) == 1:
            t = s.targets[0]
            v = self._expr(fn, s.value)
            if t is None:
                fn.emit(f"(void){v};")
            else:
                self._store(fn, t, v)
            return
        assert isinstance(s.value, (Call, TCall))
        vals = self._call(fn, s.value)
        for t, v in zip(s.targets, vals, strict=True):
            if t is not None:
                self._store(fn, t, v)
            else:
                fn.emit(f"(void){v};")

    def _for(self, fn: _Fn, s: For) -> None:
        fn.emit("{")
        fn.indent += 1
        if s.init is not None:
            self._stmt(fn, s.init)
        # the outermost plain loop takes the budget into a local; loops inside it use that
        local = not fn.fuel_local and _plain_loop(s)
        if local:
            fn.emit("int64_t gx_lf = gx_fuel_take();")
            fn.fuel_local = True
        cont = fn.label("cont")
        fn.emit("for (;;) {")
        fn.indent += 1
        if s.cond is not None:
            c = self._expr(fn, s.cond)
            fn.emit(f"if (!({c})) break;")
        # a back-edge is a safepoint for a collection that stops the world: polled every time
        # in a loop that calls anyway, every 1024 steps in a plain one (gx_lf_every)
        if fn.fuel_local:
            fn.emit("if (((uint64_t)--gx_lf & 1023u) == 1023u) gx_lf_every(gx_lf);")
        else:
            fn.emit("gx_burn();")
            if self.sched:
                fn.emit("gx_poll();")
        fn.loops.append(cont)
        fn.emit("{")
        fn.indent += 1
        self._block_into(fn, s.body)
        fn.indent -= 1
        fn.emit("}")
        fn.loops.pop()
        if cont in fn.used_labels:
            fn.emit(f"{cont}:;")
        if s.post is not None:
            self._stmt(fn, s.post)
        fn.indent -= 1
        fn.emit("}")
        if local:
            fn.emit("gx_fuel_give(gx_lf);")
            fn.fuel_local = False
        fn.indent -= 1
        fn.emit("}")

    def _return(self, fn: _Fn, s: Return) -> None:
        f = fn.decl
        if fn.fuel_local:  # a return out of a plain loop (its values are plain: no step)
            fn.emit("gx_fuel_give(gx_lf);")
        vals: list[str]
        if not s.values:
            vals = []
        else:
            first = s.values[0]
            if len(s.values) == 1 and isinstance(first, (Call, TCall)) and len(first.results) > 1:
                vals = self._call(fn, first)
            else:
                vals = self._rooted_list(fn, s.values)
        if fn.frame:
            k = 0
            for i, (t, v) in enumerate(zip(f.results, vals, strict=True)):
                fn.emit(f"R[{i}] = {v};")
                if t == "ref":
                    fn.emit(f"S[GX_RES + {k}] = {v};")
                    k += 1
            fn.emit(f"F.nret = {k}u;")
            fn.emit("goto gx_out;")
            return
        if len(f.results) > 1:
            for i, v in enumerate(vals):
                fn.emit(f"gx_res[{i}] = {v};")
        fn.emit("gox_shadow_pop_at(gx_top, &F);")
        fn.emit(f"return {vals[0]};" if len(f.results) == 1 else "return;")

    # -- expressions --------------------------------------------------------------------------
    def _rooted_list(self, fn: _Fn, exprs: list[Expr]) -> list[str]:
        """Evaluate left to right; a reference is a rooted temporary while a later expression
        that contains a call is evaluated (interp._rooted_list)."""
        later = calls_after(exprs)
        base = fn.temp_depth
        out = []
        pushed = False
        for e, lt in zip(exprs, later, strict=True):
            v = self._expr(fn, e)
            if e.ty == "ref" and lt:
                t = fn.tmp()
                fn.emit(f"uint64_t {t} = {v};")
                v = t
                fn.emit(f"S[{len(fn.ref_index) + fn.temp_depth}] = {t};")
                fn.temp_depth += 1
                fn.max_temps = max(fn.max_temps, fn.temp_depth)
                fn.emit(f"F.ntemps = {fn.temp_depth}u;")
                pushed = True
            out.append(v)  # a temporary or a constant: no later call can change it
        if pushed:
            fn.temp_depth = base
            fn.emit(f"F.ntemps = {base}u;")
        return out

    def _expr(self, fn: _Fn, e: Expr) -> str:
        ty = e.ty
        if isinstance(e, (IntLit, KindConst)):
            if ty == "f64":
                return _u(f64_bits(float(e.value)))
            return _u(e.value)
        if isinstance(e, FloatLit):
            return _u(f64_bits(e.value))
        if isinstance(e, BoolLit):
            return "UINT64_C(1)" if e.value else "UINT64_C(0)"
        if isinstance(e, NilLit):
            return "UINT64_C(0)"
        if isinstance(e, StrLit):
            return f"gx_str[{e.index - self.nglobals}]"
        if isinstance(e, FuncAddr):
            return _u(e.func_id)
        if isinstance(e, Name):
            if e.slot >= 0:
                t = fn.tmp()
                fn.emit(f"uint64_t {t} = {self._local(fn, e.slot)};")
                return t
            t = fn.tmp()
            fn.emit(f"uint64_t {t} = gox_rt_get_global({e.glob}u);")
            if self.global_types[e.glob] == "bool":
                fn.emit(f"{t} = {t} != 0;")
            return t
        if isinstance(e, Unary):
            x = self._expr(fn, e.x)
            t = fn.tmp()
            if e.op == "!":
                fn.emit(f"uint64_t {t} = !{x};")
            elif e.op == "-":
                fn.emit(f"uint64_t {t} = {'gx_b(-gx_f(' + x + '))' if ty == 'f64' else '0 - ' + x};")
            else:
                fn.emit(f"uint64_t {t} = ~{x};")
            return t
        if isinstance(e, Binary):
            return self._binary(fn, e)
        if isinstance(e, (Call, TCall)):
            vals = self._call(fn, e)
            assert len(vals) == 1
            return vals[0]
        raise TypeError(f"unknown expression {e!r}")  # pragma: no cover

    def _binary(self, fn: _Fn, e: Binary) -> str:
        """A chain of binary operators, along its left spine in a loop: each operator's code
        follows its left operand's, so a chain of any length is flat C (one temporary each)."""
        leaf, ops = left_spine(e)
        x = self._expr(fn, leaf)
        for b in ops:
            x = self._binop(fn, b, x)
        return x

    def _binop(self, fn: _Fn, e: Binary, x: str) -> str:
        """Operator e, whose left operand's value is x."""
        op = e.op
        if op in ("&&", "||"):
            t = fn.tmp()
            fn.emit(f"uint64_t {t} = {x} != 0;")
            fn.emit(f"if ({'' if op == '&&' else '!'}{t}) {{")
            fn.indent += 1
            y = self._expr(fn, e.y)
            fn.emit(f"{t} = {y} != 0;")
            fn.indent -= 1
            fn.emit("}")
            return t
        y = self._expr(fn, e.y)
        t = fn.tmp()
        xt = e.x.ty
        if op in ("==", "!=", "<", "<=", ">", ">="):
            if xt == "f64":
                expr = f"gx_f({x}) {op} gx_f({y})"
            elif xt == "i64":
                expr = f"(int64_t){x} {op} (int64_t){y}"
            else:
                expr = f"{x} {op} {y}"
            fn.emit(f"uint64_t {t} = {expr};")
            return t
        ty = e.ty
        if ty == "f64":
            expr = f"gx_fdiv({x}, {y})" if op == "/" else f"gx_b(gx_f({x}) {op} gx_f({y}))"
        elif op in ("+", "-", "*", "&", "|", "^"):
            expr = f"{x} {op} {y}"
        elif op == "&^":
            expr = f"{x} & ~{y}"
        elif op == "/":
            expr = f"gx_{'s' if ty == 'i64' else 'u'}div({x}, {y})"
        elif op == "%":
            expr = f"gx_{'s' if ty == 'i64' else 'u'}rem({x}, {y})"
        elif op == "<<":
            expr = f"gx_shl({x}, {y}, {1 if e.y.ty == 'i64' else 0})"
        elif op == ">>":
            fname = "gx_sar" if ty == "i64" else "gx_shr"
            expr = f"{fname}({x}, {y}, {1 if e.y.ty == 'i64' else 0})"
        else:  # pragma: no cover
            raise TypeError(f"unknown operator {op}")
        fn.emit(f"uint64_t {t} = {expr};")
        return t

    # -- calls ----------------------------------------------------------------------------------
    def _call(self, fn: _Fn, e: Call | TCall) -> list[str]:
        """Emit a call; its results as C expressions (stable temporaries)."""
        if isinstance(e, Call) and e.how == "conv":
            return [self._conversion(fn, e)]
        if isinstance(e, Call) and e.how == "abi":
            return self._abi_call(fn, e)
        if isinstance(e, Call):
            args = self._rooted_list(fn, e.args)
            f = self.funcs[e.func_id]
            return self._direct(fn, f, args)
        return self._indirect(fn, e)

    def _direct(self, fn: _Fn, f: FuncDecl, args: list[str]) -> list[str]:
        a = ", ".join(["gx_top", *args])
        if not f.results:
            fn.emit(f"gx_f_{self.cid[f.func_id]}({a});")
            return []
        if len(f.results) == 1:
            t = fn.tmp()
            fn.emit(f"uint64_t {t} = gx_f_{self.cid[f.func_id]}({a});")
            return [t]
        t = fn.tmp()
        fn.emit(f"uint64_t {t}[{len(f.results)}];")
        fn.emit(f"gx_f_{self.cid[f.func_id]}({a}, {t});")
        return [f"{t}[{i}]" for i in range(len(f.results))]

    def _entry_of(self, fn: _Fn, closure: bool, target: str, args: list[str], nil_ok: bool) -> tuple[str, list[str]]:
        """The table entry (a ``const void *`` C expression) and the slot arguments of a
        tcall/ccall (``nil_ok``: a nil target gives NULL instead of panicking)."""
        p = fn.tmp()
        fn.emit(f"const void *{p} = NULL;")
        if closure:
            if not nil_ok:
                fn.emit(f'if (!{target}) gx_rterr("{NIL_DEREF}");')
            fn.emit(f"if ({target}) {{")
            fn.indent += 1
            fid = fn.tmp()
            fn.emit(f"uint32_t {fid} = gox_closure_func_id({target});")
            fn.emit("GX_CHECK();")
            fn.emit(f"{p} = gox_func_table_get({fid});")
            fn.emit("GX_CHECK();")
            fn.indent -= 1
            fn.emit("}")
            return p, [target, *args]
        fn.emit(f"if ({target}) {{")
        fn.indent += 1
        fn.emit(
            f'if ({target} > UINT64_C(0xFFFFFFFF)) gx_range("gox_func_table_get", "func_id", {target}, 0, "uint32_t", '
            '"0..4294967295");'
        )
        fn.emit(f"{p} = gox_func_table_get((uint32_t){target});")
        fn.emit("GX_CHECK();")
        fn.indent -= 1
        fn.emit("}")
        return p, list(args)

    def _indirect(self, fn: _Fn, e: TCall) -> list[str]:
        vals = self._rooted_list(fn, [e.target, *e.args])
        p, args = self._entry_of(fn, e.closure, vals[0], vals[1:], nil_ok=False)
        fn.emit(f'if (!{p}) gx_rterr("{NIL_DEREF}");')
        arr = fn.tmp()
        n = len(args)
        fn.emit(f"uint64_t {arr}[{max(n, 1)}] = {{{', '.join(args) or '0'}}};")
        r = fn.tmp()
        fn.emit(f"uint64_t {r} = gx_entry_of({p})({arr}, {n}u);")
        if not e.results:
            fn.emit(f"(void){r};")
            return []
        out = []
        rs = ""
        if len(e.results) > 1:
            rs = fn.tmp()
            fn.emit(f"const uint64_t *{rs} = gox_shadow_results();")
        for i, ty in enumerate(e.results):
            src = r if i == 0 else f"{rs}[{i}]"
            t = fn.tmp()
            fn.emit(f"uint64_t {t} = {src}{' != 0' if ty == 'bool' else ''};")
            out.append(t)
        return out

    def _abi_args(self, fn: _Fn, e: Call) -> tuple[AbiCall, list[str]]:
        """Evaluate an ABI call's slot arguments, check their C ranges, and build the C
        argument list (bytes parameters become literal + length)."""
        shape = abi_call_shape(e.name)
        plain = [a for a, p in zip(e.args, e.param_types, strict=True) if p != "bytes"]
        vals = iter(self._rooted_list(fn, plain))
        fixed = e.args if e.vals_from < 0 else e.args[: e.vals_from]
        cargs = self._c_args(fn, e.name, fixed, shape.params[: len(fixed)], vals)
        if e.vals_from >= 0:  # the trailing arguments: an array of slots and its length
            items = list(vals)
            arr = fn.tmp()
            fn.emit(f"const uint64_t {arr}[{max(len(items), 1)}] = {{{', '.join(items) or '0'}}};")
            cargs += [arr, f"{len(items)}u"]
        return shape, cargs

    def _c_args(
        self, fn: _Fn, sym: str, args: Sequence[Expr], params: Sequence[tuple[str, str, str]], values: Iterator[str]
    ) -> list[str]:
        """The C argument list of an ABI call: a bytes parameter's literal (and its length, unless
        C reads it as a C string), else the next slot value of ``values``, range-checked and cast
        to its C type."""
        cargs: list[str] = []
        for a, (pname, cls, ctype) in zip(args, params, strict=True):
            if cls in ("bytes", "cstr"):
                assert isinstance(a, StrLit)
                if cls == "cstr":
                    cargs.append(c_string(a.value))
                else:
                    cargs += [f"(const uint8_t *){c_string(a.value)}", f"{len(a.value)}u"]
                continue
            v = next(values)
            if cls == "int":
                self._range_check(fn, sym, pname, ctype, v, a.ty == "i64")
                cargs.append(f"({ctype}){v}")
            elif cls == "bool":
                cargs.append(f"{v} != 0")
            else:
                cargs.append(v)
        return cargs

    def _range_check(self, fn: _Fn, sym: str, pname: str, ctype: str, v: str, signed: bool) -> None:
        lo, hi = INT_RANGES[ctype]
        if v.startswith("UINT64_C(0x"):  # a constant (kinds, type ids): checked here
            c = int(v[len("UINT64_C(") : -1], 16)
            c = c - (1 << 64) if signed and c >> 63 else c
            if lo <= c <= hi:
                return
        conds = []
        if signed:
            if lo > -(2**63):
                conds.append(f"(int64_t){v} < INT64_C({lo})")
            if hi < 2**63 - 1:
                conds.append(f"(int64_t){v} > INT64_C({hi})")
        else:
            if hi < M64:
                conds.append(f"{v} > UINT64_C({hi})")
        if conds:
            fn.emit(
                f'if ({" || ".join(conds)}) gx_range("{sym}", "{pname}", {v}, {1 if signed else 0}, "{ctype}", '
                f'"{lo}..{hi}");'
            )

    def _abi_call(self, fn: _Fn, e: Call) -> list[str]:
        shape, cargs = self._abi_args(fn, e)
        outs = []
        for ctype, _name in shape.outs:
            o = fn.tmp()
            fn.emit(f"{ctype} {o} = 0;")
            outs.append((ctype, o))
        call_args = ", ".join(cargs + [f"&{o}" for _, o in outs])
        call = f"{e.name}({call_args})"
        if e.name in INLINE_SLOTS:  # unchecked mode: a raw slot access is a load or a store
            obj, idx = cargs[0], cargs[1]  # (a nil obj still calls: Go's nil-dereference panic)
            if e.name == "gox_gc_read_slot":
                call = f"(gx_unchecked && {obj} ? gx_slots({obj})[{idx}] : {call})"
            else:
                fn.emit(f"if (gx_unchecked && {obj}) gx_slots({obj})[{idx}] = {cargs[2]}; else {call};")
                fn.emit("GX_CHECK();")
                return []
        results: list[str] = []
        if shape.ret == "void":
            fn.emit(f"{call};")
        else:
            r = fn.tmp()
            fn.emit(f"{shape.ret} {r} = {call};")
            results.append(self._to_slot(shape.ret, r))
        fn.emit("GX_CHECK();")
        if e.name == "gox_type_register":  # its name, for the heap dump (gx_dump)
            fn.emit(f"GX_STORE(&gx_type_names[{r}], {cargs[0]});")
        for ctype, o in outs:
            results.append(self._to_slot(ctype, o))
        assert len(results) == len(e.results), (e.name, results, e.results)
        out = []
        for v in results:
            t = fn.tmp()
            fn.emit(f"uint64_t {t} = {v};")
            out.append(t)
        return out

    @staticmethod
    def _to_slot(ctype: str, v: str) -> str:
        if ctype in _SIGNED_C:
            return f"(uint64_t)(int64_t){v}"
        if ctype == "bool":
            return f"(uint64_t)({v} != 0)"
        if ctype.endswith("*"):
            return f"(uint64_t)(uintptr_t){v}"
        return f"(uint64_t){v}"

    def _conversion(self, fn: _Fn, e: Call) -> str:
        x = self._expr(fn, e.args[0])
        src, name = e.args[0].ty, e.name
        t = fn.tmp()
        if name in ("f64bits", "f64frombits", "ref"):
            expr = x
        elif name == "bool":
            expr = f"{x} != 0"
        elif name == "f64":
            expr = {"i64": f"gx_b((double)(int64_t){x})", "u64": f"gx_b((double){x})"}.get(src, x)
        elif name == "i64":
            expr = f"gx_f2i({x})" if src == "f64" else x
        else:  # u64
            expr = f"gx_f2u({x})" if src == "f64" else x
        fn.emit(f"uint64_t {t} = {expr};")
        return t

    # -- go and defer (the scheduler) -------------------------------------------------------------
    def _go(self, fn: _Fn, s: GoStmt) -> None:
        c = s.call
        if isinstance(c, Call) and c.how == "abi":
            entry, args = self._abi_adapter(fn, c)
        elif isinstance(c, Call):
            args = self._rooted_list(fn, c.args)
            entry = f"gx_ptr_of(gx_e_{self.cid[c.func_id]})"
        else:
            vals = self._rooted_list(fn, [c.target, *c.args])
            entry, args = self._entry_of(fn, c.closure, vals[0], vals[1:], nil_ok=True)
        arr = fn.tmp()
        n = len(args)
        fn.emit(f"uint64_t {arr}[{max(n, 1)}] = {{{', '.join(args) or '0'}}};")
        sym = "gox_defer_push" if s.defer else "gox_go_spawn"
        fn.emit(f"{sym}({entry}, {arr}, {n}u);")
        fn.emit("GX_CHECK();")

    def _abi_adapter(self, fn: _Fn, c: Call) -> tuple[str, list[str]]:
        """``defer gox_recover()``, ``defer gox_chan_close(c)``: an entry that makes the ABI call
        with the arguments evaluated at the statement (bytes parameters baked in); it opens no
        defer frame."""
        self.nhelpers += 1
        name = f"gx_abi_{self.nhelpers}"
        assert c.vals_from < 0, "the checker refuses defer of a variadic ABI call"
        plain = [a for a, p in zip(c.args, c.param_types, strict=True) if p != "bytes"]
        args = self._rooted_list(fn, plain)
        shape = abi_call_shape(c.name)
        sub = _Fn(fn.decl)
        cargs = self._c_args(sub, c.name, c.args, shape.params, (f"args[{k}]" for k in itertools.count()))
        outs = [f"{ctype} o{i} = 0;" for i, (ctype, _n) in enumerate(shape.outs)]
        call = f"{c.name}({', '.join(cargs + [f'&o{i}' for i in range(len(shape.outs))])});"
        body = [f"static uint64_t {name}(const uint64_t *args, uint32_t nargs) {{", "    (void)nargs;", "    (void)args;"]
        body += ["    " + o for o in outs]
        body += [ln.replace("    ", "", 1) if ln.startswith("    ") else ln for ln in sub.lines]
        body += [f"    {call}" if shape.ret == "void" else f"    (void){call}", "    GX_CHECK();"]
        body += [f"    (void)o{i};" for i in range(len(shape.outs))]
        body += ["    return 0;", "}", ""]
        self.helpers.append("\n".join(body))
        self.helper_names.append((name, c.name))
        return f"gx_ptr_of({name})", args


def compile_program(
    prog: Program, *, sched: bool = False, names: bool = False, source_name: str = "", fuel: int = DEFAULT_STEPS,
    max_depth: int | None = None,
) -> str:
    """The C translation unit of a checked program (``sched``: the library has the scheduler;
    ``names``: it has ``gox_func_set_name``, so reports name functions ``main.f``; ``fuel``: the
    step budget, at most ``INT64_MAX``; ``max_depth``: the frame limit, None for none)."""
    return CCompiler(prog, sched=sched, names=names, source_name=source_name, fuel=fuel,
                     max_depth=max_depth).compile()


FRAME_IN_MARGIN = 1024  # a frame this big fits in the room gox_stack_limit leaves (src/stack.c, MARGIN)

# No \b before the names: a pattern that starts with a literal lets the regex engine skip to
# the candidates (five times faster on a fuzz batch); own() checks the word boundary itself.
_OWN_RE = re.compile(r'"(?:\\.|[^"\\\n])*"|gx_(f|e|names|abi|grow|gs|gt)_|gx_install\b|int main\(')


def compile_batch(
    progs: list[Program], *, sched: bool = False, names: bool = False, fuel: int = DEFAULT_STEPS,
    max_depth: int | None = None,
) -> str:
    """One translation unit for several programs (the fuzzer's batched builds,
    ``native.build_batch``): the prelude (the defines and gox_prog.h) once (its state is
    shared: a process runs one program), then each program's own definitions renamed with the prefix ``p<k>``
    (``gx_f_f`` becomes ``gxp3_f_f``, ...) and its ``main`` as ``int gxp<k>_main(argc, argv)``.
    Each program behaves as its ``compile_program`` translation does."""
    if not progs:
        raise ValueError("compile_batch needs at least one program")
    comps = [CCompiler(p, sched=sched, names=names, fuel=fuel, max_depth=max_depth) for p in progs]
    parts = []
    for k, c in enumerate(comps):
        def own(m: re.Match[str], k: int = k) -> str:
            t = m.group(0)
            at = m.start()
            if t.startswith('"') or (at and (m.string[at - 1].isalnum() or m.string[at - 1] == "_")):
                return t
            if m.group(1):
                return f"gxp{k}_{m.group(1)}_"
            return f"gxp{k}_install" if t == "gx_install" else f"int gxp{k}_main("

        parts.append(_OWN_RE.sub(own, c.body()))
    prelude = comps[0]._prelude(max(len(p.strings) for p in progs))
    return prelude + "\n" + "\n\n".join(parts) + "\n"
