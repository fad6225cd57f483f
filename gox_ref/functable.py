"""The function table: func_id -> code (an entry's type: gox_abi/functable.py)."""

from __future__ import annotations

from gox_abi.errors import GoxABIError
from gox_abi.functable import MAX_FUNCS, FuncEntry

from .core import RuntimeCore


class FuncTableOps(RuntimeCore):
    func_table: list[FuncEntry | None]

    def __init__(self) -> None:
        super().__init__()
        self.func_table = []

    def _func_index(self, func_id: int, fn: str) -> int:
        n = len(self.func_table)
        if not 0 <= func_id < n:
            expect = f"0..{n - 1}" if n else "none (call gox_init_func_table first)"
            raise GoxABIError(f"{fn}: unknown function id {func_id}; expected {expect}")
        return func_id

    def gox_init_func_table(self, size: int) -> None:
        if size > MAX_FUNCS:
            raise GoxABIError(f"gox_init_func_table: size={size}, expected at most {MAX_FUNCS}")
        self.func_table = [None] * size

    def gox_set_func_ptr(self, func_id: int, ptr: FuncEntry | None) -> None:
        if ptr is not None and not callable(ptr) and not isinstance(ptr, int):
            raise GoxABIError(f"gox_set_func_ptr: entry {ptr!r} is neither callable nor an address")
        self.func_table[self._func_index(func_id, "gox_set_func_ptr")] = ptr

    def gox_func_table_ptr(self) -> tuple[FuncEntry | None, ...]:
        """A read-only view of the table (C returns its base address)."""
        return tuple(self.func_table)

    def gox_func_table_len(self) -> int:
        return len(self.func_table)

    def gox_func_table_get(self, func_id: int) -> FuncEntry | None:
        return self.func_table[self._func_index(func_id, "gox_func_table_get")]
