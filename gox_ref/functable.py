"""The function table: func_id -> code.

In C an entry is a native code pointer.  In the reference an entry is a Python callable
``f(rt, *args) -> int | tuple[int, ...] | None`` (the calling convention of docs/ABI.md,
"Calling convention"), or an int standing for a native address.  Unset entries are None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .core import RuntimeCore
from .errors import GoxABIError

FuncEntry = Callable[..., Any] | int
# func_id is a uint32_t; the table is also kept to a size a host can allocate (an
# implementation limit both backends share: 16M functions).
MAX_FUNCS = 1 << 24


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
