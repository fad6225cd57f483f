"""Expected-failure lists (``gox-ref conformance --expect-fail FILE``), test262's and Go's testdir
practice: a runtime under test names the cases it is known to fail, each with a reason, and the
run stays green while they fail.

The file is YAML, a list of entries, each an ``id`` (a case id as the report prints it, e.g.
``chan/buffered_fifo``) and a non-empty ``reason``::

    - id: chan/buffered_fifo
      reason: our buffered channels are LIFO (bug 12)

A listed case that fails is reported ``xfail`` and does not fail the run; a listed case that
passes is ``xpass`` and fails it, so the list can only shrink as the runtime gets fixed.  An id
that names no case of the run's corpus is an error (a typo would otherwise hide nothing and
match nothing); a run of a part of a corpus may list the rest (``corpus.known_case_ids``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from .corpus import CaseResult


class ExpectFailError(Exception):
    """The list cannot be used: unreadable, not YAML, or an entry of the wrong shape."""


def load(path: Path) -> dict[str, str]:
    """The list as {case id: reason}."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ExpectFailError(f"{path}: cannot read the expected-failure list: {e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ExpectFailError(f"{path}: not YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, list):
        raise ExpectFailError(f"{path}: expected a YAML list of entries (- id: CASE, reason: WHY), got a "
                              f"{type(data).__name__}")
    out: dict[str, str] = {}
    for k, entry in enumerate(data, 1):
        where = f"{path}: entry {k}"
        if not isinstance(entry, dict) or set(entry) != {"id", "reason"}:
            raise ExpectFailError(f"{where}: expected exactly the keys id and reason, got {entry!r}")
        cid, why = entry["id"], entry["reason"]
        if not isinstance(cid, str) or not cid:
            raise ExpectFailError(f"{where}: id must be a case id such as chan/buffered_fifo, got {cid!r}")
        if not isinstance(why, str) or not why.strip():
            raise ExpectFailError(f"{where} ({cid}): reason must be a non-empty string, got {why!r}")
        if cid in out:
            raise ExpectFailError(f"{where}: {cid} is listed twice")
        out[cid] = why.strip()
    return out


def check_ids(expected: dict[str, str], case_ids: Iterable[str], path: Path) -> None:
    """Every listed id names one of ``case_ids`` (the run's corpus)."""
    unknown = sorted(set(expected) - set(case_ids))
    if unknown:
        raise ExpectFailError(f"{path}: {len(unknown)} listed id(s) name no case of this run's corpus: {', '.join(unknown)}")


def apply(results: list[CaseResult], expected: dict[str, str]) -> list[CaseResult]:
    """A listed failure becomes xfail (the reason: the list's, then the failure's); a listed
    pass becomes xpass; everything else is as it was."""
    out = []
    for r in results:
        why = expected.get(r.id)
        if why is not None and r.result == "failed":
            r = replace(r, result="xfail", reason=f"{why}; it failed: {r.reason}")
        elif why is not None and r.result == "passed":
            r = replace(r, result="xpass", reason=f"listed as an expected failure ({why}) but passed: "
                                                  "take it off the list")
        out.append(r)
    return out
