"""Shared fixtures and helpers for the heap-half unit tests.

Helpers are plain functions so test modules can import them (``from conftest import ...``).
"""

from __future__ import annotations

import io
import math
import os
import struct
from collections.abc import Callable
from typing import Any

import pytest

from gox_ref import GoxABIError, GoxError, GoxPanic, RefRuntime, ValueKind

K = ValueKind
NO_TYPE = 0xFFFF
U64 = (1 << 64) - 1


class Env:
    """A runtime whose debug output goes to a buffer."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.rt = RefRuntime(out=self.out)

    def output(self) -> bytes:
        data = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return data


@pytest.fixture
def env() -> Env:
    return Env()


@pytest.fixture
def rt(env: Env) -> RefRuntime:
    return env.rt


def gstr(rt: RefRuntime, text: str | bytes) -> int:
    """A new GoX string holding ``text`` (UTF-8 for str)."""
    data = text.encode() if isinstance(text, str) else text
    return int(rt.gox_rt_string_from_ptr(data))


def sread(rt: RefRuntime, ref: int) -> bytes:
    return bytes(rt.gox_string_read(ref))


def f64(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def from_f64(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits & U64))[0])


def f32(x: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def s64(v: int) -> int:
    """A u64 slot read back as a signed int64."""
    v &= U64
    return v - (1 << 64) if v >> 63 else v


def slice_items(rt: RefRuntime, s: int) -> list[int]:
    return [int(rt.gox_slice_get(s, i)) for i in range(rt.gox_slice_len(s))]


def int_slice(rt: RefRuntime, vals: list[int], cap: int | None = None) -> int:
    s = int(rt.gox_rt_slice_create(K.INT, NO_TYPE, len(vals), len(vals) if cap is None else cap))
    for i, v in enumerate(vals):
        rt.gox_slice_set(s, i, v)
    return s


def pinned(rt: RefRuntime, ref: int) -> int:
    rt.gox_gc_pin(ref)
    return ref


def freed_ref(rt: RefRuntime, make: Callable[[RefRuntime], int]) -> int:
    """A reference made by ``make`` and then freed by a full collection (nothing roots it)."""
    ref = make(rt)
    assert ref != 0
    rt.gox_collect_garbage()
    assert not rt.heap.is_live(ref)
    return ref


def expect_error(
    rt: RefRuntime,
    exc: type[GoxError],
    call: Callable[[], Any],
    *needles: str,
    exact: str | None = None,
) -> GoxError:
    """Run ``call``; it must raise ``exc`` and leave the heap exactly as it was.

    ``needles`` must all occur in the message (ABI errors name the function and the bad
    value); ``exact`` is Go's full panic text.
    """
    before = rt.heap_snapshot().canonical()
    with pytest.raises(exc) as info:
        call()
    err = info.value
    msg = str(err)
    if exact is not None:
        assert msg == exact
    for n in needles:
        assert n in msg, f"{n!r} not in {msg!r}"
    assert rt.heap_snapshot().canonical() == before, "the failing call changed the heap"
    return err


def abi_error(rt: RefRuntime, call: Callable[[], Any], fn: str, *needles: str) -> GoxError:
    return expect_error(rt, GoxABIError, call, fn, *needles)


def go_panic(rt: RefRuntime, call: Callable[[], Any], text: str) -> GoxError:
    return expect_error(rt, GoxPanic, call, exact=text)


def is_nan_bits(bits: int) -> bool:
    return math.isnan(from_f64(bits))


# -- programs (the concurrency tests) ---------------------------------------------------------

Main = Callable[[RefRuntime], Any]


def run(main: Main, seed: int = 0, rt: RefRuntime | None = None) -> tuple[int, bytes, bytes]:
    """Run ``main`` as a program: (exit status, stdout, stderr)."""
    rt = rt if rt is not None else RefRuntime()
    out, err = io.BytesIO(), io.BytesIO()
    rt.set_output(out, err)
    status = rt.run_main(main, [], seed=seed)
    return status, out.getvalue(), err.getvalue()


def native_library_or_skip(*, sched: bool = False) -> Any:
    """The native backend's library (``gox_program.native.Library``), or skip the calling
    module where there is none (no C compiler, no built library) or, with ``sched``, where it
    lacks the scheduler."""
    from gox_program import native

    try:
        lib = native.library()
        native.compiler()
    except native.NativeUnavailable as e:  # pragma: no cover - depends on the machine
        if os.environ.get("CI"):  # CI has every tool: a missing one is a failure there
            pytest.fail(f"native backend unavailable: {e}", pytrace=False)
        pytest.skip(f"native backend unavailable: {e}", allow_module_level=True)
    if sched and not lib.sched:  # pragma: no cover - the scheduler is in the library
        pytest.skip("the native library has no scheduler", allow_module_level=True)
    return lib
