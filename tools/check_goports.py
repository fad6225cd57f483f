#!/usr/bin/env python3
"""Check that the conformance corpus's ports of Go's tests expect what Go does.

Every ``conformance/**/NAME.gox`` with a ``go`` header key is a port of ``NAME.go`` beside it
(a Go test kept verbatim).  Where ``go`` is on PATH this script runs each original with
``go run NAME.go`` and compares its exit status, stdout and stderr with the port's ``go`` key
(docs/PROGRAM_FORMAT.md, "Ports of Go's tests").  Fields the key leaves out come from the
port's own expectation: the status is the port's ``status`` (0 by default for ``expect: stdout``,
2 otherwise); stdout is empty (Go's tests print nothing on success); stderr is empty for
``expect: stdout`` and starts with the port's report line (``panic: MESSAGE``) otherwise.
A port with ``go-min-version`` is skipped, with a message, on an older Go.

Exit status: 0 when every port agrees (or Go is not installed: a skip line is printed),
1 when one does not or an original is missing.  The project's tests do not need Go.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gox_program.case import Case, CaseError, UnreadableSource, load_case  # noqa: E402
from gox_program.corpus import CORPUS_ROOT, discover  # noqa: E402


@dataclass
class Expected:
    status: int
    stdout: str
    stderr: str | None  # exact
    stderr_prefix: str | None


def expected_of(case: Case) -> Expected:
    """What the Go original must do, from the port's ``go`` key and its own expectation."""
    go = case.go or {}
    if case.expect == "stdout":
        status, prefix, stderr = case.status, None, ""
    else:
        word = "panic: " if case.expect == "panic" else "fatal error: "
        status, prefix, stderr = case.status, word + case.message, None
    status = int(go.get("status", status))
    if "stderr" in go:
        stderr, prefix = str(go["stderr"]), None
    elif "stderr_prefix" in go:
        stderr, prefix = None, str(go["stderr_prefix"])
    return Expected(status, str(go.get("stdout", "")), stderr, prefix)


def go_version(go: str) -> tuple[int, int] | None:
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=False).stdout
    m = re.match(r"go(\d+)\.(\d+)", out.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def _version_tuple(v: str) -> tuple[int, int]:
    major, minor = v.split(".")
    return int(major), int(minor)


def check_port(go: str, version: tuple[int, int] | None, case: Case, timeout: float) -> tuple[str, str]:
    """('ok' | 'skip' | 'FAIL', detail)."""
    original = case.path.with_suffix(".go")
    if not original.is_file():
        return "FAIL", f"no Go original {original.name} beside the port"
    if case.go_min_version and version is not None and version < _version_tuple(case.go_min_version):
        have = f"{version[0]}.{version[1]}"
        return "skip", f"needs Go >= {case.go_min_version} (the port follows newer Go; this is Go {have})"
    want = expected_of(case)
    try:
        p = subprocess.run(
            [go, "run", original.name], cwd=original.parent, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "FAIL", f"go run {original.name} timed out after {timeout:g} s"
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    # `go run` reports a non-zero exit of the program as "exit status N" on its own stderr line
    # (and exits 1 itself): N is the program's status
    ended = re.search(r"(?m)^exit status (\d+)\n?\Z", err)
    status = int(ended.group(1)) if ended else p.returncode
    err = err[: ended.start()] if ended else err
    problems = []
    if status != want.status:
        problems.append(f"exit status {status}, the port expects {want.status}")
    if out != want.stdout:
        problems.append(f"stdout {out[:200]!r}, the port expects {want.stdout[:200]!r}")
    if want.stderr is not None and err != want.stderr:
        problems.append(f"stderr {err[:200]!r}, the port expects {want.stderr[:200]!r}")
    if want.stderr_prefix is not None and not err.startswith(want.stderr_prefix):
        problems.append(f"stderr {err[:200]!r} does not start with {want.stderr_prefix[:200]!r}")
    if problems:
        return "FAIL", "; ".join(problems)
    return "ok", f"status {status}" + (f", stderr {err[:60]!r}" if err else "")


def ports(paths: list[Path]) -> list[Case]:
    found = []
    for path in discover(paths):
        try:
            case = load_case(path, CORPUS_ROOT)
        except CaseError as e:
            print(f"FAIL  {path}: malformed case: {e}")
            continue
        except UnreadableSource as e:
            print(f"FAIL  {e}")
            continue
        if case.go is not None:
            found.append(case)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("paths", nargs="*", type=Path, help="case files or directories (default: the corpus)")
    ap.add_argument("--go", default="go", help="the go command (default: go on PATH)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per original (default 120)")
    args = ap.parse_args(argv)
    go = shutil.which(args.go)
    if go is None:
        print(f"check_goports: skipped: {args.go!r} is not on PATH, so the Go originals cannot be run")
        return 0
    version = go_version(go)
    cases = ports(args.paths or [CORPUS_ROOT])
    shown = f"go{version[0]}.{version[1]}" if version else "an unknown Go version"
    print(f"check_goports: {len(cases)} ports, running the originals with {shown}")
    failed = skipped = 0
    for case in cases:
        verdict, detail = check_port(go, version, case, args.timeout)
        failed += verdict == "FAIL"
        skipped += verdict == "skip"
        print(f"{verdict:4}  {case.id}: {detail}")
    print(f"check_goports: {len(cases) - failed - skipped} agree, {failed} disagree, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
