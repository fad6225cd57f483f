"""The conformance corpus as pytest items (registered through the ``pytest11`` entry point).

Every ``.gox`` file that is a case (its first line is ``/*---``) becomes one test, named by its
case id, so pytest and its plugins bring filtering (``-k``), parallelism (pytest-xdist's
``-n``), JUnit XML (``--junitxml``), ``--lf`` and the rest::

    pytest conformance/ --gox-backend native --gox-lib PATH -n auto --junitxml report.xml -k select

A case runs exactly as ``gox-ref conformance`` runs it (``corpus.run_case_file``): a failure
reports the same reason, a case its backend cannot run is skipped with the same reason, and an
expected-failure list (``--gox-expect-fail FILE``, gox_program/expectfail.py) marks its cases
``xfail(strict=True)``: a listed case that fails is XFAIL, one that passes fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gox_ref_native.runtime import LIB_ENV

from . import expectfail
from .corpus import case_id_of, known_case_ids, run_case_file
from .limits import DEFAULT as DEFAULT_LIMITS


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("gox", "gox-ref conformance cases (.gox files)")
    g.addoption("--gox-backend", choices=("ref", "native"), default="ref",
                help="run the cases on ref (the interpreter, the default) or native (compiled to C)")
    g.addoption("--gox-lib", metavar="PATH",
                help="the native library under test (as GOX_NATIVE_LIB; implies --gox-backend native)")
    g.addoption("--gox-workers", type=int, metavar="N",
                help="native only: run programs on N scheduler threads (1..64)")
    g.addoption("--gox-runs", type=int, default=1, metavar="K",
                help="native only: run each case K times; it passes only if every run does")
    g.addoption("--gox-expect-fail", metavar="FILE",
                help="a YAML list of expected failures (- id: CASE, reason: WHY): each is xfail(strict=True)")


def pytest_configure(config: pytest.Config) -> None:
    lib = config.getoption("gox_lib")
    if lib is not None:
        path = Path(lib).resolve()
        if not path.is_file():
            raise pytest.UsageError(f"--gox-lib {lib}: no such file (expected a build of the gox_* library)")
        os.environ[LIB_ENV] = str(path)  # (xdist's workers run this hook too)
        config.option.gox_backend = "native"
    native = config.getoption("gox_backend") == "native"
    workers, runs = config.getoption("gox_workers"), config.getoption("gox_runs")
    if workers is not None and (not native or not 1 <= workers <= 64):
        raise pytest.UsageError(f"--gox-workers {workers}: expected 1..64, with --gox-backend native")
    if runs != 1 and (not native or runs < 1):
        raise pytest.UsageError(f"--gox-runs {runs}: expected at least 1, with --gox-backend native")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".gox" and _is_case(file_path):
        file: GoxCaseFile = GoxCaseFile.from_parent(parent, path=file_path)
        return file
    return None


def _is_case(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.readline().strip() == b"/*---"
    except OSError:
        return False


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect: the list is checked against them all
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    name = config.getoption("gox_expect_fail")
    cases = [i for i in items if isinstance(i, GoxCase)]
    if name is None or not cases:
        return
    try:
        expected = expectfail.load(Path(name))
        expectfail.check_ids(expected, known_case_ids(i.path for i in cases), Path(name))
    except expectfail.ExpectFailError as e:
        raise pytest.UsageError(f"--gox-expect-fail: {e}") from None
    for item in cases:
        why = expected.get(item.name)
        if why is not None:
            item.add_marker(pytest.mark.xfail(reason=why, strict=True))


class GoxCaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield GoxCase.from_parent(self, name=case_id_of(self.path))


class CaseFailed(Exception):
    """A case did not meet its expectation; the reason is ``gox-ref conformance``'s."""


class GoxCase(pytest.Item):
    def runtest(self) -> None:
        opt = self.config.getoption
        r = run_case_file(self.path, opt("gox_backend"), opt("gox_workers"), DEFAULT_LIMITS, opt("gox_runs"))
        if r.result == "skipped":
            pytest.skip(r.reason)
        if r.result == "failed":
            raise CaseFailed(r.reason)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            return f"{self.name}: {excinfo.value}"
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case {self.name}"
