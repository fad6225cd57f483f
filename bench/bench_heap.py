"""Heap benchmark: the native runtime driven from C against the reference, as ratios.

Not a test: a script that prints a table (``python -m bench.bench_heap``; ``--json`` for
machine-readable output, ``--scale 0.1`` for a quick run).  It builds ``bench/bench_native_heap.c``
and the native library with the system compiler (``cc -O2``) into a temporary directory, runs the
C driver (which times each workload with the runtime in unchecked mode and in checked mode, on a
fresh instance each run), then makes the same ABI calls on ``RefRuntime`` in this process, with
fewer operations (the reference is slow), and reports every figure per operation:

* ``alloc_collect``: ``gox_gc_pause``, N x ``gox_rt_alloc`` of a 3-slot struct (value, value,
  ref) of a registered type, ``gox_gc_resume``, one ``gox_collect_garbage`` that frees all N;
  per object (native 1M, reference 100k);
* ``slot_rw``: on one pinned struct, ``gox_gc_write_slot`` of slot 0 (a value) and slot 2 (a
  pinned struct or nil), ``gox_gc_read_slot`` of slots 1 and 2; per slot call (4M / 400k);
* ``string_concat``: ``gox_rt_string_concat`` of two pinned short strings, results dropped to
  the incremental collector; per call (1M / 100k);
* ``slice_append``: ``s = gox_rt_slice_append(Int, 0xFFFF, s, i)`` from nil to 1000 elements,
  repeated; per append (1M / 100k).

Times are the best of ``--repeat`` runs (default 3).  The machine this runs on may be shared and
noisy: compare the ratio columns, and expect a few percent (sometimes more) run to run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gox_ref import RefRuntime
from gox_ref import ValueKind as K

ROOT = Path(__file__).resolve().parent.parent
NATIVE = ROOT / "gox_ref_native"
DRIVER = Path(__file__).resolve().parent / "bench_native_heap.c"

NO_TYPE = 0xFFFF
APPEND_LEN = 1000
SLOT_TYPES = bytes([0, 0, 1])  # value, value, gc ref

# Operations per workload at scale 1 for the reference (the C driver has its own, 10x these).
REF_BASE = {"alloc_collect": 100_000, "slot_rw": 400_000, "string_concat": 100_000, "slice_append": 100_000}
QUANTUM = {"alloc_collect": 1, "slot_rw": 4, "string_concat": 1, "slice_append": APPEND_LEN}
WORKLOADS = tuple(REF_BASE)


@dataclass
class Row:
    name: str
    ref_n: int
    native_n: int
    ref_ns: float  # per operation
    unchecked_ns: float
    checked_ns: float

    @property
    def ratio_unchecked(self) -> float:
        return self.ref_ns / self.unchecked_ns if self.unchecked_ns > 0 else float("nan")

    @property
    def ratio_checked(self) -> float:
        return self.ref_ns / self.checked_ns if self.checked_ns > 0 else float("nan")


# -- the reference doing the same calls ----------------------------------------------------------


def ref_alloc_collect(n: int) -> float:
    rt = RefRuntime(out=io.BytesIO())
    t = rt.gox_type_register(b"bench.T", SLOT_TYPES)
    t0 = time.perf_counter()
    rt.gox_gc_pause()
    for _ in range(n):
        rt.gox_rt_alloc(K.STRUCT, t, 3)
    rt.gox_gc_resume()
    rt.gox_collect_garbage()
    dt = time.perf_counter() - t0
    st = rt.gox_gc_stats()
    if st.freed_objects != n or st.live_objects != 0:
        raise RuntimeError(f"alloc_collect: freed {st.freed_objects} of {n}, {st.live_objects} live")
    return dt


def ref_slot_rw(n: int) -> float:
    rt = RefRuntime(out=io.BytesIO())
    t = rt.gox_type_register(b"bench.T", SLOT_TYPES)
    o = rt.gox_rt_alloc(K.STRUCT, t, 3)
    rt.gox_gc_pin(o)
    other = rt.gox_rt_alloc(K.STRUCT, t, 3)
    rt.gox_gc_pin(other)
    rt.gox_collect_garbage()  # the collector is idle (PAUSE) during the loop
    acc = 0
    t0 = time.perf_counter()
    for i in range(n // 4):
        rt.gox_gc_write_slot(o, 0, i)
        rt.gox_gc_write_slot(o, 2, other if i & 1 else 0)
        acc += rt.gox_gc_read_slot(o, 1)
        acc += rt.gox_gc_read_slot(o, 2)
    dt = time.perf_counter() - t0
    rt.gox_gc_unpin(other)
    rt.gox_gc_unpin(o)
    return dt


def ref_string_concat(n: int) -> float:
    rt = RefRuntime(out=io.BytesIO())
    a = rt.gox_rt_string_from_ptr(b"hello, ")
    rt.gox_gc_pin(a)
    b = rt.gox_rt_string_from_ptr(b"world")
    rt.gox_gc_pin(b)
    r = 0
    t0 = time.perf_counter()
    for _ in range(n):
        r = rt.gox_rt_string_concat(a, b)
    dt = time.perf_counter() - t0
    if rt.gox_string_len(r) != 12:
        raise RuntimeError("string_concat: bad result length")
    rt.gox_gc_unpin(b)
    rt.gox_gc_unpin(a)
    return dt


def ref_slice_append(n: int) -> float:
    rt = RefRuntime(out=io.BytesIO())
    s = 0
    t0 = time.perf_counter()
    for _ in range(n // APPEND_LEN):
        s = 0
        for i in range(APPEND_LEN):
            s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, i)
    dt = time.perf_counter() - t0
    if n >= APPEND_LEN and (rt.gox_slice_len(s) != APPEND_LEN or rt.gox_slice_get(s, APPEND_LEN - 1) != APPEND_LEN - 1):
        raise RuntimeError("slice_append: bad result")
    return dt


REF_FNS: dict[str, Callable[[int], float]] = {
    "alloc_collect": ref_alloc_collect,
    "slot_rw": ref_slot_rw,
    "string_concat": ref_string_concat,
    "slice_append": ref_slice_append,
}


def ref_count(name: str, scale: float) -> int:
    q = QUANTUM[name]
    n = int(REF_BASE[name] * scale)
    return max(n - n % q, q)


def ref_per_op_ns(name: str, n: int, repeat: int) -> float:
    return min(REF_FNS[name](n) for _ in range(repeat)) / n * 1e9


# -- the native side: build and run the C driver ------------------------------------------------


def build_native(tmp: Path, cc: str, lib: Path | None) -> Path:
    """Compile the driver (and, unless ``lib`` is given, the library) into ``tmp``."""
    if lib is None:
        lib = tmp / "libgox.so"
        sources = sorted(str(p) for p in (NATIVE / "src").glob("*.c"))
        subprocess.run(
            [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-g", "-fPIC", "-shared", "-o", str(lib), *sources, "-lm"],
            check=True,
        )
    exe = tmp / "bench_native_heap"
    subprocess.run(
        [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O2", "-I", str(NATIVE), str(DRIVER), str(lib.resolve()),
         f"-Wl,-rpath,{lib.resolve().parent}", "-o", str(exe)],
        check=True,
    )
    return exe


def run_native(exe: Path, scale: float, repeat: int) -> dict[str, dict[str, Any]]:
    out = subprocess.run([str(exe), "--scale", repr(scale), "--repeat", str(repeat)],
                         check=True, capture_output=True, text=True)
    doc = json.loads(out.stdout)
    return {r["name"]: r for r in doc["results"]}


# -- the report ---------------------------------------------------------------------------------


def run(scale: float, repeat: int, cc: str, lib: Path | None) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="gox-bench-heap-") as d:
        exe = build_native(Path(d), cc, lib)
        native = run_native(exe, scale, repeat)
    rows = []
    for name in WORKLOADS:
        n = ref_count(name, scale)
        nat = native[name]
        rows.append(Row(name, n, int(nat["n"]), ref_per_op_ns(name, n, repeat),
                        float(nat["unchecked_ns"]), float(nat["checked_ns"])))
    return rows


def fmt_ns(ns: float) -> str:
    return f"{ns / 1000:.2f} us" if ns >= 10_000 else f"{ns:.1f} ns"


def table(rows: list[Row]) -> str:
    head = (f"{'workload':<15} {'ref n':>8} {'reference':>11} {'native n':>9} {'unchecked':>11} {'checked':>11} "
            f"{'ref/unchecked':>14} {'ref/checked':>12}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.name:<15} {r.ref_n:>8} {fmt_ns(r.ref_ns):>11} {r.native_n:>9} {fmt_ns(r.unchecked_ns):>11} "
            f"{fmt_ns(r.checked_ns):>11} {r.ratio_unchecked:>13.0f}x {r.ratio_checked:>11.0f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every operation count (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="the C compiler (default $CC or cc)")
    ap.add_argument("--lib", type=Path, default=None,
                    help="link against this libgox.so instead of compiling gox_ref_native/src into the temp dir")
    args = ap.parse_args(argv)
    if shutil.which(args.cc) is None:
        ap.error(f"no C compiler {args.cc!r}")
    if args.scale <= 0:
        ap.error("--scale must be positive")
    repeat = max(args.repeat, 1)
    rows = run(args.scale, repeat, args.cc, args.lib)
    if args.json:
        doc: list[dict[str, Any]] = [
            {**asdict(r), "ratio_unchecked": r.ratio_unchecked, "ratio_checked": r.ratio_checked} for r in rows
        ]
        print(json.dumps({"python": platform.python_version(), "repeat": repeat, "scale": args.scale,
                          "unit": "ns per operation", "results": doc}, indent=2))
    else:
        print(f"Python {platform.python_version()} ({sys.implementation.name}), {platform.machine()}; "
              f"per-op figures are the best of {repeat} runs.")
        print("The machine may be shared and noisy: compare ratios, and expect run-to-run variation.")
        print(table(rows))
        print("ratio = reference per op / native per op (the issue asks for >= 100x on each).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
