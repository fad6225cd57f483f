"""Abstract random programs for three-way fuzzing (``gox-ref fuzz --go``, docs/DIFF_AND_FUZZ.md).

``generate(seed)`` makes an abstract program, a pure function of the seed: helper functions and
``main``, each a tree of statements (``Leaf``, ``If``, ``Loop``).  Every choice the generator makes
is written twice at once, as .gox and as Go, so the two renderings (``Prog.gox()``, ``Prog.go()``)
are the same program; shrinking (``candidates``) removes statements from the tree, or unwraps a
block to one of its bodies, and renders both again, so the two forms stay in step.

What it covers: integer arithmetic (wrapping, division, shifts), strings (concatenation,
slicing, ranged over, some of invalid UTF-8), int slices (append of one and of several
elements, copy, 2- and 3-index slicing, []byte conversions, growth printed as cap), maps
(iteration summed; float64 keys at +0, -0 and NaN), time (sleeps, the timeout idiom, Stop and
Reset, tickers, a sleeping sender: ``s_time``), goroutines with buffered and unbuffered
channels and close (also of a channel a sender is parked on), select with and without default
and with nil channels, closures sharing a captured variable, defer/panic/recover (re-panics,
panics in deferred calls, runtime errors recovered, among them an index exactly at a slice's
or a string's length), deep recursion, an int slice and a string beyond 65,535 elements, and
at the end of ``main`` a panic (a string, a named value), a runtime error, a goroutine's panic or
a deadlock.

**Determinism rule** (Go's scheduler and select choice are not deterministic, so a program's
output must not depend on them): only the main goroutine prints; a goroutine only sends (to one
channel, in order) and closes, or panics while main is blocked for ever, or sends on a channel
main closes and reports its recovered panic; a receive loop reads one
channel fed by one goroutine (FIFO order), and a select over several ready channels only sums
what it receives; a select with a default runs on channels no goroutine touches (which case is
ready is then fixed); map iteration is only summed.  The GC-specific calls of the two-way
generator (``gox_gc_write_slot``, ``gox_gc_tune``, raw slots) have no Go meaning that could be
compared, so they stay in the two-way generator (gox_program/fuzz.py) only.
"""

from __future__ import annotations

import copy
import itertools
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .check import load
from .syntax import ProgramError

# -- expressions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """An int64 expression: its .gox and Go texts, and whether Go sees it as a constant."""

    gox: str
    go: str
    const: bool = False


def int_literal(r: random.Random) -> int:
    """A random integer literal's value, as both generators draw it: mostly small, some negative,
    a few large (the two fuzzers' programs use the same distribution)."""
    c = r.random()
    if c < 0.7:
        return r.randint(0, 20)
    if c < 0.85:
        return -r.randint(1, 1000)
    return r.choice([255, 1 << 20, 1 << 40, 9223372036854775807, 12345678901])


def lit(v: int) -> Expr:
    return Expr(str(v), str(v), True) if v >= 0 else Expr(f"(0 - {-v})", f"({v})", True)


def var(name: str) -> Expr:
    return Expr(name, name)


def binop(op: str, a: Expr, b: Expr) -> Expr:
    """``a op b``; Go folds constant operands at compile time (and rejects an overflow or a
    constant shift out of range), so a constant left operand goes through ``id``."""
    ago = f"id({a.go})" if a.const and (b.const or op in ("<<", ">>")) else a.go
    if op in ("/", "%"):
        return Expr(f"({a.gox} {op} ({b.gox} | 1))", f"({ago} {op} ({b.go} | 1))")
    if op in ("<<", ">>"):
        return Expr(f"({a.gox} {op} ({b.gox} & 15))", f"({ago} {op} ({b.go} & 15))")
    return Expr(f"({a.gox} {op} {b.gox})", f"({ago} {op} {b.go})")


# -- statements ----------------------------------------------------------------------------------
# Lines are relative to the statement's indentation; a leading tab is one level deeper.


@dataclass
class Leaf:
    gox: list[str]
    go: list[str]


@dataclass
class If:
    cond: Expr
    then: list[Node]
    els: list[Node] = field(default_factory=list)


@dataclass
class Loop:
    var: str
    n: int
    body: list[Node]


Node = Leaf | If | Loop


@dataclass
class Func:
    name: str
    gox_sig: str
    go_sig: str
    body: list[Node]
    ret: Expr | None = None


@dataclass
class Prog:
    seed: int
    funcs: list[Func]  # the helpers, then main

    def gox(self) -> str:
        code = "\n\n".join(_render_func(f, "gox") for f in self.funcs)
        fixed = _fixed_used(code, "gox")
        head = f"// gox-ref fuzz program, seed {self.seed} (three ways: .gox and Go)\n" + _GOX_GLOBALS
        return "\n\n".join([head, *fixed, code]) + "\n"

    def go(self) -> str:
        code = "\n\n".join(_render_func(f, "go") for f in self.funcs)
        fixed = _fixed_used(code, "go")
        head = f"// gox-ref fuzz program, seed {self.seed} (three ways: .gox and Go)\npackage main\n\n"
        head += 'import (\n\t"fmt"\n\t"math"\n\t"time"\n)\n\nvar _ = math.Inf\nvar _ = time.Sleep\n\n' + _GO_GLOBALS
        return "\n\n".join([head, *fixed, code]) + "\n"


def _render_body(body: list[Node], lang: str, ind: str, out: list[str]) -> None:
    step = "    " if lang == "gox" else "\t"
    for n in body:
        if isinstance(n, Leaf):
            for ln in n.gox if lang == "gox" else n.go:
                tabs = len(ln) - len(ln.lstrip("\t"))
                out.append(ind + step * tabs + ln[tabs:])
        elif isinstance(n, If):
            c = n.cond.gox if lang == "gox" else n.cond.go
            out.append(f"{ind}if {c} {{")
            _render_body(n.then, lang, ind + step, out)
            if n.els:
                out.append(f"{ind}}} else {{")
                _render_body(n.els, lang, ind + step, out)
            out.append(f"{ind}}}")
        else:
            head = (f"for var {n.var} i64 = 0; {n.var} < {n.n}; {n.var}++ {{" if lang == "gox"
                    else f"for {n.var} := int64(0); {n.var} < {n.n}; {n.var}++ {{")
            out.append(ind + head)
            _render_body(n.body, lang, ind + step, out)
            out.append(f"{ind}}}")


def _render_func(f: Func, lang: str) -> str:
    out = [f"func {f.name}{f.gox_sig if lang == 'gox' else f.go_sig} {{"]
    step = "    " if lang == "gox" else "\t"
    _render_body(f.body, lang, step, out)
    if f.ret is not None:
        out.append(f"{step}return {f.ret.gox if lang == 'gox' else f.ret.go}")
    out.append("}")
    return "\n".join(out)


_GOX_GLOBALS = "type IntFn func(i64) i64\ntype GetFn func() i64\n\nvar gcount i64\nvar gstr ref"
_GO_GLOBALS = "type Msg string\n\nvar gcount int64\nvar gstr string"

# The fixed functions a program may call, (.gox, Go); only those it uses are written out.  The
# two-way generator (fuzz.py) uses the .gox texts of catcher, boom and protect too.
FIXED: dict[str, tuple[str, str]] = {
    "id": ("", "func id(x int64) int64 {\n\treturn x\n}"),
    "ff": ("", """func ff(f float64) string { // Go's runtime print format, the runtimes' kind.Float64
\tif math.IsNaN(f) || math.IsInf(f, 0) {
\t\treturn fmt.Sprintf("%+v", f)
\t}
\ts := fmt.Sprintf("%+.6e", f)
\ti := len(s) - 1
\tfor s[i] != '+' && s[i] != '-' { // the exponent's sign: its digits, 2 or 3, padded to 3
\t\ti--
\t}
\treturn s[:i+1] + fmt.Sprintf("%03s", s[i+1:])
}"""),
    "catcher": ("""func catcher() {
    var s0 u64
    var s1 u64
    s0, s1 = gox_recover()
    if s0 != 0 {
        gox_debug_write("recovered: ", kind.String)
        gox_debug_print(ref(s1), kind.String)
    }
}""", """func catcher() {
\tif r := recover(); r != nil {
\t\tfmt.Println("recovered:", r)
\t}
}"""),
    "boom": ("""func boom() {
    gox_panic(gox_interface_pack(type.None, type.None, kind.String), "goroutine boom")
}""", """func boom() {
\tpanic("goroutine boom")
}"""),
    "protect": ("""func protect(x i64, how i64) i64 {
    defer catcher()
    defer gox_debug_print(x, kind.Int)
    var sl ref = gox_rt_slice_create(kind.Int, type.None, 2, 2)
    if how == 0 {
        gox_panic(gox_interface_pack(type.None, type.None, kind.String), "protect")
    }
    if how == 1 {
        return i64(gox_slice_get(sl, x & 7))
    }
    if how == 2 {
        var c ref = gox_chan_new(kind.Int, 1)
        gox_chan_close(c)
        gox_chan_close(c)
    }
    if how == 3 {
        return x / (x & 1)
    }
    if how == 4 {
        defer boom()
        gox_panic(gox_interface_pack(type.None, type.None, kind.String), "first")
    }
    if how == 5 {
        var m ref
        gox_map_set(m, x, 1)
    }
    if how == 6 {
        return i64(gox_slice_get(gox_rt_slice_slice(sl, 0, x & 3), 0))
    }
    if how == 7 {
        gox_panic(gox_interface_pack(type.None, gox_type_register("main.Msg", ""), kind.String), "named")
    }
    if how == 9 {
        return i64(gox_slice_get(sl, gox_slice_len(sl)))
    }
    if how == 10 {
        var st ref = "ab"
        return i64(gox_string_index(st, gox_string_len(st)))
    }
    return x + 1
}""", """func protect(x int64, how int64) int64 {
\tdefer catcher()
\tdefer fmt.Println(x)
\tsl := make([]int64, 2, 2)
\tif how == 0 {
\t\tpanic("protect")
\t}
\tif how == 1 {
\t\treturn sl[x&7]
\t}
\tif how == 2 {
\t\tc := make(chan int64, 1)
\t\tclose(c)
\t\tclose(c)
\t}
\tif how == 3 {
\t\treturn x / (x & 1)
\t}
\tif how == 4 {
\t\tdefer boom()
\t\tpanic("first")
\t}
\tif how == 5 {
\t\tvar m map[int64]int64
\t\tm[x] = 1
\t}
\tif how == 6 {
\t\treturn sl[0:x&3][0]
\t}
\tif how == 7 {
\t\tpanic(Msg("named"))
\t}
\tif how == 9 {
\t\treturn sl[len(sl)]
\t}
\tif how == 10 {
\t\tst := "ab"
\t\treturn int64(st[len(st)])
\t}
\treturn x + 1
}"""),
    "wint": ("""func wint(ch ref, n i64, base i64) {
    for var i i64 = 0; i < n; i++ {
        gox_chan_send(ch, base + i)
    }
    gox_chan_close(ch)
}""", """func wint(ch chan int64, n int64, base int64) {
\tfor i := int64(0); i < n; i++ {
\t\tch <- base + i
\t}
\tclose(ch)
}"""),
    "wsleep": ("""func wsleep(ch ref, ns i64, v i64) {
    gox_time_sleep(ns)
    gox_chan_send(ch, v)
}""", """func wsleep(ch chan int64, ns int64, v int64) {
\ttime.Sleep(time.Duration(ns))
\tch <- v
}"""),
    "wstr": ("""func wstr(ch ref, n i64) {
    var s ref = "w"
    for var i i64 = 0; i < n; i++ {
        s = gox_rt_string_concat(s, "x")
        gox_chan_send(ch, gox_rt_string_concat(s, "!"))
    }
    gox_chan_close(ch)
}""", """func wstr(ch chan string, n int64) {
\ts := "w"
\tfor i := int64(0); i < n; i++ {
\t\ts = s + "x"
\t\tch <- s + "!"
\t}
\tclose(ch)
}"""),
    "adder": ("""func adder(self ref, x i64) i64 {
    var box ref = ref(gox_closure_get_upvalue(self, 0))
    var n i64 = i64(gox_upval_box_get(box)) + x
    gox_upval_box_set(box, n)
    return n * 3
}""", ""),
    "getter": ("""func getter(self ref) i64 {
    return i64(gox_upval_box_get(ref(gox_closure_get_upvalue(self, 0))))
}""", ""),
    "sender": ("""func sender(self ref, v i64) {
    gox_chan_send(ref(gox_closure_get_upvalue(self, 0)), v + 1)
}""", ""),
    "psend": ("""func psend(c ref, v i64, done ref) {
    defer precover(done)
    gox_chan_send(c, v)
    gox_chan_send(done, 0)
}""", """func psend(c chan int64, v int64, done chan int64) {
\tdefer precover(done)
\tc <- v
\tdone <- 0
}"""),
    "precover": ("""func precover(done ref) {
    var s0 u64
    var s1 u64
    s0, s1 = gox_recover()
    if s0 != 0 && s1 != 0 {
        gox_chan_send(done, 1)
    }
}""", """func precover(done chan int64) {
\tif r := recover(); r != nil {
\t\tdone <- 1
\t}
}"""),
    "depth": ("""func depth(n i64) i64 {
    if n <= 0 {
        return 0
    }
    return depth(n - 1) + (n & 3)
}""", """func depth(n int64) int64 {
\tif n <= 0 {
\t\treturn 0
\t}
\treturn depth(n-1) + (n & 3)
}"""),
}
_USES = {"protect": ("catcher", "boom"), "psend": ("precover",)}


def _fixed_used(code: str, lang: str) -> list[str]:
    used = {name for name in FIXED if re.search(rf"\b{name}\(|&{name}\b", code)}
    for name in list(used):
        used.update(_USES.get(name, ()))
    texts = (FIXED[n][0 if lang == "gox" else 1] for n in FIXED if n in used)
    return [t for t in texts if t]


# -- statements both generators write (the two-way one, fuzz.py, takes their .gox lines) -----------
def closed_while_parked(name: Callable[[str], str], e: Expr) -> Leaf:
    """A goroutine's send parks on an unbuffered channel (main yields to it) that main then
    closes: the send panics, the sender recovers and reports 1 on ``done``.  In Go the yield
    may not let it park first, but a send on a closed channel panics all the same, so the
    output does not depend on Go's schedule."""
    c, done = name("c"), name("done")
    return Leaf([f"var {c} ref = gox_chan_new(kind.Int, 0)", f"var {done} ref = gox_chan_new(kind.Int, 1)",
                 f"go psend({c}, {e.gox}, {done})", "gox_yield()", f"gox_chan_close({c})",
                 f"gox_debug_print(gox_chan_recv({done}), kind.Int)"],
                [f"var {c} chan int64 = make(chan int64)", f"var {done} chan int64 = make(chan int64, 1)",
                 f"go psend({c}, {e.go}, {done})", f"close({c})", f"fmt.Println(<-{done})"])


def float_map(r: random.Random, name: Callable[[str], str]) -> Leaf:
    """A map with float64 keys set and deleted at +0, -0, NaN and 1.5 (as Go compares floats:
    +0 and -0 are one key, a NaN is a new key each time that no lookup or delete finds); one
    lookup and the length are printed (never the iteration order)."""
    m, z, nz, nan, v, ok = (name(p) for p in ("m", "z", "nz", "nan", "v", "ok"))
    keys = [z, nz, nan, f"({z} + 1.5)"]
    gox = [f"var {m} ref = gox_rt_map_new(kind.Float64, kind.Int)", f"var {z} f64 = 0", f"var {nz} f64 = -{z}",
           f"var {nan} f64 = {z} / {z}"]
    go = [f"var {m} map[float64]int64 = make(map[float64]int64)", f"var {z} float64 = 0", f"var {nz} float64 = -{z}",
          f"var {nan} float64 = {z} / {z}", f"_, _ = {nz}, {nan}"]
    for j in range(r.randint(2, 4)):
        k = r.choice(keys)
        if r.random() < 0.75:
            gox.append(f"gox_map_set({m}, {k}, {j + 1})")
            go.append(f"{m}[{k}] = {j + 1}")
        else:
            gox.append(f"gox_map_delete({m}, {k})")
            go.append(f"delete({m}, {k})")
    k = r.choice(keys)
    gox += [f"var {v} u64", f"var {ok} bool", f"{v}, {ok} = gox_map_get({m}, {k})", f"gox_debug_write({v}, kind.Int)",
            'gox_debug_write(" ", kind.String)', f"gox_debug_write({ok}, kind.Bool)", 'gox_debug_write(" ", kind.String)',
            f"gox_debug_print(gox_map_len({m}), kind.Int)"]
    go += [f"{v}, {ok} := {m}[{k}]", f"fmt.Println({v}, {ok}, len({m}))"]
    return Leaf(gox, go)


# -- the generator ---------------------------------------------------------------------------------
_STRS = ["a", "bc", "xyz", "h\\xc3\\xa9llo", "", "0123456789", "\\xe4\\xb8\\x96\\xe7\\x95\\x8c",
         "a\\xffb", "\\xe4\\xb8", "\\xed\\xa0\\x80z", "\\xf0\\x9f\\x98\\x80!", "\\x80"]


@dataclass
class _Scope:
    ints: list[str] = field(default_factory=list)  # assignable int64 variables
    ro: list[str] = field(default_factory=list)  # loop counters: read only
    strs: list[str] = field(default_factory=list)
    slices: list[str] = field(default_factory=list)

    def copy(self) -> _Scope:
        return _Scope(list(self.ints), list(self.ro), list(self.strs), list(self.slices))


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.seed = seed
        self.n = 0
        self.nhelpers = self.r.randint(1, 3)
        self.cur = -1  # the helper being written (-1: main)
        self.depth = 0  # loop nesting

    def name(self, p: str) -> str:
        self.n += 1
        return f"{p}{self.n}"

    def strlit(self) -> str:
        return '"' + self.r.choice(_STRS) + '"'

    def lit(self) -> Expr:
        return lit(int_literal(self.r))

    def iexpr(self, sc: _Scope, d: int = 0) -> Expr:
        r = self.r
        c = r.random()
        names = sc.ints + sc.ro
        if d >= 2 or c < 0.3:
            return var(r.choice(names)) if names and r.random() < 0.6 else self.lit()
        if c < 0.62:
            return binop(r.choice(["+", "-", "*", "^", "&", "|"]), self.iexpr(sc, d + 1), self.iexpr(sc, d + 1))
        if c < 0.72:
            return binop(r.choice(["/", "%"]), self.iexpr(sc, d + 1), self.iexpr(sc, d + 1))
        if c < 0.8:
            return binop(r.choice(["<<", ">>"]), self.iexpr(sc, d + 1), self.iexpr(sc, d + 1))
        if c < 0.86 and sc.strs:
            s = r.choice(sc.strs)
            return Expr(f"gox_string_len({s})", f"int64(len({s}))")
        if c < 0.92 and sc.slices:
            s = r.choice(sc.slices)
            return Expr(f"gox_slice_len({s})", f"int64(len({s}))")
        if sc.strs and self.callable() and self.depth == 0:
            h, a, s = r.choice(self.callable()), self.iexpr(sc, d + 1), r.choice(sc.strs)
            return Expr(f"f{h}({a.gox}, {s})", f"f{h}({a.go}, {s})")
        return var("gcount")

    def cond(self, sc: _Scope) -> Expr:
        r = self.r
        if sc.strs and r.random() < 0.2:
            s = r.choice(sc.strs)
            t = self.strlit()
            return Expr(f"gox_string_eq({s}, {t})", f"{s} == {t}")
        a, b = self.iexpr(sc, 1), self.iexpr(sc, 1)
        op = r.choice(["<", "<=", ">", ">=", "==", "!="])
        return Expr(f"{a.gox} {op} {b.gox}", f"{a.go} {op} {b.go}")

    def callable(self) -> list[int]:
        return list(range(self.cur + 1, self.nhelpers))

    # statements
    def stmts(self, sc: _Scope, n: int) -> list[Node]:
        return [self.stmt(sc) for _ in range(n)]

    def stmt(self, sc: _Scope) -> Node:
        r = self.r
        kinds = ["int", "int", "assign", "assign", "print", "print", "str", "slice", "slice", "if", "global", "float",
                 "narrow"]
        if self.depth < (1 if self.cur >= 0 else 2):
            kinds += ["loop", "loop"]
        if self.depth == 0:
            kinds += ["append_n", "append_slice", "copy", "bytes", "runes", "range_str", "map", "protect", "protect",
                      "closure", "depth"]
            if self.cur < 0:
                kinds += ["chan", "chan", "select_sum", "select_default", "handoff", "go_closure", "gap", "time"]
        k = r.choice(kinds)
        if k == "gap":  # (one weight for these: a program's C, and so cc's time, grows little)
            k = r.choice(["float_map", "closed_while_parked", "big"])
        if k == "assign" and not sc.ints:
            k = "int"
        meth = getattr(self, "s_" + k)
        node: Node = meth(sc)
        return node

    def s_int(self, sc: _Scope) -> Node:
        v, e = self.name("v"), self.iexpr(sc)
        sc.ints.append(v)
        return Leaf([f"var {v} i64 = {e.gox}"], [f"var {v} int64 = {e.go}", f"_ = {v}"])

    def s_assign(self, sc: _Scope) -> Node:
        v, e = self.r.choice(sc.ints), self.iexpr(sc)
        op = self.r.choice(["=", "+=", "-=", "*=", "^=", "|=", "&="])
        return Leaf([f"{v} {op} {e.gox}"], [f"{v} {op} {e.go}"])

    def s_print(self, sc: _Scope) -> Node:
        if sc.strs and self.r.random() < 0.3:
            s = self.r.choice(sc.strs)
            return Leaf([f"gox_debug_print({s}, kind.String)"], [f"fmt.Println({s})"])
        e = self.iexpr(sc)
        return Leaf([f"gox_debug_print({e.gox}, kind.Int)"], [f"fmt.Println({e.go})"])

    def s_float(self, sc: _Scope) -> Node:
        """int64 <-> float64 conversions and float arithmetic (rounding, infinities,
        subnormals), printed in Go's runtime format; a constant operand goes through ``id``
        (Go would fold the whole expression exactly, at compile time)."""
        r = self.r
        a, b = self.iexpr(sc, 1), self.iexpr(sc, 1)
        ago, bgo = (f"id({e.go})" if e.const else e.go for e in (a, b))
        c = r.choice(["1.5", "0.1", "1e300", "1e-310", "3.0", "(0.0 - 2.5)", "1e21", "123456789.125"])
        cgo = "(-2.5)" if c.startswith("(") else c
        how = r.randrange(3)
        if how == 0:
            return Leaf([f"gox_debug_print(f64(i64({a.gox})) / f64(i64({b.gox}) | 1) * {c}, kind.Float64)"],
                        [f"fmt.Println(ff(float64({ago}) / float64({bgo}|1) * {cgo}))"])
        if how == 1:
            return Leaf([f"gox_debug_print(i64(f64(i64({a.gox})) * 0.75), kind.Int)"],
                        [f"fmt.Println(int64(float64({ago}) * 0.75))"])
        return Leaf([f"gox_debug_print(f64(i64({a.gox})) < f64(i64({b.gox})) * 0.5, kind.Bool)"],
                    [f"fmt.Println(float64({ago}) < float64({bgo})*0.5)"])

    def s_narrow(self, sc: _Scope) -> Node:
        """An int64 printed as a narrower (or unsigned) integer: Go's conversion truncates."""
        e = self.iexpr(sc)
        gox_kind, go_type = self.r.choice([("Int8", "int8"), ("Uint8", "uint8"), ("Int16", "int16"),
                                           ("Uint16", "uint16"), ("Int32", "int32"), ("Uint32", "uint32"),
                                           ("Uint64", "uint64")])
        ego = f"id({e.go})" if e.const else e.go
        return Leaf([f"gox_debug_print({e.gox}, kind.{gox_kind})"], [f"fmt.Println({go_type}({ego}))"])

    def s_global(self, sc: _Scope) -> Node:
        """Only main adds to gcount: Go leaves unspecified whether ``gcount += f()`` (or
        ``gcount + f()``) reads gcount before or after the call (Go 1.19 reads it after), so a
        helper that changed it would make the output the compiler's choice."""
        if sc.strs and (self.cur >= 0 or self.r.random() < 0.4):
            s = self.r.choice(sc.strs)
            return Leaf([f"gstr = {s}"], [f"gstr = {s}"])
        e = self.iexpr(sc, 1)
        return Leaf([f"gcount += {e.gox}"], [f"gcount += {e.go}"])

    def s_str(self, sc: _Scope) -> Node:
        r = self.r
        if sc.strs and r.random() < 0.6:
            s, o = r.choice(sc.strs), r.choice(sc.strs)
            if r.random() < 0.3:
                return Leaf([f"{s} = gox_rt_string_slice({o}, gox_string_len({o}) / 3, gox_string_len({o}))"],
                            [f"{s} = {o}[len({o})/3:]"])
            t = self.strlit()
            return Leaf([f"{s} = gox_rt_string_concat({s}, {t})", f"if gox_string_len({s}) > 40 {{",
                         f"\t{s} = gox_rt_string_slice({s}, 20, gox_string_len({s}))", "}"],
                        [f"{s} = {s} + {t}", f"if len({s}) > 40 {{", f"\t{s} = {s}[20:]", "}"])
        v, a, b = self.name("s"), self.strlit(), self.strlit()
        sc.strs.append(v)
        return Leaf([f"var {v} ref = gox_rt_string_concat({a}, {b})"], [f"var {v} string = {a} + {b}", f"_ = {v}"])

    def s_slice(self, sc: _Scope) -> Node:
        r = self.r
        if not sc.slices or r.random() < 0.3:
            v, n = self.name("sl"), r.randint(0, 4)
            c = n + r.randint(0, 4)
            sc.slices.append(v)
            return Leaf([f"var {v} ref = gox_rt_slice_create(kind.Int, type.None, {n}, {c})"],
                        [f"var {v} []int64 = make([]int64, {n}, {c})", f"_ = {v}"])
        s, u = r.choice(sc.slices), r.random()
        if u < 0.4:
            e = self.iexpr(sc, 1)
            return Leaf([f"{s} = gox_rt_slice_append(kind.Int, type.None, {s}, {e.gox})"], [f"{s} = append({s}, {e.go})"])
        if u < 0.6:
            e = self.iexpr(sc, 1)
            return Leaf([f"if gox_slice_len({s}) > 0 {{",
                         f"\tgox_debug_print(gox_slice_get({s}, gox_slice_len({s}) - 1), kind.Int)",
                         f"\tgox_slice_set({s}, 0, {e.gox})", "}"],
                        [f"if len({s}) > 0 {{", f"\tfmt.Println({s}[len({s})-1])", f"\t{s}[0] = {e.go}", "}"])
        if u < 0.75:
            return Leaf([f"{s} = gox_rt_slice_slice({s}, gox_slice_len({s}) / 2, gox_slice_len({s}))"],
                        [f"{s} = {s}[len({s})/2 : len({s})]"])
        if u < 0.85:
            return Leaf([f"{s} = gox_rt_slice_slice3({s}, 0, gox_slice_len({s}) / 2, gox_slice_len({s}))"],
                        [f"{s} = {s}[0 : len({s})/2 : len({s})]"])
        return Leaf([f"gox_debug_write(gox_slice_len({s}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                     f"gox_debug_print(gox_slice_cap({s}), kind.Int)"], [f"fmt.Println(len({s}), cap({s}))"])

    def s_append_n(self, sc: _Scope) -> Node:
        r = self.r
        v = self.name("sl")
        es = [self.iexpr(sc, 1) for _ in range(r.randint(2, 6))]
        base = r.choice(sc.slices) if sc.slices and r.random() < 0.5 else "nil"
        sc.slices.append(v)
        gox_args = ", ".join(e.gox for e in es)
        go_args = ", ".join(e.go for e in es)
        go_base = base if base != "nil" else "[]int64(nil)"
        return Leaf([f"var {v} ref = gox_rt_slice_append_n(kind.Int, type.None, {base}, {gox_args})",
                     f"gox_debug_write(gox_slice_len({v}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                     f"gox_debug_print(gox_slice_cap({v}), kind.Int)"],
                    [f"var {v} []int64 = append({go_base}, {go_args})", f"fmt.Println(len({v}), cap({v}))"])

    def s_copy(self, sc: _Scope) -> Node:
        r = self.r
        a, b = self.name("sl"), self.name("sl")
        na, nb = r.randint(0, 5), r.randint(0, 5)
        e = self.iexpr(sc, 1)
        gox = [f"var {a} ref = gox_rt_slice_create(kind.Int, type.None, {na}, 8)",
               f"var {b} ref = gox_rt_slice_create(kind.Int, type.None, {nb}, 8)"]
        go = [f"var {a} []int64 = make([]int64, {na}, 8)", f"var {b} []int64 = make([]int64, {nb}, 8)"]
        if na:
            gox.append(f"gox_slice_set({a}, 0, {e.gox})")
            go.append(f"{a}[0] = {e.go}")
        gox += [f"gox_debug_print(gox_slice_copy({b}, {a}), kind.Int)",
                f"{b} = gox_rt_slice_slice3({b}, 0, gox_slice_len({b}), gox_slice_cap({b}) - 1)",
                f"gox_debug_print(gox_slice_cap({b}), kind.Int)"]
        go += [f"fmt.Println(copy({b}, {a}))", f"{b} = {b}[0:len({b}):cap({b})-1]", f"fmt.Println(cap({b}))"]
        sc.slices += [a, b]
        return Leaf(gox, go)

    def s_bytes(self, sc: _Scope) -> Node:
        s = self.r.choice(sc.strs) if sc.strs else self.strlit()
        b = self.name("b")
        return Leaf([f"var {b} ref = gox_rt_string_to_bytes({s})", f"if gox_slice_len({b}) > 0 {{",
                     f"\tgox_debug_print(gox_slice_get({b}, 0), kind.Uint8)", f"\tgox_slice_set({b}, 0, 65)", "}",
                     f"gox_debug_print(gox_rt_bytes_to_string({b}), kind.String)"],
                    [f"var {b} []byte = []byte({s})", f"if len({b}) > 0 {{", f"\tfmt.Println({b}[0])",
                     f"\t{b}[0] = 65", "}", f"fmt.Println(string({b}))"])

    def s_runes(self, sc: _Scope) -> Node:
        """[]rune(s) and back, and string(rune(x)) of valid and invalid code points."""
        s = self.r.choice(sc.strs) if sc.strs and self.r.random() < 0.5 else self.strlit()
        rs, c = self.name("rs"), self.r.choice([65, 0x4E16, -1, 0xD800, 0xDFFF, 0x10FFFF, 0x110000, 0x1F600])
        cl = lit(c)
        return Leaf([f"var {rs} ref = gox_rt_string_to_runes({s})", f"gox_debug_write(gox_slice_len({rs}), kind.Int)",
                     'gox_debug_write(" ", kind.String)', f"gox_debug_print(gox_rt_runes_to_string({rs}), kind.String)",
                     f"gox_debug_print(gox_rt_string_from_rune({cl.gox}), kind.String)"],
                    [f"var {rs} []rune = []rune({s})", f"fmt.Println(len({rs}), string({rs}))",
                     f"fmt.Println(string(rune(id({cl.go}))))"])

    def s_append_slice(self, sc: _Scope) -> Node:
        """append(s, t...): t a slice of s itself now and then (the overlap Go allows)."""
        r = self.r
        if not sc.slices:
            return self.s_append_n(sc)
        s = r.choice(sc.slices)
        t = r.choice(sc.slices)
        return Leaf([f"{s} = gox_rt_slice_append_slice(kind.Int, type.None, {s}, {t})",
                     f"gox_debug_write(gox_slice_len({s}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                     f"gox_debug_print(gox_slice_cap({s}), kind.Int)"],
                    [f"{s} = append({s}, {t}...)", f"fmt.Println(len({s}), cap({s}))"])

    def s_range_str(self, sc: _Scope) -> Node:
        s = self.r.choice(sc.strs) if sc.strs and self.r.random() < 0.5 else self.strlit()
        it, ok, k, v = self.name("it"), self.name("ok"), self.name("k"), self.name("r")
        return Leaf([f"var {it} u64 = gox_iter_begin({s}, kind.String)", f"var {ok} bool", f"var {k} u64",
                     f"var {v} u64", "for {", f"\t{ok}, {k}, {v} = gox_iter_next({it})", f"\tif !{ok} {{", "\t\tbreak",
                     "\t}", f"\tgox_debug_write({k}, kind.Int)", '\tgox_debug_write(" ", kind.String)',
                     f"\tgox_debug_print({v}, kind.Int32)", "}", f"gox_iter_end({it})"],
                    [f"for {k}, {v} := range {s} {{", f"\tfmt.Println({k}, {v})", "}"])

    def s_map(self, sc: _Scope) -> Node:
        r = self.r
        m, i, it, ok, k, v, s = (self.name(x) for x in ("m", "i", "it", "ok", "k", "v", "sum"))
        n, mod, dl, t = r.randint(0, 12), r.randint(1, 7), r.randint(0, 3), self.strlit()
        sc.ints.append(s)
        return Leaf([f"var {m} ref = gox_rt_map_new(kind.Int, kind.String)",
                     f"for var {i} i64 = 0; {i} < {n}; {i}++ {{",
                     f"\tgox_map_set({m}, {i} % {mod}, gox_rt_string_concat({t}, \"m\"))", "}",
                     f"gox_map_delete({m}, {dl})", f"var {s} i64 = 0",
                     f"var {it} u64 = gox_iter_begin({m}, kind.Map)", f"var {ok} bool", f"var {k} u64", f"var {v} u64",
                     "for {", f"\t{ok}, {k}, {v} = gox_iter_next({it})", f"\tif !{ok} {{", "\t\tbreak", "\t}",
                     f"\t{s} += i64({k}) * 10 + gox_string_len(ref({v}))", "}", f"gox_iter_end({it})",
                     f"gox_debug_write({s}, kind.Int)", 'gox_debug_write(" ", kind.String)',
                     f"gox_debug_print(gox_map_len({m}), kind.Int)"],
                    [f"var {m} map[int64]string = make(map[int64]string)", f"for {i} := int64(0); {i} < {n}; {i}++ {{",
                     f"\t{m}[{i}%{mod}] = {t} + \"m\"", "}", f"delete({m}, {dl})", f"var {s} int64 = 0",
                     f"for {k}, {v} := range {m} {{", f"\t{s} += {k}*10 + int64(len({v}))", "}",
                     f"fmt.Println({s}, len({m}))"])

    def s_protect(self, sc: _Scope) -> Node:
        e, how = self.iexpr(sc, 1), self.r.randint(0, 10)
        return Leaf([f"gox_debug_print(protect({e.gox}, {how}), kind.Int)"], [f"fmt.Println(protect({e.go}, {how}))"])

    def s_float_map(self, sc: _Scope) -> Node:
        return float_map(self.r, self.name)

    def s_closed_while_parked(self, sc: _Scope) -> Node:
        return closed_while_parked(self.name, self.iexpr(sc, 1))

    def s_depth(self, sc: _Scope) -> Node:
        # fuzz's frame limit is 100,000 on both backends (gox_program/limits.py); a deep call
        # costs the interpreter about 8 us a frame, so the deepest are the rarest
        n = self.r.choice([10, 100, 300, 390, 3000, 20000])
        return Leaf([f"gox_debug_print(depth({n}), kind.Int)"], [f"fmt.Println(depth({n}))"])

    def s_big(self, sc: _Scope) -> Node:
        """An int slice or a string beyond 65,535 elements (the old 16-bit limit of an object's
        slots): its last element, and one append past it (Go's growth of a large slice)."""
        r = self.r
        if r.random() < 0.5:
            v, n, e = self.name("big"), r.choice([65535, 65536, 70000, 100000]), self.iexpr(sc, 1)
            return Leaf([f"var {v} ref = gox_rt_slice_create(kind.Int, type.None, {n}, {n})",
                         f"gox_slice_set({v}, {n - 1}, {e.gox})",
                         f"{v} = gox_rt_slice_append(kind.Int, type.None, {v}, gox_slice_get({v}, {n - 1}) + 1)",
                         f"gox_debug_write(gox_slice_len({v}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                         f"gox_debug_write(gox_slice_cap({v}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                         f"gox_debug_print(gox_slice_get({v}, {n}), kind.Int)"],
                        [f"var {v} []int64 = make([]int64, {n}, {n})", f"{v}[{n - 1}] = {e.go}",
                         f"{v} = append({v}, {v}[{n - 1}]+1)", f"fmt.Println(len({v}), cap({v}), {v}[{n}])"])
        v, t = self.name("bigs"), self.strlit()
        return Leaf([f'var {v} ref = gox_rt_string_concat({t}, "xy")', f"for gox_string_len({v}) <= 65535 {{",
                     f"\t{v} = gox_rt_string_concat({v}, {v})", "}",
                     f"gox_debug_write(gox_string_len({v}), kind.Int)", 'gox_debug_write(" ", kind.String)',
                     f"gox_debug_print(gox_rt_string_slice({v}, gox_string_len({v}) - 65536, "
                     f"gox_string_len({v}) - 65530), kind.String)"],
                    [f'var {v} string = {t} + "xy"', f"for len({v}) <= 65535 {{", f"\t{v} = {v} + {v}", "}",
                     f"fmt.Println(len({v}), {v}[len({v})-65536:len({v})-65530])"])

    def s_closure(self, sc: _Scope) -> Node:
        r = self.r
        box, add, get, x = self.name("box"), self.name("add"), self.name("get"), self.name("x")
        e = self.iexpr(sc, 1)
        gox = [f"var {box} ref = gox_rt_upval_box_create(kind.Int, {e.gox})",
               f"var {add} ref = gox_rt_closure_create(u64(&adder), gox_type_register(\"env\", \"\\x01\"), 1)",
               f"gox_closure_set_upvalue({add}, 0, {box})",
               f"var {get} ref = gox_rt_closure_create(u64(&getter), gox_type_register(\"env\", \"\\x01\"), 1)",
               f"gox_closure_set_upvalue({get}, 0, {box})"]
        go = [f"var {x} int64 = {e.go}", f"{add} := func(d int64) int64 {{", f"\t{x} += d", f"\treturn {x} * 3", "}",
              f"{get} := func() int64 {{", f"\treturn {x}", "}"]
        for _ in range(r.randint(1, 3)):
            a = self.iexpr(sc, 1)
            if r.random() < 0.5:
                gox.append(f"gox_debug_print(ccall[IntFn]({add}, {a.gox}), kind.Int)")
                go.append(f"fmt.Println({add}({a.go}))")
            else:
                gox.append(f"gox_debug_print(ccall[GetFn]({get}), kind.Int)")
                go.append(f"fmt.Println({get}())")
        gox.append(f"gox_debug_print(gox_upval_box_get({box}), kind.Int)")
        go += [f"fmt.Println({x})", f"_, _ = {add}, {get}"]
        return Leaf(gox, go)

    def s_chan(self, sc: _Scope) -> Node:
        r = self.r
        ch, v, ok, acc = self.name("c"), self.name("v"), self.name("ok"), self.name("acc")
        cap, n = r.randint(0, 3), r.randint(0, 8)
        if r.random() < 0.4:
            gox = [f"var {ch} ref = gox_chan_new(kind.String, {cap})", f"go wstr({ch}, {n})", f"var {acc} i64 = 0",
                   "for {", f"\tvar {v} u64", f"\tvar {ok} bool", f"\t{v}, {ok} = gox_chan_recv_ok({ch})",
                   f"\tif !{ok} {{", "\t\tbreak", "\t}", f"\t{acc} += gox_string_len(ref({v}))",
                   f"\tgox_debug_print(ref({v}), kind.String)", "}", f"gox_debug_print({acc}, kind.Int)"]
            go = [f"var {ch} chan string = make(chan string, {cap})", f"go wstr({ch}, {n})", f"var {acc} int64 = 0",
                  f"for {v} := range {ch} {{", f"\t{acc} += int64(len({v}))", f"\tfmt.Println({v})", "}",
                  f"fmt.Println({acc})"]
        else:
            e = self.iexpr(sc, 1)
            gox = [f"var {ch} ref = gox_chan_new(kind.Int, {cap})", f"go wint({ch}, {n}, {e.gox})", f"var {acc} i64 = 0",
                   "for {", f"\tvar {v} u64", f"\tvar {ok} bool", f"\t{v}, {ok} = gox_chan_recv_ok({ch})",
                   f"\tif !{ok} {{", "\t\tbreak", "\t}", f"\t{acc} += i64({v})", "}",
                   f"gox_debug_print({acc}, kind.Int)"]
            go = [f"var {ch} chan int64 = make(chan int64, {cap})", f"go wint({ch}, {n}, {e.go})", f"var {acc} int64 = 0",
                  "for {", f"\t{v}, {ok} := <-{ch}", f"\tif !{ok} {{", "\t\tbreak", "\t}", f"\t{acc} += {v}", "}",
                  f"fmt.Println({acc})"]
        sc.ints.append(acc)
        return Leaf(gox, go)

    def s_select_sum(self, sc: _Scope) -> Node:
        """Two producers drained by a select until both are closed; a closed channel is set to
        nil, so its case blocks from then on.  Only the sum and the count are printed."""
        r = self.r
        a, b, x, v, ok, s, n = (self.name(p) for p in ("a", "b", "x", "v", "ok", "sum", "n"))
        na, nb = r.randint(0, 5), r.randint(0, 5)
        ca, cb = r.randint(0, 3), r.randint(0, 3)
        gox = [f"var {a} ref = gox_chan_new(kind.Int, {ca})", f"var {b} ref = gox_chan_new(kind.Int, {cb})",
               f"go wint({a}, {na}, 1)", f"go wint({b}, {nb}, 100)", f"var {s} i64 = 0", f"var {n} i64 = 0",
               f"for {a} != nil || {b} != nil {{", "\tgox_select_start(2, false)", f"\tgox_select_add_recv({a})",
               f"\tgox_select_add_recv({b})", f"\tvar {x} i64 = gox_select_exec()", f"\tvar {v} u64",
               f"\tvar {ok} bool", f"\t{v}, {ok} = gox_select_recv_result()", f"\tif !{ok} {{", f"\t\tif {x} == 0 {{",
               f"\t\t\t{a} = nil", "\t\t} else {", f"\t\t\t{b} = nil", "\t\t}", "\t} else {",
               f"\t\t{s} += i64({v})", f"\t\t{n}++", "\t}", "}", f"gox_debug_write({s}, kind.Int)",
               'gox_debug_write(" ", kind.String)', f"gox_debug_print({n}, kind.Int)"]
        go = [f"var {a} chan int64 = make(chan int64, {ca})", f"var {b} chan int64 = make(chan int64, {cb})",
              f"go wint({a}, {na}, 1)", f"go wint({b}, {nb}, 100)", f"var {s}, {n} int64", f"for {a} != nil || {b} != nil {{",
              "\tselect {", f"\tcase {v}, {ok} := <-{a}:", f"\t\tif !{ok} {{", f"\t\t\t{a} = nil", "\t\t} else {",
              f"\t\t\t{s} += {v}", f"\t\t\t{n}++", "\t\t}", f"\tcase {v}, {ok} := <-{b}:", f"\t\tif !{ok} {{",
              f"\t\t\t{b} = nil", "\t\t} else {", f"\t\t\t{s} += {v}", f"\t\t\t{n}++", "\t\t}", "\t}", "}",
              f"fmt.Println({s}, {n})"]
        return Leaf(gox, go)

    def s_select_default(self, sc: _Scope) -> Node:
        """A select with a default on channels only main touches, at most one case ready (Go
        picks among several at random): c is empty, holds a value, is closed or is nil; d is
        full, so a send on it blocks."""
        r = self.r
        c, d, x, v, ok = self.name("c"), self.name("d"), self.name("x"), self.name("v"), self.name("ok")
        how = r.choice(["empty", "full", "closed", "nil"])
        gox = [f"var {c} ref = gox_chan_new(kind.Int, 1)" if how != "nil" else f"var {c} ref",
               f"var {d} ref = gox_chan_new(kind.Int, 1)"]
        go = [f"var {c} chan int64 = make(chan int64, 1)" if how != "nil" else f"var {c} chan int64",
              f"var {d} chan int64 = make(chan int64, 1)"]
        if how == "full":
            e = self.iexpr(sc, 1)
            gox.append(f"gox_chan_send({c}, {e.gox})")
            go.append(f"{c} <- {e.go}")
        if how == "closed":
            gox.append(f"gox_chan_close({c})")
            go.append(f"close({c})")
        gox.append(f"gox_chan_send({d}, 5)")  # full: a send case on it blocks
        go.append(f"{d} <- 5")
        send = r.random() < 0.5  # a third case: a send on c (ready when c is empty), or one more on d
        gox += [f"gox_select_start({3 if send else 2}, true)", f"gox_select_add_recv({c})", f"gox_select_add_send({d}, 7)"]
        if send:
            gox.append(f"gox_select_add_send({c}, 9)" if how in ("empty", "nil") else f"gox_select_add_send({d}, 8)")
        gox += [f"var {x} i64 = gox_select_exec()", f"var {v} u64", f"var {ok} bool", f"if {x} == 0 {{",
                f"\t{v}, {ok} = gox_select_recv_result()", "}", f"gox_debug_write({x}, kind.Int)",
                'gox_debug_write(" ", kind.String)', f"gox_debug_write({v}, kind.Int)",
                'gox_debug_write(" ", kind.String)', f"gox_debug_print({ok}, kind.Bool)"]
        go += [f"var {x} int64", f"var {v} int64", f"var {ok} bool", "select {", f"case {v}, {ok} = <-{c}:",
               f"\t{x} = 0", f"case {d} <- 7:", f"\t{x} = 1"]
        if send:
            go += [f"case {c} <- 9:" if how in ("empty", "nil") else f"case {d} <- 8:", f"\t{x} = 2"]
        go += ["default:", f"\t{x} = -1", "}", f"fmt.Println({x}, {v}, {ok})"]
        return Leaf(gox, go)

    def s_handoff(self, sc: _Scope) -> Node:
        """A goroutine sends one value and closes: main's two receives are the value, then the
        closed channel's zero."""
        ch, e, cap = self.name("c"), self.iexpr(sc, 1), self.r.randint(0, 1)
        return Leaf([f"var {ch} ref = gox_chan_new(kind.Int, {cap})", f"go wint({ch}, 1, {e.gox})",
                     f"gox_debug_print(gox_chan_recv({ch}), kind.Int)", f"gox_debug_print(gox_chan_recv({ch}), kind.Int)"],
                    [f"var {ch} chan int64 = make(chan int64, {cap})", f"go wint({ch}, 1, {e.go})",
                     f"fmt.Println(<-{ch})", f"fmt.Println(<-{ch})"])

    def s_go_closure(self, sc: _Scope) -> Node:
        ch, clo, e = self.name("c"), self.name("clo"), self.iexpr(sc, 1)
        cap = self.r.randint(0, 2)
        return Leaf([f"var {ch} ref = gox_chan_new(kind.Int, {cap})",
                     f"var {clo} ref = gox_rt_closure_create(u64(&sender), gox_type_register(\"env\", \"\\x01\"), 1)",
                     f"gox_closure_set_upvalue({clo}, 0, {ch})", f"go ccall[func(i64)]({clo}, {e.gox})",
                     f"gox_debug_print(gox_chan_recv({ch}), kind.Int)"],
                    [f"var {ch} chan int64 = make(chan int64, {cap})", f"{clo} := func(v int64) {{", f"\t{ch} <- v + 1",
                     "}", f"go {clo}({e.go})", f"fmt.Println(<-{ch})"])

    def s_time(self, sc: _Scope) -> Node:
        """Time, whose output holds on Go's real clock as on the virtual one (Go 1.19 has no
        testing/synctest): only main prints, and never a time; one thing waits at a time; a timer
        that must not win is an hour away and is stopped, one that must win is 1 ms away with
        nothing else ready; nothing is left pending (a deadlock ending would wait for it in Go)."""
        r = self.r
        how = r.choice(["sleep", "timeout", "stop_reset", "ticker", "sleeper"])
        hour, ms = 3600 * 10**9, 10**6
        if how == "sleep":
            ns = r.choice([-1, 0, 1000, ms])
            return Leaf([f"gox_time_sleep({ns})"], [f"time.Sleep({ns})"])
        t, c, x = self.name("t"), self.name("c"), self.name("x")
        if how == "timeout":  # the timeout idiom: a ready channel beats an hour; a 1 ms timer beats nothing
            ready = r.random() < 0.5
            e = self.iexpr(sc, 1)
            gox = [f"var {t} ref = gox_timer_new({hour if ready else ms})", f"var {c} ref = gox_chan_new(kind.Int, 1)"]
            go = [f"{t} := time.NewTimer({hour if ready else ms})", f"{c} := make(chan int64, 1)"]
            if ready:
                gox.append(f"gox_chan_send({c}, {e.gox})")
                go.append(f"{c} <- {e.go}")
            gox += ["gox_select_start(2, false)", f"gox_select_add_recv({c})", f"gox_select_add_recv(gox_timer_chan({t}))",
                    f"var {x} i64 = gox_select_exec()", f"gox_debug_write({x}, kind.Int)",
                    'gox_debug_write(" ", kind.String)', f"gox_debug_print(gox_timer_stop({t}), kind.Bool)"]
            go += [f"var {x} int64", "select {", f"case <-{c}:", f"	{x} = 0", f"case <-{t}.C:", f"	{x} = 1", "}",
                   f"fmt.Println({x}, {t}.Stop())"]
            return Leaf(gox, go)
        if how == "stop_reset":  # Go 1.19's results: pending, not, not (stopped), not (fired), pending
            gox = [f"var {t} ref = gox_timer_new({hour})", f"gox_debug_print(gox_timer_stop({t}), kind.Bool)",
                   f"gox_debug_print(gox_timer_stop({t}), kind.Bool)",
                   f"gox_debug_print(gox_timer_reset({t}, {ms}), kind.Bool)", f"gox_chan_recv(gox_timer_chan({t}))",
                   f"gox_debug_print(gox_timer_reset({t}, {hour}), kind.Bool)",
                   f"gox_debug_print(gox_timer_stop({t}), kind.Bool)"]
            go = [f"{t} := time.NewTimer({hour})", f"fmt.Println({t}.Stop())", f"fmt.Println({t}.Stop())",
                  f"fmt.Println({t}.Reset({ms}))", f"<-{t}.C", f"fmt.Println({t}.Reset({hour}))",
                  f"fmt.Println({t}.Stop())"]
            return Leaf(gox, go)
        if how == "ticker":  # n ticks received, then stopped: only the count is printed
            n = r.randint(1, 3)
            gox = [f"var {t} ref = gox_ticker_new({ms})", f"var {x} i64 = 0", f"for {x} < {n} {{",
                   f"	gox_chan_recv(gox_timer_chan({t}))", f"	{x}++", "}", f"gox_ticker_stop({t})",
                   f"gox_debug_print({x}, kind.Int)"]
            go = [f"{t} := time.NewTicker({ms})", f"var {x} int64", f"for {x} < {n} {{", f"	<-{t}.C", f"	{x}++", "}",
                  f"{t}.Stop()", f"fmt.Println({x})"]
            return Leaf(gox, go)
        e = self.iexpr(sc, 1)  # a goroutine sleeps, then sends: main waits for it
        return Leaf([f"var {c} ref = gox_chan_new(kind.Int, 0)", f"go wsleep({c}, {ms}, {e.gox})",
                     f"gox_debug_print(gox_chan_recv({c}), kind.Int)"],
                    [f"{c} := make(chan int64)", f"go wsleep({c}, {ms}, {e.go})", f"fmt.Println(<-{c})"])

    def s_if(self, sc: _Scope) -> Node:
        r = self.r
        c = self.cond(sc)
        then = self.stmts(sc.copy(), r.randint(1, 3))
        els = self.stmts(sc.copy(), r.randint(1, 2)) if r.random() < 0.5 else []
        return If(c, then, els)

    def s_loop(self, sc: _Scope) -> Node:
        r = self.r
        i, n = self.name("i"), r.randint(1, 4 if self.depth else 6)
        inner = sc.copy()
        inner.ro.append(i)
        self.depth += 1
        body = self.stmts(inner, r.randint(1, 3))
        self.depth -= 1
        return Loop(i, n, body)

    # functions
    def helper(self, k: int) -> Func:
        r = self.r
        self.cur = k
        body: list[Node] = []
        if r.random() < 0.3:
            body.append(Leaf(["defer catcher()"], ["defer catcher()"]))
        sc = _Scope(ints=["a"], strs=["s"])
        body += self.stmts(sc, r.randint(1, 4))
        if r.random() < 0.15:
            boom = Leaf([f'gox_panic(gox_interface_pack(type.None, type.None, kind.String), "boom{k}")'], [f'panic("boom{k}")'])
            body.append(If(Expr("a % 7 == 3", "a%7 == 3"), [boom]))
        ret = self.iexpr(sc, 1)
        self.cur = -1
        return Func(f"f{k}", "(a i64, s ref) i64", "(a int64, s string) int64", body, ret)

    def build(self) -> Prog:
        r = self.r
        helpers = [self.helper(k) for k in reversed(range(self.nhelpers))]
        s0, n0 = self.strlit(), self.lit()
        body: list[Node] = [Leaf([f"var s0 ref = {s0}", f"var n0 i64 = {n0.gox}"],
                                 [f"var s0 string = {s0}", f"var n0 int64 = {n0.go}", "_, _ = s0, n0"])]
        sc = _Scope(ints=["n0"], strs=["s0"])
        body += self.stmts(sc, r.randint(4, 10))
        body.append(Leaf(["gox_debug_print(gcount, kind.Int)", "gox_debug_print(gstr, kind.String)"],
                         ["fmt.Println(gcount)", "fmt.Println(gstr)"]))
        body += self.ending()
        return Prog(self.seed, [*reversed(helpers), Func("main", "()", "()", body)])

    def ending(self) -> list[Node]:
        """How main ends: mostly normally; now and then a panic, a runtime error or a deadlock."""
        c = self.r.random()
        if c < 0.80:
            return []
        if c < 0.83:
            return [Leaf(['gox_panic(gox_interface_pack(type.None, type.None, kind.String), "the end")'], ['panic("the end")'])]
        if c < 0.86:
            return [Leaf(['gox_panic(gox_interface_pack(type.None, gox_type_register("main.Msg", ""), kind.String), "named")'],
                         ['panic(Msg("named"))'])]
        if c < 0.89:
            return [Leaf(["go boom()", "gox_chan_recv(gox_chan_new(kind.Int, 0))"], ["go boom()", "<-make(chan int64)"])]
        if c < 0.905:
            return [Leaf(["gox_chan_recv(gox_chan_new(kind.Int, 0))"], ["<-make(chan int64)"])]
        if c < 0.92:  # a deferred call panics while main panics: Go reports both
            return [Leaf(["defer boom()", 'gox_panic(gox_interface_pack(type.None, type.None, kind.String), "first")'],
                         ["defer boom()", 'panic("first")'])]
        if c < 0.95:
            return [Leaf(["gox_debug_print(gox_slice_get(gox_rt_slice_create(kind.Int, type.None, 1, 1), (n0 & 7) + 1),"
                          " kind.Int)"],
                         ["fmt.Println(make([]int64, 1, 1)[(n0&7)+1])"])]
        if c < 0.98:
            return [Leaf(["gox_debug_print(n0 / (n0 - n0), kind.Int)"], ["fmt.Println(n0 / (n0 - n0))"])]
        return [Leaf(["var nm ref", "gox_map_set(nm, n0, 1)"], ["var nm map[int64]int64", "nm[n0] = 1"])]


def generate(seed: int) -> Prog:
    """The abstract program of ``seed``: a pure function of it."""
    return _Gen(seed).build()


# -- shrinking -------------------------------------------------------------------------------------
def _bodies(p: Prog) -> Iterator[list[Node]]:
    """Every statement list of the program (function bodies, branches, loop bodies)."""
    def walk(body: list[Node]) -> Iterator[list[Node]]:
        yield body
        for n in body:
            if isinstance(n, If):
                yield from walk(n.then)
                yield from walk(n.els)
            elif isinstance(n, Loop):
                yield from walk(n.body)
    for f in p.funcs:
        yield from walk(f.body)


def size(p: Prog) -> int:
    """The statements of the program (what shrinking reduces)."""
    return sum(len(b) for b in _bodies(p)) + len(p.funcs)


def candidates(p: Prog) -> Iterator[Prog]:
    """Smaller programs, each ``p`` with one change: a helper function removed, a statement
    removed, or a block replaced by one of its bodies; the last statements first (they depend
    on the earlier ones, not the other way round)."""
    for fi in range(len(p.funcs) - 1):  # never main
        q = copy.deepcopy(p)
        del q.funcs[fi]
        yield q
    nbodies = sum(1 for _ in _bodies(p))
    for bi in reversed(range(nbodies)):
        body = next(b for j, b in enumerate(_bodies(p)) if j == bi)
        for si in reversed(range(len(body))):
            node = body[si]
            repl: list[list[Node]] = [[]]
            if isinstance(node, If):
                repl += [node.then, node.els] if node.els else [node.then]
            elif isinstance(node, Loop):
                repl.append(node.body)
            for r in repl:
                q = copy.deepcopy(p)
                qbody = next(b for j, b in enumerate(_bodies(q)) if j == bi)
                qbody[si:si + 1] = copy.deepcopy(r)
                yield q


def _loads(p: Prog) -> bool:
    try:
        load(p.gox(), "shrink.gox")
    except ProgramError:
        return False
    return True


def shrink(p: Prog, first_failing: Callable[[list[Prog]], int | None], max_tests: int = 400,
           deadline: float | None = None, batch: int = 1) -> tuple[Prog, bool]:
    """Greedily replace ``p`` by the first of its candidates (``candidates``, those that load)
    that still fails, until none does.  ``first_failing`` gets up to ``batch`` candidates at a
    time (to run them as one batch) and says which is the first that still fails, if any; at
    most ``max_tests`` candidates are run, and none after ``deadline`` (``time.monotonic()``).
    The smallest program found, and whether the deadline stopped it."""
    tests = 0
    changed = True
    while changed and tests < max_tests:
        changed = False
        todo = (c for c in candidates(p) if _loads(c))
        while tests < max_tests:
            chunk = list(itertools.islice(todo, min(batch, max_tests - tests)))
            if not chunk:
                break
            if deadline is not None and time.monotonic() >= deadline:
                return p, True
            tests += len(chunk)
            i = first_failing(chunk)
            if i is not None:
                p, changed = chunk[i], True
                break
    return p, False
