"""The native scheduler's parallel mode (docs/SCHEDULER.md section 7, "Parallel mode"):
several worker threads with work stealing, the runtime lock, the stop-the-world collector.

* the host functions: gox_sched_set_workers (its errors), $GOX_WORKERS, gox_shadow_results;
* every corpus case whose output does not depend on the schedule passes with 2 and 4 workers
  (a case that does says why in its ``schedule`` key and is skipped there);
* stress runs under ThreadSanitizer: the library built with ``make -C gox_ref_native tsan``
  and the programs compiled with ``-fsanitize=thread``; a data race, a lock-order inversion or
  a wrong unlock ends the program with status 66 (``TSAN_OPTIONS``), which fails the case.
"""

from __future__ import annotations

import ctypes
import re
import subprocess
from pathlib import Path

import pytest
from conftest import native_library_or_skip

from gox_program import load, native
from gox_program.corpus import CORPUS_ROOT, discover, run_corpus
from gox_program.limits import Limits

LIB = native_library_or_skip(sched=True)

PACKAGE = Path(native.__file__).resolve().parents[1] / "gox_ref_native"


# -- host functions ---------------------------------------------------------------------------------
def _lib() -> ctypes.CDLL:
    from gox_ref_native.runtime import load_library

    return load_library()


def _take_error(lib: ctypes.CDLL) -> tuple[int, str]:
    buf = ctypes.create_string_buffer(512)
    code = lib.gox_error_take(buf, ctypes.c_size_t(len(buf)))
    return int(code), buf.value.decode()


def test_set_workers_refuses_bad_counts() -> None:
    lib = _lib()  # (load_library declares every symbol's C types)
    lib.gox_sched_set_workers(65)
    assert _take_error(lib) == (2, "gox_sched_set_workers: n=65; expected 0 ($GOX_WORKERS, else 1) or 1..64")
    lib.gox_sched_set_workers(4)  # accepted: the next gox_run_main's count
    assert _take_error(lib) == (0, "")
    lib.gox_sched_set_workers(0)  # back to $GOX_WORKERS, else 1
    assert _take_error(lib) == (0, "")


def test_preempt_flag_is_clear_and_poll_does_nothing_outside_a_collection() -> None:
    """The word compiled loops poll is the runtime's own (stable between calls) and clear while
    no collection stops the world; gox_sched_poll then returns at once, with no error (host
    mode too: the host thread is no goroutine)."""
    lib = _lib()
    flag = lib.gox_sched_preempt_flag()
    assert flag and flag == lib.gox_sched_preempt_flag()
    assert ctypes.cast(flag, ctypes.POINTER(ctypes.c_uint32))[0] == 0
    lib.gox_sched_poll()
    assert _take_error(lib) == (0, "")


def test_stack_growth_is_for_goroutines_only() -> None:
    """Outside a goroutine (the host thread) there is no limit to check (gox_stack_limit is 0)
    and gox_stack_grow runs the call where it is, once; inside, docs/SCHEDULER.md section 9
    (tests/test_deep_recursion.py runs compiled programs through it)."""
    lib = _lib()
    assert lib.gox_stack_limit() in (0, None)
    seen: list[int] = []
    grow_fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda arg: seen.append(arg))
    lib.gox_stack_grow(ctypes.cast(grow_fn, ctypes.c_void_p), ctypes.c_void_p(0x1234))
    assert seen == [0x1234]
    assert _take_error(lib) == (0, "")


def test_shadow_results_are_per_goroutine_slots() -> None:
    lib = _lib()

    def slots() -> ctypes._Pointer[ctypes.c_uint64]:
        return ctypes.cast(lib.gox_shadow_results(), ctypes.POINTER(ctypes.c_uint64))

    slots()[1] = 77
    assert slots()[1] == 77  # the host's slots, stable between calls


SPIN = """
func spin(done ref) {
    var s ref = gox_rt_string_concat("a", "b")
    gox_chan_send(done, gox_string_len(s))
}

func main() {
    var done ref = gox_chan_new(kind.Int, 0)
    go spin(done)
    go spin(done)
    gox_debug_print(gox_chan_recv(done) + gox_chan_recv(done), kind.Int)
}
"""


@pytest.mark.parametrize("value", ["0", "65", "two", "-1"])
def test_bad_gox_workers_is_an_abi_error(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_WORKERS", value)
    o = native.run_program(load(SPIN, "spin.gox"), 0)
    assert o.status == 3
    assert f"gox_run_main: $GOX_WORKERS={value} is not a worker count; expected 1..64" in o.stderr.decode()


@pytest.mark.parametrize("workers", [1, 2, 4, 64])
def test_worker_counts(workers: int) -> None:
    o = native.run_program(load(SPIN, "spin.gox"), 0, workers=workers)
    assert (o.status, o.stdout, o.stderr) == (0, b"4\n", b"")


# -- the corpus on several workers ---------------------------------------------------------------
@pytest.mark.parametrize("workers", [2, 4])
def test_corpus_passes_with_workers(workers: int) -> None:
    results = run_corpus(discover(None), "native", workers=workers)
    failed = [f"{r.id}: {r.reason}" for r in results if r.result == "failed"]
    assert not failed, "\n".join(failed)
    skipped = [r for r in results if r.result == "skipped"]
    assert all(r.reason.startswith("its output depends on the schedule: ") for r in skipped), skipped
    assert len(skipped) < 5, "most of the corpus must run in parallel mode"


def test_schedule_key_skips_only_in_parallel_mode() -> None:
    case = CORPUS_ROOT / "goports" / "select3.gox"
    one = run_corpus([case], "native")
    four = run_corpus([case], "native", workers=4)
    assert one[0].result == "passed"
    assert four[0].result == "skipped" and "a yield does not wait" in four[0].reason


# -- ThreadSanitizer stress ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tsan_lib() -> Path:
    """The ThreadSanitizer build of the library (``make -C gox_ref_native tsan``)."""
    proc = subprocess.run(["make", "-s", "-C", str(PACKAGE), "tsan"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return PACKAGE / "libgox-tsan.so"


def _with_tsan(tsan_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_NATIVE_LIB", str(tsan_lib))
    lib = native.library()
    assert lib.tsan and lib.sched and "-fsanitize=thread" in lib.sanitize_cflags


def test_tsan_build_reports_a_race(tsan_lib: Path, tmp_path: Path) -> None:
    """The harness can fail: a program with a real data race (two threads, one global) ends
    with TSan's status."""
    src = tmp_path / "race.c"
    src.write_text(
        "#include <pthread.h>\n"
        "static long shared;\n"
        "static void *bump(void *a) { (void)a; for (int i = 0; i < 100000; i++) shared++; return 0; }\n"
        "int main(void) { pthread_t t; pthread_create(&t, 0, bump, 0); bump(0); pthread_join(t, 0);"
        " return shared == 0; }\n"
    )
    exe = tmp_path / "race"
    cc = native.compiler()
    subprocess.run([cc, *native.TSAN_CFLAGS, str(src), "-o", str(exe), "-lpthread"], check=True)
    env = {"TSAN_OPTIONS": f"halt_on_error=1 exitcode={native.TSAN_EXIT}", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([str(exe)], capture_output=True, env=env)
    assert proc.returncode == native.TSAN_EXIT, proc.stderr.decode()
    assert b"ThreadSanitizer: data race" in proc.stderr


STRESS_GROUPS = ("parallel", "goports", "chan", "select", "defer", "gc", "exit", "time")


@pytest.mark.parametrize("workers", [2, 4])
def test_corpus_under_tsan(workers: int, tsan_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The concurrency-heavy groups, twice over, under ThreadSanitizer."""
    _with_tsan(tsan_lib, monkeypatch)
    files = [f for f in discover(None) if f.parent.name in STRESS_GROUPS]
    for _ in range(2):
        results = run_corpus(files, "native", workers=workers)
        failed = [f"{r.id}: {r.reason}" for r in results if r.result == "failed"]
        assert not failed, "\n".join(failed)


def _scaled(path: Path, edits: tuple[tuple[str, str], ...]) -> str:
    text = path.read_text()
    for old, new in edits:
        assert old in text, f"{path}: {old!r}"
        text = text.replace(old, new)
    return text


BIG: list[tuple[str, tuple[tuple[str, str], ...], bytes]] = [
    # doubleselect at 20x the corpus's n: a 4-case send select never completes two cases
    ("goports/doubleselect.gox", (("go sender(300,", "go sender(6000,"),), b"6000 distinct values\n"),
    ("parallel/select_many_senders.gox",
     (("go sender(b, 300, 400)", "go sender(b, 300, 4000)"), ("na + nb < 400", "na + nb < 4000")),
     b"a 200 b 3800 sum 7998000\n"),
    ("parallel/gc_under_contention.gox", (("i < 50; i++", "i < 400; i++"),), b"total 4 x 1225 = 319200\nstrings ok\n"),
]


@pytest.mark.parametrize(("case", "edits", "stdout"), BIG, ids=[b[0] for b in BIG])
def test_stress_under_tsan(
    case: str, edits: tuple[tuple[str, str], ...], stdout: bytes, tsan_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_tsan(tsan_lib, monkeypatch)
    prog = load(_scaled(CORPUS_ROOT / case, edits), case)
    for seed in (1, 2):
        o = native.run_program(prog, seed, workers=4, timeout=240)
        assert (o.status, o.stdout) == (0, stdout), o.stderr.decode(errors="replace")[-3000:]


# -- unchecked mode -------------------------------------------------------------------------------
VALID_GROUPS = ("parallel", "goports", "chan", "select", "defer", "closures", "slices", "strings", "maps", "gc")


@pytest.mark.parametrize("workers", [1, 4])
def test_valid_programs_in_unchecked_mode(workers: int) -> None:
    """Unchecked mode trusts references, not untyped words: a spawned or deferred call's
    integer arguments are looked up in the live-object set, never dereferenced (they once
    crashed it).  Every valid case of the concurrency and object groups gives its expected
    outcome unchecked too."""
    from gox_program.case import load_case, mismatch

    files = [f for f in discover(None) if f.parent.name in VALID_GROUPS]
    failed = []
    for f in files:
        case = load_case(f)
        if workers > 1 and case.schedule:
            continue
        prog = load(case.source, str(f))
        if native.skip_reason(prog, LIB) is not None:
            continue
        o = native.run_exe(native.build(prog, LIB), case.seed, unchecked=True, workers=workers)
        why = mismatch(case, o)
        if why:
            failed.append(f"{case.id}: {why}")
    assert not failed, "\n".join(failed)


def test_unchecked_spawn_with_integer_arguments() -> None:
    src = """
func add(a i64, b i64, out ref) {
    gox_chan_send(out, a + b)
}

func main() {
    var out ref = gox_chan_new(kind.Int, 0)
    go add(123456789, 987654321, out)
    gox_debug_print(gox_chan_recv(out), kind.Int)
}
"""
    o = native.run_exe(native.build(load(src, "add.gox"), LIB), 0, unchecked=True)
    assert (o.status, o.stdout, o.stderr) == (0, b"1111111110\n", b"")


def test_fuzz_programs_in_parallel_under_tsan(tsan_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fuzzer's programs (goroutines, channels, select, defer/panic/recover, closures,
    allocation that drives collections) on 2 and 4 workers under ThreadSanitizer: their output
    depends on the schedule, so only the end is judged: no crash, hang or race, and an exit
    that a Go program could have (0, a panic or fatal error report with 2, the step budget)."""
    from gox_program.fuzz import ended_like_go, generate

    _with_tsan(tsan_lib, monkeypatch)
    seeds = list(range(7000, 7080))
    exe = native.build_batch([load(generate(s), f"fuzz-{s}.gox") for s in seeds])
    bad = []
    for k, seed in enumerate(seeds):
        for workers in (2, 4):
            o = native.run_exe(exe, seed, index=k, workers=workers, timeout=60)
            if not ended_like_go(o):
                bad.append(f"seed {seed}, {workers} workers: status {o.status}: {o.stderr.decode(errors='replace')[-600:]}")
    assert not bad, "\n".join(bad)


ABI_ERROR_IN_A_GOROUTINE = """
func bad(done ref) {
    var s ref = gox_rt_string_concat("a", "b")
    gox_array_get(s, 0)
    gox_chan_send(done, 1)
}

func spin(done ref) {
    for var i i64 = 0; i < 20000; i++ {
        var s ref = gox_rt_string_concat("x", "y")
        s = nil
    }
    gox_chan_send(done, 1)
}

func main() {
    var done ref = gox_chan_new(kind.Int, 0)
    go spin(done)
    go bad(done)
    go spin(done)
    gox_chan_recv(done)
    gox_chan_recv(done)
    gox_chan_recv(done)
    gox_debug_print("unreachable", kind.String)
}
"""


@pytest.mark.parametrize("workers", [1, 4])
def test_abi_error_in_a_goroutine_ends_the_program(workers: int) -> None:
    """An ABI error in one goroutine while others allocate on other workers: the program stops
    (gox_run_main returns -1 with the error, which the worker's own record kept until then)."""
    o = native.run_program(load(ABI_ERROR_IN_A_GOROUTINE, "abi.gox"), 0, workers=workers)
    assert o.status == 3 and o.stdout == b""
    assert o.stderr.decode().startswith("gox-ref: ABI error: gox_array_get: 0x")
    assert "is a 15 (String) object, expected a 16 (Array) object" in o.stderr.decode()


def test_unchecked_raw_slot_access_is_a_load_or_a_store() -> None:
    """In unchecked mode compiled code reads and writes raw slots at the documented layout
    (ref + 8 + 8*i) instead of calling the ABI; checked mode keeps the calls."""
    from gox_program.compile_c import compile_program

    src = """
func main() {
    var t u64 = gox_type_register("Pair", "\\x00\\x00")
    var p ref = gox_rt_alloc(kind.Struct, t, 2)
    gox_gc_write_slot(p, 1, 41)
    gox_debug_print(gox_gc_read_slot(p, 1) + 1, kind.Int)
}
"""
    prog = load(src, "pair.gox")
    c = compile_program(prog, sched=True)
    # (a nil reference still calls the ABI: Go's nil-dereference panic, tests/test_nil.py)
    assert re.search(r"gx_unchecked && (\S+) \? gx_slots\(\1\)", c)
    assert re.search(r"if \(gx_unchecked && (\S+)\) gx_slots\(\1\)", c)
    exe = native.build(prog)
    for unchecked in (False, True):
        o = native.run_exe(exe, 0, unchecked=unchecked)
        assert (o.status, o.stdout) == (0, b"42\n")


SPINNER = """
var flag i64

func setter() {
    flag = 1
}

func main() {
    go setter()
    var spins i64 = 0
    for flag == 0 {
        spins++
    }
    gox_debug_print(1, kind.Int)
}
"""


def test_a_goroutine_behind_one_that_never_blocks_moves_to_an_idle_worker() -> None:
    """The goroutine main spawns is alone in main's worker's queue: in its grace period no thief
    takes it (main may block at once and run it itself), and no idle worker is woken for it.  But
    main never blocks: the idle worker must look again when the period is over and take it, or
    main spins until its step budget ends the program (status 3, as it does with one worker)."""
    prog = load(SPINNER, "spinner.gox")
    exe = native.build(prog, LIB)
    for _ in range(5):
        o = native.run_exe(exe, 0, workers=2, timeout=60)
        assert (o.status, o.stdout, o.stderr) == (0, b"1\n", b"")
    one = native.run_exe(exe, 0, workers=1, timeout=60)
    assert one.status == 3 and one.stdout == b""


DEADLOCK_OVER_MANY_WORKERS = """
func waiter(c ref) {
    gox_chan_recv(c)
}

func main() {
    var c ref = gox_chan_new(kind.Int, 0)
    for var i i64 = 0; i < 300; i++ {
        go waiter(c)
    }
    gox_chan_recv(c)
}
"""


@pytest.mark.parametrize("workers", [2, 8, 64])
def test_a_deadlock_over_many_workers_is_reported_once(workers: int) -> None:
    """300 goroutines (more than a run queue's ring holds: main's overflows) park on workers
    that then all fall asleep; the last one to sleep sees every worker asleep and reports the
    deadlock (docs/SCHEDULER.md section 7, "The deadlock"), once, with every goroutine.  Go
    1.19.8 (the same program, GOMAXPROCS=1, 2 and 8): status 2, one "all goroutines are
    asleep - deadlock!", 301 goroutines listed."""
    exe = native.build(load(DEADLOCK_OVER_MANY_WORKERS, "deadlock.gox"), LIB)
    for _ in range(3):
        o = native.run_exe(exe, 0, workers=workers, timeout=60)
        err = o.stderr.decode()
        assert o.status == 2 and o.stdout == b""
        assert err.startswith("fatal error: all goroutines are asleep - deadlock!\n")
        assert err.count("all goroutines are asleep") == 1
        assert len(re.findall(r"^goroutine \d+ \[chan receive\]:$", err, re.M)) == 301


# holder's deferred call runs inside the runtime (deferred calls run inside ABI calls, holding
# the runtime lock) and waits there for answerer's channel calls on another worker.
CHANNELS_WITHOUT_THE_RUNTIME_LOCK = """
func holder(c ref) {
    gox_chan_recv(c)
    defer hold(c)
}

func hold(c ref) {
    gox_chan_send(c, 1)
    gox_chan_send(c, 1)
    for gox_chan_len(c) != 3 {
    }
}

func answerer(c ref, done ref) {
    gox_chan_send(c, 0)
    for gox_chan_len(c) != 2 {
    }
    gox_chan_send(c, 9)
    gox_chan_send(done, 1)
}

func main() {
    var c ref = gox_chan_new(kind.Int, 3)
    var done ref = gox_chan_new(kind.Int, 1)
    go holder(c)
    go answerer(c, done)
    gox_chan_recv(done)
    gox_debug_print(gox_chan_len(c), kind.Int)
}
"""


@pytest.mark.parametrize("workers", [2, 4])
def test_channel_calls_run_while_another_goroutine_holds_the_runtime_lock(workers: int) -> None:
    """A goroutine's channel calls do not take the runtime lock (docs/SCHEDULER.md section 7,
    "Channels and select"): answerer polls and sends on c while holder, on another worker,
    holds the runtime lock in a deferred call until answerer's send arrives.  With every channel
    call under the lock (before) answerer waits for the lock for ever and the run times out.
    Go 1.19.8 (the same program, GOMAXPROCS=2 and 4): prints 3, status 0."""
    exe = native.build(load(CHANNELS_WITHOUT_THE_RUNTIME_LOCK, "nolock.gox"), LIB)
    for seed in range(3):
        o = native.run_exe(exe, seed, workers=workers, timeout=60)
        assert (o.status, o.stdout) == (0, b"3\n"), o.stderr.decode(errors="replace")[-2000:]


LOOPS_WHILE_COLLECTING = """
var done i64
var started i64

func spinner(out ref) {
    started = 1
    var n i64 = 0
    for done == 0 {
        n++
    }
    var s i64 = 0
    for var i i64 = 0; i < 3000000; i++ {
        s = s + i % 7
    }
    gox_chan_send(out, s)
}

func main() {
    var out ref = gox_chan_new(kind.Int, 0)
    go spinner(out)
    for started == 0 {
    }
    gox_collect_garbage()
    done = 1
    var keep ref = gox_rt_string_concat("a", "b")
    gox_collect_garbage()
    gox_debug_print(gox_chan_recv(out), kind.Int)
    gox_debug_print(keep, kind.String)
}
"""


@pytest.mark.parametrize("workers", [2, 4])
def test_a_goroutine_that_loops_without_allocating_stops_for_the_collector(workers: int) -> None:
    """main collects while the spinner, on another worker, loops without allocating: first in a
    loop that reads a global main sets only after the collection (so the collection cannot wait
    for the loop to end, nor for the step budget to run out), then in a plain loop that
    polls every 1024 steps.  Loop back-edges are safepoints (gox_sched_poll)."""
    exe = native.build(load(LOOPS_WHILE_COLLECTING, "loops.gox"), LIB)
    for _ in range(3):
        o = native.run_exe(exe, 0, workers=workers, timeout=60)
        assert (o.status, o.stdout, o.stderr) == (0, f"{sum(i % 7 for i in range(3000000))}\nab\n".encode(), b"")


LOOPS_WHILE_THE_PROGRAM_ENDS = """
func spinner(started ref) {
    gox_chan_send(started, 1)
    var k i64 = 0
    for {
        k++
    }
}

func main() {
    var started ref = gox_chan_new(kind.Int, 0)
    go spinner(started)
    gox_chan_recv(started)
    gox_debug_print("the end", kind.String)
    END
}
"""


@pytest.mark.parametrize(("end", "status"), [("gox_os_exit(6)", 6), ("return", 0)])
def test_a_goroutine_looping_on_another_worker_stops_when_the_program_ends(end: str, status: int) -> None:
    """The spinner never enters the runtime, and it holds a worker of its own: when main ends
    (os.Exit or a return) the preempt flag stays set, so the spinner's next back-edge poll enters
    the runtime and is abandoned there; the program ends at once with main's status, not when
    the spinner's step budget runs out (status 3, "step limit exceeded").  The budget is 4e10
    steps, about 10 s of this loop: the default 2e7 lasts 5 ms, and under load main's worker
    alone can wait longer than that for a core (runs took 4 to 12 ms at a load of 4)."""
    limits = Limits(steps=4 * 10**10)
    exe = native.build(load(LOOPS_WHILE_THE_PROGRAM_ENDS.replace("END", end), "ends.gox"), LIB, limits)
    for workers in (2, 4):
        o = native.run_exe(exe, 0, workers=workers, timeout=60)
        assert (o.status, o.stdout, o.stderr) == (status, b"the end\n", b"")


@pytest.mark.parametrize("unchecked", [False, True])
def test_run_exe_passes_the_unchecked_mode(unchecked: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_exe's ``unchecked`` reaches the program's environment, and a caller's own
    $GOX_NATIVE_UNCHECKED (or $GOX_CHAN_HISTORY) does not (it once removed its own setting before the run, so the
    unchecked-mode tests above ran checked)."""
    monkeypatch.setenv("GOX_NATIVE_UNCHECKED", "from-the-caller")
    monkeypatch.setenv("GOX_CHAN_HISTORY", "/from/the/caller")
    exe = tmp_path / "show-env"
    exe.write_text('#!/bin/sh\necho "${GOX_NATIVE_UNCHECKED-unset} ${GOX_CHAN_HISTORY-unset}"\n')
    exe.chmod(0o755)
    o = native.run_exe(exe, 0, unchecked=unchecked)
    assert (o.status, o.stdout) == (0, b"1 unset\n" if unchecked else b"unset unset\n")


def _outcome(exe: Path, workers: int) -> tuple[int | None, bytes, str]:
    """A run's status, output and error, the error without what differs between worker counts:
    addresses, object numbers (a chunk made in parallel mode numbers its objects from a range of
    its own) and goroutine ids."""
    o = native.run_exe(exe, 0, workers=workers, timeout=60)
    err = re.sub(r"#\d+", "#N", re.sub(r"0x[0-9a-f]+", "ADDR", o.stderr.decode(errors="replace")))
    return o.status, o.stdout, re.sub(r"goroutine \d+", "goroutine G", err)


# gox_slice_len, gox_slice_cap, gox_slice_get and gox_string_len run without the runtime lock in
# parallel mode (src/slice.c, "the reads without the runtime lock"); what they cannot settle is the
# locked path's.  mk leaves a slice reachable only through the bits in the u64 global keep, which
# the full collection frees.
SLICE_READS = """
var keep u64

func mk(done ref) {
    var dead ref = gox_rt_slice_create(kind.Int, type.None, 2, 2)
    keep = u64(dead)
    gox_chan_send(done, 1)
}

func main() {
    var s ref = gox_rt_slice_create(kind.Int, type.None, 3, 5)
    gox_slice_set(s, 1, 42)
    var b ref = gox_rt_string_to_bytes("h\\xc3\\xa9llo")
    var str ref = gox_rt_string_concat("ab", "cd")
    var nils ref
    var done ref = gox_chan_new(kind.Int, 0)
    go mk(done)
    gox_chan_recv(done)
    gox_collect_garbage()
    gox_debug_print(gox_slice_len(s) * 100 + gox_slice_cap(s), kind.Int)
    gox_debug_print(gox_slice_get(s, 1), kind.Int)
    gox_debug_print(gox_slice_get(b, 1), kind.Int)
    gox_debug_print(gox_string_len(str) * 10 + gox_slice_len(nils), kind.Int)
    BAD
    gox_debug_print("unreachable", kind.String)
}
"""

SLICE_BAD = {
    "none": "",
    "get-out-of-range": "gox_slice_get(s, 3)",
    "get-negative": "gox_slice_get(b, -1)",
    "get-nil": "gox_slice_get(nils, 0)",
    "len-of-a-string": "gox_slice_len(str)",
    "cap-of-a-string": "gox_slice_cap(str)",
    "string-len-of-a-slice": "gox_string_len(s)",
    "len-freed": "gox_slice_len(ref(keep))",
    "get-freed": "gox_slice_get(ref(keep), 0)",
    "string-len-forged": "gox_string_len(ref(12345))",
}


@pytest.mark.parametrize("case", list(SLICE_BAD), ids=list(SLICE_BAD))
def test_lock_free_slice_and_string_reads_agree_with_one_worker(case: str) -> None:
    """Values, Go's panics and the ABI errors (addresses and object numbers aside: a chunk made
    in parallel mode numbers its objects from a range of its own) are one worker's."""
    exe = native.build(load(SLICE_READS.replace("BAD", SLICE_BAD[case]), f"{case}.gox"), LIB)
    one = _outcome(exe, 1)
    assert one[1].startswith(b"305\n42\n195\n40\n"), one
    panics = ("get-out-of-range", "get-negative", "get-nil")  # Go's index panic; the others: ABI errors
    assert one[0] == (0 if case == "none" else 2 if case in panics else 3), one
    for workers in (2, 4):
        assert _outcome(exe, workers) == one, workers


# gox_rt_string_concat and gox_rt_string_from_rune make their strings from the worker's
# allocation cache in parallel mode (src/string.c, "strings made without the runtime lock"); what
# the cache or the lock-free lookup cannot settle is the locked path's.  mk leaves a string
# reachable only through the bits in the u64 global keep, which the full collection frees.
STRING_MAKING = """
var keep u64

func mk(done ref) {
    var dead ref = gox_rt_string_concat("de", "ad")
    keep = u64(dead)
    gox_chan_send(done, 1)
}

func digits(v i64) ref {
    var s ref = gox_rt_string_from_rune(48 + v % 10)
    v = v / 10
    for v > 0 {
        s = gox_rt_string_concat(gox_rt_string_from_rune(48 + v % 10), s)
        v = v / 10
    }
    return s
}

func main() {
    var done ref = gox_chan_new(kind.Int, 0)
    go mk(done)
    gox_chan_recv(done)
    gox_collect_garbage()
    var total i64 = 0
    for var i i64 = 0; i < 3000; i++ {
        total += gox_string_len(digits(i * 7919))
    }
    gox_debug_print(total, kind.Int)
    gox_debug_print(digits(1234567890), kind.String)
    gox_debug_print(gox_rt_string_concat("", "x"), kind.String)
    gox_debug_print(gox_rt_string_concat(gox_rt_string_from_rune(233), gox_rt_string_from_rune(8364)), kind.String)
    gox_debug_print(gox_string_len(gox_rt_string_concat("", "")), kind.Int)
    BAD
    gox_debug_print("unreachable", kind.String)
}
"""

STRING_BAD = {
    "none": "",
    "concat-a-slice": "gox_rt_string_concat(gox_rt_slice_create(kind.Int, type.None, 1, 1), \"x\")",
    "concat-freed": "gox_rt_string_concat(\"x\", ref(keep))",
    "concat-forged": "gox_rt_string_concat(ref(12345), \"x\")",
}


@pytest.mark.parametrize("case", list(STRING_BAD), ids=list(STRING_BAD))
def test_strings_made_without_the_lock_agree_with_one_worker(case: str) -> None:
    """Values and ABI errors (addresses and object numbers aside) are one worker's."""
    exe = native.build(load(STRING_MAKING.replace("BAD", STRING_BAD[case]), f"{case}.gox"), LIB)
    one = _outcome(exe, 1)
    want = "1234567890\nx\n\u00e9\u20ac\n0\n".encode()
    assert one[1].split(b"\n", 1)[1].startswith(want) and one[0] == (0 if case == "none" else 3), one
    for workers in (2, 4):
        assert _outcome(exe, workers) == one, workers
