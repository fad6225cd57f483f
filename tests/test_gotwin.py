"""The corpus checked against real Go (gox_program/gotwin.py; docs/PROGRAM_FORMAT.md, "Go twins").

The rule's unit tests and the corpus's completeness (a twin or a listed reason for every case)
run without Go.  The twins' run needs Go: without it the test is skipped, unless GOX_REQUIRE_GO
or CI is set (CI installs Go), where a missing Go fails.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import go_or_skip, native_unavailable

from gox_program import gotwin
from gox_program.case import Case, CaseError, Outcome, case_from_text, load_case, run_text
from gox_program.cli import main
from gox_program.corpus import CORPUS_ROOT, case_id_of, discover
from gox_program.diff import compare, go_view

GO_DUMP = b"\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:4 +0x27\nexit status 2\n"


def _case(header: str, path: str = "t.gox") -> Case:
    text = f"/*---\ndescription: d\nspec: s\nfeatures: []\n{header}\n---*/\nfunc main() {{\n}}\n"
    return case_from_text(text, Path(path), "t", ".")


def _go_or_skip() -> gotwin.Go:
    go: gotwin.Go = go_or_skip()
    return go


# -- the rule, without Go --------------------------------------------------------------------------
def test_stderr_head_stops_at_the_first_blank_line() -> None:
    assert gotwin.stderr_head(b"panic: boom\n" + GO_DUMP) == b"panic: boom\n"
    assert gotwin.stderr_head(b"panic: a [recovered]\n\tpanic: b\n") == b"panic: a [recovered]\n\tpanic: b\n"
    assert gotwin.stderr_head(b"") == b""


def test_a_panic_case_meets_gos_report_and_ignores_the_goroutine_dump() -> None:
    case = _case('expect: panic\nmessage: "boom"\nstdout: |\n  started')
    assert gotwin.twin_mismatch(case, Outcome(2, b"started\n", b"panic: boom\n" + GO_DUMP)) is None


def test_the_report_must_come_before_the_first_blank_line() -> None:
    case = _case('expect: panic\nmessage: "boom"')
    why = gotwin.twin_mismatch(case, Outcome(2, b"", b"trouble\n\npanic: boom\n"))
    assert why is not None and "does not start with 'panic: boom'" in why


def test_status_stdout_and_a_quiet_stderr_are_checked() -> None:
    case = _case("expect: stdout\nstdout: |\n  1")
    assert gotwin.twin_mismatch(case, Outcome(0, b"1\n", b"")) is None
    why = gotwin.twin_mismatch(case, Outcome(0, b"2\n", b""))
    assert why is not None and "stdout differs" in why and "+2" in why
    why = gotwin.twin_mismatch(case, Outcome(3, b"1\n", b""))
    assert why is not None and "exit status 3, expected 0" in why
    why = gotwin.twin_mismatch(case, Outcome(0, b"1\n", b"1\n"))
    assert why == "Go wrote to stderr, the case expects none: '1\\n'"


def test_the_go_key_overrides_stdout_status_and_the_whole_stderr() -> None:
    case = _case('expect: stdout\nstdout: |\n  hi\ngo: {"stdout": "", "stderr": "hi\\n"}')
    assert gotwin.twin_mismatch(case, Outcome(0, b"", b"hi\n")) is None
    why = gotwin.twin_mismatch(case, Outcome(0, b"hi\n", b""))
    assert why is not None and "stdout differs" in why
    pre = _case('expect: panic\nmessage: "(main.T) 0x10000010"\ngo: {"stderr_prefix": "panic: (main.T) 0x"}')
    assert gotwin.twin_mismatch(pre, Outcome(2, b"", b"panic: (main.T) 0x4bcac8\n" + GO_DUMP)) is None
    why = gotwin.twin_mismatch(pre, Outcome(1, b"", b"panic: (main.T) 0x4bcac8\n"))
    assert why is not None and "exit status 1, expected 2" in why


def test_go_view_hides_addresses_and_the_dump() -> None:
    o = Outcome(2, b"x\n", b"panic: (main.T) 0x10000010\n[signal SIGSEGV: code=0x1 addr=0x0 pc=0x457e01]\n" + GO_DUMP)
    assert go_view(o).stderr == "panic: (main.T) 0x…\n[signal SIGSEGV: code=0x… addr=0x… pc=0x…]\n".encode()


def test_the_no_twin_list_is_read_strictly(tmp_path: Path) -> None:
    f = tmp_path / "NO_GO_TWIN.txt"
    f.write_text("# comment\n\nreject/: load-time errors\nabi/tables: raw tables\n")
    reasons = gotwin.no_twin_reasons(f)
    assert gotwin.no_twin_reason("reject/bad_call", reasons) == "load-time errors"
    assert gotwin.no_twin_reason("abi/tables", reasons) == "raw tables"
    assert gotwin.no_twin_reason("abi/arrays", reasons) is None
    f.write_text("abi/tables raw tables\n")
    with pytest.raises(CaseError, match=re.escape("NO_GO_TWIN.txt:1: expected 'CASE-ID: reason'")):
        gotwin.no_twin_reasons(f)
    f.write_text("abi/: a\nabi/: b\n")
    with pytest.raises(CaseError, match=re.escape("NO_GO_TWIN.txt:2: abi/ listed twice")):
        gotwin.no_twin_reasons(f)


# -- the corpus, without Go --------------------------------------------------------------------------
def test_every_corpus_case_has_a_twin_or_a_listed_reason() -> None:
    reasons = gotwin.no_twin_reasons()
    ids = [case_id_of(p) for p in discover()]
    missing = [i for i in ids if not (CORPUS_ROOT / f"{i}.go").is_file() and gotwin.no_twin_reason(i, reasons) is None]
    assert not missing, f"cases without a Go twin or a reason in NO_GO_TWIN.txt: {missing}"
    both = [i for i in ids if (CORPUS_ROOT / f"{i}.go").is_file() and gotwin.no_twin_reason(i, reasons) is not None]
    assert not both, f"cases with a Go twin that NO_GO_TWIN.txt says cannot have one: {both}"
    stale = [k for k in reasons if not any(i == k or i.startswith(k) for i in ids if k.endswith("/") or i == k)]
    assert not stale, f"NO_GO_TWIN.txt lists what the corpus does not have: {stale}"
    twins = {p.relative_to(CORPUS_ROOT).with_suffix("").as_posix() for p in CORPUS_ROOT.rglob("*.go")}
    assert twins <= set(ids), f"Go files without a case: {sorted(twins - set(ids))}"


def test_the_twins_cover_the_groups_the_issue_names() -> None:
    for group in ("chan", "select", "defer", "closures", "slices", "strings", "maps", "errors", "basics"):
        cases = discover([CORPUS_ROOT / group])
        with_twin = [p for p in cases if gotwin.twin_of(p).is_file()]
        assert len(with_twin) >= len(cases) - 3, (group, len(with_twin), len(cases))


# -- with Go ---------------------------------------------------------------------------------------
def test_the_corpus_agrees_with_go() -> None:
    go = _go_or_skip()
    results = gotwin.run_go_corpus(discover(), go)
    failed = [f"{r.id}: {r.reason}" for r in results if r.result == "failed"]
    assert not failed, "\n".join(failed)
    assert sum(r.result == "passed" for r in results) >= 118


def test_a_twin_that_disagrees_fails_with_gos_outcome(tmp_path: Path) -> None:
    go = _go_or_skip()
    d = tmp_path / "mine"
    d.mkdir()
    (d / "a.gox").write_text('/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  1\nfeatures: []\n---*/\n'
                             'func main() {\n    gox_debug_print(1, kind.Int)\n}\n')
    (d / "a.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(2)\n}\n')
    (d / "b.gox").write_text((d / "a.gox").read_text())
    (d / "c.gox").write_text((d / "a.gox").read_text())
    (d / "c.go").write_text("package main\n\nfunc main() { x }\n")
    [a, b, c] = gotwin.run_go_corpus([d / "a.gox", d / "b.gox", d / "c.gox"], go)
    assert a.result == "failed" and "-1" in a.reason and "+2" in a.reason, a.reason
    assert b.result == "skipped" and b.reason == "no Go twin b.go", b.reason  # outside the corpus: no list
    assert c.result == "failed" and c.reason.endswith("c.go failed:\n# command-line-arguments\n./c.go:3:15: undefined: x")


def test_conformance_go_reports_json(capsys: pytest.CaptureFixture[str]) -> None:
    _go_or_skip()
    assert main(["conformance", "--go", "--json", "-k", "chan/close_"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["backend"] == "go"
    assert [(c["id"], c["result"]) for c in report["cases"]] == [("chan/close_closed", "passed"), ("chan/close_nil", "passed")]


def test_diff_go_prints_each_backends_first_divergence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _go_or_skip()
    prog = tmp_path / "p.gox"
    prog.write_text('func main() {\n    gox_debug_print(1, kind.Int)\n    gox_panic(kind.String, "boom")\n}\n')
    (tmp_path / "p.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(1)\n\tpanic("bang")\n}\n')
    code = main(["diff", "--go", str(prog)])
    out, err = capsys.readouterr()
    if code == 2 and "backend native" in err:  # pragma: no cover - depends on the machine
        native_unavailable(Exception(err.strip()))
    assert code == 1, err
    assert f"diverge from Go: {prog} (p.go on go" in out
    assert "  ref: differs from Go in stderr; the first:\n  stderr differs at line 1 (ref has 1 line, go 1 line):\n" in out
    assert "    ref:    panic: boom\n    go:     panic: bang\n" in out
    assert "    native: panic: boom\n    go:     panic: bang\n" in out
    (tmp_path / "p.go").write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(1)\n\tpanic("boom")\n}\n')
    assert main(["diff", "--go", str(prog)]) == 0
    assert f"same as Go: {prog} (ref, native and p.go on go" in capsys.readouterr().out


# -- without Go ------------------------------------------------------------------------------------
def test_without_go_the_run_is_skipped_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for var in ("CI", gotwin.REQUIRE_ENV):
        monkeypatch.delenv(var, raising=False)
    assert main(["conformance", "--go", "-k", "basics/hello"]) == 0
    err = capsys.readouterr().err
    assert err == "gox-ref: --go skipped: 'go' is not on PATH, so the Go twins cannot be run\n"


@pytest.mark.parametrize("var", [gotwin.REQUIRE_ENV, "CI"])
def test_without_go_a_required_run_fails(
    var: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(gotwin.REQUIRE_ENV, raising=False)
    monkeypatch.setenv(var, "1")
    assert main(["conformance", "--go", "-k", "basics/hello"]) == 2
    assert "--go: 'go' is not on PATH" in capsys.readouterr().err
    assert os.environ[var] == "1"


def test_a_go_key_without_a_twin_fails(tmp_path: Path) -> None:
    (tmp_path / "c.gox").write_text('/*---\ndescription: d\nspec: s\nexpect: stdout\nfeatures: []\ngo: {"status": 1}\n---*/\n'
                                    'func main() {\n}\n')
    go = gotwin.Go("/nonexistent/go", (1, 19), "go1.19.8")  # not run: there is no twin to build
    [r] = gotwin.run_go_corpus([tmp_path / "c.gox"], go)
    assert (r.result, r.reason) == ("failed", "has a go or go-min-version key but no Go twin c.go")


# -- CI --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("present", "installs"), [
    ((), "golang-go tcc chromium"), (("go", "chromium"), "tcc"), (("tcc", "chromium"), "golang-go"),
    (("go", "tcc"), "chromium"), (("go", "tcc", "chromium"), None)])
def test_ci_installs_go_when_missing_and_requires_it(tmp_path: Path, present: tuple[str, ...], installs: str | None) -> None:
    """.ci/run on a machine without go (or TinyCC, the fuzzer's compiler: tests/test_fuzz_tcc.py;
    or chromium, for gox-ref show's pages: tests/test_show_browser.py): apt-get installs what is
    missing, then scripts/test runs with GOX_REQUIRE_GO=1 (here all are stand-ins that record
    their calls)."""
    root = Path(__file__).resolve().parents[1]
    (tmp_path / ".ci").mkdir()
    (tmp_path / ".ci" / "run").write_text((root / ".ci" / "run").read_text())
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "dirname").symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    log = tmp_path / "log"
    stubs = [("bin/apt-get", 'echo "apt-get $*" >> "$LOG"'),
             ("scripts/test", 'echo "test GOX_REQUIRE_GO=$GOX_REQUIRE_GO" >> "$LOG"')]
    for name, body in [*stubs, *((f"bin/{tool}", "exit 0") for tool in present)]:
        f = tmp_path / name
        f.parent.mkdir(exist_ok=True)
        f.write_text(f"#!/bin/sh\n{body}\n")
        f.chmod(0o755)
    env = {"PATH": str(bin_), "LOG": str(log)}
    p = subprocess.run(["/bin/bash", str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    apt = f"apt-get update -qq\napt-get install -y -qq --no-install-recommends {installs}\n" if installs else ""
    assert log.read_text() == apt + "test GOX_REQUIRE_GO=1\n"


def test_tox_passes_ci_and_gox_require_go_to_the_tests() -> None:
    """Under tox the tests see CI and GOX_REQUIRE_GO, so a missing tool fails CI (tox 4 passes
    neither by default)."""
    ini = configparser.ConfigParser()
    ini.read(Path(__file__).resolve().parents[1] / "tox.ini")
    passed = [v.strip() for v in ini["testenv"]["passenv"].split(",")]
    assert gotwin.REQUIRE_ENV in passed and "CI" in passed


def test_the_reference_prints_what_go_prints() -> None:
    """Stronger than the rule, for every twin without a go key: the reference's run is Go's --
    stdout, status and the whole report before Go's first blank line, hex numbers as 0x… (the
    view of `gox-ref diff --go`).  The native backend's runs equal the reference's
    (tests/test_native_programs.py)."""
    go = _go_or_skip()
    checked, diverged = 0, []
    for path in discover():
        c = load_case(path, CORPUS_ROOT)
        if c.go is not None or c.go_min_version or not gotwin.twin_of(path).is_file():
            continue
        checked += 1
        ours = run_text(c.source, str(path), c.seed)
        theirs = gotwin.run_twin(go, gotwin.twin_of(path))
        ds = [replace(d, sides=("ref", "go")) for d in compare(go_view(ours), go_view(theirs))]
        if ds:
            diverged.append("\n".join([c.id, *(d.render() for d in ds)]))
    assert not diverged, "\n".join(diverged)
    assert checked >= 85


def test_unframe_reads_the_fake_clocks_playback_frames() -> None:
    """Go 1.19's faketime runtime (runtime/time_fake.go) writes a header before every write:
    "\\0\\0PB", the fake time and the length, big-endian."""
    def frame(t: int, data: bytes) -> bytes:
        return b"\0\0PB" + t.to_bytes(8, "big") + len(data).to_bytes(4, "big") + data

    text = frame(1257894000000000000, b"10\n") + frame(1257894000010000000, b"") + frame(1257894000020000000, b"20\n")
    assert gotwin.unframe(text) == b"10\n20\n"
    assert gotwin.unframe(b"") == b""
    with pytest.raises(ValueError, match="not a faketime stream at byte 0"):
        gotwin.unframe(b"10\n")
    with pytest.raises(ValueError, match="cut short"):
        gotwin.unframe(frame(1, b"hello")[:-2])


def test_twins_that_import_time_run_on_the_fake_clock(tmp_path: Path) -> None:
    """uses_time decides the clock by the import; the hour of sleep's twin then takes no real
    time and prints exactly the hour (Go 1.19.8: slept 3600000000000 ns)."""
    assert gotwin.uses_time(CORPUS_ROOT / "time" / "sleep_order.go")
    assert gotwin.uses_time(CORPUS_ROOT / "goports" / "select3.go")  # import ( ... "time" ... )
    assert not gotwin.uses_time(CORPUS_ROOT / "goports" / "chancap.go")
    go = _go_or_skip()
    o = gotwin.run_twin(go, CORPUS_ROOT / "time" / "hour_of_sleep.go", timeout=300, cache=tmp_path)
    assert (o.status, o.stdout, o.stderr) == (0, b"slept 3600000000000 ns\n", b"")
