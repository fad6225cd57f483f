"""``gox-ref abi-diff``: the shipped state machine (gox_program/abidiff.py) against a library
named by path: a copy of the project's library agrees; a planted bug is found and printed as a
reproducer that, run, shows the divergence; a library without a group of symbols is tested
without the rules that need them; bad ``--lib`` values are one-line usage errors; the seed
makes a run reproducible.  The variant libraries are built here (cc; under CI a missing
compiler fails the tests)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import native_unavailable

from gox_program import abidiff
from gox_program.cli import main
from gox_ref_native.runtime import library_path
from tools import variant

ROOT = Path(__file__).resolve().parents[1]
# The planted bug: an empty string is an allocated object, not nil (the reference's
# gox_rt_string_from_ptr(b"") returns 0).
MUTANT = ("src/string.c", "    size_t n = na + nb;\n    if (!n) return 0;\n", "    size_t n = na + nb;\n")
# The map group, made local to the library (a version script): it exports everything else.
HIDDEN = ("gox_rt_map_new", "gox_map_len", "gox_map_get", "gox_map_set", "gox_map_delete")


def _build(dest: Path, cflags: str, edit: tuple[str, str, str] | None = None) -> Path:
    shutil.copytree(ROOT / "gox_ref_native", dest, ignore=variant.IGNORE)
    if edit is not None:
        path, old, new = edit
        text = (dest / path).read_text()
        assert text.count(old) == 1, f"the mutant no longer applies to {path}"
        (dest / path).write_text(text.replace(old, new))
    try:
        return variant.make(dest, "libgox.so", cflags=cflags)
    except variant.StepFailed as e:
        native_unavailable(e)


@pytest.fixture(scope="module")
def libs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The project's library copied to another path, the mutant, the library without maps."""
    top = tmp_path_factory.mktemp("abidiff")
    try:
        own = library_path()
    except FileNotFoundError as e:
        native_unavailable(e)
    copy = shutil.copyfile(own, top / "libcopy.so")
    script = top / "hide.map"
    script.write_text("{ global: *; local: " + " ".join(f"{name};" for name in HIDDEN) + " };\n")
    with ThreadPoolExecutor(2) as pool:  # two compiles of the whole runtime: one per core
        mutant = pool.submit(_build, top / "mutant", "-O1", MUTANT)
        nomaps = pool.submit(_build, top / "nomaps", f"-O1 -Wl,--version-script={script}")
        return {"copy": copy, "mutant": mutant.result(), "nomaps": nomaps.result()}


def abi_diff(*args: str) -> tuple[int, str, str]:
    """``gox-ref abi-diff ARGS`` in a process of its own: a process holds only a few gox
    libraries (each takes initial-exec TLS, gox_internal.h's GOX_TLS_FAST, from glibc's small
    static reserve), so the tests' several libraries are not loaded into pytest's."""
    run = subprocess.run([sys.executable, "-m", "gox_program.cli", "abi-diff", *args], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    return run.returncode, run.stdout, run.stderr


def test_the_projects_library_at_another_path_agrees(libs: dict[str, Path]) -> None:
    code, out, err = abi_diff("--lib", str(libs["copy"]), "--examples", "15", "--seed", "3")
    digest = hashlib.sha256(libs["copy"].read_bytes()).hexdigest()
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"library {libs['copy']} (sha256 {digest})"
    assert re.fullmatch(r"agree: \d+ examples, [\d,]+ ABI calls \(up to 50 rules each\), seed 3", out.splitlines()[1])
    assert "left out" not in out


def test_a_planted_bug_is_found_and_its_reproducer_shows_it(libs: dict[str, Path]) -> None:
    # short sequences: hypothesis shrinks them in a few hundred examples (50 rules: minutes)
    code, out, _ = abi_diff("--lib", str(libs["mutant"]), "--examples", "200", "--steps", "5", "--seed", "2")
    assert code == 1
    assert "DIVERGENCE (seed 2, shrunk by hypothesis): gox_rt_string_from_ptr returned differently" in out
    script = out.split("Reproducer:\n", 1)[1].split("\nagain: ", 1)[0]
    # shrunk to the one call that differs (after the machine's first call, its GC tuning)
    assert "('gox_rt_string_from_ptr', (b'',))" in script and script.count("('gox_") == 2
    assert f"lib=Path({str(libs['mutant'])!r})" in script
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert run.returncode == 1
    assert "AssertionError: gox_rt_string_from_ptr returned differently" in run.stderr
    assert "native: ('ok', 268435488)" in run.stderr  # object 2, the empty string (its bytes are 1)
    # the same calls agree on the project's library: the divergence is the mutant's
    healthy = script.replace(str(libs["mutant"]), str(libs["copy"]))
    assert subprocess.run([sys.executable, "-c", healthy], capture_output=True, text=True, env=env,
                          cwd=ROOT).returncode == 0


def test_a_library_without_the_map_symbols_runs_the_other_rules(libs: dict[str, Path]) -> None:
    code, out, err = abi_diff("--lib", str(libs["nomaps"]), "--examples", "30", "--seed", "4")
    assert (code, err) == (0, "")  # no call of an absent symbol (that would be an AttributeError)
    lines = out.splitlines()
    assert lines[1] == ("left out: rule map_with_keys (lacks gox_map_delete, gox_map_get, gox_map_set, "
                        "gox_rt_map_new)")
    assert lines[2] == ("left out: generic calls of gox_map_delete, gox_map_get, gox_map_len, gox_map_set, "
                        "gox_rt_map_new")
    assert lines[3].startswith("agree: ")


def test_a_library_without_what_every_example_needs_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                               libs: dict[str, Path]) -> None:
    monkeypatch.setattr(abidiff, "absent_symbols", lambda lib: ["gox_gc_stats", "gox_map_len"])
    with pytest.raises(abidiff.LibraryError, match=r"libcopy.so: not a gox_\* runtime library: it lacks gox_gc_stats$"):
        abidiff.machine(libs["copy"])


def test_bad_lib_values_are_one_line_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """(In pytest's process: none of these libraries is a gox library, which a process holds few of.)"""
    def in_process(*args: str) -> tuple[int, str, str]:
        code = main(["abi-diff", *args])
        out, err = capsys.readouterr()
        return code, out, err

    (tmp_path / "notes.txt").write_text("not a library\n")
    other = tmp_path / "libother.so"  # a shared library, but of no gox_* symbol
    (tmp_path / "other.c").write_text("int other(void) { return 1; }\n")
    if subprocess.run(["cc", "-shared", "-fPIC", "-o", str(other), str(tmp_path / "other.c")]).returncode:
        native_unavailable(RuntimeError("cc cannot build a shared library"))
    cases = {
        str(tmp_path / "nope.so"): "no such file",
        str(tmp_path): "not a file",
        str(tmp_path / "notes.txt"): "not a loadable shared library (",
        str(other): "not a gox_* runtime library: it exports no symbol of the ABI table",
    }
    for lib, why in cases.items():
        code, out, err = in_process("--lib", lib)
        assert (code, out) == (2, ""), lib
        assert err.startswith(f"gox-ref: error: --lib {lib}: {why}") and err.count("\n") == 1, err
    monkeypatch.setenv("GOX_NATIVE_LIB", str(tmp_path / "gone.so"))  # the default library, named by the variable
    assert in_process() == (2, "", f"gox-ref: error: $GOX_NATIVE_LIB {tmp_path / 'gone.so'}: no such file\n")
    for args, why in ((["--examples", "0"], "--examples 0: expected >= 1"),
                      (["--seed", "-1"], "--seed -1: expected 0..4294967295")):
        assert in_process(*args) == (2, "", f"gox-ref: error: {why}\n")


def test_the_seed_makes_a_run_reproducible(libs: dict[str, Path]) -> None:
    """The same seed, the same call sequences (their count is in the summary); another seed,
    other sequences."""
    runs = [abi_diff("--lib", str(libs["copy"]), "--examples", "10", "--seed", seed) for seed in "778"]
    assert runs[0] == runs[1] and runs[0][0] == 0
    calls = [re.search(r"([\d,]+) ABI calls", out).group(1) for _, out, _ in runs]  # type: ignore[union-attr]
    assert calls[0] != calls[2]
