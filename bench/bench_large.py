"""Large objects on the native backend (issue 15, point 1): the issue's native sizes, timed.

Not a test: a script that prints a table (``python -m bench.bench_large``; ``--json`` for
machine-readable output, ``--scale 0.1`` for a quick run, ``--unchecked`` for unchecked mode).
Each workload runs on a fresh ``NativeRuntime`` through the ABI, checks its results, and reports
its time, the heap's live bytes at its peak and the process's peak RSS so far:

* ``slice``: ``gox_rt_slice_create`` of 10,000,000 ints, a write and a read at each end, one
  append (Go 1.19.8's capacity: 12,500,992), a full collection with the slice pinned;
* ``string_concat``: a 100-byte string doubled 20 times by ``gox_rt_string_concat`` (100 MiB);
* ``string_convert``: that string to ``[]byte`` and back (``gox_rt_string_to_bytes``,
  ``gox_rt_bytes_to_string``: 100 MiB each);
* ``map``: 1,000,000 ``gox_map_set`` of int keys, then a full collection with the map pinned.

tests/test_large_objects.py runs it at full scale (``test_native_issue_sizes``).  Figures (this
machine, checked mode): slice 0.07 s, string_concat 0.14 s, string_convert 0.3 s, map 1.8 s
(ctypes calls, about 1.7 us each), peak RSS 320 MiB.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from gox_abi.kinds import ValueKind as K
from gox_ref_native import NativeRuntime

NO_TYPE = 0xFFFF
SLICE_LEN = 10_000_000
SEED = bytes(range(48, 58)) * 10  # "0123456789" x 10: 100 bytes
DOUBLINGS = 20  # 100 x 2**20 bytes: 100 MiB
MAP_LEN = 1_000_000


@dataclass
class Row:
    name: str
    size: int  # elements or bytes
    seconds: float
    live_bytes: int  # the heap's live bytes at the workload's peak (gox_gc_stats)
    max_rss_mib: float  # the process's peak resident set so far


def _slice(rt: NativeRuntime, scale: float) -> tuple[int, int]:
    n = max(int(SLICE_LEN * scale), 70_000)
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, n, n)
    rt.gox_slice_set(s, 0, 1)
    rt.gox_slice_set(s, n - 1, 2)
    s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, 3)
    assert (rt.gox_slice_get(s, 0), rt.gox_slice_get(s, n - 1), rt.gox_slice_get(s, n)) == (1, 2, 3)
    assert n != SLICE_LEN or rt.gox_slice_cap(s) == 12_500_992  # Go 1.19.8: append(make([]int, 1e7), 3)
    rt.gox_gc_pin(s)
    rt.gox_collect_garbage()
    return n, rt.gox_gc_stats().live_bytes


def _concat(rt: NativeRuntime, scale: float) -> tuple[int, int]:
    s = rt.gox_rt_string_from_ptr(SEED)
    for _ in range(_doublings(scale)):
        s = rt.gox_rt_string_concat(s, s)
    n = rt.gox_string_len(s)
    assert rt.gox_string_index(s, n - 1) == SEED[-1]
    return n, rt.gox_gc_stats().live_bytes


def _convert(rt: NativeRuntime, scale: float) -> tuple[int, int]:
    s = rt.gox_rt_string_from_ptr(SEED * (1 << _doublings(scale)))
    rt.gox_gc_pin(s)
    b = rt.gox_rt_string_to_bytes(s)
    rt.gox_gc_pin(b)
    t = rt.gox_rt_bytes_to_string(b)
    n = rt.gox_string_len(t)
    assert n == rt.gox_slice_cap(b) and rt.gox_string_index(t, n - 2) == SEED[-2]
    return n, rt.gox_gc_stats().live_bytes


def _map(rt: NativeRuntime, scale: float) -> tuple[int, int]:
    n = max(int(MAP_LEN * scale), 1000)
    m = rt.gox_rt_map_new(K.INT, K.INT)
    rt.gox_gc_pin(m)
    for k in range(n):
        rt.gox_map_set(m, k, k)
    rt.gox_collect_garbage()
    assert rt.gox_map_len(m) == n and rt.gox_map_get(m, n - 1) == (n - 1, True)
    return n, rt.gox_gc_stats().live_bytes


def _doublings(scale: float) -> int:
    """The doublings for a fraction of 100 MiB: at least 13 (800 KiB, past the old object)."""
    return max(DOUBLINGS + round(math.log2(scale)), 13)


WORKLOADS: dict[str, Callable[[NativeRuntime, float], tuple[int, int]]] = {
    "slice": _slice, "string_concat": _concat, "string_convert": _convert, "map": _map,
}


def run(scale: float = 1.0, checked: bool = True) -> list[Row]:
    rows = []
    for name, work in WORKLOADS.items():
        rt = NativeRuntime(checked=checked)
        try:
            t0 = time.perf_counter()
            size, live = work(rt, scale)
            dt = time.perf_counter() - t0
        finally:
            rt.close()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(Row(name, size, dt, live, rss))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's sizes (default 1)")
    ap.add_argument("--unchecked", action="store_true", help="run in unchecked mode (default: checked)")
    ap.add_argument("--json", action="store_true", help="a JSON report on stdout")
    args = ap.parse_args(argv)
    rows = run(args.scale, checked=not args.unchecked)
    if args.json:
        print(json.dumps({"checked": not args.unchecked, "results": [asdict(r) for r in rows]}))
        return 0
    print(f"{'workload':<16}{'size':>14}{'seconds':>10}{'live MiB':>10}{'max RSS MiB':>13}")
    for r in rows:
        print(f"{r.name:<16}{r.size:>14,}{r.seconds:>10.3f}{r.live_bytes / 2**20:>10.1f}{r.max_rss_mib:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
