"""Extern dispatch: user externs (the stdlib's are tests/test_stdlib.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conftest import Runtime, gstr, sread

from gox_abi.externs import ExternHost, ExternSpec


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
