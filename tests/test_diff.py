"""gox-ref diff (docs/DIFF_AND_FUZZ.md): a program on both backends, compared -- stdout, exit status,
stderr and the canonical event trace.  Agreeing corpus programs exit 0 with one ``same:``
line each; divergences are made deliberately by changing one backend's outcome
(monkeypatching ``native.run_program``) to check the report and the exit status; a user's
mistake is one line and exit status 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import native_library_or_skip

from gox_program import load, native
from gox_program.case import Outcome
from gox_program.cli import main
from gox_program.corpus import CORPUS_ROOT, run_reference
from gox_program.diff import CONTEXT, CannotDiff, Divergence, compare, compare_items, diff_program

LIB = native_library_or_skip(sched=True)  # (the tracer is in the scheduler)

HELLO = CORPUS_ROOT / "basics" / "hello.gox"
HANDOFF = CORPUS_ROOT / "chan" / "unbuffered_handoff.gox"
SYNCH = CORPUS_ROOT / "chan" / "synch_fifo.gox"
PANIC = CORPUS_ROOT / "errors" / "panic_string.gox"


def _native_changed(monkeypatch: pytest.MonkeyPatch, change: Callable[[Outcome], None]) -> None:
    """The native backend's outcome, changed by ``change`` (after a real run)."""
    real = native.run_program

    def fake(prog: Any, seed: int, **kw: Any) -> Outcome:
        o = real(prog, seed, **kw)
        change(o)
        return o

    monkeypatch.setattr(native, "run_program", fake)


# -- agreement --------------------------------------------------------------------------------------
AGREE = [HELLO, HANDOFF, SYNCH, PANIC, CORPUS_ROOT / "chan" / "deadlock_recv.gox",
         CORPUS_ROOT / "defer" / "recover_string.gox", CORPUS_ROOT / "gc" / "linked_list.gox",
         CORPUS_ROOT / "select" / "uniform_choice.gox"]


def test_corpus_programs_agree(capfd: pytest.CaptureFixture[str]) -> None:
    files = AGREE
    assert main(["diff", *map(str, files)]) == 0
    out = capfd.readouterr().out.splitlines()
    assert len(out) == len(files)
    for line, p in zip(out, files, strict=True):
        assert line.startswith(f"same: {p} (") and line.endswith(" events)"), line


def test_same_line_counts_the_events(capfd: pytest.CaptureFixture[str]) -> None:
    prog = load(HANDOFF.read_text(), str(HANDOFF))
    n = len(run_reference(prog, 3, trace=True).extra["trace"])
    assert n > 5
    assert main(["diff", str(HANDOFF), "--seed", "3"]) == 0
    assert capfd.readouterr().out == f"same: {HANDOFF} ({n} events)\n"


def test_seeds_agree_on_a_concurrent_program() -> None:
    prog = load(SYNCH.read_text(), str(SYNCH))
    for seed in (0, 1, 7, 12345):
        r = diff_program(prog, seed)
        assert r.same, r.render()
        assert r.events > 50


def test_run_reference_matches_the_native_shape() -> None:
    prog = load(PANIC.read_text(), str(PANIC))
    ref = run_reference(prog, 0, trace=True)
    nat = native.run_program(prog, 0, trace=True)
    assert (ref.status, ref.stdout, ref.stderr, ref.extra["trace"]) == (
        nat.status, nat.stdout, nat.stderr, nat.extra["trace"])
    assert ref.status == 2 and ref.stderr.startswith(b"panic: boom")
    assert "trace" not in run_reference(prog, 0).extra


# -- divergences ------------------------------------------------------------------------------------
def test_trace_divergence_report(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    prog = load(SYNCH.read_text(), str(SYNCH))
    ref_trace = run_reference(prog, 0, trace=True).extra["trace"]
    k = 20

    def change(o: Outcome) -> None:
        o.extra["trace"][k] = o.extra["trace"][k] + " extra=1"

    _native_changed(monkeypatch, change)
    assert main(["diff", str(SYNCH), "--seed", "0"]) == 1
    out = capfd.readouterr().out.splitlines()
    assert out[0] == f"diverge: {SYNCH} (seed 0): trace"
    n = len(ref_trace)
    assert out[1] == (f"  trace differs at event {k + 1} (ref has {n} events, native {n} events); "
                      f"the {CONTEXT} events before it agree:")
    assert out[2:2 + CONTEXT] == [f"{'':12}{line}" for line in ref_trace[k - CONTEXT:k]]
    assert out[2 + CONTEXT] == f"    ref:    {ref_trace[k]}"
    assert out[3 + CONTEXT] == f"    native: {ref_trace[k]} extra=1"
    assert len(out) == 4 + CONTEXT


def test_a_shorter_trace_and_the_first_event(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    _native_changed(monkeypatch, lambda o: o.extra["trace"].clear())
    assert main(["diff", str(HELLO)]) == 1
    out = capfd.readouterr().out.splitlines()
    assert out[1].startswith("  trace differs at event 1 (ref has 3 events, native 0 events):")
    assert out[2] == "    ref:    1 g0 spawn child=1"
    assert out[3] == "    native: <empty trace>"


def test_stdout_divergence(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    _native_changed(monkeypatch, lambda o: setattr(o, "stdout", o.stdout.replace(b"world", b"World")))
    assert main(["diff", str(HELLO)]) == 1
    out = capfd.readouterr().out
    assert out == (f"diverge: {HELLO} (seed 0): stdout\n"
                   "  stdout differs at line 1 (ref has 1 line, native 1 line):\n"
                   "    ref:    hello, world\n"
                   "    native: hello, World\n")


def test_status_and_stderr_divergence(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    def change(o: Outcome) -> None:
        o.status = 3
        o.stderr = o.stderr.replace(b"panic: boom", b"panic: bang")

    _native_changed(monkeypatch, change)
    assert main(["diff", str(PANIC)]) == 1
    out = capfd.readouterr().out.splitlines()
    assert out[0] == f"diverge: {PANIC} (seed 0): status, stderr"
    assert out[1] == "  exit status differs: ref 2, native 3"
    assert out[2].startswith("  stderr differs at line 1 (")
    assert out[3:5] == ["    ref:    panic: boom", "    native: panic: bang"]


def test_one_divergent_file_among_agreeing_ones(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    def change(o: Outcome) -> None:
        if o.stdout == b"hello, world\n":
            o.stdout += b"more\n"

    _native_changed(monkeypatch, change)
    assert main(["diff", str(HANDOFF), str(HELLO), str(PANIC)]) == 1
    out = capfd.readouterr().out.splitlines()
    assert out[0].startswith(f"same: {HANDOFF} (")
    assert out[1] == f"diverge: {HELLO} (seed 0): stdout"
    assert out[2] == "  stdout differs at line 2 (ref has 1 line, native 2 lines); the line before it agrees:"
    assert out[3:6] == [f"{'':12}hello, world", "    ref:    <end of stdout after 1 line>", "    native: more"]
    assert out[6].startswith(f"same: {PANIC} (")


def test_compare_unit() -> None:
    a = Outcome(0, b"x\ny", b"", extra={"trace": ["1 g0 spawn child=1"]})
    b = Outcome(0, b"x\ny\n", b"", extra={"trace": ["1 g0 spawn child=1"]})
    (d,) = compare(a, b)
    assert (d.kind, d.index, d.context) == ("stdout", 1, ("x",))
    assert d.ref == "y  (no newline at end)" and d.native == "y"
    assert compare(a, a) == []
    c = Outcome(0, b"x\ny\x01", b"", extra={"trace": []})
    assert [x.kind for x in compare(a, c)] == ["stdout", "trace"]
    assert compare(a, c)[0].native == "'y\\x01'  (no newline at end)"
    many = [f"{i} g1 yield" for i in range(1, 20)]
    d2 = compare_items("trace", many, [*many[:15], "16 g2 run"])
    assert d2 is not None and d2.index == 15 and len(d2.context) == CONTEXT
    assert d2.context[-1] == many[14]
    assert compare_items("trace", many, list(many)) is None
    assert Divergence("status", None, (), "0", "2").render() == "  exit status differs: ref 0, native 2"


# -- mistakes ---------------------------------------------------------------------------------------
def test_user_mistakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gox"
    bad.write_text("func main() { undefined_thing() }\n")
    binary = tmp_path / "bin.gox"
    binary.write_bytes(b"\xff\xfe\x00")
    cases = [
        (["diff"], "gox-ref: error: the following arguments are required: FILE"),
        (["diff", "/no/such/file.gox"], "gox-ref: error: /no/such/file.gox: no such file"),
        (["diff", str(HELLO), "/no/such/file.gox"], "gox-ref: error: /no/such/file.gox: no such file"),
        (["diff", str(bad)], f"gox-ref: error: {bad}: malformed program: "),
        (["diff", str(binary)], f"gox-ref: error: {binary}: a binary file (a NUL byte at line 1, column 3)"),
        (["diff", str(tmp_path)], f"gox-ref: error: {tmp_path}: not a file"),
        (["diff", str(HELLO), "--seed", "x"], "gox-ref: error: argument --seed"),
    ]
    for argv, msg in cases:
        assert main(argv) == 2, argv
        cap = capfd.readouterr()
        assert cap.out == ""  # nothing ran: every file is checked first
        assert cap.err.startswith(msg) and cap.err.count("\n") == 1, cap.err
    monkeypatch.setenv("CC", "no-such-cc-for-gox")
    assert main(["diff", str(HELLO)]) == 2
    err = capfd.readouterr().err
    assert err.startswith("gox-ref: error: backend native: no C compiler") and err.count("\n") == 1


def test_a_program_the_library_cannot_run(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(native, "skip_reason", lambda prog, lib: "needs the native scheduler (gox_x)")
    assert main(["diff", str(HELLO)]) == 2
    err = capfd.readouterr().err
    assert err == f"gox-ref: error: {HELLO}: cannot run on the native backend: it needs the native scheduler (gox_x)\n"


def test_a_build_failure_is_one_line(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    def broken(prog: Any, seed: int, **kw: Any) -> Outcome:
        raise native.NativeBuildError("cc failed on x.c:\nerror: nope")

    monkeypatch.setattr(native, "run_program", broken)
    with pytest.raises(CannotDiff):
        diff_program(load(HELLO.read_text(), str(HELLO)), 0)
    assert main(["diff", str(HELLO)]) == 2
    err = capfd.readouterr().err
    assert err == "gox-ref: error: backend native: cc failed on x.c: (+1 more line: see gox-ref run --backend native)\n"


def test_the_documented_example_is_real(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """docs/DIFF_AND_FUZZ.md's example report is what gox-ref diff prints for that change."""
    doc = (Path(__file__).resolve().parents[1] / "docs" / "DIFF_AND_FUZZ.md").read_text()
    section = doc.split("## Reading a divergence report", 1)[1]
    blocks = section.split("```\n")
    example = next(b for b in blocks if b.startswith("diverge: "))

    def change(o: Outcome) -> None:
        t = o.extra["trace"]
        i = next(i for i, line in enumerate(t) if " recv " in line and i > 10)
        t[i] = t[i].replace("value=", "value=9")

    _native_changed(monkeypatch, change)
    rel = SYNCH.relative_to(CORPUS_ROOT.parent)
    monkeypatch.chdir(CORPUS_ROOT.parent)
    assert main(["diff", str(rel), "--seed", "7"]) == 1
    assert capfd.readouterr().out == example
