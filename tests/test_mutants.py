"""tools/mutants.py: every mutant of tools/mutant_table.py still applies, compiles, and a known
one is killed by the case written for it (the full measurement is docs/DIFF_AND_FUZZ.md,
"Mutation testing": minutes per mutant, not a test)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import native_unavailable

from tools import mutants, variant
from tools.mutant_table import MUTANTS, Edit, Mutant

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "gox_ref_native" / "src"


def test_the_table_is_well_formed() -> None:
    ids = [m.id for m in MUTANTS]
    assert len(ids) == len(set(ids))
    assert {m.kind for m in MUTANTS} == {"c-only", "shared"}
    files = {Path(e.file).name for m in MUTANTS if m.kind == "c-only" for e in m.edits}
    # issue 16: at least 30 over these eight files, and 10 shared ones
    assert files >= {"chan.c", "select.c", "defer.c", "gc.c", "slice.c", "string.c", "map.c", "sched.c"}
    assert sum(m.kind == "c-only" and not m.equivalent for m in MUTANTS) >= 30
    shared = [m for m in MUTANTS if m.kind == "shared"]
    assert len(shared) >= 10
    for m in shared:  # the same rule, wrong in both runtimes
        tops = {Path(e.file).parts[0] for e in m.edits}
        assert tops == {"gox_ref", "gox_ref_native"}, m.id


def test_every_mutant_applies_exactly_once_to_the_sources() -> None:
    mutants.check_all(MUTANTS)


def test_a_mutant_that_no_longer_applies_fails_loudly(tmp_path: Path) -> None:
    (tmp_path / "f.c").write_text("a a b")
    for old, n in (("a", 2), ("c", 0)):
        m = Mutant("x", "c-only", "x", (Edit("f.c", old, "z"),))
        with pytest.raises(mutants.MutantError, match=f"occurs {n} times in f.c"):
            mutants.apply(m, tmp_path)
    mutants.apply(Mutant("y", "c-only", "y", (Edit("f.c", "b", "z"),)), tmp_path)
    assert (tmp_path / "f.c").read_text() == "a a z"
    # the command says so too, with status 2
    proc = subprocess.run([sys.executable, "tools/mutants.py", "--only", "no-such", "--list"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no mutant no-such" in proc.stderr


def test_every_mutant_compiles_with_the_warning_flags(tmp_path: Path) -> None:
    """Each mutated C file compiles with -std=c11 -Wall -Wextra -Werror (one compile per file:
    the mutated file alone, its headers from the checkout); each mutated Python file parses."""
    cc = shutil.which("cc")
    if cc is None:
        native_unavailable(FileNotFoundError("no C compiler (cc)"))
    for m in MUTANTS:
        for e in m.edits:
            text = (ROOT / e.file).read_text().replace(e.old, e.new)
            if e.file.endswith(".py"):
                compile(text, e.file, "exec")
                continue
            out = tmp_path / Path(e.file).name
            out.write_text(text)
            proc = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-fsyntax-only",
                                   f"-I{SRC}", f"-I{SRC.parent}", str(out)], capture_output=True, text=True)
            assert proc.returncode == 0, f"mutant {m.id} does not compile:\n{proc.stderr}"


def test_the_fifo_mutant_is_killed_by_buffered_fifo(tmp_path: Path) -> None:
    """chan-buf-lifo (a buffered receive takes the newest value) fails
    conformance/chan/buffered_fifo, which the unmutated checkout passes (its run in the
    corpus); built and run the way tools/mutants.py does (at -O1: a quicker build)."""
    by_id = {m.id: m for m in MUTANTS}
    try:
        root, lib = mutants.prepare(by_id["chan-buf-lifo"], tmp_path, "-O1")
    except variant.StepFailed as e:
        native_unavailable(e)
    env = variant.gox_env(root, lib, tmp_path / "cache")
    case = "conformance/chan/buffered_fifo.gox"
    results = mutants.corpus_results(root, env, ["--backend", "native", case], "test")
    assert results == {"chan/buffered_fifo": "failed"}
    # the reference in the same copy is unmutated: the case passes there
    assert mutants.corpus_results(root, env, ["--backend", "ref", case], "test") == {"chan/buffered_fifo": "passed"}


def test_the_report_counts_kills_of_non_equivalent_mutants() -> None:
    rs = [mutants.Result("a", "c-only", "a", "", {"corpus": "killed", "fuzz3": "survived"}),
          mutants.Result("b", "c-only", "b", "", {"corpus": "survived", "fuzz3": "killed"}),
          mutants.Result("c", "c-only", "c", "nothing observable", {"corpus": "survived", "fuzz3": "survived"}),
          mutants.Result("d", "shared", "d", "", {"corpus": "survived", "fuzz3": "n/a"})]
    text = mutants.render(rs, ["corpus", "fuzz3"])
    assert "c-only (non-equivalent): corpus 1/2, fuzz3 1/2, corpus or fuzz3 2/2" in text
    assert "shared (non-equivalent): corpus 0/1, fuzz3 0/1, corpus or fuzz3 0/1" in text
    assert "| c | c-only | survived | survived | c (equivalent: nothing observable) |" in text
    json.dumps([r.__dict__ for r in rs])  # the --json report's rows serialize
