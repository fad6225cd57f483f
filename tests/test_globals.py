"""Globals, the function table, the symbol table and user externs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from conftest import NO_TYPE, K, Runtime, gstr, sread

from gox_abi.abi import SYMBOLS
from gox_abi.externs import ExternHost, ExternSpec
from gox_ref import GoxABIError


# -- globals -----------------------------------------------------------------------------------
def test_globals_read_write(rt: Runtime) -> None:
    assert rt.gox_globals_count() == 0
    rt.gox_init_globals(3, [False, True, False])
    assert rt.gox_globals_count() == 3
    assert [rt.gox_rt_get_global(i) for i in range(3)] == [0, 0, 0]
    assert [rt.gox_global_is_ref(i) for i in range(3)] == [False, True, False]
    rt.gox_rt_set_global(0, 2**64 - 1)
    rt.gox_rt_set_global(2, 42)
    assert rt.gox_rt_get_global(0) == 2**64 - 1
    assert rt.gox_rt_get_global(2) == 42
    rt.gox_rt_set_global(0, -1)  # uint64_t takes a negative int modulo 2**64
    assert rt.gox_rt_get_global(0) == 2**64 - 1


def test_reinit_globals_resets(rt: Runtime) -> None:
    rt.gox_init_globals(1, [False])
    rt.gox_rt_set_global(0, 5)
    rt.gox_init_globals(2, [False, False])
    assert [rt.gox_rt_get_global(i) for i in range(2)] == [0, 0]


def test_reference_globals_are_roots(rt: Runtime) -> None:
    rt.gox_init_globals(2, [True, False])
    kept = gstr(rt, "kept")
    lost = gstr(rt, "lost")
    rt.gox_rt_set_global(0, kept)
    rt.gox_rt_set_global(1, lost)  # a value global: not a root
    rt.gox_collect_garbage()
    assert sread(rt, rt.gox_rt_get_global(0)) == b"kept"
    assert not rt.is_live(lost)
    rt.gox_rt_set_global(0, 0)
    rt.gox_collect_garbage()
    assert not rt.is_live(kept)


# -- function table ----------------------------------------------------------------------------
def test_func_table(rt: Runtime) -> None:
    assert rt.gox_func_table_len() == 0
    rt.gox_init_func_table(3)
    assert rt.gox_func_table_len() == 3
    assert rt.gox_func_table_ptr() == (None, None, None)

    def add(r: Runtime, a: int, b: int) -> int:
        return a + b

    rt.gox_set_func_ptr(1, add)
    rt.gox_set_func_ptr(2, 0x4000_1000)  # a native address
    assert rt.gox_func_table_get(0) is None
    f = rt.gox_func_table_get(1)
    assert callable(f) and f(rt, 2, 3) == 5
    assert rt.gox_func_table_get(2) == 0x4000_1000
    view = rt.gox_func_table_ptr()
    assert view == (None, add, 0x4000_1000)
    rt.gox_set_func_ptr(1, None)
    assert rt.gox_func_table_get(1) is None
    assert view[1] is add  # the view was a snapshot
    rt.gox_init_func_table(0)
    assert rt.gox_func_table_len() == 0


# -- symbols -----------------------------------------------------------------------------------
def test_symbols_table(rt: Runtime) -> None:
    assert rt.gox_symbols_count() == len(SYMBOLS)
    names = [rt.gox_symbols_name(i) for i in range(rt.gox_symbols_count())]
    assert names == [s.name.encode() for s in SYMBOLS]
    assert rt.gox_symbols_name(0) == b"gox_init_gc"


def test_symbols_get_returns_working_callable(rt: Runtime) -> None:
    make = rt.gox_symbols_get(b"gox_rt_string_from_ptr")
    concat = rt.gox_symbols_get(b"gox_rt_string_concat")
    length = rt.gox_symbols_get(b"gox_string_len")
    s = concat(make(b"foo"), make(b"bar"))
    assert length(s) == 6
    assert sread(rt, s) == b"foobar"
    create = rt.gox_symbols_get(b"gox_rt_slice_create")
    sl = create(K.INT, NO_TYPE, 2, 4)
    assert rt.gox_slice_cap(sl) == 4
    # the callable is the checked ABI method: bad arguments are refused the same way
    with pytest.raises(GoxABIError, match="gox_string_len"):
        length(sl)


def test_symbols_get_every_implemented_symbol(rt: Runtime) -> None:
    for sym in SYMBOLS:
        if hasattr(rt, sym.name):
            assert callable(rt.gox_symbols_get(sym.name.encode()))


@pytest.mark.reference_only("the C library implements every symbol of the table; the reference leaves out the C-only ones")
def test_symbols_get_unimplemented_is_abi_error(rt: Runtime) -> None:
    missing = [s.name for s in SYMBOLS if not hasattr(rt, s.name)]
    for name in missing:
        with pytest.raises(GoxABIError, match=name):
            rt.gox_symbols_get(name.encode())


# -- externs -----------------------------------------------------------------------------------
def _upper(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    return [host.gox_rt_string_from_ptr(host.gox_string_read(args[0]).upper()), len(host.gox_string_read(args[0]))]


def test_user_extern(rt: Runtime) -> None:
    spec = ExternSpec("test.Upper", ("string",), ("string", "int"), _upper)
    rt.gox_register_extern(1000, spec)
    assert rt.gox_extern_lookup(b"test.Upper") == 1000
    out, n = rt.gox_extern_call(1000, [gstr(rt, "abc")], 2)
    assert sread(rt, out) == b"ABC" and n == 3


def test_extern_runs_with_collector_paused(rt: Runtime) -> None:
    seen: list[int] = []

    def probe(host: Any, args: Sequence[int]) -> Sequence[int]:
        seen.append(rt.gox_gc_stats().pause_depth)
        return []

    rt.gox_register_extern(7, ExternSpec("test.Probe", (), (), probe))
    assert rt.gox_extern_call(7, [], 0) == []
    assert seen == [1]
    assert rt.gox_gc_stats().pause_depth == 0


def test_extern_replace(rt: Runtime) -> None:
    rt.gox_register_extern(5, ExternSpec("test.A", (), ("int",), lambda h, a: [1]))
    rt.gox_register_extern(5, ExternSpec("test.B", (), ("int",), lambda h, a: [2]))
    assert rt.gox_extern_call(5, [], 1) == [2]
    assert rt.gox_extern_lookup(b"test.B") == 5
