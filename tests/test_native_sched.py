"""The native concurrency half against the reference.

Programs written in C against gox_abi.h (tests/c/sched_progs.c) run on the native runtime;
the same programs in Python (tests/native_progs.py) run on the reference; for several seeds
the two must print the same output, report the same panics and deadlocks byte for byte, exit
with the same status and record the same canonical trace (GC cycles included).  C-only rules
(stack maps over real frames, the stack-overflow guard, 100k parked goroutines, host mode, a
program started from Python in-process) are checked by tests/c/sched_checks.c and below.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from native_progs import PROGRAMS, run_reference

from gox_abi.abi_docs import HEADER
from gox_ref import GoxABIError

native = pytest.importorskip("gox_ref_native")
from gox_ref_native import NativeRuntime, library_path, load_library  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 7, 20240611)

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")


def _sanitized() -> bool:
    return "asan" in library_path().name


def _cflags() -> list[str]:
    flags = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g", "-fno-omit-frame-pointer"]
    if _sanitized():
        flags += ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
    return flags


@pytest.fixture(scope="session")
def progs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/c/sched_progs.c + sched_checks.c linked against the library under test."""
    lib = library_path()
    exe = tmp_path_factory.mktemp("sched") / "sched_progs"
    subprocess.run(
        ["cc", *_cflags(), "-I", str(HEADER.parent), str(ROOT / "tests/c/sched_progs.c"),
         str(ROOT / "tests/c/sched_checks.c"), str(lib), f"-Wl,-rpath,{lib.parent}", "-o", str(exe)],
        check=True,
    )
    return exe


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)  # the executable links the sanitizer runtime itself
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    return env


def run_native(progs: Path, name: str, seed: int, trace: Path | None = None) -> tuple[int, bytes, bytes, list[str]]:
    args = [str(progs), name, str(seed)] + ([str(trace)] if trace else [])
    p = subprocess.run(args, capture_output=True, env=_env(), timeout=300)
    lines = trace.read_text().splitlines() if trace and trace.exists() else []
    return p.returncode, p.stdout, p.stderr, lines


# -- the differential programs ---------------------------------------------------------------------
Result = tuple[int, bytes, bytes, list[str]]

_REF_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from native_progs import PROGRAMS, run_reference
out = {}
for name in PROGRAMS:
    for seed in json.loads(sys.argv[2]):
        st, o, e, t = run_reference(name, seed)
        out[f"{name}/{seed}"] = [st, o.decode("latin-1"), e.decode("latin-1"), t]
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def reference() -> dict[str, Result]:
    """The reference's results.  Under the sanitizer run (the ASan runtime preloaded into this
    interpreter) they come from a child interpreter without it: greenlet's stack switching is
    not annotated for ASan."""
    if "LD_PRELOAD" not in os.environ:
        return {}
    env = dict(os.environ)
    env.pop("LD_PRELOAD")
    p = subprocess.run([sys.executable, "-c", _REF_CHILD, str(Path(__file__).parent), json.dumps(SEEDS)],
                       capture_output=True, text=True, env=env, check=True)
    raw = json.loads(p.stdout)
    return {k: (v[0], v[1].encode("latin-1"), v[2].encode("latin-1"), v[3]) for k, v in raw.items()}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_output_status_and_trace_as_the_reference(
    progs: Path, tmp_path: Path, reference: dict[str, Result], name: str, seed: int
) -> None:
    ref = reference.get(f"{name}/{seed}") or run_reference(name, seed)
    nat = run_native(progs, name, seed, tmp_path / "trace.txt")
    assert nat[0] == ref[0], nat[2].decode(errors="replace")
    assert nat[1] == ref[1]
    assert nat[2] == ref[2]
    assert nat[3] == ref[3]


def test_the_seed_changes_the_choices(progs: Path) -> None:
    outs = {run_native(progs, "selectmix", seed)[1] for seed in range(6)}
    assert len(outs) > 1  # select's poll order and map offsets do draw from the generator
    assert len({run_native(progs, "iterators", seed)[1] for seed in range(6)}) > 1


def test_programs_cover_the_rules(progs: Path) -> None:
    """A few concrete expectations, so a shared bug cannot hide behind agreement."""
    st, out, err, _ = run_native(progs, "deadlock", 0)
    assert st == 2
    assert err == (
        b"fatal error: all goroutines are asleep - deadlock!\n\n"
        b"goroutine 1 [chan receive (nil chan)]:\nmain(...)\n\n"
        b"goroutine 2 [chan send]:\nblocked_send(...)\n\n"
        b"goroutine 4 [chan send (nil chan)]:\nnil_send(...)\n\n"
        b"goroutine 6 [chan receive (nil chan)]:\nnil_recv(...)\n\n"
        b"goroutine 8 [select]:\nblocked_select(...)\n\n"
        b"goroutine 9 [select (no cases)]:\nempty_select(...)\n\n"
        b"goroutine 10 [select]:\nnil_select(...)\n\n"
    )
    assert run_native(progs, "select6", 3)[1] == b"select6 ok\n"
    assert run_native(progs, "recover1", 0)[1] == b"recover1 done\n"
    st, _, err, _ = run_native(progs, "panic_chain", 0)
    assert (st, err) == (2, b"panic: 1\n\tpanic: second\n\tline\n\ngoroutine 1 [running]:\nmain(...)\n")
    st, _, err, _ = run_native(progs, "panic_repanic", 0)
    assert err.startswith(b"panic: +1.500000e+000 [recovered, repanicked]\n\ngoroutine 1")
    st, out, err, _ = run_native(progs, "panic_goroutine", 0)
    assert out == b"recovered:\nruntime error: index out of range [5] with length 3\n"
    assert err == b"panic: runtime error: index out of range [7] with length 3\n\ngoroutine 2 [running]:\nbad_index(...)\n"
    assert run_native(progs, "go_nil", 0)[:3] == (2, b"", b"fatal error: go of nil func value\n")
    st, out, err, _ = run_native(progs, "abi_error", 0)
    assert (st, out) == (3, b"before\n")
    assert err.startswith(b"ABI error: gox_chan_send: 0x2a is not a reference the heap ever allocated")


# -- C-only rules ------------------------------------------------------------------------------------
def test_stack_maps_over_real_frames(progs: Path) -> None:
    """An object whose only reference is a frame slot described by a registered stack map
    survives a collection (in the running goroutine and in a suspended one); one whose slot
    is not described is freed."""
    st, out, err, _ = run_native(progs, "check_stackmap", 0)
    assert (st, out) == (0, b"ok\n"), err.decode(errors="replace")


def test_host_mode_keeps_the_error_record(progs: Path) -> None:
    st, out, err, _ = run_native(progs, "check_host", 0)
    assert (st, out) == (0, b"ok\n"), err.decode(errors="replace")


def test_stack_overflow_is_a_fatal_error(progs: Path) -> None:
    st, _out, err, _ = run_native(progs, "check_overflow", 0)
    limit = 256 * 1024 if _sanitized() else 64 * 1024
    assert st == 2, err.decode(errors="replace")
    assert err.startswith(f"runtime: goroutine stack exceeds {limit}-byte limit\nfatal error: stack overflow\n".encode())
    assert b"goroutine 2 [running]:" in err


def test_100k_goroutines_parked_at_once(progs: Path) -> None:
    st, out, err, _ = run_native(progs, "check_many", 0)
    assert (st, out) == (0, b"ok\n"), err.decode(errors="replace")


def test_a_panic_after_a_recovery_in_the_same_frame_goes_on(progs: Path) -> None:
    """Go's semantics: inner() recovers panic 1, then its remaining deferred call panics 2,
    which goes on through main's frame.  The reference runs the same program in
    tests/test_defer.py (test_a_frame_that_recovered_can_panic_again_from_a_remaining_deferred_call)
    and reports the same ``panic: 2`` from goroutine 1."""
    st, _out, err, _ = run_native(progs, "check_repanic", 0)
    assert (st, err) == (2, b"panic: 2\n\ngoroutine 1 [running]:\nmain(...)\n")


# -- in process, through ctypes ---------------------------------------------------------------------------
ENTRY_SRC = r"""
#include <setjmp.h>
#include "gox_abi.h"
static uint64_t child(const uint64_t *a, uint32_t n) {
    (void)n;
    gox_chan_send(a[0], a[1] * 2);
    return 0;
}
uint64_t prog_main(const uint64_t *a, uint32_t n) {
    (void)n;
    GoxRef c = gox_chan_new(GOX_KIND_INT, 0);
    gox_gc_pin(c);
    uint64_t args[2] = {c, a[0]};
    gox_func_set_name((const void *)child, "child");
    gox_go_spawn((const void *)child, args, 2);
    gox_debug_print(gox_chan_recv(c), GOX_KIND_INT);
    volatile uint64_t fr = gox_defer_frame_enter();
    if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;
    gox_chan_recv(c); /* nobody sends: deadlock */
out:
    gox_defer_frame_exit(fr);
    return 0;
}
"""


def test_a_program_run_in_process_with_captured_output(tmp_path: Path) -> None:
    src = tmp_path / "entry.c"
    src.write_text(ENTRY_SRC)
    so = tmp_path / "libentry.so"
    lib = library_path()
    subprocess.run(
        ["cc", *_cflags(), "-shared", "-fPIC", "-I", str(HEADER.parent), str(src), str(lib),
         f"-Wl,-rpath,{lib.parent}", "-o", str(so)],
        check=True,
    )
    entry = ctypes.CDLL(str(so))
    rt = NativeRuntime()
    rt._use()
    c = load_library()
    addr = ctypes.cast(entry.prog_main, ctypes.c_void_p).value
    c.gox_func_set_name(addr, b"prog_main")
    c.gox_trace_start()
    args = (ctypes.c_uint64 * 1)(21)
    assert c.gox_run_main(addr, args, 1, 5) == 2
    c.gox_trace_stop()
    n = c.gox_trace_text(None, 0)
    text = ctypes.create_string_buffer(n + 1)
    assert c.gox_trace_text(text, n + 1) == n
    lines = text.value.decode().splitlines()
    assert lines[:3] == ["1 g0 spawn child=1", "2 g1 run", "3 g1 spawn child=2"]
    assert lines[-1] == "20 g0 fatal message='all goroutines are asleep - deadlock!'" or lines[-1].endswith(
        "fatal message='all goroutines are asleep - deadlock!'"
    )
    out = ctypes.create_string_buffer(64)
    assert c.gox_output_take(out, 64) == 3 and out.raw[:3] == b"42\n"
    n = c.gox_errout_len()
    err = ctypes.create_string_buffer(n)
    assert c.gox_errout_take(err, n) == n
    assert err.raw == (b"fatal error: all goroutines are asleep - deadlock!\n\n"
                       b"goroutine 1 [chan receive]:\nprog_main(...)\n\n")
    rt._use()
    assert c.gox_defer_frame_jmpbuf(99) is not None  # a dummy buffer after the ABI error
    with pytest.raises(GoxABIError, match=r"gox_defer_frame_jmpbuf: frame 99 is not the innermost open frame"):
        rt._raise()
    rt.close()


def test_context_switch_fallback_is_fresh() -> None:
    from gox_ref_native import ctx_gen

    assert ctx_gen.main(["--check"]) == 0, "run: python -m gox_ref_native.ctx_gen"
