"""Differential testing of the package's C library against the reference: the shipped state
machine of gox_program/abidiff.py (what ``gox-ref abi-diff`` runs against any library).

The same random ABI call sequences, bad arguments included, go to ``RefRuntime`` and
``NativeRuntime``; after every call they must agree on the result, the exception, the debug
output, the canonical heap snapshot and the GC statistics.  On a mismatch the failure message
is a standalone reproducer, ``replay([...])`` of the calls shrunk by hypothesis.

``GOX_DIFF_EXAMPLES`` (default 200) and ``GOX_DIFF_STEPS`` (default 50) set the budget; CI keeps
the defaults, a long run sets e.g. ``GOX_DIFF_EXAMPLES=2000``.
"""

from __future__ import annotations

import os

from gox_program.abidiff import STACK_TOP, DifferentialHeap, Foreign, Ref, budget, replay

DifferentialHeap.TestCase.settings = budget(int(os.environ.get("GOX_DIFF_EXAMPLES", "200")),
                                            int(os.environ.get("GOX_DIFF_STEPS", "50")))
TestDifferentialHeap = DifferentialHeap.TestCase


def test_a_foreign_reference_in_a_stack_slot_is_each_backends_own() -> None:
    """A stack slot may hold another instance's reference (only a collection refuses it): the
    root it makes and the value read back are each backend's own, so they compare as FOREIGN
    (the machine found both; before, the snapshots and the results differed)."""
    replay([
        ("gox_stack_map_register", (0x401000, [0])),
        ("gox_sim_frame_push", (0x401000, 8)),
        ("gox_sim_stack_write", (STACK_TOP - 8, Foreign(1))),
        ("gox_sim_stack_read", (STACK_TOP - 8,)),
    ])


def test_replay_reproducer_runs() -> None:
    """The reproducer format replays: a short sequence touching GC, strings and errors."""
    replay([
        ("gox_gc_tune", (100, 200, 8, 64)),
        ("gox_rt_string_from_ptr", (b"abc",)),
        ("gox_gc_pin", (Ref(2),)),
        ("gox_rt_slice_create", (2, 0xFFFF, 3, 3)),
        ("gox_collect_garbage", ()),
        ("gox_slice_len", (Ref(4),)),
        ("gox_debug_print", (Ref(2), 15)),
    ])

