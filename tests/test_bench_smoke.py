"""The heap benchmark runs end to end (bench/bench_heap.py): a smoke test, not a timing assertion."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS = {"alloc_collect", "slot_rw", "string_concat", "slice_append"}
FIGURES = ("ref_ns", "unchecked_ns", "checked_ns", "ratio_unchecked", "ratio_checked")


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_bench_heap_runs_and_reports_every_workload() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_heap", "--scale", "0.001", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    rows = {r["name"]: r for r in doc["results"]}
    assert set(rows) == WORKLOADS
    for name, r in rows.items():
        assert r["ref_n"] > 0 and r["native_n"] > 0, name
        for key in FIGURES:
            v = r[key]
            assert isinstance(v, (int, float)) and math.isfinite(v) and v > 0, (name, key, v)


def test_bench_ref_reports_every_row_and_the_floor() -> None:
    """bench/bench_ref.py: every row has finite positive figures; the ping-pong row carries the
    floor (minimal_pingpong's yardstick channel), which is also a row of its own."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_ref", "--scale", "0.001", "--repeat", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)["results"]}
    for name, r in rows.items():
        for key in ("value", "baseline", "ratio"):
            assert isinstance(r[key], (int, float)) and math.isfinite(r[key]) and r[key] > 0, (name, key, r[key])
    pp, floor = rows["pingpong round trip (unbuffered)"], rows["minimal channel round trip (yardstick)"]
    assert pp["floor"] == floor["value"] and pp["floor_what"] == "minimal channel round trip"
    assert pp["floor_ratio"] == pp["value"] / pp["floor"]
    assert floor["floor"] is None and floor["floor_ratio"] is None
