"""docs/ARCHITECTURE.md stays true to the tree: every file its concept table names exists, and
every runtime module and C source file has a row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "ARCHITECTURE.md"
REF = ROOT / "gox_ref"
SRC = ROOT / "gox_ref_native" / "src"


def concept_rows() -> list[tuple[str, list[str], list[str]]]:
    """(concept, reference cells' names, native cells' names) of the concept table."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Concepts: Python module and C file", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("concept", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0], re.findall(r"`([^`]+)`", cells[1]), re.findall(r"`([^`]+)`", cells[2])))
    return rows


def named_files(names: list[str], home: Path) -> list[Path]:
    """The files a cell names: a bare name continues the directory of the previous path
    (`objects/string.py`, `array.py` is objects/array.py); a class or glob name is not a file."""
    out, directory = [], home
    for name in names:
        if not re.search(r"\.(py|c|h|S|inc)$|/$", name) or "*" in name:
            continue
        if name.startswith("gox_abi/"):
            path = ROOT / name
        elif "/" in name:
            path = home / name
        else:
            path = directory / name
        directory = path.parent
        out.append(path)
    return out


def test_every_file_the_table_names_exists() -> None:
    rows = concept_rows()
    assert len(rows) > 20
    for concept, ref, native in rows:
        for path in named_files(ref, REF) + named_files(native, SRC):
            header = ROOT / "gox_ref_native" / path.name
            assert path.exists() or header.exists(), f"{concept}: {path} does not exist"


def test_every_runtime_module_and_c_file_has_a_row() -> None:
    rows = concept_rows()
    ref = {p.resolve() for _, cells, _ in rows for p in named_files(cells, REF)}
    native = {p.name for _, _, cells in rows for p in named_files(cells, SRC)}
    modules = {p.resolve() for p in REF.rglob("*.py") if p.name != "__init__.py"} - {
        p.resolve() for p in (REF / "stdlib").glob("*.py")
    }
    missing = sorted(str(p.relative_to(ROOT)) for p in modules - ref)
    assert not missing, f"no row in docs/ARCHITECTURE.md for {missing}"
    c_files = {p.name for p in SRC.glob("*.c")} - {"ctx_fallback.c"} - {p.name for p in SRC.glob("stdlib_*.c")}
    assert not c_files - native, f"no row in docs/ARCHITECTURE.md for {sorted(c_files - native)}"
