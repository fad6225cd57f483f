"""tools/coverage.py: reading gcovr's JSON into the per-file table and the ABI symbols never
called, on a fixture cut from a real run and on a tiny coverage build of one C file (seconds;
the full measurement, corpus + 60 s of fuzzing, is the tool's, not a test's)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools import coverage as cov

# Cut from `gcovr --json-summary` / `--json` over gox_ref_native/cov after a corpus run (gcovr 8.8).
SUMMARY: dict[str, Any] = {"files": [
    {"filename": "src/sched.c", "line_total": 475, "line_covered": 264, "line_percent": 55.6},
    {"filename": "src/chan.c", "line_total": 234, "line_covered": 222, "line_percent": 94.9},
    {"filename": "src/rng.c", "line_total": 13, "line_covered": 0, "line_percent": 0.0},
]}
DETAIL: dict[str, Any] = {"gcovr/format_version": "0.15", "files": [
    {"file": "src/gox_internal.h", "lines": [], "functions": [
        {"name": "rt_ready", "lineno": 40, "execution_count": 3, "blocks_percent": 100.0}]},
    {"file": "src/chan.c", "lines": [], "functions": [
        {"name": "gox_chan_new", "lineno": 90, "execution_count": 12, "blocks_percent": 100.0},
        {"name": "gox_chan_cap", "lineno": 301, "execution_count": 0, "blocks_percent": 0.0},
        {"name": "rt_ready", "lineno": 40, "execution_count": 2, "blocks_percent": 100.0}]},
]}


def test_file_rows_sorted_with_percent() -> None:
    rows = cov.file_coverage(SUMMARY)
    assert [r.file for r in rows] == ["src/chan.c", "src/rng.c", "src/sched.c"]
    assert [round(r.percent, 1) for r in rows] == [94.9, 0.0, 55.6]
    assert cov.FileCoverage("src/empty.c", 0, 0).percent == 100.0  # no executable line: nothing missed


def test_function_counts_sum_over_files_and_symbol_gaps() -> None:
    counts = cov.function_counts(DETAIL)
    assert counts == {"rt_ready": 5, "gox_chan_new": 12, "gox_chan_cap": 0}
    uncalled, absent = cov.symbol_gaps(counts, ["gox_chan_new", "gox_chan_cap", "gox_chan_len"])
    assert uncalled == ["gox_chan_cap"]
    assert absent == ["gox_chan_len"]


def test_render_marks_focus_files_below_target() -> None:
    report = cov.make_report(SUMMARY, DETAIL, ["gox_chan_new", "gox_chan_cap"], {"corpus": 0, "fuzz": 1})
    assert [f.file for f in report.below_target()] == ["src/sched.c"]  # rng.c is not a focus file
    text = cov.render(report)
    lines = text.splitlines()
    assert lines[0].split() == ["file", "lines", "cover"]
    assert lines[1].split() == ["src/chan.c", "222/234", "94.9%"]
    assert lines[3].split() == ["src/sched.c", "264/475", "55.6%", "*"]
    assert lines[4].split() == ["total", "486/722", "67.3%"]
    assert "ABI symbols never called (1):\n  gox_chan_cap\n" in text
    assert text.endswith("steps with a non-zero status (their runs count all the same): fuzz 1\n")
    data = json.loads(cov.to_json(report))
    assert data["below_target"] == ["src/sched.c"]
    assert data["files"][1] == {"file": "src/rng.c", "covered": 0, "total": 13, "percent": 0.0}
    assert data["uncalled"] == ["gox_chan_cap"] and data["absent"] == []


def _tool_or_skip(name: str, present: bool) -> None:
    if not present:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing (CI: a missing tool fails its tests)")
        pytest.skip(f"{name} is missing")


def test_gcovr_on_a_tiny_coverage_build(tmp_path: Path) -> None:
    """The objects are named as the Makefile's coverage target names them (cov/NAME.c.o)."""
    cc = os.environ.get("CC", "cc")
    _tool_or_skip(cc, shutil.which(cc) is not None)
    _tool_or_skip("gcovr", importlib.util.find_spec("gcovr") is not None)
    (tmp_path / "src").mkdir()
    (tmp_path / "cov").mkdir()
    (tmp_path / "src" / "lib.c").write_text(
        "int gox_used(int x) {\n    if (x > 0)\n        return 1;\n    return 2;\n}\n"
        "int gox_unused(void) {\n    return 3;\n}\n"
        "int main(void) {\n    return gox_used(0) == 2 ? 0 : 1;\n}\n"
    )
    obj = tmp_path / "cov" / "lib.c.o"
    subprocess.run([cc, "--coverage", "-O0", "-c", "-o", str(obj), "src/lib.c"], cwd=tmp_path, check=True)
    subprocess.run([cc, "--coverage", "-o", str(tmp_path / "a.out"), str(obj)], check=True)
    subprocess.run([str(tmp_path / "a.out")], check=True)
    summary, detail = cov.run_gcovr(tmp_path, tmp_path / "cov", tmp_path)
    report = cov.make_report(summary, detail, ["gox_used", "gox_unused", "gox_missing"], {})
    # gcov's executable lines: 1-4 (3, `return 1`, not run), 6-7 (never run), 9-10
    assert report.files == [cov.FileCoverage("src/lib.c", 5, 8)]
    assert report.uncalled == ["gox_unused"]
    assert report.absent == ["gox_missing"]


def test_main_exit_status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """1 while a focus file is below the target, 0 when none is, 2 when a step cannot run."""
    report = cov.make_report(SUMMARY, DETAIL, [], {"corpus": 0})
    monkeypatch.setattr(cov, "measure", lambda seconds, workers, tests: report)
    assert cov.main(["--seconds", "1"]) == 1
    assert "src/sched.c" in capsys.readouterr().out
    good = cov.make_report({"files": SUMMARY["files"][1:]}, DETAIL, [], {})  # chan.c, rng.c
    monkeypatch.setattr(cov, "measure", lambda seconds, workers, tests: good)
    assert cov.main(["--json"]) == 0
    assert json.loads(capsys.readouterr().out)["below_target"] == []

    def fail(seconds: float, workers: int, tests: list[str]) -> cov.Report:
        raise cov.StepFailed("gcovr is not installed")

    monkeypatch.setattr(cov, "measure", fail)
    assert cov.main([]) == 2
    assert capsys.readouterr().err == "coverage: gcovr is not installed\n"
