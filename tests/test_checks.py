"""The argument checks of every ABI method (``gox_abi.checks.checked``): the wrappers' shortcut for
plain in-range ints must behave exactly as the full checks (``_bind_keywords``, the count, then
``_check_arg`` per checked argument), for every symbol, whatever the arguments: the same
values (and types) reach the method, or the same error is raised."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from conftest import new_runtime

from gox_abi.abi import SYMBOLS, Symbol
from gox_abi.checks import _bind_keywords, _check_arg, _is_checked, checked
from gox_ref import GoxABIError, ValueKind

U64 = (1 << 64) - 1
SAMPLES: tuple[Any, ...] = (
    0, 1, 7, 0xFF, 0x100, 0xFFFF, 0x10000, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63 - 1, 2**63, U64, 2**64,
    -1, -(2**31), -(2**31) - 1, -(2**63), -(2**63) - 1,
    True, False, ValueKind.INT, 1.0, None, "1", b"\x01", [1, 2], (U64, -1), [True], [1.5],
)


def _capture(self: Any, *args: Any) -> tuple[Any, ...]:
    return args


def _outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """What a call did: the arguments the method got (values and exact types), or the error."""
    try:
        got = fn(None, *args, **kwargs)
    except GoxABIError as e:
        return "error", str(e)
    return "called", [(type(v), v) for v in got]


def _full_checks(sym: Symbol) -> Any:
    """The checks as a plain loop over every argument: the behaviour the shortcuts must keep."""
    ctypes = {name: ctype for ctype, name in sym.c_params}
    ptypes = sym.py_param_types
    names = sym.py_params

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            args = _bind_keywords(sym, args, dict(kwargs))
        if len(args) != len(names):
            raise GoxABIError(f"{sym.name}: takes {len(names)} arguments {sym.py}, got {len(args)}")
        return tuple(
            _check_arg(sym, p, ctypes.get(p), ptypes[i], v) if _is_checked(ctypes.get(p), ptypes[i]) else v
            for i, (p, v) in enumerate(zip(names, args, strict=True))
        )

    return call


def _argument_lists(n: int) -> list[tuple[Any, ...]]:
    """Every sample in every position (the others plain ints), all pairs of a few, and lists
    one too short and one too long."""
    lists: list[tuple[Any, ...]] = []
    for i in range(n):
        for v in SAMPLES:
            lists.append(tuple(v if j == i else 5 for j in range(n)))
    few = (0, U64, -1, True, 2**64, ValueKind.CHANNEL, None)
    lists += list(itertools.product(few, repeat=min(n, 2)))
    lists += [tuple(range(n + 1)), tuple(range(max(n - 1, 0)))]
    return lists


@pytest.mark.parametrize("sym", SYMBOLS, ids=lambda s: s.name)
def test_the_wrapper_behaves_as_the_full_checks(sym: Symbol) -> None:
    wrapped, full = checked(sym, _capture), _full_checks(sym)
    for args in _argument_lists(len(sym.py_params)):
        assert _outcome(wrapped, *args) == _outcome(full, *args), (sym.name, args)


@pytest.mark.parametrize("sym", [s for s in SYMBOLS if s.py_params], ids=lambda s: s.name)
def test_keyword_arguments_bind_as_before(sym: Symbol) -> None:
    wrapped, full = checked(sym, _capture), _full_checks(sym)
    names = sym.py_params
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        ((), {p: 5 for p in names}),  # every argument by name
        ((5,) * (len(names) - 1), {names[-1]: -1}),  # the last by name
        ((), {p: 5 for p in names[1:]}),  # the first missing
        ((5,) * len(names), {"bogus": 1}),  # an unknown name
        ((), {**{p: 5 for p in names}, "bogus": 1}),
    ]
    for args, kwargs in calls:
        assert _outcome(wrapped, *args, **kwargs) == _outcome(full, *args, **kwargs), (sym.name, args, kwargs)


def test_the_wrapper_keeps_the_methods_name_and_doc() -> None:
    from gox_ref import RefRuntime
    from gox_ref.chan import ChanOps

    assert RefRuntime.gox_chan_send.__name__ == "gox_chan_send"
    assert RefRuntime.gox_chan_send.__wrapped__ is ChanOps.gox_chan_send  # type: ignore[attr-defined]


C_STRING_CALLS = [s for s in SYMBOLS if any(t == "const char *" for t, _ in s.c_params)]


@pytest.mark.parametrize("sym", [s for s in C_STRING_CALLS if s.ref], ids=lambda s: s.name)
def test_a_c_string_with_a_nul_byte_is_refused_on_both_backends(sym: Symbol, backend: str) -> None:
    """C reads a ``const char *`` up to its first NUL and Python would read it whole, so the two
    backends would see different texts: the check refuses the NUL before either runs."""
    rt = new_runtime(backend)
    pname = next(n for t, n in sym.c_params if t == "const char *")
    types = zip(sym.py_params, sym.py_param_types, strict=True)
    args = {p: (b"a\x00b" if p == pname else b"" if t == "bytes" else 0) for p, t in types}
    with pytest.raises(GoxABIError) as e:
        getattr(rt, sym.name)(**args)
    assert str(e.value) == f"{sym.name}: {pname}=b'a\\x00b' holds a NUL byte; expected a C string (no NUL)"
