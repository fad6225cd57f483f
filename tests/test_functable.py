"""The function table."""

from __future__ import annotations

from conftest import Runtime


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
