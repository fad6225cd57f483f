"""Range loops: ``gox_iter_begin`` / ``gox_iter_next`` / ``gox_iter_end``.

``gox_iter_begin(container, kind) -> handle`` starts a range loop over ``container`` of value
kind ``kind`` (Slice, Array, String, Map or Channel); ``gox_iter_next(handle) -> (more, key,
value)`` produces the next pair, or ``(false, 0, 0)`` once the loop is over;
``gox_iter_end(handle)`` releases the handle.

Every rule -- handles and their owners, the order inside begin, nil containers, what each kind
yields, the order of a loop over a map, what a loop sees of a container that changes, GC roots
and an iterator's lifetime -- is docs/SCHEDULER.md section 5; iter.c follows the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gox_abi.errors import GoxABIError, nil_dereference
from gox_abi.kinds import ValueKind, kind_name
from gox_abi.layout import ARRAY_ELEM_BYTES, ARRAY_LEN, SLICE_ARRAY, SLICE_LEN, SLICE_START

from .chan import Channels
from .core import RuntimeCore
from .gc import Root
from .heap import GcObject
from .objects.array import read_elem
from .objects.map import MapState
from .objects.string import decode_rune, string_bytes
from .sched import DEAD, Goroutine, Scheduler

ITER_KINDS = (ValueKind.SLICE, ValueKind.ARRAY, ValueKind.STRING, ValueKind.MAP, ValueKind.CHANNEL)


@dataclass(eq=False)
class IterState:
    """One live range loop."""

    handle: int
    kind: ValueKind
    container: int
    pos: int = 0  # next index / byte offset / visit number
    length: int = 0  # slice/array length, string byte count, map key count at begin
    data: bytes = b""  # a string's bytes
    keys: list[object] = field(default_factory=list)  # a map's keys at begin, insertion order
    offset: int = 0  # a map's drawn start offset
    done: bool = False


class IterOps(RuntimeCore):
    sched: Scheduler
    chans: Channels
    next_iter: int

    def __init__(self) -> None:
        super().__init__()
        self.next_iter = 1

    @staticmethod
    def _iter_roots(g: Goroutine) -> Iterable[Root]:
        """The containers of a goroutine's live iterators, by handle; none once it is dead
        (iter.c: ``iter_roots``)."""
        if g.status == DEAD:
            return
        for h in sorted(g.iters):
            st = g.iters[h]
            if st.container:
                yield f"goroutine {g.gid}: iterator {h} container", st.container

    # -- helpers ------------------------------------------------------------------------------
    def _iter_state(self, it: int, fn: str) -> IterState:
        # The table renames the C parameter ``iter`` to ``it``, so the generic argument check
        # (gox_abi.checks.checked) does not see it: check the uint64_t here.
        if not isinstance(it, int) or isinstance(it, bool):
            raise GoxABIError(f"{fn}: it={it!r} is not an integer (uint64_t)")
        if not -(2**63) <= it < 2**64:
            raise GoxABIError(f"{fn}: it={it} is out of range for uint64_t")
        it &= (1 << 64) - 1
        sched = self.sched
        g = sched.g()
        st = g.iters.get(it)
        if isinstance(st, IterState):
            return st
        for other in [sched.host_goroutine, *sched.goroutines.values()]:
            if other is not g and it in other.iters:
                raise GoxABIError(
                    f"{fn}: iterator {it} belongs to goroutine {other.gid}, not to goroutine {g.gid}; iterators are per goroutine"
                )
        if 0 < it < self.next_iter:
            raise GoxABIError(f"{fn}: iterator {it} has ended (gox_iter_end); expected a live handle")
        raise GoxABIError(f"{fn}: iterator {it} was never returned by gox_iter_begin")

    # -- ABI ----------------------------------------------------------------------------------
    def gox_iter_begin(self, container: int, kind: int) -> int:
        fn = "gox_iter_begin"
        if kind not in ITER_KINDS:
            raise GoxABIError(f"{fn}: kind={kind_name(kind)}, expected Slice, Array, String, Map or Channel")
        vk = ValueKind(kind)
        obj: GcObject | None = None
        if container == 0 and vk == ValueKind.ARRAY:  # range over a nil *[N]T's values: Go's panic
            raise nil_dereference()
        if container != 0:
            obj = self.heap.get_kind(container, vk, fn)
            if vk == ValueKind.SLICE:
                arr = self.heap.objects[self.heap.num_of(obj.slots[SLICE_ARRAY])]
                if arr.slots[ARRAY_ELEM_BYTES] > 8:
                    raise GoxABIError(
                        f"{fn}: {self.heap.fmt(container)} has elements of {arr.slots[ARRAY_ELEM_BYTES]} bytes; "
                        "expected single-slot elements (range over the indices instead)"
                    )
            elif vk == ValueKind.ARRAY and obj.slots[ARRAY_ELEM_BYTES] > 8:
                raise GoxABIError(
                    f"{fn}: {self.heap.fmt(container)} has elements of {obj.slots[ARRAY_ELEM_BYTES]} bytes; "
                    "expected single-slot elements (range over the indices instead)"
                )
        self.gc.safepoint((container,) if container else ())
        st = IterState(self.next_iter, vk, container)
        self.next_iter += 1
        if obj is not None:
            if vk == ValueKind.SLICE:
                st.length = obj.slots[SLICE_LEN]
            elif vk == ValueKind.ARRAY:
                st.length = obj.slots[ARRAY_LEN]
            elif vk == ValueKind.STRING:
                st.data = string_bytes(self.heap, container, fn)
                st.length = len(st.data)
            elif vk == ValueKind.MAP:
                ms = obj.state
                assert isinstance(ms, MapState)
                st.keys = list(ms.entries)
                st.length = len(st.keys)
                if st.length > 0:
                    st.offset = self.sched.rng.below(st.length)
        self.sched.g().iters[st.handle] = st
        return st.handle

    def gox_iter_next(self, it: int) -> tuple[bool, int, int]:
        fn = "gox_iter_next"
        st = self._iter_state(it, fn)
        if st.done:
            return False, 0, 0
        kind = st.kind
        if kind == ValueKind.CHANNEL:
            val, ok = self.chans.recv(st.container, fn)  # a nil channel parks forever here
            if not ok:
                st.done = True
                return False, 0, 0
            return True, val, 0
        if kind == ValueKind.MAP:
            obj = self.heap.get(st.container, fn) if st.container else None
            while st.pos < st.length:
                nk = st.keys[(st.offset + st.pos) % st.length]
                st.pos += 1
                assert obj is not None
                ms = obj.state
                assert isinstance(ms, MapState)
                hit = ms.entries.get(nk)
                if hit is not None:
                    return True, hit[0], hit[1]
            st.done = True
            return False, 0, 0
        if st.pos >= st.length:
            st.done = True
            return False, 0, 0
        i = st.pos
        if kind == ValueKind.STRING:
            r, w = decode_rune(st.data, i)
            st.pos += w
            return True, i, r
        obj = self.heap.get(st.container, fn)
        st.pos += 1
        if kind == ValueKind.SLICE:
            arr = self.heap.objects[self.heap.num_of(obj.slots[SLICE_ARRAY])]
            return True, i, read_elem(arr, obj.slots[SLICE_START] + i)
        return True, i, read_elem(obj, i)  # an array

    def gox_iter_end(self, it: int) -> None:
        st = self._iter_state(it, "gox_iter_end")
        del self.sched.g().iters[st.handle]


__all__ = ["ITER_KINDS", "IterOps", "IterState"]
