"""``gox-ref conformance --update`` (gox_program/update.py): expected stdout from the reference."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import go_or_skip
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_program.case import case_from_text
from gox_program.cli import main
from gox_program.update import with_stdout

HEAD = "/*---\ndescription: d\nspec: s\nexpect: {expect}\n{more}features: []\n---*/\n"


def _case(d: Path, name: str, body: str, expect: str = "stdout", more: str = "stdout: |\n  old\n") -> Path:
    p = d / f"{name}.gox"
    p.write_text(HEAD.format(expect=expect, more=more) + body)
    return p


@pytest.fixture
def d(tmp_path: Path) -> Path:
    out = tmp_path / "conformance" / "mine"
    out.mkdir(parents=True)
    return out


PRINTS = 'func main() {\n    gox_debug_print(1, kind.Int)\n    gox_debug_print("two", kind.String)\n}\n'


def test_update_rewrites_only_the_stdout(d: Path, capfd: pytest.CaptureFixture[str]) -> None:
    p = _case(d, "a", PRINTS, more="info: keep me\nstdout: |\n  old\n\n  lines\nseed: 3\n")
    assert main(["conformance", str(d.parent), "--update"]) == 0
    assert capfd.readouterr().out == "UPDATED mine/a\n1 updated, 0 unchanged, 0 refused\n"
    assert p.read_text() == HEAD.format(expect="stdout", more="info: keep me\nstdout: |\n  1\n  two\nseed: 3\n") + PRINTS
    assert main(["conformance", str(d.parent)]) == 0  # it passes now
    capfd.readouterr()
    assert main(["conformance", str(d.parent), "--update"]) == 0
    assert capfd.readouterr().out == "0 updated, 1 unchanged, 0 refused\n"


def test_a_case_without_stdout_gets_one_after_expect(d: Path, capfd: pytest.CaptureFixture[str]) -> None:
    p = _case(d, "a", PRINTS, more="")
    assert main(["conformance", str(d.parent), "--update"]) == 0
    assert p.read_text().startswith("/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  1\n  two\nfeatures")


def test_what_update_refuses(d: Path, capfd: pytest.CaptureFixture[str]) -> None:
    panics = ('func main() {\n    gox_debug_print(1, kind.Int)\n'
              '    gox_panic(gox_interface_pack(type.None, type.None, kind.String), "boom")\n}\n')
    cases = {
        "status": _case(d, "status", panics),  # expects stdout, but the program panics
        "reject": _case(d, "reject", "func main() { x }\n", expect="reject", more='message: "undefined"\n'),
        "bytes": _case(d, "bytes", 'func main() { gox_debug_print("\\xff", kind.String) }\n'),
    }
    before = {k: p.read_text() for k, p in cases.items()}
    assert main(["conformance", str(d.parent), "--update"]) == 1
    out = capfd.readouterr().out
    assert "REFUSED mine/status: the reference differs in more than stdout: exit status 2, expected 0" in out
    assert "REFUSED mine/reject: a reject case has no run, so no stdout to update" in out
    assert "REFUSED mine/bytes: the reference's stdout is not UTF-8 text, which a header cannot hold" in out
    assert out.endswith("0 updated, 0 unchanged, 3 refused\n")
    assert {k: p.read_text() for k, p in cases.items()} == before
    assert main(["conformance", str(d.parent), "--update", "--backend", "native"]) == 2
    assert "--update rewrites cases from the reference" in capfd.readouterr().err


def test_a_case_with_a_go_twin_is_updated_only_if_go_agrees(d: Path, capfd: pytest.CaptureFixture[str]) -> None:
    go_or_skip()
    agree, differ = _case(d, "agree", PRINTS), _case(d, "differ", PRINTS)
    (d / "agree.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(1)\n\tfmt.Println("two")\n}\n')
    (d / "differ.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(7)\n}\n')
    old = differ.read_text()
    assert main(["conformance", str(d.parent), "--update"]) == 1
    out = capfd.readouterr().out
    assert "UPDATED mine/agree\n" in out
    assert "REFUSED mine/differ: its Go twin does not agree with the new stdout: Go (go1." in out
    assert "stdout: |\n  1\n  two\n" in agree.read_text() and differ.read_text() == old


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
def test_any_text_reads_back_exactly(text: str) -> None:
    """The rewritten header (a block, or a quoted string when the text is not plain lines)
    gives back exactly the text."""
    src = HEAD.format(expect="stdout", more="stdout: |\n  old\n") + PRINTS
    case = case_from_text(src, Path("c.gox"), "c", ".")
    again = case_from_text(with_stdout(case, text), Path("c.gox"), "c", ".")
    assert again.stdout == text.encode()
