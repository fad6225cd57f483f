"""Externs as the ABI defines them: what ``gox_register_extern`` takes (``ExternSpec``) and the
slot conventions of their parameters and results, the same on every backend.

An extern takes and returns u64 slots with the ABI's value conventions: ints are two's
complement, floats are IEEE-754 binary64 bits, bools are 0 or 1, strings are references
(0 is ""), and an ``error`` result is a string reference holding the message (0 is nil).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


class ExternHost(Protocol):
    """What an extern may use of the runtime: reading and making strings."""

    def gox_string_read(self, s: int) -> bytes: ...
    def gox_rt_string_from_ptr(self, data: bytes) -> int: ...


ExternFn = Callable[[ExternHost, Sequence[int]], Sequence[int]]


PARAM_CONVENTIONS = ("int", "float", "bool", "string", "byte")
RESULT_CONVENTIONS = (*PARAM_CONVENTIONS, "error")


@dataclass(frozen=True)
class ExternSpec:
    name: str  # Go's qualified name, e.g. "math.Sqrt"
    params: tuple[str, ...]  # slot conventions: PARAM_CONVENTIONS
    results: tuple[str, ...]  # RESULT_CONVENTIONS
    fn: ExternFn
    doc: str = ""
