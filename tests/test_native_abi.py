"""The native library against the ABI table: exported symbols, the header, ctypes types, the
symbol table, and the C-only host functions (instances, error record, checked mode, output)."""

from __future__ import annotations

import ctypes
import inspect
import io
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from gox_abi.abi import BY_NAME, SYMBOLS
from gox_abi.abi_docs import HEADER
from gox_ref import GoxABIError, GoxPanic, RefRuntime

native = pytest.importorskip("gox_ref_native")
from gox_ref_native import (  # noqa: E402
    NativeRuntime,
    library_path,
    load_library,
    symbols_gen,
)
from gox_ref_native.runtime import HALF1, HOST  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HALF1_C = {s.name for s in SYMBOLS if s.half == 1}


def exported() -> set[str]:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("no nm")
    out = subprocess.run([nm, "-D", "--defined-only", str(library_path())], check=True, capture_output=True, text=True)
    return {line.split()[-1] for line in out.stdout.splitlines() if line.strip()}


def test_library_exports_exactly_the_half1_symbols() -> None:
    gox = {name for name in exported() if name.startswith("gox_")}
    assert gox >= HALF1_C, sorted(HALF1_C - gox)
    assert gox <= set(BY_NAME), f"exported but not in the ABI table: {sorted(gox - set(BY_NAME))}"


def test_header_declares_every_exported_symbol_with_the_table_prototype() -> None:
    header = HEADER.read_text()
    for name in HALF1_C:
        assert f"{BY_NAME[name].c};" in header, name


def test_ctypes_declarations_follow_the_table() -> None:
    lib = load_library()
    for s in SYMBOLS:
        if s.half != 1:
            continue
        f = getattr(lib, s.name)
        assert len(f.argtypes) == len(s.c_params), s.name
        if s.c_return == "void":
            assert f.restype is None, s.name


def test_python_signatures_match_the_reference() -> None:
    for name in HALF1:
        ref = inspect.signature(getattr(RefRuntime, name))
        nat = inspect.signature(getattr(NativeRuntime, name))
        assert list(ref.parameters) == list(nat.parameters), name


def test_inspection_calls_match_the_reference() -> None:
    """The calls beyond the ABI that tests and tools use (docs/ABI.md, "Conventions")."""
    for name in ("heap_objects", "heap_snapshot", "heap_dot", "ref_number", "canonical", "is_live", "object_kind",
                 "object_slots", "object_color", "set_output"):
        assert inspect.signature(getattr(RefRuntime, name)) == inspect.signature(getattr(NativeRuntime, name)), name


def test_symbol_table_is_fresh_and_complete() -> None:
    assert symbols_gen.main(["--check"]) == 0, "run: python -m gox_ref_native.symbols_gen"
    rt = NativeRuntime()
    assert rt.gox_symbols_count() == len(SYMBOLS)
    assert [rt.gox_symbols_name(i) for i in range(len(SYMBOLS))] == [s.name.encode() for s in SYMBOLS]
    assert rt.gox_symbols_get(b"gox_rt_alloc") == rt.gox_rt_alloc
    assert callable(rt.gox_symbols_get(b"gox_chan_new"))  # the concurrency half too
    assert callable(rt.gox_symbols_get(b"gox_run_main"))
    rt.close()


def test_sources_follow_the_module_layout() -> None:
    src = {p.stem for p in (ROOT / "gox_ref_native" / "src").glob("*.c")}
    assert {"heap", "gc", "gcapi", "string", "array", "slice", "closure", "iface", "map", "globals", "functable",
            "symbols", "stackmap", "debug", "errors", "externs", "kinds", "runtime"} <= src


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_c_host_program(tmp_path: Path) -> None:
    """A C program linked against the library, using only gox_abi.h (tests/c/native_smoke.c)."""
    lib = library_path()
    exe = tmp_path / "native_smoke"
    subprocess.run(
        ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(HEADER.parent), str(ROOT / "tests/c/native_smoke.c"),
         str(lib), f"-Wl,-rpath,{lib.parent}", "-o", str(exe)],
        check=True,
    )
    out = subprocess.run([str(exe)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "native_smoke: ok\n"


# -- host functions ------------------------------------------------------------------------------
def test_error_record_through_ctypes() -> None:
    rt = NativeRuntime()
    lib = load_library()
    rt._use()
    lib.gox_string_len(0x2A)
    flag = ctypes.c_int32.from_address(lib.gox_error_flag())
    assert flag.value == 2
    assert lib.gox_error_message_len() > 0
    buf = ctypes.create_string_buffer(256)
    assert lib.gox_error_take(buf, 256) == 2
    assert buf.value == b"gox_string_len: 0x2a is not a reference the heap ever allocated; expected a 15 (String) object"
    assert flag.value == 0
    lib.gox_error_set(1, b"custom")
    with pytest.raises(GoxPanic, match=r"^custom$"):
        rt._raise()
    rt.close()


def test_instances_are_independent_and_threads_keep_their_own() -> None:
    a, b = NativeRuntime(), NativeRuntime()
    sa = a.gox_rt_string_from_ptr(b"a")
    b.gox_rt_string_from_ptr(b"bb")
    b.gox_rt_string_from_ptr(b"ccc")
    assert a.gox_gc_stats().allocated_objects == 2
    assert b.gox_gc_stats().allocated_objects == 4
    assert a.ref_number(sa) == 2
    results: list[int] = []

    def worker() -> None:
        results.append(a.gox_string_len(sa))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert results == [1]
    lib = load_library()
    current = lib.gox_runtime_current()
    assert current in (a._rt, b._rt)
    a.gox_gc_stats()
    c = NativeRuntime()
    c.close()  # closing another instance leaves the current one current
    assert a.gox_gc_stats().allocated_objects == 2
    a.close()
    b.close()


def test_output_capture_and_sinks() -> None:
    out = io.BytesIO()
    rt = NativeRuntime(out=out)
    rt.gox_debug_write(5, 2)
    rt.gox_debug_print(1, 1)
    assert out.getvalue() == b"5true\n"
    other = io.BytesIO()
    rt.set_output(other)
    rt.gox_debug_print(0x3FF8000000000000, 13)
    assert other.getvalue() == b"+1.500000e+000\n"
    lib = load_library()
    rt._use()
    lib.gox_output_capture(True)
    lib.gox_debug_write(7, 2)
    assert lib.gox_output_len() == 1
    buf = ctypes.create_string_buffer(4)
    assert lib.gox_output_take(buf, 4) == 1 and buf.raw[:1] == b"7"
    rt.close()


def test_heap_walk_host_functions() -> None:
    rt = NativeRuntime()
    lib = load_library()
    s = rt.gox_rt_string_from_ptr(b"xy")
    rt.gox_gc_pin(s)
    rt._use()
    n = lib.gox_heap_walk(None, 0)
    arr = (ctypes.c_uint64 * n)()
    assert lib.gox_heap_walk(arr, n) == 2
    info = (ctypes.c_uint64 * 7)()
    assert lib.gox_heap_object_info(s, info, 7)
    assert list(info) == [2, 15, 0xFFFF, 0, 0, 0, 3]
    slots = (ctypes.c_uint64 * 3)()
    assert lib.gox_heap_object_slots(s, slots, 3) == 3 and slots[1:] == [0, 2]
    refs = (ctypes.c_uint64 * 1)()
    assert lib.gox_heap_object_refs(s, refs, 1) == 1 and refs[0] == arr[0]
    text = ctypes.create_string_buffer(128)
    lib.gox_heap_roots(text, 128)
    assert text.value == f"pinned object #2\t{s}\n".encode()
    assert lib.gox_ref_number(s) == 2
    assert rt.canonical(s) == 0x10000020
    rt.close()


def test_checked_mode_toggle_and_unchecked_runs() -> None:
    rt = NativeRuntime(checked=False)
    lib = load_library()
    rt._use()
    assert not lib.gox_is_checked()
    s = rt.gox_rt_string_from_ptr(b"fast")
    assert rt.gox_string_len(s) == 4
    rt.gox_gc_pin(s)
    for _ in range(200):
        rt.gox_rt_string_from_ptr(b"garbage")
    rt.gox_collect_garbage()
    assert rt.gox_string_read(s) == b"fast"
    rt.set_checked(True)
    assert lib.gox_is_checked()
    with pytest.raises(GoxABIError, match="not a reference the heap ever allocated"):
        rt.gox_string_len(0x2A)
    rt.close()


def test_runtime_lifecycle_host_functions() -> None:
    lib = load_library()
    before = lib.gox_runtime_current()
    rt = lib.gox_runtime_new()
    lib.gox_runtime_use(rt)
    assert lib.gox_runtime_current() == rt
    lib.gox_set_checked(False)
    lib.gox_runtime_use(before)
    lib.gox_runtime_free(rt)
    from gox_ref_native import runtime as nr

    nr._current.rt = before


def test_every_host_symbol_is_exercised() -> None:
    text = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_native_*.py"))
    for name in HOST:
        assert re.search(rf"\.{name}\(", text), name
