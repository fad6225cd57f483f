"""``gox-ref fuzz --go`` (gox_program/fuzzgen.py, the three-way part of gox_program/fuzz.py):
the abstract generator and its two renderings, the shrinker keeping them in step, Go's batched
build, and a planted disagreement found and written with both files.

Tests that run Go skip without it, and fail when GOX_REQUIRE_GO or CI is set; likewise the
native backend (conftest.native_unavailable)."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import go_or_skip, native_unavailable

from gox_program import fuzz, fuzzgen, gotwin, native
from gox_program.case import Outcome
from gox_program.check import load
from gox_program.cli import main as cli_main
from gox_program.diff import go_view

if "libasan" in os.environ.get("LD_PRELOAD", ""):  # pragma: no cover - the sanitizer run
    pytest.skip("the reference cannot run under the preloaded ASan runtime", allow_module_level=True)

SEEDS = range(5_912, 5_936)  # (chosen so that every gap below is in the batch)


def _go() -> gotwin.Go:
    go: gotwin.Go = go_or_skip()
    return go


def _native() -> None:
    try:
        if not native.library().sched:
            native_unavailable(RuntimeError("the C library has no scheduler"))
        native.compiler()
    except native.NativeUnavailable as e:  # pragma: no cover - depends on the machine
        native_unavailable(e)


# -- the generator, without Go ----------------------------------------------------------------------
def test_a_program_is_a_pure_function_of_its_seed() -> None:
    for s in (0, 1, 2**40):
        a, b = fuzzgen.generate(s), fuzzgen.generate(s)
        assert (a.gox(), a.go()) == (b.gox(), b.go())
    assert len({fuzzgen.generate(s).go() for s in SEEDS}) == len(SEEDS)


def test_every_gox_rendering_loads() -> None:
    for s in SEEDS:
        load(fuzzgen.generate(s).gox(), f"fuzz-{s}.gox")


def test_the_batch_run_with_go_has_the_generator_gaps_closed() -> None:
    """SEEDS (whose programs test_both_renderings_run_alike_with_go_and_the_reference runs with
    Go) include a close of a channel a sender is parked on, float map keys and an index at a
    slice's and a string's length (docs/DIFF_AND_FUZZ.md, the generator's gaps), and time, in both
    forms."""
    progs = [fuzzgen.generate(s) for s in SEEDS]
    for gox, go in (("go psend(", "go psend("), ("gox_rt_map_new(kind.Float64, kind.Int)", "make(map[float64]int64)"),
                    ("protect(", "protect(")):
        assert any(gox in p.gox() and go in p.go() for p in progs), gox
    calls = " ".join(p.gox() for p in progs)
    assert ", 9), kind.Int)" in calls and ", 10), kind.Int)" in calls
    # objects beyond the old 65,535-element limit, and recursion 20,000 frames deep (issue 16)
    for gox, go in (("gox_rt_slice_create(kind.Int, type.None, 65536, 65536)", "make([]int64, 65536, 65536)"),
                    ("<= 65535 {", "<= 65535 {"), ("depth(20000)", "depth(20000)")):
        assert any(gox in p.gox() and go in p.go() for p in progs), gox
    # time (issue 19): the timeout idiom, Stop and Reset, a ticker, a sleeping sender
    for gox, go in (("gox_select_add_recv(gox_timer_chan(", "time.NewTimer("), ("gox_timer_reset(", ".Reset("),
                    ("gox_ticker_new(", "time.NewTicker("), ("go wsleep(", "go wsleep(")):
        assert any(gox in p.gox() and go in p.go() for p in progs), gox


def test_constant_operands_go_through_id_in_go() -> None:
    """Go folds constants at compile time and rejects an overflowing one; the .gox wraps."""
    e = fuzzgen.binop("*", fuzzgen.lit(9223372036854775807), fuzzgen.lit(2))
    assert e.go == "(id(9223372036854775807) * 2)" and e.gox == "(9223372036854775807 * 2)"
    assert fuzzgen.binop("<<", fuzzgen.lit(1), fuzzgen.var("x")).go == "(id(1) << (x & 15))"
    assert fuzzgen.binop("+", fuzzgen.var("x"), fuzzgen.lit(-3)).go == "(x + (-3))"


def test_helpers_never_write_gcount() -> None:
    """Go leaves unspecified whether ``gcount += f()`` reads gcount before or after the call
    (Go 1.19: after; the runtimes: before), so only main writes it."""
    for s in range(5_000, 5_200):
        for f in fuzzgen.generate(s).funcs[:-1]:
            helper = "\n".join(fuzzgen._render_func(f, "gox").splitlines())
            assert not re.search(r"\bgcount [-+*^|&]?= ", helper), (s, helper)


def test_shrinking_removes_nodes_and_re_renders_both_forms() -> None:
    """The predicate keeps a program while it calls protect: the shrunk program is 1-minimal
    (no candidate that loads still calls it), and every candidate tried has as many calls in
    its Go form as in its .gox form."""
    p = next(q for q in map(fuzzgen.generate, SEEDS) if "protect(" in q.gox() and fuzzgen.size(q) > 8)
    tried = []

    def calls(c: fuzzgen.Prog) -> int:
        assert c.gox().count("gox_debug_print(protect(") == c.go().count("fmt.Println(protect(")
        return c.go().count("fmt.Println(protect(")

    def keeps(c: fuzzgen.Prog) -> bool:
        tried.append(c)
        return calls(c) > 0

    def first(cands: list[fuzzgen.Prog]) -> int | None:
        return next((i for i, c in enumerate(cands) if keeps(c)), None)

    small, partial = fuzzgen.shrink(p, first)
    assert not partial and len(tried) > 1
    assert calls(small) == 1 and fuzzgen.size(small) < fuzzgen.size(p)
    assert all(calls(c) == 0 for c in fuzzgen.candidates(small) if fuzzgen._loads(c))
    # in batches (as the three-way shrinker runs them): the same first candidate each time
    assert fuzzgen.shrink(p, first, batch=5)[0] == small


def test_shrink_stops_at_the_deadline() -> None:
    p = fuzzgen.generate(SEEDS[0])
    small, partial = fuzzgen.shrink(p, lambda cs: 0, deadline=0.0)
    assert partial and small is p


def _run(stdout: bytes, status: int = 0, stderr: bytes = b"") -> Outcome:
    o = Outcome(status, stdout, stderr)
    o.extra["trace"] = ["1 g0 spawn child=1"]
    return o


def test_the_signature_names_the_side_that_disagrees() -> None:
    same, other = _run(b"1\n"), _run(b"2\n")
    assert fuzz.signature3(same, _run(b"1\n"), _run(b"1\n")) is None
    assert fuzz.signature3(same, _run(b"1\n"), other) == "ref and native vs go: stdout differs"
    assert fuzz.signature3(same, other, _run(b"1\n")) == "ref/native: stdout differs; native vs go: stdout differs"
    assert fuzz.signature3(other, same, _run(b"1\n")) == "ref/native: stdout differs; ref vs go: stdout differs"
    assert fuzz.signature3(same, _run(b"1\n"), _run(b"1\n", 124)) == "go timeout"
    # Go's goroutine dump and addresses are not compared (diff.go_view), the report is
    panicked = _run(b"", 2, b"panic: x\n\ngoroutine 1 [running]:\nmain.main()\n")
    assert fuzz.signature3(panicked, panicked, _run(b"", 2, b"panic: x\n\ngoroutine 1 [running]:\n+0x1d\n")) is None
    assert fuzz.signature3(panicked, panicked, _run(b"", 2, b"panic: y\n")) == "ref and native vs go: stderr differs"



def test_the_oracles_are_the_pairs_that_disagree_and_the_key_buckets_each() -> None:
    same, other = _run(b"1\n"), _run(b"2\n")
    v = fuzz.judge3(same, _run(b"1\n"), other)
    assert v.oracles == "ref/go, native/go"
    assert v.key == "ref/go, native/go: stdout differs: stdout ref 1 / go 2; stdout differs: stdout native 1 / go 2"
    assert fuzz.judge3(same, other, _run(b"1\n")).oracles == "ref/native, native/go"
    assert fuzz.judge3(same, _run(b"1\n"), _run(b"1\n", 124)).key == "ref/go, native/go: go timeout"
    # a panic: the backend's text (numbers made N) whatever Go's, so one native bug is one key
    end = _run(b"1\n", 2, b"panic: the end\n")
    bad = _run(b"1\n", 2, b"panic: runtime error: index out of range [5] with length 5\n")
    v = fuzz.judge3(end, bad, _run(b"1\n", 2, b"panic: the end\n"))
    assert v.oracles == "ref/native, native/go"
    panic = "stderr differs: panic runtime error: index out of range [N] with length N"
    assert v.key == f"ref/native, native/go: {panic}; {panic}"


# -- with Go -----------------------------------------------------------------------------------------
def test_both_renderings_run_alike_with_go_and_the_reference(tmp_path: Path) -> None:
    """One go build for the whole batch; each program's Go run equals the reference's as the
    corpus compares them (status, stdout, the report before the first blank line)."""
    go = _go()
    progs = [fuzzgen.generate(s) for s in SEEDS]
    exe = gotwin.build_batch(go, [p.go() for p in progs], tmp_path)
    for k, p in enumerate(progs):
        ref = fuzz.run_ref(load(p.gox(), "f.gox"), p.seed)
        theirs = gotwin.run_batch_exe(exe, k)
        assert go_view(ref) == go_view(theirs), (p.seed, go_view(ref), go_view(theirs))


def test_a_batch_renames_top_level_names_and_reports_them_as_go_would(tmp_path: Path) -> None:
    """The programs of a batch share a package, each one's top-level names prefixed (not in
    its string literals); Go's report names the type main.Msg as the program alone would."""
    go = _go()
    src = ('package main\n\nimport "fmt"\n\ntype Msg string\n\nvar boom = "boom"\n\n'
           'func main() {\n\tfmt.Println(boom, "boom", `boom`)\n\tpanic(Msg("boom"))\n}\n')
    exe = gotwin.build_batch(go, [src.replace("Msg(", "string("), src], tmp_path)
    o = gotwin.run_batch_exe(exe, 1)
    assert o.stdout == b"boom boom boom\n"
    assert o.status == 2 and gotwin.stderr_head(o.stderr) == b'panic: main.Msg("boom")\n'
    assert gotwin.stderr_head(gotwin.run_batch_exe(exe, 0).stderr) == b"panic: boom\n"


def test_go_prints_floats_as_the_runtimes_do(tmp_path: Path) -> None:
    """The Go form prints a float64 with ``ff``, Go's runtime format (the runtimes'
    ``kind.Float64``), exponents of 2 and 3 digits alike."""
    go = _go()
    values = [("1e300", "1.5"), ("4.5e-309", "1.0"), ("0.5", "1.0"), ("(0.0 - 2.5)", "1e21"), ("1e300", "1e300"),
              ("0.0", "1.0")]
    gox = "func main() {\n" + "".join(f"    gox_debug_print({a} * {b}, kind.Float64)\n" for a, b in values) + "}\n"
    src = ('package main\n\nimport (\n\t"fmt"\n\t"math"\n)\n\n' + fuzzgen.FIXED["ff"][1] + "\n\nfunc main() {\n"
           + "".join(f"\tfmt.Println(ff(id({a.replace('(0.0 - 2.5)', '(-2.5)')}) * {b}))\n" for a, b in values)
           + "}\n\nfunc id(x float64) float64 {\n\treturn x\n}\n")
    ref = fuzz.run_ref(load(gox, "f.gox"), 1)
    theirs = gotwin.run_batch_exe(gotwin.build_batch(go, [src], tmp_path), 0)
    assert ref.stdout == theirs.stdout == (b"+1.500000e+300\n+4.500000e-309\n+5.000000e-001\n-2.500000e+021\n"
                                          b"+Inf\n+0.000000e+000\n")


def _planted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Go's outcome, planted: one line more on stdout."""
    real = gotwin.run_batch_exe

    def fake(exe: Path, index: int, timeout: float = gotwin.TIMEOUT) -> Outcome:
        o = real(exe, index, timeout)
        return replace(o, stdout=o.stdout + b"planted\n")

    monkeypatch.setattr(gotwin, "run_batch_exe", fake)


def test_a_planted_disagreement_is_found_and_written_with_both_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _go()
    _native()
    _planted(monkeypatch)
    monkeypatch.setattr(fuzz, "SHRINK_TESTS_GO", 2)  # a few shrinking steps: the rest is tested above
    out = tmp_path / "out"
    assert cli_main(["fuzz", "--go", "--programs", "1", "--seed", "3", "--out", str(out)]) == 1
    seed = 3 * fuzz.STREAM
    gox, twin = out / f"{seed}.gox", out / f"{seed}.go"
    reproduce = f"// reproduce: gox-ref diff --go {gox} --seed {seed}\n"
    assert reproduce in gox.read_text() and reproduce in twin.read_text()
    assert "ref and native vs go: stdout differs" in gox.read_text().splitlines()[0]
    assert f"(reproduce: gox-ref diff --go {gox} --seed {seed})" in capsys.readouterr().out
    monkeypatch.undo()  # the real Go: the written pair is the same program
    assert cli_main(["diff", "--go", str(gox), "--seed", str(seed)]) == 0
    assert "same as Go" in capsys.readouterr().out


def test_an_agreeing_batch_has_no_findings() -> None:
    _go()
    _native()
    r = fuzz.run_batch_go([5_100, 5_101, 5_102], do_shrink=False)
    assert r.programs == 3 and not r.findings, [f.report for f in r.findings]


def test_without_go_the_command_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _native()
    monkeypatch.setenv("PATH", str(tmp_path))  # no go here (nor cc: the native checks come first)
    monkeypatch.setattr(native, "compiler", lambda: "cc")
    assert cli_main(["fuzz", "--go", "--programs", "1", "--out", str(tmp_path / "o")]) == 2
    assert "fuzz --go needs Go: 'go' is not on PATH" in capsys.readouterr().err
