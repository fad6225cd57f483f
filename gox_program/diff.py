"""Differential runs: one program on both backends, compared (``gox-ref diff``).

A program runs on the reference (``corpus.run_reference``) and, compiled to C, on the native
backend (``native.run_program``), both with the same seed and both recording the runtime's
event trace; both runs are deterministic (a pure function of the program and the seed), so
any difference is a divergence of the two runtimes.  Four things are compared, in this
order, and each one that differs is one ``Divergence``:

* ``stdout`` -- byte for byte, located by line;
* ``status`` -- the exit status;
* ``stderr`` -- the panic / fatal report (and the runner's notes), byte for byte, by line;
* ``trace``  -- the canonical event trace (``TraceLog.canonical()``), by event.

A divergence names the first differing item (its 1-based line or event number), up to
``CONTEXT`` items before it (which both sides share) and the two differing items; a side that
has ended shows as ``None`` (rendered ``<end of ...>``).  ``render()`` is the report that
docs/DIFF_AND_FUZZ.md, "Reading a divergence report", explains.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import corpus, gotwin, native
from .case import Outcome, output_lines, show_line
from .limits import SHARED, Limits
from .syntax import Program

KINDS = ("stdout", "status", "stderr", "trace")
CONTEXT = 4  # items shown before the first difference
_UNIT = {"stdout": "line", "stderr": "line", "trace": "event"}


class CannotDiff(Exception):
    """The program cannot be run on both backends here (no C library or compiler, a library
    without the scheduler's tracer, a program the library cannot run yet, a build failure)."""


@dataclass(frozen=True)
class Divergence:
    """The first difference of one kind between the reference's run and the native one."""

    kind: str  # stdout, status, stderr or trace
    index: int | None  # 0-based position of the first differing line/event (None: status)
    context: tuple[str, ...]  # the items just before it, common to both (at most CONTEXT)
    ref: str | None  # the reference's item there (None: its output/trace has ended)
    native: str | None  # the native backend's item there (None: ended)
    ref_count: int = 0  # how many lines/events each side has in all
    native_count: int = 0
    sides: tuple[str, str] = ("ref", "native")  # the two runs' names (`diff --go`: a backend and go)

    def render(self) -> str:
        a, b = self.sides
        if self.kind == "status":
            return f"  exit status differs: {a} {self.ref}, {b} {self.native}"
        unit = _UNIT[self.kind]
        pos = (self.index or 0) + 1
        head = (f"  {self.kind} differs at {unit} {pos} "
                f"({a} has {_count(self.ref_count, unit)}, {b} {_count(self.native_count, unit)})")
        if self.context:
            n = len(self.context)
            head += f"; the {_count(n, unit)} before it agree:" if n > 1 else f"; the {unit} before it agrees:"
        else:
            head += ":"
        lines = [head]
        lines += [f"{'':12}{c}" for c in self.context]
        lines.append(f"    {a + ':':<8}{self._side(self.ref, self.ref_count)}")
        lines.append(f"    {b + ':':<8}{self._side(self.native, self.native_count)}")
        return "\n".join(lines)

    def _side(self, item: str | None, count: int) -> str:
        if item is not None:
            return item
        if count == 0:
            return f"<empty {self.kind}>"
        return f"<end of {self.kind} after {_count(count, _UNIT[self.kind])}>"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" + ("" if n == 1 else "s")


@dataclass
class DiffResult:
    """One program's differential run."""

    file: str
    seed: int
    events: int  # the reference's trace length
    divergences: list[Divergence] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.divergences

    def render(self) -> str:
        if self.same:
            return f"same: {self.file} ({_count(self.events, 'event')})"
        kinds = ", ".join(d.kind for d in self.divergences)
        head = f"diverge: {self.file} (seed {self.seed}): {kinds}"
        return "\n".join([head, *(d.render() for d in self.divergences)])


# -- comparing ------------------------------------------------------------------------------------
def first_difference(ref: Sequence[object], nat: Sequence[object]) -> int | None:
    """The index of the first position where the sequences differ (None: they are equal)."""
    for i, (a, b) in enumerate(zip(ref, nat, strict=False)):
        if a != b:
            return i
    return None if len(ref) == len(nat) else min(len(ref), len(nat))


def compare_items(kind: str, ref: Sequence[str], nat: Sequence[str]) -> Divergence | None:
    """The first difference of two item lists (trace lines, or rendered output lines)."""
    i = first_difference(ref, nat)
    if i is None:
        return None
    return Divergence(
        kind, i, tuple(ref[max(0, i - CONTEXT):i]),
        ref[i] if i < len(ref) else None, nat[i] if i < len(nat) else None, len(ref), len(nat),
    )


def _compare_output(kind: str, ref: bytes, nat: bytes) -> Divergence | None:
    if ref == nat:
        return None
    a, b = output_lines(ref), output_lines(nat)
    i = first_difference(a, b)
    assert i is not None  # different bytes split into different lines
    return Divergence(
        kind, i, tuple(show_line(x) for x in a[max(0, i - CONTEXT):i]),
        show_line(a[i]) if i < len(a) else None, show_line(b[i]) if i < len(b) else None, len(a), len(b),
    )


def compare(ref: Outcome, nat: Outcome) -> list[Divergence]:
    """Every kind in which the two runs differ, in ``KINDS`` order (empty: they agree)."""
    out: list[Divergence] = []
    d = _compare_output("stdout", ref.stdout, nat.stdout)
    if d is not None:
        out.append(d)
    if ref.status != nat.status:
        out.append(Divergence("status", None, (), str(ref.status), str(nat.status)))
    d = _compare_output("stderr", ref.stderr, nat.stderr)
    if d is not None:
        out.append(d)
    d = compare_items("trace", list(ref.extra.get("trace", [])), list(nat.extra.get("trace", [])))
    if d is not None:
        out.append(d)
    return out


# -- against Go (`gox-ref diff --go`) ------------------------------------------------------------------
_HEX = re.compile(rb"0x[0-9a-f]+")


def go_view(o: Outcome) -> Outcome:
    """A run as it is compared with Go's: the stderr up to its first blank line (Go's report
    without its goroutine dump), every hex number in it shown as ``0x…`` (addresses and pcs are
    each process's own), and no trace (Go has none)."""
    return Outcome(o.status, o.stdout, _HEX.sub("0x…".encode(), gotwin.stderr_head(o.stderr)))


@dataclass
class GoDiff:
    """Each backend's run of a program compared with its Go twin's run."""

    file: str
    twin: str
    release: str  # the Go that ran the twin
    divergences: dict[str, list[Divergence]]  # backend -> how it differs from Go

    @property
    def same(self) -> bool:
        return not any(self.divergences.values())

    def render(self) -> str:
        """Each backend's verdict and its first divergence from Go (its first kind that differs)."""
        if self.same:
            return f"same as Go: {self.file} ({', '.join(self.divergences)} and {self.twin} on {self.release})"
        lines = [f"diverge from Go: {self.file} ({self.twin} on {self.release})"]
        for backend, ds in self.divergences.items():
            if not ds:
                lines.append(f"  {backend}: same as Go")
                continue
            lines.append(f"  {backend}: differs from Go in {', '.join(d.kind for d in ds)}; the first:")
            lines.append(ds[0].render())
        return "\n".join(lines)


def diff_with_go(prog: Program, seed: int, go: gotwin.Go, file: str | None = None,
                 runs: tuple[Outcome, Outcome] | None = None) -> GoDiff:
    """The program on both backends (``runs``, if already made) and its twin ``NAME.go`` on Go,
    each backend compared with Go by ``go_view``."""
    path = Path(file or prog.file)
    twin = gotwin.twin_of(path)
    try:
        theirs = go_view(gotwin.run_twin(go, twin))
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
        raise CannotDiff(f"{twin}: {e}") from None
    ref, nat = runs if runs is not None else run_both(prog, seed)
    out = {name: compare_go(name, o, theirs) for name, o in (("ref", ref), ("native", nat))}
    return GoDiff(str(path), twin.name, go.release, out)


def compare_go(name: str, o: Outcome, go: Outcome) -> list[Divergence]:
    """How backend ``name``'s run ``o`` differs from Go's run ``go``, both seen by ``go_view``."""
    return [replace(d, sides=(name, "go")) for d in compare(go_view(o), go_view(go))]


# -- running ----------------------------------------------------------------------------------------
def check_native(prog: Program) -> None:
    """Raise CannotDiff unless the native backend can run (and trace) the program here."""
    try:
        lib = native.library()
        native.compiler()
    except native.NativeUnavailable as e:
        raise CannotDiff(f"backend native: {e}") from None
    if not lib.sched:
        raise CannotDiff("backend native: the C library has no scheduler (no tracer), so traces cannot be compared")
    why = native.skip_reason(prog, lib)
    if why is not None:
        raise CannotDiff(f"{prog.file}: cannot run on the native backend: it {why}")


def run_both(prog: Program, seed: int, limits: Limits = SHARED) -> tuple[Outcome, Outcome]:
    """The program's run on the reference and on the native backend, both with their traces
    and the same limits (by default a frame limit too: the two stop at the same frame)."""
    check_native(prog)
    ref = corpus.run_reference(prog, seed, trace=True, limits=limits)
    try:
        nat = native.run_program(prog, seed, trace=True, limits=limits)
    except native.NativeBuildError as e:  # one line: `gox-ref run --backend native` shows it all
        first, *rest = str(e).splitlines() or [""]
        more = f" (+{_count(len(rest), 'more line')}: see gox-ref run --backend native)" if rest else ""
        raise CannotDiff(f"backend native: {first}{more}") from None
    return ref, nat


def diff_program(prog: Program, seed: int, file: str | None = None,
                 runs: tuple[Outcome, Outcome] | None = None, limits: Limits = SHARED) -> DiffResult:
    """Run the program on both backends with ``seed`` under ``limits`` (``runs``, if already made)
    and compare the runs."""
    ref, nat = runs if runs is not None else run_both(prog, seed, limits)
    return DiffResult(file or prog.file, seed, len(ref.extra.get("trace", [])), compare(ref, nat))


__all__ = [
    "CONTEXT", "KINDS", "CannotDiff", "DiffResult", "Divergence", "GoDiff", "check_native", "compare", "compare_go",
    "compare_items", "diff_program", "diff_with_go", "first_difference", "go_view", "run_both",
]
