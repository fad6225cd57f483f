"""Testing a user's own library (docs/YOUR_RUNTIME.md): ``--lib PATH`` on the commands, a library
that lacks a group of symbols, one with a planted bug, and one built with other flags.

The libraries are variants of this project's C runtime built by its Makefile in temporary
directories (conftest.build_library), as a runtime author's would be: at another path, with a
linker version script that exports all but the channel group, with a bug in string.c, at -O3
(and with clang where it is installed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_library, native_library_or_skip

from gox_abi.abi import BY_NAME, SYMBOLS
from gox_program import fuzz, native
from gox_program.cli import main
from gox_program.corpus import CORPUS_ROOT

if "libasan" in os.environ.get("LD_PRELOAD", ""):  # pragma: no cover - the sanitizer run
    pytest.skip("the reference cannot run under the preloaded ASan runtime", allow_module_level=True)

LIB = native_library_or_skip(sched=True)
MAPS = [s.name for s in SYMBOLS if s.group == "map"]
# gox_string_len panics on a 5-byte string (the planted bug of tests/test_fuzz_cluster.py)
PLANT = ("string.c", "    return o ? (int64_t)o->slots[2] : 0;",
         "    if (o && o->slots[2] == 5) gox_panic_index(R, 5, 5);\n    return o ? (int64_t)o->slots[2] : 0;")


NATIVE_RUNTIME_USE = """
import sys
from pathlib import Path
from gox_ref_native import MissingSymbol, NativeRuntime
rt = NativeRuntime(lib=Path(sys.argv[1]))
s = rt.gox_rt_string_from_ptr(b"hello")
print(rt.gox_string_len(s))
try:
    rt.gox_rt_map_new(3, 3)
except MissingSymbol as e:
    print("MissingSymbol", e)
print(rt.gox_string_len(s))  # the instance is intact
"""
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def no_maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library that exports every ABI symbol but the map group's."""
    keep = [n for n in (*BY_NAME, *native.SCHED_SYMBOLS) if n not in MAPS]
    return build_library(tmp_path_factory.mktemp("nomaps"), exported=sorted(set(keep)))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_library(tmp_path_factory.mktemp("planted"), patch=PLANT)


@pytest.fixture(autouse=True)
def _own_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """--lib sets GOX_NATIVE_LIB for the process: each test gets it back, and its own build cache."""
    monkeypatch.delenv("GOX_NATIVE_LIB", raising=False)
    monkeypatch.setenv("GOX_NATIVE_CACHE", str(tmp_path / "cache"))


def test_the_project_s_library_at_another_path(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    lib = tmp_path / "elsewhere" / "libmine.so"
    lib.parent.mkdir()
    shutil.copy(LIB.path, lib)
    assert main(["run", "--lib", str(lib), str(CORPUS_ROOT / "basics" / "hello.gox")]) == 0
    assert capfd.readouterr().out == "hello, world\n"
    assert main(["conformance", "--lib", str(lib), str(CORPUS_ROOT / "chan"), "--json"]) == 0
    report = json.loads(capfd.readouterr().out)
    assert report["backend"] == "native" and report["library"]["path"] == str(lib.resolve())
    assert report["library"]["sha256"] == LIB.digest  # a copy: the same bytes
    assert main(["diff", "--lib", str(lib), str(CORPUS_ROOT / "chan" / "buffered_fifo.gox")]) == 0
    assert capfd.readouterr().out.startswith("same: ")


def test_lib_lasts_for_the_command(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """main() called in process (a harness, these tests) gets its environment back."""
    assert main(["conformance", "--lib", str(LIB.path), str(CORPUS_ROOT / "basics" / "hello.gox")]) == 0
    assert "GOX_NATIVE_LIB" not in os.environ


def test_bad_lib_values_are_one_line_errors(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    hello = str(CORPUS_ROOT / "basics" / "hello.gox")
    assert main(["run", "--lib", str(tmp_path / "none.so"), hello]) == 2
    assert capfd.readouterr().err == (f"gox-ref: error: --lib {tmp_path / 'none.so'}: no such file "
                                      "(expected a shared library built from the gox_* ABI)\n")
    junk = tmp_path / "junk.so"
    junk.write_text("not a library\n")
    assert main(["run", "--lib", str(junk), hello]) == 2
    err = capfd.readouterr().err
    assert err.startswith(f"gox-ref: error: backend native: cannot load the native library {junk}: ")
    assert "file format not recognized" in err and "make -C" not in err
    assert main(["conformance", "--backend", "ref", "--lib", str(LIB.path), hello]) == 2
    assert "--lib names the native library under test" in capfd.readouterr().err


def test_a_library_without_the_map_group(no_maps: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # the corpus: cases that use maps are skipped naming the symbols, the rest runs and passes
    assert main(["conformance", "--lib", str(no_maps), str(CORPUS_ROOT / "maps"), str(CORPUS_ROOT / "chan")]) == 0
    out = capfd.readouterr().out
    assert "SKIP maps/range_sum: needs gox_map_set, gox_rt_map_new, which the library libgox.so does not export" in out
    assert "\nchan                13       0        0\n" in out and "FAIL" not in out
    # run: refused before the build, naming the symbols
    assert main(["run", "--lib", str(no_maps), str(CORPUS_ROOT / "maps" / "range_sum.gox")]) == 2
    assert "cannot run on the native backend: it needs gox_map_set, gox_rt_map_new, which" in capfd.readouterr().err
    # NativeRuntime: the groups present work; an absent symbol's first call names it.  (In a
    # process of its own: a process has static TLS for only a few of these libraries.)
    proc = subprocess.run([sys.executable, "-c", NATIVE_RUNTIME_USE, str(no_maps)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"5\nMissingSymbol gox_rt_map_new: the library {no_maps} does not export it (ABI group "
                           "'map'; docs/YOUR_RUNTIME.md lists the symbols of each group)\n5\n")


def test_fuzz_draws_only_programs_the_library_can_run(no_maps: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOX_NATIVE_LIB", str(no_maps))
    lib = native.library()
    res = fuzz.run_batch(list(range(600_000, 600_016)), do_shrink=False)
    assert res.programs + res.left_out == 16 and res.programs >= 8 and not res.findings
    drawn = [fuzz._draw(s, fuzz.generate, str, lib) for s in range(600_000, 600_016)]
    redrawn = [d for s, d in zip(range(600_000, 600_016), drawn, strict=True) if d is not None and d[0] != s]
    assert redrawn, "some programs of these seeds use maps: they are drawn again"
    assert all("map" not in text for _, text in redrawn)


def test_a_planted_bug_fails_the_right_cases_diff_shows_it_and_fuzz_finds_it(
    planted: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fuzz, "SHRINK_TESTS", 24)  # (a few shrinking steps show it; 400 take minutes)
    cases = tmp_path / "conformance" / "len"  # the bug: gox_string_len of a 5-byte string panics
    cases.mkdir(parents=True)
    for name, text in (("five", "hello"), ("two", "hi")):
        (cases / f"{name}.gox").write_text(
            f"/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  {len(text)}\nfeatures: [strings]\n---*/\n"
            f'func main() {{\n    gox_debug_print(gox_string_len("{text}"), kind.Int)\n}}\n')
    assert main(["conformance", str(cases)]) == 0
    capfd.readouterr()
    assert main(["conformance", "--lib", str(planted), str(cases)]) == 1
    out = capfd.readouterr().out
    assert "FAIL len/five: stdout differs" in out and "len/two" not in out and "len                  1       1" in out
    five = cases / "five.gox"
    assert main(["diff", "--lib", str(planted), str(five)]) == 1
    assert "index out of range [5] with length 5" in capfd.readouterr().out
    found = tmp_path / "findings"
    code = main(["fuzz", "--lib", str(planted), "--seed", "6", "--programs", "16", "--out", str(found)])
    text = capfd.readouterr().out
    assert code == 1 and "1 divergences" in text, text
    (finding,) = found.glob("*.gox")
    head = finding.read_text()
    assert f"--lib {planted.resolve()}\n" in head and f"// library: {planted.resolve()} (sha256 " in head
    first = head.splitlines()[0]
    assert "(shrunk from " in first and len(head.split("\n\n", 1)[1].splitlines()) < int(first.split()[-2])


@pytest.mark.parametrize("cc", ["cc", "clang"])
def test_a_library_built_with_other_flags_or_compiler(cc: str, tmp_path: Path,
                                                      capfd: pytest.CaptureFixture[str]) -> None:
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} is not installed")  # (cc always is; clang where the machine has it)
    lib = build_library(tmp_path / "o3", "-O3", cc=cc)
    assert main(["conformance", "--lib", str(lib), str(CORPUS_ROOT / "chan"), str(CORPUS_ROOT / "defer"),
                 str(CORPUS_ROOT / "strings")]) == 0, capfd.readouterr().out
