"""Extern dispatch: stdlib (and user) functions called by id through ``gox_extern_call``.

An extern takes and returns u64 slots with the ABI's value conventions: ints are two's
complement, floats are IEEE-754 binary64 bits, bools are 0 or 1, strings are references
(0 is ""), and an ``error`` result is a string reference holding the message (0 is nil).

The collector is paused (the pause counter is raised) for the whole extern call, so an
extern may allocate several objects without rooting them; the call is not a safepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .core import RuntimeCore
from .errors import GoxABIError


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


def check_extern_spec(fn: str, pname: str, spec: object) -> ExternSpec:
    """``spec`` as gox_register_extern takes it (both backends): an ExternSpec whose fields
    have their declared types, so that no later lookup or call trips over it."""
    if not isinstance(spec, ExternSpec):
        raise GoxABIError(f"{fn}: {pname}={spec!r} is not an ExternSpec; expected ExternSpec(name, params, results, fn)")
    if not isinstance(spec.name, str) or "\0" in spec.name:
        raise GoxABIError(f"{fn}: {pname}.name={spec.name!r} is not a name; expected a str without NUL, e.g. 'math.Sqrt'")
    for field, allowed in (("params", PARAM_CONVENTIONS), ("results", RESULT_CONVENTIONS)):
        convs = getattr(spec, field)
        if not isinstance(convs, (tuple, list)) or not all(isinstance(c, str) and c in allowed for c in convs):
            raise GoxABIError(
                f"{fn}: {pname}.{field}={convs!r} is not a tuple of slot conventions; expected items of {allowed}"
            )
    if not callable(spec.fn):
        raise GoxABIError(f"{fn}: {pname}.fn={spec.fn!r} is not callable; expected fn(host, args) -> results")
    return spec


class ExternOps(RuntimeCore):
    externs: dict[int, ExternSpec]

    def __init__(self) -> None:
        super().__init__()
        from .stdlib import STDLIB

        # The stdlib takes ids 1..N in table order (docs/EXTERNS.md); user ids may follow.
        self.externs = {i + 1: spec for i, spec in enumerate(STDLIB)}

    def gox_register_extern(self, extern_id: int, spec: ExternSpec) -> None:
        if extern_id == 0:
            raise GoxABIError("gox_register_extern: extern id 0 is reserved; expected 1 or more")
        self.externs[extern_id] = spec

    def gox_extern_lookup(self, name: bytes) -> int:
        text = bytes(name).decode("utf-8", "replace")
        for eid, spec in self.externs.items():
            if spec.name == text:
                return eid
        raise GoxABIError(f"gox_extern_lookup: unknown extern {text!r}; expected a name from docs/EXTERNS.md")

    def gox_extern_call(self, extern_id: int, args: Sequence[int], ret_count: int) -> list[int]:
        fn = "gox_extern_call"
        spec = self.externs.get(extern_id)
        if spec is None:
            raise GoxABIError(f"{fn}: unknown extern id {extern_id}; expected a registered id")
        if len(args) != len(spec.params) or ret_count != len(spec.results):
            raise GoxABIError(
                f"{fn}: {spec.name} takes {len(spec.params)} args and returns {len(spec.results)} "
                f"slots, got {len(args)} args and ret_count={ret_count}"
            )
        self.gc.pause_depth += 1
        try:
            rets = list(spec.fn(self, list(args)))  # type: ignore[arg-type]
        finally:
            self.gc.pause_depth -= 1
        if len(rets) != ret_count:
            raise GoxABIError(f"{fn}: {spec.name} returned {len(rets)} slots, expected {ret_count}")
        return rets
