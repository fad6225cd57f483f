"""The corpus as pytest items (gox_program/pytest_plugin.py, the ``pytest11`` entry point ``gox``).

The runs are child pytest processes (pytester) with the plugin named by ``-p`` and entry-point
autoloading off, so that they test this checkout's plugin whether or not the package is
installed; the entry point itself is checked where the package is installed (CI's tox).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import native_unavailable

import gox_ref

pytest_plugins = ["pytester"]

ROOT = Path(gox_ref.__file__).resolve().parents[1]
HEADER = "/*---\ndescription: d\nspec: s\nexpect: stdout\nstdout: |\n  {want}\nfeatures: [{features}]\n---*/\n"
PRINT_1 = "func main() { gox_debug_print(1, kind.Int) }\n"
PLUGINS = ("-p", "gox_program.pytest_plugin", "-p", "xdist.plugin")


@pytest.fixture
def corpus(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """conformance/mine: right (passes), wrong (expects 2, prints 1), deep (a feature only the
    native backend has: skipped on the reference), and a .gox that is no case (not collected)."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    d = pytester.path / "conformance" / "mine"
    d.mkdir(parents=True)
    (d / "right.gox").write_text(HEADER.format(want=1, features="") + PRINT_1)
    (d / "wrong.gox").write_text(HEADER.format(want=2, features="") + PRINT_1)
    (d / "deep.gox").write_text(HEADER.format(want=1, features="deep") + PRINT_1)
    (d / "helper.gox").write_text(PRINT_1)
    return d


def test_the_entry_point_is_declared_and_installed() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pytest11"] == {"gox": "gox_program.pytest_plugin"}
    if os.environ.get("CI"):  # (tox installs the package: its metadata must carry the entry point)
        eps = importlib.metadata.entry_points(group="pytest11")
        assert any(e.name == "gox" and e.value == "gox_program.pytest_plugin" for e in eps)


def test_each_case_is_an_item_named_by_its_id(corpus: Path, pytester: pytest.Pytester) -> None:
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "-rs")
    r.assert_outcomes(passed=1, failed=1, skipped=1)
    r.stdout.fnmatch_lines(["*mine/wrong: stdout differs from the expected:*",
                            "*SKIPPED*backend ref lacks deep*"])
    k = pytester.runpytest_subprocess(*PLUGINS, "conformance", "-k", "right")
    k.assert_outcomes(passed=1, deselected=2)


def test_an_expected_failure_list_makes_strict_xfails(corpus: Path, pytester: pytest.Pytester) -> None:
    xf = pytester.path / "known.yaml"
    xf.write_text("- id: mine/wrong\n  reason: bug 7\n")
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-expect-fail", str(xf))
    r.assert_outcomes(passed=1, skipped=1, xfailed=1)
    xf.write_text("- id: mine/wrong\n  reason: bug 7\n- id: mine/right\n  reason: was broken\n")
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-expect-fail", str(xf))
    r.assert_outcomes(failed=1, skipped=1, xfailed=1)  # the listed pass: XPASS(strict) fails
    r.stdout.fnmatch_lines(["*[[]XPASS(strict)[]] was broken*"])
    xf.write_text("- id: mine/nope\n  reason: x\n")
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-expect-fail", str(xf))
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*--gox-expect-fail: *name no case of this run's corpus: mine/nope*"])


def test_a_library_under_test_in_parallel_with_a_junit_report(corpus: Path, pytester: pytest.Pytester) -> None:
    """--gox-lib names the library (a copy here, as a user's would be) and implies the native
    backend, where the deep case runs; -n 2 (pytest-xdist) and --junitxml come from pytest."""
    from gox_program import native

    try:
        built = native.library().path
        native.compiler()
    except native.NativeUnavailable as e:  # (fails under CI)
        native_unavailable(e)
    lib = pytester.path / "libmine.so"
    shutil.copy(built, lib)
    report = pytester.path / "report.xml"
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-lib", str(lib), "-n", "2",
                                      "--junitxml", str(report))
    r.assert_outcomes(passed=2, failed=1)
    cases = {c.get("name"): c for c in ET.parse(report).getroot().iter("testcase")}
    assert set(cases) == {"mine/right", "mine/wrong", "mine/deep"}
    assert cases["mine/wrong"].find("failure") is not None and cases["mine/deep"].find("failure") is None


def test_bad_options_are_usage_errors(corpus: Path, pytester: pytest.Pytester) -> None:
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-lib", "/no/such/lib.so")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*--gox-lib /no/such/lib.so: no such file*"])
    r = pytester.runpytest_subprocess(*PLUGINS, "conformance", "--gox-workers", "4")
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines(["*--gox-workers 4: expected 1..64, with --gox-backend native*"])
