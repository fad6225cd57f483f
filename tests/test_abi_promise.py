"""The ABI's promise on both backends: a hostile argument gets the documented
error (``GoxABIError``) with a message naming the function, the value and what was expected, the
same message on both backends, and the runtime stays intact."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from conftest import NO_TYPE, K, f64, new_runtime

from gox_abi.externs import ExternHost, ExternSpec
from gox_abi.layout import HEAP_BASE
from gox_ref import GoxABIError
from gox_ref_native import NativeRuntime


def abi_error(call: Callable[[], Any]) -> str:
    with pytest.raises(GoxABIError) as info:
        call()
    return str(info.value)


def _none(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    return []


SQRT_ID = 1  # math.Sqrt, the stdlib's first extern
EXPECT = "expected ExternSpec(name, params, results, fn)"
BAD_SPECS: list[tuple[object, str]] = [
    (None, f"gox_register_extern: spec=None is not an ExternSpec; {EXPECT}"),
    (5, f"gox_register_extern: spec=5 is not an ExternSpec; {EXPECT}"),
    ("math.Sqrt", f"gox_register_extern: spec='math.Sqrt' is not an ExternSpec; {EXPECT}"),
    (ExternSpec(b"x.Y", (), (), _none),  # type: ignore[arg-type]
     "gox_register_extern: spec.name=b'x.Y' is not a name; expected a str without NUL, e.g. 'math.Sqrt'"),
    (ExternSpec("x\0Y", (), (), _none),
     "gox_register_extern: spec.name='x\\x00Y' is not a name; expected a str without NUL, e.g. 'math.Sqrt'"),
    (ExternSpec("x.Y", 3, (), _none),  # type: ignore[arg-type]
     "gox_register_extern: spec.params=3 is not a tuple of slot conventions; "
     "expected items of ('int', 'float', 'bool', 'string', 'byte')"),
    (ExternSpec("x.Y", (), ("int", "what"), _none),
     "gox_register_extern: spec.results=('int', 'what') is not a tuple of slot conventions; "
     "expected items of ('int', 'float', 'bool', 'string', 'byte', 'error')"),
    (ExternSpec("x.Y", (), (), 5),  # type: ignore[arg-type]
     "gox_register_extern: spec.fn=5 is not callable; expected fn(host, args) -> results"),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS, ids=[m.split("; ")[0][21:] for _, m in BAD_SPECS])
def test_register_extern_refuses_what_is_no_extern_spec(backend: str, spec: object, message: str) -> None:
    """Before: the native backend raised AttributeError (or TypeError); the reference took the
    spec, and the next gox_extern_lookup(b"math.Sqrt") raised AttributeError."""
    rt = new_runtime(backend, out=io.BytesIO())
    assert abi_error(lambda: rt.gox_register_extern(SQRT_ID, spec)) == message  # type: ignore[arg-type]
    # the extern table is as it was: math.Sqrt is still found and still works
    assert rt.gox_extern_lookup(b"math.Sqrt") == SQRT_ID
    assert rt.gox_extern_call(SQRT_ID, [f64(9.0)], 1) == [f64(3.0)]
    assert abi_error(lambda: rt.gox_extern_lookup(b"x.Y")).startswith("gox_extern_lookup: unknown extern 'x.Y'")


BAD_ENTRIES: list[tuple[Any, str]] = [
    ([5], "5"), ([None], "None"), ([(0x10,)], "(16,)"), ([(0x10, 5)], "(16, 5)"), ([(0x10, "8")], "(16, '8')"),
    ([(0, [8], 3)], "(0, [8], 3)"), ([(0, [8]), 7], "7"),
]


@pytest.mark.parametrize(("entries", "shown"), BAD_ENTRIES, ids=[s for _, s in BAD_ENTRIES])
def test_stack_map_batch_refuses_entries_that_are_no_pairs(backend: str, entries: Any, shown: str) -> None:
    """Before: TypeError or ValueError (unpacking) on both backends."""
    rt = new_runtime(backend, out=io.BytesIO())
    assert abi_error(lambda: rt.gox_stack_map_register_batch(0x2000, entries)) == (
        f"gox_stack_map_register_batch: entries holds {shown}, expected (code offset, sp offsets) pairs"
    )
    assert rt.gox_stack_map_lookup(0x2000) is None  # nothing of the batch was registered
    rt.gox_stack_map_register_batch(0x2000, [(0, [8])])
    assert rt.gox_stack_map_lookup(0x2000) == (8,)


def test_another_instances_reference_is_refused(backend: str) -> None:
    """Before, on the reference: B.gox_string_read(A's string) read B's own string (both were
    0x10000020), and B stored A's reference in a global.  The native backend refused both."""
    a, b = new_runtime(backend, out=io.BytesIO()), new_runtime(backend, out=io.BytesIO())
    sa = a.gox_rt_string_from_ptr(b"hello")
    sb = b.gox_rt_string_from_ptr(b"world")
    never = f"{sa:#x} is not a reference the heap ever allocated"
    assert abi_error(lambda: b.gox_string_read(sa)) == f"gox_string_read: {never}; expected a 15 (String) object"
    assert sa != sb and a.canonical(sa) == b.canonical(sb) == HEAP_BASE + 2 * 16  # the same canonical address
    assert abi_error(lambda: b.gox_rt_string_concat(sb, sa)) == (
        f"gox_rt_string_concat: {never}; expected a 15 (String) object"
    )
    b.gox_init_globals(1, [True])
    assert abi_error(lambda: b.gox_rt_set_global(0, sa)) == (
        f"gox_rt_set_global: global 0 (a reference global) takes a reference or 0, but {never}"
    )
    assert b.gox_rt_get_global(0) == 0 and b.ref_number(sa) == 0
    assert b.gox_string_read(sb) == b"world" and a.gox_string_read(sa) == b"hello"


def test_a_made_up_canonical_address_is_refused(backend: str) -> None:
    """Before, on the reference: the canonical address 0x10000010 reached the string's internal
    byte array (gox_array_len returned 5).  The native backend refused it, as now both do."""
    out = io.BytesIO()
    rt = new_runtime(backend, out=out)
    s = rt.gox_rt_string_from_ptr(b"hello")  # object 1 is its byte array, object 2 the string
    assert abi_error(lambda: rt.gox_array_len(0x10000010)) == (
        "gox_array_len: 0x10000010 is not a reference the heap ever allocated; expected a 16 (Array) object"
    )
    assert abi_error(lambda: rt.gox_string_read(0x10000020)) == (
        "gox_string_read: 0x10000020 is not a reference the heap ever allocated; expected a 15 (String) object"
    )
    assert abi_error(lambda: rt.gox_gc_pin(0x10000020)) == (
        "gox_gc_pin: 0x10000020 is not a reference the heap ever allocated; expected a live object"
    )
    # the object still shows at its canonical address, in output and messages alike
    assert rt.canonical(s) == 0x10000020 and rt.ref_number(s) == 2
    m = rt.gox_rt_map_new(K.INT, K.INT)
    rt.gox_debug_print(m, K.MAP)
    assert out.getvalue() == b"0x10000030\n"
    assert abi_error(lambda: rt.gox_slice_len(s)) == (
        "gox_slice_len: 0x10000020 is a 15 (String) object, expected a 17 (Slice) object"
    )
    assert rt.gox_string_read(s) == b"hello"
    arr = rt.gox_rt_array_create(K.INT, NO_TYPE, 2)
    assert rt.canonical(arr) == 0x10000040 and rt.gox_array_len(arr) == 2


CLOSED_CALLS: list[tuple[str, Callable[[Any], Any]]] = [
    ("gox_rt_string_from_ptr", lambda rt: rt.gox_rt_string_from_ptr(b"x")),
    ("gox_string_len", lambda rt: rt.gox_string_len(0)),
    ("gox_collect_garbage", lambda rt: rt.gox_collect_garbage()),
    ("gox_gc_stats", lambda rt: rt.gox_gc_stats()),
    ("gox_string_read", lambda rt: rt.gox_string_read(0)),
    ("gox_extern_call", lambda rt: rt.gox_extern_call(SQRT_ID, [f64(4.0)], 1)),
    ("gox_stack_map_register_batch", lambda rt: rt.gox_stack_map_register_batch(0x2000, [(0, [8])])),
    ("ref_number", lambda rt: rt.ref_number(0x10000010)),
    ("heap_snapshot", lambda rt: rt.heap_snapshot()),
    ("heap_objects", lambda rt: rt.heap_objects()),
    ("is_live", lambda rt: rt.is_live(0x10000010)),
    ("object_slots", lambda rt: rt.object_slots(0x10000010)),
    ("set_checked", lambda rt: rt.set_checked(True)),
]


@pytest.mark.parametrize(("fn", "call"), CLOSED_CALLS, ids=[fn for fn, _ in CLOSED_CALLS])
def test_a_closed_native_runtime_says_so(fn: str, call: Callable[[Any], Any]) -> None:
    """Before: a call after close() acted on the thread's default instance, returning references
    no runtime could read, or raised GoxFatal('')."""
    rt, other = new_runtime("native"), new_runtime("native")
    assert isinstance(rt, NativeRuntime)
    kept = other.gox_rt_string_from_ptr(b"kept")
    name = f"NativeRuntime of C instance {rt._rt:#x}"
    rt.close()
    rt.close()  # twice is harmless
    assert abi_error(lambda: call(rt)) == f"{fn}: the {name} is closed; expected an open runtime (make a new one)"
    # no other instance was touched, and the thread's instances still work
    assert other.gox_string_read(kept) == b"kept"
    assert other.gox_gc_stats().allocated_objects == 2
