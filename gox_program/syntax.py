"""Lexer, syntax tree and parser of the GoX program format (docs/PROGRAM_FORMAT.md).

Every error is a ``ProgramError`` whose text is ``file:line:column: message``.
Semicolons are inserted at line ends as in Go: after an identifier, a literal, one of the
keywords ``break continue return``, or one of ``) ] } ++ --``.

Nesting (blocks, parentheses, unary operators, argument lists, the right operand of a binary
operator) is limited to ``MAX_NESTING`` levels, so that every later stage (the checker, the
interpreter, the C translation and the C compiler) can walk any program the parser accepts.
A chain of binary operators (``a + b + c ...``) is one level however long it is: every stage
walks its left spine in a loop (``left_spine``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

VALUE_TYPES = ("i64", "u64", "f64", "bool", "ref")
KEYWORDS = {
    "func", "var", "type", "if", "else", "for", "break", "continue", "return", "go", "defer",
    "true", "false", "nil", "tcall", "ccall", "checkpoint",
}
_SEMI_AFTER_KW = {"break", "continue", "return", "true", "false", "nil"}
_OPS3 = ("&^=", "<<=", ">>=")
_OPS2 = ("&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "&^", "++", "--", "+=", "-=", "*=", "/=", "%=",
         "&=", "|=", "^=")
_OPS1 = "+-*/%&|^<>=!(){}[],;."
_DIGITS = "0123456789"  # ASCII only, as Go (str.isdigit() would take '²' and '٣')
_HEX = "0123456789abcdefABCDEF"
# The lexer's fast path, one regex match per token for the common ones (a fuzz program's text
# is mostly indentation, ASCII names and operators): a run of blanks, an ASCII identifier (not
# followed by another letter: the slow path takes those), an operator other than '/' (which may
# open a comment), longest first as _OPS3, _OPS2, _OPS1.  Anything else takes the slow path.
_FAST = re.compile(
    r"(?P<b>[ \t\r]+)|(?P<w>[A-Za-z_][A-Za-z0-9_]*)|(?P<o>"
    + "|".join(re.escape(o) for o in (*_OPS3, *_OPS2, *_OPS1) if not o.startswith("/"))
    + ")"
)

# How deep blocks and expressions may nest (docs/PROGRAM_FORMAT.md, "Limits of the loader").
# Each level costs every recursive stage about 5 Python frames (so 64 levels stay far below
# Python's default limit of 1000, with room for the caller's stack) and the C translation at
# most three braces (a loop), below the 256 nested brackets clang accepts by default.
# tests/test_loader_hardening.py runs every kind of nesting at this depth through every stage,
# each in at most 400 frames.
MAX_NESTING = 64
# An integer literal with more significant digits than this overflows every type (f64's
# largest value is below 10**309): its value is not computed (Python's int() is quadratic in
# the digits); a stand-in above every limit takes its place, and messages quote its spelling.
MAX_LITERAL_DIGITS = 400


class ProgramError(Exception):
    """A malformed or ill-typed program; ``str(e)`` is ``file:line:column: message``."""

    def __init__(self, file: str, line: int, col: int, msg: str) -> None:
        super().__init__(f"{file}:{line}:{col}: {msg}")
        self.file, self.line, self.col, self.msg = file, line, col, msg


@dataclass
class Tok:
    kind: str  # ident, kw, int, float, string, op, eof
    text: str
    line: int
    col: int
    value: Any = None


@dataclass
class Pos:
    line: int
    col: int


# -- syntax tree --------------------------------------------------------------------------------
# Types: a value type is one of VALUE_TYPES; results are tuples of value types.


@dataclass
class FuncType:
    pos: Pos
    params: tuple[str, ...]
    results: tuple[str, ...]

    def show(self) -> str:
        res = "" if not self.results else " " + (
            self.results[0] if len(self.results) == 1 else "(" + ", ".join(self.results) + ")")
        return f"func({', '.join(self.params)}){res}"


@dataclass
class SigRef:  # a named signature (``type Name func(...)``) used in tcall/ccall
    pos: Pos
    name: str


class Expr:
    pos: Pos
    ty: str = ""  # filled in by the checker


@dataclass
class IntLit(Expr):
    pos: Pos
    value: int
    text: str = ""  # the spelling (for messages about a literal too big to show whole)


@dataclass
class FloatLit(Expr):
    pos: Pos
    value: float
    text: str = ""  # the spelling (an overflowing literal's value is inf)


@dataclass
class BoolLit(Expr):
    pos: Pos
    value: bool


@dataclass
class NilLit(Expr):
    pos: Pos


@dataclass
class StrLit(Expr):
    pos: Pos
    value: bytes
    index: int = -1  # string-literal number (its reference global), set by the checker


@dataclass
class Name(Expr):
    pos: Pos
    name: str
    slot: int = -1  # local slot, or
    glob: int = -1  # program global index


@dataclass
class KindConst(Expr):
    pos: Pos
    name: str
    value: int = 0


@dataclass
class Unary(Expr):
    pos: Pos
    op: str
    x: Expr


@dataclass
class Binary(Expr):
    pos: Pos
    op: str
    x: Expr
    y: Expr


@dataclass
class FuncAddr(Expr):
    pos: Pos
    name: str
    func_id: int = -1


@dataclass
class Call(Expr):
    """``name(args)``: a program function, an ABI symbol or a conversion (``how``)."""

    pos: Pos
    name: str
    args: list[Expr]
    how: str = ""  # "func", "abi", "conv"
    results: tuple[str, ...] = ()
    func_id: int = -1
    param_types: tuple[str, ...] = ()  # what each argument is passed as (abi: "raw", "bytes", ...)
    vals_from: int = -1  # abi: the arguments from here on are passed as one list (a "vals" parameter)


@dataclass
class TCall(Expr):
    """``tcall[sig](func_id, args)`` / ``ccall[sig](closure, args)``."""

    pos: Pos
    closure: bool
    sig: FuncType | SigRef
    target: Expr
    args: list[Expr]
    results: tuple[str, ...] = ()
    params: tuple[str, ...] = ()


class Stmt:
    pos: Pos


@dataclass
class VarDecl(Stmt):
    pos: Pos
    name: str
    type: str
    init: Expr | None
    slot: int = -1


@dataclass
class Assign(Stmt):
    pos: Pos
    targets: list[Name | None]  # None is ``_``
    value: Expr


@dataclass
class ExprStmt(Stmt):
    pos: Pos
    expr: Expr


@dataclass
class Block:
    pos: Pos
    stmts: list[Stmt]


@dataclass
class If(Stmt):
    pos: Pos
    cond: Expr
    then: Block
    els: Block | None


@dataclass
class For(Stmt):
    pos: Pos
    init: Stmt | None
    cond: Expr | None
    post: Stmt | None
    body: Block


@dataclass
class Break(Stmt):
    pos: Pos


@dataclass
class Continue(Stmt):
    pos: Pos


@dataclass
class Return(Stmt):
    pos: Pos
    values: list[Expr]


@dataclass
class GoStmt(Stmt):
    pos: Pos
    call: Call | TCall
    defer: bool  # False: ``go``, True: ``defer``


@dataclass
class Checkpoint(Stmt):
    pos: Pos
    label: str


@dataclass
class Param:
    pos: Pos
    name: str
    type: str


@dataclass
class FuncDecl:
    pos: Pos
    name: str
    params: list[Param]
    results: tuple[str, ...]
    body: Block
    func_id: int = -1
    nslots: int = 0
    slot_types: list[str] = field(default_factory=list)
    slot_names: list[str] = field(default_factory=list)
    has_frame: bool = False  # defers or recovers: gets a defer frame


@dataclass
class GlobalDecl:
    pos: Pos
    name: str
    type: str


@dataclass
class TypeDecl:
    pos: Pos
    name: str
    sig: FuncType


@dataclass
class Program:
    file: str
    funcs: list[FuncDecl]
    globals: list[GlobalDecl]
    types: list[TypeDecl]
    strings: list[bytes] = field(default_factory=list)  # filled by the checker
    checkpoints: list[str] = field(default_factory=list)
    nesting: int = 0  # the deepest nesting level the parser met (at most MAX_NESTING)


def left_spine(e: Binary) -> tuple[Expr, list[Binary]]:
    """A chain of binary operators as its innermost left operand and the operators from the
    inside out: ``a + b - c`` is ``(a, [a + b, (a + b) - c])``.  Operators associate to the
    left, so a long chain is a deep tree along its left operands: walk it with this, in a
    loop, never by recursion (only right operands nest, and the parser bounds their depth)."""
    ops = [e]
    x = e.x
    while isinstance(x, Binary):
        ops.append(x)
        x = x.x
    ops.reverse()
    return x, ops


def subexprs(e: Expr) -> Iterator[Expr]:
    """Every expression in e (e first, then its operands, arguments and call targets), without
    recursion."""
    todo = [e]
    while todo:
        x = todo.pop()
        yield x
        if isinstance(x, Unary):
            todo.append(x.x)
        elif isinstance(x, Binary):
            todo += (x.y, x.x)
        elif isinstance(x, Call):
            todo += reversed(x.args)
        elif isinstance(x, TCall):
            todo += reversed([x.target, *x.args])


def has_call(e: Expr) -> bool:
    """Whether evaluating e calls something (a function, an ABI symbol or a conversion)."""
    return any(isinstance(x, (Call, TCall)) for x in subexprs(e))


def calls_after(exprs: list[Expr]) -> list[bool]:
    """For each expression of a list evaluated left to right, whether a later one calls
    something (a reference held meanwhile must be rooted)."""
    out = [False] * len(exprs)
    later = False
    for i in range(len(exprs) - 1, -1, -1):
        out[i] = later
        later = later or has_call(exprs[i])
    return out


# -- source text -------------------------------------------------------------------------------


def decode_source(data: bytes, file: str) -> str:
    """A program file's text (UTF-8); bytes that are not UTF-8 are an error at their line and
    column, with Go's message."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start : e.start].decode("utf-8")) + 1
        raise ProgramError(file, data.count(b"\n", 0, e.start) + 1, col, "invalid UTF-8 encoding") from None


# -- lexer -----------------------------------------------------------------------------------

_ESC = {"n": 10, "t": 9, "r": 13, "\\": 92, '"': 34, "'": 39, "0": 0, "a": 7, "b": 8, "f": 12, "v": 11}


def lex(src: str, file: str) -> list[Tok]:
    toks: list[Tok] = []
    i = 1 if src.startswith("\ufeff") else 0  # a byte order mark opening the file is ignored (Go)
    line, col = 1, 1
    n = len(src)

    def err(msg: str, ln: int | None = None, cl: int | None = None) -> ProgramError:
        return ProgramError(file, ln or line, cl or col, msg)

    def semi_needed() -> bool:
        if not toks:
            return False
        t = toks[-1]
        if t.kind in ("ident", "int", "float", "string"):
            return True
        if t.kind == "kw" and t.text in _SEMI_AFTER_KW:
            return True
        return t.kind == "op" and t.text in (")", "]", "}", "++", "--")

    while i < n:
        m = _FAST.match(src, i)
        if m:
            j = m.end()
            kind = m.lastgroup
            if kind == "b":
                col += j - i
                i = j
                continue
            if kind == "o":
                toks.append(Tok("op", m.group(), line, col))
                col += j - i
                i = j
                continue
            if j >= n or src[j] < "\x80":  # an ASCII identifier, whole
                word = m.group()
                toks.append(Tok("kw" if word in KEYWORDS else "ident", word, line, col))
                col += j - i
                i = j
                continue
        c = src[i]
        if c == "\n":
            if semi_needed():
                toks.append(Tok("op", ";", line, col))
            i += 1
            line += 1
            col = 1
            continue
        if c in " \t\r":
            i += 1
            col += 1
            continue
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            col += j - i
            i = j
            continue
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise err("unterminated comment")
            text = src[i : j + 2]
            had_nl = "\n" in text
            if had_nl and semi_needed():
                toks.append(Tok("op", ";", line, col))
            for ch in text:
                if ch == "\n":
                    line += 1
                    col = 1
                else:
                    col += 1
            i = j + 2
            continue
        sl, sc = line, col
        if c.isalpha() or c == "_":
            j = i
            while j < n and (src[j].isalpha() or src[j].isdecimal() or src[j] == "_"):
                j += 1
            word = src[i:j]
            toks.append(Tok("kw" if word in KEYWORDS else "ident", word, sl, sc))
            col += j - i
            i = j
            continue
        if c in _DIGITS:
            j = _number_end(src, i)
            text = src[i:j]
            if j < n and (src[j].isalpha() or src[j] == "_" or src[j].isdecimal()):
                raise err(f"malformed number {src[i:j + 1]!r}")
            toks.append(_number(text, sl, sc, err))
            col += j - i
            i = j
            continue
        if c == '"' or c == "'":
            quote = c
            j = i + 1
            buf = bytearray()
            while True:
                if j >= n or src[j] == "\n":
                    raise err("unterminated string literal" if quote == '"' else "unterminated character literal")
                ch = src[j]
                if ch == quote:
                    j += 1
                    break
                if ch == "\\":
                    if j + 1 >= n:
                        raise err("unterminated string literal")
                    e = src[j + 1]
                    if e in _ESC:
                        buf.append(_ESC[e])
                        j += 2
                    elif e == "x":
                        hx = src[j + 2 : j + 4]
                        if len(hx) != 2 or any(h not in "0123456789abcdefABCDEF" for h in hx):
                            raise err("malformed \\x escape: expected two hex digits", sl, sc + (j - i))
                        buf.append(int(hx, 16))
                        j += 4
                    elif e in "uU":
                        w = 4 if e == "u" else 8
                        hx = src[j + 2 : j + 2 + w]
                        if len(hx) != w or any(h not in "0123456789abcdefABCDEF" for h in hx):
                            raise err(f"malformed \\{e} escape: expected {w} hex digits", sl, sc + (j - i))
                        cp = int(hx, 16)
                        if cp > 0x10FFFF or 0xD800 <= cp < 0xE000:
                            raise err(f"escape \\{e}{hx} is not a valid Unicode code point", sl, sc + (j - i))
                        buf += chr(cp).encode()
                        j += 2 + w
                    else:
                        raise err(f"unknown escape sequence \\{e}", sl, sc + (j - i))
                elif "\ud800" <= ch <= "\udfff":  # text decoded with surrogateescape: not UTF-8
                    raise err("invalid UTF-8 encoding", sl, sc + (j - i))
                else:
                    buf += ch.encode()
                    j += 1
            if quote == "'":
                s = bytes(buf).decode("utf-8", "replace")
                if len(s) != 1:
                    raise err("a character literal holds exactly one character", sl, sc)
                toks.append(Tok("int", src[i:j], sl, sc, ord(s)))
            else:
                toks.append(Tok("string", src[i:j], sl, sc, bytes(buf)))
            col += j - i
            i = j
            continue
        op = src[i : i + 3]
        if op not in _OPS3:
            op = src[i : i + 2]
            if op not in _OPS2:
                op = c if c in _OPS1 else ""
        if not op:
            raise err("invalid NUL character" if c == "\0" else f"unexpected character {c!r}")
        toks.append(Tok("op", op, sl, sc))
        i += len(op)
        col += len(op)
    if semi_needed():
        toks.append(Tok("op", ";", line, col))
    toks.append(Tok("eof", "", line, col))
    return toks


def _number_end(src: str, i: int) -> int:
    """Where the number literal starting at i ends (digits may be separated by '_')."""
    n = len(src)
    if src.startswith(("0x", "0X"), i):
        j = i + 2
        while j < n and src[j] in _HEX + "_":
            j += 1
        return j

    def digits(j: int) -> int:
        while j < n and src[j] in _DIGITS + "_":
            j += 1
        return j

    j = digits(i)
    if j + 1 < n and src[j] == "." and src[j + 1] in _DIGITS:
        j = digits(j + 1)
    if j < n and src[j] in "eE":
        k = j + 1
        if k < n and src[k] in "+-":
            k += 1
        if k < n and src[k] in _DIGITS:
            j = digits(k)
    return j


def _invalid_sep(x: str) -> int:
    """The index of the first '_' in a number literal that does not separate two digits, or -1
    (Go's scanner.invalidSep: a base prefix counts as a digit)."""
    hexa = x[:2] in ("0x", "0X")
    d, start = ("0", 2) if hexa else (".", 0)  # the previous character: '0' a digit, '_', '.' other
    for i in range(start, len(x)):
        p, d = d, x[i]
        if d == "_":
            if p != "0":
                return i
        elif d in _DIGITS or (hexa and d in _HEX):
            d = "0"
        else:
            if p == "_":
                return i - 1
            d = "."
    return len(x) - 1 if d == "_" else -1


def _number(text: str, line: int, col: int, err: Callable[[str, int, int], ProgramError]) -> Tok:
    """The token of a number literal (as _number_end delimits it); Go's messages for a
    malformed one."""
    digits = text.replace("_", "")
    if digits in ("0x", "0X"):
        raise err("hexadecimal literal has no digits", line, col)
    bad = _invalid_sep(text) if "_" in text else -1
    if bad >= 0:
        raise err("'_' must separate successive digits", line, col + bad)
    if digits[:2] in ("0x", "0X"):
        return Tok("int", text, line, col, int(digits[2:], 16))  # linear: base 16 has no limit
    if "." in digits or "e" in digits or "E" in digits:
        return Tok("float", text, line, col, float(digits))  # 1e400 is inf: the checker rejects it
    significant = digits.lstrip("0")
    if len(significant) > MAX_LITERAL_DIGITS:
        return Tok("int", text, line, col, 10**MAX_LITERAL_DIGITS)
    return Tok("int", text, line, col, int(significant or "0"))


# -- parser ----------------------------------------------------------------------------------

_BINPREC = {
    "||": 1, "&&": 2,
    "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
    "+": 4, "-": 4, "|": 4, "^": 4,
    "*": 5, "/": 5, "%": 5, "<<": 5, ">>": 5, "&": 5, "&^": 5,
}
_OPASSIGN = {"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "&^="}


class Parser:
    def __init__(self, src: str, file: str) -> None:
        self.file = file
        self.toks = lex(src, file)
        self.i = 0
        self.depth = 0  # the current nesting level (MAX_NESTING)
        self.deepest = 0

    # helpers
    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def err(self, msg: str, tok: Tok | None = None) -> ProgramError:
        t = tok or self.tok
        return ProgramError(self.file, t.line, t.col, msg)

    def describe(self, t: Tok) -> str:
        if t.kind == "eof":
            return "end of file"
        if t.kind == "op" and t.text == ";":
            return "newline or ';'"
        return repr(t.text)

    def at(self, text: str) -> bool:
        t = self.tok
        return t.kind in ("op", "kw") and t.text == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.i += 1
            return True
        return False

    def expect(self, text: str, what: str = "") -> Tok:
        if not self.at(text):
            raise self.err(f"expected {what or repr(text)}, found {self.describe(self.tok)}")
        t = self.tok
        self.i += 1
        return t

    def ident(self, what: str = "a name") -> Tok:
        if self.tok.kind != "ident":
            raise self.err(f"expected {what}, found {self.describe(self.tok)}")
        t = self.tok
        self.i += 1
        return t

    def pos(self) -> Pos:
        return Pos(self.tok.line, self.tok.col)

    def nest(self, opener: Tok) -> None:
        """Enter one more nesting level, opened by ``opener``; the caller leaves it with
        ``self.depth -= 1`` (an error ends the parse, so no cleanup is needed then)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.err(f"nesting too deep (limit {MAX_NESTING})", opener)
        self.deepest = max(self.deepest, self.depth)

    def skip_semis(self) -> None:
        while self.at(";"):
            self.i += 1

    def end_stmt(self) -> None:
        if self.at("}") or self.tok.kind == "eof":
            return
        self.expect(";", "newline or ';' after the statement")

    # declarations
    def parse_program(self) -> Program:
        prog = Program(self.file, [], [], [])
        self.skip_semis()
        while self.tok.kind != "eof":
            if self.at("func"):
                prog.funcs.append(self.parse_func())
            elif self.at("var"):
                p = self.pos()
                self.i += 1
                name = self.ident("a global's name")
                typ = self.parse_value_type()
                if self.at("="):
                    raise self.err("globals start zeroed; assign them in main")
                prog.globals.append(GlobalDecl(p, name.text, typ))
            elif self.at("type"):
                p = self.pos()
                self.i += 1
                name = self.ident("a signature's name")
                prog.types.append(TypeDecl(p, name.text, self.parse_functype()))
            else:
                raise self.err(f"expected 'func', 'var' or 'type' at top level, found {self.describe(self.tok)}")
            self.end_stmt()
            self.skip_semis()
        prog.nesting = self.deepest
        return prog

    def parse_value_type(self) -> str:
        t = self.tok
        if t.kind == "ident" and t.text in VALUE_TYPES:
            self.i += 1
            return t.text
        raise self.err(f"expected a type (i64, u64, f64, bool or ref), found {self.describe(t)}")

    def parse_results(self) -> tuple[str, ...]:
        if self.accept("("):
            res = [self.parse_value_type()]
            while self.accept(","):
                res.append(self.parse_value_type())
            self.expect(")")
            return tuple(res)
        if self.tok.kind == "ident" and self.tok.text in VALUE_TYPES:
            return (self.parse_value_type(),)
        return ()

    def parse_functype(self) -> FuncType:
        p = self.pos()
        self.expect("func", "'func'")
        self.expect("(")
        params: list[str] = []
        if not self.at(")"):
            params.append(self.parse_value_type())
            while self.accept(","):
                params.append(self.parse_value_type())
        self.expect(")")
        return FuncType(p, tuple(params), self.parse_results())

    def parse_func(self) -> FuncDecl:
        p = self.pos()
        self.expect("func")
        name = self.ident("a function name")
        self.expect("(")
        params: list[Param] = []
        if not self.at(")"):
            while True:
                pt = self.ident("a parameter name")
                params.append(Param(Pos(pt.line, pt.col), pt.text, self.parse_value_type()))
                if not self.accept(","):
                    break
        self.expect(")")
        results = self.parse_results()
        body = self.parse_block()
        return FuncDecl(p, name.text, params, results, body)

    # statements
    def parse_block(self) -> Block:
        p = self.pos()
        self.nest(self.expect("{"))
        stmts: list[Stmt] = []
        self.skip_semis()
        while not self.at("}"):
            if self.tok.kind == "eof":
                raise self.err("expected '}', found end of file")
            stmts.append(self.parse_stmt())
            self.end_stmt()
            self.skip_semis()
        self.expect("}")
        self.depth -= 1
        return Block(p, stmts)

    def parse_stmt(self) -> Stmt:
        p = self.pos()
        t = self.tok
        if t.kind == "kw":
            if t.text == "var":
                return self.parse_vardecl()
            if t.text == "if":
                return self.parse_if()
            if t.text == "for":
                return self.parse_for()
            if t.text == "break":
                self.i += 1
                return Break(p)
            if t.text == "continue":
                self.i += 1
                return Continue(p)
            if t.text == "return":
                self.i += 1
                vals: list[Expr] = []
                if not (self.at(";") or self.at("}")):
                    vals.append(self.parse_expr())
                    while self.accept(","):
                        vals.append(self.parse_expr())
                return Return(p, vals)
            if t.text in ("go", "defer"):
                self.i += 1
                e = self.parse_expr()
                if not isinstance(e, (Call, TCall)):
                    raise ProgramError(self.file, e.pos.line, e.pos.col, f"expression in {t.text} must be a function call")
                return GoStmt(p, e, t.text == "defer")
            if t.text == "checkpoint":
                self.i += 1
                if self.tok.kind != "string":
                    raise self.err(f"expected a string label after checkpoint, found {self.describe(self.tok)}")
                label = self.tok.value.decode("utf-8", "replace")
                self.i += 1
                return Checkpoint(p, label)
        return self.parse_simple()

    def parse_vardecl(self) -> VarDecl:
        p = self.pos()
        self.expect("var")
        name = self.ident("a variable name")
        typ = self.parse_value_type()
        init = self.parse_expr() if self.accept("=") else None
        return VarDecl(p, name.text, typ, init)

    def parse_simple(self) -> Stmt:
        p = self.pos()
        first = self.parse_expr()
        if self.at(",") or self.at("="):
            targets = [first]
            while self.accept(","):
                targets.append(self.parse_expr())
            eq = self.expect("=", "'=' in an assignment")
            names: list[Name | None] = []
            for tg in targets:
                if not isinstance(tg, Name):
                    msg = "cannot assign to this expression; expected a variable"
                    raise ProgramError(self.file, tg.pos.line, tg.pos.col, msg)
                names.append(None if tg.name == "_" else tg)
            if self.at(";") or self.at("}"):
                raise self.err("expected an expression after '='", eq)
            return Assign(p, names, self.parse_expr())
        if self.tok.kind == "op" and self.tok.text in _OPASSIGN:
            op = self.tok.text[:-1]
            self.i += 1
            if not isinstance(first, Name):
                raise ProgramError(self.file, p.line, p.col, "cannot assign to this expression; expected a variable")
            rhs = self.parse_expr()
            return Assign(p, [first], Binary(p, op, Name(first.pos, first.name), rhs))
        if self.at("++") or self.at("--"):
            op = "+" if self.tok.text == "++" else "-"
            self.i += 1
            if not isinstance(first, Name):
                raise ProgramError(self.file, p.line, p.col, "cannot increment this expression; expected a variable")
            return Assign(p, [first], Binary(p, op, Name(first.pos, first.name), IntLit(p, 1)))
        return ExprStmt(p, first)

    def parse_if(self) -> If:
        p = self.pos()
        self.expect("if")
        cond = self.parse_expr()
        then = self.parse_block()
        els: Block | None = None
        if self.accept("else"):
            if self.at("if"):  # an else-if is an if nested in an else block
                ep = self.pos()
                self.nest(self.tok)
                els = Block(ep, [self.parse_if()])
                self.depth -= 1
            else:
                els = self.parse_block()
        return If(p, cond, then, els)

    def parse_for(self) -> For:
        p = self.pos()
        self.expect("for")
        if self.at("{"):
            return For(p, None, None, None, self.parse_block())
        init: Stmt | None = None
        if self.at("var"):
            init = self.parse_vardecl()
        elif not self.at(";"):
            s = self.parse_simple()
            if self.at("{"):
                if not isinstance(s, ExprStmt):
                    raise self.err("expected ';' after the loop's init statement")
                return For(p, None, s.expr, None, self.parse_block())
            init = s
        self.expect(";", "';' after the loop's init statement")
        cond = None if self.at(";") else self.parse_expr()
        self.expect(";", "';' after the loop's condition")
        post = None if self.at("{") else self.parse_simple()
        if isinstance(post, ExprStmt):
            raise ProgramError(self.file, post.pos.line, post.pos.col, "the loop's post statement must be an assignment")
        return For(p, init, cond, post, self.parse_block())

    # expressions
    def parse_expr(self, prec: int = 1) -> Expr:
        """Precedence climbing: operators of one precedence level are taken in this loop, so a
        chain of any length is no deeper here; only a right operand (parsed at the next level
        up) is a nesting level."""
        x = self.parse_unary()
        while True:
            t = self.tok
            if t.kind != "op" or t.text not in _BINPREC or _BINPREC[t.text] < prec:
                return x
            self.i += 1
            self.nest(t)
            y = self.parse_expr(_BINPREC[t.text] + 1)
            self.depth -= 1
            x = Binary(Pos(t.line, t.col), t.text, x, y)

    def parse_unary(self) -> Expr:
        ops: list[Tok] = []  # prefix operators, outermost first (each one a nesting level)
        while self.tok.kind == "op" and self.tok.text in ("-", "!", "^", "+"):
            if self.tok.text != "+":  # +x is x
                self.nest(self.tok)
                ops.append(self.tok)
            self.i += 1
        t = self.tok
        x: Expr
        if t.kind == "op" and t.text == "&":
            self.i += 1
            name = self.ident("a function name after '&'")
            x = FuncAddr(Pos(t.line, t.col), name.text)
        else:
            x = self.parse_primary()
        for t in reversed(ops):
            if t.text == "-" and isinstance(x, (IntLit, FloatLit)) and x.pos == Pos(t.line, t.col + 1):
                x.value = -x.value
                x.text = "-" + x.text
                x.pos = Pos(t.line, t.col)
            else:
                x = Unary(Pos(t.line, t.col), t.text, x)
        self.depth -= len(ops)
        return x

    def parse_args(self) -> list[Expr]:
        self.nest(self.expect("("))
        args: list[Expr] = []
        if not self.at(")"):
            args.append(self.parse_expr())
            while self.accept(","):
                args.append(self.parse_expr())
        self.expect(")", "',' or ')' in the argument list")
        self.depth -= 1
        return args

    def parse_primary(self) -> Expr:
        t = self.tok
        p = Pos(t.line, t.col)
        if t.kind == "int":
            self.i += 1
            return IntLit(p, int(t.value), t.text)
        if t.kind == "float":
            self.i += 1
            return FloatLit(p, float(t.value), t.text)
        if t.kind == "string":
            self.i += 1
            return StrLit(p, bytes(t.value))
        if t.kind == "kw":
            if t.text == "type" and self.toks[self.i + 1].text == ".":
                self.i += 2
                member = self.ident("a constant name after '.'")
                return KindConst(p, f"type.{member.text}")
            if t.text in ("true", "false"):
                self.i += 1
                return BoolLit(p, t.text == "true")
            if t.text == "nil":
                self.i += 1
                return NilLit(p)
            if t.text in ("tcall", "ccall"):
                self.i += 1
                self.expect("[", "'[' and a signature")
                sig: FuncType | SigRef
                if self.at("func"):
                    sig = self.parse_functype()
                else:
                    st = self.ident("a signature")
                    sig = SigRef(Pos(st.line, st.col), st.text)
                self.expect("]")
                args = self.parse_args()
                if not args:
                    what = "a closure" if t.text == "ccall" else "a function id"
                    raise ProgramError(self.file, p.line, p.col, f"{t.text} needs {what} as its first argument")
                return TCall(p, t.text == "ccall", sig, args[0], args[1:])
        if t.kind == "ident":
            self.i += 1
            if self.at("."):
                self.i += 1
                member = self.ident("a constant name after '.'")
                return KindConst(p, f"{t.text}.{member.text}")
            if self.at("("):
                return Call(p, t.text, self.parse_args())
            return Name(p, t.text)
        if self.at("("):
            self.nest(t)
            self.i += 1
            e = self.parse_expr()
            self.expect(")")
            self.depth -= 1
            return e
        raise self.err(f"expected an expression, found {self.describe(t)}")


def parse(src: str | bytes, file: str = "<program>") -> Program:
    """Parse a program (its text, or a file's bytes: decode_source); no type checking: see
    check.py."""
    text = decode_source(src, file) if isinstance(src, bytes) else src
    return Parser(text, file).parse_program()
