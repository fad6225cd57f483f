"""docs/ABI.md and gox_abi.h are generated from the ABI table and must be fresh."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from gox_abi import abi_docs
from gox_abi.abi import SYMBOLS


def test_generated_files_are_fresh() -> None:
    assert abi_docs.main(["--check"]) == 0, "run: python -m gox_abi.abi_docs"


def test_every_symbol_is_documented_with_its_signatures() -> None:
    md = abi_docs.ABI_MD.read_text()
    header = abi_docs.HEADER.read_text()
    for s in SYMBOLS:
        assert f"#### `{s.name}`" in md
        assert f"{s.c};" in header


def test_every_decision_is_in_abi_md() -> None:
    md = abi_docs.ABI_MD.read_text()
    for n in range(1, 12):
        assert f"\n### {n}. " in md


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_header_compiles_as_c11_without_warnings() -> None:
    subprocess.run(
        ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only", "-x", "c", str(abi_docs.HEADER)],
        check=True,
    )
