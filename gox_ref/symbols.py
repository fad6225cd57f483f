"""The symbol table: every ABI symbol by name, as compiled code links against it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gox_abi.abi import BY_NAME, SYMBOLS
from gox_abi.errors import GoxABIError

from .core import RuntimeCore


class SymbolOps(RuntimeCore):
    def gox_symbols_get(self, name: bytes) -> Callable[..., Any]:
        if not isinstance(name, (bytes, bytearray, memoryview)):
            raise GoxABIError(f"gox_symbols_get: name={name!r} is not bytes")
        text = bytes(name).decode("utf-8", "replace")
        if text not in BY_NAME:
            raise GoxABIError(f"gox_symbols_get: unknown symbol {text!r}; expected a name from docs/ABI.md")
        fn: Callable[..., Any] | None = getattr(self, text, None)
        if fn is None:  # in the table but not implemented by this runtime yet
            raise GoxABIError(f"gox_symbols_get: symbol {text!r} is not implemented by this runtime")
        return fn

    def gox_symbols_count(self) -> int:
        return len(SYMBOLS)

    def gox_symbols_name(self, idx: int) -> bytes:
        if not 0 <= idx < len(SYMBOLS):
            raise GoxABIError(f"gox_symbols_name: unknown symbol index {idx}; expected 0..{len(SYMBOLS) - 1}")
        return SYMBOLS[idx].name.encode()
