"""ABI-level differential testing (``gox-ref abi-diff``): the same random ABI call sequences,
bad arguments included, sent to the reference (``RefRuntime``) and to a C library of the
``gox_*`` ABI (``NativeRuntime``: the package's own, or any other by path).

After every call the two must agree on the return value (references compared by allocation
number), the exception (class and message), the debug output, the canonical heap snapshot and
the GC statistics.  On a mismatch the failure message is a standalone reproducer:
``replay([...])`` of the calls, which hypothesis has shrunk to a minimal sequence.

``machine(lib)`` is the hypothesis state machine for one library: rules whose symbols the
library lacks are not run (``left_out`` names them).  ``run(...)`` runs it with a budget and a
seed, for the command; tests/test_differential_heap.py runs the package library's machine.
"""

from __future__ import annotations

import hashlib
import io
import random
import shlex
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, Verbosity, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from gox_abi.abi import SYMBOLS
from gox_abi.errors import GoxError, GoxPanic
from gox_abi.externs import ExternHost, ExternSpec
from gox_abi.kinds import SlotType
from gox_abi.layout import HEAP_BASE, REF_STRIDE, canonical_num
from gox_ref import RefRuntime
from gox_ref.gcapi import slot_type
from gox_ref_native.runtime import NativeRuntime, absent_symbols

U64 = (1 << 64) - 1
STACK_TOP = 0x7FFF_0000_0000
IPS = (0x401000, 0x401010, 0x402000)


@dataclass(frozen=True)
class Ref:
    """The object of allocation number n (live or freed) on whichever runtime runs the call."""

    n: int

    def __repr__(self) -> str:
        return f"Ref({self.n})"


@dataclass(frozen=True)
class Foreign:
    """Object n of another instance of the same backend: no reference of the runtime called."""

    n: int

    def __repr__(self) -> str:
        return f"Foreign({self.n})"


FOREIGN_TEXTS = (b"f1", b"foreign")  # made in the other instances: objects 1..4


def _add(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    return [(args[0] + args[1]) & U64]


def _boom(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    raise GoxPanic(f"boom {args[0]}")


def _greet(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    return [host.gox_rt_string_from_ptr(b"hi " + host.gox_string_read(args[0]))]


def _short(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
    return []


EXTERNS = {
    1001: ExternSpec("test.Add", ("int", "int"), ("int",), _add),
    1002: ExternSpec("test.Boom", ("int",), (), _boom),
    1003: ExternSpec("test.Greet", ("string",), ("string",), _greet),
    1004: ExternSpec("test.Short", (), ("int",), _short),
}
# Specs gox_register_extern refuses (both backends alike), leaving the extern table as it was.
BAD_SPECS: tuple[Any, ...] = (
    None, 5, ExternSpec("test.Bad", 3, (), _short), ExternSpec("test.Bad", ("int",), ("what",), _short),  # type: ignore[arg-type]
    ExternSpec("test.Bad", (), (), 5), ExternSpec(b"test.Bad", (), (), _short), ExternSpec("a\0b", (), (), _short),  # type: ignore[arg-type]
)
BAD_ENTRIES: tuple[Any, ...] = ([5], [None], [(0x10,)], [(0x10, 5)], [(0, [8], 3)], [(0, [8]), "x"])


class Pair:
    """A reference and a native runtime (of library ``lib``, None: the package's) in lockstep."""

    def __init__(self, lib: Path | None = None) -> None:
        self.lib = lib
        self.ref_out, self.nat_out = io.BytesIO(), io.BytesIO()
        self.ref = RefRuntime(out=self.ref_out)
        self.nat = NativeRuntime(out=self.nat_out, lib=lib)
        self.nat_refs: dict[int, int] = {}  # allocation number -> native address
        self.log: list[tuple[str, tuple[Any, ...]]] = []
        # another instance of each backend, whose references the two runtimes must refuse
        self.other_ref, self.other_nat = RefRuntime(out=io.BytesIO()), NativeRuntime(out=io.BytesIO(), lib=lib)
        for text in FOREIGN_TEXTS:
            self.other_ref.gox_rt_string_from_ptr(text)
            self.other_nat.gox_rt_string_from_ptr(text)
        self.foreign = {"ref": [0, *self.other_ref.heap_objects()], "nat": [0, *self.other_nat.heap_objects()]}

    def close(self) -> None:
        self.nat.close()
        self.other_nat.close()

    def learn(self) -> None:
        for addr in self.nat.heap_objects():
            self.nat_refs[self.nat.ref_number(addr)] = addr

    def resolve(self, side: str, arg: Any) -> Any:
        if isinstance(arg, Ref):
            if side == "ref":
                return self.ref.heap.base + REF_STRIDE * arg.n
            return self.nat_refs[arg.n]
        if isinstance(arg, Foreign):
            return self.foreign[side][arg.n]
        if isinstance(arg, list):
            return [self.resolve(side, a) for a in arg]
        if isinstance(arg, tuple):
            return tuple(self.resolve(side, a) for a in arg)
        return arg

    def canon(self, side: str, rt: Any, val: Any) -> Any:
        """A result in common terms: a runtime's own references -> canonical addresses,
        another instance's (a value slot or a stack slot gives back what it was given) ->
        FOREIGN, as each backend's own."""
        if isinstance(val, bool) or not isinstance(val, int):
            if isinstance(val, (tuple, list)):
                return type(val)(self.canon(side, rt, v) for v in val)
            if callable(val):
                return getattr(val, "__name__", "callable")
            return val
        if val and val in self.foreign[side]:
            return "FOREIGN"
        return rt.canonical(val) if val > 0xFFFF_FFFF else val

    def unforeign(self, side: str, msg: str) -> str:
        """A message naming another instance's reference names it as FOREIGN: its value is
        each backend's own (the rest of the message must agree)."""
        for addr in self.foreign[side][1:]:
            msg = msg.replace(f"{addr:#x}", "FOREIGN")
        return msg

    def call(self, name: str, args: tuple[Any, ...]) -> None:
        self.log.append((name, args))
        outcomes = []
        for side, rt in (("ref", self.ref), ("nat", self.nat)):
            try:
                res = getattr(rt, name)(*self.resolve(side, args))
                outcomes.append(("ok", self.canon(side, rt, res)))
            except GoxError as e:
                outcomes.append((type(e).__name__, self.unforeign(side, str(e))))
        self.learn()
        self.check(outcomes[0] == outcomes[1],
                   f"{name} returned differently:\n  ref:    {outcomes[0]!r}\n  native: {outcomes[1]!r}")
        self.check(self.ref_out.getvalue() == self.nat_out.getvalue(),
                   f"output differs:\n  ref:    {self.ref_out.getvalue()!r}\n  native: {self.nat_out.getvalue()!r}")

    def check_state(self) -> None:
        rs, ns = self.ref.gox_gc_stats(), self.nat.gox_gc_stats()
        self.check(rs == ns, f"GC stats differ:\n  ref:    {rs}\n  native: {ns}")
        a, b = self.snapshot("ref", self.ref), self.snapshot("nat", self.nat)
        self.check(a == b, f"heap snapshots differ:\n  ref:    {a!r}\n  native: {b!r}")

    def snapshot(self, side: str, rt: Any) -> tuple[object, ...]:
        """The canonical snapshot, a root holding another instance's reference (a stack slot
        may) shown as FOREIGN: its value is each backend's own."""
        snap = rt.heap_snapshot()
        state, objects, _ = snap.canonical()
        return state, objects, tuple((w, "FOREIGN" if r in self.foreign[side] else canonical_num(r)) for w, r in snap.roots)

    def check(self, ok: bool, what: str) -> None:
        if not ok:
            raise AssertionError(f"{what}\n\nReproducer:\n{reproducer(self.log, self.lib)}")


def reproducer(log: list[tuple[str, tuple[Any, ...]]], lib: Path | None = None) -> str:
    """Python that replays ``log`` against the library ``lib`` (None: the package's)."""
    def fmt(name: str, args: tuple[Any, ...]) -> str:
        if name == "gox_register_extern":
            spec = f"EXTERNS[{args[0]}]" if args[1] is EXTERNS.get(args[0]) else f"BAD_SPECS[{BAD_SPECS.index(args[1])}]"
            return f"    ({name!r}, ({args[0]}, {spec}))"
        return f"    ({name!r}, {args!r})"

    calls = ",\n".join(fmt(name, args) for name, args in log)
    imports = "from gox_program.abidiff import BAD_SPECS, EXTERNS, Foreign, Ref, replay\n"
    if lib is None:
        return f"{imports}replay([\n{calls},\n])\n"
    return f"from pathlib import Path\n\n{imports}replay([\n{calls},\n], lib=Path({str(lib)!r}))\n"


def replay(calls: list[tuple[str, tuple[Any, ...]]], lib: Path | None = None) -> None:
    """Run calls on both runtimes, checking after each as the state machine does."""
    pair = Pair(lib)
    try:
        for name, args in calls:
            pair.call(name, args)
            pair.check_state()
    finally:
        pair.close()


# -- argument strategies ---------------------------------------------------------------------
def f64(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


SPECIAL = [0, 1, 2, 7, 255, 256, 0x7F, 0x80, 0xFFFF, 0x1_0000_0000, U64, 1 << 63, f64(1.5), f64(-0.0), f64(float("nan")),
           f64(float("inf")), f64(1e300), f64(-2.5e-7), 0x7FC00000, 0x80000000, 0x3FC00000, 0x2A, HEAP_BASE + 8]
# ... and canonical addresses, which are no runtime's references (both refuse them alike)
BOGUS = [0x2A, 3, HEAP_BASE + 8, 1 << 40 | 8, HEAP_BASE + REF_STRIDE, HEAP_BASE + 2 * REF_STRIDE]
small_int = st.integers(-3, 12)
REF_KIND_NUMS = frozenset({15, 16, 17, 18, 19, 20, 21, 22, 24, 25, 26})
kind = st.one_of(st.integers(0, 27), st.sampled_from([15, 16, 17, 18, 21, 22, 24, 25, 26, 255]))


# The ABI symbols each named rule calls (``generic`` calls the one it draws from OPS): a rule
# runs only when the library exports all of its symbols.
RULE_SYMBOLS: dict[str, frozenset[str]] = {
    "map_with_keys": frozenset({"gox_rt_map_new", "gox_gc_pin", "gox_map_set", "gox_map_get", "gox_map_delete"}),
    "register_type": frozenset({"gox_type_register"}),
    "strings": frozenset({"gox_rt_string_from_ptr"}),
    "globals_init": frozenset({"gox_init_globals"}),
    "tune": frozenset({"gox_gc_tune"}),
    "init_gc": frozenset({"gox_init_gc", "gox_gc_tune"}),
    "stack": frozenset({"gox_sim_frame_push", "gox_sim_stack_write", "gox_sim_stack_read", "gox_stack_map_register",
                        "gox_stack_map_register_batch", "gox_stack_map_lookup"}),
    "externs": frozenset({"gox_register_extern", "gox_extern_lookup", "gox_extern_call"}),
    "symbols": frozenset({"gox_symbols_get"}),
    "func_ptr": frozenset({"gox_set_func_ptr"}),
}
# What every example needs: NativeRuntime's own plumbing (instances, errors, output, the heap
# walk behind ref_number and the snapshot), the state compared after each call, the first call
# and the other instances' strings.  A library without one is refused.
CORE = frozenset({
    "gox_runtime_new", "gox_runtime_use", "gox_runtime_free", "gox_output_capture", "gox_set_checked",
    "gox_error_flag", "gox_error_message_len", "gox_error_take", "gox_output_len", "gox_output_take",
    "gox_ref_number", "gox_heap_walk", "gox_heap_object_info", "gox_heap_object_slots", "gox_gc_stats",
    "gox_gc_tune", "gox_rt_string_from_ptr",
})


Rule = TypeVar("Rule", bound=Callable[..., None])


def _runs(rule_name: str) -> Callable[[Rule], Rule]:
    """A precondition: the library exports every symbol the rule calls."""
    return precondition(lambda self: not RULE_SYMBOLS[rule_name] & self.ABSENT)


class DifferentialHeap(RuleBasedStateMachine):
    """The machine on the package's library; ``machine(lib)`` makes one for another library."""

    LIB: ClassVar[Path | None] = None
    ABSENT: ClassVar[frozenset[str]] = frozenset()  # the ABI symbols the library lacks
    examples: ClassVar[int] = 0  # examples begun and calls made, for run()'s summary
    calls: ClassVar[int] = 0
    last_log: ClassVar[list[tuple[str, tuple[Any, ...]]]] = []  # the latest example's calls

    def __init__(self) -> None:
        super().__init__()
        type(self).examples += 1
        self.pair = Pair(self.LIB)
        type(self).last_log = self.pair.log
        self.ntypes = 0
        self.pair.call("gox_gc_tune", (100, 200, 64, 256))

    def teardown(self) -> None:
        type(self).calls += len(self.pair.log)
        self.pair.close()

    # -- drawing arguments -------------------------------------------------------------------
    def ref(self, data: st.DataObject) -> Any:
        nums = sorted(self.pair.nat_refs)
        choice = data.draw(st.integers(0, 9))
        if nums and choice < 7:
            return Ref(data.draw(st.sampled_from(nums)))
        if choice < 9:
            return 0
        if data.draw(st.booleans()):
            return Foreign(data.draw(st.integers(1, 2 * len(FOREIGN_TEXTS))))
        return data.draw(st.sampled_from(BOGUS))

    def value(self, data: st.DataObject) -> Any:
        if data.draw(st.booleans()):
            return self.ref(data)
        return data.draw(st.one_of(st.sampled_from(SPECIAL), st.integers(-5, 300)))

    def type_id(self, data: st.DataObject) -> int:
        return data.draw(st.one_of(st.integers(0, self.ntypes), st.just(0xFFFF)))

    def draw(self, data: st.DataObject, spec: str) -> Any:
        if spec == "R":
            return self.ref(data)
        if spec == "V":
            return self.value(data)
        if spec == "K":
            return data.draw(kind)
        if spec == "T":
            return self.type_id(data)
        if spec == "I":
            return data.draw(small_int)
        if spec == "U":  # a non-negative index
            return data.draw(st.integers(0, 10))
        if spec == "B":
            return data.draw(st.booleans())
        if spec == "S":  # a raw 64-bit slot
            return data.draw(st.sampled_from(SPECIAL))
        if spec == "L":  # a few values
            return [self.value(data) for _ in range(data.draw(st.integers(0, 4)))]
        raise AssertionError(spec)

    # -- rules -------------------------------------------------------------------------------
    OPS: ClassVar[dict[str, str]] = {
        "gox_rt_alloc": "KTs", "gox_gc_read_slot": "RU", "gox_gc_write_slot": "RUV", "gox_rt_write_barrier": "RR",
        "gox_rt_mark_gray": "R", "gox_collect_garbage": "", "gox_gc_step": "", "gox_gc_pause": "",
        "gox_gc_resume": "", "gox_gc_pin": "R", "gox_gc_unpin": "R", "gox_type_slot_count": "T",
        "gox_rt_get_global": "U", "gox_rt_set_global": "UV", "gox_globals_count": "", "gox_global_is_ref": "U",
        "gox_string_read": "R", "gox_string_len": "R", "gox_string_index": "RI", "gox_rt_string_concat": "RR",
        "gox_rt_string_slice": "RII", "gox_string_eq": "RR", "gox_string_ne": "RR", "gox_string_lt": "RR",
        "gox_string_le": "RR", "gox_string_gt": "RR", "gox_string_ge": "RR", "gox_string_cmp": "RR",
        "gox_string_decode_rune": "RI", "gox_rt_array_create": "KTn", "gox_array_len": "R", "gox_array_get": "RI",
        "gox_array_set": "RIV", "gox_rt_array_slice": "RII", "gox_rt_slice_create": "KTnn", "gox_slice_len": "R",
        "gox_slice_cap": "R", "gox_slice_get": "RI", "gox_slice_set": "RIV", "gox_rt_slice_append": "KTRV",
        "gox_rt_slice_slice": "RII", "gox_rt_slice_slice3": "RIII", "gox_slice_copy": "RR",
        "gox_rt_slice_append_n": "KTRL", "gox_rt_slice_append_slice": "KTRR", "gox_rt_slice_append_string": "RR",
        "gox_slice_copy_string": "RR", "gox_rt_string_to_bytes": "R", "gox_rt_bytes_to_string": "R",
        "gox_rt_string_to_runes": "R", "gox_rt_runes_to_string": "R", "gox_rt_string_from_rune": "S",
        "gox_rt_closure_create": "UTU", "gox_closure_func_id": "R", "gox_closure_upval_count": "R",
        "gox_closure_get_upvalue": "RU", "gox_closure_set_upvalue": "RUV", "gox_rt_upval_box_create": "KV",
        "gox_upval_box_get": "R", "gox_upval_box_set": "RV", "gox_interface_pack": "TTK",
        "gox_interface_unbox_type": "S", "gox_interface_unbox_kind": "S", "gox_interface_iface_type": "S",
        "gox_interface_unbox_data": "SS", "gox_interface_is_nil": "S", "gox_rt_box": "KS", "gox_box_get": "R",
        "gox_rt_map_new": "KK", "gox_map_len": "R", "gox_map_get": "RV", "gox_map_set": "RVV", "gox_map_delete": "RV",
        "gox_init_func_table": "U", "gox_func_table_len": "", "gox_func_table_get": "U", "gox_symbols_count": "",
        "gox_symbols_name": "I", "gox_stack_map_clear": "", "gox_stack_map_scan": "", "gox_sim_frame_pop": "",
        "gox_debug_print": "VK", "gox_debug_write": "VK", "gox_assert_begin": "", "gox_assert_arg": "VK",
        "gox_assert_end": "B",
    }

    @precondition(lambda self: any(name not in self.ABSENT for name in self.OPS))
    @rule(data=st.data())
    def generic(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(sorted(n for n in self.OPS if n not in self.ABSENT)))
        args: list[Any] = []
        for spec in self.OPS[name]:
            if spec == "s":
                args.append(data.draw(st.integers(0, 4)))
            elif spec == "n":
                args.append(data.draw(st.integers(-1, 20)))
            else:
                args.append(self.draw(data, spec))
        self.pair.call(name, self.scalarize(data, name, args))

    def scalarize(self, data: st.DataObject, name: str, args: list[Any]) -> tuple[Any, ...]:
        """Where a scalar of a non-reference kind is expected, pass a scalar, not a reference.

        An address used as a number (printed, truncated to an int8 element, a map key's
        normalization) differs by design between backends (a real address vs the reference's
        canonical one); references stay everywhere else, bad ones included."""
        def kind_of(ref: Any, slot: int, via_slice: bool = False) -> int | None:
            obj = self.pair.ref.heap.objects.get(ref.n) if isinstance(ref, Ref) else None
            if obj is None:
                return None
            if via_slice:
                if obj.kind != 17:
                    return None
                obj = self.pair.ref.heap.lookup(obj.slots[0])
                if obj is None:
                    return None
            if slot < 0:
                return obj.type_id
            return obj.slots[slot] if slot < len(obj.slots) else None

        positions: list[tuple[int, int | None]] = []  # (arg index, its kind)
        if name in ("gox_debug_print", "gox_debug_write", "gox_assert_arg"):
            positions.append((0, args[1]))
        elif name == "gox_array_set":
            positions.append((2, kind_of(args[0], 0)))
        elif name == "gox_slice_set":
            positions.append((2, kind_of(args[0], 0, via_slice=True)))
        elif name == "gox_rt_slice_append":
            positions.append((3, args[0]))
        elif name == "gox_rt_slice_append_n" and args[0] not in REF_KIND_NUMS:
            args[3] = [data.draw(st.sampled_from(SPECIAL)) if isinstance(v, (Ref, Foreign)) else v for v in args[3]]
        elif name == "gox_rt_upval_box_create":
            positions.append((1, args[0]))
        elif name == "gox_upval_box_set":
            positions.append((1, kind_of(args[0], -1)))
        elif name == "gox_gc_write_slot":  # a raw write into a value slot (a packed int32 element...)
            obj = self.pair.ref.heap.objects.get(args[0].n) if isinstance(args[0], Ref) else None
            in_range = obj is not None and isinstance(args[1], int) and 0 <= args[1] < len(obj.slots)
            if in_range and slot_type(self.pair.ref.heap, obj, args[1]) == SlotType.VALUE:  # type: ignore[arg-type]
                positions.append((2, 2))  # Int: any non-reference kind
        elif name in ("gox_map_set", "gox_map_get", "gox_map_delete"):
            positions.append((1, kind_of(args[0], 1)))
            if name == "gox_map_set":
                positions.append((2, kind_of(args[0], 2)))
        for i, k in positions:
            if isinstance(args[i], (Ref, Foreign)) and k is not None and k not in REF_KIND_NUMS:
                args[i] = data.draw(st.sampled_from(SPECIAL))
        return tuple(args)

    @_runs("map_with_keys")
    @rule(data=st.data())
    def map_with_keys(self, data: st.DataObject) -> None:
        """Maps of every key flavour, with colliding float and string keys."""
        kk = data.draw(st.sampled_from([2, 3, 12, 13, 15, 22, 1]))
        self.pair.call("gox_rt_map_new", (kk, data.draw(st.sampled_from([2, 15, 13, 24]))))
        n = max(self.pair.nat_refs)
        self.pair.call("gox_gc_pin", (Ref(n),))
        for _ in range(data.draw(st.integers(1, 6))):
            op = data.draw(st.sampled_from(["gox_map_set", "gox_map_get", "gox_map_delete"]))
            keys = st.sampled_from([f64(0.0), f64(-0.0), f64(float("nan")), 0x80000000, 0, 1, U64, 0x7FC00000])
            key = data.draw(keys) if data.draw(st.booleans()) else self.value(data)
            args = [Ref(n), key, self.value(data)] if op == "gox_map_set" else [Ref(n), key]
            self.pair.call(op, self.scalarize(data, op, args))

    @_runs("register_type")
    @rule(data=st.data())
    def register_type(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from([b"T", b"Node", b"\xff\xfeodd", b"pair"]))
        slot_types = bytes(data.draw(st.lists(st.sampled_from([0, 1, 1, 2, 3, 4]), max_size=5)))
        self.pair.call("gox_type_register", (name, slot_types))
        self.ntypes = len(self.pair.ref.heap.types)

    @_runs("strings")
    @rule(data=st.data())
    def strings(self, data: st.DataObject) -> None:
        texts = [b"", b"a", b"hello", b"h\xc3\xa9llo", b"\xff\xe2\x82", b"x" * 20, b"\xf0\x9f\x98\x80!"]
        text = data.draw(st.sampled_from(texts))
        self.pair.call("gox_rt_string_from_ptr", (text,))

    @_runs("globals_init")
    @rule(data=st.data())
    def globals_init(self, data: st.DataObject) -> None:
        flags = data.draw(st.lists(st.booleans(), max_size=4))
        size = len(flags) if data.draw(st.integers(0, 5)) else len(flags) + 1
        self.pair.call("gox_init_globals", (size, flags))

    @_runs("tune")
    @rule(data=st.data())
    def tune(self, data: st.DataObject) -> None:
        args = (data.draw(st.sampled_from([0, 50, 100, 200])), data.draw(st.sampled_from([0, 100, 300])),
                data.draw(st.sampled_from([0, 7, 8, 64, 200])), data.draw(st.sampled_from([0, 64, 300, 1000])))
        self.pair.call("gox_gc_tune", args)

    @_runs("init_gc")
    @rule()
    def init_gc(self) -> None:
        self.pair.call("gox_init_gc", ())
        self.pair.call("gox_gc_tune", (100, 200, 64, 256))

    @_runs("stack")
    @rule(data=st.data())
    def stack(self, data: st.DataObject) -> None:
        op = data.draw(st.sampled_from(["push", "write", "read", "map", "batch", "lookup"]))
        if op == "push":
            size = data.draw(st.sampled_from([0, 8, 16, 32, 12]))
            self.pair.call("gox_sim_frame_push", (data.draw(st.sampled_from(IPS)), size))
        elif op in ("write", "read"):
            addr = STACK_TOP - 8 * data.draw(st.integers(0, 6)) if data.draw(st.integers(0, 5)) else STACK_TOP + 4
            self.pair.call(f"gox_sim_stack_{op}", (addr, self.value(data)) if op == "write" else (addr,))
        elif op == "map":
            offs = data.draw(st.lists(st.sampled_from([0, 8, 16, 24, 4, -8]), max_size=3))
            self.pair.call("gox_stack_map_register", (data.draw(st.sampled_from(IPS)), offs))
        elif op == "batch":
            offs = data.draw(st.lists(st.sampled_from([0, 8, 16]), max_size=2))
            entries = [(data.draw(st.sampled_from([0, 0x10, 0x1000])), offs)]
            if data.draw(st.integers(0, 3)) == 0:  # entries that are no (code offset, offsets) pairs
                entries = data.draw(st.sampled_from(BAD_ENTRIES))
            self.pair.call("gox_stack_map_register_batch", (0x401000, entries))
        else:
            self.pair.call("gox_stack_map_lookup", (data.draw(st.sampled_from(IPS)),))

    @_runs("externs")
    @rule(data=st.data())
    def externs(self, data: st.DataObject) -> None:
        eid = data.draw(st.sampled_from(sorted(EXTERNS)))
        if data.draw(st.booleans()):
            bad = data.draw(st.integers(0, 3)) == 0
            self.pair.call("gox_register_extern", (eid, data.draw(st.sampled_from(BAD_SPECS)) if bad else EXTERNS[eid]))
            return
        spec = EXTERNS[eid]
        op = data.draw(st.sampled_from(["call", "lookup"]))
        if op == "lookup":
            self.pair.call("gox_extern_lookup", (spec.name.encode() if data.draw(st.booleans()) else b"no.Such",))
        else:
            args = [self.ref(data) if p == "string" else data.draw(st.sampled_from(SPECIAL)) for p in spec.params]
            self.pair.call("gox_extern_call", (eid, args, len(spec.results)))

    @_runs("symbols")
    @rule(data=st.data())
    def symbols(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from([b"gox_rt_alloc", b"gox_string_len", b"nope", b"gox_debug_print"]))
        self.pair.call("gox_symbols_get", (name,))

    @_runs("func_ptr")
    @rule(data=st.data())
    def func_ptr(self, data: st.DataObject) -> None:
        entry = data.draw(st.sampled_from([None, 0x1234, 0x401000]))
        self.pair.call("gox_set_func_ptr", (data.draw(st.integers(0, 4)), entry))

    @invariant()
    def same_state(self) -> None:
        self.pair.check_state()




class LibraryError(Exception):
    """The library cannot be tested: no such file, not loadable, or no gox_* runtime."""


def machine(lib: Path | None = None) -> type[DifferentialHeap]:
    """The state machine against library ``lib`` (None: the package's), without the rules that
    need a symbol it lacks.  LibraryError when it cannot be tested at all."""
    if lib is not None and not lib.is_file():
        raise LibraryError(f"{lib}: no such file" if not lib.exists() else f"{lib}: not a file")
    try:
        absent = frozenset(absent_symbols(lib))
    except OSError as e:  # dlopen's own words: not ELF, wrong architecture, a missing dependency
        raise LibraryError(f"{lib}: not a loadable shared library ({e})") from None
    if len(absent) == len(SYMBOLS):
        raise LibraryError(f"{lib}: not a gox_* runtime library: it exports no symbol of the ABI table")
    if CORE & absent:
        raise LibraryError(f"{lib}: not a gox_* runtime library: it lacks {', '.join(sorted(CORE & absent))}")
    return type("DifferentialHeap", (DifferentialHeap,), {"LIB": lib, "ABSENT": absent})


def left_out(cls: type[DifferentialHeap]) -> list[str]:
    """What the machine does not exercise, each with the symbols it lacks."""
    out = [f"rule {name} (lacks {', '.join(sorted(syms & cls.ABSENT))})"
           for name, syms in sorted(RULE_SYMBOLS.items()) if syms & cls.ABSENT]
    calls = sorted(set(DifferentialHeap.OPS) & cls.ABSENT)
    if calls:
        out.append(f"generic calls of {', '.join(calls)}")
    return out


def budget(examples: int, steps: int) -> settings:
    """Hypothesis settings: ``examples`` call sequences of up to ``steps`` rules each."""
    return settings(max_examples=examples, stateful_step_count=steps, deadline=None,
                    suppress_health_check=list(HealthCheck))


@dataclass(frozen=True)
class Outcome:
    failure: str | None  # None: agreement; else what differed and the reproducer
    examples: int  # examples begun (with a failure: shrinking's too)
    calls: int  # ABI calls made in the examples that ended


def run(cls: type[DifferentialHeap], examples: int, steps: int, seed: int) -> Outcome:
    """Run the machine: quiet (the outcome says it all), reproducible by ``seed``, no example
    database (a run leaves no .hypothesis directory behind), one failure, shrunk."""
    cls = type(cls.__name__, (cls,), {"examples": 0, "calls": 0})
    hypothesis_seed(seed)(cls)
    quiet = settings(budget(examples, steps), database=None, verbosity=Verbosity.quiet,
                     report_multiple_bugs=False, print_blob=False)
    try:
        run_state_machine_as_test(cls, settings=quiet)  # type: ignore[no-untyped-call, unused-ignore]  # (typed in newer hypothesis)
    except AssertionError as e:  # a divergence: Pair.check's message ends with the reproducer
        return Outcome(str(e), cls.examples, cls.calls)
    except Exception as e:  # anything else a call raised (hypothesis ends with the shrunk example)
        what = f"{type(e).__name__}: {e}\n\nReproducer:\n{reproducer(cls.last_log, cls.LIB)}"
        return Outcome(what, cls.examples, cls.calls)
    return Outcome(None, cls.examples, cls.calls)


def command(lib: Path, examples: int, steps: int, seed: int | None) -> int:
    """``gox-ref abi-diff``: the library, what is left out, then the agreement (0) or the
    divergence with its reproducer (1).  LibraryError when the library cannot be tested."""
    cls = machine(lib)
    if seed is None:
        seed = random.randrange(1 << 32)
    print(f"library {lib} (sha256 {hashlib.sha256(lib.read_bytes()).hexdigest()})")
    for what in left_out(cls):
        print(f"left out: {what}")
    outcome = run(cls, examples, steps, seed)
    if outcome.failure is None:
        print(f"agree: {outcome.examples} examples, {outcome.calls:,} ABI calls (up to {steps} rules each), seed {seed}")
        return 0
    print(f"DIVERGENCE (seed {seed}, shrunk by hypothesis): {outcome.failure}")
    print(f"again: gox-ref abi-diff --lib {shlex.quote(str(lib))} --examples {examples} --steps {steps} --seed {seed}")
    return 1
