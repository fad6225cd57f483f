"""Every conformance case is a pytest parameter (docs/PROGRAM_FORMAT.md, "Interpreting the corpus")."""

from __future__ import annotations

from pathlib import Path

import pytest

from gox_program.corpus import CORPUS_ROOT, case_id_of, discover, run_case_file, summarize

CASES = discover()


def test_corpus_is_big_enough_and_covers_every_group() -> None:
    groups = {case_id_of(p).split("/")[0] for p in CASES}
    assert len(CASES) >= 40
    assert {"basics", "strings", "slices", "maps", "closures", "gc", "chan", "select", "defer", "errors", "reject"} <= groups


@pytest.mark.parametrize("path", CASES, ids=[case_id_of(p) for p in CASES])
def test_case(path: Path) -> None:
    r = run_case_file(path)
    if r.result == "skipped":
        pytest.skip(r.reason)
    assert r.result == "passed", r.reason


def test_summary_counts_by_group() -> None:
    rs = [run_case_file(CORPUS_ROOT / "basics" / "hello.gox")]
    assert summarize(rs) == {"basics": {"passed": 1, "failed": 0, "skipped": 0}}
