"""Running the conformance corpus (used by ``gox-ref conformance`` and by pytest)."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gox_ref import RefRuntime

from .case import (
    FEATURES,
    Case,
    CaseError,
    Outcome,
    UnreadableSource,
    case_id_and_group,
    execute,
    load_case,
    mismatch,
    run_text,
)
from .check import load
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .native import NativeBuildError, NativeUnavailable, build_text, library, run_exe
from .syntax import Program, ProgramError

CORPUS_ROOT = Path(__file__).resolve().parents[1] / "conformance"
SUFFIX = ".gox"
# backend -> the features it may support; "deep": recursion past the reference's frame limit
# (limits.REF_MAX_DEPTH), which the native backend runs as Go does
BACKENDS = {"ref": FEATURES - {"deep"}, "native": FEATURES}


def run_reference(prog: Program, seed: int, *, trace: bool = False, limits: Limits = DEFAULT_LIMITS) -> Outcome:
    """Run a loaded program on a fresh reference runtime, capturing its output: the outcome
    (status, stdout, stderr), and with ``trace`` the canonical lines of the run's event trace
    in ``outcome.extra["trace"]`` -- the same shape as ``native.run_program(..., trace=True)``."""
    rt = RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    log = rt.start_trace() if trace else None
    try:
        status = execute(prog, seed=seed, out=out, err=err, rt=rt, fuel=limits.steps, max_depth=limits.ref_depth())
    finally:
        rt.stop_trace()
    o = Outcome(status, out.getvalue(), err.getvalue())
    if log is not None:
        o.extra["trace"] = log.canonical()
    return o


@dataclass
class CaseResult:
    id: str
    group: str
    path: str
    result: str  # passed, failed, skipped (RESULTS); xfail, xpass (EXPECTED_RESULTS)
    reason: str = ""
    seconds: float = 0.0


def discover(paths: Iterable[Path] | None = None) -> list[Path]:
    """Case files under the given files and directories (the corpus root by default), sorted."""
    found: list[Path] = []
    for p in paths or [CORPUS_ROOT]:
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob(f"*{SUFFIX}") if q.is_file()))
        elif p.is_file():
            found.append(p)
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return found


def root_for(path: Path) -> Path:
    """The corpus root a case's id is relative to: the nearest ``conformance`` directory; for a
    case outside one, the directory above its own, so that its group is its directory's name
    (``mycases/a.gox``: id ``mycases/a``, group ``mycases``)."""
    p = path.resolve()
    for parent in p.parents:
        if parent.name == "conformance":
            return parent
    return p.parent.parent


def run_case_file(
    path: Path, backend: str = "ref", workers: int | None = None, limits: Limits = DEFAULT_LIMITS, runs: int = 1
) -> CaseResult:
    t0 = time.perf_counter()
    root = root_for(path)
    try:
        case = load_case(path, root)
    except (CaseError, UnreadableSource) as e:
        case_id, group = case_id_and_group(path, root)
        why = f"malformed case: {e}" if isinstance(e, CaseError) else str(e)
        return CaseResult(case_id, group, str(path), "failed", why)
    return run_case(case, backend, t0, workers, limits, runs)


def run_case(
    case: Case, backend: str = "ref", t0: float | None = None, workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS, runs: int = 1,
) -> CaseResult:
    """Run one case; ``workers`` (native only) runs it on that many scheduler threads, where a
    case whose output depends on the schedule (its ``schedule`` key) is skipped; ``runs``
    (native only) runs its executable that many times, and it passes only if every run does."""
    t0 = time.perf_counter() if t0 is None else t0
    if backend == "native":
        return _run_native(case, t0, workers, limits, runs)
    supported = BACKENDS[backend]
    missing = [f for f in case.features if f not in supported]
    if missing:
        return CaseResult(case.id, case.group, str(case.path), "skipped", f"backend {backend} lacks {', '.join(missing)}")
    outcome = run_text(case.source, str(case.path), case.seed, limits.steps, limits.ref_depth())
    why = mismatch(case, outcome)
    return CaseResult(
        case.id, case.group, str(case.path), "failed" if why else "passed", why or "", time.perf_counter() - t0
    )


def _run_native(
    case: Case, t0: float, workers: int | None = None, limits: Limits = DEFAULT_LIMITS, runs: int = 1
) -> CaseResult:
    def result(kind: str, reason: str = "") -> CaseResult:
        return CaseResult(case.id, case.group, str(case.path), kind, reason, time.perf_counter() - t0)

    try:
        load(case.source, str(case.path))
    except ProgramError as e:  # load-time rejection does not depend on the backend
        why = mismatch(case, Outcome(None, reject=e))
        return result("failed" if why else "passed", why or "")
    try:
        lib = library()
    except NativeUnavailable as e:
        return result("skipped", str(e))
    missing = [f for f in case.features if f not in lib.features()]
    if missing:  # (only the scheduler's features depend on the library)
        return result("skipped", f"backend native lacks {', '.join(missing)}: the library {lib.path.name} "
                                 f"does not export the scheduler's {', '.join(lib.sched_missing)}")
    if workers is not None and workers > 1 and case.schedule:
        return result("skipped", f"its output depends on the schedule: {case.schedule}")
    try:
        exe = build_text(case.source, str(case.path), limits)
    except NativeUnavailable as e:
        return result("skipped", str(e))
    except NativeBuildError as e:
        return result("failed", str(e))
    if isinstance(exe, str):
        return result("skipped", exe)
    for k in range(runs):  # parallel mode's stress: every run must pass (issue 17, point 4)
        outcome = exe if isinstance(exe, Outcome) else run_exe(exe, case.seed, workers=workers)
        why = mismatch(case, outcome)
        if why:
            return result("failed", f"run {k + 1} of {runs}: {why}" if runs > 1 else why)
    return result("passed")


def run_corpus(
    files: list[Path],
    backend: str = "ref",
    pattern: str | None = None,
    progress: Callable[[int, int, CaseResult], None] | None = None,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    runs: int = 1,
) -> list[CaseResult]:
    chosen = [f for f in files if pattern is None or pattern in case_id_of(f)]
    results = []
    if backend == "native":  # child processes (and C compiles): run several at once, report in order
        with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
            for i, r in enumerate(pool.map(lambda f: run_case_file(f, backend, workers, limits, runs), chosen)):
                results.append(r)
                if progress is not None:
                    progress(i + 1, len(chosen), r)
        return results
    for i, f in enumerate(chosen):
        r = run_case_file(f, backend, limits=limits)
        results.append(r)
        if progress is not None:
            progress(i + 1, len(chosen), r)
    return results


def case_id_of(path: Path) -> str:
    return case_id_and_group(path, root_for(path))[0]


def known_case_ids(files: Iterable[Path]) -> set[str]:
    """The ids of every case in the corpora the files belong to (each ``conformance`` directory
    above one of them, whole), and of the files themselves: what an expected-failure list may
    name while a run takes a part of its corpus."""
    files = list(files)
    roots = {r for r in map(root_for, files) if r.name == "conformance"}
    return {case_id_of(f) for f in files} | {case_id_of(f) for r in roots for f in discover([r])}


RESULTS = ("passed", "failed", "skipped")
EXPECTED_RESULTS = ("xfail", "xpass")  # with an expected-failure list (gox_program/expectfail.py)


def summarize(results: list[CaseResult], kinds: tuple[str, ...] = RESULTS) -> dict[str, dict[str, int]]:
    """Per group, how many cases ended each way (``kinds``: the columns)."""
    groups: dict[str, dict[str, int]] = {}
    for r in results:
        g = groups.setdefault(r.group, dict.fromkeys(kinds, 0))
        g[r.result] += 1
    return dict(sorted(groups.items()))
