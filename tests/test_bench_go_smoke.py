"""``gox-ref bench`` runs end to end (bench/bench_go.py): structure, not speed.

Go is optional: without it (or with ``--go none``) the report must say which and the targets
against Go are N/A.
"""

from __future__ import annotations

import json
import math
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = ["pingpong", "buffered", "spawn", "select", "panic", "binarytrees", "parked"]
GO_TARGETS = 7  # ping-pong, select, spawn, panic, binary-trees (checked, unchecked), parked memory


def _native_ok() -> bool:
    if shutil.which("cc") is None:
        return False
    try:
        from gox_program.native import NativeUnavailable, library

        try:
            return library().sched
        except NativeUnavailable:
            return False
    except ImportError:
        return False


pytestmark = pytest.mark.skipif(not _native_ok(), reason="no C compiler or no native library with the scheduler")


def _bench(*extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "gox_program.cli", "bench", "--scale", "0.001", "--json", "--repeat", "1", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


def _cell(c: Any, name: str) -> None:
    assert isinstance(c, dict), (name, c)
    assert isinstance(c["n"], int) and c["n"] > 0, name
    assert isinstance(c["per_op"], (int, float)) and math.isfinite(c["per_op"]) and c["per_op"] >= 0, name


def _check(doc: dict[str, Any], go: bool, no_go: str = "not installed (no go on PATH)") -> None:
    for key in ("nproc", "cpu", "kernel", "cc", "go", "python", "date", "library"):
        assert isinstance(doc["machine"][key], str) and doc["machine"][key], key
    from gox_program import native

    lib = native.library()  # the library measured, as every report names it (docs/YOUR_RUNTIME.md)
    assert doc["machine"]["library"] == f"{lib.path} (sha256 {lib.digest})"
    assert doc["scale"] == 0.001
    rows = {r["name"]: r for r in doc["rows"]}
    assert list(rows) == ROWS
    for name, r in rows.items():
        assert r["unit"] == ("B" if name == "parked" else "ns")
        _cell(r["native"], name)
        _cell(r["native_unchecked"], name)
        _cell(r["reference"], name)
        if go:
            _cell(r["go"], name)
        else:
            assert r["go"] == no_go, r["go"]
            assert r["native_vs_go"] is None
        if name != "parked":  # the checksums agree with the expected work
            assert r["native"]["checksum"] is not None and r["reference"]["checksum"] is not None
            assert r["native_unchecked"]["checksum"] == r["native"]["checksum"]
    targets = doc["targets"]
    assert len(targets) == GO_TARGETS + 1
    for t in targets:
        assert t["result"] in ("PASS", "MISS", "N/A"), t
    go_results = {t["result"] for t in targets[:GO_TARGETS]}
    if go:
        assert "N/A" not in go_results or any(t["measured"] is None for t in targets[:GO_TARGETS])
    else:
        assert go_results == {"N/A"}
    assert targets[-1]["result"] in ("PASS", "MISS")  # the reference vs greenlet target needs no Go
    assert doc["greenlet_switch_pair_ns"] > 0 and doc["reference_pingpong_direct_ns"] > 0
    assert 0 < doc["minimal_channel_pingpong_ns"] < doc["reference_pingpong_direct_ns"]


def test_bench_reports_every_workload() -> None:
    doc = _bench()
    has_go = shutil.which("go") is not None
    if not has_go:
        assert doc["go"] == doc["machine"]["go"] == "not installed (no go on PATH)"
    _check(doc, go=has_go)
    assert doc["clock"] == "cpu" and doc["method"].startswith("cpu time")


def test_bench_without_go_says_so() -> None:
    """--go none leaves Go out and says so; it once claimed that Go was not installed."""
    doc = _bench("--go", "none")
    assert doc["go"] == doc["machine"]["go"] == "left out (--go none)"
    _check(doc, go=False, no_go="left out (--go none)")
    assert {t["note"] for t in doc["targets"][:GO_TARGETS]} == {"Go: left out (--go none)"}


def test_bench_on_the_wall_clock() -> None:
    doc = _bench("--go", "none", "--clock", "wall")
    assert doc["clock"] == "wall" and doc["method"].startswith("wall time")
    _check(doc, go=False, no_go="left out (--go none)")


def test_the_launcher_reports_cpu_and_wall_time(tmp_path: Path) -> None:
    """The default clock is the child's CPU time: a child that sleeps uses almost none of its
    wall time, one that computes uses about all of it."""
    from bench.bench_go import build_launcher, run_process

    launcher = build_launcher("cc", tmp_path)
    idle = run_process(launcher, ["/bin/sleep", "0.3"])
    assert idle.seconds >= 0.3 and idle.cpu < 0.1 and idle.time("wall") == idle.seconds and idle.time("cpu") == idle.cpu
    busy = run_process(launcher, ["/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"])
    assert busy.cpu > 0.05 and busy.cpu <= busy.seconds * 1.05 + 0.01


def test_ratios_to_go_are_paired_round_by_round() -> None:
    """A round on a slow minute of the host slows both of its runs: the paired median ignores
    it, where the ratio of each system's best (what the targets read before) would be off by
    the drift.  Here native's best comes from a fast round and Go's from another one."""
    from bench.bench_go import paired_median

    native = [1.30, 1.00, 1.60]  # seconds, round by round
    go = [1.00, 0.70, 1.25]
    assert paired_median(native, go) == pytest.approx(1.30)  # rounds: 1.30, 1.43, 1.28
    assert min(native) / min(go) == pytest.approx(1.0 / 0.7)  # the ratio of the bests: 1.43
    assert paired_median([2.0, 1.0], [1.0, 1.0]) == pytest.approx(1.5)  # an even count: the mean of the middle two
    assert paired_median([1.0], [0.0]) is None  # no round with a Go time to divide by
    with pytest.raises(ValueError):
        paired_median([1.0, 2.0], [1.0])  # rounds must pair up


def test_the_table_and_the_targets_read_the_same_paired_ratio() -> None:
    if shutil.which("go") is None:
        pytest.skip("go is not installed")
    out = subprocess.run(
        [sys.executable, "-m", "gox_program.cli", "bench", "--scale", "0.001", "--json", "--repeat", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    rows = {r["name"]: r for r in doc["rows"]}
    measured = {t["what"]: t["measured"] for t in doc["targets"]}
    assert measured["native select faster than Go (GOMAXPROCS=1)"] == rows["select"]["native_vs_go"]
    assert measured["  the same in unchecked mode (GOX_NATIVE_UNCHECKED=1)"] == \
        rows["binarytrees"]["native_unchecked_vs_go"]
    assert "median of each round's native/Go ratio" in doc["method"]
    for r in doc["rows"]:
        if r["name"] != "parked":
            rounds = r["native_vs_go_rounds"]  # (at this scale a round may leave Go no time to divide by)
            assert len(rounds) <= 3
            assert r["native_vs_go"] == (statistics.median(rounds) if rounds else None)
