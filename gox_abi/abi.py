"""The ABI table: every ``gox_*`` symbol, its C and Python signatures, and its contract.

This table is the single source of truth.  ``docs/ABI.md`` and the C header are generated
from it (``python -m gox_abi.abi_docs``), and tests check that every backend offers exactly
these symbols with these signatures.

Columns:
  name      the symbol.
  c         the C prototype.  ``GoxRef`` is ``uint64_t`` (a heap reference, 0 is nil).
  py        the Python signature of the method of the same name on ``RefRuntime`` (and
            ``NativeRuntime``).  Mapping rules: a C pointer + length pair becomes one
            ``bytes`` or sequence parameter; C out-parameters (named ``out_*``) become extra
            return values; ``const char *`` becomes ``bytes``.
  group     the concept (and module) it belongs to.
  allocates whether it may allocate GC objects; every allocating call is a GC safepoint
            at its entry (the design's ``gox_rt_*`` prefix marks most of them).
  blocks    whether it may block or switch goroutines.
  errors    what it raises: Go panics by their text, ABI errors by their cause.
  origin    ``seed`` (in the symbol list of the runtime design this ABI comes from,
            shared/seed/gox-runtime-native.md), ``seed-rt`` (a runtime function of that design
            not in its list, given the ``gox_`` prefix) or ``ext`` (an extension this project
            adds for a point the design leaves open; docs/decisions.md says which and why).
  half      1: the heap half, 2: the concurrency half (goroutines, channels, select, defer,
            iterators: the contract of docs/SCHEDULER.md).
  ref       False for C-only host functions (the native backend's error record, checked
            mode, heap walk): the reference raises exceptions and reads its heap directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Error classes used in the errors column.
BAD_REF = "ABI: a freed, never-allocated (another instance's, made up) or wrong-kind reference"
BAD_INDEX_ABI = "ABI: slot/upvalue index out of range"
IOOR = "panic: runtime error: index out of range [i] with length n"
SLICE_BOUNDS = "panic: runtime error: slice bounds out of range [...]"
MAKESLICE = "panic: runtime error: makeslice: len/cap out of range"
GROWSLICE = "panic: runtime error: growslice: cap out of range"
BAD_KIND = "ABI: a value kind or type id outside what the call accepts"
BAD_VALUE = "ABI: a non-reference stored where a reference belongs"
UNKNOWN_ID = "ABI: unknown global, function, extern, type or symbol"
NIL_DEREF = "panic: runtime error: invalid memory address or nil pointer dereference"


@dataclass(frozen=True)
class Symbol:
    name: str
    c: str
    py: str
    group: str
    doc: str
    allocates: bool = False
    blocks: bool = False
    errors: tuple[str, ...] = ()
    origin: str = "ext"
    half: int = 1
    ref: bool = True

    @property
    def c_params(self) -> list[tuple[str, str]]:
        """(type, name) pairs of the C prototype."""
        inner = self.c[self.c.index("(") + 1 : self.c.rindex(")")].strip()
        if inner in ("", "void"):
            return []
        out = []
        for part in inner.split(","):
            m = re.match(r"\s*(.*?)\s*(\w+)\s*$", part)
            assert m, part
            out.append((m.group(1), m.group(2)))
        return out

    @property
    def c_return(self) -> str:
        return self.c[: self.c.index(self.name)].strip()

    def _py_param_parts(self) -> list[tuple[str, str]]:
        """(name, annotation) of each parameter of the Python signature, split at the commas
        outside brackets."""
        parts: list[str] = []
        depth, cur = 0, ""
        for ch in self.py[1:]:
            if ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur.strip():
            parts.append(cur)
        return [(n.strip(), t.strip()) for n, _, t in (part.partition(":") for part in parts)]

    @property
    def py_params(self) -> list[str]:
        """Parameter names of the Python signature."""
        return [n for n, _ in self._py_param_parts()]

    @property
    def py_param_types(self) -> list[str]:
        """The annotation text of each Python parameter (``bytes``, ``Sequence[int]``, ...)."""
        return [t for _, t in self._py_param_parts()]

    @property
    def py_return(self) -> str:
        return self.py[self.py.rindex("->") + 2 :].strip()


def _s(name: str, c: str, py: str, group: str, doc: str, **kw: object) -> Symbol:
    return Symbol(name, c, py, group, doc, **kw)  # type: ignore[arg-type]


MAX_RESULTS = 64  # results of one function (gox_shadow_results); the checker refuses more

SYMBOLS: tuple[Symbol, ...] = (
    # -- GC ---------------------------------------------------------------------------------
    _s("gox_init_gc", "void gox_init_gc(void)", "() -> None", "gc",
       "Drop every object and reset the collector (parameters, counters, pins); allocation "
       "numbers keep counting, so old references read as freed.", origin="seed-rt"),
    _s("gox_rt_alloc", "GoxRef gox_rt_alloc(uint8_t value_kind, uint16_t type_id, uint16_t slots)",
       "(value_kind: int, type_id: int, slots: int) -> int", "gc",
       "Allocate a zeroed object of a raw kind: Struct (type_id = struct type, slots = its slot "
       "count), Pointer (a one-slot box; type_id = the boxed value kind) or a boxed value.",
       allocates=True, errors=(BAD_KIND,), origin="seed"),
    _s("gox_gc_read_slot", "uint64_t gox_gc_read_slot(GoxRef obj, size_t idx)",
       "(obj: int, idx: int) -> int", "gc", "Read data slot idx of any object.",
       errors=(NIL_DEREF, BAD_REF, BAD_INDEX_ABI), origin="seed"),
    _s("gox_gc_write_slot", "void gox_gc_write_slot(GoxRef obj, size_t idx, uint64_t val)",
       "(obj: int, idx: int, val: int) -> None", "gc",
       "Raw write of data slot idx (no barrier). Refused for immutable slots (headers, strings, "
       "slices, maps, channels) and for non-references in reference slots.",
       errors=(NIL_DEREF, BAD_REF, BAD_INDEX_ABI, BAD_VALUE), origin="seed"),
    _s("gox_rt_write_barrier", "void gox_rt_write_barrier(GoxRef parent, GoxRef child)",
       "(parent: int, child: int) -> None", "gc",
       "Forward barrier after storing child into parent: while propagating, a black parent's "
       "white child turns gray.", errors=(BAD_REF,), origin="seed"),
    _s("gox_gc_write_slot_barrier", "bool gox_gc_write_slot_barrier(GoxRef obj, size_t idx, uint64_t val)",
       "(obj: int, idx: int, val: int) -> bool", "gc",
       "The store of a reference into a reference slot and its barrier in one call. Slot idx of a live obj "
       "typed GcRef (a struct's, a boxed reference's, a reference array's element): gox_gc_write_slot(obj, "
       "idx, val) then gox_rt_write_barrier(obj, val), and true; the errors are the write's (a value the "
       "write accepts there is one the barrier accepts), so a failure changes nothing. Any other slot: "
       "nothing, false, and the caller makes the two calls (compile_c makes one of each such pair on the "
       "same locals).", errors=(NIL_DEREF, BAD_REF, BAD_INDEX_ABI, BAD_VALUE)),
    _s("gox_rt_mark_gray", "void gox_rt_mark_gray(GoxRef obj)", "(obj: int) -> None", "gc",
       "While propagating, turn a white object gray (a root the collector cannot see).",
       errors=(BAD_REF,), origin="seed"),
    _s("gox_collect_garbage", "void gox_collect_garbage(void)", "() -> None", "gc",
       "Full collection: finish the running cycle, then run a complete one.",
       errors=("ABI: called while the collector is paused",), origin="seed-rt"),
    _s("gox_gc_step", "bool gox_gc_step(void)", "() -> bool", "gc",
       "One incremental step of the standard size (starting a cycle if none runs); true when "
       "the step completed a cycle. No-op while paused."),
    _s("gox_gc_pause", "void gox_gc_pause(void)", "() -> None", "gc",
       "Raise the pause counter: no collection work happens until it is back to 0."),
    _s("gox_gc_resume", "void gox_gc_resume(void)", "() -> None", "gc",
       "Lower the pause counter.", errors=("ABI: not paused",)),
    _s("gox_gc_pin", "void gox_gc_pin(GoxRef obj)", "(obj: int) -> None", "gc",
       "Make obj a root until unpinned (pins count); for host code holding references.",
       errors=(BAD_REF,)),
    _s("gox_gc_unpin", "void gox_gc_unpin(GoxRef obj)", "(obj: int) -> None", "gc",
       "Undo one gox_gc_pin.", errors=("ABI: not pinned",)),
    _s("gox_gc_tune", "void gox_gc_tune(uint32_t pause, uint32_t stepmul, uint64_t step_size, uint64_t min_threshold)",
       "(pause: int, stepmul: int, step_size: int, min_threshold: int) -> None", "gc",
       "Set the collector's parameters (0 keeps the default: 200, 200, 8192, 1 MiB).",
       errors=("ABI: step_size below 8",)),
    _s("gox_gc_stats", "void gox_gc_stats(uint64_t *out_stats, size_t n)", "() -> GcStats", "gc",
       "Collector counters, in GcStats field order (C fills the first n)."),
    _s("gox_type_register", "uint16_t gox_type_register(const char *name, const uint8_t *slot_types, size_t slot_types_len)",
       "(name: bytes, slot_types: bytes) -> int", "gc",
       "Add a struct type (its slot types) to the type table; returns its id (1, 2, ..., at most "
       "65534 types). Id 0 is reserved and never names a type: an interface's slot 0 packed from "
       "a bare kind has type bits 0 and means no type (docs/decisions.md, \"Panic values' type "
       "names\"). "
       "Its name is the Go type's (`main.Msg`): a panic value whose value_type_id is this id "
       "prints with it (docs/SCHEDULER.md section 4).",
       errors=("ABI: bad slot type or unpaired interface slots",)),
    _s("gox_type_slot_count", "uint32_t gox_type_slot_count(uint16_t type_id)",
       "(type_id: int) -> int", "gc", "Slot count of a struct type.", errors=(UNKNOWN_ID,)),
    # -- globals ----------------------------------------------------------------------------
    _s("gox_init_globals", "void gox_init_globals(size_t size, const uint8_t *is_ref, size_t is_ref_len)",
       "(size: int, is_ref: Sequence[bool]) -> None", "globals",
       "Create size zeroed globals; is_ref flags the reference globals (GC roots).",
       errors=("ABI: is_ref length differs from size",), origin="seed-rt"),
    _s("gox_rt_get_global", "uint64_t gox_rt_get_global(size_t idx)", "(idx: int) -> int", "globals",
       "Read global idx.", errors=(UNKNOWN_ID,), origin="seed"),
    _s("gox_rt_set_global", "void gox_rt_set_global(size_t idx, uint64_t val)",
       "(idx: int, val: int) -> None", "globals", "Write global idx (no barrier needed: globals "
       "are roots, re-marked in the atomic step).", errors=(UNKNOWN_ID, BAD_VALUE), origin="seed"),
    _s("gox_globals_count", "size_t gox_globals_count(void)", "() -> int", "globals", "Number of globals."),
    _s("gox_global_is_ref", "bool gox_global_is_ref(size_t idx)", "(idx: int) -> bool", "globals",
       "Whether global idx is a reference root.", errors=(UNKNOWN_ID,)),
    # -- strings ----------------------------------------------------------------------------
    _s("gox_rt_string_from_ptr", "GoxRef gox_rt_string_from_ptr(const uint8_t *data, size_t data_len)",
       "(data: bytes) -> int", "string", "A new string holding a copy of the bytes (0 for none).",
       allocates=True),
    _s("gox_rt_string_from_rune", "GoxRef gox_rt_string_from_rune(int64_t r)", "(r: int) -> int", "string",
       "string(r) for an integer r: the UTF-8 of rune r; a negative r, a surrogate half (U+D800..U+DFFF) or "
       "one above U+10FFFF gives \"\\uFFFD\" (Go's rule for every integer type).",
       allocates=True),
    _s("gox_string_read", "size_t gox_string_read(GoxRef s, uint8_t *out_buf, size_t cap)",
       "(s: int) -> bytes", "string", "The string's bytes (C copies at most cap and returns the length).",
       errors=(BAD_REF,)),
    _s("gox_string_len", "int64_t gox_string_len(GoxRef s)", "(s: int) -> int", "string",
       "len(s) in bytes.", errors=(BAD_REF,), origin="seed"),
    _s("gox_string_index", "uint8_t gox_string_index(GoxRef s, int64_t idx)", "(s: int, idx: int) -> int",
       "string", "s[idx], a byte.", errors=(BAD_REF, IOOR), origin="seed"),
    _s("gox_rt_string_concat", "GoxRef gox_rt_string_concat(GoxRef a, GoxRef b)", "(a: int, b: int) -> int",
       "string", "a + b (returns an operand unchanged when the other is empty).",
       allocates=True, errors=(BAD_REF,), origin="seed"),
    _s("gox_rt_string_slice", "GoxRef gox_rt_string_slice(GoxRef s, int64_t lo, int64_t hi)",
       "(s: int, lo: int, hi: int) -> int", "string", "s[lo:hi], sharing the bytes.",
       allocates=True, errors=(BAD_REF, SLICE_BOUNDS), origin="seed"),
    *(
        _s(f"gox_string_{op}", f"bool gox_string_{op}(GoxRef a, GoxRef b)", "(a: int, b: int) -> bool",
           "string", f"a {sym} b, bytewise.", errors=(BAD_REF,), origin="seed" if op == "eq" else "ext")
        for op, sym in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="))
    ),
    _s("gox_string_cmp", "int32_t gox_string_cmp(GoxRef a, GoxRef b)", "(a: int, b: int) -> int", "string",
       "-1, 0 or 1 as a compares to b bytewise.", errors=(BAD_REF,)),
    _s("gox_string_decode_rune", "int32_t gox_string_decode_rune(GoxRef s, int64_t pos, int64_t *out_width)",
       "(s: int, pos: int) -> tuple[int, int]", "string",
       "The rune at byte pos and its width; (0xFFFD, 1) for an invalid byte.", errors=(BAD_REF, IOOR)),
    # -- arrays -----------------------------------------------------------------------------
    _s("gox_rt_array_create", "GoxRef gox_rt_array_create(uint8_t elem_kind, uint16_t elem_type_id, int64_t length)",
       "(elem_kind: int, elem_type_id: int, length: int) -> int", "array",
       "A zeroed array of len elements (elem_type_id names the struct type of Struct elements).",
       allocates=True, errors=(BAD_KIND, MAKESLICE), origin="seed"),
    _s("gox_array_len", "int64_t gox_array_len(GoxRef arr)", "(arr: int) -> int", "array", "len(arr).",
       errors=(BAD_REF,), origin="seed"),
    _s("gox_array_get", "uint64_t gox_array_get(GoxRef arr, int64_t idx)", "(arr: int, idx: int) -> int",
       "array", "arr[idx], sign- or zero-extended by element kind.", errors=(NIL_DEREF, BAD_REF, IOOR), origin="seed"),
    _s("gox_array_set", "void gox_array_set(GoxRef arr, int64_t idx, uint64_t val)",
       "(arr: int, idx: int, val: int) -> None", "array", "arr[idx] = val (with the write barrier).",
       errors=(NIL_DEREF, BAD_REF, IOOR, BAD_VALUE), origin="seed"),
    _s("gox_rt_array_slice", "GoxRef gox_rt_array_slice(GoxRef arr, int64_t lo, int64_t hi)",
       "(arr: int, lo: int, hi: int) -> int", "array", "arr[lo:hi]: a slice sharing the array.",
       allocates=True, errors=(NIL_DEREF, BAD_REF, SLICE_BOUNDS)),
    # -- slices -----------------------------------------------------------------------------
    _s("gox_rt_slice_create", "GoxRef gox_rt_slice_create(uint8_t elem_kind, uint16_t elem_type_id, int64_t length, int64_t cap)",
       "(elem_kind: int, elem_type_id: int, length: int, cap: int) -> int", "slice",
       "make([]T, len, cap).", allocates=True, errors=(BAD_KIND, MAKESLICE), origin="seed"),
    _s("gox_slice_len", "int64_t gox_slice_len(GoxRef s)", "(s: int) -> int", "slice", "len(s); 0 for nil.",
       errors=(BAD_REF,), origin="seed"),
    _s("gox_slice_cap", "int64_t gox_slice_cap(GoxRef s)", "(s: int) -> int", "slice", "cap(s); 0 for nil.",
       errors=(BAD_REF,), origin="seed"),
    _s("gox_slice_get", "uint64_t gox_slice_get(GoxRef s, int64_t idx)", "(s: int, idx: int) -> int", "slice",
       "s[idx].", errors=(BAD_REF, IOOR), origin="seed"),
    _s("gox_slice_set", "void gox_slice_set(GoxRef s, int64_t idx, uint64_t val)",
       "(s: int, idx: int, val: int) -> None", "slice", "s[idx] = val (with the write barrier).",
       errors=(BAD_REF, IOOR, BAD_VALUE), origin="seed"),
    _s("gox_rt_slice_append", "GoxRef gox_rt_slice_append(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, uint64_t val)",
       "(elem_kind: int, elem_type_id: int, s: int, val: int) -> int", "slice",
       "append(s, val); elem_kind types a nil s. Within capacity it writes into s's array (shared, as in Go); "
       "beyond, it copies into a new array of Go 1.19's capacity (docs/ABI.md, \"Slice growth\").",
       allocates=True, errors=(BAD_REF, BAD_KIND, BAD_VALUE, GROWSLICE), origin="seed"),
    _s("gox_rt_slice_append_n",
       "GoxRef gox_rt_slice_append_n(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, const uint64_t *vals, size_t vals_len)",
       "(elem_kind: int, elem_type_id: int, s: int, vals: Sequence[int]) -> int", "slice",
       "append(s, vals...) of single-slot values: grows at most once, to Go's capacity for len(s) + "
       "vals_len (append([]int(nil), 1, 2, 3) has cap 3); no values gives s itself. A program passes the "
       "values as the trailing arguments of the call.",
       allocates=True, errors=(BAD_REF, BAD_KIND, BAD_VALUE, GROWSLICE)),
    _s("gox_rt_slice_append_slice",
       "GoxRef gox_rt_slice_append_slice(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, GoxRef t)",
       "(elem_kind: int, elem_type_id: int, s: int, t: int) -> int", "slice",
       "append(s, t...): elements of any layout (multi-slot structs, interfaces), grown at most once; t may "
       "overlap s's array (copied as by memmove); an empty t gives s itself.",
       allocates=True, errors=(BAD_REF, BAD_KIND, GROWSLICE)),
    _s("gox_rt_slice_append_string", "GoxRef gox_rt_slice_append_string(GoxRef s, GoxRef text)",
       "(s: int, text: int) -> int", "slice",
       "append(s, text...) for a []byte s (Uint8 elements; nil is one) and a string: its bytes, grown at most "
       "once; an empty text gives s itself.",
       allocates=True, errors=(BAD_REF, BAD_KIND, GROWSLICE)),
    _s("gox_rt_slice_slice", "GoxRef gox_rt_slice_slice(GoxRef s, int64_t lo, int64_t hi)",
       "(s: int, lo: int, hi: int) -> int", "slice", "s[lo:hi], bounded by cap(s).",
       allocates=True, errors=(BAD_REF, SLICE_BOUNDS), origin="seed"),
    _s("gox_rt_slice_slice3", "GoxRef gox_rt_slice_slice3(GoxRef s, int64_t lo, int64_t hi, int64_t mx)",
       "(s: int, lo: int, hi: int, mx: int) -> int", "slice", "s[lo:hi:max].",
       allocates=True, errors=(BAD_REF, SLICE_BOUNDS)),
    _s("gox_slice_copy", "int64_t gox_slice_copy(GoxRef dst, GoxRef src)", "(dst: int, src: int) -> int",
       "slice", "copy(dst, src); overlap allowed.", errors=(BAD_REF, "ABI: element types differ")),
    _s("gox_slice_copy_string", "int64_t gox_slice_copy_string(GoxRef dst, GoxRef src)",
       "(dst: int, src: int) -> int", "slice",
       "copy(dst, src) for a []byte dst and a string src: copies min(len(dst), len(src)) bytes and returns "
       "the count.", errors=(BAD_REF, BAD_KIND)),
    _s("gox_rt_string_to_bytes", "GoxRef gox_rt_string_to_bytes(GoxRef s)", "(s: int) -> int", "slice",
       "[]byte(s): a new Uint8 slice (never nil) of the string's bytes; its capacity is Go's for a heap "
       "allocation of len(s) bytes, rounded up to a size class ([]byte(\"hello\") has cap 8).",
       allocates=True,
       errors=(BAD_REF,)),
    _s("gox_rt_bytes_to_string", "GoxRef gox_rt_bytes_to_string(GoxRef b)", "(b: int) -> int", "slice",
       "string(b) for a []byte b: a new string holding a copy of its bytes (0 for none).",
       allocates=True, errors=(BAD_REF, BAD_KIND)),
    _s("gox_rt_string_to_runes", "GoxRef gox_rt_string_to_runes(GoxRef s)", "(s: int) -> int", "slice",
       "[]rune(s): a new Int32 slice (never nil) of the runes `for range s` sees: each byte of invalid UTF-8 "
       "is one U+FFFD. Its capacity is Go's for a heap allocation of 4 x runes bytes.",
       allocates=True,
       errors=(BAD_REF,)),
    _s("gox_rt_runes_to_string", "GoxRef gox_rt_runes_to_string(GoxRef r)", "(r: int) -> int", "slice",
       "string(r) for a []rune r (Int32 elements): the UTF-8 of each rune; a negative rune, a surrogate half "
       "(U+D800..U+DFFF) or one above U+10FFFF becomes U+FFFD.",
       allocates=True, errors=(BAD_REF, BAD_KIND)),
    # -- closures and boxes -----------------------------------------------------------------
    _s("gox_rt_closure_create", "GoxRef gox_rt_closure_create(uint32_t func_id, uint16_t type_id, uint32_t upval_count)",
       "(func_id: int, type_id: int, upval_count: int) -> int", "closure",
       "A closure of func_id with upval_count zeroed upvalues; type_id is a struct type whose "
       "slot types mark the reference upvalues (0xFFFF: none).",
       allocates=True, errors=(UNKNOWN_ID,), origin="seed"),
    _s("gox_closure_func_id", "uint32_t gox_closure_func_id(GoxRef c)", "(c: int) -> int", "closure",
       "The closure's function id.", errors=(NIL_DEREF, BAD_REF,), origin="seed"),
    _s("gox_closure_upval_count", "uint32_t gox_closure_upval_count(GoxRef c)", "(c: int) -> int", "closure",
       "Number of upvalues.", errors=(BAD_REF,)),
    _s("gox_closure_get_upvalue", "uint64_t gox_closure_get_upvalue(GoxRef c, size_t idx)",
       "(c: int, idx: int) -> int", "closure", "Upvalue idx.", errors=(NIL_DEREF, BAD_REF, BAD_INDEX_ABI), origin="seed"),
    _s("gox_closure_set_upvalue", "void gox_closure_set_upvalue(GoxRef c, size_t idx, uint64_t val)",
       "(c: int, idx: int, val: int) -> None", "closure", "Set upvalue idx (with the write barrier).",
       errors=(NIL_DEREF, BAD_REF, BAD_INDEX_ABI, BAD_VALUE), origin="seed"),
    _s("gox_rt_upval_box_create", "GoxRef gox_rt_upval_box_create(uint8_t value_kind, uint64_t val)",
       "(value_kind: int, val: int) -> int", "closure",
       "A box for a variable captured by reference (a one-slot Pointer object).",
       allocates=True, errors=(BAD_KIND, BAD_VALUE), origin="seed"),
    _s("gox_upval_box_get", "uint64_t gox_upval_box_get(GoxRef box)", "(box: int) -> int", "closure",
       "The boxed value.", errors=(NIL_DEREF, BAD_REF,), origin="seed"),
    _s("gox_upval_box_set", "void gox_upval_box_set(GoxRef box, uint64_t val)", "(box: int, val: int) -> None",
       "closure", "Replace the boxed value (with the write barrier).", errors=(NIL_DEREF, BAD_REF, BAD_VALUE), origin="seed"),
    # -- interfaces and boxed values --------------------------------------------------------
    _s("gox_interface_pack", "uint64_t gox_interface_pack(uint16_t iface_type_id, uint16_t value_type_id, uint8_t value_kind)",
       "(iface_type_id: int, value_type_id: int, value_kind: int) -> int", "iface",
       "Slot 0 of an interface: kind in bits 0-7, value type in 16-31, interface type in 32-47.",
       errors=(BAD_KIND,)),
    _s("gox_interface_unbox_type", "uint16_t gox_interface_unbox_type(uint64_t slot0)", "(slot0: int) -> int",
       "iface", "The dynamic value's type id.", origin="seed"),
    _s("gox_interface_unbox_kind", "uint8_t gox_interface_unbox_kind(uint64_t slot0)", "(slot0: int) -> int",
       "iface", "The dynamic value's kind (0 for a nil interface)."),
    _s("gox_interface_iface_type", "uint16_t gox_interface_iface_type(uint64_t slot0)", "(slot0: int) -> int",
       "iface", "The interface's own type id."),
    _s("gox_interface_unbox_data", "uint64_t gox_interface_unbox_data(uint64_t slot0, uint64_t slot1)",
       "(slot0: int, slot1: int) -> int", "iface", "The data slot (0 for a nil interface).", origin="seed"),
    _s("gox_interface_is_nil", "bool gox_interface_is_nil(uint64_t slot0)", "(slot0: int) -> bool", "iface",
       "Whether the interface is nil (kind Nil).", origin="seed"),
    _s("gox_rt_box", "GoxRef gox_rt_box(uint8_t kind, uint64_t val)", "(kind: int, val: int) -> int", "iface",
       "A BoxedInt, BoxedFloat or BoxedBool holding val.", allocates=True, errors=(BAD_KIND,)),
    _s("gox_box_get", "uint64_t gox_box_get(GoxRef box)", "(box: int) -> int", "iface", "A boxed value.",
       errors=(NIL_DEREF, BAD_REF,)),
    # -- maps -------------------------------------------------------------------------------
    _s("gox_rt_map_new", "GoxRef gox_rt_map_new(uint8_t key_kind, uint8_t val_kind)",
       "(key_kind: int, val_kind: int) -> int", "map", "make(map[K]V).", allocates=True, errors=(BAD_KIND,)),
    _s("gox_map_len", "int64_t gox_map_len(GoxRef m)", "(m: int) -> int", "map", "len(m); 0 for nil.",
       errors=(BAD_REF,)),
    _s("gox_map_get", "uint64_t gox_map_get(GoxRef m, uint64_t key, bool *out_ok)",
       "(m: int, key: int) -> tuple[int, bool]", "map", "v, ok := m[key].", errors=(BAD_REF,)),
    _s("gox_map_set", "void gox_map_set(GoxRef m, uint64_t key, uint64_t val)",
       "(m: int, key: int, val: int) -> None", "map", "m[key] = val (with the write barrier).",
       errors=(BAD_REF, BAD_VALUE, "panic: assignment to entry in nil map")),
    _s("gox_map_delete", "void gox_map_delete(GoxRef m, uint64_t key)", "(m: int, key: int) -> None", "map",
       "delete(m, key); no-op on nil.", errors=(BAD_REF,)),
    # -- function table ---------------------------------------------------------------------
    _s("gox_init_func_table", "void gox_init_func_table(size_t size)", "(size: int) -> None", "functable",
       "A table of size empty entries (at most 2^24).", errors=("ABI: size above 2^24 entries",), origin="seed-rt"),
    _s("gox_set_func_ptr", "void gox_set_func_ptr(uint32_t func_id, const void *ptr)",
       "(func_id: int, ptr: FuncEntry | None) -> None", "functable",
       "Set entry func_id (C: native code; reference: a Python callable or an address).",
       errors=(UNKNOWN_ID,), origin="seed-rt"),
    _s("gox_func_table_ptr", "const void *const *gox_func_table_ptr(void)",
       "() -> tuple[FuncEntry | None, ...]", "functable", "The table's base (reference: a view).", origin="seed"),
    _s("gox_func_table_len", "size_t gox_func_table_len(void)", "() -> int", "functable", "Number of entries."),
    _s("gox_func_table_get", "const void *gox_func_table_get(uint32_t func_id)",
       "(func_id: int) -> FuncEntry | None", "functable", "Entry func_id (NULL/None if unset).",
       errors=(UNKNOWN_ID,)),
    # -- symbols ----------------------------------------------------------------------------
    _s("gox_symbols_get", "const void *gox_symbols_get(const char *name)", "(name: bytes) -> Callable[..., Any]",
       "symbols", "The function of an ABI symbol, by name.", errors=(UNKNOWN_ID,), origin="seed-rt"),
    _s("gox_symbols_count", "size_t gox_symbols_count(void)", "() -> int", "symbols", "Number of symbols."),
    _s("gox_symbols_name", "const char *gox_symbols_name(size_t idx)", "(idx: int) -> bytes", "symbols",
       "Name of symbol idx, in table order.", errors=(UNKNOWN_ID,)),
    # -- externs ----------------------------------------------------------------------------
    _s("gox_register_extern", "void gox_register_extern(uint32_t extern_id, const GoxExternSpec *spec)",
       "(extern_id: int, spec: ExternSpec) -> None", "externs",
       "Register (or replace) an extern. Python: spec is a gox_abi.externs.ExternSpec whose name is a str without "
       "NUL, params and results tuples of slot conventions (docs/EXTERNS.md) and fn a callable.",
       errors=("ABI: extern id 0", "ABI: spec is no ExternSpec, or a field of it has the wrong type"),
       origin="seed-rt"),
    _s("gox_extern_lookup", "uint32_t gox_extern_lookup(const char *name)", "(name: bytes) -> int", "externs",
       "The id of an extern by Go name (\"math.Sqrt\").", errors=(UNKNOWN_ID,)),
    _s("gox_extern_call",
       "void gox_extern_call(uint32_t extern_id, const uint64_t *args, uint32_t args_len, "
       "uint64_t *out_rets, uint32_t ret_count)",
       "(extern_id: int, args: Sequence[int], ret_count: int) -> list[int]", "externs",
       "Call an extern with the collector paused.", errors=(UNKNOWN_ID, "ABI: arity mismatch", "panic: the extern's"),
       origin="seed"),
    # -- stack maps -------------------------------------------------------------------------
    _s("gox_stack_map_register",
       "void gox_stack_map_register(uintptr_t return_addr, const int32_t *sp_offsets, size_t sp_offsets_len)",
       "(return_addr: int, sp_offsets: Sequence[int]) -> None", "stackmap",
       "Declare the reference slots (sp-relative byte offsets) of the frame suspended at return_addr; "
       "an empty list registers nothing.", errors=("ABI: unaligned offset",), origin="seed-rt"),
    _s("gox_stack_map_register_batch",
       "void gox_stack_map_register_batch(uintptr_t base_addr, const uint32_t *code_offsets, "
       "const uint32_t *counts, const int32_t *sp_offsets, size_t n_entries)",
       "(base_addr: int, entries: Sequence[tuple[int, Sequence[int]]]) -> None", "stackmap",
       "AOT form: entries of (code offset from base_addr, sp offsets); C flattens the offsets. Every entry is "
       "checked before any is registered.",
       errors=("ABI: unaligned offset", "ABI: an entry that is no (code offset, sp offsets) pair"),
       origin="seed-rt"),
    _s("gox_stack_map_lookup", "int64_t gox_stack_map_lookup(uintptr_t return_addr, int32_t *out_offsets, size_t cap)",
       "(return_addr: int) -> tuple[int, ...] | None", "stackmap",
       "The offsets registered for return_addr (C returns their count, -1 if none).", origin="seed-rt"),
    _s("gox_stack_map_clear", "void gox_stack_map_clear(void)", "() -> None", "stackmap", "Forget every map.",
       origin="seed-rt"),
    _s("gox_stack_map_scan", "size_t gox_stack_map_scan(void)", "() -> int", "stackmap",
       "Mark the referents of the current stack's mapped slots gray (while marking); returns "
       "how many non-nil slots it found.", errors=(BAD_VALUE,), origin="seed-rt"),
    _s("gox_sim_frame_push", "uint64_t gox_sim_frame_push(uint64_t ip, uint32_t size)",
       "(ip: int, size: int) -> int", "stackmap",
       "Simulated native stack: push a frame of size bytes suspended at ip; returns its sp.",
       errors=("ABI: size not a multiple of 8 / stack too deep",)),
    _s("gox_sim_frame_pop", "void gox_sim_frame_pop(void)", "() -> None", "stackmap",
       "Pop the innermost simulated frame.", errors=("ABI: empty stack",)),
    _s("gox_sim_stack_write", "void gox_sim_stack_write(uint64_t addr, uint64_t val)",
       "(addr: int, val: int) -> None", "stackmap", "Write an 8-byte simulated stack slot.",
       errors=("ABI: address outside the stack",)),
    _s("gox_sim_stack_read", "uint64_t gox_sim_stack_read(uint64_t addr)", "(addr: int) -> int", "stackmap",
       "Read an 8-byte simulated stack slot.", errors=("ABI: address outside the stack",)),
    # Shadow stacks (C only): compiled code without stack maps (the conformance programs on the
    # native backend, gox_program/compile_c.py) roots its references in frame records linked
    # per goroutine (docs/PROGRAM_FORMAT.md, "Rooting"; gox_abi.h defines GoxShadowFrame).  The
    # reference's interpreter keeps the same records in Python, so it has no such methods.
    _s("gox_shadow_push", "void gox_shadow_push(GoxShadowFrame *frame)", "(frame: int) -> None", "stackmap",
       "Link a compiled function's frame record in as the current goroutine's innermost shadow frame "
       "(sets its prev and depth: 1 for the outermost). Its reference slots are roots until it is popped, "
       "scanned after every other root, innermost frame first: locals, live temporaries, rooted results "
       "(non-zero slots only).", ref=False),
    _s("gox_shadow_pop", "void gox_shadow_pop(GoxShadowFrame *frame)", "(frame: int) -> None", "stackmap",
       "Unlink the innermost frame record on the function's way out.",
       errors=("ABI: frame is not the innermost frame record",), ref=False),
    _s("gox_shadow_unwind", "void gox_shadow_unwind(GoxShadowFrame *frame)", "(frame: int) -> None", "stackmap",
       "Make frame the innermost record again: after a panic longjmp-ed to the frame's defer frame, "
       "dropping the records of the functions it unwound (their pops never ran; their memory is dead, "
       "so frame is trusted, not searched for).",
       errors=("ABI: frame is NULL",), ref=False),
    _s("gox_shadow_top", "GoxShadowFrame *gox_shadow_top(void)", "() -> int", "stackmap",
       "The current goroutine's innermost frame record (NULL when none).", ref=False),
    _s("gox_shadow_slot", "GoxShadowFrame **gox_shadow_slot(void)", "() -> int", "stackmap",
       "Where the current goroutine's innermost frame record is kept (the host's outside any goroutine; the "
       "calling thread's in a library without the scheduler). The address stays the goroutine's for its whole "
       "life, whichever thread runs it, so compiled code reads it once on entry, hands it to the functions it "
       "calls directly and links its records with gox_shadow_push_at and gox_shadow_pop_at (inline in "
       "gox_abi.h): what gox_shadow_push and gox_shadow_pop do, without a call.", ref=False),
    _s("gox_shadow_results", "uint64_t *gox_shadow_results(void)", "() -> int", "stackmap",
       "The current goroutine's GOX_MAX_RESULTS result slots: a compiled entry with several results "
       "(GoxEntryFn returns one) leaves results 1.. there and its caller reads them before its next call. "
       "Per goroutine, so goroutines on parallel workers never share them.", ref=False),
    # Stack growth (C only): a goroutine starts on a small stack; compiled code that finds its
    # frame record below its segment's limit runs the call on a new segment, up to Go's 1 GB
    # (docs/SCHEDULER.md, "Stacks"; the reference's interpreter has no C stack to grow).
    _s("gox_stack_limit", "uintptr_t gox_stack_limit(void)", "() -> int", "sched",
       "The lowest address a compiled function's frame record may lie at on the running goroutine's "
       "stack (its segment's low end plus room for the ABI calls below the frame); 0 outside a goroutine "
       "(no growth). gox_shadow_push_at copies it into a goroutine's outermost record, and each record "
       "hands it on to the next.", half=2, ref=False),
    _s("gox_stack_grow", "void gox_stack_grow(GoxGrowFn call, void *arg)", "(call: int, arg: int) -> None", "sched",
       "Run call(arg) on a new stack segment of the running goroutine, whose records get that segment's "
       "limit, and give the segment back when call returns (or when a recovered panic's gox_shadow_unwind "
       "lands below it). Past Go's 1 GB of stack per goroutine: Go's fatal error (runtime: goroutine stack "
       "exceeds 1000000000-byte limit, fatal error: stack overflow). Outside a goroutine the call runs here.",
       errors=("fatal: stack overflow",), half=2, ref=False),
    # -- debug ------------------------------------------------------------------------------
    _s("gox_debug_print", "void gox_debug_print(uint64_t val, uint8_t kind)", "(val: int, kind: int) -> None",
       "debug", "println(val): Go's format (docs/ABI.md) and a newline, to the output sink.",
       errors=(BAD_KIND, BAD_REF), origin="seed"),
    _s("gox_debug_write", "void gox_debug_write(uint64_t val, uint8_t kind)", "(val: int, kind: int) -> None",
       "debug", "print(val): the value alone.", errors=(BAD_KIND, BAD_REF)),
    _s("gox_assert_begin", "void gox_assert_begin(void)", "() -> None", "debug", "Open an assertion.",
       errors=("ABI: already open",), origin="seed"),
    _s("gox_assert_arg", "void gox_assert_arg(uint64_t val, uint8_t kind)", "(val: int, kind: int) -> None",
       "debug", "Add a value to report if it fails.", errors=("ABI: none open",), origin="seed"),
    _s("gox_assert_end", "void gox_assert_end(bool passed)", "(passed: bool) -> None", "debug",
       "Close it; if not passed, panic \"assertion failed: <args>\".",
       errors=("ABI: none open", "panic: assertion failed"), origin="seed"),
    # -- host (C only: the native backend's instances, error record, checked mode, output, heap walk)
    *(
        _s(name, c, py, "host", doc, ref=False)
        for name, c, py, doc in (
            ("gox_runtime_new", "void *gox_runtime_new(void)", "() -> int",
             "A new, independent runtime instance (not yet current); checked mode on."),
            ("gox_runtime_free", "void gox_runtime_free(void *rt)", "(rt: int) -> None",
             "Free an instance and everything it holds."),
            ("gox_runtime_use", "void gox_runtime_use(void *rt)", "(rt: int) -> None",
             "Make rt the calling thread's current instance: every gox_* call acts on it."),
            ("gox_runtime_current", "void *gox_runtime_current(void)", "() -> int",
             "The calling thread's current instance (a default one is made on first use)."),
            ("gox_set_checked", "void gox_set_checked(bool on)", "(on: bool) -> None",
             "Checked mode (default): validate every reference (a live-object set) and never reuse an "
             "address, so freed references are always recognised (their memory is reused at new "
             "addresses). Off: trust the caller."),
            ("gox_is_checked", "bool gox_is_checked(void)", "() -> bool", "Whether checked mode is on."),
            ("gox_error_flag", "const int32_t *gox_error_flag(void)", "() -> int",
             "Address of the current instance's pending error code (0 none, 1 panic, 2 ABI error, 3 fatal)."),
            ("gox_error_message_len", "size_t gox_error_message_len(void)", "() -> int",
             "Length in bytes of the pending error's message."),
            ("gox_error_take", "int32_t gox_error_take(char *out_msg, size_t cap)", "() -> tuple[int, bytes]",
             "Return the pending error's code and message (the reference's exact text) and clear it. A failing "
             "call fills the record and returns a neutral value (0, false, NULL) with the runtime unchanged."),
            ("gox_error_set", "void gox_error_set(int32_t code, const char *msg)", "(code: int, msg: bytes) -> None",
             "Report an error (an extern's panic) into the record."),
            ("gox_output_capture", "void gox_output_capture(bool on)", "(on: bool) -> None",
             "Collect debug output in a buffer (drained by gox_output_take) instead of writing stdout."),
            ("gox_output_len", "size_t gox_output_len(void)", "() -> int", "Bytes of captured output."),
            ("gox_output_take", "size_t gox_output_take(uint8_t *out_buf, size_t cap)", "() -> bytes",
             "Move up to cap bytes of captured output out; returns how many."),
            ("gox_errout_len", "size_t gox_errout_len(void)", "() -> int",
             "Bytes of captured reports (panics, fatal errors, deadlocks: stderr without capture)."),
            ("gox_errout_take", "size_t gox_errout_take(uint8_t *out_buf, size_t cap)", "() -> bytes",
             "Move up to cap bytes of captured reports out; returns how many."),
            ("gox_ref_number", "uint64_t gox_ref_number(GoxRef ref)", "(ref: int) -> int",
             "The allocation number of a reference this instance made (live or, in checked mode, freed); 0 if "
             "none. Canonical address: 0x10000000 + 16 * number."),
            ("gox_heap_walk", "size_t gox_heap_walk(GoxRef *out_refs, size_t cap)", "() -> list[int]",
             "Every object not yet freed (including objects awaiting the sweep), in allocation order; returns "
             "the count."),
            ("gox_heap_object_info", "bool gox_heap_object_info(GoxRef obj, uint64_t *out_info, size_t n)",
             "(obj: int) -> tuple[int, ...] | None",
             "Header of an object: num, kind, type_id, color (0 white, 1 white(dead), 2 gray, 3 black), gen, "
             "flags, slot count (a large array's true count, though its header's 16-bit field says 0)."),
            ("gox_heap_object_slots", "size_t gox_heap_object_slots(GoxRef obj, uint64_t *out_slots, size_t cap)",
             "(obj: int) -> list[int]", "The data slots of any object (also one awaiting the sweep)."),
            ("gox_heap_object_refs", "size_t gox_heap_object_refs(GoxRef obj, GoxRef *out_refs, size_t cap)",
             "(obj: int) -> list[int]", "The non-nil references the collector follows from obj, in scan order."),
            ("gox_heap_roots", "size_t gox_heap_roots(char *out_text, size_t cap)", "() -> list[tuple[str, int]]",
             "Every non-nil root in root order, as lines `where<TAB>ref`; returns the text's length."),
        )
    ),
    # -- goroutines (half 2) ----------------------------------------------------------------
    _s("gox_go_spawn", "void gox_go_spawn(const void *func_ptr, const uint64_t *args, uint32_t args_len)",
       "(func_ptr: FuncEntry, args: Sequence[int]) -> None", "sched",
       "go f(args...): a new goroutine at the back of the run queue.", allocates=True,
       errors=("fatal: go of nil func value",), origin="seed", half=2),
    _s("gox_yield", "void gox_yield(void)", "() -> None", "sched", "runtime.Gosched().", blocks=True,
       origin="seed", half=2),
    _s("gox_os_exit", "void gox_os_exit(int64_t code)", "(code: int) -> None", "sched",
       "os.Exit(code): the program ends at once with status code & 0xFF (what a shell sees of Go's exit: "
       "os.Exit(256) is 0, os.Exit(-1) is 255); no deferred call runs, a panic being unwound is not reported, "
       "every other goroutine is abandoned as when main returns (in parallel mode at its next entry into the "
       "runtime), and what was printed before is already out. Never returns to a goroutine. Outside a running "
       "program (a host call) it is an ABI error: the runtime never ends its host's process.",
       blocks=True, errors=("ABI: called outside a running program",), half=2),
    # C only: a compiled program's entry, names for reports, and the trace (the reference has
    # run_main, the callables' qualnames and start_trace/stop_trace as Python methods).
    _s("gox_run_main", "int32_t gox_run_main(GoxEntryFn main_fn, const uint64_t *args, uint32_t args_len, uint64_t seed)",
       "(main_fn: int, args: Sequence[int], seed: int) -> int", "sched",
       "Run a program: main_fn is goroutine 1's entry, the generator is seeded with seed; returns the exit "
       "status (0; code & 0xFF after gox_os_exit(code); 2 after an unrecovered panic, a fatal error or a "
       "deadlock, whose report went to stderr or, "
       "under gox_output_capture, to gox_errout_take), or -1 when the program stopped on an ABI error (in the "
       "error record). Every goroutine runs on its own native stack; this thread is worker 0. With several "
       "workers (gox_sched_set_workers, else $GOX_WORKERS) the program runs in parallel mode "
       "(docs/SCHEDULER.md section 7): schedule-dependent choices are not reproducible from the seed then. "
       "With $GOX_CHAN_HISTORY=PATH the run's channel operations are recorded and written to PATH when it "
       "returns (docs/SCHEDULER.md, \"Checking channels for linearizability\").",
       blocks=True, errors=("ABI: $GOX_WORKERS is not 1..64", "ABI: $GOX_CHAN_HISTORY cannot be written"), half=2,
       ref=False),
    _s("gox_sched_set_workers", "void gox_sched_set_workers(uint32_t n)", "(n: int) -> None", "sched",
       "The number of worker threads of the next gox_run_main (1..64; 0: $GOX_WORKERS, else 1). One worker is "
       "the deterministic scheduler of the reference; more run goroutines in parallel with work stealing, "
       "a runtime lock and a stop-the-world collector (docs/SCHEDULER.md \"Parallel mode\").",
       errors=("ABI: n above 64", "ABI: called while a program runs"), half=2, ref=False),
    _s("gox_sched_preempt_flag", "const uint32_t *gox_sched_preempt_flag(void)", "() -> int", "sched",
       "Address of a word that is non-zero while a collection stops the world in parallel mode, and once the "
       "program has ended (always 0 with one worker). Compiled code reads it (a relaxed atomic load) at every "
       "loop back-edge and calls gox_sched_poll when it is set, so a goroutine looping without allocating "
       "cannot hold a collection up, nor outlive the program's end.",
       half=2, ref=False),
    _s("gox_sched_poll", "void gox_sched_poll(void)", "() -> None", "sched",
       "A safepoint that allocates nothing: while a collection stops the world the calling goroutine stops here "
       "until it is done. Call it only where every live reference is rooted (a compiled loop's back-edge: "
       "references live in shadow-frame slots there, temporaries are dead). Nothing happens otherwise.",
       blocks=True, half=2, ref=False),
    _s("gox_func_set_name", "void gox_func_set_name(const void *func_ptr, const char *name)",
       "(func_ptr: int, name: bytes) -> None", "sched",
       "The name reports print for an entry (`goroutine N [...]:` then `name(...)`); unnamed entries print "
       "their dynamic symbol name, else func@<address>.", half=2, ref=False),
    _s("gox_trace_start", "void gox_trace_start(void)", "() -> None", "sched",
       "Record every event from now on (a new, empty trace; the clock restarts at 1).", half=2, ref=False),
    _s("gox_trace_stop", "void gox_trace_stop(void)", "() -> None", "sched", "Stop recording (the text stays).",
       half=2, ref=False),
    _s("gox_trace_text", "size_t gox_trace_text(char *out_text, size_t cap)", "() -> bytes", "sched",
       "The trace in canonical form (gox_ref/trace.py TraceLog.canonical(): one line per event, each ending in "
       "a newline); copies up to cap - 1 bytes and a NUL, returns the full length.", half=2, ref=False),
    # -- channels (half 2) ------------------------------------------------------------------
    _s("gox_chan_new", "GoxRef gox_chan_new(uint8_t elem_kind, int64_t cap)", "(elem_kind: int, cap: int) -> int",
       "chan", "make(chan T, cap).", allocates=True, errors=("panic: makechan: size out of range", BAD_KIND),
       origin="seed", half=2),
    _s("gox_chan_send", "void gox_chan_send(GoxRef ch, uint64_t val)", "(ch: int, val: int) -> None", "chan",
       "ch <- val.", blocks=True, errors=("panic: send on closed channel",), origin="seed", half=2),
    _s("gox_chan_recv", "uint64_t gox_chan_recv(GoxRef ch)", "(ch: int) -> int", "chan", "<-ch.",
       blocks=True, origin="seed", half=2),
    _s("gox_chan_recv_ok", "uint64_t gox_chan_recv_ok(GoxRef ch, bool *out_ok)", "(ch: int) -> tuple[int, bool]",
       "chan", "v, ok := <-ch.", blocks=True, half=2),
    _s("gox_chan_close", "void gox_chan_close(GoxRef ch)", "(ch: int) -> None", "chan", "close(ch).",
       errors=("panic: close of closed channel", "panic: close of nil channel"), origin="seed", half=2),
    _s("gox_chan_len", "int64_t gox_chan_len(GoxRef ch)", "(ch: int) -> int", "chan", "len(ch).", half=2),
    _s("gox_chan_cap", "int64_t gox_chan_cap(GoxRef ch)", "(ch: int) -> int", "chan", "cap(ch).", half=2),
    # -- select (half 2) --------------------------------------------------------------------
    _s("gox_select_start", "void gox_select_start(uint32_t ncases, bool has_default)",
       "(ncases: int, has_default: bool) -> None", "select", "Begin a select of ncases cases.",
       origin="seed", half=2),
    _s("gox_select_add_send", "void gox_select_add_send(GoxRef ch, uint64_t val)", "(ch: int, val: int) -> None",
       "select", "Add case ch <- val.", origin="seed", half=2),
    _s("gox_select_add_recv", "void gox_select_add_recv(GoxRef ch)", "(ch: int) -> None", "select",
       "Add case <-ch.", origin="seed", half=2),
    _s("gox_select_exec", "int64_t gox_select_exec(void)", "() -> int", "select",
       "Run it: the chosen case's index, -1 for default.", blocks=True,
       errors=("panic: send on closed channel",), origin="seed", half=2),
    _s("gox_select_recv_result", "uint64_t gox_select_recv_result(bool *out_ok)", "() -> tuple[int, bool]",
       "select", "The value and ok received by the last select's chosen recv case.", half=2),
    # -- defer / panic / recover (half 2) ---------------------------------------------------
    _s("gox_defer_frame_enter", "uint64_t gox_defer_frame_enter(void)", "() -> int", "defer",
       "Open a function frame for defers; returns its id.", half=2),
    _s("gox_defer_frame_exit", "void gox_defer_frame_exit(uint64_t frame)", "(frame: int) -> None", "defer",
       "Run the frame's remaining defers (LIFO) and close it.", blocks=True, half=2),
    _s("gox_defer_frame_jmpbuf", "void *gox_defer_frame_jmpbuf(uint64_t frame)", "(frame: int) -> int", "defer",
       "The jmp_buf a recovery of the innermost open frame returns to: compiled C does `if "
       "(setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;` right after gox_defer_frame_enter, and "
       "`out:` calls gox_defer_frame_exit(fr), which then runs the frame's remaining defers and returns "
       "normally.", errors=("ABI: frame is not the innermost open frame",), half=2, ref=False),
    _s("gox_defer_push", "void gox_defer_push(const void *func_ptr, const uint64_t *args, uint32_t args_len)",
       "(func_ptr: FuncEntry, args: Sequence[int]) -> None", "defer",
       "defer f(args...) in the innermost frame.", origin="seed", half=2),
    _s("gox_defer_pop", "void gox_defer_pop(void)", "() -> None", "defer",
       "Run the innermost frame's most recent defer now.", blocks=True, origin="seed", half=2),
    _s("gox_panic", "void gox_panic(uint64_t slot0, uint64_t slot1)", "(slot0: int, slot1: int) -> None",
       "defer", "panic(v) with v an interface (two slots); the report prints v as Go's printpanicval does, "
       "a registered named type's value as `main.Msg(\"second\")` or `(main.T) 0xADDR`.", blocks=True, origin="seed", half=2),
    _s("gox_recover", "uint64_t gox_recover(uint64_t *out_slot1)", "() -> tuple[int, int]", "defer",
       "recover(): the panic value as an interface, nil when not recovering.", origin="seed", half=2),
    # -- time: sleep, timers, tickers (half 2) ---------------------------------------------
    _s("gox_time_now", "int64_t gox_time_now(void)", "() -> int", "timer",
       "Nanoseconds since the program started: the virtual clock with one worker (it moves only when every "
       "goroutine is blocked and a timer is pending, docs/SCHEDULER.md \"Time\"), 0 outside a program.",
       half=2),
    _s("gox_time_sleep", "void gox_time_sleep(int64_t ns)", "(ns: int) -> None", "timer",
       "time.Sleep(ns): the goroutine parks (wait reason `sleep`) until the clock reaches now + ns; ns <= 0 is "
       "gox_yield.", blocks=True, half=2),
    _s("gox_time_after", "GoxRef gox_time_after(int64_t ns)", "(ns: int) -> int", "timer",
       "time.After(ns): a new channel of kind Int64 and capacity 1 that receives gox_time_now() once the clock "
       "reaches now + ns (its timer is pending until then: a root).", allocates=True, half=2),
    _s("gox_timer_new", "GoxRef gox_timer_new(int64_t ns)", "(ns: int) -> int", "timer",
       "time.NewTimer(ns): a new timer (a Pointer object boxing its channel, kind Int64, capacity 1), pending "
       "until the clock reaches now + ns; firing is Go's non-blocking sendTime (a full channel drops the "
       "value).", allocates=True, half=2),
    _s("gox_timer_chan", "GoxRef gox_timer_chan(GoxRef t)", "(t: int) -> int", "timer",
       "t.C: the channel of a timer or a ticker.", errors=(NIL_DEREF, BAD_REF), half=2),
    _s("gox_timer_stop", "bool gox_timer_stop(GoxRef t)", "(t: int) -> bool", "timer",
       "Go 1.19's t.Stop() of a timer (a ticker's is gox_ticker_stop): true iff the timer was pending; it is "
       "not any more. The channel is not drained.",
       errors=(NIL_DEREF, BAD_REF), half=2),
    _s("gox_timer_reset", "bool gox_timer_reset(GoxRef t, int64_t ns)", "(t: int, ns: int) -> bool", "timer",
       "Go 1.19's t.Reset(ns): true iff the timer was pending; it is pending again, until now + ns (a fired or "
       "stopped timer too). The channel is not drained.", errors=(NIL_DEREF, BAD_REF), half=2),
    _s("gox_ticker_new", "GoxRef gox_ticker_new(int64_t ns)", "(ns: int) -> int", "timer",
       "time.NewTicker(ns): a new ticker (a timer that re-arms every ns; a slow receiver loses ticks, as "
       "Go 1.19's). Its channel is gox_timer_chan's.", allocates=True,
       errors=("panic: non-positive interval for NewTicker",), half=2),
    _s("gox_ticker_stop", "void gox_ticker_stop(GoxRef t)", "(t: int) -> None", "timer",
       "t.Stop() of a ticker: no more ticks (the channel is not drained).", errors=(NIL_DEREF, BAD_REF), half=2),
    # -- iterators (half 2) -----------------------------------------------------------------
    _s("gox_iter_begin", "uint64_t gox_iter_begin(GoxRef container, uint8_t kind)",
       "(container: int, kind: int) -> int", "iter",
       "Begin a range loop over a slice, array, string, map or channel; returns a handle. A nil "
       "container is an empty loop, a nil channel's blocks; a nil Array (a nil *[N]T's values) panics.",
       allocates=True, errors=(NIL_DEREF,), origin="seed", half=2),
    _s("gox_iter_next", "bool gox_iter_next(uint64_t it, uint64_t *out_key, uint64_t *out_val)",
       "(it: int) -> tuple[bool, int, int]", "iter", "The next (key, value); false when done.",
       blocks=True, origin="seed", half=2),
    _s("gox_iter_end", "void gox_iter_end(uint64_t it)", "(it: int) -> None", "iter", "Release the handle.",
       origin="seed", half=2),
)

BY_NAME: dict[str, Symbol] = {s.name: s for s in SYMBOLS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(s.group for s in SYMBOLS))

# A runtime under test (docs/YOUR_RUNTIME.md) implements the ABI in these feature groups, each
# a set of the table's groups; the symbols named here move from their table group to the
# feature group (the tracer's are in group sched, the shadow stack's in stackmap).
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "heap": ("gc", "globals", "array", "functable", "symbols", "externs", "debug"),
    "strings/slices/maps": ("string", "slice", "map"),
    "closures/interfaces": ("closure", "iface"),
    "scheduler": ("sched", "chan", "select", "iter", "timer"),
    "defer/panic": ("defer",),
    "shadow stacks": ("stackmap",),
    "tracing": (),
    "host functions": ("host",),
}
_FEATURE_OF_SYMBOL = {
    **dict.fromkeys(("gox_trace_start", "gox_trace_stop", "gox_trace_text", "gox_func_set_name"), "tracing"),
}


def feature_group(sym: Symbol) -> str:
    """The feature group (FEATURE_GROUPS) a symbol belongs to."""
    if sym.name in _FEATURE_OF_SYMBOL:
        return _FEATURE_OF_SYMBOL[sym.name]
    return next(f for f, groups in FEATURE_GROUPS.items() if sym.group in groups)

# The seed's symbol list (plus its checklist's runtime functions), to check the table covers it.
SEED_SYMBOLS = (
    "gox_rt_alloc", "gox_gc_read_slot", "gox_gc_write_slot", "gox_rt_write_barrier", "gox_rt_mark_gray",
    "gox_rt_get_global", "gox_rt_set_global", "gox_string_len", "gox_string_index", "gox_rt_string_concat",
    "gox_rt_string_slice", "gox_string_eq", "gox_rt_array_create", "gox_array_len", "gox_array_get",
    "gox_array_set", "gox_rt_slice_create", "gox_slice_len", "gox_slice_cap", "gox_slice_get",
    "gox_slice_set", "gox_rt_slice_append", "gox_rt_slice_slice", "gox_rt_closure_create",
    "gox_closure_func_id", "gox_closure_get_upvalue", "gox_closure_set_upvalue", "gox_rt_upval_box_create",
    "gox_upval_box_get", "gox_upval_box_set", "gox_interface_unbox_type", "gox_interface_unbox_data",
    "gox_interface_is_nil", "gox_func_table_ptr", "gox_extern_call", "gox_go_spawn", "gox_yield",
    "gox_chan_new", "gox_chan_send", "gox_chan_recv", "gox_chan_close", "gox_defer_push", "gox_defer_pop",
    "gox_panic", "gox_recover", "gox_select_start", "gox_select_add_send", "gox_select_add_recv",
    "gox_select_exec", "gox_iter_begin", "gox_iter_next", "gox_iter_end", "gox_debug_print",
    "gox_assert_begin", "gox_assert_arg", "gox_assert_end",
)
