"""Conformance cases: the metadata header, running a program, and matching its outcome.

A case file is a program whose first lines are a header block (docs/PROGRAM_FORMAT.md,
"Case files")::

    /*---
    description: one line
    spec: where the rule comes from
    expect: stdout | panic | fatal | reject
    ...
    ---*/
"""

from __future__ import annotations

import difflib
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gox_abi.errors import GoxABIError
from gox_ref import RefRuntime
from gox_ref.rng import check_seed

from .check import load
from .interp import Interpreter, RunnerLimit
from .limits import DEFAULT_STEPS, REF_MAX_DEPTH
from .syntax import Program, ProgramError

if TYPE_CHECKING:
    import yaml

FORMAT_VERSION = "1"
EXPECTS = ("stdout", "panic", "fatal", "reject")
FEATURES = frozenset({
    "arrays", "chan", "checkpoint", "closures", "deadlock", "deep", "defer", "float", "gc", "globals", "go",
    "iface", "iter", "maps", "panic", "recover", "select", "slices", "strings", "structs", "tcall", "time",
})
KEYS = (
    "description", "spec", "info", "expect", "stdout", "message", "status", "line", "features", "seed",
    "go", "go-min-version", "schedule",
)
# The fields of the `go` key: where the Go twin (NAME.go beside the case) legitimately differs
# from the case's expectation (gox_program/gotwin.py; docs/PROGRAM_FORMAT.md, "Go twins").
GO_FIELDS: dict[str, type] = {"status": int, "stdout": str, "stderr": str, "stderr_prefix": str}
GO_VERSION_RE = re.compile(r"1\.(0|[1-9][0-9]*)")
RUNNER_ERROR_STATUS = 3
DIFF_CONTEXT = 3  # lines of context around the first difference in a failure's diff
STDERR_LINES = 20  # lines of stderr a failure shows
LONG_LINE = 240  # a shown line longer than this is cut to a window around the first difference
BINARY_PREFIX = 8000  # a NUL byte in this many leading bytes makes a file binary (git's rule)


class CaseError(Exception):
    """A malformed case header; ``str(e)`` is ``file:line: message``."""


class UnreadableSource(Exception):
    """A program or case file that is not UTF-8 text, or cannot be read: ``str(e)`` says so in
    words (``FILE: a binary file ...``), never with a codec's message."""


def read_source(path: Path) -> str:
    """The text of a program or case file: UTF-8 without NUL bytes; else UnreadableSource."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableSource(f"{path}: cannot be read: {e.strerror or e}") from None
    nul = data.find(b"\0", 0, BINARY_PREFIX)
    if nul >= 0:
        raise UnreadableSource(f"{path}: a binary file (a NUL byte at {_where(data, nul)}), not program text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnreadableSource(
            f"{path}: not UTF-8 text (byte {data[e.start]:#04x} at {_where(data, e.start)} is not valid UTF-8)"
        ) from None


def _where(data: bytes, i: int) -> str:
    """``line L, column C`` of byte offset ``i`` (both 1-based; the column counts bytes)."""
    line, column = data.count(b"\n", 0, i) + 1, i - data.rfind(b"\n", 0, i)
    return f"line {line}, column {column}"


def case_id_and_group(path: Path, root: Path) -> tuple[str, str]:
    """A case's id (its path relative to ``root``, without the suffix) and its group (the id's
    first directory; ``.`` for a case directly in the root)."""
    p = path.resolve()
    try:
        rel = p.relative_to(root.resolve())
    except ValueError:
        rel = Path(p.name)
    return rel.with_suffix("").as_posix(), rel.parts[0] if len(rel.parts) > 1 else "."


@dataclass
class Case:
    path: Path
    id: str
    group: str
    source: str
    description: str
    spec: str
    expect: str
    stdout: bytes = b""
    message: str = ""
    status: int = 0
    line: int | None = None
    features: tuple[str, ...] = ()
    seed: int = 0
    info: str = ""
    go: dict[str, Any] | None = None  # where the Go twin's outcome differs from the expectation
    go_min_version: str = ""  # the oldest Go release whose behaviour the case's expectation matches
    schedule: str = ""  # why the output depends on the schedule (not run with several workers)


def _go_outcome(v: Any, file: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise CaseError(f"{file}:1: 'go' must be a JSON object like {{\"status\": 0, \"stdout\": \"\"}}")
    for k, val in v.items():
        typ = GO_FIELDS.get(k)
        if typ is None:
            raise CaseError(f"{file}:1: unknown field {k!r} in 'go'; expected one of {', '.join(GO_FIELDS)}")
        if not isinstance(val, typ) or (typ is int and isinstance(val, bool)):
            raise CaseError(f"{file}:1: 'go' field {k!r} must be a {typ.__name__}")
    if "stderr" in v and "stderr_prefix" in v:
        raise CaseError(f"{file}:1: 'go' takes stderr or stderr_prefix, not both")
    return dict(v)


@functools.cache
def _header_loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, refusing a key given twice (safe_load keeps the last one).  Made
    on first use: a program without a header (``gox-ref run prog.gox``) never imports PyYAML."""
    import yaml

    class HeaderLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"{key} given twice", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)

    return HeaderLoader


def parse_header(text: str, file: str) -> tuple[dict[str, Any], int]:
    """The header's keys (YAML between the ``/*---`` and ``---*/`` lines, test262's front matter,
    read by PyYAML's safe loader; then the keys are checked against KEYS); and the number of
    lines it spans."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "/*---":
        raise CaseError(f"{file}:1: a case starts with a '/*---' header line")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---*/"), None)
    if end is None:
        raise CaseError(f"{file}:{len(lines)}: the header has no closing '---*/' line")
    import yaml

    try:
        # (each header line ends with its newline, the last too: a `|` block there keeps it)
        data = yaml.load("".join(ln + "\n" for ln in lines[1:end]), Loader=_header_loader())  # (a SafeLoader)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 2 if e.problem_mark is not None else 1
        raise CaseError(f"{file}:{line}: the header is not valid YAML: {e.problem}") from None
    except yaml.YAMLError as e:
        raise CaseError(f"{file}:1: the header is not valid YAML: {e}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CaseError(f"{file}:2: the header is YAML 'key: value' lines, not a {type(data).__name__}")
    for key in data:
        if key not in KEYS:
            raise CaseError(f"{file}:1: unknown header key {key!r}; expected one of {', '.join(KEYS)}")
    return data, end + 1


def header_seed(hdr: dict[str, Any], file: str) -> int:
    """The header's ``seed`` (0 if absent): an integer in 0..2^64-1 (``rng.check_seed``)."""
    seed = hdr.get("seed", 0)
    if not isinstance(seed, int):
        raise CaseError(f"{file}:1: 'seed' must be an int")
    try:
        check_seed(seed)
    except ValueError as e:
        raise CaseError(f"{file}:1: {e}") from None
    return seed


def case_from_text(text: str, path: Path, case_id: str, group: str) -> Case:
    file = str(path)
    hdr, _ = parse_header(text, file)

    def need(key: str, typ: type) -> Any:
        if key not in hdr:
            raise CaseError(f"{file}:1: the header needs '{key}'")
        v = hdr[key]
        if typ is str and isinstance(v, int):
            v = str(v)
        if not isinstance(v, typ):
            raise CaseError(f"{file}:1: '{key}' must be a {typ.__name__}")
        return v

    expect = need("expect", str)
    if expect not in EXPECTS:
        raise CaseError(f"{file}:1: expect must be one of {', '.join(EXPECTS)}, not {expect!r}")
    features = tuple(need("features", list))
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise CaseError(f"{file}:1: unknown feature {unknown[0]!r}; known: {', '.join(sorted(FEATURES))}")
    case = Case(
        path=path, id=case_id, group=group, source=text,
        description=need("description", str), spec=need("spec", str), expect=expect,
        features=features, info=str(hdr.get("info", "")),
    )
    stdout = hdr.get("stdout", "")
    if not isinstance(stdout, str):
        stdout = str(stdout)
    case.stdout = stdout.encode()
    if expect != "stdout":
        case.message = need("message", str)
    if expect != "reject":  # (expect: stdout with a status: a program that ends by os.Exit)
        status = hdr.get("status", 0 if expect == "stdout" else 2)
        if not isinstance(status, int):
            raise CaseError(f"{file}:1: 'status' must be an int")
        case.status = status
    line = hdr.get("line")
    if line is not None:
        if not isinstance(line, int) or expect != "reject":
            raise CaseError(f"{file}:1: 'line' is an int, and only for expect: reject")
        case.line = line
    case.seed = header_seed(hdr, file)
    schedule = hdr.get("schedule", "")
    if not isinstance(schedule, str):
        raise CaseError(f"{file}:1: 'schedule' must be a string (why the output depends on the schedule)")
    case.schedule = schedule
    if "go" in hdr:
        case.go = _go_outcome(hdr["go"], file)
    if "go-min-version" in hdr:
        ver = hdr["go-min-version"]
        if not isinstance(ver, str) or not GO_VERSION_RE.fullmatch(ver):
            raise CaseError(f"{file}:1: 'go-min-version' must be a Go release like \"1.21\"")
        case.go_min_version = ver
    return case


def load_case(path: Path, root: Path | None = None) -> Case:
    """The case in ``path`` (its id relative to ``root``); CaseError for a malformed header,
    UnreadableSource for a file that is not text."""
    text = read_source(path)
    case_id, group = case_id_and_group(path, root if root is not None else path.resolve().parent)
    return case_from_text(text, path, case_id, group)


@dataclass
class Outcome:
    status: int | None  # None: rejected at load time
    stdout: bytes = b""
    stderr: bytes = b""
    reject: ProgramError | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def execute(
    prog: Program,
    *,
    seed: int,
    out: Any,
    err: Any,
    fuel: int = DEFAULT_STEPS,
    max_depth: int = REF_MAX_DEPTH,
    on_checkpoint: Callable[[RefRuntime, str], None] | None = None,
    rt: RefRuntime | None = None,
    lines: bool = False,
    on_start: Callable[[Interpreter], None] | None = None,
) -> int:
    """Run a loaded program on a fresh reference runtime; returns the exit status.
    ``lines`` makes each frame keep its current line; ``on_start`` sees the interpreter
    before it runs (``gox-ref show`` reads its call stacks).

    0: main returned; ``code & 0xFF``: ``gox_os_exit(code)``; 2: an unrecovered panic or a
    fatal error (Go's report on ``err``);
    3: the runner stopped the program (a broken ABI contract or the step budget).
    """
    rt = rt if rt is not None else RefRuntime()
    rt.set_output(out, err)
    hook = None if on_checkpoint is None else (lambda label: on_checkpoint(rt, label))
    interp = Interpreter(prog, rt, fuel=fuel, max_depth=max_depth, on_checkpoint=hook, lines=lines)
    if on_start is not None:
        on_start(interp)
    try:
        status = interp.run(seed=seed)
    except GoxABIError as e:
        err.write(f"gox-ref: ABI error: {e}\n".encode())
        status = RUNNER_ERROR_STATUS
    except RunnerLimit as e:
        err.write(f"gox-ref: {e}\n".encode())
        status = RUNNER_ERROR_STATUS
    except RecursionError:
        err.write(b"fatal error: stack overflow\n")
        status = 2
    return status


def run_text(text: str, file: str, seed: int, fuel: int = DEFAULT_STEPS, max_depth: int = REF_MAX_DEPTH) -> Outcome:
    """Load and run a program held in memory, capturing its output."""
    try:
        prog = load(text, file)
    except ProgramError as e:
        return Outcome(None, reject=e)
    out, err = io.BytesIO(), io.BytesIO()
    status = execute(prog, seed=seed, out=out, err=err, fuel=fuel, max_depth=max_depth)
    return Outcome(status, out.getvalue(), err.getvalue())


def report_line(stderr: bytes) -> str:
    """The first line of stderr that is a panic or fatal report ("" if none)."""
    for ln in stderr.decode("utf-8", "replace").split("\n"):
        if ln.startswith(("panic: ", "fatal error: ")):
            return ln
    return ""


def output_lines(data: bytes) -> list[bytes]:
    """The output's lines, each with its newline (the last may lack one)."""
    parts = data.split(b"\n")
    return [p + b"\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def show_line(line: bytes) -> str:
    """A line of output for a report: its text, as a Python string literal if it is not plain
    text (or ends in white space, which would not show); a line without its newline (the
    output's last) says so."""
    text = line.decode("utf-8", "replace")
    body = text[:-1] if text.endswith("\n") else text
    shown = body if body.isprintable() and body == body.rstrip() else repr(body)
    return shown if text.endswith("\n") else f"{shown}  (no newline at end)"


def output_diff(kind: str, expected: bytes, got: bytes) -> str:
    """How two outputs differ: the first hunk of their unified diff (difflib), the first
    differing line with up to DIFF_CONTEXT lines around it, indented for a report."""
    a = [show_line(x) for x in output_lines(expected)]
    b = [show_line(x) for x in output_lines(got)]
    lines = list(difflib.unified_diff(a, b, f"expected {kind}", f"got {kind}", n=DIFF_CONTEXT, lineterm=""))
    hunks = [i for i, ln in enumerate(lines) if ln.startswith("@@")]
    first = lines[: hunks[1]] if len(hunks) > 1 else lines
    out = [f"    {ln}" for ln in _clip(first)]
    if len(hunks) > 1:
        out.append(f"    ... and {len(hunks) - 1} more place{'s' if len(hunks) > 2 else ''} where they differ")
    return "\n".join(out)


def _clip(diff: list[str]) -> list[str]:
    """Cut long lines of a hunk to one window around the column where its first removed and
    added lines part, so that a difference far into a long line still shows."""
    old = next((ln[1:] for ln in diff[2:] if ln.startswith("-")), "")
    new = next((ln[1:] for ln in diff[2:] if ln.startswith("+")), "")
    col = next((i for i, (x, y) in enumerate(zip(old, new, strict=False)) if x != y), min(len(old), len(new)))
    lo = max(0, col - LONG_LINE // 3)
    out = diff[:2]
    for ln in diff[2:]:
        body = ln[1:]
        if len(body) > LONG_LINE:
            cut = body[lo:lo + LONG_LINE]
            body = ("..." if lo else "") + cut + ("..." if lo + LONG_LINE < len(body) else "")
        out.append(ln[0] + body)
    return out


def _stderr_excerpt(stderr: bytes) -> str:
    """The program's stderr for a report: its first STDERR_LINES lines, indented."""
    lines = output_lines(stderr)
    if not lines:
        return "    <empty stderr>"
    shown = [f"    {show_line(x)}" for x in lines[:STDERR_LINES]]
    if len(lines) > STDERR_LINES:
        shown.append(f"    ... ({len(lines) - STDERR_LINES} more lines)")
    return "\n".join(shown)


def mismatch(case: Case, o: Outcome) -> str | None:
    """Why the outcome does not meet the case's expectation (None when it does)."""
    if case.expect == "reject":
        if o.reject is None:
            return f"expected load-time rejection {case.message!r}, but the program loaded (exit status {o.status})"
        if not o.reject.msg.startswith(case.message):
            return f"rejected with {o.reject.msg!r}, expected a message starting with {case.message!r}"
        if case.line is not None and o.reject.line != case.line:
            return f"rejected at line {o.reject.line}, expected line {case.line}"
        return None
    if o.reject is not None:
        return f"rejected at load time: {o.reject}"
    if o.stdout != case.stdout:
        return f"stdout differs from the expected:\n{output_diff('stdout', case.stdout, o.stdout)}"
    if case.expect == "stdout":
        if o.status != case.status:
            return f"exit status {o.status}, expected {case.status}; stderr:\n{_stderr_excerpt(o.stderr)}"
        return None
    want = ("panic: " if case.expect == "panic" else "fatal error: ") + case.message
    got = report_line(o.stderr)
    if not got.startswith(want):
        return f"stderr report {got!r} does not start with {want!r}; stderr:\n{_stderr_excerpt(o.stderr)}"
    if o.status != case.status:
        return f"exit status {o.status}, expected {case.status}"
    return None
