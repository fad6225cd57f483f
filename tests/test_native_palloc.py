"""Parallel mode without the runtime lock for allocation and object access (docs/SCHEDULER.md
section 7, "Allocation and object access without the runtime lock"; docs/GC.md, "Parallel
mode"): the lock-free slot, barrier and global calls (invariants P1-P4 in gox_internal.h) and
the workers' allocation caches (A1-A3 in heap.c).

* results are right with 2 and 4 workers: parallel binary-trees' checksum, and a C program
  whose goroutines build rooted lists among garbage while one of them collects, whose
  collector counts after a full collection must be the one worker's exactly (every cache
  flushed at the stops of the world);
* both under ThreadSanitizer (a report ends the program with status 66);
* an error the lock-free paths cannot settle is the locked path's, word for word (a freed
  reference, an index out of range, a forged reference, a freed value stored).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import native_library_or_skip

from bench.bench_go import binarytrees_total
from gox_program import load, native

LIB = native_library_or_skip(sched=True)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gox_ref_native"
PROG_C = ROOT / "tests" / "c" / "palloc_prog.c"
PTREES = ROOT / "bench" / "programs" / "ptrees.gox"

# palloc_prog.c: G=6 goroutines keep KEEP=3000 nodes each and drop JUNK=7 per kept one; the
# channel is the one other object
G, KEEP, JUNK = 6, 3000, 7
LIVE = G * KEEP + 1
ALLOCATED = G * KEEP * (1 + JUNK) + 1
NODE_BYTES = 8 + 8 * 2


@pytest.fixture(scope="module")
def tsan_lib() -> Path:
    """The ThreadSanitizer build of the library (``make -C gox_ref_native tsan``)."""
    proc = subprocess.run(["make", "-s", "-C", str(PACKAGE), "tsan"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return PACKAGE / "libgox-tsan.so"


def _build_c(lib: Path, out: Path, cflags: tuple[str, ...] = ()) -> Path:
    cc = native.compiler()
    subprocess.run(
        [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", *cflags, "-I", str(native.HEADER.parent), str(PROG_C),
         "-o", str(out), str(lib), f"-Wl,-rpath,{lib.parent}", "-lpthread"],
        check=True, capture_output=True,
    )
    return out


def _run(exe: Path, workers: int) -> subprocess.CompletedProcess[bytes]:
    env = {"TSAN_OPTIONS": f"halt_on_error=1 exitcode={native.TSAN_EXIT}", "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(exe), str(workers)], capture_output=True, env=env, timeout=300)


def _expected_output() -> bytes:
    counts = (f"live {LIVE} allocated {ALLOCATED} freed {ALLOCATED - LIVE} (bytes: live {(LIVE - 1) * NODE_BYTES + 16} "
              f"allocated {(ALLOCATED - 1) * NODE_BYTES + 16} freed {(ALLOCATED - LIVE) * NODE_BYTES})")
    lists = "".join(f"list {g}: {KEEP} nodes, sum {KEEP * (KEEP - 1) // 2}\n" for g in range(1, G + 1))
    return f"collected: {counts}\n{lists}after the run: {counts}\n".encode()


def test_collection_during_parallel_allocation_counts_every_object(tmp_path: Path) -> None:
    """The counts after gox_collect_garbage are one worker's with 2 and 4: the objects still in
    a worker's cache at a stop of the world are in R->order and the counts before the collector
    reads them (a cache left out would be swept late or counted short)."""
    lib = native.library()
    exe = _build_c(lib.path, tmp_path / "palloc_prog")
    want = _expected_output()
    for workers in (1, 2, 4, 2, 4):
        proc = _run(exe, workers)
        assert (proc.returncode, proc.stdout) == (0, want), proc.stderr.decode(errors="replace")[-2000:]


@pytest.mark.parametrize("workers", [2, 4])
def test_parallel_allocation_under_tsan(workers: int, tsan_lib: Path, tmp_path: Path) -> None:
    exe = _build_c(tsan_lib, tmp_path / "palloc_prog_tsan", native.TSAN_CFLAGS)
    for _ in range(2):
        proc = _run(exe, workers)
        assert (proc.returncode, proc.stdout) == (0, _expected_output()), proc.stderr.decode(errors="replace")[-3000:]


def _ptrees(depth: int) -> str:
    text = PTREES.read_text()
    assert "16 // N" in text
    return text.replace("16 // N", f"{depth} // N")


@pytest.mark.parametrize("workers", [2, 4])
def test_parallel_binary_trees_checksum(workers: int) -> None:
    exe = native.build(load(_ptrees(12), "ptrees.gox"), LIB)
    for seed in (0, 1):
        o = native.run_exe(exe, seed, workers=workers, timeout=120)
        assert (o.status, o.stdout) == (0, f"{binarytrees_total(12)}\n".encode()), o.stderr.decode(errors="replace")


@pytest.mark.parametrize("workers", [2, 4])
def test_parallel_binary_trees_under_tsan(workers: int, tsan_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_NATIVE_LIB", str(tsan_lib))
    lib = native.library()
    assert lib.tsan
    prog = load(_ptrees(9), "ptrees.gox")
    o = native.run_program(prog, 0, workers=workers, timeout=240)
    assert (o.status, o.stdout) == (0, f"{binarytrees_total(9)}\n".encode()), o.stderr.decode(errors="replace")[-3000:]


# main and a goroutine each allocate; the goroutine's second object is unreachable but for its
# bits in the global keep (a u64); BAD runs after a full collection freed it
BAD_CALL = """
var keep u64
var t u64
var g ref

func mk(done ref) {
    var p ref = gox_rt_alloc(kind.Struct, t, 2)
    var q ref = gox_rt_alloc(kind.Struct, t, 2)
    gox_gc_write_slot(p, 1, u64(q))
    keep = gox_gc_read_slot(p, 1)
    gox_chan_send(done, 1)
}

func main() {
    t = gox_type_register("Pair", "\\x01\\x00")
    var live ref = gox_rt_alloc(kind.Struct, t, 2)
    var done ref = gox_chan_new(kind.Int, 0)
    go mk(done)
    gox_chan_recv(done)
    gox_collect_garbage()
    BAD
    gox_debug_print("unreachable", kind.String)
}
"""

BAD = {
    "read-freed": ("gox_debug_print(gox_gc_read_slot(ref(keep), 0), kind.Int)",
                   "gox_gc_read_slot: ADDR is a freed reference (object #N); expected a live object"),
    "read-out-of-range": ("gox_debug_print(gox_gc_read_slot(live, 2), kind.Int)",
                          "gox_gc_read_slot: slot index 2 out of range for 21 (Struct) object ADDR with 2 slots"),
    "read-forged": ("gox_debug_print(gox_gc_read_slot(ref(12345), 0), kind.Int)",
                    "gox_gc_read_slot: ADDR is not a reference the heap ever allocated; expected a live object"),
    "write-freed-value": ("gox_gc_write_slot(live, 0, keep)",
                          "gox_gc_write_slot: slot 0 (a reference slot) takes a reference or 0, but ADDR is a freed "
                          "reference (object #N)"),
    "write-barrier-freed-value": ("gox_gc_write_slot_barrier(live, 0, keep)",
                                  "gox_gc_write_slot: slot 0 (a reference slot) takes a reference or 0, but ADDR is a "
                                  "freed reference (object #N)"),
    "barrier-freed-child": ("gox_rt_write_barrier(live, ref(keep))",
                            "gox_rt_write_barrier: ADDR is a freed reference (object #N); expected a live child object or 0"),
    "set-global-freed": ("g = ref(keep)",
                         "gox_rt_set_global: global 2 (a reference global) takes a reference or 0, but ADDR is a freed "
                         "reference (object #N)"),
}


def _normal(stderr: bytes) -> str:
    """The error with its address and object number out (both differ between worker counts:
    a chunk made in parallel mode numbers its objects from a range of its own)."""
    return re.sub(r"#\d+", "#N", re.sub(r"0x[0-9a-f]+", "ADDR", stderr.decode()))


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_lock_free_calls_give_the_locked_paths_errors(case: str) -> None:
    call, message = BAD[case]
    exe = native.build(load(BAD_CALL.replace("BAD", call), f"{case}.gox"), LIB)
    want = f"gox-ref: ABI error: {message}\n"
    for workers in (1, 2, 4):
        o = native.run_exe(exe, 0, workers=workers, timeout=60)
        assert (o.status, o.stdout, _normal(o.stderr)) == (3, b"", want), workers
