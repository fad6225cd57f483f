"""``gox-ref bench --parallel`` (bench/bench_parallel.py) at a tiny scale: every workload runs on
1 and 2 workers, natively and (where Go is installed; required under CI) with Go, its checksum
checked; the table and the JSON have their shape.  Structure, not speed."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import go_or_skip, native_unavailable

from bench import bench_go, bench_parallel  # the checkout's root is on sys.path (pyproject: pythonpath)

ROOT = Path(__file__).resolve().parent.parent

ROWS = ["ptrees16", "ptrees18", "ppingpong", "fanout", "mapreduce"]
SCALE = 0.001


@pytest.fixture(scope="module")
def native_ok() -> None:
    from gox_program.native import NativeUnavailable, compiler, library

    try:
        compiler()
        if not library().sched:
            native_unavailable(RuntimeError("the native library has no scheduler"))
    except NativeUnavailable as e:
        native_unavailable(e)


@pytest.fixture(scope="module")
def with_go(native_ok: None) -> bench_parallel.Report:
    go = go_or_skip()
    return bench_parallel.run(SCALE, 1, [1, 2], go.path)


def _seconds(d: Any, what: str) -> None:
    assert isinstance(d, dict) and sorted(d) == ["1", "2"], (what, d)
    for v in d.values():
        assert isinstance(v, float) and math.isfinite(v) and v >= 0, (what, d)


def _check_json(doc: dict[str, Any], go: bool) -> None:
    assert doc["scale"] == SCALE and doc["workers"] == [1, 2]
    for key in ("nproc", "cpu", "go", "date", "load_before", "load_after"):
        assert isinstance(doc["machine"][key], str) and doc["machine"][key], key
    rows = {r["name"]: r for r in doc["rows"]}
    assert list(rows) == ROWS
    assert [rows[r]["n"] for r in ROWS] == [6, 8, 200, 1000, 50]  # depths 16 and 18 moved by log2(0.001)
    for name, r in rows.items():
        # the harness checked every run against this; the values are those of the programs' runs
        assert r["checksum"] == bench_parallel.expected(r["program"], r["n"]), name
        _seconds(r["native_seconds"], name)
        _seconds(r["native_cpu_seconds"], name)
        assert sorted(r["native_speedup"]) == ["2"]
        if go:
            _seconds(r["go_seconds"], name)
            _seconds(r["go_cpu_seconds"], name)
        else:
            assert r["go_seconds"] == r["go_cpu_seconds"] == doc["go"]
            assert r["native_vs_go"] == {"1": None, "2": None}
    assert [r["checksum"] for r in doc["rows"][:2]] == [bench_go.binarytrees_total(6), bench_go.binarytrees_total(8)]
    targets = doc["targets"]
    assert len(targets) == 7
    vs_go = [t for t in targets if "Go" in t["what"]]
    assert len(vs_go) == 3
    for t in targets:  # N/A where not measured (without Go; a run too short at this scale)
        assert t["result"] in ("PASS", "MISS", "N/A") and (t["result"] == "N/A") == (t["measured"] is None), t
        assert t["measured"] is None or t["measured"] > 0, t
    if not go:
        assert {t["result"] for t in vs_go} == {"N/A"}
        assert {t["note"] for t in vs_go} == {f"Go: {doc['go']}"}


def test_parallel_bench_with_go(with_go: bench_parallel.Report) -> None:
    rep = with_go
    _check_json(bench_parallel.to_json(rep), go=True)
    assert rep.go_status.startswith("go version go1.")
    text = bench_parallel.table(rep)
    lines = text.splitlines()
    m = rep.machine
    assert lines[0].startswith(f"machine: {m['cpu']}, {m['nproc']} cores") and m["go"] in lines[0]
    heads = [i for i, line in enumerate(lines) if line.startswith("workload")]
    assert len(heads) == 2  # wall times, then CPU times
    for col in ("native W=1", "native W=2", "Go W=1", "Go W=2", "native x2", "Go x2", "nat/Go W=1", "nat/Go W=2"):
        assert col in lines[heads[0]], col
    for col in ("native W=1", "native W=2", "Go W=1", "Go W=2", "native W2/W1", "Go W2/W1"):
        assert col in lines[heads[1]], col
    for h in heads:
        body = lines[h + 2:h + 2 + len(ROWS)]
        assert lines[h + 2 + len(ROWS)] == "", lines[h:]
        for line in body:  # native and Go at W = 1 and 2
            assert len(re.findall(r"\b\d+\.\d{3} s\b", line)) == 4, line
    target_lines = lines[lines.index("targets:") + 1:]
    assert len(target_lines) == 7 and all(line.split()[0] in ("PASS", "MISS", "N/A") for line in target_lines), target_lines


def test_cli_parallel_without_go(native_ok: None) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gox_program.cli", "bench", "--parallel", "--scale", str(SCALE), "--repeat", "1",
         "--workers", "2,1", "--go", "none", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["go"] == "left out (--go none)"
    _check_json(doc, go=False)


def test_workers_option() -> None:
    assert bench_parallel.default_workers(1) == [1, 2]
    assert bench_parallel.default_workers(2) == [1, 2]
    assert bench_parallel.default_workers(6) == [1, 2, 4, 6]
    assert bench_parallel.default_workers(128) == [1, 2, 4, 8, 16, 32, 64]
    assert bench_parallel.parse_workers("4,1,2,2") == [1, 2, 4]
    for bad, why in (("2,4", "must include 1"), ("1,65", "in 1..64"), ("0,1", "in 1..64"), ("1,x", "separated by commas"),
                     ("", "separated by commas")):
        with pytest.raises(ValueError, match=why):
            bench_parallel.parse_workers(bad)


def test_cli_rejects_bad_workers(capfd: pytest.CaptureFixture[str]) -> None:
    from gox_program.cli import main

    assert main(["bench", "--workers", "1,2"]) == 2
    assert capfd.readouterr().err == "gox-ref: error: bench: --workers needs --parallel (the one-worker bench runs one worker)\n"
    assert main(["bench", "--parallel", "--workers", "2"]) == 2
    assert capfd.readouterr().err == (
        "gox-ref: error: bench: --workers 2: must include 1 (the speedups are against one worker)\n")


def test_cli_rejects_clock_with_parallel(capfd: pytest.CaptureFixture[str]) -> None:
    from gox_program.cli import main

    assert main(["bench", "--parallel", "--clock", "wall"]) == 2
    assert capfd.readouterr().err == (
        "gox-ref: error: bench: --clock is for the one-worker bench (--parallel reports wall and CPU time side by side)\n")


def test_a_wrong_checksum_stops_the_bench() -> None:
    sample = bench_parallel.Sample(1.5, 0.5)
    assert bench_parallel._checked(bench_go.Run(1.5, 0, "42\n", 0.5), 42, "w") == sample
    with pytest.raises(RuntimeError, match=r"native fanout \(n=3\): checksum 41, expected 42"):
        bench_parallel._checked(bench_go.Run(1.0, 0, "41\n", 0.5), 42, "native fanout (n=3)")


def test_best_is_per_measure_less_the_baseline() -> None:
    S = bench_parallel.Sample
    assert bench_parallel._best([S(2.0, 1.0), S(1.5, 1.2)], S(0.5, 0.25)) == S(1.0, 0.75)
    assert bench_parallel._best([S(0.1, 0.1)], S(0.5, 0.25)) == S(0.0, 0.0)  # faster than the empty program: 0


def test_targets_at_least() -> None:
    t = bench_parallel.Target("x", "W1/W2 >= 1.6", 1.6, 1.6, False, at_least=True)
    assert t.result == "PASS"
    assert bench_parallel.Target("x", "", 1.59, 1.6, False, at_least=True).result == "MISS"
    assert bench_parallel.Target("x", "", 1.21, 1.2, False).result == "MISS"
    assert bench_parallel.Target("x", "", None, 1.2, False).result == "N/A"
