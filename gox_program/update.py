"""``gox-ref conformance --update``: rewrite cases' expected stdout from the reference, Go's
``-update`` workflow (``go test ./... -update`` rewriting golden files).

For each case the reference runs the program; when its stdout differs from the case's, the
header's ``stdout`` is rewritten in place, the rest of the file untouched.  Refused, with the
reason, and left as it is:

* a case whose reference run differs in more than stdout (its status or report): that is not an
  expectation to refresh but a case or a runtime to fix by hand;
* a case with a Go twin unless Go agrees: its twin, run with the installed Go, must meet the case
  with the new stdout (the twin rule, gotwin.py); without Go the case is refused;
* a ``reject`` case (no run), and output that is not UTF-8 text (a header is text).

The new value is a YAML block (``|``, ``|-`` without a final newline) when the output reads as
lines of text, else a double-quoted string with escapes; either way the rewritten header is read
back and must give exactly the new bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import gotwin
from .case import Case, CaseError, UnreadableSource, case_from_text, case_id_and_group, load_case, mismatch
from .check import load
from .corpus import root_for, run_reference
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .syntax import ProgramError


@dataclass
class Update:
    id: str
    result: str  # updated, unchanged, refused
    reason: str = ""


def update_case(path: Path, go: gotwin.Go | None, limits: Limits = DEFAULT_LIMITS) -> Update:
    root = root_for(path)
    case_id, _ = case_id_and_group(path, root)
    try:
        case = load_case(path, root)
    except (CaseError, UnreadableSource) as e:
        return Update(case_id, "refused", f"malformed case: {e}" if isinstance(e, CaseError) else str(e))
    if case.expect == "reject":
        return Update(case_id, "refused", "a reject case has no run, so no stdout to update")
    try:
        outcome = run_reference(load(case.source, str(path)), case.seed, limits=limits)
    except ProgramError as e:
        return Update(case_id, "refused", f"the program does not load: {e}")
    new = replace(case, stdout=outcome.stdout)
    why = mismatch(new, outcome)
    if why is not None:
        return Update(case_id, "refused", f"the reference differs in more than stdout: {why}")
    if outcome.stdout == case.stdout:
        return Update(case_id, "unchanged")
    try:
        text = outcome.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return Update(case_id, "refused", "the reference's stdout is not UTF-8 text, which a header cannot hold")
    if gotwin.twin_of(path).is_file():
        if go is None:
            return Update(case_id, "refused", f"it has a Go twin {gotwin.twin_of(path).name} and no Go is installed "
                                              "to check the new stdout against")
        kind, why, _ = gotwin.check_twin(go, new)
        if kind != "passed":
            return Update(case_id, "refused", f"its Go twin does not agree with the new stdout: {why}")
    source = with_stdout(case, text)
    check = case_from_text(source, path, case.id, case.group)
    if check.stdout != outcome.stdout:  # pragma: no cover - with_stdout's rendering is read back exactly
        return Update(case_id, "refused", "the rewritten header does not read back as the new stdout")
    path.write_text(source, encoding="utf-8")
    return Update(case_id, "updated")


def render(text: str) -> list[str]:
    """The header lines of ``stdout: <text>`` (none for the empty text: absent means empty)."""
    if not text:
        return []
    lines = (text[:-1] if text.endswith("\n") else text).split("\n")
    # a block when every line reads as itself there: printable, no trailing blanks (kept, but
    # invisible), not the header's end; the first line not blank or indented (YAML takes the
    # block's indentation from it); one final newline at most (a block keeps only one)
    plain = (all(ln.isprintable() and ln == ln.rstrip() and ln.strip() != "---*/" for ln in lines)
             and lines[0].strip() == lines[0] != "" and not text.endswith("\n\n"))
    if not plain:
        return ["stdout: " + quoted(text)]
    return [f"stdout: {'|' if text.endswith(chr(10)) else '|-'}", *("  " + ln if ln else "" for ln in lines)]


# what a YAML stream may hold (PyYAML's reader), less the characters YAML 1.1 takes for line
# breaks inside a quoted scalar (NEL, LS, PS): the rest is written as an escape
_RAW_OK = re.compile("[\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar: JSON's string (whose escapes YAML shares), and
    YAML's ``\\u``/``\\U`` escapes for what a YAML stream may not hold raw."""
    def esc(c: str) -> str:
        return c if _RAW_OK.fullmatch(c) else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"

    return "".join(esc(c) for c in json.dumps(text, ensure_ascii=False))


def with_stdout(case: Case, text: str) -> str:
    """The case file's text with its header's stdout replaced by ``text``."""
    lines = case.source.split("\n")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---*/")  # (the case loaded: it has one)
    start = next((i for i in range(1, end) if lines[i].startswith("stdout:")), None)
    if start is None:  # no stdout yet: after expect
        at = next((i + 1 for i in range(1, end) if lines[i].startswith("expect:")), end)
        return "\n".join(lines[:at] + render(text) + lines[at:])
    stop = start + 1  # the old value's lines: indented or blank, up to the next key or the end
    while stop < end and (lines[stop].startswith((" ", "\t")) or not lines[stop].strip()):
        stop += 1
    while stop > start + 1 and not lines[stop - 1].strip():  # (blank lines before the next key stay)
        stop -= 1
    return "\n".join(lines[:start] + render(text) + lines[stop:])
