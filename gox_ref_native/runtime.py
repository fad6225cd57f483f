"""``NativeRuntime``: the C runtime (``libgox``) behind the same Python interface as ``RefRuntime``.

Every heap-half ABI symbol is a method of the same name and signature as on ``RefRuntime``:
pointer + length pairs become ``bytes`` or sequences, out-parameters become return values,
``gox_gc_stats`` returns ``gox_abi.gcstats.GcStats``.  Arguments are checked in Python exactly
as the reference checks them (the same ``gox_abi.checks.checked`` wrapper); everything else is
checked in C, which fills the instance's error record; the wrapper turns the record into the
same exception class with the same message.

Instances: the library keeps all of an instance's state in one struct; the ABI's functions act
on the calling thread's current instance, so each method first makes its instance current
(one extra foreign call only when another instance was used last on this thread).

References are the real addresses of the objects' headers.  ``ref_number(ref)`` gives the
allocation number, which is what differential tests compare with the reference's references.
"""

from __future__ import annotations

import contextlib
import ctypes
import glob
import importlib.machinery
import os
import threading
from collections.abc import Callable, Sequence
from ctypes import POINTER, c_bool, c_char_p, c_int32, c_int64, c_size_t, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import Any

from gox_abi.abi import BY_NAME, SYMBOLS
from gox_abi.checks import check_batch, check_offsets, checked
from gox_abi.errors import GoxABIError, GoxError, GoxFatal, GoxPanic
from gox_abi.externs import ExternSpec
from gox_abi.functable import FuncEntry
from gox_abi.gcstats import GcState, GcStats
from gox_abi.heapview import HeapSnapshot, ObjectView, inspected_ref, no_object, to_dot
from gox_abi.kinds import ValueKind
from gox_abi.layout import canonical_ref
from gox_abi.sinks import STDOUT, Sink

_HERE = Path(__file__).resolve().parent
_U64 = (1 << 64) - 1
_ERRORS: dict[int, type[GoxError]] = {1: GoxPanic, 2: GoxABIError, 3: GoxFatal}
_COLORS = ("white", "white(dead)", "gray", "black")  # gox_heap_object_info's color codes
_AWAITING_SWEEP = 1
_OPAQUE_SLOT0 = {ValueKind.MAP, ValueKind.CHANNEL}

_CTYPES: dict[str, Any] = {
    "void": None,
    "bool": c_bool,
    "uint8_t": c_uint8,
    "uint16_t": c_uint16,
    "uint32_t": c_uint32,
    "int32_t": c_int32,
    "int64_t": c_int64,
    "uint64_t": c_uint64,
    "GoxRef": c_uint64,
    "uintptr_t": c_uint64,
    "size_t": c_size_t,
    "const char *": c_char_p,
}

# Function-table entries from Python: args array and count, one result slot.
FUNC_CALLBACK = ctypes.CFUNCTYPE(c_uint64, POINTER(c_uint64), c_uint32)
EXTERN_CALLBACK = ctypes.CFUNCTYPE(c_int32, POINTER(c_uint64), c_uint32, POINTER(c_uint64), c_uint32)


class _GoxExternSpec(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("nparams", c_uint32), ("nresults", c_uint32), ("fn", EXTERN_CALLBACK)]


LIB_ENV = "GOX_NATIVE_LIB"  # the library under test (gox-ref's --lib sets it), else the package's


def library_path() -> Path:
    """The shared library: $GOX_NATIVE_LIB, else the one built into the package directory."""
    env = os.environ.get(LIB_ENV)
    if env:
        return Path(env)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        hits = sorted(glob.glob(str(_HERE / f"_libgox{suffix}")))
        if hits:
            return Path(hits[0])
    made = _HERE / "libgox.so"
    if made.exists():
        return made
    raise FileNotFoundError(
        "gox_ref_native: the C library is not built; run `pip install -e .` or `make -C gox_ref_native`"
    )


_LIBS: dict[str, ctypes.CDLL] = {}
_LIB_LOCK = threading.Lock()


class MissingSymbol(NotImplementedError):
    """The library does not export an ABI symbol a call needs: a runtime under test may
    implement some groups of the ABI only (docs/YOUR_RUNTIME.md)."""


def missing_symbol(name: str, path: object) -> MissingSymbol:
    group = BY_NAME[name].group if name in BY_NAME else "host"
    return MissingSymbol(f"{name}: the library {path} does not export it (ABI group {group!r}; "
                         "docs/YOUR_RUNTIME.md lists the symbols of each group)")


def load_library(path: Path | None = None) -> ctypes.CDLL:
    """Load (once per path) and declare the C types of every ABI symbol it exports (a symbol
    it lacks is an error where it is called: ``MissingSymbol``)."""
    key = str(path or library_path())
    with _LIB_LOCK:
        lib = _LIBS.get(key)
        if lib is None:
            try:
                lib = ctypes.CDLL(key)
            except OSError as e:
                raise OSError(f"cannot load the library {key}: {e}") from None
            for sym in SYMBOLS:
                f = getattr(lib, sym.name, None)
                if f is not None:
                    f.argtypes = [_CTYPES.get(t, c_void_p) for t, _ in sym.c_params]
                    f.restype = _CTYPES.get(sym.c_return, c_void_p)
            _LIBS[key] = lib
    return lib


def absent_symbols(path: Path | None = None) -> list[str]:
    """The ABI table's symbols the library does not export (a user's library may implement
    only some groups), in table order."""
    lib = load_library(path)
    return [sym.name for sym in SYMBOLS if not hasattr(lib, sym.name)]


class _Library:
    """A loaded library whose absent functions raise ``MissingSymbol`` naming them (not
    ctypes' AttributeError); a present one is looked up once."""

    def __init__(self, cdll: ctypes.CDLL, path: str) -> None:
        self._cdll = cdll
        self._path = path

    def __getattr__(self, name: str) -> Any:
        try:
            f = getattr(self._cdll, name)
        except AttributeError:
            raise missing_symbol(name, self._path) from None
        setattr(self, name, f)
        return f


# What NativeRuntime itself calls: an instance cannot exist without them.
_INSTANCE_SYMBOLS = ("gox_runtime_new", "gox_runtime_free", "gox_runtime_use", "gox_output_capture",
                     "gox_set_checked", "gox_error_flag", "gox_error_message_len", "gox_error_take",
                     "gox_output_len", "gox_output_take")


_current = threading.local()


class NativeRuntime:
    """One independent instance of the C runtime, with ``RefRuntime``'s interface."""

    def __init__(self, out: Sink | None = None, *, checked: bool = True, lib: Path | None = None) -> None:
        path = str(lib or library_path())
        cdll = load_library(Path(path))
        absent = [n for n in _INSTANCE_SYMBOLS if not hasattr(cdll, n)]
        if absent:
            raise MissingSymbol(f"NativeRuntime: the library {path} does not export {', '.join(absent)}, "
                                "which every instance needs (the host group: docs/YOUR_RUNTIME.md)")
        self._lib: Any = _Library(cdll, path)
        self._rt: int = self._lib.gox_runtime_new()
        self._name = f"NativeRuntime of C instance {self._rt:#x}"  # for the error after close()
        self._use("NativeRuntime")
        self._lib.gox_output_capture(True)
        self._lib.gox_set_checked(checked)
        self._flag = c_int32.from_address(self._lib.gox_error_flag())
        self.out: Sink = out if out is not None else STDOUT
        self.err: Sink | None = None
        self._type_names: list[str] = []
        self._py_funcs: dict[int, Callable[..., Any]] = {}
        self._keep: list[object] = []  # ctypes callbacks and specs C holds pointers to
        self._extern_exc: BaseException | None = None

    def close(self) -> None:
        """Free the C instance.  Any later call raises GoxABIError naming the closed runtime
        (the C functions would otherwise act on another instance, the thread's default)."""
        if self._rt:
            # Only this thread's current-instance cache may name it; C forgets it too (a close
            # may run from __del__ between another instance's _use and its call, so it must
            # not change which instance is current otherwise).
            if getattr(_current, "rt", None) == self._rt:
                _current.rt = None
            self._lib.gox_runtime_free(self._rt)
            self._rt = 0

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _use(self, fn: str = "NativeRuntime") -> None:
        if getattr(_current, "rt", None) != self._rt:
            if not self._rt:
                raise GoxABIError(f"{fn}: the {self._name} is closed; expected an open runtime (make a new one)")
            self._lib.gox_runtime_use(self._rt)
            _current.rt = self._rt

    def _raise(self) -> None:
        n = self._lib.gox_error_message_len()
        buf = ctypes.create_string_buffer(n + 1)
        code = self._lib.gox_error_take(buf, n + 1)
        raise _ERRORS.get(code, GoxFatal)(buf.raw[:n].decode("utf-8", "replace"))

    def _call(self, name: str, *args: Any) -> Any:
        self._use(name)
        res = getattr(self._lib, name)(*args)
        if self._flag.value:
            self._raise()
        return res

    def _drain(self) -> None:
        n = self._lib.gox_output_len()
        if n:
            buf = ctypes.create_string_buffer(n)
            got = self._lib.gox_output_take(buf, n)
            self.out.write(buf.raw[:got])

    def set_output(self, out: Sink, err: Sink | None = None) -> None:
        """Send debug output to ``out`` (``write(bytes)``)."""
        self.out = out
        if err is not None:
            self.err = err

    # -- the host functions -----------------------------------------------------------------
    def set_checked(self, on: bool) -> None:
        self._use("set_checked")
        self._lib.gox_set_checked(bool(on))

    def ref_number(self, ref: int) -> int:
        """Allocation number of a reference (0 when it is none this instance made)."""
        self._use("ref_number")
        return int(self._lib.gox_ref_number(ref & _U64))

    def canonical(self, ref: int) -> int:
        """The reference's address for the same object (``0x10000000 + 16 * number``)."""
        n = self.ref_number(ref)
        return canonical_ref(n) if n else ref

    def heap_objects(self) -> list[int]:
        """Every object not yet freed (those awaiting the sweep included), in allocation order."""
        self._use("heap_objects")
        n = self._lib.gox_heap_walk(None, 0)
        arr = (c_uint64 * max(n, 1))()
        n = self._lib.gox_heap_walk(arr, n)
        return list(arr[:n])

    def heap_snapshot(self) -> HeapSnapshot:
        """The heap in the reference's snapshot form, with canonical addresses."""
        self._use("heap_snapshot")
        lib = self._lib
        refs = self.heap_objects()
        nums: dict[int, int] = {}
        heads: list[tuple[int, ...]] = []
        for r in refs:
            head = self._header(r)
            assert head is not None  # the walk lists objects not yet freed
            nums[r] = head[0]
            heads.append(head)

        def canon(v: int) -> int:
            """Canonical address of a live or freed object; other values unchanged.  (During
            the sweep an object awaiting it may still point at an object already freed.)"""
            n = nums.get(v)
            if n is None and v > 0xFFFF_FFFF:
                n = int(lib.gox_ref_number(v))
            return canonical_ref(n) if n else v

        views = []
        for r, (num, kind, type_id, color, gen, flags, nslots) in zip(refs, heads, strict=True):
            slot_vals = self._slots(r, nslots)
            nref = lib.gox_heap_object_refs(r, None, 0)
            ref_arr = (c_uint64 * max(nref, 1))()
            lib.gox_heap_object_refs(r, ref_arr, nref)
            children = list(ref_arr[:nref])
            child_set = set(children)
            # Any slot holding an address this instance made (a child, or a reference stored in a
            # value slot, live or freed) shows the canonical address, as in the reference.
            slots: list[int | None] = [canon(s) if s in child_set or s > 0xFFFF_FFFF else s for s in slot_vals]
            if kind in _OPAQUE_SLOT0:
                slots[0] = None
            type_name = ""
            if kind in (ValueKind.STRUCT, ValueKind.CLOSURE) and type_id < len(self._type_names):
                type_name = self._type_names[type_id]
            views.append(
                ObjectView(
                    num=num,
                    ref=canon(r),
                    kind=ValueKind(kind).name.title().replace("_", ""),
                    type_id=type_id,
                    type_name=type_name,
                    color=_COLORS[color],
                    gen=gen,
                    flags=flags,
                    slots=tuple(slots),
                    refs=tuple(canon(c) for c in children),
                )
            )
        n = lib.gox_heap_roots(None, 0)
        text = ctypes.create_string_buffer(n + 1)
        lib.gox_heap_roots(text, n + 1)
        roots = []
        for line in text.raw[:n].decode("utf-8", "replace").splitlines():
            where, val = line.rsplit("\t", 1)
            roots.append((where, self.canonical(int(val))))
        state = GcState(self.gox_gc_stats().state).name
        return HeapSnapshot(state=state, objects=tuple(views), roots=tuple(roots))

    def heap_dot(self, title: str = "gox heap") -> str:
        return to_dot(self.heap_snapshot(), title)

    # -- inspection, as RefRuntime shows it (docs/ABI.md "Conventions") ----------------------
    def is_live(self, ref: int) -> bool:
        """Whether ``ref`` is a live object of this instance: one every ABI call accepts (made
        by this instance, neither freed nor awaiting the sweep)."""
        head = self._inspected_header("is_live", ref)
        return head is not None and head[3] != _AWAITING_SWEEP

    def object_kind(self, ref: int) -> ValueKind:
        """The value kind in the header of an object not yet freed."""
        return ValueKind(self._inspected("object_kind", ref)[1])

    def object_slots(self, ref: int) -> list[int]:
        """The data slots of an object not yet freed, as ``gox_gc_read_slot`` reads them."""
        return self._slots(ref, self._inspected("object_slots", ref)[6])

    def object_color(self, ref: int) -> str:
        """The collector's color of an object not yet freed, named as in heap snapshots."""
        return _COLORS[self._inspected("object_color", ref)[3]]

    def _inspected(self, fn: str, ref: int) -> tuple[int, ...]:
        head = self._inspected_header(fn, ref)
        if head is None:
            raise no_object(fn, ref, self.ref_number(ref))
        return head

    def _inspected_header(self, fn: str, ref: int) -> tuple[int, ...] | None:
        ref = inspected_ref(fn, ref)
        self._use(fn)
        # gox_ref_number is safe on any value; unchecked mode's gox_heap_object_info trusts its
        # argument, so it is asked only about an object the first call knows.
        return self._header(ref) if self._lib.gox_ref_number(ref) else None

    def _header(self, ref: int) -> tuple[int, ...] | None:
        """(number, kind, type_id, color, gen, flags, slot count) of an object not yet freed."""
        info = (c_uint64 * 7)()
        return tuple(info) if self._lib.gox_heap_object_info(ref, info, 7) else None

    def _slots(self, ref: int, nslots: int) -> list[int]:
        arr = (c_uint64 * max(nslots, 1))()
        self._lib.gox_heap_object_slots(ref, arr, nslots)
        return list(arr[:nslots])

    # == the ABI ==============================================================================
    # -- gc ---------------------------------------------------------------------------------
    def gox_init_gc(self) -> None:
        self._call("gox_init_gc")

    def gox_rt_alloc(self, value_kind: int, type_id: int, slots: int) -> int:
        return int(self._call("gox_rt_alloc", value_kind, type_id, slots))

    def gox_gc_read_slot(self, obj: int, idx: int) -> int:
        return int(self._call("gox_gc_read_slot", obj, idx))

    def gox_gc_write_slot(self, obj: int, idx: int, val: int) -> None:
        self._call("gox_gc_write_slot", obj, idx, val)

    def gox_rt_write_barrier(self, parent: int, child: int) -> None:
        self._call("gox_rt_write_barrier", parent, child)

    def gox_gc_write_slot_barrier(self, obj: int, idx: int, val: int) -> bool:
        return bool(self._call("gox_gc_write_slot_barrier", obj, idx, val))

    def gox_rt_mark_gray(self, obj: int) -> None:
        self._call("gox_rt_mark_gray", obj)

    def gox_collect_garbage(self) -> None:
        self._call("gox_collect_garbage")

    def gox_gc_step(self) -> bool:
        return bool(self._call("gox_gc_step"))

    def gox_gc_pause(self) -> None:
        self._call("gox_gc_pause")

    def gox_gc_resume(self) -> None:
        self._call("gox_gc_resume")

    def gox_gc_pin(self, obj: int) -> None:
        self._call("gox_gc_pin", obj)

    def gox_gc_unpin(self, obj: int) -> None:
        self._call("gox_gc_unpin", obj)

    def gox_gc_tune(self, pause: int, stepmul: int, step_size: int, min_threshold: int) -> None:
        self._call("gox_gc_tune", pause, stepmul, step_size, min_threshold)

    def gox_gc_stats(self) -> GcStats:
        n = len(GcStats.field_names())
        arr = (c_uint64 * n)()
        self._call("gox_gc_stats", arr, n)
        return GcStats(*(int(v) for v in arr))

    def gox_type_register(self, name: bytes, slot_types: bytes) -> int:
        tid = int(self._call("gox_type_register", bytes(name).split(b"\0")[0], bytes(slot_types), len(slot_types)))
        while len(self._type_names) <= tid:
            self._type_names.append("")
        self._type_names[tid] = bytes(name).decode("utf-8", "replace")
        return tid

    def gox_type_slot_count(self, type_id: int) -> int:
        return int(self._call("gox_type_slot_count", type_id))

    # -- globals ----------------------------------------------------------------------------
    def gox_init_globals(self, size: int, is_ref: Sequence[bool]) -> None:
        flags = bytes(1 if r else 0 for r in is_ref)
        self._call("gox_init_globals", size, flags, len(flags))

    def gox_rt_get_global(self, idx: int) -> int:
        return int(self._call("gox_rt_get_global", idx))

    def gox_rt_set_global(self, idx: int, val: int) -> None:
        self._call("gox_rt_set_global", idx, val)

    def gox_globals_count(self) -> int:
        return int(self._call("gox_globals_count"))

    def gox_global_is_ref(self, idx: int) -> bool:
        return bool(self._call("gox_global_is_ref", idx))

    # -- strings ----------------------------------------------------------------------------
    def gox_rt_string_from_ptr(self, data: bytes) -> int:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise GoxABIError(f"gox_rt_string_from_ptr: data={data!r} is not bytes")
        b = bytes(data)
        return int(self._call("gox_rt_string_from_ptr", b, len(b)))

    def gox_rt_string_from_rune(self, r: int) -> int:
        return int(self._call("gox_rt_string_from_rune", r))

    def gox_string_read(self, s: int) -> bytes:
        n = int(self._call("gox_string_read", s, None, 0))
        buf = ctypes.create_string_buffer(max(n, 1))
        self._call("gox_string_read", s, buf, n)
        return buf.raw[:n]

    def gox_string_len(self, s: int) -> int:
        return int(self._call("gox_string_len", s))

    def gox_string_index(self, s: int, idx: int) -> int:
        return int(self._call("gox_string_index", s, idx))

    def gox_rt_string_concat(self, a: int, b: int) -> int:
        return int(self._call("gox_rt_string_concat", a, b))

    def gox_rt_string_slice(self, s: int, lo: int, hi: int) -> int:
        return int(self._call("gox_rt_string_slice", s, lo, hi))

    def gox_string_eq(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_eq", a, b))

    def gox_string_ne(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_ne", a, b))

    def gox_string_lt(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_lt", a, b))

    def gox_string_le(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_le", a, b))

    def gox_string_gt(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_gt", a, b))

    def gox_string_ge(self, a: int, b: int) -> bool:
        return bool(self._call("gox_string_ge", a, b))

    def gox_string_cmp(self, a: int, b: int) -> int:
        return int(self._call("gox_string_cmp", a, b))

    def gox_string_decode_rune(self, s: int, pos: int) -> tuple[int, int]:
        width = c_int64(0)
        r = int(self._call("gox_string_decode_rune", s, pos, ctypes.byref(width)))
        return r, int(width.value)

    # -- arrays -----------------------------------------------------------------------------
    def gox_rt_array_create(self, elem_kind: int, elem_type_id: int, length: int) -> int:
        return int(self._call("gox_rt_array_create", elem_kind, elem_type_id, length))

    def gox_array_len(self, arr: int) -> int:
        return int(self._call("gox_array_len", arr))

    def gox_array_get(self, arr: int, idx: int) -> int:
        return int(self._call("gox_array_get", arr, idx))

    def gox_array_set(self, arr: int, idx: int, val: int) -> None:
        self._call("gox_array_set", arr, idx, val)

    def gox_rt_array_slice(self, arr: int, lo: int, hi: int) -> int:
        return int(self._call("gox_rt_array_slice", arr, lo, hi))

    # -- slices -----------------------------------------------------------------------------
    def gox_rt_slice_create(self, elem_kind: int, elem_type_id: int, length: int, cap: int) -> int:
        return int(self._call("gox_rt_slice_create", elem_kind, elem_type_id, length, cap))

    def gox_slice_len(self, s: int) -> int:
        return int(self._call("gox_slice_len", s))

    def gox_slice_cap(self, s: int) -> int:
        return int(self._call("gox_slice_cap", s))

    def gox_slice_get(self, s: int, idx: int) -> int:
        return int(self._call("gox_slice_get", s, idx))

    def gox_slice_set(self, s: int, idx: int, val: int) -> None:
        self._call("gox_slice_set", s, idx, val)

    def gox_rt_slice_append(self, elem_kind: int, elem_type_id: int, s: int, val: int) -> int:
        return int(self._call("gox_rt_slice_append", elem_kind, elem_type_id, s, val))

    def gox_rt_slice_append_n(self, elem_kind: int, elem_type_id: int, s: int, vals: Sequence[int]) -> int:
        arr = (c_uint64 * max(len(vals), 1))(*(v & _U64 for v in vals))
        return int(self._call("gox_rt_slice_append_n", elem_kind, elem_type_id, s, arr, len(vals)))

    def gox_rt_slice_append_slice(self, elem_kind: int, elem_type_id: int, s: int, t: int) -> int:
        return int(self._call("gox_rt_slice_append_slice", elem_kind, elem_type_id, s, t))

    def gox_rt_slice_append_string(self, s: int, text: int) -> int:
        return int(self._call("gox_rt_slice_append_string", s, text))

    def gox_rt_slice_slice(self, s: int, lo: int, hi: int) -> int:
        return int(self._call("gox_rt_slice_slice", s, lo, hi))

    def gox_rt_slice_slice3(self, s: int, lo: int, hi: int, mx: int) -> int:
        return int(self._call("gox_rt_slice_slice3", s, lo, hi, mx))

    def gox_slice_copy(self, dst: int, src: int) -> int:
        return int(self._call("gox_slice_copy", dst, src))

    def gox_slice_copy_string(self, dst: int, src: int) -> int:
        return int(self._call("gox_slice_copy_string", dst, src))

    def gox_rt_string_to_bytes(self, s: int) -> int:
        return int(self._call("gox_rt_string_to_bytes", s))

    def gox_rt_bytes_to_string(self, b: int) -> int:
        return int(self._call("gox_rt_bytes_to_string", b))

    def gox_rt_string_to_runes(self, s: int) -> int:
        return int(self._call("gox_rt_string_to_runes", s))

    def gox_rt_runes_to_string(self, r: int) -> int:
        return int(self._call("gox_rt_runes_to_string", r))

    # -- closures and boxes -----------------------------------------------------------------
    def gox_rt_closure_create(self, func_id: int, type_id: int, upval_count: int) -> int:
        return int(self._call("gox_rt_closure_create", func_id, type_id, upval_count))

    def gox_closure_func_id(self, c: int) -> int:
        return int(self._call("gox_closure_func_id", c))

    def gox_closure_upval_count(self, c: int) -> int:
        return int(self._call("gox_closure_upval_count", c))

    def gox_closure_get_upvalue(self, c: int, idx: int) -> int:
        return int(self._call("gox_closure_get_upvalue", c, idx))

    def gox_closure_set_upvalue(self, c: int, idx: int, val: int) -> None:
        self._call("gox_closure_set_upvalue", c, idx, val)

    def gox_rt_upval_box_create(self, value_kind: int, val: int) -> int:
        return int(self._call("gox_rt_upval_box_create", value_kind, val))

    def gox_upval_box_get(self, box: int) -> int:
        return int(self._call("gox_upval_box_get", box))

    def gox_upval_box_set(self, box: int, val: int) -> None:
        self._call("gox_upval_box_set", box, val)

    # -- interfaces and boxed values --------------------------------------------------------
    def gox_interface_pack(self, iface_type_id: int, value_type_id: int, value_kind: int) -> int:
        return int(self._call("gox_interface_pack", iface_type_id, value_type_id, value_kind))

    def gox_interface_unbox_type(self, slot0: int) -> int:
        return int(self._call("gox_interface_unbox_type", slot0))

    def gox_interface_unbox_kind(self, slot0: int) -> int:
        return int(self._call("gox_interface_unbox_kind", slot0))

    def gox_interface_iface_type(self, slot0: int) -> int:
        return int(self._call("gox_interface_iface_type", slot0))

    def gox_interface_unbox_data(self, slot0: int, slot1: int) -> int:
        return int(self._call("gox_interface_unbox_data", slot0, slot1))

    def gox_interface_is_nil(self, slot0: int) -> bool:
        return bool(self._call("gox_interface_is_nil", slot0))

    def gox_rt_box(self, kind: int, val: int) -> int:
        return int(self._call("gox_rt_box", kind, val))

    def gox_box_get(self, box: int) -> int:
        return int(self._call("gox_box_get", box))

    # -- maps -------------------------------------------------------------------------------
    def gox_rt_map_new(self, key_kind: int, val_kind: int) -> int:
        return int(self._call("gox_rt_map_new", key_kind, val_kind))

    def gox_map_len(self, m: int) -> int:
        return int(self._call("gox_map_len", m))

    def gox_map_get(self, m: int, key: int) -> tuple[int, bool]:
        ok = c_bool(False)
        v = int(self._call("gox_map_get", m, key, ctypes.byref(ok)))
        return v, bool(ok.value)

    def gox_map_set(self, m: int, key: int, val: int) -> None:
        self._call("gox_map_set", m, key, val)

    def gox_map_delete(self, m: int, key: int) -> None:
        self._call("gox_map_delete", m, key)

    # -- function table ---------------------------------------------------------------------
    def gox_init_func_table(self, size: int) -> None:
        self._call("gox_init_func_table", size)

    def gox_set_func_ptr(self, func_id: int, ptr: FuncEntry | None) -> None:
        if ptr is not None and not callable(ptr) and not isinstance(ptr, int):
            raise GoxABIError(f"gox_set_func_ptr: entry {ptr!r} is neither callable nor an address")
        addr: int | None
        if ptr is None or isinstance(ptr, int):
            addr = ptr
        else:
            fn = ptr

            def trampoline(args: Any, nargs: int) -> int:
                res = fn(self, *(args[i] for i in range(nargs)))
                if isinstance(res, tuple):
                    res = res[0] if res else 0
                return int(res or 0) & _U64

            cb = FUNC_CALLBACK(trampoline)
            self._keep.append(cb)
            addr = ctypes.cast(cb, c_void_p).value
            assert addr is not None
            self._py_funcs[addr] = fn
        self._call("gox_set_func_ptr", func_id, addr)

    def _entry(self, addr: int | None) -> FuncEntry | None:
        if not addr:
            return None
        return self._py_funcs.get(addr, addr)

    def gox_func_table_ptr(self) -> tuple[FuncEntry | None, ...]:
        base = self._call("gox_func_table_ptr")
        n = self.gox_func_table_len()
        if not base or not n:
            return ()
        return tuple(self._entry(a) for a in (c_void_p * n).from_address(base))

    def gox_func_table_len(self) -> int:
        return int(self._call("gox_func_table_len"))

    def gox_func_table_get(self, func_id: int) -> FuncEntry | None:
        return self._entry(self._call("gox_func_table_get", func_id))

    # -- symbols ----------------------------------------------------------------------------
    def gox_symbols_get(self, name: bytes) -> Callable[..., Any]:
        if not isinstance(name, (bytes, bytearray, memoryview)):
            raise GoxABIError(f"gox_symbols_get: name={name!r} is not bytes")
        raw = bytes(name)
        text = raw.decode("utf-8", "replace")
        if b"\0" in raw:  # C strings end at NUL: no symbol has one
            raise GoxABIError(f"gox_symbols_get: unknown symbol {text!r}; expected a name from docs/ABI.md")
        self._call("gox_symbols_get", raw)
        method: Callable[..., Any] | None = getattr(self, text, None)
        return method if method is not None else getattr(self._lib, text)

    def gox_symbols_count(self) -> int:
        return int(self._call("gox_symbols_count"))

    def gox_symbols_name(self, idx: int) -> bytes:
        return bytes(self._call("gox_symbols_name", idx))

    # -- externs ----------------------------------------------------------------------------
    def gox_register_extern(self, extern_id: int, spec: ExternSpec) -> None:
        if extern_id == 0:
            raise GoxABIError("gox_register_extern: extern id 0 is reserved; expected 1 or more")
        lib = self._lib

        def call(args: Any, nargs: int, rets: Any, nrets: int) -> int:
            try:
                out = list(spec.fn(self, [int(args[i]) for i in range(nargs)]))
                if len(out) != nrets:
                    raise GoxABIError(f"gox_extern_call: {spec.name} returned {len(out)} slots, expected {nrets}")
                for i, v in enumerate(out):
                    rets[i] = int(v) & _U64
                return 0
            except BaseException as exc:  # re-raised by gox_extern_call after C unwinds
                self._extern_exc = exc
                code = 1 if isinstance(exc, GoxPanic) else 3 if isinstance(exc, GoxFatal) else 2
                lib.gox_error_set(code, str(exc).encode("utf-8", "replace"))
                return 1

        cb = EXTERN_CALLBACK(call)
        cspec = _GoxExternSpec(spec.name.encode(), len(spec.params), len(spec.results), cb)
        self._keep += [cb, cspec]
        self._call("gox_register_extern", extern_id, ctypes.byref(cspec))

    def gox_extern_lookup(self, name: bytes) -> int:
        raw = bytes(name)
        if b"\0" in raw:
            text = raw.decode("utf-8", "replace")
            raise GoxABIError(f"gox_extern_lookup: unknown extern {text!r}; expected a name from docs/EXTERNS.md")
        return int(self._call("gox_extern_lookup", raw))

    def gox_extern_call(self, extern_id: int, args: Sequence[int], ret_count: int) -> list[int]:
        vals = [int(a) & _U64 for a in args]
        arr = (c_uint64 * max(len(vals), 1))(*vals)
        rets = (c_uint64 * max(ret_count, 1))()
        self._extern_exc = None
        self._use("gox_extern_call")
        self._lib.gox_extern_call(extern_id, arr, len(vals), rets, ret_count)
        if self._flag.value:
            exc, self._extern_exc = self._extern_exc, None
            if exc is not None:
                self._lib.gox_error_take(None, 0)
                raise exc
            self._raise()
        return [int(v) for v in rets[:ret_count]]

    # -- stack maps -------------------------------------------------------------------------
    def gox_stack_map_register(self, return_addr: int, sp_offsets: Sequence[int]) -> None:
        offs = check_offsets(sp_offsets, "gox_stack_map_register")
        arr = (c_int32 * max(len(offs), 1))(*offs)
        self._call("gox_stack_map_register", return_addr, arr, len(offs))

    def gox_stack_map_register_batch(self, base_addr: int, entries: Sequence[tuple[int, Sequence[int]]]) -> None:
        fn = "gox_stack_map_register_batch"
        pairs = check_batch(entries, fn)
        flat = [off for _, offs in pairs for off in offs]
        n = len(pairs)
        code = (c_uint32 * max(n, 1))(*(code_off for code_off, _ in pairs))
        cnt = (c_uint32 * max(n, 1))(*(len(offs) for _, offs in pairs))
        sp = (c_int32 * max(len(flat), 1))(*flat)
        self._call(fn, base_addr, code, cnt, sp, n)

    def gox_stack_map_lookup(self, return_addr: int) -> tuple[int, ...] | None:
        n = int(self._call("gox_stack_map_lookup", return_addr, None, 0))
        if n < 0:
            return None
        arr = (c_int32 * max(n, 1))()
        self._call("gox_stack_map_lookup", return_addr, arr, n)
        return tuple(int(v) for v in arr[:n])

    def gox_stack_map_clear(self) -> None:
        self._call("gox_stack_map_clear")

    def gox_stack_map_scan(self) -> int:
        return int(self._call("gox_stack_map_scan"))

    def gox_sim_frame_push(self, ip: int, size: int) -> int:
        return int(self._call("gox_sim_frame_push", ip, size))

    def gox_sim_frame_pop(self) -> None:
        self._call("gox_sim_frame_pop")

    def gox_sim_stack_write(self, addr: int, val: int) -> None:
        self._call("gox_sim_stack_write", addr, val)

    def gox_sim_stack_read(self, addr: int) -> int:
        return int(self._call("gox_sim_stack_read", addr))

    # -- the program's end (the one concurrency-half call a host may make: it is an ABI error
    # outside a program, as on the reference, where a host's call would otherwise be untestable)
    def gox_os_exit(self, code: int) -> None:
        self._call("gox_os_exit", code)

    # -- debug ------------------------------------------------------------------------------
    def gox_debug_print(self, val: int, kind: int) -> None:
        self._call("gox_debug_print", val, kind)
        self._drain()

    def gox_debug_write(self, val: int, kind: int) -> None:
        self._call("gox_debug_write", val, kind)
        self._drain()

    def gox_assert_begin(self) -> None:
        self._call("gox_assert_begin")

    def gox_assert_arg(self, val: int, kind: int) -> None:
        self._call("gox_assert_arg", val, kind)

    def gox_assert_end(self, passed: bool) -> None:
        self._call("gox_assert_end", passed)


def _install_checks() -> None:
    """The reference's argument checks (types and C ranges), identically."""
    for sym in SYMBOLS:
        method = getattr(NativeRuntime, sym.name, None)  # half 1, and gox_os_exit of half 2
        if sym.ref and method is not None:
            setattr(NativeRuntime, sym.name, checked(sym, method))


_install_checks()

HALF1 = tuple(s.name for s in SYMBOLS if s.half == 1 and s.ref)
HOST = tuple(s.name for s in SYMBOLS if not s.ref)
assert all(BY_NAME[n].group == "host" or n.startswith("gox_shadow_") or BY_NAME[n].half == 2 for n in HOST)
