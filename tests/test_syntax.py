"""The loader: parse errors and type errors carry file:line:column."""

from __future__ import annotations

import pytest

from gox_program import ProgramError, load, parse
from gox_program.case import CaseError, parse_header
from gox_program.check import ABI_SIGS, AbiSig
from gox_program.syntax import lex


def reject(src: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        load(src, "t.gox")
    return info.value


def test_semicolons_are_inserted_at_line_ends() -> None:
    toks = lex("x = 1\ny++\n", "t")
    assert [t.text for t in toks] == ["x", "=", "1", ";", "y", "++", ";", ""]


def test_the_lexers_fast_path_gives_the_slow_paths_tokens() -> None:
    """Blanks, ASCII names and operators take one regex match each (syntax._FAST); a name that
    goes on with another letter or digit, '/' (which may open a comment) and the rest take the
    per-character path.  Tokens and columns as before the fast path (checked against main)."""
    toks = lex("x\u00e9\u0663 = a_1&^=b<<=1 // c\n\ty /= 2 /* d */ + \u00e9\n", "t")
    assert [(t.kind, t.text, t.col) for t in toks] == [
        ("ident", "x\u00e9\u0663", 1), ("op", "=", 5), ("ident", "a_1", 7), ("op", "&^=", 10), ("ident", "b", 13),
        ("op", "<<=", 14), ("int", "1", 17), ("op", ";", 23), ("ident", "y", 2), ("op", "/=", 4), ("int", "2", 7),
        ("op", "+", 17), ("ident", "\u00e9", 19), ("op", ";", 20), ("eof", "", 1)]


def test_string_escapes() -> None:
    toks = lex(r'"a\n\x41\u00e9"', "t")
    assert toks[0].value == b"a\nA\xc3\xa9"


@pytest.mark.parametrize(
    ("src", "line", "col", "msg"),
    [
        ('func main() {\n  x := 1\n}', 2, 5, "unexpected character ':'"),
        ("func main() {\n  var s ref = \"abc\n}", 2, 15, "unterminated string literal"),
        ("func main() {\n  var x i32\n}", 2, 9, "expected a type"),
        ("func main() {\n  gox_debug_print(1 2)\n}", 2, 21, "expected ',' or ')'"),
        ("func main() {\n", 2, 1, "expected '}'"),
        ("var x i64 = 1\nfunc main() {}", 1, 11, "globals start zeroed"),
        ("func main() { if true { } else 3 }", 1, 32, "expected '{'"),
        ('func main() {\n  var s ref = "\\q"\n}', 2, 16, "unknown escape sequence"),
        ("/* open", 1, 1, "unterminated comment"),
    ],
)
def test_parse_errors_have_positions(src: str, line: int, col: int, msg: str) -> None:
    e = reject(src)
    assert (e.line, e.col) == (line, col), str(e)
    assert e.msg.startswith(msg), e.msg
    assert str(e).startswith(f"t.gox:{line}:{col}: ")


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ("var a f64 = 1\n var b i64 = 2\n a = a + b", "invalid operation: mismatched types f64 and i64 in +"),
        ("var a bool = 1 < 2\n a = a + a", "invalid operation: operator + not defined on bool"),
        ("var r ref = 1", "cannot use i64 as ref"),
        ("gox_chan_close(3)", "cannot use i64 as ref in argument 1 of gox_chan_close"),
        ("gox_debug_print(1)", "not enough arguments in call to gox_debug_print"),
        ("gox_init_globals(1, 1)", "gox_init_globals cannot be called by a program"),
        ("gox_string_read(nil)", "gox_string_read cannot be called by a program: it returns bytes"),
        ("continue", "continue is not in a loop"),
        ("var x u64 = -1", "constant -1 overflows u64"),
        ("1 + 2", "expression is evaluated but not used"),
        ("var x i64 = main", "main is a function; use &main"),
        ("go gox_yield()", "go needs a program function"),
        ("var f u64 = &nope", "undefined function: nope"),
        ("var x i64 = tcall[Nope](0)", "undefined signature: Nope"),
        ("var x i64 = kind.Nope", "unknown constant kind.Nope"),
        ("var x i64 = f64(1)", "cannot use f64 as i64"),
        ("var x ref = ref(1.5)", "cannot convert f64 to ref"),
        ("var a i64\n var b i64\n a, b = 1", "assignment mismatch: 2 variables but 1 value"),
        ("gox_type_register(nil, \"\\x01\")", "argument 1 of gox_type_register must be a string literal"),
        ("return 1", "wrong number of return values: have 1, want 0"),
    ],
)
def test_type_errors(body: str, msg: str) -> None:
    e = reject("func main() {\n " + body + "\n}")
    assert e.msg.startswith(msg), e.msg
    assert e.line >= 2


def test_main_is_required_and_plain() -> None:
    assert reject("func f() {}").msg == "function main is undeclared"
    assert reject("func main() i64 { return 1 }").msg.startswith("func main must have no arguments")


def test_untyped_constants_take_the_other_operands_type() -> None:
    prog = load("func main() {\n var u u64 = 1\n var f f64 = 2\n u = 3 + u\n f = 1 / f\n}")
    assert prog.funcs[0].slot_types == ["u64", "f64"]


def test_string_literals_are_interned() -> None:
    prog = load('var g i64\nfunc main() {\n gox_debug_print("a", kind.String)\n gox_debug_print("a", kind.String)\n}')
    assert prog.strings == [b"a"]


def test_defer_and_recover_give_a_frame() -> None:
    prog = load("func d() {}\nfunc r() {\n var a u64\n var b u64\n a, b = gox_recover()\n}\n"
                "func main() {\n defer d()\n}")
    frames = {f.name: f.has_frame for f in prog.funcs}
    assert frames == {"d": True, "r": True, "main": True}


def test_abi_signatures_come_from_the_table() -> None:
    assert ABI_SIGS["gox_map_get"] == AbiSig(("ref", "raw"), ("u64", "bool"))
    assert ABI_SIGS["gox_iter_next"] == AbiSig(("raw",), ("bool", "u64", "u64"))
    assert ABI_SIGS["gox_string_decode_rune"] == AbiSig(("ref", "int"), ("i64", "i64"))
    assert ABI_SIGS["gox_rt_string_from_ptr"] == AbiSig(("bytes",), ("ref",))
    assert isinstance(ABI_SIGS["gox_go_spawn"], str)


def test_parse_only_does_not_check() -> None:
    prog = parse("func main() { gox_nothing() }")
    assert prog.funcs[0].name == "main"


def test_header_parsing() -> None:
    text = '/*---\ndescription: d\nfeatures: [chan, go]\nseed: 4\nstdout: |\n  a\n\n  b\nmessage: "x: y"\n---*/\n'
    hdr, n = parse_header(text, "f")
    assert hdr == {"description": "d", "features": ["chan", "go"], "seed": 4, "stdout": "a\n\nb\n", "message": "x: y"}
    assert n == 10
    with pytest.raises(CaseError, match="unknown header key"):
        parse_header("/*---\nbogus: 1\n---*/\n", "f")
    with pytest.raises(CaseError, match="no closing"):
        parse_header("/*---\ndescription: 1\n", "f")
    # YAML (PyYAML's safe loader) with a schema check: errors name the file and the line
    with pytest.raises(CaseError, match=r"^f:3: the header is not valid YAML: description given twice$"):
        parse_header("/*---\ndescription: d\ndescription: e\n---*/\n", "f")
    with pytest.raises(CaseError, match=r"^f:2: the header is not valid YAML: mapping values are not allowed here"):
        parse_header("/*---\ndescription: a: b\n---*/\n", "f")
    with pytest.raises(CaseError, match=r"^f:2: the header is YAML 'key: value' lines, not a list$"):
        parse_header("/*---\n- a\n---*/\n", "f")
    assert parse_header("/*---\n# a comment\nstdout: |-\n    indented\n---*/\n", "f") == ({"stdout": "indented"}, 5)
