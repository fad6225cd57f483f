"""Measured line coverage of the C runtime (gox_ref_native/src) from the corpus and a fixed fuzz campaign.

    python tools/coverage.py [--seconds 60] [--workers 2] [--json] [--pytest TEST ...]

Steps: build the gcov variant of the library (``make -C gox_ref_native coverage``: libgox-cov.so,
its objects and counters in gox_ref_native/cov/), reset the counters, run the conformance corpus
on the native backend against it twice (one scheduler thread, then ``--workers 4``: the
parallel scheduler, README), run ``gox-ref fuzz`` for ``--seconds`` with a fixed campaign
seed against it (``$GOX_NATIVE_LIB`` makes every compiled program link with the coverage
build), with ``--pytest`` also those test files (pytest: ctypes loads the coverage build,
the host's side of the ABI), then read the counters with gcovr and print per file the lines covered, and the ABI
symbols (gox_abi/abi.py) whose function never ran.  The exit status is 1 when a file of
``FOCUS`` is below ``TARGET`` percent (issue 16), 2 when a step could not run.
docs/DIFF_AND_FUZZ.md, "Coverage", has the measured table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: tools/ is on sys.path, the checkout is not
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import variant
from tools.variant import StepFailed as StepFailed  # (re-exported: callers catch coverage.StepFailed)

ROOT = Path(__file__).resolve().parents[1]
NATIVE = ROOT / "gox_ref_native"
COV_DIR = NATIVE / "cov"
LIB = NATIVE / "libgox-cov.so"
FOCUS = ("chan.c", "select.c", "defer.c", "sched.c", "gc.c")
TARGET = 85.0
FUZZ_SEED = 16  # fixed, so that two measurements run the same campaign (its length is by time)


@dataclass(frozen=True)
class FileCoverage:
    file: str  # relative to gox_ref_native/ (src/chan.c)
    covered: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0


@dataclass(frozen=True)
class Report:
    files: list[FileCoverage]
    uncalled: list[str]  # ABI symbols whose function has an execution count of 0
    absent: list[str]  # ABI symbols with no function in the build's coverage data
    steps: dict[str, int]  # the exit status of each step (corpus, fuzz)

    def below_target(self) -> list[FileCoverage]:
        return [f for f in self.files if Path(f.file).name in FOCUS and f.percent < TARGET]


# -- reading gcovr's JSON ----------------------------------------------------------------------------
def file_coverage(summary: Mapping[str, Any]) -> list[FileCoverage]:
    """Per file lines covered and total, from gcovr's ``--json-summary`` output, sorted by name."""
    rows = [FileCoverage(str(f["filename"]), int(f["line_covered"]), int(f["line_total"])) for f in summary["files"]]
    return sorted(rows, key=lambda r: r.file)


def function_counts(detail: Mapping[str, Any]) -> dict[str, int]:
    """Each function's execution count, from gcovr's ``--json`` output (a function gcovr lists
    in several files, an inline one of a header, counts the sum)."""
    counts: dict[str, int] = {}
    for f in detail["files"]:
        for fn in f["functions"]:
            name = str(fn["name"])
            counts[name] = counts.get(name, 0) + int(fn["execution_count"])
    return counts


def symbol_gaps(counts: Mapping[str, int], symbols: Sequence[str]) -> tuple[list[str], list[str]]:
    """The ABI symbols never called, and those the coverage data has no function for."""
    uncalled = [s for s in symbols if counts.get(s) == 0]
    absent = [s for s in symbols if s not in counts]
    return uncalled, absent


def make_report(summary: Mapping[str, Any], detail: Mapping[str, Any], symbols: Sequence[str],
                steps: dict[str, int]) -> Report:
    uncalled, absent = symbol_gaps(function_counts(detail), symbols)
    return Report(file_coverage(summary), uncalled, absent, steps)


def render(report: Report) -> str:
    """The table: per file lines covered / total and percent (``*`` marks a FOCUS file under
    TARGET), then the ABI symbols never called."""
    width = max((len(f.file) for f in report.files), default=4)
    out = [f"{'file':<{width}}  {'lines':>11}  {'cover':>6}"]
    covered = total = 0
    for f in report.files:
        mark = " *" if f in report.below_target() else ""
        out.append(f"{f.file:<{width}}  {f.covered:>5}/{f.total:<5}  {f.percent:>5.1f}%{mark}")
        covered += f.covered
        total += f.total
    out.append(f"{'total':<{width}}  {covered:>5}/{total:<5}  {FileCoverage('', covered, total).percent:>5.1f}%")
    if report.below_target():
        out.append(f"* below the {TARGET:.0f}% target for {', '.join(FOCUS)}")
    out.append(f"ABI symbols never called ({len(report.uncalled)}):")
    out.extend(f"  {s}" for s in report.uncalled)
    if report.absent:
        out.append(f"ABI symbols not in the coverage data ({len(report.absent)}):")
        out.extend(f"  {s}" for s in report.absent)
    failed = {k: v for k, v in report.steps.items() if v != 0}
    if failed:
        out.append("steps with a non-zero status (their runs count all the same): "
                   + ", ".join(f"{k} {v}" for k, v in failed.items()))
    return "\n".join(out) + "\n"


def to_json(report: Report) -> str:
    files = [{**asdict(f), "percent": round(f.percent, 1)} for f in report.files]
    return json.dumps({"files": files, "uncalled": report.uncalled, "absent": report.absent,
                       "steps": report.steps, "focus": list(FOCUS), "target": TARGET,
                       "below_target": [f.file for f in report.below_target()]}, indent=2) + "\n"


# -- the measurement ---------------------------------------------------------------------------------
def reset_counters() -> None:
    for p in COV_DIR.glob("*.gcda"):
        p.unlink()


def gox_ref(args: list[str], env: Mapping[str, str]) -> int:
    return variant.gox_ref(ROOT, args, env, tag="coverage").returncode


def run_gcovr(root: Path, cov_dir: Path, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """gcovr's summary and detailed JSON for the counters in ``cov_dir`` (file names relative
    to ``root``)."""
    summary, detail = out / "summary.json", out / "detail.json"
    cmd = [sys.executable, "-m", "gcovr", "--root", str(root), "--json-summary", str(summary),
           "--json", str(detail), str(cov_dir)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    except OSError as e:
        raise StepFailed(f"cannot run gcovr: {e}") from None
    if proc.returncode != 0:
        if "No module named gcovr" in proc.stderr:
            raise StepFailed("gcovr is not installed: pip install 'gox-ref[coverage]' (or pip install gcovr)")
        raise StepFailed(f"gcovr failed:\n{proc.stderr.strip()}")
    loaded: tuple[dict[str, Any], dict[str, Any]] = (json.loads(summary.read_text()), json.loads(detail.read_text()))
    return loaded


def measure(seconds: float, workers: int, tests: Sequence[str] = ()) -> Report:
    from gox_abi.abi import SYMBOLS

    variant.make(NATIVE, "coverage")
    reset_counters()
    with tempfile.TemporaryDirectory(prefix="gox-cov.") as td:
        tmp = Path(td)
        env = variant.gox_env(ROOT, LIB, tmp / "cache")  # programs built against this build of the library
        steps = {
            "corpus": gox_ref(["conformance", "--backend", "native"], env),
            "corpus --workers 4": gox_ref(["conformance", "--backend", "native", "--workers", "4"], env),
            "fuzz": gox_ref(["fuzz", "--seconds", str(seconds), "--seed", str(FUZZ_SEED), "--workers",
                             str(workers), "--out", str(tmp / "fuzz-out")], env),
        }
        if tests:
            print(f"coverage: pytest {' '.join(tests)}", file=sys.stderr, flush=True)
            cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *tests]
            steps["pytest"] = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL).returncode
        summary, detail = run_gcovr(NATIVE, COV_DIR, tmp)
    return make_report(summary, detail, [s.name for s in SYMBOLS], steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0, help="the fuzz campaign's length (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="the fuzz campaign's processes (default 2)")
    parser.add_argument("--json", action="store_true", help="a JSON report on stdout")
    parser.add_argument("--pytest", nargs="+", default=[], metavar="TEST",
                        help="also run these test files against the coverage build (not part of the target)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.workers < 1:
        parser.error("--seconds must be positive and --workers at least 1")
    sys.path.insert(0, str(ROOT))
    try:
        report = measure(args.seconds, args.workers, args.pytest)
    except StepFailed as e:
        print(f"coverage: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(to_json(report) if args.json else render(report))
    return 1 if report.below_target() else 0


if __name__ == "__main__":
    sys.exit(main())
