"""The import rule between the layers (README.md, "Layout"), checked on the source.

    gox_abi         the contract: imports only the standard library
    gox_ref         the reference runtime: imports gox_abi (and third-party packages)
    gox_ref_native  the native binding: imports gox_abi
    gox_program     the program layer and the command: may import all three
    bench/, tools/  on top: may import anything; nothing imports them

Every import statement of every module is read with ``ast`` (function-local and
``TYPE_CHECKING`` ones included, relative ones resolved), so a violation is found whether or not
the code path runs.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The project packages each layer may import (besides itself).
MAY_IMPORT: dict[str, frozenset[str]] = {
    "gox_abi": frozenset(),
    "gox_ref": frozenset({"gox_abi"}),
    "gox_ref_native": frozenset({"gox_abi"}),
    "gox_program": frozenset({"gox_abi", "gox_ref", "gox_ref_native"}),
}
STDLIB_ONLY = frozenset({"gox_abi"})  # no third-party package either
ON_TOP = frozenset({"bench", "tools"})  # may import every layer; no layer imports them
CONSUMERS = frozenset({"tests", "examples"})  # scripts and tests: no rule
PROJECT = frozenset(MAY_IMPORT) | ON_TOP
# The one upward import: ``gox-ref bench`` runs bench/bench_go.py from a source checkout (bench/
# is not installed, so the command imports it when it runs: gox_program/cli.py, cmd_bench).
ALLOWED_UPWARD = frozenset({("gox_program.cli", "bench")})


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)), key=lambda n: n.lineno):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                yield node.lineno, node.module
                continue
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            if node.module is not None:
                yield node.lineno, ".".join([*base, node.module])
            else:  # from . import a, b: the names are modules of the package (or its attributes)
                for alias in node.names:
                    yield node.lineno, ".".join([*base, alias.name])


def violations(path: Path, layer: str) -> list[str]:
    module = module_name(path)
    out = []
    for line, name in imported(path):
        top = name.partition(".")[0]
        where = f"{path.relative_to(ROOT)}:{line}: {module} imports {name}"
        if top == layer or top == "__future__":
            continue
        if top in PROJECT:
            if top not in MAY_IMPORT[layer] and (module, top) not in ALLOWED_UPWARD:
                allowed = ", ".join(sorted(MAY_IMPORT[layer])) or "no other project package"
                out.append(f"{where} ({layer} may import {allowed})")
        elif layer in STDLIB_ONLY and top not in sys.stdlib_module_names:
            out.append(f"{where} ({layer} imports only the standard library)")
    return out


def layer_files(layer: str) -> list[Path]:
    return sorted(p for p in (ROOT / layer).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_each_layer_imports_only_what_lies_below_it(layer: str) -> None:
    files = layer_files(layer)
    assert files, f"no modules found in {layer}/"
    found = [v for path in files for v in violations(path, layer)]
    assert not found, "imports that break the layer rule (README.md, 'Layout'):\n" + "\n".join(found)


def test_every_package_has_a_place_in_the_layers() -> None:
    """A new top-level package must be given its place (and so its rule) here."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    scripts = {p.parent.name for p in ROOT.glob("*/*.py") if p.parent.name not in packages}
    assert packages | scripts <= PROJECT | CONSUMERS, sorted((packages | scripts) - PROJECT - CONSUMERS)


def test_the_checker_sees_every_kind_of_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative imports are resolved; function-local and TYPE_CHECKING imports are read."""
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    pkg = tmp_path / "gox_ref" / "objects"
    pkg.mkdir(parents=True)
    (pkg / "mod.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from .. import runtime, oom\n"
        "from ..heap import GcObject\n"
        "if TYPE_CHECKING:\n"
        "    import gox_ref_native.runtime\n"
        "def f() -> None:\n"
        "    from gox_program.native import library\n"
        "    import greenlet\n"
    )
    assert list(imported(pkg / "mod.py")) == [
        (1, "typing"), (2, "gox_ref.runtime"), (2, "gox_ref.oom"), (3, "gox_ref.heap"),
        (5, "gox_ref_native.runtime"), (7, "gox_program.native"), (8, "greenlet"),
    ]
    assert violations(pkg / "mod.py", "gox_ref") == [
        "gox_ref/objects/mod.py:5: gox_ref.objects.mod imports gox_ref_native.runtime (gox_ref may import gox_abi)",
        "gox_ref/objects/mod.py:7: gox_ref.objects.mod imports gox_program.native (gox_ref may import gox_abi)",
    ]
    assert violations(pkg / "mod.py", "gox_abi")[-1].endswith("imports greenlet (gox_abi imports only the standard library)")
