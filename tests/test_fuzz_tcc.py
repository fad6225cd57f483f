"""The fuzzer's TinyCC builds (``native.fast_compiler``, ``native.build_batch(cc=...)``): the
whole corpus built in one tcc batch runs exactly as its ``cc`` build does (stdout, stderr,
status, trace and the heap at exit), the compiler is chosen as documented, and a tcc build
refuses the parallel mode it cannot run safely (gox_prog.h has no thread-local budget there).
Without tcc these tests skip, except under CI (conftest.tcc_or_skip)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import native_library_or_skip, tcc_or_skip

from gox_program import load, native
from gox_program.case import load_case, mismatch
from gox_program.corpus import CORPUS_ROOT, discover
from gox_program.limits import DEFAULT, SHARED, Limits
from gox_program.syntax import Program, ProgramError

LIB = native_library_or_skip(sched=True)
if LIB.sanitized or LIB.tsan:  # pragma: no cover - the sanitizer runs
    pytest.skip("TinyCC has no sanitizers: fast_compiler() is cc with a sanitizer build", allow_module_level=True)


def _runnable() -> list[tuple[str, Program, int, Limits]]:
    """Every corpus case the native backend runs: (id, program, seed, limits): the frame limit
    of the reference's runs (limits.SHARED), but none for the cases that recurse past it
    (feature deep), as tests/test_deep_recursion.py runs them."""
    out = []
    for path in discover():
        case = load_case(path, CORPUS_ROOT)
        try:
            prog = load(case.source, str(path))
        except ProgramError:
            continue  # rejected at load time, before any compiler
        if native.skip_reason(prog, LIB) is None and set(case.features) - {"deep"} <= LIB.features():
            out.append((case.id, prog, case.seed, DEFAULT if "deep" in case.features else SHARED))
    return out


def test_the_corpus_built_with_tcc_runs_as_its_cc_build(tmp_path: Path) -> None:
    """Every runnable case, in tcc batches (one per limits), against the case's own ``cc -O1``
    build (which tests/test_native_programs.py holds to the reference): the same bytes, status,
    trace and heap, and the case's expectations.  Before gox_prog.h's GX_THREAD_LOCAL/GX_LOAD,
    tcc refused the header (no _Thread_local, no __atomic builtins)."""
    cc = tcc_or_skip()
    cases = _runnable()
    assert len(cases) >= 150, len(cases)
    for limits in (SHARED, DEFAULT):
        batch = [c for c in cases if c[3] is limits]
        assert batch
        exe = native.build_batch([p for _, p, _, _ in batch], LIB, limits=limits, cc=cc)
        for k, (cid, prog, seed, _) in enumerate(batch):
            got = native.run_exe(exe, seed, index=k, trace=True, dump=tmp_path / "tcc.dump")
            want = native.run_exe(native.build(prog, LIB, limits), seed, trace=True, dump=tmp_path / "cc.dump")
            assert (got.status, got.stdout, got.stderr) == (want.status, want.stdout, want.stderr), cid
            assert got.extra["trace"] == want.extra["trace"], cid
            assert native.read_dump(tmp_path / "tcc.dump") == native.read_dump(tmp_path / "cc.dump"), cid
            assert mismatch(load_case(CORPUS_ROOT / f"{cid}.gox", CORPUS_ROOT), got) is None, cid


GOROUTINES = """func worker(c ref) {
    gox_chan_send(c, 7)
}

func main() {
    var c ref = gox_chan_new(kind.Int, 0)
    go worker(c)
    gox_debug_print(gox_chan_recv(c), kind.Int)
}
"""


def test_a_tcc_build_runs_on_one_worker_only(tmp_path: Path) -> None:
    """tcc has no _Thread_local: its programs share one step budget with plain loads and
    stores, a data race with several workers, so they refuse them (status 125, before the
    program starts); one worker, or $GOX_WORKERS unset, runs."""
    exe = native.build_batch([load(GOROUTINES, "g.gox")], LIB, cc=tcc_or_skip())
    assert native.run_exe(exe, 1, index=0).stdout == b"7\n"
    assert native.run_exe(exe, 1, index=0, workers=1).stdout == b"7\n"
    o = native.run_exe(exe, 1, index=0, workers=2)
    assert (o.status, o.stdout) == (125, b"")
    assert o.stderr == b"gox-ref: a program built with TinyCC runs on one worker: $GOX_WORKERS=2; expected 1\n"
    # the same program built with cc runs in parallel
    assert native.run_exe(native.build_batch([load(GOROUTINES, "g.gox")], LIB), 1, index=0, workers=2).stdout == b"7\n"


def test_the_fuzz_compiler_is_gox_fuzz_cc_else_tcc_else_cc(monkeypatch: pytest.MonkeyPatch) -> None:
    tcc_or_skip()
    monkeypatch.delenv("GOX_FUZZ_CC", raising=False)
    monkeypatch.setenv("CC", "cc")
    assert native.fast_compiler(LIB) == "tcc"
    monkeypatch.setenv("GOX_FUZZ_CC", "gcc")
    assert native.fast_compiler(LIB) == "gcc"
    monkeypatch.setenv("GOX_FUZZ_CC", "no-such-cc")
    with pytest.raises(native.NativeUnavailable, match="'no-such-cc' is not on PATH; set GOX_FUZZ_CC"):
        native.fast_compiler(LIB)
    monkeypatch.delenv("GOX_FUZZ_CC")
    monkeypatch.setattr(native, "FAST_CC", "no-such-tcc")  # a machine without tcc
    assert native.fast_compiler(LIB) == "cc"


def test_a_sanitizer_build_is_never_given_tcc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_FUZZ_CC", "tcc")
    monkeypatch.setenv("CC", "cc")
    for name in ("libgox-asan.so", "libgox-tsan.so"):
        lib = native.Library(LIB.path.with_name(name), LIB.digest, LIB.symbols)
        assert native.fast_compiler(lib) == "cc", name
