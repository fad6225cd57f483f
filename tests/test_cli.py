"""The gox-ref command: run, conformance, heap, and one-line errors for user mistakes."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gox_ref
from gox_program.cli import main
from gox_program.corpus import CORPUS_ROOT, run_case_file


def _have_native() -> bool:
    from gox_program import native

    try:
        native.library()
        native.compiler()
    except native.NativeUnavailable:
        return False
    return True


# a test that needs the C library and a compiler: skipped without them, except in CI (it fails there)
needs_native = pytest.mark.skipif(not _have_native() and not os.environ.get("CI"), reason="no native backend")
CLI = "import sys; from gox_program.cli import main; sys.exit(main(sys.argv[1:]))"
ENV = {**os.environ, "PYTHONPATH": str(Path(gox_ref.__file__).resolve().parents[1])}

HELLO = CORPUS_ROOT / "basics" / "hello.gox"
PANIC = CORPUS_ROOT / "errors" / "panic_string.gox"  # prints "started", then panics: status 2


def test_run_prints_and_exits_as_the_program(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(HELLO)]) == 0
    assert capfd.readouterr().out == "hello, world\n"
    assert main(["run", str(CORPUS_ROOT / "errors" / "panic_string.gox")]) == 2
    captured = capfd.readouterr()
    assert captured.out == "started\n"
    assert captured.err.startswith("panic: boom\n\ngoroutine 1 [running]:")


def test_run_seed_and_trace(tmp_path: Path) -> None:
    trace = tmp_path / "t.json"
    assert main(["run", str(CORPUS_ROOT / "chan" / "unbuffered_handoff.gox"), "--seed", "5", "--trace", str(trace)]) == 0
    assert json.loads(trace.read_text())["traceEvents"]


@pytest.mark.parametrize(
    ("argv", "msg"),
    [
        (["run", "/no/such/file.gox"], "gox-ref: error: /no/such/file.gox: no such file"),
        (["heap", "X", "--backend", "jvm"],
         "gox-ref: error: argument --backend: invalid choice: 'jvm' (choose from 'ref', 'native')"),
        (["run", "X", "--backend", "jvm"], "gox-ref: error: argument --backend: invalid choice: 'jvm'"),
        (["conformance", "--backend", "go"], "gox-ref: error: argument --backend: invalid choice: 'go'"),
        (["run", "--bogus"], "gox-ref: error:"),
        (["frobnicate"], "gox-ref: error:"),
        (["conformance", "/no/such/dir"], "gox-ref: error: no such file or directory"),
    ],
)
def test_user_mistakes_get_one_line(argv: list[str], msg: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert main(argv) != 0
    err = capfd.readouterr().err
    assert err.startswith(msg), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_malformed_program_one_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.gox"
    p.write_text("func main() {\n  gox_debug_print(x, kind.Int)\n}\n")
    assert main(["run", str(p)]) == 1
    err = capfd.readouterr().err
    assert err == f"{p}:2:19: undefined: x\n"


def test_conformance_text_and_json(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", str(CORPUS_ROOT / "basics"), "-k", "hello"]) == 0
    out = capfd.readouterr().out
    assert "basics" in out and "total" in out
    assert main(["conformance", "--json", "-k", "chan/"]) == 0
    report = json.loads(capfd.readouterr().out)
    assert report["groups"]["chan"]["failed"] == 0
    assert all(c["result"] == "passed" for c in report["cases"])


def test_conformance_reports_failures(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "conformance" / "mine"
    d.mkdir(parents=True)
    (d / "wrong.gox").write_text(
        "/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  2\nfeatures: []\n---*/\n"
        "func main() { gox_debug_print(1, kind.Int) }\n"
    )
    (d / "malformed.gox").write_text("no header\n")
    assert main(["conformance", str(d)]) == 1
    out = capfd.readouterr().out
    assert "FAIL mine/wrong: stdout differs from the expected:\n    --- expected stdout\n    +++ got stdout\n" in out
    assert "FAIL mine/malformed: malformed case" in out


def test_heap_dot_at_exit_and_checkpoint(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    prog = CORPUS_ROOT / "gc" / "linked_list.gox"
    assert main(["heap", str(prog)]) == 0
    assert capfd.readouterr().out.startswith("digraph heap {")
    out = tmp_path / "h.dot"
    assert main(["heap", str(prog), "--at", "built", "-o", str(out)]) == 0
    assert "checkpoint 'built'" in out.read_text()
    assert main(["heap", str(prog), "--at", "nowhere"]) == 2
    assert "no checkpoint 'nowhere'" in capfd.readouterr().err
    assert main(["heap", str(prog), "-o", str(tmp_path / "h.txt")]) == 2


def test_heap_focus(capfd: pytest.CaptureFixture[str]) -> None:
    prog = str(CORPUS_ROOT / "gc" / "linked_list.gox")
    assert main(["heap", prog, "--at", "built", "--focus", "7"]) == 0
    out = capfd.readouterr().out
    assert "object #7 and its 2 neighbours" in out
    assert re.findall(r"^  o(\d+) \[label=", out, re.M) == ["5", "7", "9"]
    assert main(["heap", prog, "--at", "built", "--focus", "999"]) == 2
    # (the program's own output goes to stderr first, as for every heap)
    assert capfd.readouterr().err == "4950\ngox-ref: error: --focus 999: no object #999 in the heap (it has #1..#200)\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_heap_svg(tmp_path: Path) -> None:
    out = tmp_path / "h.svg"
    assert main(["heap", str(HELLO), "-o", str(out)]) == 0
    assert out.read_text().lstrip().startswith("<?xml")


def test_existing_subcommands_still_work(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["abi", "--group", "chan"]) == 0
    assert "gox_chan_send" in capfd.readouterr().out


def test_version(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capfd.readouterr().out == f"gox-ref {gox_ref.__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [["abi"], ["run", str(HELLO)], pytest.param(["run", str(HELLO), "--backend", "native"], marks=needs_native)],
)
def test_output_into_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    """`gox-ref abi | head`: the reader is gone.  A pipe whose read end is closed makes the
    first write fail with EPIPE every time (no race with a reader that exits later).  (A native
    program dies of SIGPIPE: that was reported as a crash.)"""
    r, w = os.pipe()
    os.close(r)
    try:
        proc = subprocess.run([sys.executable, "-c", CLI, *argv], stdout=w, stderr=subprocess.PIPE, env=ENV, timeout=120)
    finally:
        os.close(w)
    assert proc.stderr == b""
    assert proc.returncode == 1


@pytest.mark.parametrize("seed", ["-5", "99999999999999999999999", str(2**64), "x"])
@pytest.mark.parametrize("cmd", [["run", str(HELLO)], ["diff", str(HELLO)], ["heap", str(HELLO)], ["fuzz"]])
def test_every_command_checks_its_seed_alike(cmd: list[str], seed: str, capfd: pytest.CaptureFixture[str]) -> None:
    assert main([*cmd, "--seed", seed]) == 2
    err = capfd.readouterr().err
    limit = 2**40 - 1 if cmd == ["fuzz"] else 2**64 - 1
    assert err.startswith("gox-ref: error: argument --seed: "), err
    assert err.endswith(f"expected 0..{limit})\n" if seed == "x" else f"out of range: expected 0..{limit}\n"), err


def test_the_largest_seed_runs(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(HELLO), "--seed", str(2**64 - 1)]) == 0
    assert capfd.readouterr().out == "hello, world\n"


def test_a_header_seed_out_of_range(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "neg.gox"
    p.write_text(HELLO.read_text().replace("---*/", "seed: -5\n---*/", 1))
    assert main(["run", str(p)]) == 2
    want = f"gox-ref: error: {p}:1: seed -5 is out of range: expected 0..{2**64 - 1} (--seed overrides it)\n"
    assert capfd.readouterr().err == want
    assert main(["run", str(p), "--seed", "1"]) == 0
    r = run_case_file(p)
    assert r.result == "failed" and "seed -5 is out of range" in r.reason


@pytest.mark.parametrize(
    ("argv", "dest", "reason"),
    [
        (["run", str(PANIC), "--trace", "{file}/t.json"], "{file}/t.json", "Not a directory"),
        (["run", str(PANIC), "--trace", "{tmp}/no/t.json"], "{tmp}/no/t.json", "No such file or directory"),
        (["run", str(PANIC), "--trace", "{tmp}"], "{tmp}", "it is a directory"),
        (["heap", str(HELLO), "-o", "{file}/h.dot"], "{file}/h.dot", "Not a directory"),
        (["fuzz", "--programs", "1", "--out", "{file}"], "{file}", "it is not a directory"),
        (["fuzz", "--programs", "1", "--out", "{file}/sub/dir"], "{file}/sub/dir", "{file} is not a directory"),
    ],
)
def test_an_unwritable_destination_is_refused_before_anything_runs(
    argv: list[str], dest: str, reason: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Before: the program ran (a fuzz campaign ran for its whole budget), then the result was
    lost with "gox-ref: [Errno 20] Not a directory" and the status became 1."""
    file = tmp_path / "a-file"
    file.write_text("")

    def fill(a: str) -> str:
        return a.format(file=file, tmp=tmp_path)

    assert main([fill(a) for a in argv]) == 2
    out, err = capfd.readouterr()
    assert (out, err) == ("", f"gox-ref: cannot write {fill(dest)}: {fill(reason)}\n")  # nothing ran
    assert sorted(tmp_path.iterdir()) == [file]  # and the check left nothing behind


def test_a_trace_that_cannot_be_written_keeps_the_program_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The destination passed the check but the write fails after the run (a full disk)."""
    from gox_ref.trace import TraceLog

    def full(self: TraceLog, path: str | Path) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(TraceLog, "write", full)
    trace = tmp_path / "t.json"
    assert main(["run", str(PANIC), "--trace", str(trace)]) == 2  # the panic's status, not 1
    out, err = capfd.readouterr()
    assert out == "started\n"
    assert err.startswith("panic: boom\n")
    assert err.endswith(f"gox-ref: cannot write {trace}: No space left on device\n")


def test_a_finding_that_cannot_be_written_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from gox_program import fuzz, native

    finding = fuzz.Finding(7, "stdout differs", "func main() {\n}\n", 40)
    monkeypatch.setattr(native, "library", lambda: native.Library(Path("/x/libgox.so"), "0" * 64, frozenset()))
    monkeypatch.setattr(native, "compiler", lambda: "cc")
    monkeypatch.setattr(native, "fast_compiler", lambda lib=None: "cc")
    monkeypatch.setattr(fuzz, "run_batch", lambda *a, **k: fuzz.BatchResult(1, 0, [finding]))

    def gone(out_dir: Path, f: fuzz.Finding) -> Path:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out_dir / "7.gox"))

    monkeypatch.setattr(fuzz, "write_finding", gone)
    assert main(["fuzz", "--programs", "1", "--seed", "1", "--out", str(tmp_path / "out")]) == 1
    out, err = capfd.readouterr()
    assert "stdout differs: seed 7, not written; the shrunk program:\nfunc main() {\n}\n" in out
    assert f"gox-ref: cannot write {tmp_path / 'out' / '7.gox'}: Permission denied\n" in err


def test_bench_go_none_is_not_a_missing_go(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`--go none` once reported "not installed (no go on PATH)" (tests/test_bench_go_smoke.py
    checks the whole report); a --go that is no command is a usage error, not "[Errno 2]"."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1]))  # bench/ is not installed
    from bench import bench_go

    assert bench_go.find_go("none") == (None, "left out (--go none)")
    assert main(["bench", "--go", "/no/such/go"]) == 2
    assert capfd.readouterr().err == "gox-ref: error: bench: --go /no/such/go: no such command\n"


def _case(d: Path, name: str, stdout: str, body: str) -> Path:
    p = d / name
    block = "".join(f"  {ln}\n" for ln in stdout.splitlines())
    p.write_text(f"/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n{block}features: []\n---*/\n{body}")
    return p


def test_a_failure_shows_a_unified_diff_at_the_first_difference(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """Forty lines with a difference in the 31st: the old report cut both outputs at 200
    characters, where they were the same."""
    want = "".join(f"line {i:02}\n" for i in range(40))
    prints = "".join(f'    gox_debug_print("line {i:02}{"!" if i == 30 else ""}", kind.String)\n' for i in range(40))
    _case(tmp_path, "late.gox", want, "func main() {\n" + prints + "}\n")
    assert main(["conformance", str(tmp_path / "late.gox")]) == 1
    out = capfd.readouterr().out
    assert f"FAIL {tmp_path.name}/late: stdout differs from the expected:\n" + "".join(f"    {ln}\n" for ln in [
        "--- expected stdout", "+++ got stdout", "@@ -28,7 +28,7 @@",
        " line 27", " line 28", " line 29", "-line 30", "+line 30!", " line 31", " line 32", " line 33",
    ]) in out


def test_a_difference_far_into_a_long_line_shows(tmp_path: Path) -> None:
    want = "a" * 1000 + "b" + "a" * 500
    _case(tmp_path, "wide.gox", want, 'func main() {\n    gox_debug_print("' + want.replace("b", "c") + '", kind.String)\n}\n')
    r = run_case_file(tmp_path / "wide.gox")
    minus, plus = (ln.strip() for ln in r.reason.splitlines()[-2:])
    assert minus.startswith("-...a") and "ab" in minus and len(minus) < 300
    assert plus == minus.replace("b", "c").replace("-", "+", 1)


def test_a_failure_shows_the_whole_stderr_report(tmp_path: Path) -> None:
    """An expected panic whose message differs past 200 characters of stderr."""
    long = "x" * 300
    p = tmp_path / "late_panic.gox"
    p.write_text(
        f"/*---\ndescription: d\nspec: s\nexpect: panic\nmessage: {long}!\nfeatures: [panic]\n---*/\n"
        f'func main() {{\n    gox_panic(kind.String, "{long}?")\n}}\n'
    )
    r = run_case_file(p)
    assert r.result == "failed"
    assert f"\n    panic: {long}?" in r.reason, r.reason


def test_skip_reasons_are_in_the_text_output(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    from gox_program import corpus

    monkeypatch.setitem(corpus.BACKENDS, "ref", corpus.BACKENDS["ref"] - {"strings"})
    assert main(["conformance", str(HELLO)]) == 0
    out = capfd.readouterr().out
    assert out.startswith("SKIP basics/hello: backend ref lacks strings\n")


def test_a_folder_outside_conformance_is_its_own_group(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "mycases"
    (d / "deep").mkdir(parents=True)
    _case(d, "a.gox", "hi", 'func main() {\n    gox_debug_print("hi", kind.String)\n}\n')
    _case(d / "deep", "b.gox", "hi", 'func main() {\n    gox_debug_print("hi", kind.String)\n}\n')
    assert main(["conformance", "--json", str(d)]) == 0
    report = json.loads(capfd.readouterr().out)
    assert [(c["id"], c["group"]) for c in report["cases"]] == [("mycases/a", "mycases"), ("deep/b", "deep")]
    assert report["groups"] == {"deep": {"passed": 1, "failed": 0, "skipped": 0},
                                "mycases": {"passed": 1, "failed": 0, "skipped": 0}}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"func main() {\n}\n\0\0", "a binary file (a NUL byte at line 3, column 1), not program text"),
        (b"func main() {\n  // caf\xe9\n}\n", "not UTF-8 text (byte 0xe9 at line 2, column 9 is not valid UTF-8)"),
    ],
)
def test_a_file_that_is_not_text_is_reported_in_words(
    data: bytes, words: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bad.gox"
    p.write_bytes(data)
    assert main(["conformance", str(p)]) == 1
    out = capfd.readouterr().out
    assert out.startswith(f"FAIL {tmp_path.name}/bad: {p}: {words}\n"), out
    assert "codec" not in out
    for cmd in (["run", str(p)], ["diff", str(p)], ["heap", str(p)]):
        assert main(cmd) == 2
        assert capfd.readouterr().err == f"gox-ref: error: {p}: {words}\n"


@needs_native
@pytest.mark.parametrize(
    ("case", "at"),
    [("gc/linked_list", None), ("gc/linked_list", "built"), ("gc/collect_during_panic", None),
     ("closures/counter", None), ("abi/tables", None), ("chan/buffered_fifo", None)],
)
def test_heap_on_the_native_backend_draws_the_same_graph(
    case: str, at: str | None, capfd: pytest.CaptureFixture[str]
) -> None:
    """`heap --backend native` draws the compiled program's heap
    dump, the same graph as the reference's (types named, GC colors and state, roots)."""
    argv = ["heap", str(CORPUS_ROOT / f"{case}.gox"), *(["--at", at] if at else [])]
    ref_status = main(argv)
    ref = capfd.readouterr()
    assert main([*argv, "--backend", "native"]) == ref_status == 0
    nat = capfd.readouterr()
    assert nat.out == ref.out and nat.out.startswith("digraph heap {")
    assert nat.err == ref.err  # the program's own output


# -- the runner's limits: --max-steps, --max-depth (gox_program/limits.py) -------------------------------
SPIN = "func main() {\n    var i i64 = 0\n    for {\n        i++\n    }\n}\n"
DOWN = ("func down(n i64) i64 {\n    if n == 0 {\n        return 0\n    }\n    return down(n - 1) + 1\n}\n\n"
        "func main() {\n    gox_debug_print(down(%d), kind.Int)\n}\n")


@pytest.mark.parametrize("backend", ["ref", pytest.param("native", marks=needs_native)])
def test_the_limits_are_flags_and_their_messages_name_them(
    backend: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Before: the budget and the depth were constants, and the message named neither flag."""
    spin, down = tmp_path / "spin.gox", tmp_path / "down.gox"
    spin.write_text(SPIN)
    down.write_text(DOWN % 48)  # main and 49 frames
    assert main(["run", str(spin), "--backend", backend, "--max-steps", "1000"]) == 3
    assert capfd.readouterr().err == (
        "gox-ref: step limit exceeded: the program ran 1000 steps (raise the limit with --max-steps)\n")
    assert main(["run", str(down), "--backend", backend, "--max-depth", "50"]) == 0
    assert capfd.readouterr().out == "48\n"
    assert main(["run", str(down), "--backend", backend, "--max-depth", "49"]) == 2
    assert capfd.readouterr().err == ("runtime: goroutine stack exceeds 49-frame limit (raise the limit with "
                                      "--max-depth)\nfatal error: stack overflow\n")


@pytest.mark.parametrize("cmd", [["run", "X"], ["conformance"], ["diff", "X"], ["fuzz"]])
@pytest.mark.parametrize(("flag", "value", "why"), [
    ("--max-steps", "0", "0 is out of range (expected 1..9223372036854775807)"),
    ("--max-depth", "4294967296", "4294967296 is out of range (expected 1..4294967295)"),
    ("--max-depth", "lots", "'lots' is not an integer (expected 1..4294967295)"),
])
def test_a_bad_limit_is_a_usage_error(
    cmd: list[str], flag: str, value: str, why: str, capfd: pytest.CaptureFixture[str]
) -> None:
    assert main([*cmd, flag, value]) == 2
    err = capfd.readouterr().err
    assert err.startswith(f"gox-ref: error: argument {flag}: {why}"), err
    assert err.count("\n") == 1


@needs_native
def test_conformance_and_diff_pass_the_limits_on(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """conformance --max-depth reaches both runners; diff stops both backends at its frame limit
    (by default 100,000 on both: unbounded recursion is no divergence)."""
    case = tmp_path / "cases" / "deep.gox"
    case.parent.mkdir()
    case.write_text('/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  48\nfeatures: []\n---*/\n' + DOWN % 48)
    for backend in ("ref", "native"):
        assert main(["conformance", str(case), "--backend", backend, "--max-depth", "50"]) == 0
        assert main(["conformance", str(case), "--backend", backend, "--max-depth", "49"]) == 1
        assert "FAIL cases/deep: stdout differs" in capfd.readouterr().out
    overflow = CORPUS_ROOT / "basics" / "stack_overflow.gox"
    assert main(["diff", str(overflow)]) == 0
    assert main(["diff", str(overflow), "--max-depth", "300"]) == 0
    assert "same" in capfd.readouterr().out


@needs_native
def test_conformance_runs_each_native_case_k_times(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """--runs K (parallel mode's stress, issue 17): the executable is built once and run K times,
    and the case fails with the number of the first run that did not meet its expectation."""
    from gox_program import corpus, native

    calls: list[int] = []
    real = native.run_exe

    def flaky(exe: Path, seed: int, **kw: object) -> object:
        calls.append(seed)
        o = real(exe, seed, **kw)  # type: ignore[arg-type]
        return o if len(calls) != 3 else type(o)(o.status, b"other\n", o.stderr)

    monkeypatch.setattr(corpus, "run_exe", flaky)
    assert main(["conformance", "--backend", "native", "--workers", "2", "--runs", "4", str(HELLO), "--json"]) == 1
    report = json.loads(capfd.readouterr().out)
    assert report["runs"] == 4 and report["workers"] == 2
    assert report["cases"][0]["reason"].startswith("run 3 of 4: stdout differs from the expected")
    assert len(calls) == 3  # it stops at the first failing run
    calls.clear()
    monkeypatch.setattr(corpus, "run_exe", real)
    assert main(["conformance", "--backend", "native", "--runs", "3", str(HELLO)]) == 0
    assert "total                1       0        0" in capfd.readouterr().out


def test_conformance_runs_is_native_only(capfd: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "--runs", "2", str(HELLO)]) == 2
    assert "--runs is for --backend native" in capfd.readouterr().err
    assert main(["conformance", "--backend", "native", "--runs", "0", str(HELLO)]) == 2
    assert "--runs 0: expected at least 1" in capfd.readouterr().err


@pytest.mark.parametrize("command", ["abi", "demo", "run", "conformance", "heap", "diff", "fuzz", "bench", "lincheck",
                                     "abi-diff"])
def test_every_command_s_help_ends_with_examples(command: str, capfd: pytest.CaptureFixture[str]) -> None:
    """--help lists the choices (argparse's) and ends with runnable examples of the command."""
    assert main([command, "--help"]) == 0
    out = capfd.readouterr().out
    examples = out.split("\nexamples:\n", 1)[1].splitlines()
    assert examples and all(e.startswith(f"  gox-ref {command}") for e in examples), out
    if command in ("run", "conformance", "heap"):
        assert "--backend {ref,native}" in out
