"""Mutation testing of the C runtime: how many planted bugs the corpus and the fuzzer find.

    python tools/mutants.py [--only ID ...] [--seconds 60] [--columns corpus,go,fuzz2,fuzz3]
                            [--seed 16] [--jobs 1] [--cflags FLAGS] [--json] [--list]

Each mutant (tools/mutant_table.py) is one semantic bug planted by exact-text replacement
(it must match exactly once, else the run stops: the table is out of date).  For each: copy
the checkout's sources to a temporary directory (tools/variant.py; the checkout is never
touched), patch them, build the library there (``make libgox.so``) and run ``gox-ref`` from
the copy (its Python, so a shared mutant's reference edit counts; ``$GOX_NATIVE_LIB`` = the
mutant library).  The columns, each "killed" or "survived":

* ``corpus``: a case that passes on the unmutated checkout fails under the mutant (``gox-ref
  conformance --backend native``; a shared mutant also ``--backend ref``).  The groups of
  FIRST_GROUPS for the mutated file run first; the whole corpus only when they do not decide.
* ``go``: one of those failing cases has a Go twin whose real Go outcome meets the case's
  expectation (``gox-ref conformance --go`` on the unmutated checkout, run once): the mutant's
  outcome differs from what Go printed.  Go is run once, not per mutant: a runtime mutant does
  not change what Go prints.
* ``fuzz2``: ``gox-ref fuzz --seconds S --seed SEED`` (reference against native) reports a
  finding (exit status 1).
* ``fuzz3``: the same with ``--go`` (three-way: Go too); "n/a" when this gox-ref has no
  ``fuzz --go``.

The exit status is 0, or 2 when a mutant no longer applies or a step cannot run.
docs/DIFF_AND_FUZZ.md, "Mutation testing", has the measured table and how it was made.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: tools/ is on sys.path, the checkout is not
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import variant
from tools.mutant_table import MUTANTS, Mutant
from tools.variant import StepFailed

ROOT = variant.ROOT
COLUMNS = ("corpus", "go", "fuzz2", "fuzz3")
FUZZ_SEED = 16  # fixed: every mutant meets the same campaign (its length is by time)
# The corpus groups run first for a mutant of each file (a kill there is a kill by the corpus,
# and the full corpus runs only when they do not decide both corpus columns: most mutants then
# cost a fraction of the 200-case run).
FIRST_GROUPS = {
    "chan": ("chan", "select", "goports"), "select": ("select", "goports"), "defer": ("defer", "goports", "exit"),
    "gc": ("gc",), "slice": ("slices",), "string": ("strings",), "map": ("maps",), "sched": ("exit", "chan", "basics"),
}


class MutantError(Exception):
    """A mutant's text does not occur exactly once: the table no longer matches the sources."""


@dataclass
class Result:
    id: str
    kind: str
    what: str
    equivalent: str
    columns: dict[str, str] = field(default_factory=dict)  # column -> killed / survived / n/a / error
    failed_cases: list[str] = field(default_factory=list)  # the corpus cases that killed it


@dataclass(frozen=True)
class Baseline:
    passing: frozenset[str]  # case ids that pass on the unmutated checkout (native and ref)
    go_agrees: frozenset[str]  # case ids whose Go twin's outcome meets the expectation


def apply(m: Mutant, root: Path) -> None:
    """Plant ``m`` in the tree at ``root``: each edit's text must occur exactly once."""
    for e in m.edits:
        path = root / e.file
        text = path.read_text()
        n = text.count(e.old)
        if n != 1:
            raise MutantError(f"mutant {m.id}: its text occurs {n} times in {e.file}, expected exactly once")
        path.write_text(text.replace(e.old, e.new))


def check_all(mutants: Iterable[Mutant], root: Path = ROOT) -> None:
    """Every mutant applies to the sources at ``root`` (nothing is written)."""
    for m in mutants:
        for e in m.edits:
            n = (root / e.file).read_text().count(e.old)
            if n != 1:
                raise MutantError(f"mutant {m.id}: its text occurs {n} times in {e.file}, expected exactly once")


def prepare(m: Mutant | None, work: Path, cflags: str | None = None) -> tuple[Path, Path]:
    """A patched copy of the checkout in ``work`` with its library built (with ``cflags``
    instead of the Makefile's -O2 -g): (root, library)."""
    root = variant.copy_tree(work / "tree")
    if m is not None:
        apply(m, root)
    return root, variant.make(root / "gox_ref_native", "libgox.so", cflags)


def corpus_results(root: Path, env: dict[str, str], args: Sequence[str], tag: str) -> dict[str, str]:
    """Each case's result (passed, failed, skipped) in ``gox-ref conformance ARGS --json``."""
    proc = variant.gox_ref(root, ["conformance", *args, "--json"], env, tag=tag, capture=True)
    try:
        return {c["id"]: c["result"] for c in json.loads(proc.stdout)["cases"]}
    except json.JSONDecodeError:
        raise StepFailed(f"{tag}: gox-ref conformance {' '.join(args)} gave no report (status {proc.returncode})") from None


def corpus_failures(root: Path, env: dict[str, str], args: Sequence[str], tag: str) -> set[str]:
    return {k for k, v in corpus_results(root, env, args, tag).items() if v == "failed"}


def has_fuzz_go() -> bool:
    """This checkout's ``gox-ref fuzz`` has ``--go`` (three-way fuzzing)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "gox_program.cli", "fuzz", "--help"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    return "--go" in proc.stdout


def baseline(work: Path, columns: Sequence[str], cflags: str | None = None) -> Baseline:
    """What the unmutated checkout passes, and (for the go column) where Go meets the expectation."""
    root, lib = prepare(None, work, cflags)
    env = variant.gox_env(root, lib, work / "cache")
    native = corpus_results(root, env, ["--backend", "native"], "baseline")
    ref = corpus_results(root, env, ["--backend", "ref"], "baseline")
    passing = frozenset(k for k, v in native.items() if v == "passed" and ref.get(k) == "passed")
    go: frozenset[str] = frozenset()
    if "go" in columns:
        go = frozenset(k for k, v in corpus_results(root, env, ["--go"], "baseline").items() if v == "passed")
    return Baseline(passing, go)


def fuzz_kills(root: Path, env: dict[str, str], seconds: float, seed: int, extra: Sequence[str], out: Path,
               tag: str) -> str:
    args = ["fuzz", *extra, "--seconds", str(seconds), "--seed", str(seed), "--out", str(out)]
    rc = variant.gox_ref(root, args, env, tag=tag).returncode
    return {0: "survived", 1: "killed"}.get(rc, f"error (status {rc})")


def run_mutant(m: Mutant, base: Baseline, columns: Sequence[str], seconds: float, seed: int,
               fuzz3: bool, cflags: str | None = None) -> Result:
    res = Result(m.id, m.kind, m.what, m.equivalent)
    with tempfile.TemporaryDirectory(prefix=f"gox-mut-{m.id}.") as td:
        work = Path(td)
        try:
            root, lib = prepare(m, work, cflags)
        except StepFailed as e:  # a mutant that does not build is a bug of the table, not a kill
            raise StepFailed(f"mutant {m.id}: {e}") from None
        env = variant.gox_env(root, lib, work / "cache")
        tag = f"mutant {m.id}"
        if "corpus" in columns or "go" in columns:
            failed: set[str] = set()
            groups = {g for e in m.edits for g in FIRST_GROUPS.get(Path(e.file).stem, ())}
            first = [f"conformance/{g}" for g in sorted(groups)]
            for paths in ([first] if first else []) + [[]]:  # the first groups, then the whole corpus
                failed = corpus_failures(root, env, ["--backend", "native", *paths], tag)
                if m.kind == "shared":
                    failed |= corpus_failures(root, env, ["--backend", "ref", *paths], tag)
                failed &= base.passing
                if failed & base.go_agrees or (failed and "go" not in columns):
                    break
            res.failed_cases = sorted(failed)
            if "corpus" in columns:
                res.columns["corpus"] = "killed" if failed else "survived"
            if "go" in columns:
                res.columns["go"] = "killed" if failed & base.go_agrees else "survived"
        if "fuzz2" in columns:
            res.columns["fuzz2"] = fuzz_kills(root, env, seconds, seed, [], work / "fuzz2", tag)
        if "fuzz3" in columns:
            res.columns["fuzz3"] = (fuzz_kills(root, env, seconds, seed, ["--go"], work / "fuzz3", tag)
                                    if fuzz3 else "n/a")
    # each result as it comes (a long run's partial results survive an interruption)
    print(f"result: {json.dumps(asdict(res))}", file=sys.stderr, flush=True)
    return res


def render(results: Sequence[Result], columns: Sequence[str]) -> str:
    """A markdown table, then per kind the kill rates of the non-equivalent mutants."""
    out = ["| mutant | kind | " + " | ".join(columns) + " | what |", "|---|---|" + "---|" * len(columns) + "---|"]
    for r in results:
        cells = [r.columns.get(c, "") for c in columns]
        what = r.what + (f" (equivalent: {r.equivalent})" if r.equivalent else "")
        out.append(f"| {r.id} | {r.kind} | " + " | ".join(cells) + f" | {what} |")
    out.append("")
    for kind in ("c-only", "shared"):
        live = [r for r in results if r.kind == kind and not r.equivalent]
        if not live:
            continue
        rates = []
        for c in columns:
            killed = sum(r.columns.get(c) == "killed" for r in live)
            rates.append(f"{c} {killed}/{len(live)}")
        both = sum(r.columns.get("corpus") == "killed" or r.columns.get("fuzz3") == "killed" for r in live)
        rates.append(f"corpus or fuzz3 {both}/{len(live)}")
        out.append(f"{kind} (non-equivalent): " + ", ".join(rates))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", nargs="+", metavar="ID", help="these mutants only")
    parser.add_argument("--seconds", type=float, default=60.0, help="each fuzz campaign's length (default 60)")
    parser.add_argument("--seed", type=int, default=FUZZ_SEED, help=f"the fuzz campaigns' seed (default {FUZZ_SEED})")
    parser.add_argument("--columns", default=",".join(COLUMNS), help="which of corpus,go,fuzz2,fuzz3 (default all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants measured at once (default 1)")
    parser.add_argument("--cflags", help="the library's CFLAGS instead of the Makefile's -O2 -g (-O1: quicker builds)")
    parser.add_argument("--json", action="store_true", help="a JSON report on stdout")
    parser.add_argument("--list", action="store_true", help="list the mutants and check that each applies")
    args = parser.parse_args(argv)
    columns = [c for c in args.columns.split(",") if c]
    if any(c not in COLUMNS for c in columns) or not columns:
        parser.error(f"--columns {args.columns}: expected a comma-separated subset of {','.join(COLUMNS)}")
    if args.seconds <= 0 or args.jobs < 1:
        parser.error("--seconds must be positive and --jobs at least 1")
    by_id = {m.id: m for m in MUTANTS}
    unknown = [i for i in args.only or [] if i not in by_id]
    if unknown:
        parser.error(f"--only: no mutant {', '.join(unknown)} (--list shows them)")
    chosen = [by_id[i] for i in args.only] if args.only else list(MUTANTS)
    try:
        check_all(chosen)
    except MutantError as e:
        print(f"mutants: {e}", file=sys.stderr)
        return 2
    if args.list:
        for m in chosen:
            print(f"{m.id:<26} {m.kind:<7} {m.what}" + (" [equivalent]" if m.equivalent else ""))
        return 0
    fuzz3 = "fuzz3" in columns and has_fuzz_go()
    try:
        with tempfile.TemporaryDirectory(prefix="gox-mut-base.") as td:
            need = {"corpus", "go"} & set(columns)
            base = baseline(Path(td), columns, args.cflags) if need else Baseline(frozenset(), frozenset())
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda m: run_mutant(m, base, columns, args.seconds, args.seed, fuzz3, args.cflags),
                                    chosen))
    except (StepFailed, MutantError) as e:
        print(f"mutants: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"columns": columns, "seconds": args.seconds, "seed": args.seed,
                          "mutants": [asdict(r) for r in results]}, indent=2))
    else:
        sys.stdout.write(render(results, columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
