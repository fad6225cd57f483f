"""Wrong arguments to every heap-half symbol: each raises the documented exception (Go's
exact panic text where Go has one, else a GoxABIError naming the function and the bad value)
and leaves the heap exactly as it was."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import NO_TYPE, K, expect_error, new_runtime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gox_abi.abi import SYMBOLS
from gox_abi.externs import ExternSpec
from gox_abi.layout import HEAP_BASE
from gox_ref import GoxABIError, GoxError, GoxPanic, SlotType

NEVER = 0x1234  # never allocated (not even a reference-shaped address)
NEVER_ALIGNED = HEAP_BASE + 16 * 10**6  # reference-shaped, never allocated


class World:
    """A runtime with one live object of each kind (all pinned) and a freed reference."""

    def __init__(self, backend: str) -> None:
        rt = self.rt = new_runtime(backend, out=io.BytesIO())
        self.t_ref = rt.gox_type_register(b"R", bytes([SlotType.GC_REF]))
        self.t_pair = rt.gox_type_register(b"Pair", bytes([SlotType.VALUE, SlotType.GC_REF]))
        self.t_iface = rt.gox_type_register(b"I", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1]))
        pin = rt.gox_gc_pin
        self.s = rt.gox_rt_string_from_ptr(b"abc")
        self.sl = rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 4)
        self.ssl = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 2, 2)
        self.psl = rt.gox_rt_slice_create(K.STRUCT, self.t_pair, 2, 2)
        self.arr = rt.gox_rt_array_create(K.INT, NO_TYPE, 3)
        self.sarr = rt.gox_rt_array_create(K.STRING, NO_TYPE, 2)
        self.parr = rt.gox_rt_array_create(K.STRUCT, self.t_pair, 2)
        self.m = rt.gox_rt_map_new(K.INT, K.INT)
        self.sm = rt.gox_rt_map_new(K.STRING, K.STRING)
        self.pm = rt.gox_rt_map_new(K.POINTER, K.INT)
        self.c = rt.gox_rt_closure_create(1, self.t_ref, 1)
        self.box = rt.gox_rt_upval_box_create(K.INT, 5)
        self.sbox = rt.gox_rt_upval_box_create(K.STRING, 0)
        self.bi = rt.gox_rt_box(K.BOXED_INT, 5)
        self.st = rt.gox_rt_alloc(K.STRUCT, self.t_pair, 2)
        for ref in (self.s, self.sl, self.ssl, self.psl, self.arr, self.sarr, self.parr, self.m, self.sm,
                    self.pm, self.c, self.box, self.sbox, self.bi, self.st):
            pin(ref)
        rt.gox_init_globals(2, [False, True])
        rt.gox_init_func_table(2)
        self.freed = rt.gox_rt_string_from_ptr(b"gone")
        self.freed_slice = rt.gox_rt_slice_create(K.INT, NO_TYPE, 1, 1)
        rt.gox_collect_garbage()
        assert not rt.is_live(self.freed) and not rt.is_live(self.freed_slice)


@dataclass(frozen=True)
class Case:
    sym: str
    args: Callable[[World], Sequence[Any]]
    exc: type[GoxError]
    needles: tuple[str, ...] = ()
    exact: str | None = None
    setup: Callable[[World], None] | None = None

    def __str__(self) -> str:
        return f"{self.sym}-{'-'.join(self.needles) or self.exact}"


def abi(sym: str, args: Callable[[World], Sequence[Any]], *needles: str, setup: Callable[[World], None] | None = None) -> Case:
    return Case(sym, args, GoxABIError, (sym, *needles), setup=setup)


def panic(sym: str, args: Callable[[World], Sequence[Any]], text: str) -> Case:
    return Case(sym, args, GoxPanic, exact=text)


IOOR = "runtime error: index out of range "
SBOOR = "runtime error: slice bounds out of range "
FREED = "is a freed reference"
NOT_ALLOC = "is not a reference the heap ever allocated"
WANT_STRING = "expected a 15 (String) object"


def _enter_assert(w: World) -> None:
    w.rt.gox_assert_begin()


def _pause(w: World) -> None:
    w.rt.gox_gc_pause()


def _bad_stack(w: World) -> None:
    w.rt.gox_stack_map_register(0x100, [0])
    sp = w.rt.gox_sim_frame_push(0x100, 8)
    w.rt.gox_sim_stack_write(sp, NEVER_ALIGNED)


def _frame(w: World) -> None:
    w.rt.gox_sim_frame_push(0x100, 16)


def _raising_extern(w: World) -> None:
    def boom(host: Any, args: Sequence[int]) -> Sequence[int]:
        raise GoxPanic("boom")

    w.rt.gox_register_extern(900, ExternSpec("test.Boom", (), (), boom))


def _bad_returns(w: World) -> None:
    w.rt.gox_register_extern(901, ExternSpec("test.Bad", (), ("int",), lambda h, a: [1, 2]))


CASES: list[Case] = [
    # -- gc ------------------------------------------------------------------------------------
    abi("gox_rt_alloc", lambda w: (K.STRING, NO_TYPE, 3), "has its own constructor"),
    abi("gox_rt_alloc", lambda w: (300, 0, 1), "value_kind=300", "uint8_t"),
    abi("gox_rt_alloc", lambda w: (K.STRUCT, 99, 1), "unknown struct type id 99"),
    abi("gox_rt_alloc", lambda w: (K.STRUCT, w.t_pair, 3), "slots=3"),
    abi("gox_rt_alloc", lambda w: (K.POINTER, K.INT, 2), "slots=2"),
    abi("gox_rt_alloc", lambda w: (K.POINTER, 0, 1), "type_id=0"),
    abi("gox_rt_alloc", lambda w: (K.BOXED_INT, 0, 2), "slots=2"),
    abi("gox_rt_alloc", lambda w: (K.STRUCT, 0x10000, 1), "type_id=65536"),
    abi("gox_gc_read_slot", lambda w: (w.freed, 0), FREED),
    abi("gox_gc_read_slot", lambda w: (NEVER, 0), NOT_ALLOC, "0x1234"),
    abi("gox_gc_read_slot", lambda w: (w.s, 3), "slot index 3"),
    abi("gox_gc_read_slot", lambda w: (w.s, 2**70), "idx=", "size_t"),
    abi("gox_gc_read_slot", lambda w: (w.s, -1), "idx=-1", "size_t"),
    # a nil reference where Go dereferences is Go's panic (test_nil.py has every such call)
    Case("gox_gc_read_slot", lambda w: (0, 0), GoxPanic, ("invalid memory address or nil pointer dereference",)),
    abi("gox_gc_write_slot", lambda w: (w.s, 1, 0), "not writable"),
    abi("gox_gc_write_slot", lambda w: (w.sl, 2, 100), "not writable"),
    abi("gox_gc_write_slot", lambda w: (w.arr, 3, 100), "not writable"),
    abi("gox_gc_write_slot", lambda w: (w.st, 1, NEVER), "reference slot", "0x1234"),
    abi("gox_gc_write_slot", lambda w: (w.st, 1, w.freed), FREED),
    abi("gox_gc_write_slot", lambda w: (w.st, 2, 0), "slot index 2"),
    abi("gox_gc_write_slot", lambda w: (w.freed, 0, 0), FREED),
    abi("gox_gc_write_slot", lambda w: (w.st, 0, 2**64), "val=", "uint64_t"),
    abi("gox_gc_write_slot", lambda w: (w.sarr, 4, NEVER_ALIGNED), "reference slot"),
    abi("gox_rt_write_barrier", lambda w: (w.freed, w.s), FREED),
    abi("gox_rt_write_barrier", lambda w: (w.st, w.freed), FREED),
    abi("gox_rt_write_barrier", lambda w: (NEVER, 0), NOT_ALLOC),
    # the fused pair fails as the pair does, its errors named after the call that failed (its
    # barrier's failure, after the write, is in test_gc.py)
    Case("gox_gc_write_slot_barrier", lambda w: (w.st, 1, NEVER), GoxABIError, ("gox_gc_write_slot: ", "reference slot")),
    Case("gox_gc_write_slot_barrier", lambda w: (w.freed, 1, 0), GoxABIError, ("gox_gc_write_slot: ", FREED)),
    Case("gox_gc_write_slot_barrier", lambda w: (w.st, 2, 0), GoxABIError, ("gox_gc_write_slot: ", "slot index 2")),
    abi("gox_rt_mark_gray", lambda w: (w.freed,), FREED),
    abi("gox_rt_mark_gray", lambda w: (0,), "nil reference"),
    abi("gox_collect_garbage", lambda w: (), "paused", setup=_pause),
    abi("gox_gc_resume", lambda w: (), "not paused"),
    abi("gox_gc_pin", lambda w: (w.freed,), FREED),
    abi("gox_gc_pin", lambda w: (NEVER_ALIGNED,), NOT_ALLOC),
    abi("gox_gc_unpin", lambda w: (w.box + 0x100000,), "is not pinned"),
    abi("gox_gc_tune", lambda w: (0, 0, 4, 0), "step_size=4"),
    abi("gox_gc_tune", lambda w: (2**32, 0, 0, 0), "pause=4294967296", "uint32_t"),
    abi("gox_type_register", lambda w: (b"X", bytes([4])), "slot type 4"),
    abi("gox_type_register", lambda w: (b"X", bytes([SlotType.INTERFACE0])), "Interface0"),
    abi("gox_type_register", lambda w: (b"X", bytes([SlotType.INTERFACE1, SlotType.INTERFACE0])), "Interface1"),
    abi("gox_type_slot_count", lambda w: (99,), "unknown struct type id 99"),
    abi("gox_type_slot_count", lambda w: (70000,), "type_id=70000", "uint16_t"),
    # -- globals -------------------------------------------------------------------------------
    abi("gox_init_globals", lambda w: (3, [True]), "size=3", "1 flags"),
    abi("gox_init_globals", lambda w: (-1, []), "size=-1", "size_t"),
    abi("gox_rt_get_global", lambda w: (2,), "unknown global 2", "0..1"),
    abi("gox_rt_get_global", lambda w: (-1,), "idx=-1"),
    abi("gox_rt_set_global", lambda w: (5, 0), "unknown global 5"),
    abi("gox_rt_set_global", lambda w: (1, NEVER), "global 1", "0x1234"),
    abi("gox_rt_set_global", lambda w: (1, w.freed), FREED),
    abi("gox_global_is_ref", lambda w: (7,), "unknown global 7"),
    # -- strings -------------------------------------------------------------------------------
    abi("gox_rt_string_from_ptr", lambda w: ("abc",), "not bytes"),
    abi("gox_rt_string_from_ptr", lambda w: (10,), "not bytes"),
    abi("gox_string_read", lambda w: (w.sl,), WANT_STRING, "17 (Slice)"),
    abi("gox_string_read", lambda w: (w.freed,), FREED),
    abi("gox_string_len", lambda w: (w.m,), WANT_STRING),
    abi("gox_string_len", lambda w: (NEVER,), NOT_ALLOC),
    abi("gox_string_len", lambda w: (2**64,), "s=18446744073709551616", "GoxRef"),
    panic("gox_string_index", lambda w: (w.s, 5), IOOR + "[5] with length 3"),
    panic("gox_string_index", lambda w: (w.s, 3), IOOR + "[3] with length 3"),
    panic("gox_string_index", lambda w: (w.s, -1), IOOR + "[-1]"),
    panic("gox_string_index", lambda w: (0, 0), IOOR + "[0] with length 0"),
    abi("gox_string_index", lambda w: (w.s, 2**70), "idx=", "int64_t"),
    abi("gox_string_index", lambda w: (w.sl, 0), WANT_STRING),
    abi("gox_rt_string_concat", lambda w: (w.sl, w.s), WANT_STRING),
    abi("gox_rt_string_concat", lambda w: (w.s, w.freed), FREED),
    panic("gox_rt_string_slice", lambda w: (w.s, 0, 7), SBOOR + "[:7] with length 3"),
    panic("gox_rt_string_slice", lambda w: (w.s, 2, 1), SBOOR + "[2:1]"),
    panic("gox_rt_string_slice", lambda w: (w.s, -1, 1), SBOOR + "[-1:]"),
    panic("gox_rt_string_slice", lambda w: (0, 0, 1), SBOOR + "[:1] with length 0"),
    abi("gox_rt_string_slice", lambda w: (w.arr, 0, 0), WANT_STRING),
    *(abi(f"gox_string_{op}", lambda w: (w.s, w.sl), WANT_STRING) for op in ("eq", "ne", "lt", "le", "gt", "ge", "cmp")),
    *(abi(f"gox_string_{op}", lambda w: (w.freed, w.s), FREED) for op in ("eq", "ne", "lt", "le", "gt", "ge", "cmp")),
    abi("gox_rt_string_from_rune", lambda w: (2**63,), "r=9223372036854775808", "int64_t"),
    panic("gox_string_decode_rune", lambda w: (w.s, 3), IOOR + "[3] with length 3"),
    panic("gox_string_decode_rune", lambda w: (w.s, -2), IOOR + "[-2]"),
    panic("gox_string_decode_rune", lambda w: (0, 0), IOOR + "[0] with length 0"),
    abi("gox_string_decode_rune", lambda w: (w.bi, 0), WANT_STRING),
    # -- arrays --------------------------------------------------------------------------------
    abi("gox_rt_array_create", lambda w: (300, NO_TYPE, 1), "elem_kind=300", "uint8_t"),
    abi("gox_rt_array_create", lambda w: (0, NO_TYPE, 1), "elem_kind=0"),
    abi("gox_rt_array_create", lambda w: (99, NO_TYPE, 1), "elem_kind=99"),
    abi("gox_rt_array_create", lambda w: (K.STRUCT, 77, 1), "unknown struct type id 77"),
    abi("gox_rt_array_create", lambda w: (K.INT, NO_TYPE, 2**70), "length=", "int64_t"),
    panic("gox_rt_array_create", lambda w: (K.INT, NO_TYPE, -1), "runtime error: makeslice: len out of range"),
    # past Go's maxAlloc (2**48 bytes) as Go counts them; below it an array is as large as memory allows
    panic("gox_rt_array_create", lambda w: (K.INT, NO_TYPE, 2**45 + 1), "runtime error: makeslice: len out of range"),
    panic("gox_rt_array_create", lambda w: (K.UINT8, NO_TYPE, 2**63 - 1), "runtime error: makeslice: len out of range"),
    abi("gox_array_len", lambda w: (w.s,), "expected a 16 (Array) object"),
    abi("gox_array_len", lambda w: (w.freed,), FREED),
    panic("gox_array_get", lambda w: (w.arr, 5), IOOR + "[5] with length 3"),
    panic("gox_array_get", lambda w: (w.arr, -1), IOOR + "[-1]"),
    abi("gox_array_get", lambda w: (w.parr, 0), "16 bytes"),
    abi("gox_array_get", lambda w: (w.sl, 0), "expected a 16 (Array) object"),
    panic("gox_array_set", lambda w: (w.arr, 3, 1), IOOR + "[3] with length 3"),
    abi("gox_array_set", lambda w: (w.sarr, 0, NEVER), "0x1234"),
    abi("gox_array_set", lambda w: (w.sarr, 0, w.freed), FREED),
    abi("gox_array_set", lambda w: (w.parr, 0, 0), "16 bytes"),
    abi("gox_array_set", lambda w: (w.arr, 0, -(2**64)), "val=", "uint64_t"),
    panic("gox_rt_array_slice", lambda w: (w.arr, 0, 4), SBOOR + "[:4] with length 3"),
    panic("gox_rt_array_slice", lambda w: (w.arr, 2, 1), SBOOR + "[2:1]"),
    abi("gox_rt_array_slice", lambda w: (w.sl, 0, 1), "expected a 16 (Array) object"),
    # -- slices --------------------------------------------------------------------------------
    panic("gox_rt_slice_create", lambda w: (K.INT, NO_TYPE, -1, 0), "runtime error: makeslice: len out of range"),
    # Go 1.19.8: make([]int64, 1<<45+1) and make([]string, 1<<44+1) (16 bytes each) panic so
    panic("gox_rt_slice_create", lambda w: (K.INT, NO_TYPE, 2**45 + 1, 2**45 + 1), "runtime error: makeslice: len out of range"),
    panic("gox_rt_slice_create", lambda w: (K.STRING, NO_TYPE, 2**44 + 1, 2**44 + 1),
          "runtime error: makeslice: len out of range"),
    panic("gox_rt_slice_create", lambda w: (K.INT, NO_TYPE, 3, 2), "runtime error: makeslice: cap out of range"),
    panic("gox_rt_slice_create", lambda w: (K.INT, NO_TYPE, 3, 2**45 + 1), "runtime error: makeslice: cap out of range"),
    abi("gox_rt_slice_create", lambda w: (K.INTERFACE + 10, NO_TYPE, 1, 1), "elem_kind=33"),
    abi("gox_rt_slice_create", lambda w: (K.STRUCT, 50, 1, 1), "unknown struct type id 50"),
    abi("gox_slice_len", lambda w: (w.s,), "expected a 17 (Slice) object"),
    abi("gox_slice_len", lambda w: (w.freed_slice,), FREED),
    abi("gox_slice_cap", lambda w: (w.arr,), "expected a 17 (Slice) object"),
    abi("gox_slice_cap", lambda w: (NEVER_ALIGNED,), NOT_ALLOC),
    panic("gox_slice_get", lambda w: (w.sl, 3), IOOR + "[3] with length 3"),  # within cap, beyond len
    panic("gox_slice_get", lambda w: (w.sl, -5), IOOR + "[-5]"),
    abi("gox_slice_get", lambda w: (w.psl, 0), "16 bytes"),
    abi("gox_slice_get", lambda w: (w.freed_slice, 0), FREED),
    panic("gox_slice_set", lambda w: (w.sl, 4, 0), IOOR + "[4] with length 3"),
    abi("gox_slice_set", lambda w: (w.ssl, 0, NEVER), "0x1234"),
    abi("gox_slice_set", lambda w: (w.m, 0, 0), "expected a 17 (Slice) object"),
    abi("gox_rt_slice_append", lambda w: (K.STRING, NO_TYPE, w.sl, 0), "has 2 (Int) elements"),
    abi("gox_rt_slice_append", lambda w: (K.STRUCT, w.t_pair, w.psl, 0), "take 16 bytes"),
    abi("gox_rt_slice_append", lambda w: (K.STRING, NO_TYPE, w.ssl, NEVER), "0x1234"),
    abi("gox_rt_slice_append", lambda w: (K.STRING, NO_TYPE, 0, w.freed), FREED),
    abi("gox_rt_slice_append", lambda w: (K.INT, NO_TYPE, w.s, 0), "expected a 17 (Slice) object"),
    abi("gox_rt_slice_append", lambda w: (0, NO_TYPE, 0, 0), "elem_kind=0"),
    abi("gox_rt_slice_append", lambda w: (K.INT, NO_TYPE, w.freed_slice, 0), FREED),
    panic("gox_rt_slice_slice", lambda w: (w.sl, 0, 7), SBOOR + "[:7] with capacity 4"),
    panic("gox_rt_slice_slice", lambda w: (w.sl, 3, 2), SBOOR + "[3:2]"),
    panic("gox_rt_slice_slice", lambda w: (w.sl, 0, -1), SBOOR + "[:-1]"),
    abi("gox_rt_slice_slice", lambda w: (w.freed_slice, 0, 0), FREED),
    abi("gox_rt_slice_slice", lambda w: (w.sl, 0, 2**63), "hi=", "int64_t"),
    panic("gox_rt_slice_slice3", lambda w: (w.sl, 0, 1, 5), SBOOR + "[::5] with capacity 4"),
    panic("gox_rt_slice_slice3", lambda w: (w.sl, 0, 3, 2), SBOOR + "[:3:2]"),
    panic("gox_rt_slice_slice3", lambda w: (w.sl, 2, 1, 2), SBOOR + "[2:1:]"),
    abi("gox_rt_slice_slice3", lambda w: (w.arr, 0, 0, 0), "expected a 17 (Slice) object"),
    abi("gox_slice_copy", lambda w: (w.sl, w.ssl), "element kinds differ"),
    abi("gox_slice_copy", lambda w: (w.sl, w.s), "expected a 17 (Slice) object"),
    abi("gox_slice_copy", lambda w: (w.freed_slice, w.sl), FREED),
    abi("gox_rt_slice_append_n", lambda w: (K.STRING, NO_TYPE, w.sl, [0]), "has 2 (Int) elements"),
    abi("gox_rt_slice_append_n", lambda w: (K.STRING, NO_TYPE, w.ssl, [w.s, NEVER]), "0x1234"),
    abi("gox_rt_slice_append_n", lambda w: (K.INT, NO_TYPE, 0, [1, "x"]), "vals holds 'x'"),
    abi("gox_rt_slice_append_slice", lambda w: (K.INT, NO_TYPE, w.sl, w.ssl), "has 15 (String) elements"),
    abi("gox_rt_slice_append_slice", lambda w: (K.INT, NO_TYPE, w.freed_slice, 0), FREED),
    abi("gox_rt_slice_append_string", lambda w: (w.sl, w.s), "expected 8 (Uint8) elements (a []byte)"),
    abi("gox_rt_slice_append_string", lambda w: (0, w.sl), "expected a 15 (String) object"),
    abi("gox_slice_copy_string", lambda w: (w.ssl, w.s), "expected 8 (Uint8) elements (a []byte)"),
    abi("gox_slice_copy_string", lambda w: (0, w.freed), FREED),
    abi("gox_rt_string_to_bytes", lambda w: (w.sl,), WANT_STRING),
    abi("gox_rt_bytes_to_string", lambda w: (w.sl,), "expected 8 (Uint8) elements (a []byte)"),
    abi("gox_rt_string_to_runes", lambda w: (w.freed,), FREED),
    abi("gox_rt_runes_to_string", lambda w: (w.sl,), "expected 5 (Int32) elements (a []rune)"),
    # -- closures ------------------------------------------------------------------------------
    abi("gox_rt_closure_create", lambda w: (1, 99, 1), "unknown struct type id 99"),
    abi("gox_rt_closure_create", lambda w: (1, w.t_pair, 1), "upval_count=1"),
    abi("gox_rt_closure_create", lambda w: (1, w.t_iface, 2), "interface slots"),
    abi("gox_rt_closure_create", lambda w: (1, NO_TYPE, 70000), "upval_count=70000"),
    abi("gox_rt_closure_create", lambda w: (2**32, NO_TYPE, 0), "func_id=4294967296", "uint32_t"),
    abi("gox_closure_func_id", lambda w: (w.box,), "expected a 20 (Closure) object"),
    abi("gox_closure_func_id", lambda w: (w.freed,), FREED),
    abi("gox_closure_upval_count", lambda w: (w.s,), "expected a 20 (Closure) object"),
    abi("gox_closure_get_upvalue", lambda w: (w.c, 1), "upvalue index 1", "1 upvalues"),
    abi("gox_closure_get_upvalue", lambda w: (w.c, 2**64), "idx=", "size_t"),
    abi("gox_closure_set_upvalue", lambda w: (w.c, 5, 0), "upvalue index 5"),
    abi("gox_closure_set_upvalue", lambda w: (w.c, 0, NEVER), "upvalue 0", "0x1234"),
    abi("gox_closure_set_upvalue", lambda w: (w.c, 0, w.freed), FREED),
    abi("gox_rt_upval_box_create", lambda w: (K.INTERFACE, 0), "value_kind=23"),
    abi("gox_rt_upval_box_create", lambda w: (K.NIL, 0), "value_kind=0"),
    abi("gox_rt_upval_box_create", lambda w: (27, 0), "value_kind=27"),
    abi("gox_rt_upval_box_create", lambda w: (K.STRING, NEVER), "0x1234"),
    abi("gox_upval_box_get", lambda w: (w.bi,), "expected a 22 (Pointer) object"),
    abi("gox_upval_box_get", lambda w: (w.freed,), FREED),
    abi("gox_upval_box_set", lambda w: (w.sbox, NEVER), "0x1234"),
    abi("gox_upval_box_set", lambda w: (w.c, 0), "expected a 22 (Pointer) object"),
    # -- interfaces ----------------------------------------------------------------------------
    abi("gox_interface_pack", lambda w: (0, 0, K.INTERFACE), "value_kind=23"),
    abi("gox_interface_pack", lambda w: (0, 0, 27), "value_kind=27"),
    abi("gox_interface_pack", lambda w: (70000, 0, 0), "iface_type_id=70000", "uint16_t"),
    abi("gox_interface_pack", lambda w: (0, -1, 0), "value_type_id=-1", "uint16_t"),
    *(abi(f"gox_interface_{n}", lambda w: (2**64,), "slot0=", "uint64_t")
      for n in ("unbox_type", "unbox_kind", "iface_type", "is_nil")),
    abi("gox_interface_unbox_data", lambda w: (0, 2**65), "slot1=", "uint64_t"),
    abi("gox_rt_box", lambda w: (K.INT, 1), "kind=2 (Int)"),
    abi("gox_rt_box", lambda w: (256, 1), "kind=256", "uint8_t"),
    abi("gox_box_get", lambda w: (w.s,), "15 (String)", "expected a boxed value"),
    abi("gox_box_get", lambda w: (w.freed,), FREED),
    # -- maps ----------------------------------------------------------------------------------
    abi("gox_rt_map_new", lambda w: (K.SLICE, K.INT), "key_kind=17 (Slice)"),
    abi("gox_rt_map_new", lambda w: (K.INT, K.INTERFACE), "val_kind=23"),
    abi("gox_rt_map_new", lambda w: (K.INT, 0), "val_kind=0"),
    abi("gox_rt_map_new", lambda w: (K.INT, 99), "val_kind=99"),
    abi("gox_map_len", lambda w: (w.sl,), "expected a 18 (Map) object"),
    abi("gox_map_len", lambda w: (w.freed,), FREED),
    abi("gox_map_get", lambda w: (w.sm, w.sl), WANT_STRING),
    abi("gox_map_get", lambda w: (w.pm, NEVER), "0x1234"),
    abi("gox_map_get", lambda w: (w.s, 0), "expected a 18 (Map) object"),
    panic("gox_map_set", lambda w: (0, 1, 2), "assignment to entry in nil map"),
    abi("gox_map_set", lambda w: (w.sm, w.s, NEVER), "0x1234"),
    abi("gox_map_set", lambda w: (w.sm, w.freed, 0), FREED),
    abi("gox_map_delete", lambda w: (w.sl, 0), "expected a 18 (Map) object"),
    abi("gox_map_delete", lambda w: (w.sm, w.freed), FREED),
    # -- function table ------------------------------------------------------------------------
    abi("gox_init_func_table", lambda w: (2**40,), "size=1099511627776"),
    abi("gox_init_func_table", lambda w: (-1,), "size=-1", "size_t"),
    abi("gox_set_func_ptr", lambda w: (2, None), "unknown function id 2", "0..1"),
    abi("gox_set_func_ptr", lambda w: (0, "code"), "neither callable nor an address"),
    abi("gox_set_func_ptr", lambda w: (2**32, None), "func_id=4294967296", "uint32_t"),
    abi("gox_func_table_get", lambda w: (5,), "unknown function id 5"),
    # -- symbols -------------------------------------------------------------------------------
    abi("gox_symbols_get", lambda w: (b"gox_nope",), "unknown symbol 'gox_nope'"),
    abi("gox_symbols_get", lambda w: ("gox_string_len",), "not bytes"),
    abi("gox_symbols_name", lambda w: (len(SYMBOLS),), f"unknown symbol index {len(SYMBOLS)}"),
    abi("gox_symbols_name", lambda w: (-1,), "idx=-1", "size_t"),
    # -- externs -------------------------------------------------------------------------------
    abi("gox_register_extern", lambda w: (0, ExternSpec("x.Y", (), (), lambda h, a: [])), "extern id 0"),
    abi("gox_extern_lookup", lambda w: (b"nope.Nope",), "unknown extern 'nope.Nope'"),
    abi("gox_extern_call", lambda w: (424242, [], 0), "unknown extern id 424242"),
    abi("gox_extern_call", lambda w: (900, [1], 0), "test.Boom takes 0 args", setup=_raising_extern),
    abi("gox_extern_call", lambda w: (901, [], 1), "returned 2 slots", setup=_bad_returns),
    Case("gox_extern_call", lambda w: (900, [], 0), GoxPanic, exact="boom", setup=_raising_extern),
    # -- stack maps ----------------------------------------------------------------------------
    abi("gox_stack_map_register", lambda w: (0x100, [0, 3]), "sp offset 3"),
    abi("gox_stack_map_register", lambda w: (0x100, [2**40]), "sp offset 1099511627776", "int32_t"),
    abi("gox_stack_map_register", lambda w: (-1, [8]), "return_addr=-1", "uintptr_t"),
    abi("gox_stack_map_register_batch", lambda w: (0, [(0, [8]), (8, [12])]), "sp offset 12"),
    abi("gox_stack_map_register_batch", lambda w: (0, [(2**33, [8])]), "code offset 8589934592", "uint32_t"),
    abi("gox_stack_map_lookup", lambda w: (2**64,), "return_addr=", "uintptr_t"),
    abi("gox_stack_map_scan", lambda w: (), f"{NEVER_ALIGNED:#x}", "sp+0", setup=_bad_stack),
    abi("gox_sim_frame_push", lambda w: (0, 12), "size=12"),
    abi("gox_sim_frame_push", lambda w: (0, 2**31), "would exceed"),
    abi("gox_sim_frame_push", lambda w: (0, -8), "size=-8", "uint32_t"),
    abi("gox_sim_frame_pop", lambda w: (), "empty"),
    abi("gox_sim_stack_write", lambda w: (0x1000, 1), "address 0x1000"),
    abi("gox_sim_stack_write", lambda w: (0x7FFF_0000_0000 - 12, 1), "not an 8-byte slot", setup=_frame),
    abi("gox_sim_stack_read", lambda w: (0x7FFF_0000_0000, 1), "takes 1 arguments"),
    abi("gox_sim_stack_read", lambda w: (0x7FFF_0000_0000 - 24,), "address", setup=_frame),
    # -- debug ---------------------------------------------------------------------------------
    abi("gox_debug_print", lambda w: (0, 27), "kind=27"),
    abi("gox_debug_print", lambda w: (0, 300), "kind=300", "uint8_t"),
    abi("gox_debug_print", lambda w: (w.sl, K.STRING), WANT_STRING),
    abi("gox_debug_print", lambda w: (w.freed, K.STRING), FREED),
    abi("gox_debug_print", lambda w: (w.s, K.MAP), "expected a 18 (Map) object"),
    abi("gox_debug_write", lambda w: (0, 99), "kind=99"),
    abi("gox_debug_write", lambda w: (NEVER, K.SLICE), NOT_ALLOC),
    abi("gox_assert_begin", lambda w: (), "already open", setup=_enter_assert),
    abi("gox_assert_arg", lambda w: (1, K.INT), "no assertion is open"),
    abi("gox_assert_arg", lambda w: (w.freed, K.STRING), FREED, setup=_enter_assert),
    abi("gox_assert_end", lambda w: (False,), "no assertion is open"),
    abi("gox_assert_end", lambda w: ("yes",), "is not a bool", setup=_enter_assert),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input(backend: str, case: Case) -> None:
    w = World(backend)
    if case.setup is not None:
        case.setup(w)
    args = tuple(case.args(w))
    fn = getattr(w.rt, case.sym)
    expect_error(w.rt, case.exc, lambda: fn(*args), *case.needles, exact=case.exact)
    # the runtime still works after the error
    s = w.rt.gox_rt_string_from_ptr(b"ok")
    assert w.rt.gox_string_read(s) == b"ok"
    assert w.rt.gox_string_read(w.s) == b"abc"


def test_every_half1_symbol_with_params_has_a_bad_input_case() -> None:
    covered = {c.sym for c in CASES}
    no_failure_mode = {
        "gox_init_gc", "gox_gc_step", "gox_gc_pause", "gox_gc_stats", "gox_globals_count",
        "gox_func_table_ptr", "gox_func_table_len", "gox_symbols_count", "gox_stack_map_clear",
    }
    want = {s.name for s in SYMBOLS if s.half == 1 and s.ref} - no_failure_mode
    assert want - covered == set()


def test_errors_keep_runtime_state(backend: str) -> None:
    """A failed call leaves non-heap state alone too: globals, func table, assertion state."""
    w = World(backend)
    rt = w.rt
    rt.gox_rt_set_global(0, 9)
    with pytest.raises(GoxABIError):
        rt.gox_init_globals(5, [True])
    assert rt.gox_globals_count() == 2 and rt.gox_rt_get_global(0) == 9
    rt.gox_set_func_ptr(0, 0x1000)
    with pytest.raises(GoxABIError):
        rt.gox_init_func_table(2**40)
    assert rt.gox_func_table_get(0) == 0x1000
    rt.gox_stack_map_register(0x10, [8])
    with pytest.raises(GoxABIError):
        rt.gox_stack_map_register(0x10, [8, 1])
    assert rt.gox_stack_map_lookup(0x10) == (8,)
    rt.gox_gc_pause()
    with pytest.raises(GoxABIError):
        rt.gox_collect_garbage()
    rt.gox_gc_resume()
    assert rt.gox_gc_stats().pause_depth == 0


def test_wrong_argument_count(backend: str) -> None:
    rt = World(backend).rt
    with pytest.raises(GoxABIError, match="gox_string_len: takes 1 arguments"):
        rt.gox_string_len()  # type: ignore[call-arg]
    with pytest.raises(GoxABIError, match="gox_slice_get: takes 2 arguments"):
        rt.gox_slice_get(1, 2, 3)  # type: ignore[call-arg]


def test_freed_by_init_gc(backend: str) -> None:
    w = World(backend)
    w.rt.gox_init_gc()
    with pytest.raises(GoxABIError, match="is a freed reference"):
        w.rt.gox_string_len(w.s)


# -- random arguments ----------------------------------------------------------------------------
_INT_ONLY = [
    s for s in SYMBOLS
    if s.half == 1 and s.ref and s.py_params
    and all(p.split(":")[1].strip() in ("int", "bool") for p in s.py[1 : s.py.rindex(")")].split(","))
    and s.name not in ("gox_init_func_table",)  # a random size may legitimately allocate 16M entries
]


def _int_arg(w: World) -> st.SearchStrategy[int]:
    refs = [w.s, w.sl, w.ssl, w.arr, w.sarr, w.m, w.sm, w.pm, w.c, w.box, w.sbox, w.bi, w.st, w.freed, NEVER, 0]
    return st.one_of(
        st.integers(-3, 40),
        st.sampled_from(refs),
        st.sampled_from([2**8, 2**16, 2**31, 2**32, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), 2**70, -(2**70)]),
        st.integers(-(2**70), 2**70),
    )


_WORLDS: dict[str, World] = {}


def shared_world(backend: str) -> World:
    """One World per backend that the examples share (and change)."""
    if backend not in _WORLDS:
        _WORLDS[backend] = World(backend)
    return _WORLDS[backend]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_int_arguments(backend: str, data: st.DataObject) -> None:
    """Random integers to every int-only symbol: a result or a GoxError (anything else fails
    the test), an error changes nothing in the heap, and undocumented calls never allocate."""
    w = World(backend) if data.draw(st.booleans()) else shared_world(backend)
    rt = w.rt
    for _ in range(6):
        sym = data.draw(st.sampled_from(_INT_ONLY))
        args = [data.draw(_int_arg(w)) for _ in sym.py_params]
        before = rt.heap_snapshot().canonical()
        allocated = rt.gox_gc_stats().allocated_objects
        try:
            getattr(rt, sym.name)(*args)
        except GoxError:
            assert rt.heap_snapshot().canonical() == before, (sym.name, args)
        if not sym.allocates:  # only calls documented as allocating may allocate
            assert rt.gox_gc_stats().allocated_objects == allocated, sym.name
        if rt.gox_gc_stats().pause_depth:
            rt.gox_gc_resume()
        with contextlib.suppress(GoxABIError):  # close an assertion a drawn call opened
            rt.gox_assert_end(True)
    # the heap is still consistent: every object's outgoing references are live
    snap = rt.heap_snapshot()
    live = {o.ref for o in snap.objects}
    for o in snap.objects:
        assert set(o.refs) <= live, o
