"""Expected-failure lists: ``gox-ref conformance --expect-fail FILE`` (gox_program/expectfail.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gox_program import expectfail
from gox_program.cli import main
from gox_program.corpus import CaseResult

HEADER = "/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  {want}\nfeatures: []\n---*/\n"
PRINT_1 = "func main() { gox_debug_print(1, kind.Int) }\n"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """mine/wrong expects 2 and prints 1 (fails); mine/right expects 1 (passes)."""
    d = tmp_path / "conformance" / "mine"
    d.mkdir(parents=True)
    (d / "wrong.gox").write_text(HEADER.format(want=2) + PRINT_1)
    (d / "right.gox").write_text(HEADER.format(want=1) + PRINT_1)
    return d


def _list(tmp_path: Path, text: str) -> str:
    p = tmp_path / "xfail.yaml"
    p.write_text(text)
    return str(p)


def test_a_listed_failure_is_xfail_and_passes_the_run(cases: Path, tmp_path: Path,
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    xf = _list(tmp_path, "- id: mine/wrong\n  reason: prints 1 (bug 7)\n")
    assert main(["conformance", str(cases)]) == 1  # without the list the run fails
    capfd.readouterr()
    assert main(["conformance", str(cases), "--expect-fail", xf]) == 0
    out = capfd.readouterr().out
    assert "XFAIL mine/wrong: prints 1 (bug 7); it failed: stdout differs from the expected" in out
    assert "group           passed  failed  skipped   xfail   xpass\n" in out
    assert "total                1       0        0       1       0\n" in out


def test_a_listed_pass_is_xpass_and_fails_the_run(cases: Path, tmp_path: Path,
                                                  capfd: pytest.CaptureFixture[str]) -> None:
    xf = _list(tmp_path, "- id: mine/wrong\n  reason: bug 7\n- id: mine/right\n  reason: was broken\n")
    assert main(["conformance", str(cases), "--expect-fail", xf, "--json"]) == 1
    report = json.loads(capfd.readouterr().out)
    by_id = {c["id"]: c for c in report["cases"]}
    assert by_id["mine/right"]["result"] == "xpass"
    assert "take it off the list" in by_id["mine/right"]["reason"]
    assert by_id["mine/wrong"]["result"] == "xfail"
    assert report["groups"]["mine"] == {"passed": 0, "failed": 0, "skipped": 0, "xfail": 1, "xpass": 1}
    assert report["expect_fail"] == xf


def test_an_unlisted_failure_still_fails(cases: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    (cases / "other.gox").write_text(HEADER.format(want=3) + PRINT_1)
    xf = _list(tmp_path, "- id: mine/wrong\n  reason: bug 7\n")
    assert main(["conformance", str(cases), "--expect-fail", xf]) == 1
    assert "FAIL mine/other: stdout differs" in capfd.readouterr().out


@pytest.mark.parametrize(("text", "message"), [
    ("- id: mine/nope\n  reason: x\n", "1 listed id(s) name no case of this run's corpus: mine/nope"),
    ("mine/wrong: x\n", "expected a YAML list of entries (- id: CASE, reason: WHY), got a dict"),
    ("- id: mine/wrong\n", "entry 1: expected exactly the keys id and reason, got {'id': 'mine/wrong'}"),
    ("- id: mine/wrong\n  reason: ''\n", "entry 1 (mine/wrong): reason must be a non-empty string, got ''"),
    ("- id: 7\n  reason: x\n", "entry 1: id must be a case id such as chan/buffered_fifo, got 7"),
    ("- id: mine/wrong\n  reason: a\n- id: mine/wrong\n  reason: b\n", "entry 2: mine/wrong is listed twice"),
    ("- id: [unclosed\n", "not YAML: "),
])
def test_a_bad_list_is_a_one_line_usage_error(cases: Path, tmp_path: Path, text: str, message: str,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    xf = _list(tmp_path, text)
    assert main(["conformance", str(cases), "--expect-fail", xf]) == 2
    err = capfd.readouterr().err
    assert err.startswith(f"gox-ref: error: --expect-fail: {xf}: ") and message in err
    assert "Traceback" not in err


def test_a_missing_list_is_a_usage_error(cases: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", str(cases), "--expect-fail", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read the expected-failure list" in capfd.readouterr().err


def test_an_empty_list_changes_nothing_but_the_columns(tmp_path: Path) -> None:
    assert expectfail.load(Path(_list(tmp_path, ""))) == {}
    r = [CaseResult("g/a", "g", "a.gox", "failed", "why"), CaseResult("g/b", "g", "b.gox", "skipped", "no")]
    assert expectfail.apply(r, {}) == r
    assert expectfail.apply(r, {"g/b": "listed"}) == r  # a skipped case stays skipped


def test_a_run_of_one_group_takes_the_list_of_the_whole_corpus(cases: Path, tmp_path: Path,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    other = cases.parent / "theirs"
    other.mkdir()
    (other / "bad.gox").write_text(HEADER.format(want=5) + PRINT_1)
    xf = _list(tmp_path, "- id: mine/wrong\n  reason: bug 7\n- id: theirs/bad\n  reason: bug 8\n")
    assert main(["conformance", str(cases), "--expect-fail", xf]) == 0  # theirs/bad is in the corpus
    assert "XFAIL mine/wrong" in capfd.readouterr().out


def test_junit_xml_verbose_and_slowest(cases: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """The text report with every case's time (-v) and the slowest; the JUnit XML a CI server
    reads: failures (and xpass) as <failure>, skips and xfails as <skipped>."""
    import xml.etree.ElementTree as ET

    (cases / "skip.gox").write_text(HEADER.format(want=1).replace("features: []", "features: [deep]") + PRINT_1)
    xf = _list(tmp_path, "- id: mine/wrong\n  reason: bug 7\n")
    xml = tmp_path / "out" / "report.xml"
    xml.parent.mkdir()
    assert main(["conformance", str(cases), "--expect-fail", xf, "--junitxml", str(xml), "-v", "--slowest", "2"]) == 0
    out = capfd.readouterr().out
    lines = out.splitlines()
    assert any(ln.startswith("PASS mine/right (") and ln.endswith(" s)") for ln in lines), out
    assert any(ln.startswith("SKIP mine/skip (") and "s): backend ref lacks deep" in ln for ln in lines), out
    assert lines[-3] == "slowest 2:" and all(ln.endswith(")") and " s  mine/" in ln for ln in lines[-2:])
    suite = ET.parse(xml).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "0", "2")
    by = {c.get("name"): c for c in suite.iter("testcase")}
    assert by["mine/right"].get("classname") == "mine" and list(by["mine/right"]) == []
    skipped = by["mine/wrong"].find("skipped")
    assert skipped is not None and skipped.get("type") == "pytest.xfail"
    assert main(["conformance", str(cases), "--junitxml", str(tmp_path / "no" / "dir" / "r.xml")]) == 2
    assert "cannot write" in capfd.readouterr().err
    assert main(["conformance", str(cases), "--slowest", "-1"]) == 2
    assert "--slowest -1: expected a count, 0 or more" in capfd.readouterr().err
