"""The ABI table against the reference runtime, and a guard that every heap-half symbol has
unit tests in its group's test file."""

from __future__ import annotations

import functools
import inspect
import re
from pathlib import Path

import pytest

from gox_abi.abi import BY_NAME, GROUPS, SEED_SYMBOLS, SYMBOLS, Symbol
from gox_ref import RefRuntime

KNOWN_GROUPS = {
    "gc", "globals", "string", "array", "slice", "closure", "iface", "map", "functable", "symbols",
    "externs", "stackmap", "debug", "sched", "chan", "select", "defer", "iter", "host", "timer",
}
TESTS = Path(__file__).parent
C_ONLY_CONCURRENCY = {
    "gox_run_main", "gox_func_set_name", "gox_trace_start", "gox_trace_stop", "gox_trace_text", "gox_defer_frame_jmpbuf",
    "gox_sched_set_workers", "gox_sched_preempt_flag", "gox_sched_poll", "gox_stack_limit", "gox_stack_grow",
}


def test_names_unique_and_prefixed() -> None:
    names = [s.name for s in SYMBOLS]
    assert len(names) == len(set(names))
    assert all(n.startswith("gox_") for n in names)
    assert set(BY_NAME) == set(names)


def test_seed_symbols_in_table() -> None:
    assert set(SEED_SYMBOLS) <= set(BY_NAME)
    for name in SEED_SYMBOLS:
        assert BY_NAME[name].origin in ("seed", "seed-rt"), name


def test_groups_known() -> None:
    assert set(GROUPS) <= KNOWN_GROUPS
    assert {s.group for s in SYMBOLS} == set(GROUPS)


def test_halves() -> None:
    assert {s.half for s in SYMBOLS} == {1, 2}
    concurrency = {"sched", "chan", "select", "defer", "iter", "timer"}
    for s in SYMBOLS:
        assert (s.half == 2) == (s.group in concurrency), s.name


def test_c_prototype_names_the_symbol() -> None:
    for s in SYMBOLS:
        assert re.search(rf"\b{s.name}\(", s.c), s.name
        assert s.py.startswith("(") and "->" in s.py, s.name


def test_allocating_symbols_documented() -> None:
    """Every call that allocates (a ``gox_rt_*`` constructor) is marked ``allocates``."""
    allocating = {s.name for s in SYMBOLS if s.allocates}
    # gox_rt_* calls allocate, except the globals accessors and the GC control calls
    non_alloc_rt = {"gox_rt_get_global", "gox_rt_set_global", "gox_rt_write_barrier", "gox_rt_mark_gray"}
    for s in SYMBOLS:
        if s.name.startswith("gox_rt_") and s.name not in non_alloc_rt:
            assert s.allocates, f"{s.name} allocates but is not documented so"
    # and every documented allocator actually makes objects (half 1: check by calling a few)
    assert {"gox_go_spawn", "gox_chan_new", "gox_iter_begin"} <= allocating
    for name in allocating:
        assert BY_NAME[name].half == 2 or name.startswith("gox_rt_"), name


def test_allocation_only_in_allocating_calls() -> None:
    """A call not marked ``allocates`` must not allocate: spot-check every half-1 reader."""
    rt = RefRuntime()
    s = rt.gox_rt_string_from_ptr(b"abc")
    sl = rt.gox_rt_slice_create(2, 0xFFFF, 2, 2)
    m = rt.gox_rt_map_new(2, 2)
    before = rt.gox_gc_stats().allocated_objects
    rt.gox_string_len(s)
    rt.gox_string_read(s)
    rt.gox_string_eq(s, s)
    rt.gox_string_decode_rune(s, 0)
    rt.gox_slice_get(sl, 0)
    rt.gox_slice_set(sl, 0, 1)
    rt.gox_slice_copy(sl, sl)
    rt.gox_map_set(m, 1, 2)
    rt.gox_map_get(m, 1)
    rt.gox_map_delete(m, 1)
    assert rt.gox_gc_stats().allocated_objects == before


def test_host_entries_are_c_only() -> None:
    """``ref=False`` marks exactly the C-only host functions; the reference has none of them."""
    for s in SYMBOLS:
        # (and the shadow-stack entries of compiled programs, group stackmap, and the C side of
        # the concurrency half: gox_run_main, names, the trace, the frame's jmp_buf)
        c_only = s.group == "host" or s.name.startswith("gox_shadow_") or s.name in C_ONLY_CONCURRENCY
        assert c_only == (not s.ref), s.name
        if not s.ref:
            assert (s.half == 2) == (s.name in C_ONLY_CONCURRENCY), s.name
            assert getattr(RefRuntime, s.name, None) is None, s.name


def test_runtime_methods_match_table() -> None:
    missing = []
    for s in SYMBOLS:
        if not s.ref:
            continue
        method = getattr(RefRuntime, s.name, None)
        if method is None:
            missing.append(s)
            continue
        params = list(inspect.signature(method).parameters)
        assert params[0] == "self", s.name
        assert params[1:] == s.py_params, f"{s.name}: {params[1:]} != {s.py_params}"
    assert all(s.half == 2 for s in missing), [s.name for s in missing if s.half != 2]


def test_every_half1_symbol_implemented() -> None:
    for s in SYMBOLS:
        if s.half == 1 and s.ref:
            assert callable(getattr(RefRuntime, s.name, None)), s.name


def test_c_params_match_py_params() -> None:
    """Python parameters keep their C names; out-params and lengths become return values /
    part of a sequence.  The only renamings are listed (``iter`` shadows a builtin)."""
    renamed = {("gox_stack_map_register_batch", "entries"), ("gox_iter_next", "it"), ("gox_iter_end", "it")}
    for s in SYMBOLS:
        c_names = [n for _, n in s.c_params]
        for name in s.py_params:
            assert name in c_names or (s.name, name) in renamed, (s.name, name)
        assert not any(p.startswith("out_") for p in s.py_params), s.name


@pytest.mark.parametrize("sym", [s for s in SYMBOLS if s.half == 1], ids=lambda s: s.name)
def test_half1_symbol_has_unit_test(sym: Symbol) -> None:
    """The symbol is *called* (rt.NAME( or a gox_symbols_get lookup) in the tests of its
    group's module, named after it: tests/test_<group>.py (the gc group: test_gc*.py); a
    symbol of the C runtime alone in its native tests (test_native_*.py)."""
    pattern = f"test_{sym.group}*.py" if sym.ref else "test_native_*.py"
    assert re.search(rf"\.{sym.name}\(", _test_sources(pattern)), f"{sym.name} is never called in tests/{pattern}"


@functools.cache
def _test_sources(pattern: str) -> str:
    return "\n".join(p.read_text() for p in sorted(TESTS.glob(pattern)))
