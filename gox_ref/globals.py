"""Globals: a flat array of u64 slots; the slots flagged as references are GC roots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gox_abi.errors import GoxABIError

from .core import RuntimeCore
from .gc import Root


class GlobalOps(RuntimeCore):
    globals_: list[int]
    globals_is_ref: list[bool]

    def __init__(self) -> None:
        super().__init__()
        self.globals_ = []
        self.globals_is_ref = []

    def _global_roots(self) -> Iterable[Root]:
        """Root 1 of docs/GC.md: the reference globals, by index."""
        for i, (val, is_ref) in enumerate(zip(self.globals_, self.globals_is_ref, strict=True)):
            if is_ref:
                yield f"global {i}", val

    def _global_index(self, idx: int, fn: str) -> int:
        n = len(self.globals_)
        if not 0 <= idx < n:
            expect = f"0..{n - 1}" if n else "none (call gox_init_globals first)"
            raise GoxABIError(f"{fn}: unknown global {idx}; expected {expect}")
        return idx

    def gox_init_globals(self, size: int, is_ref: Sequence[bool]) -> None:
        if len(is_ref) != size:
            raise GoxABIError(
                f"gox_init_globals: size={size} but is_ref has {len(is_ref)} flags; expected one per global"
            )
        self.globals_ = [0] * size
        self.globals_is_ref = [bool(r) for r in is_ref]

    def gox_globals_count(self) -> int:
        return len(self.globals_)

    def gox_global_is_ref(self, idx: int) -> bool:
        return self.globals_is_ref[self._global_index(idx, "gox_global_is_ref")]

    def gox_rt_get_global(self, idx: int) -> int:
        return self.globals_[self._global_index(idx, "gox_rt_get_global")]

    def gox_rt_set_global(self, idx: int, val: int) -> None:
        fn = "gox_rt_set_global"
        i = self._global_index(idx, fn)
        if self.globals_is_ref[i]:
            self.heap.check_ref_value(val, fn, f"global {i} (a reference global)")
        self.globals_[i] = val
