"""The reference's runs of conformance programs for tests/test_native_programs.py: output,
status, the heap at exit (or at a checkpoint) and the canonical trace.

Under the sanitizer run (``scripts/test-asan-run``: the ASan runtime preloaded into the test
interpreter) the reference cannot run in that interpreter (greenlet's stack switching is not
annotated for ASan), so ``run_references`` runs a batch in a child interpreter without the
preload (``child()``: pickled jobs on stdin, pickled results on stdout).
This module imports only the reference, never the C library."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from gox_program.case import Outcome, execute
from gox_program.limits import SHARED
from gox_program.syntax import Program
from gox_ref.runtime import RefRuntime

Job = tuple[Program, int, str | None]  # (program, seed, checkpoint label or None: at exit)


@dataclass
class RefRun:
    outcome: Outcome
    stats: tuple[int, ...]
    snapshot: tuple[object, ...]  # HeapSnapshot.canonical()
    trace: list[str] = field(default_factory=list)  # TraceLog.canonical() of the whole run


def _stats(rt: RefRuntime) -> tuple[int, ...]:
    st = rt.gox_gc_stats()
    return tuple(int(getattr(st, f)) for f in st.field_names())


def run_here(prog: Program, seed: int, at: str | None = None) -> RefRun:
    """Run on the reference in this process; the heap at exit, or at the first checkpoint
    named ``at``, and the run's trace."""
    rt = RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    taken: list[tuple[tuple[int, ...], tuple[object, ...]]] = []

    def hook(r: RefRuntime, label: str) -> None:
        if label == at and not taken:
            taken.append((_stats(r), r.heap_snapshot().canonical()))

    log = rt.start_trace()
    status = execute(prog, seed=seed, out=out, err=err, rt=rt, on_checkpoint=hook if at else None,
                     max_depth=SHARED.ref_depth())  # (the native runs compared with it: limits.SHARED too)
    rt.stop_trace()
    stats, snap = taken[0] if taken else (_stats(rt), rt.heap_snapshot().canonical())
    return RefRun(Outcome(status, out.getvalue(), err.getvalue()), stats, snap, log.canonical())


def in_child() -> bool:
    """The reference must run in a child interpreter (the ASan runtime is preloaded here)."""
    return "libasan" in os.environ.get("LD_PRELOAD", "")


def run_references(jobs: list[Job]) -> list[RefRun]:
    if not jobs:
        return []
    if not in_child():
        return [run_here(*j) for j in jobs]
    env = dict(os.environ)
    env.pop("LD_PRELOAD")
    here = str(Path(__file__).resolve().parent)
    code = f"import sys; sys.path.insert(0, {here!r}); import program_ref; program_ref.child()"
    p = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(jobs), capture_output=True, env=env, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"the reference's child interpreter failed:\n{p.stderr.decode(errors='replace')}")
    runs: list[RefRun] = pickle.loads(p.stdout)
    return runs


def child() -> None:
    """The child's side: pickled jobs on stdin, pickled RefRuns on stdout."""
    jobs: list[Job] = pickle.loads(sys.stdin.buffer.read())
    runs = [run_here(*j) for j in jobs]
    sys.stdout.buffer.write(pickle.dumps(runs))
