"""Running the conformance corpus (used by ``gox-ref conformance`` and by pytest)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .case import FEATURES, Case, CaseError, load_case, mismatch, run_text

CORPUS_ROOT = Path(__file__).resolve().parents[2] / "conformance"
SUFFIX = ".gox"
BACKENDS = {"ref": FEATURES}  # backend -> the features it supports


@dataclass
class CaseResult:
    id: str
    group: str
    path: str
    result: str  # passed, failed, skipped
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
    """The corpus root a case's id is relative to: the nearest ``conformance`` directory."""
    for parent in path.resolve().parents:
        if parent.name == "conformance":
            return parent
    return path.resolve().parent


def run_case_file(path: Path, backend: str = "ref") -> CaseResult:
    t0 = time.perf_counter()
    root = root_for(path)
    try:
        case = load_case(path, root)
    except (CaseError, UnicodeDecodeError) as e:
        rel = path.resolve().relative_to(root) if path.resolve().is_relative_to(root) else Path(path.name)
        group = rel.parts[0] if len(rel.parts) > 1 else "."
        return CaseResult(rel.with_suffix("").as_posix(), group, str(path), "failed", f"malformed case: {e}")
    return run_case(case, backend, t0)


def run_case(case: Case, backend: str = "ref", t0: float | None = None) -> CaseResult:
    t0 = time.perf_counter() if t0 is None else t0
    supported = BACKENDS[backend]
    missing = [f for f in case.features if f not in supported]
    if missing:
        return CaseResult(case.id, case.group, str(case.path), "skipped", f"backend {backend} lacks {', '.join(missing)}")
    outcome = run_text(case.source, str(case.path), case.seed)
    why = mismatch(case, outcome)
    return CaseResult(
        case.id, case.group, str(case.path), "failed" if why else "passed", why or "", time.perf_counter() - t0
    )


def run_corpus(
    files: list[Path],
    backend: str = "ref",
    pattern: str | None = None,
    progress: Callable[[int, int, CaseResult], None] | None = None,
) -> list[CaseResult]:
    chosen = [f for f in files if pattern is None or pattern in case_id_of(f)]
    results = []
    for i, f in enumerate(chosen):
        r = run_case_file(f, backend)
        results.append(r)
        if progress is not None:
            progress(i + 1, len(chosen), r)
    return results


def case_id_of(path: Path) -> str:
    root = root_for(path)
    p = path.resolve()
    rel = p.relative_to(root) if p.is_relative_to(root) else Path(path.name)
    return rel.with_suffix("").as_posix()


def summarize(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    groups: dict[str, dict[str, int]] = {}
    for r in results:
        g = groups.setdefault(r.group, {"passed": 0, "failed": 0, "skipped": 0})
        g[r.result] += 1
    return dict(sorted(groups.items()))
