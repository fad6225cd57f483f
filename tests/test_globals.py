"""Globals: reads, writes, re-initialisation, reference globals as roots."""

from __future__ import annotations

from conftest import Runtime, gstr, sread


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
