"""Stack maps, and the simulated native stack they describe.

A stack map says, for one safepoint (keyed by the return address of a call), which stack
slots of the frame hold references: a list of byte offsets from the frame's stack pointer.
The collector scans every frame whose return address has a map, innermost frame first,
offsets in registered order.

The reference has no machine stack, so it simulates one: frames pushed and popped by the
host, each with the return address (``ip``) it is suspended at and ``size`` bytes of slots,
growing down from ``STACK_TOP``.  The C backend scans real frames the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gox_abi.checks import check_batch, check_offsets
from gox_abi.errors import GoxABIError

from .core import RuntimeCore
from .gc import Root

if TYPE_CHECKING:  # (sched.py builds on this module: a goroutine has a simulated stack)
    from .sched import Scheduler

STACK_TOP = 0x7FFF_0000_0000
MAX_STACK_BYTES = 8 * 1024 * 1024


@dataclass(eq=False)
class SimStack:
    """One simulated native stack: the host's, or a goroutine's."""

    frames: list[tuple[int, int, int]] = field(default_factory=list)  # (ip, sp, size), outermost first
    mem: dict[int, int] = field(default_factory=dict)


def stack_roots(stack: SimStack, maps: dict[int, tuple[int, ...]], owner: str) -> Iterable[Root]:
    """The mapped slots of a stack, innermost frame first, offsets in registered order."""
    for ip, sp, _ in reversed(stack.frames):
        for off in maps.get(ip, ()):
            yield f"{owner}stack slot sp{off:+d} of the frame at ip {ip:#x}", stack.mem.get(sp + off, 0)


class StackMapOps(RuntimeCore):
    sched: Scheduler
    stack_maps: dict[int, tuple[int, ...]]
    host_stack: SimStack

    def __init__(self) -> None:
        super().__init__()
        self.stack_maps = {}
        self.host_stack = SimStack()

    def _stack_roots(self) -> Iterable[Root]:
        """Root 3 of docs/GC.md: the host's stack (a goroutine's is among its roots)."""
        return stack_roots(self.host_stack, self.stack_maps, "")

    def _sim_current(self) -> SimStack:
        """The simulated stack of whoever runs: the running goroutine's, else the host's
        (sched.c: ``sim_current``)."""
        cur = self.sched.current
        return cur.stack if cur is not None else self.host_stack

    # -- stack maps ---------------------------------------------------------------------------
    def gox_stack_map_register(self, return_addr: int, sp_offsets: Sequence[int]) -> None:
        offs = check_offsets(sp_offsets, "gox_stack_map_register")
        if offs:  # an empty map is not registered: a frame without references has no map
            self.stack_maps[return_addr] = offs

    def gox_stack_map_register_batch(self, base_addr: int, entries: Sequence[tuple[int, Sequence[int]]]) -> None:
        for code_off, offs in check_batch(entries, "gox_stack_map_register_batch"):
            if offs:
                self.stack_maps[base_addr + code_off] = offs

    def gox_stack_map_lookup(self, return_addr: int) -> tuple[int, ...] | None:
        return self.stack_maps.get(return_addr)

    def gox_stack_map_clear(self) -> None:
        self.stack_maps.clear()

    def gox_stack_map_scan(self) -> int:
        """Mark the referents of every mapped stack slot gray (while marking); count them."""
        roots = [(w, v) for w, v in stack_roots(self._sim_current(), self.stack_maps, "") if v]
        for where, val in roots:
            self.heap.check_ref_value(val, "gox_stack_map_scan", where)
        if self.gc.state == 1:  # PROPAGATE
            for _, val in roots:
                self.gc.mark_gray(self.heap.objects[self.heap.num_of(val)])
        return len(roots)

    # -- the simulated native stack -----------------------------------------------------------
    def gox_sim_frame_push(self, ip: int, size: int) -> int:
        fn = "gox_sim_frame_push"
        if size < 0 or size % 8:
            raise GoxABIError(f"{fn}: size={size}, expected a non-negative multiple of 8")
        stack = self._sim_current()
        sp = (stack.frames[-1][1] if stack.frames else STACK_TOP) - size
        if STACK_TOP - sp > MAX_STACK_BYTES:
            raise GoxABIError(f"{fn}: the simulated stack would exceed {MAX_STACK_BYTES} bytes")
        stack.frames.append((ip, sp, size))
        return sp

    def gox_sim_frame_pop(self) -> None:
        stack = self._sim_current()
        if not stack.frames:
            raise GoxABIError("gox_sim_frame_pop: the simulated stack is empty")
        _, sp, size = stack.frames.pop()
        for addr in range(sp, sp + size, 8):
            stack.mem.pop(addr, None)

    def _stack_addr(self, addr: int, fn: str) -> int:
        frames = self._sim_current().frames
        low = frames[-1][1] if frames else STACK_TOP
        if not low <= addr < STACK_TOP or addr % 8:
            raise GoxABIError(
                f"{fn}: address {addr:#x} is not an 8-byte slot of the simulated stack "
                f"({low:#x}..{STACK_TOP:#x})"
            )
        return addr

    def gox_sim_stack_write(self, addr: int, val: int) -> None:
        self._sim_current().mem[self._stack_addr(addr, "gox_sim_stack_write")] = val

    def gox_sim_stack_read(self, addr: int) -> int:
        return self._sim_current().mem.get(self._stack_addr(addr, "gox_sim_stack_read"), 0)
