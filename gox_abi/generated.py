"""Generated files: write them, or (``--check``) report the stale ones.

Every generator in the project (the ABI docs and header, the C symbol table, the Unicode
tables, the context-switch fallback) renders its files as text and hands them here, so
"regenerate" and "is it fresh?" mean the same thing everywhere.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(outputs: Mapping[Path, str], argv: list[str] | None, command: str) -> int:
    """Write ``outputs``; with ``--check`` in ``argv`` write nothing and return 1 if any
    file differs from its rendering (naming ``command`` to regenerate them)."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        stale = [str(p.relative_to(ROOT)) for p, text in outputs.items() if not p.exists() or p.read_text() != text]
        if stale:
            print(f"stale: {', '.join(stale)}; run {command}", file=sys.stderr)
            return 1
        return 0
    for path, text in outputs.items():
        path.write_text(text)
    return 0
