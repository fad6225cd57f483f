"""Go twins: the corpus checked against real Go (``gox-ref conformance --go``, ``gox-ref diff --go``).

A case ``NAME.gox`` whose program Go can express has a twin ``NAME.go`` beside it: the same
program in Go (or, in conformance/goports, the Go test the case ports).  The twin is built once
with ``go build`` (cached by the hash of its source and the Go version) and run; its outcome must
meet the case's expectation by the twin rule (docs/PROGRAM_FORMAT.md, "Go twins"):

* its exit status is the case's ``status``;
* its stdout is the case's ``stdout``, byte for byte;
* its stderr up to the first blank line (Go's report, before the goroutine dump) is empty for
  ``expect: stdout``, and holds the case's report (``panic: MESSAGE`` / ``fatal error: MESSAGE``,
  the same prefix rule the backends meet) for ``expect: panic | fatal``.

Where Go's outcome legitimately differs the case's ``go`` header key overrides the status, the
stdout, or the whole stderr (``stderr``: exact; ``stderr_prefix``: a prefix), each use with its
reason in the case's ``info``.  A case that cannot have a twin is listed, with the reason, in
``conformance/NO_GO_TWIN.txt``.

A twin that imports ``time`` is built with ``-tags faketime``: the Go
playground's fake clock, which Go 1.19's runtime has (``runtime/time_fake.go``).  Its time
advances only when every goroutine is blocked and a timer is pending, as the runtimes' virtual
clock does (docs/SCHEDULER.md, "Time"), so the twin's outcome does not depend on the host's
speed, and an hour of sleep takes no time.  Such a binary frames every write to stdout and
stderr with a playback header (``unframe``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from .case import Case, CaseError, Outcome, UnreadableSource, case_id_and_group, load_case, mismatch
from .corpus import CORPUS_ROOT, CaseResult, case_id_of, root_for

NO_TWIN_LIST = CORPUS_ROOT / "NO_GO_TWIN.txt"
REQUIRE_ENV = "GOX_REQUIRE_GO"  # set (or CI set): a missing Go is a failure, not a skip
CACHE_ENV = "GOX_GO_CACHE"  # where built twins are kept (default: a directory under the temp dir)
TIMEOUT = 120.0  # seconds per twin run


class GoUnavailable(Exception):
    """Go is not installed here (or is not a Go release this module understands)."""


def go_required() -> bool:
    """Whether a missing Go must fail (GOX_REQUIRE_GO=1, or CI, which has every tool) rather than skip."""
    return bool(os.environ.get(REQUIRE_ENV) or os.environ.get("CI"))


@dataclass(frozen=True)
class Go:
    """An installed Go: its command and release (major, minor)."""

    path: str
    version: tuple[int, int]
    release: str  # e.g. go1.19.8


def find_go(command: str = "go") -> Go:
    """The Go toolchain named ``command`` (on PATH); GoUnavailable if there is none."""
    path = shutil.which(command)
    if path is None:
        raise GoUnavailable(f"{command!r} is not on PATH, so the Go twins cannot be run")
    try:
        out = subprocess.run([path, "env", "GOVERSION"], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GoUnavailable(f"{path} env GOVERSION failed: {e}") from None
    release = out.stdout.strip()
    m = re.match(r"go(\d+)\.(\d+)", release)
    if not m:
        raise GoUnavailable(f"{path} env GOVERSION printed {release!r}, not a Go release")
    return Go(path, (int(m.group(1)), int(m.group(2))), release)


def twin_of(path: Path) -> Path:
    """The Go twin of a case or program file: ``NAME.go`` beside ``NAME.gox``."""
    return path.with_suffix(".go")


# -- the list of cases without a twin ----------------------------------------------------------------
def no_twin_reasons(path: Path = NO_TWIN_LIST) -> dict[str, str]:
    """``conformance/NO_GO_TWIN.txt``: ``ID: reason`` lines (``GROUP/: reason`` covers a group);
    ``#`` starts a comment line."""
    out: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, reason = line.partition(": ")
        if not sep or not reason.strip() or " " in key:
            raise CaseError(f"{path}:{n}: expected 'CASE-ID: reason' or 'GROUP/: reason'")
        if key in out:
            raise CaseError(f"{path}:{n}: {key} listed twice")
        out[key] = reason.strip()
    return out


def no_twin_reason(case_id: str, reasons: dict[str, str]) -> str | None:
    """Why the corpus case ``case_id`` has no twin (None: it is not listed)."""
    group = case_id.split("/")[0] + "/"
    return reasons.get(case_id) or reasons.get(group)


# -- building and running a twin ---------------------------------------------------------------------
def cache_dir() -> Path:
    d = os.environ.get(CACHE_ENV)
    return Path(d) if d else Path(tempfile.gettempdir()) / f"gox-ref-go-twins-{os.getuid()}"


def build(go: Go, src: Path, cache: Path | None = None, faketime: bool = False) -> Path:
    """The twin's executable, built with ``go build`` (``faketime``: with the playground's fake
    clock, see the module doc) unless the cache holds it already (keyed by the source's hash, the
    Go release and the clock).  RuntimeError with Go's message if it does not build."""
    cache = cache or cache_dir()
    data = src.read_bytes()
    tags = ["-tags", "faketime"] if faketime else []
    key = hashlib.sha256(go.release.encode() + b"\0" + " ".join(tags).encode() + b"\0" + data).hexdigest()[:24]
    exe = cache / f"{src.stem}-{key}"
    if exe.is_file():
        return exe
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        # GOPATH mode: a twin is one file of the standard library's imports, whatever go.mod
        # or GOFLAGS the surroundings have
        env = {**os.environ, "GO111MODULE": "off", "GOFLAGS": ""}
        p = subprocess.run([go.path, "build", *tags, "-o", str(Path(tmp) / "prog"), src.name], cwd=src.parent,
                           capture_output=True, text=True, env=env, check=False, timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"go build {src} failed:\n{p.stderr.rstrip()}")
        os.replace(Path(tmp) / "prog", exe)  # atomic: a parallel build of the same twin is harmless
    return exe


def run_exe(exe: Path, timeout: float = TIMEOUT, args: tuple[str, ...] = ()) -> Outcome:
    """Run a built twin: its exit status, stdout and whole stderr."""
    p = subprocess.run([str(exe), *args], capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    status = p.returncode if p.returncode >= 0 else 128 - p.returncode  # killed by a signal: the shell's 128+N
    return Outcome(status, p.stdout, p.stderr)


# Go 1.19's runtime/time_fake.go: every write to fd 1 or 2 is "\0\0PB", the fake time (8 bytes)
# and the length (4 bytes, both big-endian), then the data
_PLAYBACK = re.compile(rb"\0\0PB(.{8})(.{4})", re.S)


def unframe(data: bytes) -> bytes:
    """The text a faketime binary wrote, without its playback headers.  ValueError if the
    stream is not made of whole frames (then it was not a faketime binary's)."""
    out = bytearray()
    pos = 0
    while pos < len(data):
        m = _PLAYBACK.match(data, pos)
        if m is None:
            raise ValueError(f"not a faketime stream at byte {pos}: {data[pos:pos + 16]!r}")
        n = int.from_bytes(m[2], "big")
        out += data[m.end(): m.end() + n]
        pos = m.end() + n
    if pos != len(data):
        raise ValueError(f"a faketime frame is cut short at byte {len(data)}")
    return bytes(out)


_IMPORTS_TIME = re.compile(r'^import\s*(?:"time"|\((?:[^)]*\n)?\s*"time"\s*\n)', re.M)


def uses_time(src: Path) -> bool:
    """Does the twin import ``time``?  Then it runs on the fake clock (the module doc)."""
    return _IMPORTS_TIME.search(src.read_text()) is not None


def run_twin(go: Go, src: Path, timeout: float = TIMEOUT, cache: Path | None = None) -> Outcome:
    """Build (``build``, on the fake clock if it ``uses_time``) and run the twin ``src``: its
    outcome.  RuntimeError if it does not build or its output is not whole playback frames;
    subprocess.TimeoutExpired past ``timeout``."""
    faketime = uses_time(src)
    o = run_exe(build(go, src, cache, faketime), timeout)
    if not faketime:
        return o
    try:
        return Outcome(o.status, unframe(o.stdout), unframe(o.stderr))
    except ValueError as e:
        raise RuntimeError(f"the Go twin {src.name} (built with -tags faketime): {e}") from None


# -- batches: many programs, one `go build` (gox-ref fuzz --go) --------------------------------------
_TOP = re.compile(r"^(?:func|var|type|const) (\w+)", re.M)
_STRING_OR_WORD = re.compile(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\w+')


def _prefixed(text: str, k: int) -> str:
    """Program ``text`` (a ``package main``) as program k of a batch: every top-level name gets
    the prefix ``pK_``, outside string literals (its imports stay its file's own).  For
    programs whose top-level declarations start their lines and whose local names never
    shadow them (the fuzzer's, gox_program/fuzzgen.py)."""
    names = set(_TOP.findall(text)) - {"_"}
    body = re.sub(r"^package main$", "", text, count=1, flags=re.M)
    return "package main\n" + _STRING_OR_WORD.sub(lambda m: f"p{k}_{m[0]}" if m[0] in names else m[0], body)


def build_batch(go: Go, sources: list[str], out_dir: Path) -> Path:
    """One executable holding every program of ``sources`` (see ``_prefixed``): ``EXE k`` runs
    program k.  The programs share one package, each program's names prefixed, so that one
    compiler run type-checks and compiles them all (a package per program costs a compiler
    process each: most of the build).  RuntimeError with Go's message if it does not build."""
    pkg = out_dir / "src" / "goxfuzz"
    pkg.mkdir(parents=True, exist_ok=True)
    for k, text in enumerate(sources):
        (pkg / f"p{k}.go").write_text(_prefixed(text, k))
    cases = "".join(f'\tcase "{k}":\n\t\tp{k}_main()\n' for k in range(len(sources)))
    (pkg / "main.go").write_text(f"package main\n\nimport \"os\"\n\nfunc main() {{\n\tswitch os.Args[1] {{\n{cases}\t}}\n}}\n")
    exe = out_dir / "batch"
    env = {**os.environ, "GO111MODULE": "off", "GOFLAGS": "", "GOPATH": str(out_dir)}
    p = subprocess.run([go.path, "build", "-o", str(exe), "goxfuzz"], cwd=out_dir, capture_output=True,
                       text=True, env=env, check=False, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"go build of a batch of {len(sources)} failed:\n{p.stderr.rstrip()}")
    return exe


def run_batch_exe(exe: Path, index: int, timeout: float = TIMEOUT) -> Outcome:
    """Run program ``index`` of a ``build_batch`` executable, as its own ``package main`` would
    run: Go's report names its types (a named panic value's) without the batch's prefix.  A run
    over ``timeout`` seconds is status 124 (as the native runner's)."""
    try:
        o = run_exe(exe, timeout, (str(index),))
    except subprocess.TimeoutExpired as e:
        return Outcome(124, e.stdout or b"", (e.stderr or b"") + f"go: timed out after {timeout:g} s\n".encode())
    return Outcome(o.status, o.stdout, re.sub(rb"\bmain\.p%d_" % index, b"main.", o.stderr))


def stderr_head(stderr: bytes) -> bytes:
    """Go's stderr up to its first blank line: the report, without the goroutine dump after it."""
    i = stderr.find(b"\n\n")
    return stderr if i < 0 else stderr[: i + 1]


# -- the twin rule ----------------------------------------------------------------------------------
def twin_mismatch(case: Case, go: Outcome) -> str | None:
    """Why the twin's run does not meet the case's expectation (None: it does); see the module doc."""
    over = case.go or {}
    want = replace(
        case,
        status=int(over.get("status", case.status)),
        stdout=str(over["stdout"]).encode() if "stdout" in over else case.stdout,
    )
    head = stderr_head(go.stderr)
    if "stderr" in over or "stderr_prefix" in over:
        # the override is the whole stderr: check status and stdout by the rule, stderr by it
        why = mismatch(replace(want, expect="stdout"), Outcome(go.status, go.stdout))
        if why is not None:
            return why
        err = go.stderr.decode("utf-8", "replace")
        if "stderr" in over and err != over["stderr"]:
            return f"stderr {err[:300]!r}, the go key expects {str(over['stderr'])[:300]!r}"
        if "stderr_prefix" in over and not err.startswith(str(over["stderr_prefix"])):
            return f"stderr {err[:300]!r} does not start with the go key's {str(over['stderr_prefix'])[:300]!r}"
        return None
    why = mismatch(want, Outcome(go.status, go.stdout, head))  # panic, fatal: the report is in the head
    if why is None and want.expect == "stdout" and head:
        why = f"Go wrote to stderr, the case expects none: {head.decode('utf-8', 'replace')[:300]!r}"
    return why


def check_twin(go: Go, case: Case, timeout: float = TIMEOUT, cache: Path | None = None) -> tuple[str, str, Outcome | None]:
    """('passed' | 'failed' | 'skipped', why, Go's outcome) for one case with a twin."""
    if case.go_min_version:
        major, minor = (int(x) for x in case.go_min_version.split("."))
        if go.version < (major, minor):
            return "skipped", f"needs Go >= {case.go_min_version} (the case follows newer Go; this is {go.release})", None
    twin = twin_of(case.path)
    try:
        o = run_twin(go, twin, timeout, cache)
    except RuntimeError as e:
        return "failed", str(e), None
    except subprocess.TimeoutExpired:
        return "failed", f"the Go twin {twin.name} ran over {timeout:g} s", None
    why = twin_mismatch(case, o)
    return ("failed", f"Go ({go.release}) disagrees: {why}", o) if why else ("passed", "", o)


def run_go_corpus(
    files: list[Path],
    go: Go,
    pattern: str | None = None,
    progress: Callable[[int, int, CaseResult], None] | None = None,
    jobs: int | None = None,
) -> list[CaseResult]:
    """Every chosen case's twin, built and run (``jobs`` at once), checked by the twin rule.  A
    corpus case without a twin fails unless NO_GO_TWIN.txt gives its reason (then it is skipped);
    a case outside the corpus without a twin is skipped."""
    chosen = [f for f in files if pattern is None or pattern in case_id_of(f)]
    reasons = no_twin_reasons()

    def one(path: Path) -> CaseResult:
        t0 = time.perf_counter()
        root = root_for(path)
        case_id, group = case_id_and_group(path, root)

        def result(kind: str, why: str = "") -> CaseResult:
            return CaseResult(case_id, group, str(path), kind, why, time.perf_counter() - t0)

        try:
            case = load_case(path, root)
        except (CaseError, UnreadableSource) as e:
            return result("failed", f"malformed case: {e}" if isinstance(e, CaseError) else str(e))
        in_corpus = root.resolve() == CORPUS_ROOT.resolve()
        listed = no_twin_reason(case_id, reasons) if in_corpus else None
        has_twin = twin_of(path).is_file()
        if has_twin and listed is not None:
            return result("failed", f"has a Go twin but NO_GO_TWIN.txt says it cannot: {listed}")
        if not has_twin and (case.go is not None or case.go_min_version):
            return result("failed", f"has a go or go-min-version key but no Go twin {twin_of(path).name}")
        if not has_twin:
            if listed is not None:
                return result("skipped", f"no Go twin: {listed}")
            if in_corpus:
                return result("failed", f"no Go twin {twin_of(path).name}, and NO_GO_TWIN.txt gives no reason")
            return result("skipped", f"no Go twin {twin_of(path).name}")
        if case.expect == "reject":
            return result("failed", "a reject case has no Go run; list it in NO_GO_TWIN.txt instead")
        kind, why, _ = check_twin(go, case)
        return result(kind, why)

    results: list[CaseResult] = []
    with ThreadPoolExecutor(max_workers=jobs or max(2, os.cpu_count() or 2)) as pool:
        for i, r in enumerate(pool.map(one, chosen)):
            results.append(r)
            if progress is not None:
                progress(i + 1, len(chosen), r)
    return results


__all__ = [
    "NO_TWIN_LIST", "REQUIRE_ENV", "Go", "GoUnavailable", "build", "build_batch", "check_twin", "find_go", "go_required",
    "no_twin_reason", "no_twin_reasons", "run_batch_exe", "run_exe", "run_go_corpus", "run_twin", "stderr_head",
    "twin_mismatch", "twin_of", "unframe", "uses_time",
]
