"""Interfaces (packing the first slot) and boxed values."""

from __future__ import annotations

import math

from conftest import U64, K, Runtime, f64, from_f64, gstr, new_runtime
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_ref import SlotType


def test_interface_pack_unpack(rt: Runtime) -> None:
    slot0 = rt.gox_interface_pack(0x1234, 0xBEEF, K.STRING)
    assert slot0 == 0x1234_BEEF_000F
    assert rt.gox_interface_unbox_kind(slot0) == K.STRING
    assert rt.gox_interface_unbox_type(slot0) == 0xBEEF
    assert rt.gox_interface_iface_type(slot0) == 0x1234
    assert not rt.gox_interface_is_nil(slot0)
    s = gstr(rt, "dyn")
    assert rt.gox_interface_unbox_data(slot0, s) == s


def test_nil_interface(rt: Runtime) -> None:
    nil0 = rt.gox_interface_pack(5, 0, K.NIL)
    assert rt.gox_interface_is_nil(nil0)
    assert rt.gox_interface_is_nil(0)
    assert rt.gox_interface_iface_type(nil0) == 5  # keeps its own type id
    assert rt.gox_interface_unbox_kind(nil0) == 0
    assert rt.gox_interface_unbox_data(nil0, 0xDEAD) == 0


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.sampled_from([k for k in K if k != K.INTERFACE]))
def test_interface_pack_roundtrip(backend: str, itype: int, vtype: int, kind: int) -> None:
    rt = new_runtime(backend)
    slot0 = rt.gox_interface_pack(itype, vtype, kind)
    assert rt.gox_interface_iface_type(slot0) == itype
    assert rt.gox_interface_unbox_type(slot0) == vtype
    assert rt.gox_interface_unbox_kind(slot0) == kind
    assert rt.gox_interface_is_nil(slot0) == (kind == K.NIL)


def test_boxed_values(rt: Runtime) -> None:
    bi = rt.gox_rt_box(K.BOXED_INT, (-7) & U64)
    bf = rt.gox_rt_box(K.BOXED_FLOAT, f64(math.pi))
    bb = rt.gox_rt_box(K.BOXED_BOOL, 5)
    bz = rt.gox_rt_box(K.BOXED_BOOL, 0)
    assert rt.gox_box_get(bi) == (-7) & U64
    assert from_f64(rt.gox_box_get(bf)) == math.pi
    assert rt.gox_box_get(bb) == 1 and rt.gox_box_get(bz) == 0
    assert rt.object_kind(bf) == K.BOXED_FLOAT


def test_interface_holding_box_in_struct(rt: Runtime) -> None:
    t = rt.gox_type_register(b"struct{any}", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1]))
    obj = rt.gox_rt_alloc(K.STRUCT, t, 2)
    rt.gox_gc_pin(obj)
    box = rt.gox_rt_box(K.BOXED_INT, 99)
    rt.gox_gc_write_slot(obj, 1, box)
    rt.gox_gc_write_slot(obj, 0, rt.gox_interface_pack(1, 0, K.BOXED_INT))
    rt.gox_rt_write_barrier(obj, box)
    rt.gox_collect_garbage()
    slot0, slot1 = rt.gox_gc_read_slot(obj, 0), rt.gox_gc_read_slot(obj, 1)
    assert rt.gox_box_get(rt.gox_interface_unbox_data(slot0, slot1)) == 99
