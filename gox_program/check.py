"""Name resolution and type checking of a parsed program (docs/PROGRAM_FORMAT.md, "Types").

``load(src, file)`` parses and checks; every error is a ``ProgramError`` with
``file:line:column``.  The checker annotates the tree in place: the type of every expression,
a slot number for every local, a global index for every global and string literal, a
function id for every function, and how every call is made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gox_abi.abi import BY_NAME, MAX_RESULTS, Symbol
from gox_abi.kinds import SlotType, ValueKind

from .syntax import (
    VALUE_TYPES,
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
    FuncType,
    GoStmt,
    If,
    IntLit,
    KindConst,
    Name,
    NilLit,
    Pos,
    Program,
    ProgramError,
    Return,
    SigRef,
    Stmt,
    StrLit,
    TCall,
    Unary,
    VarDecl,
    left_spine,
    parse,
    subexprs,
)

I64_MIN, I64_MAX, U64_MAX = -(2**63), 2**63 - 1, 2**64 - 1
INT_TYPES = ("i64", "u64")
NUM_TYPES = ("i64", "u64", "f64")
CONVERSIONS = {
    # name: (accepted operand types, result type)
    "i64": (("i64", "u64", "f64"), "i64"),
    "u64": (("i64", "u64", "f64", "bool", "ref"), "u64"),
    "f64": (("i64", "u64", "f64"), "f64"),
    "bool": (("bool", "i64", "u64"), "bool"),
    "ref": (("ref", "u64"), "ref"),
    "f64bits": (("f64",), "u64"),
    "f64frombits": (("u64",), "f64"),
}

# Symbols a program may not call by name: the runner owns what they manage.
RUNNER_OWNED = {
    "gox_init_gc": "the runner owns the heap",
    "gox_init_globals": "the runner owns the globals; declare them with 'var' at top level",
    "gox_rt_get_global": "the runner owns the globals; use a top-level 'var'",
    "gox_rt_set_global": "the runner owns the globals; use a top-level 'var'",
    "gox_init_func_table": "the runner owns the function table",
    "gox_set_func_ptr": "the runner owns the function table",
    "gox_go_spawn": "use a 'go' statement",
    "gox_defer_push": "use a 'defer' statement",
    "gox_defer_frame_enter": "the runner opens defer frames",
    "gox_defer_frame_exit": "the runner closes defer frames",
    "gox_defer_pop": "the runner runs deferred calls",
    "gox_stack_map_register": "the runner roots references",
    "gox_stack_map_register_batch": "the runner roots references",
    "gox_stack_map_clear": "the runner roots references",
    "gox_sim_frame_push": "the runner roots references",
    "gox_sim_frame_pop": "the runner roots references",
    "gox_sim_stack_write": "the runner roots references",
}


def _kind_name(n: str) -> str:
    return "".join(p.title() for p in n.split("_"))


CONSTANTS: dict[str, int] = {f"kind.{_kind_name(k.name)}": int(k) for k in ValueKind}
CONSTANTS.update({f"slot.{_kind_name(k.name)}": int(k) for k in SlotType})
CONSTANTS["type.None"] = 0xFFFF  # "no struct type" (NO_TYPE) for gox_rt_closure_create etc.
CONSTANTS["type.RuntimeError"] = 0xFFFE  # value_type_id of run-time error panic values


@dataclass(frozen=True)
class AbiSig:
    """How a program calls a symbol: parameter classes and result types."""

    params: tuple[str, ...]  # "ref", "raw" (any u64 slot), "bool", "int", "bytes", "vals" (below)
    results: tuple[str, ...]
    c_strings: frozenset[int] = frozenset()  # the "bytes" parameters C reads up to a NUL


def _c_value_type(ctype: str) -> str:
    ctype = ctype.replace("*", "").strip()
    if ctype == "GoxRef":
        return "ref"
    if ctype == "bool":
        return "bool"
    if ctype in ("int64_t", "int32_t"):
        return "i64"
    return "u64"


def abi_sig(sym: Symbol) -> AbiSig | str:
    """The program-level signature of a symbol, or why a program cannot call it."""
    if sym.name in RUNNER_OWNED:
        return f"{sym.name} cannot be called by a program: {RUNNER_OWNED[sym.name]}"
    if not sym.ref:
        return f"{sym.name} cannot be called by a program: it is a C-only host function (no reference form)"
    cparams = dict((n, t) for t, n in sym.c_params)
    params: list[str] = []
    c_strings: set[int] = set()
    for pname, ptype in zip(sym.py_params, sym.py_param_types, strict=True):
        ctype = cparams.get(pname, "")
        if ptype == "bytes":
            if ctype == "const char *":
                c_strings.add(len(params))
            params.append("bytes")
        elif ptype == "bool":
            params.append("bool")
        elif ptype == "Sequence[int]" and ctype == "const uint64_t *" and pname == sym.py_params[-1]:
            params.append("vals")  # the call's trailing arguments, any number of u64 slots
        elif ptype != "int":
            return f"{sym.name} cannot be called by a program: its parameter {pname} is a {ptype}"
        elif ctype == "GoxRef":
            params.append("ref")
        elif ctype == "uint64_t":
            params.append("raw")
        else:
            params.append("int")
    ret = sym.py_return
    results: tuple[str, ...]
    if ret == "None":
        results = ()
    elif ret == "bool":
        results = ("bool",)
    elif ret == "int":
        results = (_c_value_type(sym.c_return),)
    elif ret.startswith("tuple[") and "..." not in ret:
        outs = [t for t, n in sym.c_params if n.startswith("out_")]
        results = tuple(_c_value_type(t) for t in [sym.c_return, *outs] if t != "void")
        if len(results) != ret.count(",") + 1:
            return f"{sym.name} cannot be called by a program: its results {ret} have no slot form"
    else:
        return f"{sym.name} cannot be called by a program: it returns {ret}"
    return AbiSig(tuple(params), results, frozenset(c_strings))


def _safe_abi_sig(sym: Symbol) -> AbiSig | str:
    try:
        return abi_sig(sym)
    except (ValueError, AssertionError, IndexError):
        return f"{sym.name} cannot be called by a program: its signature {sym.py} has no slot form"


ABI_SIGS: dict[str, AbiSig | str] = {name: _safe_abi_sig(sym) for name, sym in BY_NAME.items()}


_UNTYPED_OPS = ("+", "-", "*", "/", "%", "&", "|", "^", "&^")
_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def _untyped(e: Expr) -> bool:
    """Whether e is an untyped constant expression: constants under - ^ and arithmetic."""
    for x in subexprs(e):
        if (isinstance(x, Unary) and x.op in ("-", "^")) or (isinstance(x, Binary) and x.op in _UNTYPED_OPS):
            continue
        if not isinstance(x, (IntLit, KindConst)):
            return False
    return True


def _f64_overflows(v: int) -> bool:
    """Whether an integer constant rounds to an infinite f64 (Go's "overflows")."""
    try:
        float(v)
    except OverflowError:
        return True
    return False


def _show_const(e: Expr, v: int) -> str:
    """A constant for a message: its value, or for a literal too long to show whole, the start
    of its spelling and its length (Go prints all of it)."""
    if isinstance(e, IntLit) and len(e.text) > 40:
        return f"{e.text[:20]}... ({len(e.text)} characters)"
    return str(v)


def _show(types: tuple[str, ...]) -> str:
    return "(" + ", ".join(types) + ")"


class Checker:
    def __init__(self, prog: Program) -> None:
        self.prog = prog
        self.file = prog.file
        self.funcs: dict[str, FuncDecl] = {}
        self.globals: dict[str, tuple[int, str]] = {}
        self.sigs: dict[str, FuncType] = {}
        self.strings: dict[bytes, int] = {}
        self.fn: FuncDecl | None = None
        self.scopes: list[dict[str, int]] = []
        self.loops = 0
        self.defer_targets: set[str] = set()
        self.addr_taken: set[str] = set()

    def err(self, pos: Pos, msg: str) -> ProgramError:
        return ProgramError(self.file, pos.line, pos.col, msg)

    # -- top level ------------------------------------------------------------------------------
    def check(self) -> Program:
        prog = self.prog
        for td in prog.types:
            if td.name in self.sigs or td.name in VALUE_TYPES:
                raise self.err(td.pos, f"{td.name} redeclared")
            self.sigs[td.name] = td.sig
        for i, f in enumerate(prog.funcs):
            if f.name in self.funcs:
                raise self.err(f.pos, f"{f.name} redeclared in this program")
            if f.name in CONVERSIONS or f.name.startswith("gox_"):
                raise self.err(f.pos, f"cannot declare a function named {f.name}: the name is reserved")
            f.func_id = i + 1  # function id 0 is the nil function
            self.funcs[f.name] = f
        for i, g in enumerate(prog.globals):
            if g.name in self.globals or g.name in self.funcs:
                raise self.err(g.pos, f"{g.name} redeclared in this program")
            self.globals[g.name] = (i, g.type)
        main = self.funcs.get("main")
        if main is None:
            raise ProgramError(self.file, 1, 1, "function main is undeclared")
        if main.params or main.results:
            raise self.err(main.pos, "func main must have no arguments and no return values")
        for f in prog.funcs:
            self.check_func(f)
        for name in self.defer_targets | self.addr_taken:
            # recover() is "called directly by a deferred function" only if that function has
            # its own frame (docs/SCHEDULER.md section 4): every function that may run as a deferred
            # call gets one - every named defer target, and every function whose id is taken
            # with &f (it may be deferred through tcall or, as a closure body, through ccall).
            self.funcs[name].has_frame = True
        prog.strings = list(self.strings)
        return prog

    def check_func(self, f: FuncDecl) -> None:
        self.fn = f
        if len(f.results) > MAX_RESULTS:  # results 1.. travel in gox_shadow_results' slots
            raise ProgramError(self.file, f.pos.line, f.pos.col,
                               f"{f.name} has {len(f.results)} results; at most {MAX_RESULTS}")
        self.scopes = [{}]
        self.loops = 0
        for p in f.params:
            self.declare(p.pos, p.name, p.type)
        self.block(f.body, new_scope=False)
        if f.results and not self.terminates(f.body):
            raise ProgramError(self.file, f.pos.line, f.pos.col, f"missing return at the end of {f.name}")
        f.nslots = len(f.slot_types)

    def declare(self, pos: Pos, name: str, typ: str) -> int:
        assert self.fn is not None
        if name == "_":
            raise self.err(pos, "cannot declare _")
        if name in self.scopes[-1]:
            raise self.err(pos, f"{name} redeclared in this block")
        slot = len(self.fn.slot_types)
        self.fn.slot_types.append(typ)
        self.fn.slot_names.append(name)
        self.scopes[-1][name] = slot
        return slot

    def lookup(self, name: str) -> int:
        for sc in reversed(self.scopes):
            if name in sc:
                return sc[name]
        return -1

    def terminates(self, b: Block) -> bool:
        if not b.stmts:
            return False
        s = b.stmts[-1]
        if isinstance(s, Return):
            return True
        if isinstance(s, If):
            return s.els is not None and self.terminates(s.then) and self.terminates(s.els)
        if isinstance(s, For):
            return s.cond is None and not self._has_break(s.body)
        if isinstance(s, ExprStmt) and isinstance(s.expr, Call):
            return s.expr.name == "gox_panic"
        return False

    def _has_break(self, b: Block) -> bool:
        for s in b.stmts:
            if isinstance(s, Break):
                return True
            if isinstance(s, If) and (self._has_break(s.then) or (s.els is not None and self._has_break(s.els))):
                return True
        return False

    # -- statements -----------------------------------------------------------------------------
    def block(self, b: Block, new_scope: bool = True) -> None:
        if new_scope:
            self.scopes.append({})
        for s in b.stmts:
            self.stmt(s)
        if new_scope:
            self.scopes.pop()

    def stmt(self, s: Stmt) -> None:
        assert self.fn is not None
        if isinstance(s, VarDecl):
            if s.init is not None:
                self.assignable(s.init, s.type, f"the initial value of {s.name}")
            s.slot = self.declare(s.pos, s.name, s.type)
        elif isinstance(s, Assign):
            self.assign(s)
        elif isinstance(s, ExprStmt):
            if not isinstance(s.expr, (Call, TCall)) or (isinstance(s.expr, Call) and s.expr.name in CONVERSIONS):
                raise self.err(s.expr.pos, "expression is evaluated but not used")
            self.call(s.expr, results_ok=True)
        elif isinstance(s, If):
            self.assignable(s.cond, "bool", "the if condition")
            self.block(s.then)
            if s.els is not None:
                self.block(s.els)
        elif isinstance(s, For):
            self.scopes.append({})
            if s.init is not None:
                self.stmt(s.init)
            if s.cond is not None:
                self.assignable(s.cond, "bool", "the loop condition")
            if s.post is not None:
                self.stmt(s.post)
            self.loops += 1
            self.block(s.body)
            self.loops -= 1
            self.scopes.pop()
        elif isinstance(s, (Break, Continue)):
            if not self.loops:
                raise self.err(s.pos, f"{'break' if isinstance(s, Break) else 'continue'} is not in a loop")
        elif isinstance(s, Return):
            want = self.fn.results
            if len(s.values) == 1 and len(want) > 1 and isinstance(s.values[0], (Call, TCall)):
                got = self.call(s.values[0], results_ok=True)
                if got != want:
                    raise self.err(s.pos, f"cannot return {_show(got)} from {self.fn.name}, which returns {_show(want)}")
                return
            if len(s.values) != len(want):
                raise self.err(s.pos, f"wrong number of return values: have {len(s.values)}, want {len(want)}")
            for v, t in zip(s.values, want, strict=True):
                self.assignable(v, t, "the return value")
        elif isinstance(s, GoStmt):
            word = "defer" if s.defer else "go"
            c = s.call
            if isinstance(c, Call) and c.name not in self.funcs and not (s.defer and c.name.startswith("gox_")):
                what = "a program function, an ABI symbol, tcall or ccall" if s.defer else "a program function, tcall or ccall"
                raise self.err(c.pos, f"{word} needs {what}; {c.name} is not one")
            self.call(c, results_ok=True)
            if isinstance(c, Call) and c.vals_from >= 0:
                raise self.err(c.pos, f"defer of {c.name} is not supported: it takes a variable number of values")
            if s.defer:
                self.fn.has_frame = True
                if isinstance(c, Call) and c.name in self.funcs:
                    self.defer_targets.add(c.name)
        elif isinstance(s, Checkpoint):
            if s.label not in self.prog.checkpoints:
                self.prog.checkpoints.append(s.label)
        else:  # pragma: no cover
            raise self.err(s.pos, f"unknown statement {type(s).__name__}")

    def target_type(self, n: Name) -> str:
        assert self.fn is not None
        slot = self.lookup(n.name)
        if slot >= 0:
            n.slot = slot
            return self.fn.slot_types[slot]
        if n.name in self.globals:
            n.glob, typ = self.globals[n.name]
            return typ
        if n.name in self.funcs:
            raise self.err(n.pos, f"cannot assign to function {n.name}")
        raise self.err(n.pos, f"undefined: {n.name}")

    def assign(self, s: Assign) -> None:
        if len(s.targets) == 1:
            t = s.targets[0]
            if t is None:
                self.value(s.value, None)
            else:
                self.assignable(s.value, self.target_type(t), f"assignment to {t.name}")
            return
        if not isinstance(s.value, (Call, TCall)):
            raise self.err(s.value.pos, f"assignment mismatch: {len(s.targets)} variables but 1 value")
        got = self.call(s.value, results_ok=True)
        if len(got) != len(s.targets):
            raise self.err(s.pos, f"assignment mismatch: {len(s.targets)} variables but the call returns {len(got)} values")
        for t, typ in zip(s.targets, got, strict=True):
            if t is not None:
                want = self.target_type(t)
                if want != typ:
                    raise self.err(t.pos, f"cannot assign {typ} to {t.name} (type {want})")

    # -- expressions ----------------------------------------------------------------------------
    def assignable(self, e: Expr, want: str, what: str) -> None:
        self.expect_type(e, self.value(e, want), want, what)

    def expect_type(self, e: Expr, got: str, want: str, what: str) -> None:
        if got != want:
            raise self.err(e.pos, f"cannot use {got} as {want} in {what}")

    def value(self, e: Expr, want: str | None) -> str:
        """Type of an expression used as a single value; ``want`` types untyped constants."""
        t = self.expr(e, want)
        e.ty = t
        return t

    def const(self, e: Expr, v: int, want: str | None) -> str:
        t = want if want in NUM_TYPES else "i64"
        if t == "i64" and not I64_MIN <= v <= I64_MAX:
            if want is None and 0 <= v <= U64_MAX:
                t = "u64"
            else:
                raise self.err(e.pos, f"constant {_show_const(e, v)} overflows i64")
        if t == "u64" and not 0 <= v <= U64_MAX:
            raise self.err(e.pos, f"constant {_show_const(e, v)} overflows u64")
        if t == "f64" and _f64_overflows(v):
            raise self.err(e.pos, f"constant {_show_const(e, v)} overflows f64")
        return t

    def expr(self, e: Expr, want: str | None) -> str:
        assert self.fn is not None
        if isinstance(e, IntLit):
            return self.const(e, e.value, want)
        if isinstance(e, KindConst):
            if e.name not in CONSTANTS:
                raise self.err(e.pos, f"unknown constant {e.name}")
            e.value = CONSTANTS[e.name]
            return self.const(e, e.value, want)
        if isinstance(e, FloatLit):
            if math.isinf(e.value):
                raise self.err(e.pos, f"constant {e.text} overflows f64")
            return "f64"
        if isinstance(e, BoolLit):
            return "bool"
        if isinstance(e, NilLit):
            return "ref"
        if isinstance(e, StrLit):
            if e.value not in self.strings:
                self.strings[e.value] = len(self.strings)
            e.index = len(self.prog.globals) + self.strings[e.value]
            return "ref"
        if isinstance(e, Name):
            if e.name == "_":
                raise self.err(e.pos, "cannot use _ as a value")
            if self.lookup(e.name) < 0 and e.name not in self.globals and e.name in self.funcs:
                raise self.err(e.pos, f"{e.name} is a function; use &{e.name} for its function id")
            return self.target_type(e)
        if isinstance(e, FuncAddr):
            f = self.funcs.get(e.name)
            if f is None:
                raise self.err(e.pos, f"undefined function: {e.name}")
            e.func_id = f.func_id
            self.addr_taken.add(f.name)
            return "u64"
        if isinstance(e, Unary):
            if e.op == "!":
                self.assignable(e.x, "bool", "the operand of !")
                return "bool"
            t = self.value(e.x, want if want in NUM_TYPES else None)
            ok = NUM_TYPES if e.op == "-" else INT_TYPES
            if t not in ok:
                raise self.err(e.pos, f"invalid operation: operator {e.op} not defined on {t}")
            return t
        if isinstance(e, Binary):
            return self.binary(e, want)
        if isinstance(e, (Call, TCall)):
            res = self.call(e, results_ok=False)
            if not res:
                name = e.name if isinstance(e, Call) else ("ccall" if e.closure else "tcall")
                raise self.err(e.pos, f"{name}(...) (no value) used as a value")
            if len(res) > 1:
                name = e.name if isinstance(e, Call) else ("ccall" if e.closure else "tcall")
                raise self.err(e.pos, f"multiple-value {name}(...) (value of type {_show(res)}) in single-value context")
            return res[0]
        raise self.err(e.pos, f"unknown expression {type(e).__name__}")  # pragma: no cover

    def binary(self, e: Binary, want: str | None) -> str:
        """A chain of binary operators, typed along its left spine in loops (a long chain costs
        no recursion), in the order of the recursive rule: each operator types its left operand
        (with the type its own context wants) and then its right operand, except that an untyped
        left operand with a typed right one takes the right one's type, so the right one goes
        first."""
        leaf, ops = left_spine(e)
        untyped_y = [_untyped(b.y) for b in ops]
        untyped_x = [_untyped(leaf)]  # whether each operator's left operand is untyped
        for b, uy in zip(ops, untyped_y, strict=True):
            untyped_x.append(b.op in _UNTYPED_OPS and untyped_x[-1] and uy)
        y_first = [False] * len(ops)
        w = want  # down the spine: what each left operand is wanted as
        for i in range(len(ops) - 1, -1, -1):
            op = ops[i].op
            if op in ("&&", "||"):
                w = "bool"
            elif op in ("<<", ">>"):
                w = w if w in INT_TYPES else None
            else:
                hint = None if op in _COMPARE else (w if w in NUM_TYPES else None)
                y_first[i] = untyped_x[i] and not untyped_y[i]
                w = self.value(ops[i].y, hint) if y_first[i] else hint
        t = self.value(leaf, w)
        for b, yf in zip(ops, y_first, strict=True):  # up the spine: each operator's type
            t = b.ty = self.binop(b, t, yf)
        return t

    def binop(self, e: Binary, tx: str, y_typed: bool) -> str:
        """The type of ``e`` whose left operand has type tx (and whose right operand is typed
        already when ``y_typed``)."""
        op = e.op
        if op in ("&&", "||"):
            self.expect_type(e.x, tx, "bool", f"the operand of {op}")
            self.assignable(e.y, "bool", f"the operand of {op}")
            return "bool"
        if op in ("<<", ">>"):
            if tx not in INT_TYPES:
                raise self.err(e.pos, f"invalid operation: shift of type {tx}")
            c = self.value(e.y, None)
            if c not in INT_TYPES:
                raise self.err(e.y.pos, f"invalid operation: shift count type {c}, must be integer")
            return tx
        compare = op in _COMPARE
        ty = e.y.ty if y_typed else self.value(e.y, tx)
        if tx != ty:
            raise self.err(e.pos, f"invalid operation: mismatched types {tx} and {ty} in {op}")
        if compare:
            if op not in ("==", "!=") and tx not in NUM_TYPES:
                raise self.err(e.pos, f"invalid operation: operator {op} not defined on {tx}")
            return "bool"
        ok = NUM_TYPES if op in ("+", "-", "*", "/") else INT_TYPES
        if tx not in ok:
            raise self.err(e.pos, f"invalid operation: operator {op} not defined on {tx}")
        return tx

    def sig_of(self, sig: FuncType | SigRef) -> FuncType:
        if isinstance(sig, FuncType):
            return sig
        found = self.sigs.get(sig.name)
        if found is None:
            raise self.err(sig.pos, f"undefined signature: {sig.name}")
        return found

    def args(self, pos: Pos, name: str, args: list[Expr], params: tuple[str, ...]) -> None:
        if len(args) != len(params):
            few = "not enough" if len(args) < len(params) else "too many"
            raise self.err(pos, f"{few} arguments in call to {name}: have {len(args)}, want {len(params)}")
        for i, (a, p) in enumerate(zip(args, params, strict=True)):
            self.assignable(a, p, f"argument {i + 1} of {name}")

    def call(self, e: Call | TCall, results_ok: bool) -> tuple[str, ...]:
        if isinstance(e, TCall):
            sig = self.sig_of(e.sig)
            word = "ccall" if e.closure else "tcall"
            self.assignable(e.target, "ref" if e.closure else "u64", f"the {'closure' if e.closure else 'function id'} of {word}")
            self.args(e.pos, word, e.args, sig.params)
            e.params, e.results = sig.params, sig.results
            return sig.results
        name = e.name
        if name in CONVERSIONS:
            accepted, res = CONVERSIONS[name]
            if len(e.args) != 1:
                raise self.err(e.pos, f"conversion {name}(...) takes exactly one argument")
            hint = {"ref": "u64", "bool": None, "f64bits": "f64", "f64frombits": "u64"}.get(name, res)
            t = self.value(e.args[0], hint)
            if t not in accepted:
                raise self.err(e.pos, f"cannot convert {t} to {res} with {name}(...)")
            e.how, e.results = "conv", (res,)
            return e.results
        f = self.funcs.get(name)
        if f is not None:
            params = tuple(p.type for p in f.params)
            self.args(e.pos, name, e.args, params)
            e.how, e.results, e.func_id, e.param_types = "func", f.results, f.func_id, params
            return f.results
        if name.startswith("gox_"):
            asig = ABI_SIGS.get(name)
            if asig is None:
                raise self.err(e.pos, f"undefined: {name} is not an ABI symbol")
            if isinstance(asig, str):
                raise self.err(e.pos, asig)
            params = asig.params
            want = str(len(params))
            if params[-1:] == ("vals",):  # a variadic symbol: its trailing arguments are the values
                e.vals_from = len(params) - 1
                want = f"{e.vals_from} or more"
                params = params[:-1] + ("vals",) * (len(e.args) - e.vals_from)
            if len(e.args) != len(params):
                few = "not enough" if len(e.args) < len(params) else "too many"
                raise self.err(e.pos, f"{few} arguments in call to {name}: have {len(e.args)}, want {want}")
            for i, (a, p) in enumerate(zip(e.args, params, strict=True)):
                what = f"argument {i + 1} of {name}"
                if p == "bytes":
                    if not isinstance(a, StrLit):
                        raise self.err(a.pos, f"{what} must be a string literal (it is passed as bytes)")
                    if i in asig.c_strings and b"\0" in a.value:
                        raise self.err(a.pos, f"{what} is a C string: the literal must not hold a NUL byte")
                    a.ty = "bytes"
                elif p in ("raw", "vals"):
                    self.value(a, None)
                elif p == "int":
                    t = self.value(a, None)
                    if t not in INT_TYPES:
                        raise self.err(a.pos, f"cannot use {t} as an integer in {what}")
                else:
                    self.assignable(a, p, what)
            if name == "gox_recover":
                assert self.fn is not None
                self.fn.has_frame = True
            e.how, e.results, e.param_types = "abi", asig.results, params
            return asig.results
        raise self.err(e.pos, f"undefined function: {name}")


def check(prog: Program) -> Program:
    return Checker(prog).check()


def load(src: str | bytes, file: str = "<program>") -> Program:
    """Parse and type-check a program (its text, or a file's bytes); raises ProgramError
    (file:line:column: message)."""
    return check(parse(src, file))
