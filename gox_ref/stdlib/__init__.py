"""The stdlib externs (placeholder until the math, strings and strconv modules land)."""

from __future__ import annotations

from ..externs import ExternSpec

STDLIB: tuple[ExternSpec, ...] = ()
