"""``gox-ref fuzz`` (gox_program/fuzz.py): the generator, the shrinker, a short fixed
campaign on both backends (the CI budget) and the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gox_program import fuzz, load, native
from gox_program.case import Outcome
from gox_program.cli import main as cli_main
from gox_program.compile_c import compile_batch
from gox_program.syntax import Program

if "libasan" in os.environ.get("LD_PRELOAD", ""):  # pragma: no cover - the sanitizer run
    pytest.skip("the reference cannot run under the preloaded ASan runtime", allow_module_level=True)

try:
    native.library()
    native.compiler()
    HAVE_NATIVE = native.library().sched
except native.NativeUnavailable:  # pragma: no cover - depends on the machine
    HAVE_NATIVE = False
needs_native = pytest.mark.skipif(not HAVE_NATIVE, reason="native backend (with the scheduler) unavailable")

CI_SEED = 20240607
CI_PROGRAMS = 40


# -- the generator --------------------------------------------------------------------------------
def test_programs_are_a_pure_function_of_the_seed() -> None:
    assert fuzz.generate(5) == fuzz.generate(5)
    assert fuzz.generate(5) != fuzz.generate(6)


@pytest.mark.parametrize("seed", range(25))
def test_generated_programs_load_and_terminate_on_the_reference(seed: int) -> None:
    prog = load(fuzz.generate(seed), f"fuzz-{seed}.gox")
    o = fuzz.run_ref(prog, seed, fuel=400_000)
    assert o.status in (0, 2), o.stderr  # 2: a deliberate panic or deadlock at the end of main
    if o.status == 2:
        assert o.stderr.startswith((b"panic: ", b"fatal error: all goroutines are asleep")), o.stderr


def test_the_generator_covers_the_features() -> None:
    text = "".join(fuzz.generate(s) for s in range(40))
    for needle in ("gox_chan_new(kind.Int, 0)", "gox_chan_new(kind.Int, 3)", "gox_select_start(2, true)",
                   "gox_select_start(2, false)", "gox_chan_close(", "defer catcher()", "gox_panic(",
                   "ccall[IntFn]", "go ccall[", "tcall[HelperFn]", "gox_rt_string_concat(", "gox_rt_slice_append(",
                   "gox_gc_tune(", "go wstr(", "gox_chan_recv(gox_chan_new(kind.Int, 0))",
                   "gox_iter_begin(", "go summer(", "gox_slice_copy(", "gox_rt_slice_create(kind.String",
                   "mktree(", "gox_gc_write_slot(gtree, ", "gtree = ",
                   # docs/DIFF_AND_FUZZ.md's generator gaps: two receivers parked on one channel, a
                   # close while a sender is parked, float keys, an append into gkeep's array (which a
                   # cycle may have scanned), an index at a slice's and a string's length
                   "go relay(", "go psend(", "gox_rt_map_new(kind.Float64", "type.None, gkeep, ", ", 9), kind.Int)",
                   ", 10), kind.Int)"):
        assert needle in text, needle


# -- the shrinker ---------------------------------------------------------------------------------
PROGRAM = """// a synthetic finding
func a() {
    gox_debug_print(1, kind.Int)
}

func b(x i64) i64 {
    return x + 1
}

func main() {
    var x i64 = 3
    a()
    for var i i64 = 0; i < 3; i++ {
        x += b(i)
        if x > 100 {
            gox_debug_print(x, kind.Int)
        } else {
            gox_panic(kind.String, "boom")
        }
    }
    gox_debug_print(x, kind.Int)
}
"""


def test_shrink_reaches_a_minimal_program() -> None:
    calls: list[str] = []

    def diverges(text: str) -> bool:
        load(text, "candidate.gox")  # every candidate the shrinker tries loads
        calls.append(text)
        return 'gox_panic(kind.String, "boom")' in text

    small = fuzz.shrink(PROGRAM, diverges)
    assert [ln.strip() for ln in small.splitlines()] == ["func main() {", 'gox_panic(kind.String, "boom")', "}"]
    assert len(calls) < 40


def test_shrink_keeps_what_the_predicate_needs() -> None:
    small = fuzz.shrink(PROGRAM, lambda t: "b(i)" in t and "a()" in [ln.strip() for ln in t.splitlines()])
    lines = [ln.strip() for ln in small.splitlines()]
    assert "func b(x i64) i64 {" in lines and "a()" in lines and "x += b(i)" in lines
    assert "gox_debug_print(x, kind.Int)" not in lines
    assert fuzz.shrink(PROGRAM, lambda t: False, max_tests=5) == "\n".join(
        ln for ln in PROGRAM.splitlines() if ln.strip()) + "\n"


class FakeClock:
    """``fuzz.time`` for tests of the time budget: time moves only when ``tick`` says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += seconds


def test_shrink_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(fuzz, "time", clock)
    calls: list[str] = []

    def diverges(text: str) -> bool:  # each candidate run takes a second
        clock.tick()
        calls.append(text)
        return 'gox_panic(kind.String, "boom")' in text

    whole = "\n".join(ln for ln in PROGRAM.splitlines() if ln.strip()) + "\n"
    small = fuzz.shrink(PROGRAM, diverges, deadline=clock.now + 3)
    assert len(calls) == 3 and clock.now == 1003.0  # no candidate started at or after the deadline
    kept = [c for c in calls if 'gox_panic(kind.String, "boom")' in c]
    assert kept and small == kept[-1]  # as far as it got
    assert fuzz.shrink(PROGRAM, diverges, deadline=clock.now) == whole  # past it: no candidate at all
    assert len(calls) == 3


def test_findings_name_the_command_that_reproduces_them(tmp_path: Path) -> None:
    f = fuzz.Finding(123, "stdout differs", "func main() {\n}\n", 40, "diverge: x\n  stdout differs")
    path = fuzz.write_finding(tmp_path / "out", f)
    text = path.read_text()
    assert path.name == "123.gox"
    assert f"// reproduce: gox-ref diff {path} --seed 123" in text
    lib = native.library()  # the library the finding came from, and its digest
    assert f"\n// library: {lib.path} (sha256 {lib.digest})\n" in text
    load(text, str(path))


def test_a_finding_of_a_named_library_reproduces_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --lib (GOX_NATIVE_LIB) the reproduce command names the library too."""
    copy = tmp_path / "libmine.so"
    copy.write_bytes(native.library().path.read_bytes())
    monkeypatch.setenv("GOX_NATIVE_LIB", str(copy))
    path = fuzz.write_finding(tmp_path / "out", fuzz.Finding(7, "stdout differs", "func main() {\n}\n", 4, "x"))
    text = path.read_text()
    assert f"// reproduce: gox-ref diff {path} --seed 7 --lib {copy.resolve()}\n" in text
    assert f"// library: {copy.resolve()} (sha256 " in text


# -- both backends --------------------------------------------------------------------------------
@needs_native
def test_ci_budget_has_no_divergence(tmp_path: Path) -> None:
    s = fuzz.campaign(seed=CI_SEED, programs=CI_PROGRAMS, out_dir=tmp_path / "out")
    assert s.programs == CI_PROGRAMS
    assert [(f.seed, f.sig, f.report) for f in s.findings] == []
    assert not (tmp_path / "out").exists()


def test_a_batch_renames_only_the_programs_own_names() -> None:
    """compile_batch prefixes each program's C names (gx_f_f becomes gxp0_f_f) but not a name
    that merely contains one (own() checks the word boundary the regex leaves out) nor a string
    literal."""
    prog = load('func agx_f_b() {\n    gox_debug_print("gx_f_x gx_install int main(", kind.String)\n}\n'
                "func main() {\n    agx_f_b()\n}\n", "t.gox")
    c = compile_batch([prog], sched=True)
    assert "gxp0_f_agx_f_b(" in c and "agxp0" not in c and '"gx_f_x gx_install int main("' in c
    assert "gxp0_install" in c and "int gxp0_main(" in c and c.count("int main(") == 1  # (the literal)


@needs_native
def test_a_batch_build_runs_each_program_in_its_own_process() -> None:
    progs = [load(fuzz.generate(s), f"p{s}.gox") for s in (1, 2)]
    exe = native.build_batch(progs)
    for k, (p, s) in enumerate(zip(progs, (1, 2), strict=True)):
        nat = native.run_exe(exe, s, index=k, trace=True)
        ref = fuzz.run_ref(p, s)
        assert (nat.status, nat.stdout, nat.stderr, nat.extra["trace"]) == (
            ref.status, ref.stdout, ref.stderr, ref.extra["trace"])
    assert native.run_exe(exe, 0, index=7).status == 125


@needs_native
def test_a_divergence_is_shrunk_and_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted reference bug (its stdout loses the word "recovered") is found and shrunk."""
    real = fuzz.run_ref

    def buggy(prog: Program, seed: int, *limits: int) -> Outcome:
        o = real(prog, seed, *limits)
        o.stdout = o.stdout.replace(b"recovered", b"RECOVERED")
        return o

    monkeypatch.setattr(fuzz, "run_ref", buggy)
    monkeypatch.setattr(fuzz, "SHRINK_TESTS", 8)
    seed = next(s for s in range(100) if b"recovered" in real(load(fuzz.generate(s), "x"), s).stdout)
    r = fuzz.run_batch([seed])
    assert [f.sig for f in r.findings] == ["stdout differs"]
    f = r.findings[0]
    assert len(f.text.splitlines()) < f.original_lines
    assert "stdout differs" in f.report
    path = fuzz.write_finding(tmp_path, f)
    assert fuzz.check_text(path.read_text(), seed)[0] == "stdout differs"


@needs_native
def test_a_campaign_keeps_to_its_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """`--seconds S` counts shrinking: a finding made just before the deadline is written
    unshrunk, with a note, instead of being shrunk for minutes past it (a campaign once ran 80 s
    over).  Each reference run takes one (fake) second; program 1 of campaign seed 40 prints
    "recovered" (programs 0 and 2..5 do not), which a planted bug turns into a divergence."""
    clock = FakeClock()
    real = fuzz.run_ref

    def slow_and_buggy(prog: Program, seed: int, *limits: int) -> Outcome:
        clock.tick()
        o = real(prog, seed, *limits)
        o.stdout = o.stdout.replace(b"recovered", b"RECOVERED")
        return o

    monkeypatch.setattr(fuzz, "time", clock)
    monkeypatch.setattr(fuzz, "run_ref", slow_and_buggy)
    monkeypatch.setattr(fuzz, "SHRINK_TESTS", 8)  # (the old code shrank past the deadline)
    assert cli_main(["fuzz", "--seconds", "5.5", "--seed", "40", "--out", str(tmp_path)]) == 1
    assert clock.now == 1006.0  # programs started at 0..5 s; nothing after the deadline
    out, err = capfd.readouterr()
    assert out.count("fuzz: 6 programs in 6.0 s") == 1 and "0.0 s of it shrinking" in out  # once
    lib = native.library()
    assert err == (f"gox-ref fuzz: seed 40, 1 worker(s), C compiler {native.fast_compiler()}, library {lib.path} "
                   f"(sha256 {lib.digest[:16]}), findings in {tmp_path}\n")
    seed = 40 * fuzz.STREAM + 1
    text = (tmp_path / f"{seed}.gox").read_text()
    assert text.startswith(f"// gox-ref fuzz finding {seed}: stdout differs (partly shrunk (the time budget ran out)")


def test_a_deadline_cuts_a_batch_short(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(fuzz, "time", clock)
    assert fuzz.run_batch([1, 2, 3], deadline=clock.now) == fuzz.BatchResult()  # nothing started


# -- the command line -----------------------------------------------------------------------------
@needs_native
def test_cli_fuzz(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "found"
    assert cli_main(["fuzz", "--programs", "8", "--seed", "3", "--out", str(out), "--workers", "2"]) == 0
    o, e = capfd.readouterr()
    cc = native.fast_compiler()
    assert o.startswith("fuzz: 8 programs in") and "0 divergences" in o and o.endswith(f"built with {cc}; seed 3\n")
    assert o.count("\n") == 1  # the summary, once
    lib = native.library()
    assert e == (f"gox-ref fuzz: seed 3, 2 worker(s), C compiler {cc}, library {lib.path} (sha256 {lib.digest[:16]}), "
                 f"findings in {out}\n")  # (progress: every 5 s)


def test_cli_fuzz_usage_errors(capfd: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["fuzz", "--workers", "0"]) == 2
    assert "--workers" in capfd.readouterr().err
    assert cli_main(["fuzz", "--seed", str(2**41)]) == 2
    assert "--seed" in capfd.readouterr().err
    assert cli_main(["fuzz", "--seconds", "0"]) == 2


@needs_native
@pytest.mark.parametrize("seed", [0, 3, 5, 7])
def test_generated_programs_replay_with_gox_ref_diff(seed: int) -> None:
    """The replay path builds with the standard flags (-Wall -Wextra -Werror, which the batched
    fuzz builds leave out); seed 5 once failed there on GCC's -Wclobbered."""
    from gox_program.diff import diff_program

    result = diff_program(load(fuzz.generate(seed), f"fuzz-{seed}.gox"), seed)
    assert result.same, result.render()


def test_generated_time_agrees_on_both_backends() -> None:
    """The two-way generator's time statements (Fuzzer.time_stmt: sleepers with equal
    deadlines, a timeout select racing a sleeper, Stop/Reset, a ticker with a slow receiver)
    run on the reference and natively with the same output and trace: the virtual clock, to
    the nanosecond, and the seeded order of simultaneous timers."""
    forms = {"sleepers": "go wsleep(", "race": "gox_time_after(", "stop_reset": "gox_timer_new(",
             "ticker": "gox_ticker_new("}
    seeds: list[int] = []
    seen: set[str] = set()
    for s in range(5000):
        text = fuzz.generate(s)
        if "gox_time_now()" in text:
            seeds.append(s)
            seen |= {f for f, mark in forms.items() if mark in text}
        if len(seeds) == 40:
            break
    assert seen == set(forms), seen
    r = fuzz.run_batch(seeds)
    assert r.programs == len(seeds) and r.findings == []
