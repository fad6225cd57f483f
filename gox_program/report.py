"""What ``gox-ref conformance`` reports of a run: the text for a person, JSON for a script, and
JUnit XML for a CI server (the format Jenkins, GitLab and GitHub's test reporters read; written
with the standard library's ElementTree).

Every case carries the time it took (``CaseResult.seconds``: load, build and every run).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from .corpus import CaseResult
from .terminal import paint

# a result's tag in the text and its colour on a terminal
TAGS = {"passed": ("PASS", "green"), "failed": ("FAIL", "red"), "skipped": ("SKIP", "dim"),
        "xfail": ("XFAIL", "yellow"), "xpass": ("XPASS", "red")}


def text(results: list[CaseResult], groups: dict[str, dict[str, int]], kinds: tuple[str, ...], *,
         verbose: bool = False, slowest: int = 0, out: TextIO | None = None) -> None:
    """A line for each case that did not simply pass (every case, each with its time, with
    ``verbose``), in corpus order; the table of results per group; the ``slowest`` cases (on ``out``,
    by default stdout)."""
    out = out or sys.stdout
    for r in results:
        if r.result != "passed" or verbose:
            tag, colour = TAGS[r.result]
            took = f" ({r.seconds:.2f} s)" if verbose else ""
            why = f": {r.reason}" if r.reason else ""
            print(f"{paint(tag, colour, out)} {r.id}{took}{why}", file=out)
    widths = [max(7, len(k) + 1) for k in kinds]
    print(f"{'group':<14}" + "".join(f" {k:>{w}}" for k, w in zip(kinds, widths, strict=True)), file=out)
    tot = dict.fromkeys(kinds, 0)
    for g, c in groups.items():
        print(f"{g:<14}" + "".join(f" {c[k]:>{w}}" for k, w in zip(kinds, widths, strict=True)), file=out)
        for k in tot:
            tot[k] += c[k]
    print(f"{'total':<14}" + "".join(f" {tot[k]:>{w}}" for k, w in zip(kinds, widths, strict=True)), file=out)
    if slowest > 0 and results:
        print(f"slowest {min(slowest, len(results))}:", file=out)
        for r in sorted(results, key=lambda r: -r.seconds)[:slowest]:
            print(f"{r.seconds:8.2f} s  {r.id} ({r.result})", file=out)


def as_json(results: list[CaseResult], groups: dict[str, dict[str, int]], **meta: object) -> str:
    return json.dumps({
        **meta,
        "groups": groups,
        "cases": [{"id": r.id, "group": r.group, "path": r.path, "result": r.result, "reason": r.reason,
                   "seconds": round(r.seconds, 4)} for r in results],
    }, indent=2)


def junit_xml(results: list[CaseResult], path: Path, suite: str, library: dict[str, str] | None = None) -> None:
    """One testsuite of one testcase per case (classname: its group, name: its id).  Failed and
    xpass are failures; skipped and xfail are skipped (pytest's --junitxml does the same).  The
    native library, if any, is a property of the suite (library, library_sha256)."""
    def count(*kinds: str) -> str:
        return str(sum(r.result in kinds for r in results))

    root = ET.Element("testsuites")
    ts = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)), failures=count("failed", "xpass"),
                       errors="0", skipped=count("skipped", "xfail"), time=f"{sum(r.seconds for r in results):.3f}")
    if library is not None:
        props = ET.SubElement(ts, "properties")
        ET.SubElement(props, "property", name="library", value=library["path"])
        ET.SubElement(props, "property", name="library_sha256", value=library["sha256"])
    for r in results:
        tc = ET.SubElement(ts, "testcase", classname=r.group, name=r.id, file=r.path, time=f"{r.seconds:.3f}")
        first = r.reason.split("\n", 1)[0]
        if r.result in ("failed", "xpass"):
            ET.SubElement(tc, "failure", message=first).text = r.reason
        elif r.result == "skipped":
            ET.SubElement(tc, "skipped", message=first)
        elif r.result == "xfail":
            ET.SubElement(tc, "skipped", type="pytest.xfail", message=first)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
