"""``RefRuntime``: one independent instance of the reference runtime.

It is assembled from one mixin per concept; each ABI symbol is a method with exactly the
symbol's name (see gox_ref/abi.py for the table).  Several instances may live in one process.
Integer arguments are checked against their C types before the call runs (a ``uint64_t``
value slot also accepts a negative int, taken modulo 2**64, as C's conversion does).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .abi import SYMBOLS, Symbol
from .core import Sink
from .debug import DebugOps
from .errors import GoxABIError
from .externs import ExternOps
from .functable import FuncTableOps
from .gcapi import GcOps
from .globals import GlobalOps
from .heapview import HeapSnapshot, snapshot, to_dot
from .objects.closure import ClosureOps
from .objects.iface import IfaceOps
from .objects.map import MapOps
from .objects.slice import SliceOps
from .select import SelectOps
from .symbols import SymbolOps

_INT_RANGES = {
    "uint8_t": (0, 0xFF),
    "uint16_t": (0, 0xFFFF),
    "uint32_t": (0, 0xFFFF_FFFF),
    "int32_t": (-(2**31), 2**31 - 1),
    "int64_t": (-(2**63), 2**63 - 1),
    "size_t": (0, 2**64 - 1),
    "uintptr_t": (0, 2**64 - 1),
    "GoxRef": (0, 2**64 - 1),
}
_U64_MASK = 2**64 - 1


def _checked(sym: Symbol, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ABI method with its argument checks, derived from the C prototype."""
    ctypes = dict((name, ctype) for ctype, name in sym.c_params)
    checks: list[tuple[int, str, str]] = []
    for i, pname in enumerate(sym.py_params):
        ctype = ctypes.get(pname)
        if ctype in _INT_RANGES or ctype in ("uint64_t", "bool"):
            checks.append((i, pname, ctype))
    if not checks:
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        if len(args) != len(sym.py_params):
            raise GoxABIError(f"{sym.name}: takes {len(sym.py_params)} arguments {sym.py}, got {len(args)}")
        fixed = list(args)
        for i, pname, ctype in checks:
            v = fixed[i]
            if ctype == "bool":
                if not isinstance(v, (bool, int)):
                    raise GoxABIError(f"{sym.name}: {pname}={v!r} is not a bool")
                fixed[i] = bool(v)
                continue
            if not isinstance(v, int):
                raise GoxABIError(f"{sym.name}: {pname}={v!r} is not an integer ({ctype})")
            if ctype == "uint64_t":
                if not -(2**63) <= v <= _U64_MASK:
                    raise GoxABIError(f"{sym.name}: {pname}={v} is out of range for uint64_t")
                fixed[i] = v & _U64_MASK
                continue
            lo, hi = _INT_RANGES[ctype]
            if not lo <= v <= hi:
                raise GoxABIError(f"{sym.name}: {pname}={v} is out of range for {ctype} ({lo}..{hi})")
        return method(self, *fixed)

    return wrapper


class RefRuntime(
    SelectOps,
    GcOps,
    GlobalOps,
    SliceOps,
    ClosureOps,
    IfaceOps,
    MapOps,
    FuncTableOps,
    SymbolOps,
    ExternOps,
    DebugOps,
):
    """The executable spec of the ``gox_*`` ABI."""

    def __init__(self, out: Sink | None = None) -> None:
        super().__init__()
        if out is not None:
            self.out = out

    def set_output(self, out: Sink, err: Sink | None = None) -> None:
        """Send debug output to ``out`` and panic/fatal reports to ``err`` (``write(bytes)``)."""
        self.out = out
        if err is not None:
            self.err = err

    def heap_snapshot(self) -> HeapSnapshot:
        return snapshot(self)

    def heap_dot(self, title: str = "gox heap") -> str:
        return to_dot(snapshot(self), title)


def _install_checks() -> None:
    for sym in SYMBOLS:
        method = getattr(RefRuntime, sym.name, None)
        if method is not None:
            setattr(RefRuntime, sym.name, _checked(sym, method))


_install_checks()
