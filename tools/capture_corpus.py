#!/usr/bin/env python3
"""Record what every corpus case does on both backends, for a before/after comparison.

A change meant to alter no behaviour (a refactoring, a file split) is checked by running this
on the old tree and on the new one and comparing the two directories::

    python tools/capture_corpus.py /tmp/before        # on the old checkout
    python tools/capture_corpus.py /tmp/after         # on the new one
    diff -r /tmp/before /tmp/after                     # must print nothing

One file per case (named by its path under conformance/): the reference's exit status, stdout,
stderr (hex) and trace, then the native backend's, or the reason a case cannot be loaded or
compiled.  The seed is the case's own, the step budget the runner's default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout, installed or not

from gox_program import native  # noqa: E402
from gox_program.case import load_case  # noqa: E402
from gox_program.check import load  # noqa: E402
from gox_program.corpus import CORPUS_ROOT, discover  # noqa: E402
from gox_program.fuzz import run_ref  # noqa: E402
from gox_program.limits import DEFAULT_STEPS  # noqa: E402
from gox_program.syntax import ProgramError  # noqa: E402


def capture(case_file: Path, lib: native.Library) -> list[str]:
    case = load_case(case_file)
    try:
        prog = load(case_file.read_text(encoding="utf-8"), case_file.name)
    except ProgramError as e:
        return [f"reject {e}"]
    seed = case.seed
    r = run_ref(prog, seed, fuel=DEFAULT_STEPS)
    lines = [f"ref status {r.status}", "stdout " + r.stdout.hex(), "stderr " + r.stderr.hex(), *r.extra["trace"]]
    why = native.skip_reason(prog, lib)
    if why is not None:
        return [*lines, "native skipped " + why]
    n = native.run_exe(native.build(prog, lib), seed, trace=True)
    return [*lines, f"native status {n.status}", "stdout " + n.stdout.hex(), "stderr " + n.stderr.hex(), *n.extra["trace"]]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the directory to write (created if missing)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    lib = native.library()
    cases = discover(None)
    for f in cases:
        name = str(f.relative_to(CORPUS_ROOT)).replace("/", "_") + ".txt"
        (args.out / name).write_text("\n".join(capture(f, lib)) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases captured in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
