"""The symbol table: every ABI symbol by name."""

from __future__ import annotations

import pytest
from conftest import NO_TYPE, K, Runtime, sread

from gox_abi.abi import SYMBOLS
from gox_ref import GoxABIError


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
