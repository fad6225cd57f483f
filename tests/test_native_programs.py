"""Programs on the native backend: every conformance case compiled to C
(gox_program/compile_c.py), built against the C runtime and run in a child process, held
to the reference's run of the same case: stdout, stderr and exit status byte for byte, and the
heap at exit (the collector's counters, every object with its color and slots, every root).
Cases that need the native scheduler are skipped with the reason.  Also: the shadow-stack
entries (gox_shadow_*), rooting of temporaries at a checkpoint, integer and float edge cases,
ABI range errors, the runner's handling of crashes and timeouts, and the CLI."""

from __future__ import annotations

import ctypes
import json
import os
import pickle
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import native_library_or_skip
from program_ref import RefRun, in_child, run_references

from gox_program import load, native
from gox_program.case import Case, Outcome, load_case, mismatch
from gox_program.cli import main as cli_main
from gox_program.corpus import CORPUS_ROOT, discover
from gox_program.limits import SHARED, Limits
from gox_program.syntax import Program, ProgramError
from gox_ref.trace import TraceLog

LIB = native_library_or_skip()


# -- the reference's run, with its heap and trace (tests/program_ref.py) --------------------------
def run_reference(prog: Program, seed: int, at: str | None = None) -> RefRun:
    """Run on the reference; the heap at exit, or at the first checkpoint named ``at``."""
    return run_references([(prog, seed, at)])[0]


def run_native(prog: Program, seed: int, tmp: Path, at: str | None = None) -> tuple[Outcome, native.Dump]:
    """Run the compiled program; with the scheduler, ``outcome.extra["trace"]`` is its trace.
    With the frame limit of the reference's runs (limits.SHARED): both stop at the same frame."""
    dump = tmp / "heap.dump"
    o = native.run_exe(native.build(prog, LIB, SHARED), seed, dump=dump, dump_at=at, trace=LIB.sched)
    return o, native.read_dump(dump)


def assert_same(prog: Program, seed: int, tmp: Path, at: str | None = None) -> Outcome:
    ref = run_reference(prog, seed, at)
    out, dump = run_native(prog, seed, tmp, at)
    assert (out.status, out.stdout.decode(errors="replace"), out.stderr.decode(errors="replace")) == (
        ref.outcome.status, ref.outcome.stdout.decode(errors="replace"), ref.outcome.stderr.decode(errors="replace"))
    assert dump.stats == ref.stats, "collector counters differ"
    assert dump.roots == tuple(ref.snapshot[2]), "roots differ"  # type: ignore[arg-type]
    assert dump.objects == ref.snapshot[1], "heap objects differ"
    if LIB.sched:
        assert out.extra["trace"] == ref.trace, "traces differ"
    return out


# -- the corpus -------------------------------------------------------------------------------------
CASES = discover()


def _case(path: Path) -> Case:
    return load_case(path, CORPUS_ROOT)


def _plan(path: Path) -> tuple[Case, Program | ProgramError, str | None]:
    """The case, its program (or its load error), and why it cannot run natively (None: it can);
    builds the executable so the tests themselves only run it."""
    case = _case(path)
    try:
        prog = load(case.source, str(path))
    except ProgramError as e:
        return case, e, None
    missing = [f for f in case.features if f not in LIB.features()]
    if missing:
        return case, prog, f"needs the native scheduler (features {', '.join(missing)})"
    if "deep" in case.features:
        return case, prog, "recurses past the reference's frame limit (tests/test_deep_recursion.py runs it natively)"
    why = native.skip_reason(prog, LIB)
    if why is None:
        native.build(prog, LIB, SHARED)
    return case, prog, why


_PLANS: dict[Path, tuple[Case, Program | ProgramError, str | None]] = {}


@pytest.fixture(scope="module")
def plans() -> dict[Path, tuple[Case, Program | ProgramError, str | None]]:
    """Every case planned (and built) up front, several compiles at once."""
    if not _PLANS:
        with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
            for p, plan in zip(CASES, pool.map(_plan, CASES), strict=True):
                _PLANS[p] = plan
    return _PLANS


def _case_id(p: Path) -> str:
    return p.relative_to(CORPUS_ROOT).with_suffix("").as_posix()


_REFS: dict[Path, RefRun] = {}


@pytest.fixture(scope="module")
def references(plans: dict[Path, tuple[Case, Program | ProgramError, str | None]]) -> dict[Path, RefRun]:
    """The reference's run of every runnable case at its seed; under the sanitizer run, all in
    one child interpreter (otherwise each test runs its own, in this process)."""
    if in_child() and not _REFS:
        todo = [(p, prog, case.seed) for p, (case, prog, why) in plans.items()
                if why is None and not isinstance(prog, ProgramError)]
        for (p, _, _), run in zip(todo, run_references([(prog, seed, None) for _, prog, seed in todo]), strict=True):
            _REFS[p] = run
    return _REFS


@pytest.mark.parametrize("path", CASES, ids=_case_id)
def test_case_matches_the_reference(
    path: Path, plans: dict[Path, tuple[Case, Program | ProgramError, str | None]],
    references: dict[Path, RefRun], tmp_path: Path,
) -> None:
    """Output, status, the heap at exit and (with the scheduler) the canonical trace of the
    case's seed are the reference's."""
    case, prog, why = plans[path]
    if isinstance(prog, ProgramError):  # rejection happens at load time, on either backend
        assert mismatch(case, Outcome(None, reject=prog)) is None
        return
    if why is not None:
        pytest.skip(why)
    ref = references.get(path) or run_reference(prog, case.seed)
    out, dump = run_native(prog, case.seed, tmp_path)
    if b"gox_extern_lookup: unknown extern" in out.stderr and ref.outcome.status == 0:
        pytest.xfail("the C runtime has no stdlib externs yet (docs/EXTERNS.md)")
    assert mismatch(case, out) is None, mismatch(case, out)
    assert out.stdout == ref.outcome.stdout
    assert out.stderr == ref.outcome.stderr
    assert out.status == ref.outcome.status
    assert dump.stats == ref.stats, "collector counters at exit differ"
    assert dump.objects == ref.snapshot[1], "the heap at exit differs"
    assert dump.roots == tuple(ref.snapshot[2])  # type: ignore[arg-type]
    if LIB.sched:
        assert out.extra["trace"] == ref.trace, "the canonical traces differ"


def test_most_of_the_corpus_runs_natively(plans: dict[Path, tuple[Case, Program | ProgramError, str | None]]) -> None:
    """Every case that needs no scheduler runs; only scheduler cases are skipped, and those past
    the reference's frame limit (feature deep: tests/test_deep_recursion.py runs them)."""
    runnable = [p for p, (_, prog, why) in plans.items() if why is None and not isinstance(prog, ProgramError)]
    assert len(runnable) >= 40
    for _, (case, _, why) in plans.items():
        if why is not None:
            assert "needs the native scheduler" in why or "deep" in case.features, (case.id, why)


def test_checkpoint_heap_matches(tmp_path: Path) -> None:
    """The heap and its roots (with the shadow stack's names) at a checkpoint."""
    path = CORPUS_ROOT / "gc" / "linked_list.gox"
    prog = load(path.read_text(), str(path))
    assert_same(prog, 0, tmp_path, at="built")
    _, dump = run_native(prog, 0, tmp_path, at="built")
    assert ("goroutine 1: main local head", 199) in dump.roots


# -- rooting: temporaries, locals, results; the collector under pressure --------------------------
ROOTING = """
var keep ref
func mk(tag i64) ref {
    checkpoint "inner"
    var s ref = gox_rt_string_from_ptr("tmp")
    return gox_rt_string_concat(s, "!")
}
func pair(a ref, b ref) ref {
    return gox_rt_string_concat(a, b)
}
func churn(n i64) i64 {
    var total i64 = 0
    for var i i64 = 0; i < n; i++ {
        var s ref = gox_rt_slice_create(kind.Int, type.None, 8, 8)
        gox_slice_set(s, 0, i)
        var t ref = gox_rt_slice_append(kind.Int, type.None, s, i)
        total += i64(gox_slice_get(t, 0)) + gox_slice_len(t)
    }
    return total
}
func main() {
    gox_gc_tune(150, 100, 64, 256)
    var a ref = gox_rt_string_from_ptr("left")
    keep = pair(gox_rt_string_concat(a, "-"), mk(1))
    gox_debug_print(keep, kind.String)
    gox_debug_print(churn(300), kind.Int)
    var b ref = pair(mk(2), pair(a, mk(3)))
    gox_debug_print(b, kind.String)
    checkpoint "end"
}
"""


@pytest.mark.parametrize("at", [None, "inner", "end"])
def test_rooting_under_pressure_matches(at: str | None, tmp_path: Path) -> None:
    """A small threshold and step size: many cycles run while references sit in locals, in
    temporaries of half-evaluated calls and in globals; both backends free the same objects at
    the same calls (at a checkpoint inside mk, main's temporary is a root)."""
    prog = load(ROOTING, "rooting.gox")
    out = assert_same(prog, 0, tmp_path, at=at)
    assert out.status == 0
    if at == "inner":
        _, dump = run_native(prog, 0, tmp_path, at=at)
        assert any(w == "goroutine 1: main temporary" for w, _ in dump.roots)


def test_a_bad_reference_in_a_local_is_reported_as_the_reference_does(tmp_path: Path) -> None:
    src = "func main() {\n var r ref = ref(u64(12345))\n gox_collect_garbage()\n gox_debug_print(u64(r), kind.Uint64)\n}\n"
    prog = load(src, "bad.gox")
    out = assert_same(prog, 0, tmp_path)
    assert out.status == 3
    assert out.stderr.startswith(b"gox-ref: ABI error: gc: goroutine 1: main local r holds 0x3039")


# -- integers, floats, ABI argument ranges -----------------------------------------------------------
ARITH = """
func show(x i64) { gox_debug_print(x, kind.Int) }
func ushow(x u64) { gox_debug_print(x, kind.Uint64) }
func fshow(x f64) { gox_debug_print(f64bits(x), kind.Float64) ; gox_debug_print(f64bits(x), kind.Uint64) }
func main() {
    var min i64 = -9223372036854775807 - 1
    var m1 i64 = -1
    show(min / m1)
    show(min % m1)
    show(-7 / 2)
    show(-7 % 2)
    show(7 % -2)
    ushow(u64(0) - 1)
    ushow(18446744073709551615 / 7)
    var c i64 = 63
    show(m1 << c)
    show(m1 >> 64)
    show(min >> c)
    var big u64 = 200
    show(1 << big)
    ushow(u64(1) << 64)
    ushow(u64(12345) >> big)
    show(5 &^ 3)
    show(^5)
    var z f64 = 0.0
    var one f64 = 1.0
    fshow(one / z)
    fshow(-one / z)
    fshow(z / z)
    fshow(one / -z)
    show(i64(one / z))
    show(i64(z / z))
    ushow(u64(-one / z))
    show(i64(1e300))
    ushow(u64(-2.5))
    ushow(u64(1.8e19))
    show(i64(-2.9))
    fshow(f64(min))
    fshow(f64(u64(18446744073709551615)))
    gox_debug_print(u64(bool(3)), kind.Uint64)
    gox_debug_print(f64bits(-z), kind.Uint64)
    gox_debug_print(u64(z == -z), kind.Uint64)
    gox_debug_print(u64(z / z != z / z), kind.Uint64)
    gox_debug_print(u64(min < 0 && u64(min) > 0), kind.Uint64)
}
"""


def test_integer_and_float_semantics_match(tmp_path: Path) -> None:
    out = assert_same(load(ARITH, "arith.gox"), 0, tmp_path)
    assert out.status == 0 and out.stdout.startswith(b"-9223372036854775808\n0\n-3\n-1\n1\n")


# Every range the generator draws from, on both backends: a select of k ready cases draws
# below(1), ..., below(k) (its poll order), a map iteration below(len) (its first key).  The
# native rng_below is inline for powers of two and out of line for the rest (rejection), so the
# ranges cover both: 1..9 for select, 1..70 for maps.
RANDOM_DRAWS = """
func main() {
    var c ref = gox_chan_new(kind.Int, 0)
    gox_chan_close(c)
    for var r i64 = 0; r < 12; r++ {
        for var k i64 = 1; k <= 9; k++ {
            gox_select_start(k, false)
            for var j i64 = 0; j < k; j++ {
                gox_select_add_recv(c)
            }
            gox_debug_write(gox_select_exec(), kind.Int)
            gox_debug_write(" ", kind.String)
        }
        gox_debug_print("", kind.String)
    }
    for var n i64 = 1; n <= 70; n++ {
        var m ref = gox_rt_map_new(kind.Int, kind.Int)
        for var i i64 = 0; i < n; i++ {
            gox_map_set(m, i, i)
        }
        var it u64 = gox_iter_begin(m, kind.Map)
        var ok bool
        var key u64
        var v u64
        ok, key, v = gox_iter_next(it)
        gox_iter_end(it)
        gox_debug_write(key, kind.Int)
        gox_debug_write(" ", kind.String)
    }
    gox_debug_print("", kind.String)
}
"""


@pytest.mark.parametrize("seed", [0, 1, 99, 2**64 - 1])
def test_random_draws_match_the_reference(seed: int, tmp_path: Path) -> None:
    out = assert_same(load(RANDOM_DRAWS, "draws.gox"), seed, tmp_path)
    rows = out.stdout.decode().split("\n")
    assert len(rows) == 14 and len(set(rows[:12])) > 1  # (the draws vary: they are not all 0)


@pytest.mark.parametrize(
    "body",
    [
        "var x i64 = 1\n var y i64 = 0\n gox_debug_print(x / y, kind.Int)",
        "var x u64 = 1\n var y u64 = 0\n gox_debug_print(x % y, kind.Uint64)",
        "var c i64 = -1\n gox_debug_print(1 << c, kind.Int)",
        "gox_debug_print(gox_rt_alloc(300, 0, 1), kind.Int)",
        "var k i64 = -1\n gox_debug_print(gox_rt_slice_create(kind.Int, type.None, 2, 2), kind.Slice)\n"
        " gox_debug_print(gox_rt_alloc(kind.Struct, k, 1), kind.Int)",
        "var id u64 = 4294967296\n tcall[func()](id)",
        "var s ref = gox_rt_slice_create(kind.Int, type.None, 2, 2)\n gox_slice_set(s, 2, 1)",
        "gox_assert_begin()\n gox_assert_arg(7, kind.Int)\n gox_assert_end(false)",
        "gox_debug_print(u64(gox_gc_read_slot(ref(u64(77)), 0)), kind.Uint64)",
    ],
)
def test_panics_and_abi_errors_match(body: str, tmp_path: Path) -> None:
    prog = load(f"func main() {{\n gox_debug_print(1, kind.Int)\n {body}\n}}\n", "err.gox")
    out = assert_same(prog, 0, tmp_path)
    assert out.status in (2, 3)


@pytest.mark.parametrize(
    ("name", "panic", "first"),
    [
        # Go 1.19.8: type U8 uint8; panic(U8(255)) prints "panic: main.U8(255)"
        ('"main.U8"', "kind.Uint8, 511", "main.U8(255)"),
        ('"main.S"', 'kind.String, "a\\nb"', 'main.S("a\n\tb")'),  # newlines indented, as in unnamed strings
        # Go 1.19.8: type F32 float32; panic(F32(0.1)) prints "panic: main.F32(+1.000000e-001)"
        ('"main.F32"', "kind.Float32, 1036831949", "main.F32(+1.000000e-001)"),
        ('"main.B"', "kind.Bool, false", "main.B(false)"),
        ('"main.\\xff"', "kind.Int, 7", "main.\ufffd(7)"),  # invalid UTF-8 replaced, as in strings
        ('"*main.T"', "kind.BoxedInt, gox_rt_box(kind.BoxedInt, 3)", "(*main.T) 0x10000010"),
        ('""', "kind.Int, 7", "7"),  # an empty name: unnamed
    ],
)
def test_a_named_panic_value_prints_with_its_name(name: str, panic: str, first: str, tmp_path: Path) -> None:
    """printanycustomtype on both backends, byte for byte: the value's type id names a type
    registered with gox_type_register."""
    kind, value = panic.split(", ", 1)
    prog = load(f"func main() {{\n var t u64 = gox_type_register({name}, \"\")\n"
                f" gox_panic(gox_interface_pack(type.None, t, {kind}), {value})\n}}\n", "named.gox")
    out = assert_same(prog, 0, tmp_path)
    assert out.stderr.decode().startswith(f"panic: {first}")


@pytest.mark.parametrize("tid", ["9", "type.RuntimeError", "type.None"])
def test_a_value_type_id_that_names_no_registered_type_prints_unnamed(tid: str, tmp_path: Path) -> None:
    prog = load(f'func main() {{\n var t u64 = gox_type_register("main.Code", "")\n'
                f" gox_panic(gox_interface_pack(type.None, {tid}, kind.Int), 7)\n}}\n", "unnamed.gox")
    assert assert_same(prog, 0, tmp_path).stderr.startswith(b"panic: 7\n")


@pytest.mark.parametrize("panic", ["kind.String", "gox_interface_pack(type.None, 0, kind.String)"])
def test_a_bare_kind_panic_value_stays_unnamed_after_a_type_register(panic: str, tmp_path: Path) -> None:
    """Type id 0 is reserved (never a registered type's), so type bits 0 mean no type even once
    the program registers types.  Go 1.19.8 (conformance/errors/panic_after_type_register.go):
    panic: boom."""
    prog = load(f'func main() {{\n var t u64 = gox_type_register("main.T", "")\n'
                f' gox_panic({panic}, "boom")\n}}\n', "bare.gox")
    assert assert_same(prog, 0, tmp_path).stderr.startswith(b"panic: boom\n")


def test_a_string_literal_past_the_old_object_limit(tmp_path: Path) -> None:
    """A string literal of 524,249 bytes, one past the old 65535-slot object (whose install
    used to panic before main), is a large object on both backends."""
    big = "a" * 524_249
    prog = load(f'func main() {{\n    gox_debug_print(gox_string_len("{big}"), kind.Int)\n}}\n', "big.gox")
    out = assert_same(prog, 0, tmp_path)
    assert (out.status, out.stdout, out.stderr) == (0, b"524249\n", b"")

def test_a_frame_limit_stops_both_backends_at_the_same_frame(tmp_path: Path) -> None:
    """With a frame limit (--max-depth), the compiled program counts frames in its shadow stack
    and stops at the interpreter's frame, with the same report naming the flag."""
    src = ("func down(n i64) i64 {{\n if n == 0 {{ return 0 }}\n return down(n - 1) + 1\n}}\n"
           "func main() {{ gox_debug_print(down({n}), kind.Int) }}\n")
    lim = Limits(depth=400)
    ok = native.run_exe(native.build(load(src.format(n=398), "d.gox"), LIB, lim), 0)  # main + 399 frames
    assert (ok.status, ok.stdout) == (0, b"398\n")
    over = native.run_exe(native.build(load(src.format(n=399), "d.gox"), LIB, lim), 0)
    want = (b"runtime: goroutine stack exceeds 400-frame limit (raise the limit with --max-depth)\n"
            b"fatal error: stack overflow\n")
    assert (over.status, over.stderr) == (2, want)  # the reference's (tests/test_cli.py: both backends)


def test_step_limit_like_the_interpreter() -> None:
    prog = load("func main() {\n var i i64 = 0\n for { i++ }\n}\n", "spin.gox")
    out = native.run_exe(native.build(prog, LIB, Limits(steps=1000)), 0)
    assert out.status == 3
    want = b"gox-ref: step limit exceeded: the program ran 1000 steps (raise the limit with --max-steps)\n"
    assert out.stderr == want  # the reference's (tests/test_cli.py: both backends)


STEP_COUNTING = """
func root(n i64) i64 {
    for var i i64 = 0; ; i++ {
        if i * i >= n {
            return i
        }
    }
    return -1
}

func main() {
    var s i64 = 0
    for var i i64 = 0; i < 3000; i++ {
        for var j i64 = 0; j < 2; j++ {
            if j == 1 {
                continue
            }
            s = s + i / 7 + j
        }
        if s < 0 {
            break
        }
    }
    gox_debug_print(s + root(40000), kind.Int)
    for var k i64 = 0; ; k++ {
        gox_debug_print(k, kind.Int)
    }
}
"""


def test_loops_without_calls_count_steps_exactly() -> None:
    """A loop that neither calls nor panics keeps the step budget in a local (compile_c
    _plain_stmt); every way out of it (the condition, break, a nested continue, return) gives
    the rest back, so the budget runs out at the same step as the interpreter's: the printing
    loop that follows prints the same number of lines before status 3."""
    from gox_program.compile_c import compile_program

    fuel = 20_000
    prog = load(STEP_COUNTING, "steps.gox")
    csrc = compile_program(prog, sched=LIB.sched, names="gox_func_set_name" in LIB.symbols, source_name="steps.gox",
                           fuel=fuel)
    assert "gx_lf" in csrc  # the plain loops of this program count in a local
    exe = native._build_text(csrc, LIB, native.compiler(), [*native.CFLAGS, *LIB.sanitize_cflags])
    got = native.run_exe(exe, 0)
    # the interpreter with the same budget, in a child (the ASan runtime may be preloaded here:
    # program_ref.in_child)
    code = ("import pickle, sys; from gox_program.case import run_text; "
            f"o = run_text(sys.stdin.read(), 'steps.gox', 0, fuel={fuel}); "
            "sys.stdout.buffer.write(pickle.dumps((o.status, o.stdout, o.stderr)))")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    p = subprocess.run([sys.executable, "-c", code], input=STEP_COUNTING.encode(), capture_output=True, env=env,
                       check=True)
    want = pickle.loads(p.stdout)
    assert want[0] == 3 and b"step limit exceeded" in want[2]
    lines = want[1].splitlines()
    assert lines[0] == str(sum(i // 7 for i in range(3000)) + 200).encode() and len(lines) > 100
    assert (got.status, got.stdout, got.stderr) == want


FUSED_STORES = """
func main() {
    var t u64 = gox_type_register("P", "\\x00\\x01")
    var p ref = gox_rt_alloc(kind.Struct, t, 2)
    var q ref = gox_rt_alloc(kind.Struct, t, 2)
    gox_gc_write_slot(p, 1, q)
    gox_rt_write_barrier(p, q)
    var v ref = ref(u64(4660))
    gox_gc_write_slot(p, 0, v)
    gox_rt_write_barrier(p, v)
    gox_debug_print(1, kind.Int)
}
"""


def test_a_store_and_its_barrier_are_one_call_that_fails_as_the_pair(tmp_path: Path) -> None:
    """compile_c makes ``gox_gc_write_slot(o, i, v); gox_rt_write_barrier(o, v)`` one
    gox_gc_write_slot_barrier, which leaves a value slot to the pair: 0x1234 goes into the value
    slot, then the barrier refuses it, and the error ends the program there.  Its heap at exit
    holds the write and its error is the interpreter's (a version of the call that failed at
    once, changing nothing, failed this test)."""
    from gox_program.compile_c import compile_program

    prog = load(FUSED_STORES, "fused.gox")
    csrc = compile_program(prog, sched=LIB.sched, source_name="fused.gox")
    assert csrc.count("gox_gc_write_slot_barrier(") == 2
    out = assert_same(prog, 0, tmp_path)
    assert out.status == 3 and b"gox_rt_write_barrier: 0x1234 is not a reference" in out.stderr


# -- the shadow-stack entries ------------------------------------------------------------------------
class ShadowInfo(ctypes.Structure):
    _fields_ = [("func", ctypes.c_char_p), ("local_names", ctypes.POINTER(ctypes.c_char_p)),
                ("nlocals", ctypes.c_uint32), ("ntemps", ctypes.c_uint32)]


class ShadowFrame(ctypes.Structure):
    pass


ShadowFrame._fields_ = [
    ("prev", ctypes.POINTER(ShadowFrame)), ("info", ctypes.POINTER(ShadowInfo)), ("slots", ctypes.POINTER(ctypes.c_uint64)),
    ("depth", ctypes.c_uint32), ("ntemps", ctypes.c_uint32), ("nret", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
]


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    u64, vp = ctypes.c_uint64, ctypes.c_void_p
    for name, args, res in (
        ("gox_runtime_new", [], vp), ("gox_runtime_use", [vp], None), ("gox_runtime_free", [vp], None),
        ("gox_rt_string_from_ptr", [ctypes.c_char_p, ctypes.c_size_t], u64), ("gox_collect_garbage", [], None),
        ("gox_heap_roots", [ctypes.c_char_p, ctypes.c_size_t], ctypes.c_size_t),
        ("gox_heap_walk", [ctypes.POINTER(u64), ctypes.c_size_t], ctypes.c_size_t),
        ("gox_error_take", [ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int32),
        ("gox_shadow_push", [vp], None), ("gox_shadow_pop", [vp], None), ("gox_shadow_unwind", [vp], None),
        ("gox_shadow_top", [], vp), ("gox_shadow_slot", [], vp),
    ):
        f = getattr(lib, name)
        f.argtypes, f.restype = args, res
    return lib


def test_shadow_entries_root_and_unwind() -> None:
    """gox_shadow_push/pop/unwind/top/slot on the library itself: pushed records are roots, in the
    reference's order and naming; unwinding drops the records above a frame."""
    lib = _declare(ctypes.CDLL(str(LIB.path)))
    inst = lib.gox_runtime_new()
    lib.gox_runtime_use(inst)
    s1 = lib.gox_rt_string_from_ptr(b"kept by a local", 15)
    s2 = lib.gox_rt_string_from_ptr(b"kept by a temporary", 19)
    lib.gox_rt_string_from_ptr(b"garbage", 7)
    names = (ctypes.c_char_p * 1)(b"x")
    info = ShadowInfo(b"f", names, 1, 1)
    slots1 = (ctypes.c_uint64 * 3)(s1, s2, 0)
    slots2 = (ctypes.c_uint64 * 1)(0)
    outer = ShadowFrame(info=ctypes.pointer(info), slots=slots1, ntemps=1)
    inner = ShadowFrame(info=ctypes.pointer(info), slots=slots2)
    assert lib.gox_shadow_top() is None
    lib.gox_shadow_push(ctypes.addressof(outer))
    lib.gox_shadow_push(ctypes.addressof(inner))
    try:
        assert (outer.depth, inner.depth) == (1, 2)
        assert lib.gox_shadow_top() == ctypes.addressof(inner)
        # where compiled code links its records inline (gox_shadow_push_at): the same top
        slot = lib.gox_shadow_slot()
        assert slot and ctypes.c_void_p.from_address(slot).value == ctypes.addressof(inner)
        buf = ctypes.create_string_buffer(4096)
        n = lib.gox_heap_roots(buf, 4096)
        roots = [ln.rsplit("\t", 1)[0] for ln in buf.raw[:n].decode().splitlines()]
        # outside a program: the host's stack, goroutine 0 (the scheduler's, as the reference's
        # interpreter names it); a library without the scheduler has one stack, goroutine 1
        gid = 0 if LIB.sched else 1
        assert roots == [f"goroutine {gid}: f local x", f"goroutine {gid}: f temporary"]
        assert lib.gox_heap_walk(None, 0) == 6  # three strings, each with its byte array
        lib.gox_collect_garbage()
        assert lib.gox_heap_walk(None, 0) == 4  # the garbage string is gone, the rooted two live
        lib.gox_shadow_pop(ctypes.addressof(outer))  # not the innermost: an ABI error
        assert lib.gox_error_take(None, 0) == 2
        lib.gox_shadow_unwind(None)
        assert lib.gox_error_take(None, 0) == 2
        lib.gox_shadow_unwind(ctypes.addressof(outer))  # as after a recovered panic
        assert lib.gox_shadow_top() == ctypes.addressof(outer)
    finally:
        while lib.gox_shadow_top():
            lib.gox_shadow_pop(lib.gox_shadow_top())
        lib.gox_runtime_free(inst)


# -- the runner --------------------------------------------------------------------------------------
def _c_program(tmp: Path, body: str) -> Path:
    src = tmp / "p.c"
    src.write_text(f"#include <signal.h>\nint main(void) {{ {body} }}\n")
    exe = tmp / "p"
    subprocess.run([native.compiler(), str(src), "-o", str(exe)], check=True)
    return exe


def test_a_crash_is_a_clear_failure(tmp_path: Path) -> None:
    out = native.run_exe(_c_program(tmp_path, "raise(SIGSEGV); return 0;"), 0)
    assert out.status == 128 + 11
    assert out.stderr.endswith(b"killed by SIGSEGV (a crash)\n")


def test_a_hang_times_out(tmp_path: Path) -> None:
    out = native.run_exe(_c_program(tmp_path, "for (;;) {} return 0;"), 0, timeout=0.5)
    assert out.status == native.STATUS_TIMEOUT
    assert b"timed out" in out.stderr


def test_cli_run_and_conformance(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli_main(["run", "--backend", "native", str(CORPUS_ROOT / "basics" / "divide_by_zero.gox")]) == 2
    cap = capfd.readouterr()
    assert cap.out == "before\n" and cap.err.startswith("panic: runtime error: integer divide by zero\n")
    assert cli_main(["conformance", "--backend", "native", str(CORPUS_ROOT / "basics")]) == 0
    assert "basics" in capfd.readouterr().out
    code = cli_main(["run", "--backend", "native", str(CORPUS_ROOT / "goports" / "sieve1.gox")])
    err = capfd.readouterr().err
    if LIB.sched:
        assert code == 0, err
    else:
        assert code == 2 and "needs the native scheduler" in err


def test_cli_native_trace_is_the_references_chrome_json(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """gox-ref run --backend native --trace: the C runtime's canonical trace, exported as the
    reference exports its own (TraceLog.from_canonical)."""
    if not LIB.sched:
        pytest.skip("the library has no scheduler (no tracer)")
    path = CORPUS_ROOT / "chan" / "unbuffered_handoff.gox"
    nat, ref = tmp_path / "native.json", tmp_path / "ref.json"
    assert cli_main(["run", "--backend", "native", str(path), "--seed", "5", "--trace", str(nat)]) == 0
    native_out = capfd.readouterr().out
    prog = load(path.read_text(), str(path))
    want = run_reference(prog, 5)
    assert native_out.encode() == want.outcome.stdout
    doc = json.loads(nat.read_text())
    assert doc == TraceLog.from_canonical(want.trace).to_chrome()
    assert any(e["name"] == "send" for e in doc["traceEvents"])
    if not in_child():  # the reference's own --trace writes the same events
        assert cli_main(["run", str(path), "--seed", "5", "--trace", str(ref)]) == 0
        capfd.readouterr()
        assert json.loads(ref.read_text()) == doc


def test_trace_from_canonical_round_trips() -> None:
    log = TraceLog()
    log.record("spawn", 0, child=1)
    log.record("panic", 1, value="it's \"odd\" a=1 \\ \n \u00e9")
    log.record("recv", 2, chan=3, closed=True, value=-4)
    back = TraceLog.from_canonical("\n".join(log.canonical()) + "\n")
    assert back.canonical() == log.canonical()
    assert back.to_chrome() == log.to_chrome()
    with pytest.raises(ValueError):
        TraceLog.from_canonical("not a trace line")


@pytest.mark.parametrize("at", [None, "deferred", "collected"])
def test_collection_during_a_panic_sees_only_active_frames(at: str | None, tmp_path: Path) -> None:
    """A deferred call run by a panic collects: the panicking callees' frame records are not
    roots any more (defer.c restores the shadow top of gox_defer_frame_enter), as the
    reference has popped their frames."""
    path = CORPUS_ROOT / "gc" / "collect_during_panic.gox"
    prog = load(path.read_text(), str(path))
    out = assert_same(prog, 0, tmp_path, at=at)
    assert out.status == 0
    if at is not None:
        _, dump = run_native(prog, 0, tmp_path, at=at)
        assert not any(" build local " in w for w, _ in dump.roots)
        assert ("goroutine 1: run local mine", 20) in dump.roots


def test_builds_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_NATIVE_CACHE", str(tmp_path))
    prog = load("func main() { gox_debug_print(7, kind.Int) }\n", "c.gox")
    exe = native.build(prog, LIB)
    mtime = exe.stat().st_mtime_ns
    assert native.build(load("func main() { gox_debug_print(7, kind.Int) }\n", "c.gox"), LIB) == exe
    assert exe.stat().st_mtime_ns == mtime
    assert native.build(load("func main() { gox_debug_print(8, kind.Int) }\n", "c.gox"), LIB) != exe


def test_the_build_key_covers_the_program_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A program's C text includes gox_prog.h: a changed header is a new build, not the cached
    executable of the old one (the headers here are copies, which the build includes)."""
    inc = tmp_path / "include"
    inc.mkdir()
    for h in (native.HEADER, native.PROG_HEADER):
        (inc / h.name).write_text(h.read_text())
    monkeypatch.setattr(native, "HEADER", inc / native.HEADER.name)
    monkeypatch.setattr(native, "PROG_HEADER", inc / native.PROG_HEADER.name)
    monkeypatch.setenv("GOX_NATIVE_CACHE", str(tmp_path / "cache"))
    prog = load("func main() { gox_debug_print(7, kind.Int) }\n", "c.gox")
    exe = native.build(prog, LIB)
    assert native.build(prog, LIB) == exe
    with (inc / native.PROG_HEADER.name).open("a") as f:
        f.write("/* changed */\n")
    exe2 = native.build(prog, LIB)
    assert exe2 != exe
    assert native.run_exe(exe2, 0).stdout == b"7\n"


def test_the_program_header_compiles_cleanly_in_both_modes() -> None:
    """gox_prog.h, compiled by itself with every helper called once (tests/c/prog_check.c),
    with and without the scheduler, under -Wall -Wextra -Werror: `make prog-check`."""
    make = shutil.which("make")
    if make is None:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):
            pytest.fail("no make", pytrace=False)
        pytest.skip("no make")
    proc = subprocess.run([make, "-s", "-C", str(native.PACKAGE), "prog-check", f"CC={native.compiler()}"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr



_BUILD_AND_RUN = """
import sys
from gox_program import load, native
prog = load(sys.argv[1], "p.gox")
o = native.run_exe(native.build(prog), 0)
sys.stdout.buffer.write(o.stdout)
sys.exit(o.status)
"""


def test_parallel_builds_of_the_same_program_do_not_collide(tmp_path: Path) -> None:
    """Eight processes build the same new program at once into one cache (as eight parallel
    `gox-ref run --backend native` do).  Sources and executables reach their names by rename,
    so no process compiles a KEY.c another is rewriting in place (a truncated file: `undefined
    reference to 'main'` in 6 of 8 tries without the renames)."""
    env = {**os.environ, "GOX_NATIVE_CACHE": str(tmp_path)}
    for round_ in range(3):
        src = f"func main() {{ gox_debug_print({round_} + {len(str(tmp_path))}, kind.Int) }}\n"
        want = f"{round_ + len(str(tmp_path))}\n".encode()
        procs = [subprocess.Popen([sys.executable, "-c", _BUILD_AND_RUN, src], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env) for _ in range(8)]
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert (p.returncode, out) == (0, want), err.decode(errors="replace")[-2000:]
    assert not list(tmp_path.glob("*.tmp")), "temporary files left behind"
