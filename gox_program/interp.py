"""The reference runner: executes a checked program on a ``RefRuntime``.

Each program function is compiled once into nested Python closures (one per expression and
statement); goroutines are the runtime's greenlets.  Values live in Python form inside a
frame (i64 as a signed int, u64 as an unsigned int, f64 as a float, bool as a bool, ref as
the reference); they cross the ABI and the function table as u64 slots.

Go's arithmetic rules are in ``ops.py`` (the C translation's twin: ``gox_ref_native/gox_prog.h``).

Rooting is the rule of docs/PROGRAM_FORMAT.md, "Rooting": each goroutine's stack of ``Frame``
records (``s``: the slots, ``t``: the reference temporaries, ``ret``: the results while deferred
calls run) is what ``_roots``, the one root source the runner registers with the collector,
yields.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gox_abi.errors import GoxFatal, GoxPanic, nil_dereference
from gox_ref import RefRuntime

from .limits import DEFAULT_STEPS, REF_MAX_DEPTH, depth_message, steps_message
from .ops import ARITH, COMPARE, M64, f2i, f2u, f64_bits, f64_from_bits, i64
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
)

PY_FRAMES_PER_CALL = 16  # a generous bound on the Python frames one interpreted call uses
PY_FRAMES_PER_LEVEL = 6  # and on those one nesting level (syntax.MAX_NESTING) adds to it

NORMAL, BREAK, CONTINUE, RETURN = 0, 1, 2, 3

Ev = Callable[["Frame"], Any]
Ex = Callable[["Frame"], int]


class RunnerLimit(Exception):
    """The runner gave up: the step budget ran out."""


def to_slot(ty: str, v: Any) -> int:
    """A value in Python form -> its u64 slot."""
    if ty == "f64":
        return f64_bits(v)
    return int(v) & M64


def from_slot(ty: str, v: int) -> Any:
    """A u64 slot -> the value in Python form."""
    if ty == "i64":
        return i64(v)
    if ty == "f64":
        return f64_from_bits(v)
    if ty == "bool":
        return bool(v)
    return v & M64


def zero(ty: str) -> Any:
    return 0.0 if ty == "f64" else (False if ty == "bool" else 0)


@dataclass(eq=False)
class Frame:
    fn: FuncDecl
    s: list[Any]
    t: list[int] = field(default_factory=list)  # reference temporaries (rooted)
    ret: tuple[Any, ...] | None = None
    line: int = 0  # the line of the statement it runs (kept only when the runner tracks lines)


class Interpreter:
    """Runs one program on one runtime instance."""

    def __init__(
        self,
        prog: Program,
        rt: RefRuntime,
        *,
        fuel: int = DEFAULT_STEPS,
        max_depth: int = REF_MAX_DEPTH,
        on_checkpoint: Callable[[str], None] | None = None,
        lines: bool = False,
    ) -> None:
        self.prog = prog
        self.lines = lines  # each frame keeps its current line (``gox-ref show``); off: no cost
        self.rt = rt
        self.fuel = fuel
        self.steps = fuel
        self.max_depth = max_depth
        self.on_checkpoint = on_checkpoint
        self.stacks: dict[int, list[Frame]] = {}
        self.strings: list[int] = []
        self.nglobals = len(prog.globals)
        self.global_types = [g.type for g in prog.globals]
        self.runs: dict[int, Callable[[Sequence[Any]], Any]] = {}
        self.entries: dict[int, Callable[..., Any]] = {}
        # table entry -> the same call taking its u64 arguments as one list: an indirect call
        # through it is a plain Python call, which CPython 3.11 runs without a C frame (an
        # ``entry(rt, *slots)`` call would recurse on the C stack: see run's comment)
        self.slot_calls: dict[Callable[..., Any], Callable[[Sequence[int]], Any]] = {}
        self.funcs = {f.func_id: f for f in prog.funcs}
        self.ref_slots = {f.func_id: tuple(i for i, t in enumerate(f.slot_types) if t == "ref") for f in prog.funcs}
        rt.gc.root_sources.append(self._roots)
        for f in prog.funcs:
            self.entries[f.func_id] = self._make_entry(f)
        for f in prog.funcs:
            self.runs[f.func_id] = self._compile_func(f)

    # -- set-up and running -------------------------------------------------------------------
    def install(self) -> None:
        """Globals (program globals, then one reference global per string literal) and the
        function table (id 0 is the nil function)."""
        rt = self.rt
        flags = [t == "ref" for t in self.global_types] + [True] * len(self.prog.strings)
        rt.gox_init_globals(len(flags), flags)
        for i, s in enumerate(self.prog.strings):
            ref = rt.gox_rt_string_from_ptr(s)
            rt.gox_rt_set_global(self.nglobals + i, ref)
            self.strings.append(ref)
        rt.gox_init_func_table(len(self.prog.funcs) + 1)
        for fid, entry in self.entries.items():
            rt.gox_set_func_ptr(fid, entry)

    def run(self, seed: int = 0) -> int:
        """Install and run ``main`` as goroutine 1; returns the exit status (0 or 2).
        Raises GoxABIError for a broken ABI contract and RunnerLimit when the fuel runs out.
        A panic while the program is installed (its globals and string literals, before main
        runs) is reported as Go reports a panic in package initialization."""
        try:
            self.install()
        except GoxPanic as e:
            self.rt.err.write(f"panic: {e}\n\ngoroutine 1 [running]:\nmain.init(...)\n".encode())
            return 2
        main = next(f for f in self.prog.funcs if f.name == "main")
        # Each interpreted call takes a handful of Python frames, and a few more per nesting
        # level of the blocks and expressions it is called from: make room for max_depth of
        # them, so the runner's limit (not Python's) is what a deep program meets.  Raising
        # Python's limit this far is safe because an interpreted call is Python-to-Python
        # calls only, which CPython 3.11 runs without a C frame (no builtin, operator or
        # ``f(*args)`` call between two interpreted frames): the C stack, which the greenlets
        # share, does not grow with the depth (tests/test_deep_recursion.py runs 100,000
        # frames on a thread with a 512 KiB stack).  Python frames cost ~1.5 KB each
        # (docs/decisions.md, "Deep recursion").
        per_call = PY_FRAMES_PER_CALL + PY_FRAMES_PER_LEVEL * self.prog.nesting
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, per_call * self.max_depth + 1000))
        try:
            return self.rt.run_main(self.entries[main.func_id], [], seed=seed)
        finally:
            sys.setrecursionlimit(old_limit)

    def _roots(self) -> Iterable[tuple[str, int]]:
        for gid in sorted(self.stacks):
            for fr in reversed(self.stacks[gid]):
                fn = fr.fn
                for i in self.ref_slots[fn.func_id]:
                    v = fr.s[i]
                    if v:
                        yield f"goroutine {gid}: {fn.name} local {fn.slot_names[i]}", v
                for v in fr.t:
                    if v:
                        yield f"goroutine {gid}: {fn.name} temporary", v
                if fr.ret is not None:
                    for ty, v in zip(fn.results, fr.ret, strict=False):
                        if ty == "ref" and v:
                            yield f"goroutine {gid}: {fn.name} result", v

    def _gid(self) -> int:
        cur = self.rt.sched.current
        return cur.gid if cur is not None else 0

    def _burn(self) -> None:
        self.fuel -= 1
        if self.fuel < 0:
            raise RunnerLimit(steps_message(self.steps))

    # -- functions ----------------------------------------------------------------------------
    def _make_entry(self, f: FuncDecl) -> Callable[..., Any]:
        """The function-table entry: ``entry(rt, *u64 args)`` -> None | int | tuple."""
        ptypes = [p.type for p in f.params]
        rtypes = f.results
        fid = f.func_id

        def slot_call(args: Sequence[int]) -> Any:
            vals = [from_slot(t, a) for t, a in zip(ptypes, args, strict=True)]
            res = self.runs[fid](vals)
            if not rtypes:
                return None
            if len(rtypes) == 1:
                return to_slot(rtypes[0], res)
            return tuple(to_slot(t, v) for t, v in zip(rtypes, res, strict=True))

        def entry(rt: Any, *args: int) -> Any:
            return slot_call(args)

        entry.__name__ = f.name
        entry.__qualname__ = f"main.{f.name}"
        self.slot_calls[entry] = slot_call
        return entry

    def _compile_func(self, f: FuncDecl) -> Callable[[Sequence[Any]], Any]:
        body = self._block(f.body)
        nslots = f.nslots
        nparams = len(f.params)
        zeros = [zero(t) for t in f.slot_types]
        results = f.results
        rzero = tuple(zero(t) for t in results)
        has_frame = f.has_frame
        rt = self.rt
        sched = rt.sched
        stacks = self.stacks
        max_depth = self.max_depth

        def run(args: Sequence[Any]) -> Any:
            self._burn()
            slots = list(zeros) if nslots else []
            slots[:nparams] = args
            fr = Frame(f, slots)
            cur = sched.current
            gid = cur.gid if cur is not None else 0
            stack = stacks.get(gid)
            if stack is None:
                stack = stacks[gid] = []
            if len(stack) >= max_depth:
                rt.err.write(f"{depth_message(max_depth)}\n".encode())
                raise GoxFatal("stack overflow")
            stack.append(fr)
            try:
                if has_frame:
                    with rt.defer_frame():
                        body(fr)
                else:
                    body(fr)
            finally:
                stack.pop()
                if not stack:
                    del stacks[gid]
            ret = fr.ret if fr.ret is not None else rzero
            if len(results) == 1:
                return ret[0]
            return ret if results else None

        return run

    # -- statements ---------------------------------------------------------------------------
    def _block(self, b: Block) -> Ex:
        stmts = [self._stmt(s) for s in b.stmts]
        if not stmts:
            return lambda fr: NORMAL
        if len(stmts) == 1:
            return stmts[0]

        def block(fr: Frame) -> int:
            for s in stmts:
                sig = s(fr)
                if sig:
                    return sig
            return NORMAL

        return block

    def _store(self, target: Name) -> Callable[[Frame, Any], None]:
        if target.slot >= 0:
            slot = target.slot

            def store_local(fr: Frame, v: Any) -> None:
                fr.s[slot] = v

            return store_local
        idx, ty = target.glob, self.global_types[target.glob]
        set_global = self.rt.gox_rt_set_global

        def store_global(fr: Frame, v: Any) -> None:
            set_global(idx, to_slot(ty, v))

        return store_global

    def _stmt(self, s: Stmt) -> Ex:
        run = self._stmt_body(s)
        if not self.lines:
            return run
        line = s.pos.line

        def at_line(fr: Frame) -> int:
            fr.line = line
            return run(fr)

        return at_line

    def _stmt_body(self, s: Stmt) -> Ex:
        if isinstance(s, VarDecl):
            slot = s.slot
            init = self._expr(s.init) if s.init is not None else None
            z = zero(s.type)
            if init is None:
                def var0(fr: Frame) -> int:
                    fr.s[slot] = z
                    return NORMAL

                return var0

            def var1(fr: Frame) -> int:
                fr.s[slot] = init(fr)
                return NORMAL

            return var1
        if isinstance(s, Assign):
            return self._assign(s)
        if isinstance(s, ExprStmt):
            assert isinstance(s.expr, (Call, TCall))
            ev = self._callexpr(s.expr, multi=True)

            def exprstmt(fr: Frame) -> int:
                ev(fr)
                return NORMAL

            return exprstmt
        if isinstance(s, If):
            cond = self._expr(s.cond)
            then = self._block(s.then)
            els = self._block(s.els) if s.els is not None else None
            if els is None:
                return lambda fr: then(fr) if cond(fr) else NORMAL
            return lambda fr: then(fr) if cond(fr) else els(fr)
        if isinstance(s, For):
            return self._for(s)
        if isinstance(s, Break):
            return lambda fr: BREAK
        if isinstance(s, Continue):
            return lambda fr: CONTINUE
        if isinstance(s, Return):
            return self._return(s)
        if isinstance(s, GoStmt):
            return self._go(s)
        if isinstance(s, Checkpoint):
            label = s.label

            def checkpoint(fr: Frame) -> int:
                if self.on_checkpoint is not None:
                    self.on_checkpoint(label)
                return NORMAL

            return checkpoint
        raise TypeError(f"unknown statement {s!r}")  # pragma: no cover

    def _assign(self, s: Assign) -> Ex:
        if len(s.targets) == 1:
            t = s.targets[0]
            ev = self._expr(s.value)
            if t is None:
                def discard(fr: Frame) -> int:
                    ev(fr)
                    return NORMAL

                return discard
            store = self._store(t)

            def assign1(fr: Frame) -> int:
                store(fr, ev(fr))
                return NORMAL

            return assign1
        call = s.value
        assert isinstance(call, (Call, TCall))
        ev = self._callexpr(call, multi=True)
        stores = [self._store(t) if t is not None else None for t in s.targets]

        def assign_n(fr: Frame) -> int:
            vals = ev(fr)
            for st, v in zip(stores, vals, strict=True):
                if st is not None:
                    st(fr, v)
            return NORMAL

        return assign_n

    def _for(self, s: For) -> Ex:
        init = self._stmt(s.init) if s.init is not None else None
        cond = self._expr(s.cond) if s.cond is not None else None
        post = self._stmt(s.post) if s.post is not None else None
        body = self._block(s.body)
        burn = self._burn

        def loop(fr: Frame) -> int:
            if init is not None:
                init(fr)
            while cond is None or cond(fr):
                burn()
                sig = body(fr)
                if sig == BREAK:
                    break
                if sig == RETURN:
                    return RETURN
                if post is not None:
                    post(fr)
            return NORMAL

        return loop

    def _return(self, s: Return) -> Ex:
        if not s.values:
            def ret0(fr: Frame) -> int:
                fr.ret = ()
                return RETURN

            return ret0
        first = s.values[0]
        if len(s.values) == 1 and isinstance(first, (Call, TCall)) and len(first.results) > 1:
            ev_multi = self._callexpr(first, multi=True)

            def ret_call(fr: Frame) -> int:
                fr.ret = tuple(ev_multi(fr))
                return RETURN

            return ret_call
        evs = self._rooted_list(s.values, [v.ty for v in s.values])

        def ret(fr: Frame) -> int:
            fr.ret = tuple(evs(fr))
            return RETURN

        return ret

    def _rooted_list(self, exprs: list[Expr], types: Sequence[str]) -> Callable[[Frame], list[Any]]:
        """Evaluate expressions left to right; a reference is rooted (a frame temporary) while
        a later expression that may allocate is evaluated."""
        evs = [self._expr(e) for e in exprs]
        root = [t == "ref" and later for t, later in zip(types, calls_after(exprs), strict=True)]
        if not any(root):
            if len(evs) == 1:
                ev0 = evs[0]
                return lambda fr: [ev0(fr)]
            return lambda fr: [ev(fr) for ev in evs]
        pairs = list(zip(evs, root, strict=True))

        def rooted(fr: Frame) -> list[Any]:
            temps = fr.t
            base = len(temps)
            out = []
            for ev, r in pairs:
                v = ev(fr)
                if r:
                    temps.append(v)
                out.append(v)
            del temps[base:]
            return out

        return rooted

    def _target(self, c: Call | TCall, fr_args: Callable[[Frame], list[Any]]) -> Callable[[Frame], tuple[Any, list[int]]]:
        """For go/defer: (table entry, u64 arguments)."""
        rt = self.rt
        if isinstance(c, Call) and c.how == "abi":
            return self._abi_target(c, fr_args)
        if isinstance(c, Call):
            entry = self.entries[c.func_id]
            ptypes = c.param_types

            def direct(fr: Frame) -> tuple[Any, list[int]]:
                return entry, [to_slot(t, v) for t, v in zip(ptypes, fr_args(fr), strict=True)]

            return direct
        ptypes = c.params
        closure = c.closure

        def indirect(fr: Frame) -> tuple[Any, list[int]]:
            vals = fr_args(fr)
            target, args = vals[0], vals[1:]
            slots = [to_slot(t, v) for t, v in zip(ptypes, args, strict=True)]
            if closure:
                if not target:
                    return None, slots
                fid = rt.gox_closure_func_id(target)
                return rt.gox_func_table_get(fid), [target, *slots]
            if target == 0:
                return None, slots
            return rt.gox_func_table_get(target), slots

        return indirect

    def _abi_target(self, c: Call, fr_args: Callable[[Frame], list[Any]]) -> Callable[[Frame], tuple[Any, list[int]]]:
        """``go``/``defer`` of an ABI call (Go's ``defer recover()``, ``defer close(c)``,
        ``go println(x)``): the arguments are evaluated at the statement; the entry calls the
        symbol with them and opens no defer frame, so a deferred ``gox_recover`` runs "directly"
        in the frame of the function whose exit runs it."""
        method = getattr(self.rt, c.name)
        # per parameter: a string literal's bytes, or the type of a slot argument ("raw" slots
        # go through unchanged)
        plan: list[tuple[bytes | None, str]] = []
        kinds: list[str] = []
        for a, p in zip(c.args, c.param_types, strict=True):
            if p == "bytes":
                assert isinstance(a, StrLit)
                plan.append((a.value, ""))
            else:
                plan.append((None, "raw" if p == "raw" else a.ty))
                kinds.append(a.ty)

        def entry(rt: Any, *slots: int) -> None:
            it = iter(slots)
            full = [b if b is not None else (next(it) if ty == "raw" else from_slot(ty, next(it))) for b, ty in plan]
            method(*full)

        entry.__name__ = c.name
        entry.__qualname__ = c.name

        def abi(fr: Frame) -> tuple[Any, list[int]]:
            return entry, [to_slot(ty, v) for ty, v in zip(kinds, fr_args(fr), strict=True)]

        return abi

    def _go(self, s: GoStmt) -> Ex:
        c = s.call
        exprs = [a for a, p in zip(c.args, c.param_types, strict=True) if p != "bytes"] if (
            isinstance(c, Call) and c.how == "abi") else c.args if isinstance(c, Call) else [c.target, *c.args]
        types = [e.ty for e in exprs]
        target = self._target(c, self._rooted_list(exprs, types))
        rt = self.rt
        if s.defer:
            def defer(fr: Frame) -> int:
                entry, args = target(fr)
                rt.gox_defer_push(entry, args)
                return NORMAL

            return defer

        def go(fr: Frame) -> int:
            entry, args = target(fr)
            rt.gox_go_spawn(entry, args)
            return NORMAL

        return go

    # -- expressions --------------------------------------------------------------------------
    def _expr(self, e: Expr) -> Ev:
        ty = e.ty
        if isinstance(e, (IntLit, KindConst)):
            v: Any = float(e.value) if ty == "f64" else e.value
            return lambda fr: v
        if isinstance(e, FloatLit):
            fv = e.value
            return lambda fr: fv
        if isinstance(e, BoolLit):
            bv = e.value
            return lambda fr: bv
        if isinstance(e, NilLit):
            return lambda fr: 0
        if isinstance(e, StrLit):
            idx = e.index - self.nglobals
            strings = self.strings
            return lambda fr: strings[idx]
        if isinstance(e, FuncAddr):
            fid = e.func_id
            return lambda fr: fid
        if isinstance(e, Name):
            if e.slot >= 0:
                slot = e.slot
                return lambda fr: fr.s[slot]
            gidx, gty = e.glob, self.global_types[e.glob]
            get_global = self.rt.gox_rt_get_global
            return lambda fr: from_slot(gty, get_global(gidx))
        if isinstance(e, Unary):
            x = self._expr(e.x)
            if e.op == "!":
                return lambda fr: not x(fr)
            if e.op == "-":
                if ty == "f64":
                    return lambda fr: -x(fr)
                if ty == "i64":
                    return lambda fr: i64(-x(fr))
                return lambda fr: (-x(fr)) & M64
            if ty == "i64":
                return lambda fr: ~x(fr)
            return lambda fr: ~x(fr) & M64
        if isinstance(e, Binary):
            return self._binary(e)
        if isinstance(e, (Call, TCall)):
            return self._callexpr(e, multi=False)
        raise TypeError(f"unknown expression {e!r}")  # pragma: no cover

    def _binary(self, e: Binary) -> Ev:
        """A chain of binary operators, compiled along its left spine in a loop: a short chain
        runs as nested closures (the fastest form), a long one in a loop (nested closures would
        take one Python frame per operator)."""
        leaf, ops = left_spine(e)
        ev = self._expr(leaf)
        if len(ops) <= _NESTED_CHAIN:
            for b in ops:
                ev = _nest(b, ev, self._expr(b.y))
            return ev
        steps = [_step(b, self._expr(b.y)) for b in ops]
        first = ev

        def chain(fr: Frame) -> Any:
            v = first(fr)
            for step in steps:
                v = step(v, fr)
            return v

        return chain

    def _callexpr(self, e: Call | TCall, multi: bool) -> Ev:
        """A call; with ``multi`` the value is the list of results (for assignments)."""
        if isinstance(e, Call) and e.how == "conv":
            return self._conversion(e)
        if isinstance(e, Call) and e.how == "abi":
            ev = self._abi_call(e)
        elif isinstance(e, Call):
            args = self._rooted_list(e.args, [a.ty for a in e.args])
            run_ref = self.runs
            fid = e.func_id

            def direct(fr: Frame) -> Any:
                return run_ref[fid](args(fr))

            ev = direct
        else:
            ev = self._indirect_call(e)
        nres = len(e.results)
        if multi and nres == 1:
            return lambda fr: [ev(fr)]
        return ev

    def _indirect_call(self, e: TCall) -> Ev:
        rt = self.rt
        exprs = [e.target, *e.args]
        args = self._rooted_list(exprs, [a.ty for a in exprs])
        ptypes, rtypes, closure = e.params, e.results, e.closure
        slot_calls = self.slot_calls

        def call(fr: Frame) -> Any:
            vals = args(fr)
            target = vals[0]
            slots = [to_slot(t, v) for t, v in zip(ptypes, vals[1:], strict=True)]
            if closure:
                if not target:
                    raise nil_dereference()
                entry = rt.gox_func_table_get(rt.gox_closure_func_id(target))
                slots.insert(0, target)
            else:
                entry = rt.gox_func_table_get(target) if target else None
            if entry is None or isinstance(entry, int):
                raise nil_dereference()
            slot_call = slot_calls.get(entry)
            res = slot_call(slots) if slot_call is not None else entry(rt, *slots)
            if not rtypes:
                return None
            if len(rtypes) == 1:
                if isinstance(res, tuple):
                    res = res[0]
                return from_slot(rtypes[0], res or 0)
            res = tuple(res) if isinstance(res, tuple) else (res,)
            return [from_slot(t, v) for t, v in zip(rtypes, res, strict=False)]

        return call

    def _abi_call(self, e: Call) -> Ev:
        method = getattr(self.rt, e.name)
        plain: list[Expr] = []
        consts: dict[int, bytes] = {}
        for i, (a, p) in enumerate(zip(e.args, e.param_types, strict=True)):
            if p == "bytes":
                assert isinstance(a, StrLit)
                consts[i] = a.value
            else:
                plain.append(a)
        args = self._rooted_list(plain, [a.ty for a in plain])
        convs: list[Callable[[Any], Any]] = []
        for a, p in zip(e.args, e.param_types, strict=True):
            if p == "bytes":
                continue
            if p in ("raw", "vals") and a.ty == "f64":
                convs.append(f64_bits)
            elif p in ("raw", "vals"):
                convs.append(int)
            else:
                convs.append(_ident)
        rtypes = e.results
        nargs = len(e.param_types)
        order = list(range(nargs))
        vals_from = e.vals_from

        def decode1(v: Any) -> Any:
            return from_slot(rtypes[0], int(v))

        def call(fr: Frame) -> Any:
            vals = args(fr)
            if consts:
                it = iter(c(v) for c, v in zip(convs, vals, strict=True))
                full = [consts[i] if i in consts else next(it) for i in order]
            else:
                full = [c(v) for c, v in zip(convs, vals, strict=True)]
            if vals_from >= 0:  # the trailing arguments go as one sequence
                full[vals_from:] = [full[vals_from:]]
            res = method(*full)
            if not rtypes:
                return None
            if len(rtypes) == 1:
                return decode1(res)
            return [from_slot(t, int(v)) for t, v in zip(rtypes, res, strict=True)]

        return call

    def _conversion(self, e: Call) -> Ev:
        x = self._expr(e.args[0])
        src, name = e.args[0].ty, e.name
        if name == "f64bits":
            return lambda fr: f64_bits(x(fr))
        if name == "f64frombits":
            return lambda fr: f64_from_bits(x(fr))
        if name == "bool":
            return lambda fr: bool(x(fr))
        if name == "ref":
            return x
        if name == "f64":
            return lambda fr: float(x(fr))
        if name == "i64":
            if src == "f64":
                return lambda fr: f2i(x(fr))
            return lambda fr: i64(x(fr))
        # u64
        if src == "f64":
            return lambda fr: f2u(x(fr))
        return lambda fr: int(x(fr)) & M64


def _ident(v: Any) -> Any:
    return v


_NESTED_CHAIN = 4  # the longest chain of binary operators run as nested closures


def _nest(e: Binary, x: Ev, y: Ev) -> Ev:
    """Operator e as a closure over its operands' closures."""
    op = e.op
    if op == "&&":
        return lambda fr: bool(x(fr)) and bool(y(fr))
    if op == "||":
        return lambda fr: bool(x(fr)) or bool(y(fr))
    fn = COMPARE[op] if op in COMPARE else ARITH[(op, e.ty)]
    return lambda fr: fn(x(fr), y(fr))


def _step(e: Binary, y: Ev) -> Callable[[Any, Frame], Any]:
    """Operator e as a step of a chain: (its left operand's value, the frame) -> its value."""
    op = e.op
    if op == "&&":
        return lambda v, fr: bool(v) and bool(y(fr))
    if op == "||":
        return lambda v, fr: bool(v) or bool(y(fr))
    fn = COMPARE[op] if op in COMPARE else ARITH[(op, e.ty)]
    return lambda v, fr: fn(v, y(fr))

