"""Extern dispatch: stdlib (and user) functions called by id through ``gox_extern_call``.

An extern takes and returns u64 slots with the ABI's value conventions (gox_abi/externs.py).

The collector is paused (the pause counter is raised) for the whole extern call, so an
extern may allocate several objects without rooting them; the call is not a safepoint.
"""

from __future__ import annotations

from collections.abc import Sequence

from gox_abi.errors import GoxABIError
from gox_abi.externs import ExternSpec

from .core import RuntimeCore
from .stdlib import STDLIB


class ExternOps(RuntimeCore):
    externs: dict[int, ExternSpec]

    def __init__(self) -> None:
        super().__init__()
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
