"""The loader against hostile input: whatever the text, loading ends in a
program or in a ``file:line:col: message`` error, never in a Python traceback; whatever loads
runs on the reference and compiles (and runs) on the native backend.

* Chains of binary operators of any length: every stage walks them along their left spine in
  a loop (``syntax.left_spine``); a chain of 100,000 operators loads and runs on both backends.
* Nesting (blocks, parentheses, unary operators, argument lists, right operands) is limited
  to ``syntax.MAX_NESTING`` levels: for every kind of nesting, the deepest accepted program
  goes through every stage, and one level more is rejected with ``nesting too deep``.
* Number literals: Go's messages for misplaced ``_``, and ``constant ... overflows`` for
  literals of any size.
* A property test (hypothesis) mutates corpus files (tokens and lines deleted, duplicated and
  swapped, truncation, random bytes, NUL bytes, bytes that are not UTF-8, huge literals, deep
  nesting) and loads them; every program it accepts is translated to C and compiled with
  ``cc`` (in batches, with ``build``'s -Wall -Wextra -Werror).  ``GOX_LOADER_EXAMPLES`` raises
  its example count (default 300, a few seconds); the examples are derandomized, so CI runs
  the same ones every time.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import FrameType

import pytest
from conftest import native_library_or_skip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gox_program import case, native
from gox_program.check import load
from gox_program.compile_c import compile_program
from gox_program.corpus import CORPUS_ROOT
from gox_program.interp import Interpreter
from gox_program.limits import REF_MAX_DEPTH as MAX_DEPTH
from gox_program.syntax import MAX_NESTING, Program, ProgramError
from gox_ref.runtime import RefRuntime

LIB = native_library_or_skip(sched=True)
EXAMPLES = int(os.environ.get("GOX_LOADER_EXAMPLES", "300"))


def reject(src: str | bytes, file: str = "t.gox") -> ProgramError:
    with pytest.raises(ProgramError) as info:
        load(src, file)
    return info.value


def main(body: str, pre: str = "") -> str:
    return f"{pre}func main() {{\n{body}\n}}\n"


def pr(e: str, kind: str = "Int") -> str:
    return f"gox_debug_print({e}, kind.{kind})"


def ref_run(prog: Program) -> case.Outcome:
    out, err = io.BytesIO(), io.BytesIO()
    status = case.execute(prog, seed=0, out=out, err=err)
    return case.Outcome(status, out.getvalue(), err.getvalue())


def native_runs(progs: list[Program]) -> list[case.Outcome]:
    """Build the programs in one strict batch (build's warning flags) and run each."""
    exe = native.build_batch(progs, LIB, opt="-O1", strict=True)
    return [native.run_exe(exe, 0, index=k) for k in range(len(progs))]


# -- the issue's inputs ---------------------------------------------------------------------------
def test_a_chain_of_501_terms_loads() -> None:
    """Before: RecursionError in the checker (it recursed once per operator)."""
    prog = load(main(pr(" + ".join(["1"] * 501))))
    assert ref_run(prog).stdout == b"501\n"


@pytest.mark.parametrize(
    ("src", "line", "col"),
    [
        (main(pr("(" * 1000 + "1" + ")" * 1000)), 2, 79),  # the 63rd '(' opens level 65
        (main("if true {\n" * 3000 + "}\n" * 3000), 65, 9),  # main's body is level 1
        (main(pr("- " * 5000 + "1")), 2, 141),
        (main(pr("f(" * 5000 + "1" + ")" * 5000), "func f(x i64) i64 { return x }\n"), 3, 142),
        (main("var x i64 = 1\nif x == 0 {\n" + "} else if x == 0 {\n" * 3000 + "}"), 66, 13),  # at the 63rd: "== 0"
    ],
    ids=["parens", "ifs", "unary", "calls", "else-ifs"],
)
def test_deep_nesting_is_rejected_with_its_position(src: str, line: int, col: int) -> None:
    """Before: RecursionError in the parser or the checker."""
    e = reject(src)
    assert (e.line, e.col, e.msg) == (line, col, f"nesting too deep (limit {MAX_NESTING})")


@pytest.mark.parametrize(
    ("lit", "col", "msg"),
    [
        # Go 1.19 (go build, println(LIT)) gives the same message for each, at the same '_'
        ("1__0.0", 3, "'_' must separate successive digits"),
        ("1__0", 3, "'_' must separate successive digits"),
        ("1_", 2, "'_' must separate successive digits"),
        ("1_.5", 2, "'_' must separate successive digits"),
        ("1_e5", 2, "'_' must separate successive digits"),
        ("1e1__0", 5, "'_' must separate successive digits"),
        ("0x", 1, "hexadecimal literal has no digits"),
        ("0x_", 1, "hexadecimal literal has no digits"),  # Go: no digits first
    ],
)
def test_malformed_number_literals_get_gos_messages(lit: str, col: int, msg: str) -> None:
    """Before: ValueError from float() or int() for the underscores, "malformed hex literal"."""
    e = reject(main(f"var x f64 = {lit}"))
    assert (e.line, e.col, e.msg) == (2, 12 + col, msg)


@pytest.mark.parametrize(
    ("lit", "printed"),
    [("1_000", "+1.000000e+003"), ("0x_FF", "+2.550000e+002"), ("1_0.0_1", "+1.001000e+001"),
     ("1e1_0", "+1.000000e+010"), ("0xF_F_F", "+4.095000e+003")],
)
def test_separated_number_literals_are_gos(lit: str, printed: str) -> None:
    """Go 1.19 accepts each of these (underscores in the fraction and exponent too), and its
    println(float64(LIT)) prints what the reference prints."""
    prog = load(main(f"var x f64 = {lit}\n" + pr("x", "Float64")))
    assert ref_run(prog).stdout == f"{printed}\n".encode()


def test_huge_integer_literals_overflow() -> None:
    """Before: ValueError (Python's int() refuses more than 4,300 digits; str() of a 5,000-digit
    hex value too).  Go 1.19 says "cannot use 99...9 (untyped int constant) as int value in
    argument to println (overflows)", quoting all the digits."""
    e = reject(main(pr("9" * 5000)))
    assert e.msg == "constant 99999999999999999999... (5000 characters) overflows i64"
    e = reject(main(f"var u u64 = 0x{'F' * 5000}"))
    assert e.msg == "constant 0xFFFFFFFFFFFFFFFFFF... (5002 characters) overflows u64"
    e = reject(main(f"var x i64 = -{'1' * 100000}"))
    assert e.msg == "constant -1111111111111111111... (100001 characters) overflows i64"
    assert reject(main(pr("18446744073709551616"))).msg == "constant 18446744073709551616 overflows i64"


def test_f64_constants_that_overflow_are_rejected() -> None:
    """Go 1.19: var x float64 = 1e400 gives "cannot use 1e400 (untyped float constant 1e+400) as
    float64 value in variable declaration (overflows)"; so does an integer constant beyond the
    largest float64.  Before: 1e400 loaded as +Inf, and a 400-digit integer in an f64 context
    raised OverflowError in the interpreter (float(int)) and in the C translation."""
    assert reject(main("var x f64 = 1e400")).msg == "constant 1e400 overflows f64"
    assert reject(main("var x f64 = -1e400")).msg == "constant -1e400 overflows f64"
    e = reject(main("var x f64 = 1" + "0" * 400))
    assert e.msg == "constant 10000000000000000000... (401 characters) overflows f64"
    prog = load(main("var x f64 = 1" + "0" * 300 + "\n" + pr("x", "Float64") + "\n" + pr("1e-400", "Float64")))
    assert ref_run(prog).stdout == b"+1.000000e+300\n+0.000000e+000\n"


def test_text_that_is_not_utf8_is_an_error_at_its_position() -> None:
    """Go 1.19 (go build): "invalid UTF-8 encoding" at the bad byte, "invalid NUL character".
    Before: bytes could not be loaded at all, and a string holding a lone surrogate (text
    decoded with surrogateescape) raised UnicodeEncodeError."""
    e = reject(b'func main() {\n    gox_debug_print("a\xff", kind.String)\n}\n')
    assert (e.line, e.col, e.msg) == (2, 23, "invalid UTF-8 encoding")
    e = reject(b"func main() {\n    // \xc3\xa9\xc3\n}\n")
    assert (e.line, e.col, e.msg) == (2, 9, "invalid UTF-8 encoding")
    e = reject('func main() {\n    gox_debug_print("a\udcff", kind.String)\n}\n')
    assert (e.line, e.col, e.msg) == (2, 23, "invalid UTF-8 encoding")
    e = reject("func main() {\n    gox_debug_print(1, kind.Int)\x00\n}\n")
    assert (e.line, e.col, e.msg) == (2, 33, "invalid NUL character")
    prog = load(b"\xef\xbb\xbf" + main(pr('"\xc3\xa9"'.encode("latin-1").decode(), "String")).encode())
    assert ref_run(prog).stdout == "é\n".encode()


# -- long chains: every stage walks them in a loop ------------------------------------------------
def chain_program(n: int) -> tuple[str, bytes]:
    """Chains of n operators of every kind the interpreter and the C translation distinguish
    (arithmetic, comparisons, && and ||), with their expected output."""
    k = min(n, 40)
    alt = "".join(f" {'+-'[k % 2]} {k + 2}" for k in range(n - 1))  # 1 + 2 - 3 + 4 ...
    alt_value = 1 + sum((k + 2) * (1 if k % 2 == 0 else -1) for k in range(n - 1))
    lines = [
        "var x i64 = 3",
        "var u u64 = 2",
        "var t bool = true",
        pr(" + ".join(["1"] * n)),
        pr("1" + alt),
        pr(" + ".join(["1"] * (n - 1)) + " + u", "Uint64"),  # the untyped left chain takes u's type
        pr(" * ".join(["x"] * k) + "".join([" - x"] * (n - k))),  # wraps around
        pr("u64(" + " && ".join(["t"] * n) + ")", "Uint64"),
        pr("u64(" + " || ".join(["!t"] * n) + ")", "Uint64"),
        pr("u64(" + " && ".join(["x == 3"] * (n // 2)) + " || t)", "Uint64"),
    ]
    m = 1 << 64
    wrapped = (3**k - 3 * (n - k)) % m
    wrapped = wrapped - m if wrapped >= 1 << 63 else wrapped
    expect = f"{n}\n{alt_value}\n{n + 1}\n{wrapped}\n1\n0\n1\n"
    return main("\n".join(lines)), expect.encode()


@pytest.mark.parametrize("n", [3, 5, 2000])  # nested closures, then the interpreter's loop
def test_chains_of_every_kind_of_operator_load_and_run_on_both_backends(n: int) -> None:
    """Before: RecursionError from 501 terms on (checker, interpreter, C translation)."""
    src, expect = chain_program(n)
    prog = load(src, "chain.gox")
    assert prog.nesting == 5  # however long the chains: main's body, the call, the conversion,
    # an operand of && (one level up, as every right operand) and the 3 of x == 3 in it
    ref = ref_run(prog)
    assert (ref.status, ref.stdout, ref.stderr) == (0, expect, b"")
    nat = native_runs([prog])[0]
    assert (nat.status, nat.stdout, nat.stderr) == (0, expect, b"")


def test_a_chain_of_100000_operators_loads_and_runs_on_both_backends() -> None:
    """The issue's chain: 1 + 2 - 3 + ... + u, whose untyped left part takes u's type (u64)
    down all of its 100,000 operators.  (100,000 && operators also work, but GCC takes
    minutes over their 100,000 branches at -O1: the test above runs 2,000.)"""
    n = 100_000
    terms = "".join(f" {'+-'[k % 2]} {k + 2}" for k in range(n - 1))
    value = 1 + sum((k + 2) * (1 if k % 2 == 0 else -1) for k in range(n - 1)) + 7
    prog = load(main("var u u64 = 7\n" + pr("1" + terms + " + u", "Uint64")), "chain.gox")
    expect = f"{value}\n".encode()
    ref = ref_run(prog)
    assert (ref.status, ref.stdout, ref.stderr) == (0, expect, b"")
    nat = native_runs([prog])[0]
    assert (nat.status, nat.stdout, nat.stderr) == (0, expect, b"")


def test_chain_typing_follows_the_recursive_rule() -> None:
    """The checker types a chain in loops; its results and messages are those of the recursive
    rule (an untyped left operand takes a typed right operand's type)."""
    prog = load(main("var f f64 = 1.5\n" + pr("1 + 2 + f", "Float64") + "\n" + pr("f + 1 + 2", "Float64")))
    assert ref_run(prog).stdout == b"+4.500000e+000\n+4.500000e+000\n"
    e = reject(main("var f f64 = 1.5\nvar b bool = 1 + 2 + f < 3 && f"))
    assert (e.col, e.msg) == (31, "cannot use f64 as bool in the operand of &&")
    e = reject(main("var f f64 = 1.5\nvar b bool = f + 1 && 1 + 2 + f < 3"))
    assert (e.col, e.msg) == (16, "cannot use f64 as bool in the operand of &&")
    e = reject(main("var x i64 = 1 + 2 + true + 3"))
    assert (e.col, e.msg) == (19, "invalid operation: mismatched types i64 and bool in +")
    e = reject(main("var x u64 = 1 + 2 << 1.5"))
    assert e.msg == "invalid operation: shift count type f64, must be integer"


# -- the nesting limit: the deepest program of each kind goes through every stage ---------------------
F = "func f(x i64) i64 { return x + 1 }\n"
NESTINGS: dict[str, Callable[[int], str]] = {
    "parens": lambda n: main(pr("(" * n + "7" + ")" * n)),
    "unary": lambda n: main(pr("- " * n + "7")),
    "not": lambda n: main(pr("u64(" + "!" * n + "true)", "Uint64")),
    "calls": lambda n: main(pr("f(" * n + "7" + ")" * n), F),
    "conversions": lambda n: main(pr("i64(" * n + "7" + ")" * n)),
    "tcalls": lambda n: main(pr("tcall[func(i64) i64](&f, " * n + "7" + ")" * n), F),
    "right operands": lambda n: main(pr("1 - (" * n + "7" + ")" * n)),
    "&& operands": lambda n: main(pr("u64(" + "1 == 1 && (" * n + "true" + ")" * n + ")", "Uint64")),
    "|| operands": lambda n: main("var t bool = false\n" + pr("u64(" + "t || (" * n + "!t" + ")" * n + ")", "Uint64")),
    "ifs": lambda n: main("var x i64 = 0\n" + "if x < 1000 {\nx++\n" * n + "}\n" * n + pr("x")),
    "fors": lambda n: main(
        "var x i64 = 0\n" + "".join(f"for var i{k} i64 = 0; i{k} < 1; i{k}++ {{\n" for k in range(n))
        + "x++\n" + "}\n" * n + pr("x")),
    "else-ifs": lambda n: main(
        "var x i64 = 1000\nif x == 0 {\nx = 0\n" + "".join(f"}} else if x == {k} {{\nx = {k}\n" for k in range(1, n))
        + "} else {\nx = x + 1\n}\n" + pr("x")),
    "mixed": lambda n: main("var x i64 = 0\n" + "for x < 1 {\n" * n + "x = " + "f((" * n + "x" + ") + 1)" * n + "\n"
                            + "}\n" * n + pr("x"), F),
}


def deepest(gen: Callable[[int], str]) -> int:
    """The largest n whose program loads (the next one is rejected as too deep)."""
    n = 1
    while True:
        try:
            load(gen(n + 1))
        except ProgramError as e:
            assert e.msg == f"nesting too deep (limit {MAX_NESTING})"
            return n
        n += 1


def within(frames: int, fn: Callable[..., object], *args: object) -> None:
    """Run fn(*args) with Python's recursion limit at ``frames`` above the caller's stack."""
    depth = 0
    f: FrameType | None = sys._getframe()
    while f is not None:
        depth, f = depth + 1, f.f_back
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        fn(*args)
    finally:
        sys.setrecursionlimit(old)


def test_the_deepest_programs_run_on_both_backends() -> None:
    """Every kind of nesting up to the limit: loads, is compiled by the interpreter and to C,
    each in at most 400 Python frames (docs/PROGRAM_FORMAT.md: about 5 a level; Python allows
    1000), runs on the reference and gives the same output compiled with build's flags (clang
    would also take the C: at most 3 braces a level, below its 256).  Before, 64 parentheses
    already ended in RecursionError in the checker."""
    progs = []
    for kind, gen in NESTINGS.items():
        src = gen(deepest(gen))
        within(400, load, src, kind)
        prog = load(src, kind)
        assert prog.nesting >= MAX_NESTING - 1, kind  # (two levels a step: may stop one short)
        within(400, Interpreter, prog, RefRuntime())
        within(400, compile_program, prog)
        progs.append(prog)
    refs = [ref_run(p) for p in progs]
    for kind, ref in zip(NESTINGS, refs, strict=True):
        assert (ref.status, ref.stderr) == (0, b""), kind
    for kind, ref, nat in zip(NESTINGS, refs, native_runs(progs), strict=True):
        assert (nat.status, nat.stdout, nat.stderr) == (ref.status, ref.stdout, ref.stderr), kind


def test_the_interpreter_makes_room_for_nesting_in_deep_recursion() -> None:
    """A recursive call nested 63 levels deep, 390 calls deep: the reference's Python stack
    grows by a few frames a level, which it must make room for (before: 16 frames a call, so
    this ended in "fatal error: stack overflow" where the native backend printed 390)."""
    src = ("func f(n i64) i64 {\n    if n == 0 {\n        return 0\n    }\n    return 1 + (" + "- " * 58
           + "f(n - 1))\n}\n" + main(pr("f(390)")))
    prog = load(src)
    assert MAX_DEPTH > 390 and prog.nesting == MAX_NESTING - 1
    ref = ref_run(prog)
    assert (ref.status, ref.stdout, ref.stderr) == (0, b"390\n", b"")
    assert native_runs([prog])[0].stdout == b"390\n"


def test_function_names_c_cannot_spell_still_compile() -> None:
    """Go takes any Unicode letter in a name (go build accepts func aⸯ()); C takes neither
    U+2E2F nor the jamo pair U+1100 U+1161 (not in NFC: an error under -Werror).  Before: the
    C compiler failed on these accepted programs."""
    src = main("gox_debug_print(a\u2e2f(), kind.Int)\ngox_debug_print(\u1100\u1161(), kind.Int)",
               "func a\u2e2f() i64 { return 1 }\nfunc \u1100\u1161() i64 { return 2 }\n")
    prog = load(src)
    assert ref_run(prog).stdout == b"1\n2\n"
    assert native_runs([prog])[0].stdout == b"1\n2\n"


# -- the property test -----------------------------------------------------------------------------
CORPUS = sorted(p for p in CORPUS_ROOT.rglob("*.gox") if p.stat().st_size < 12_000)
TOKEN_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*|[0-9][0-9A-Za-z_.]*|\s+|.", re.S)
NUMBER_RE = re.compile(rb"[0-9]")
NOT_UTF8 = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]


@cache
def corpus_bytes(path: Path) -> bytes:
    return path.read_bytes()


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    """A corpus file with one to three mutations."""
    path = draw(st.sampled_from(CORPUS))
    data = corpus_bytes(path)
    for _ in range(draw(st.integers(1, 3))):
        data = mutate(draw, data)
    return path.relative_to(CORPUS_ROOT).as_posix(), data


def mutate(draw: st.DrawFn, data: bytes) -> bytes:
    what = draw(st.sampled_from(["token", "line", "truncate", "bytes", "nul", "not utf-8", "literal", "nesting"]))
    pos = draw(st.integers(0, len(data)))
    if what in ("token", "line"):
        parts = TOKEN_RE.findall(data) if what == "token" else data.splitlines(keepends=True)
        if not parts:
            return data
        i, j = draw(st.integers(0, len(parts) - 1)), draw(st.integers(0, len(parts) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if how == "delete":
            del parts[i]
        elif how == "duplicate":
            parts.insert(i, parts[i])
        else:
            parts[i], parts[j] = parts[j], parts[i]
        return b"".join(parts)
    if what == "truncate":
        return data[:pos]
    if what == "literal":
        k = draw(st.integers(15, 6000))
        lit = draw(st.sampled_from([b"9" * k, b"0x" + b"f" * k, b"1e" + str(k).encode(), b"1" + b"0" * k + b".5",
                                    b"-" + b"1" * k, b"1" + b"_0" * k]))
        tokens = TOKEN_RE.findall(data)
        numbers = [i for i, t in enumerate(tokens) if NUMBER_RE.match(t)]
        if numbers:
            tokens[draw(st.sampled_from(numbers))] = lit
            return b"".join(tokens)
        return data[:pos] + lit + data[pos:]
    if what == "nesting":
        k = draw(st.integers(1, 3 * MAX_NESTING))
        lines = data.splitlines(keepends=True)
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        shape = draw(st.sampled_from(["parens", "unary", "blocks"]))
        if shape == "blocks" and lines:
            lines[i] = b"if true {\n" * k + lines[i] + b"\n}" * k + b"\n"
            return b"".join(lines)
        tokens = TOKEN_RE.findall(data)
        numbers = [n for n, t in enumerate(tokens) if NUMBER_RE.match(t)]
        if not numbers:
            return data
        n = draw(st.sampled_from(numbers))
        tokens[n] = b"(" * k + tokens[n] + b")" * k if shape == "parens" else b"- " * k + tokens[n]
        return b"".join(tokens)
    insert = {"nul": b"\0", "not utf-8": draw(st.sampled_from(NOT_UTF8))}.get(what)
    if insert is None:
        insert = draw(st.binary(min_size=1, max_size=8))
    return data[:pos] + insert + data[pos:]


ERROR_RE = re.compile(r"(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")


def test_mutated_corpus_files_load_or_fail_cleanly_and_what_loads_compiles() -> None:
    accepted: dict[bytes, Program] = {}
    outcomes = {"loaded": 0, "rejected": 0}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutated())
    def load_one(case_: tuple[str, bytes]) -> None:
        name, data = case_
        try:
            prog = load(data, name)
        except ProgramError as e:
            m = ERROR_RE.match(str(e))
            assert m is not None and m["file"] == name, str(e)
            assert 1 <= int(m["line"]) <= data.count(b"\n") + 1 and int(m["col"]) >= 1, str(e)
            outcomes["rejected"] += 1
            return
        Interpreter(prog, RefRuntime())  # the reference compiles every function to closures
        outcomes["loaded"] += 1
        if native.skip_reason(prog, LIB) is None:
            accepted.setdefault(data, prog)

    load_one()
    assert outcomes["loaded"] and outcomes["rejected"], outcomes
    progs = list(accepted.values())
    for k in range(0, len(progs), 40):
        batch = progs[k : k + 40]
        try:
            native.build_batch(batch, LIB, opt="-O1", strict=True)
        except native.NativeBuildError:
            for prog in batch:  # name the program the C compiler refused
                try:
                    native.build_batch([prog], LIB, opt="-O1", strict=True)
                except native.NativeBuildError as e:
                    src = next(d for d, p in accepted.items() if p is prog)
                    pytest.fail(f"cc refused an accepted program:\n{src.decode(errors='replace')}\n{e}")
            raise
