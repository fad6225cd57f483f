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

from . import oom
from .abi import SYMBOLS, Symbol
from .core import Sink
from .debug import DebugOps
from .errors import GoxABIError
from .externs import ExternOps, check_extern_spec
from .functable import FuncTableOps
from .gcapi import GcOps
from .globals import GlobalOps
from .heapview import HeapSnapshot, snapshot, to_dot
from .iter import IterOps
from .objects.closure import ClosureOps
from .objects.iface import IfaceOps
from .objects.map import MapOps
from .objects.slice import SliceOps
from .symbols import SymbolOps
from .trace import TraceOps

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


def _py_param_types(sym: Symbol) -> list[str]:
    """The annotation text of each Python parameter (``bytes``, ``Sequence[int]``, ...)."""
    inner = sym.py[1 : sym.py.rindex(") ->")]
    types: list[str] = []
    depth, cur = 0, ""
    for ch in inner + ",":
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            if cur.strip():
                types.append(cur.split(":", 1)[1].strip())
            cur = ""
        else:
            cur += ch
    return types


_BYTES_LIKE = (bytes, bytearray, memoryview)


def _check_arg(sym: Symbol, pname: str, ctype: str | None, ptype: str, v: Any) -> Any:
    """One argument, checked against its C and Python types; returns it normalized."""
    if ctype == "bool":
        if not isinstance(v, (bool, int)):
            raise GoxABIError(f"{sym.name}: {pname}={v!r} is not a bool")
        return bool(v)
    if ctype == "uint64_t":
        if not isinstance(v, int) or not -(2**63) <= v <= _U64_MASK:
            raise GoxABIError(f"{sym.name}: {pname}={v!r} is not an integer in the range of uint64_t")
        return v & _U64_MASK
    if ctype in _INT_RANGES:
        lo, hi = _INT_RANGES[ctype]
        if not isinstance(v, int) or (isinstance(v, bool) and ctype != "uint8_t"):
            raise GoxABIError(f"{sym.name}: {pname}={v!r} is not an integer ({ctype})")
        if not lo <= v <= hi:
            raise GoxABIError(f"{sym.name}: {pname}={v} is out of range for {ctype} ({lo}..{hi})")
        return v
    if ptype == "ExternSpec":
        return check_extern_spec(sym.name, pname, v)
    if ptype == "bytes":
        if not isinstance(v, _BYTES_LIKE):
            raise GoxABIError(f"{sym.name}: {pname}={v!r} is not bytes")
        return bytes(v)
    if ptype.startswith("Sequence["):
        if isinstance(v, (str, int)) or not hasattr(v, "__len__") or not hasattr(v, "__iter__"):
            raise GoxABIError(f"{sym.name}: {pname}={v!r} is not a sequence ({ptype})")
        if ptype in ("Sequence[int]", "Sequence[bool]"):
            items = list(v)
            for x in items:
                if not isinstance(x, int) or not -(2**63) <= x <= _U64_MASK:
                    raise GoxABIError(f"{sym.name}: {pname} holds {x!r}, expected 64-bit integers")
            return items
    return v


def _is_checked(ctype: str | None, ptype: str) -> bool:
    """Whether ``_check_arg`` looks at an argument of these types (others pass as they are)."""
    return (
        ctype in _INT_RANGES or ctype in ("uint64_t", "bool") or ptype in ("bytes", "ExternSpec")
        or ptype.startswith("Sequence[")
    )


def _unchanged_ints(ctype: str | None) -> tuple[int, int] | None:
    """The plain ints (of type ``int`` exactly: no bool, no enum) that ``_check_arg`` accepts and
    returns unchanged for this C type, as (lo, hi); None for a type with no such range."""
    if ctype == "uint64_t":
        return 0, _U64_MASK  # a negative value is accepted too, but normalized modulo 2**64
    return _INT_RANGES.get(ctype) if ctype is not None else None


_ABSENT: Any = object()  # a wrapper parameter the caller did not pass positionally


def _given(*args: Any) -> tuple[Any, ...]:
    """The positional arguments a shortcut wrapper received (its trailing _ABSENT defaults dropped)."""
    return tuple(a for a in args if a is not _ABSENT)


def _checked(sym: Symbol, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ABI method with its argument checks, derived from its C and Python types.

    Everything about the checks is worked out here, once per symbol.  Most calls pass plain
    ints within their C types' ranges, which every check returns unchanged: for a symbol of at
    most three parameters that all take integers, the wrapper tests exactly that (one type test
    and one range comparison per argument) and calls the method with the arguments as given.
    Any other call takes ``full``: keyword binding, the count, then ``_check_arg`` for each
    checked argument, which raises the error or normalizes the value.  A ``MemoryError``
    becomes Go's fatal error, ``GoxFatal("runtime: out of memory")`` (gox_ref/oom.py)."""
    ctypes = {name: ctype for ctype, name in sym.c_params}
    names = sym.py_params
    ptypes = _py_param_types(sym)
    checks = [(i, p, ctypes.get(p), ptypes[i]) for i, p in enumerate(names) if _is_checked(ctypes.get(p), ptypes[i])]
    nargs = len(names)

    def full(self: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if kwargs:
            args = _bind_keywords(sym, args, kwargs)
        if len(args) != nargs:
            raise GoxABIError(f"{sym.name}: takes {nargs} arguments {sym.py}, got {len(args)}")
        if not checks:
            return method(self, *args)
        fixed = list(args)
        for i, pname, ctype, ptype in checks:
            fixed[i] = _check_arg(sym, pname, ctype, ptype, fixed[i])
        return method(self, *fixed)

    ranges = [_unchanged_ints(ctypes.get(p)) for p in names]
    wrapper: Callable[..., Any]
    # The shortcuts take their arguments as positional-only parameters defaulting to _ABSENT, so
    # a plain call builds no argument tuple; any other call goes to ``full`` with what was given.
    if nargs == 0:

        def wrapper(self: Any, /, *args: Any, **kwargs: Any) -> Any:
            try:
                if args or kwargs:
                    return full(self, args, kwargs)
                return method(self)
            except MemoryError:
                raise oom.fatal() from None

    elif nargs == 1 and ranges[0] is not None:
        (lo0, hi0) = ranges[0]

        def wrapper(self: Any, a: Any = _ABSENT, /, *more: Any, **kwargs: Any) -> Any:
            try:
                if type(a) is int and lo0 <= a <= hi0 and not more and not kwargs:
                    return method(self, a)
                return full(self, _given(a) + more, kwargs)
            except MemoryError:
                raise oom.fatal() from None

    elif nargs == 2 and ranges[0] is not None and ranges[1] is not None:
        (lo0, hi0), (lo1, hi1) = ranges[0], ranges[1]

        def wrapper(self: Any, a: Any = _ABSENT, b: Any = _ABSENT, /, *more: Any, **kwargs: Any) -> Any:
            try:
                if type(a) is int and lo0 <= a <= hi0 and type(b) is int and lo1 <= b <= hi1 and not more and not kwargs:
                    return method(self, a, b)
                return full(self, _given(a, b) + more, kwargs)
            except MemoryError:
                raise oom.fatal() from None

    elif nargs == 3 and ranges[0] is not None and ranges[1] is not None and ranges[2] is not None:
        (lo0, hi0), (lo1, hi1), (lo2, hi2) = ranges[0], ranges[1], ranges[2]

        def wrapper(self: Any, a: Any = _ABSENT, b: Any = _ABSENT, c: Any = _ABSENT, /, *more: Any, **kwargs: Any) -> Any:
            try:
                if (
                    type(a) is int and lo0 <= a <= hi0
                    and type(b) is int and lo1 <= b <= hi1
                    and type(c) is int and lo2 <= c <= hi2
                    and not more and not kwargs
                ):
                    return method(self, a, b, c)
                return full(self, _given(a, b, c) + more, kwargs)
            except MemoryError:
                raise oom.fatal() from None

    else:

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return full(self, args, kwargs)
            except MemoryError:
                raise oom.fatal() from None

    return functools.wraps(method)(wrapper)


def _bind_keywords(sym: Symbol, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    names = sym.py_params
    out = list(args)
    for name in names[len(args) :]:
        if name not in kwargs:
            raise GoxABIError(f"{sym.name}: missing argument {name!r} {sym.py}")
        out.append(kwargs.pop(name))
    if kwargs:
        raise GoxABIError(f"{sym.name}: unexpected argument(s) {sorted(kwargs)} {sym.py}")
    return tuple(out)


class RefRuntime(
    IterOps,
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
    TraceOps,
):
    """The executable spec of the ``gox_*`` ABI."""

    def __init__(self, out: Sink | None = None) -> None:
        super().__init__()
        # The root order of docs/GC.md, stated here rather than left to the mixins' order.
        self.gc.root_sources[:] = [self._global_roots, self._pinned_roots, self._stack_roots, self._goroutine_roots]
        if out is not None:
            self.out = out

    def set_output(self, out: Sink, err: Sink | None = None) -> None:
        """Send debug output to ``out`` and panic/fatal reports to ``err`` (``write(bytes)``)."""
        self.out = out
        if err is not None:
            self.err = err

    def ref_number(self, ref: int) -> int:
        """Allocation number of a reference (0 when it is none this instance made)."""
        return self.heap.ref_number(ref)

    def canonical(self, ref: int) -> int:
        """The reference's canonical address (``0x10000000 + 16 * number``), as outputs show
        it; a value that is no reference of this instance unchanged.  (Each instance's own
        references differ, as the native backend's addresses do.)"""
        return self.heap.canonical(ref)

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
