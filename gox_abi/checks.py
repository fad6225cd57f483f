"""The argument checks every backend applies before an ABI call runs, derived from the ABI
table: ``checked(sym, fn)`` wraps one ABI method with the checks of its symbol's C and Python
types, and the structured arguments (an extern spec, stack-map offsets) have their own checks.

Integer arguments are checked against their C types (a ``uint64_t`` value slot also accepts a
negative int, taken modulo 2**64, as C's conversion does).  Both runtimes install the same
wrapper on the same methods, so a bad argument gets the same error from either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from . import oom
from .abi import Symbol
from .errors import GoxABIError
from .externs import PARAM_CONVENTIONS, RESULT_CONVENTIONS, ExternSpec

# The range of each C integer type an argument may have (the program compiler checks the same).
INT_RANGES = {
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
    if ctype in INT_RANGES:
        lo, hi = INT_RANGES[ctype]
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
        if ctype == "const char *" and b"\0" in bytes(v):
            # C sees a NUL-terminated string: the two backends would read different texts.
            raise GoxABIError(f"{sym.name}: {pname}={bytes(v)!r} holds a NUL byte; expected a C string (no NUL)")
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
        ctype in INT_RANGES or ctype in ("uint64_t", "bool") or ptype in ("bytes", "ExternSpec")
        or ptype.startswith("Sequence[")
    )


def _unchanged_ints(ctype: str | None) -> tuple[int, int] | None:
    """The plain ints (of type ``int`` exactly: no bool, no enum) that ``_check_arg`` accepts and
    returns unchanged for this C type, as (lo, hi); None for a type with no such range."""
    if ctype == "uint64_t":
        return 0, _U64_MASK  # a negative value is accepted too, but normalized modulo 2**64
    return INT_RANGES.get(ctype) if ctype is not None else None


_ABSENT: Any = object()  # a wrapper parameter the caller did not pass positionally


def _given(*args: Any) -> tuple[Any, ...]:
    """The positional arguments a shortcut wrapper received (its trailing _ABSENT defaults dropped)."""
    return tuple(a for a in args if a is not _ABSENT)


def checked(sym: Symbol, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an ABI method with its argument checks, derived from its C and Python types.

    Everything about the checks is worked out here, once per symbol.  Most calls pass plain
    ints within their C types' ranges, which every check returns unchanged: for a symbol of at
    most three parameters that all take integers, the wrapper tests exactly that (one type test
    and one range comparison per argument) and calls the method with the arguments as given.
    Any other call takes ``full``: keyword binding, the count, then ``_check_arg`` for each
    checked argument, which raises the error or normalizes the value.  A ``MemoryError``
    becomes Go's fatal error, ``GoxFatal("runtime: out of memory")`` (gox_abi/oom.py)."""
    ctypes = {name: ctype for ctype, name in sym.c_params}
    names = sym.py_params
    ptypes = sym.py_param_types
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


def check_offsets(offsets: Sequence[int], fn: str) -> tuple[int, ...]:
    """The sp offsets of one map (both backends check them so, before anything is registered)."""
    for off in offsets:
        if not isinstance(off, int) or not -(2**31) <= off < 2**31:
            raise GoxABIError(f"{fn}: sp offset {off!r} is not an int32_t")
        if off % 8:
            raise GoxABIError(f"{fn}: sp offset {off} is not a multiple of 8; stack slots are 8-byte aligned")
    return tuple(offsets)


def check_batch(entries: Sequence[tuple[int, Sequence[int]]], fn: str) -> list[tuple[int, tuple[int, ...]]]:
    """The entries of gox_stack_map_register_batch, every one checked before any is registered:
    a (code offset, sp offsets) pair, the offset a uint32_t."""
    out = []
    for entry in entries:
        if (
            not isinstance(entry, (tuple, list)) or len(entry) != 2
            or isinstance(entry[1], (str, int)) or not hasattr(entry[1], "__iter__")
        ):
            raise GoxABIError(f"{fn}: entries holds {entry!r}, expected (code offset, sp offsets) pairs")
        code_off, offs = entry
        if not isinstance(code_off, int) or not 0 <= code_off < 2**32:
            raise GoxABIError(f"{fn}: code offset {code_off!r} is not a uint32_t")
        out.append((code_off, check_offsets(list(offs), fn)))
    return out
