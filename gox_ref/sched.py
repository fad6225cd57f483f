"""Goroutines on greenlets, and the deterministic scheduler that runs them.

One greenlet per goroutine; the scheduler loop (the *hub*) runs in the greenlet that called
``run_main``.  Exactly one goroutine runs at a time, and it gives the processor back only
when it blocks, yields or ends.  A goroutine that blocks or yields hands the processor to the
front of the run queue itself, switching straight to its greenlet (one switch, not two through
the hub), when that goroutine has run before.  The hub runs the front when a goroutine ends (a
greenlet returns to its parent, the hub), starts every goroutine (so each greenlet begins on the
hub's shallow stack, not on top of the goroutine that happened to block), and reports
deadlocks.  Either way the choice is the same: the front of the queue.  The run queue is first
in, first out (docs/SCHEDULER.md):

* ``go f(x)`` appends the new goroutine to the back of the queue; the spawner keeps running;
* ``gox_yield`` appends the running goroutine to the back and runs the front;
* a goroutine woken by another (a channel hand-off, a close) is appended to the back;
* a blocked goroutine is in no queue until something wakes it;
* when the running goroutine blocks or ends, the front of the queue runs next.

The program ends when the main goroutine (id 1) returns: the others are abandoned, as in Go.
If the queue is empty while main has not returned, every goroutine is asleep: the program ends
with ``fatal error: all goroutines are asleep - deadlock!`` and exit status 2.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import resource
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import greenlet

from gox_abi import oom
from gox_abi.errors import GoxABIError, GoxFatal, GoxPanic
from gox_abi.sinks import STDERR, Sink

from .rng import Rng
from .stackmap import SimStack, StackMapOps, stack_roots

# Greenlet cannot run out of memory gracefully: when it cannot save a switched-out goroutine's
# stack it aborts the process (Py_FatalError "Failed low-level slp_switch()"), where a Go program
# ends with its out-of-memory fatal error.  Under a limit on the process's data or address space,
# no goroutine is made within HEADROOM bytes of it: the spawn fails as an allocation does
# (MemoryError: gox_abi/oom.py), while every switch and the report still find memory.  Whether
# greenlet or Python ran out first used to depend on the memory's layout (a flaky test).
HEADROOM = 8 << 20
_PAGE = resource.getpagesize()


def memory_limits() -> tuple[int | None, int | None]:
    """The process's soft limits on its address space and its data (None: unlimited)."""
    def soft(which: int) -> int | None:
        lim = resource.getrlimit(which)[0]
        return None if lim == resource.RLIM_INFINITY else lim

    return soft(resource.RLIMIT_AS), soft(resource.RLIMIT_DATA)


def near_memory_limits(limits: tuple[int | None, int | None]) -> bool:
    """Whether the process is within HEADROOM of one of ``limits`` (/proc/self/statm: its
    address space and its data, the stack included, in pages)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            fields = f.read().split()
    except OSError:
        return False
    size, data = int(fields[0]) * _PAGE, int(fields[5]) * _PAGE
    as_limit, data_limit = limits
    return (as_limit is not None and size + HEADROOM > as_limit) or (data_limit is not None and data + HEADROOM > data_limit)

RUNNABLE = "runnable"
RUNNING = "running"
WAITING = "waiting"
DEAD = "dead"


class ProgramExit(BaseException):
    """Unwinds every goroutine when the program ends (main returned, fatal error, panic)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass(eq=False)
class Goroutine:
    gid: int
    entry: Any  # the function-table entry it runs
    args: tuple[int, ...]
    glet: greenlet.greenlet | None = None
    status: str = RUNNABLE
    wait_reason: str = ""
    # Per-goroutine runtime state (defer frames, panics, select, iterators) lives here so no
    # goroutine ever sees another's (the seed kept them in thread-locals: open point 3).
    frames: list[Any] = field(default_factory=list)
    panics: list[Any] = field(default_factory=list)
    defer_call_base: list[int] = field(default_factory=list)
    select: Any = None
    select_result: tuple[int, bool] = (0, False)
    select_result_ref: bool = False  # it received a reference: a GC root until its next select
    iters: dict[int, Any] = field(default_factory=dict)
    # What a waker hands a parked goroutine: (value, ok) for a receive, ok=False for a
    # send woken by close, and for a select the index of the case that won.
    wake_value: int = 0
    wake_ok: bool = True
    wake_case: int = -1
    wake_ref: bool = False  # wake_value is a reference handed over by a sender (a GC root)
    parked_on: tuple[int, ...] = ()  # channel refs it waits on (GC roots)
    stack: SimStack = field(default_factory=SimStack)  # its simulated native stack
    started: bool = False

    def name(self) -> str:
        e = self.entry
        return str(getattr(e, "__qualname__", None) or getattr(e, "__name__", None) or repr(e))


def call_entry(rt: Any, entry: Any, args: Sequence[int]) -> Any:
    """The calling convention: a function-table entry is called with the runtime and its
    u64 arguments; it returns None, an int or a tuple of ints (docs/ABI.md, decision 4)."""
    if entry is None or entry == 0:
        raise GoxPanic("runtime error: invalid memory address or nil pointer dereference")
    if isinstance(entry, int):
        raise GoxABIError(f"function entry {entry:#x} is a native address; the reference can only call Python callables")
    return entry(rt, *args)


class SchedOps(StackMapOps):
    goroutines: dict[int, Goroutine]
    runq: collections.deque[Goroutine]
    current: Goroutine | None
    hub: greenlet.greenlet | None
    rng: Rng
    err: Sink
    next_gid: int

    def __init__(self) -> None:
        super().__init__()
        self.goroutines = {}
        self.runq = collections.deque()
        self.current = None
        self.hub = None
        self.rng = Rng(0)
        self.err = STDERR
        self.next_gid = 1
        self.host_goroutine = Goroutine(0, None, ())  # state of ABI calls made outside run_main
        self.memory_limits: tuple[int | None, int | None] = (None, None)  # read when a program starts
        self.tracer: Callable[..., None] | None = None
        self.gc.root_sources.append(self._goroutine_roots)

    # -- tracing hook -------------------------------------------------------------------------
    def _trace(self, event: str, **info: Any) -> None:
        """Report an event to the tracer, if one is installed.  Hot paths (scheduling, channel
        operations) test ``self.tracer`` before calling, so that with tracing off they do not
        even build the details."""
        if self.tracer is not None:
            self.tracer(event, self.current.gid if self.current else 0, **info)

    # -- roots --------------------------------------------------------------------------------
    def _goroutine_roots(self) -> Iterable[tuple[str, int]]:
        """Per goroutine (by id; the host's state outside run_main is goroutine 0, first): what
        it waits on, its pending arguments, defer records, panic values, select cases and
        iterators (docs/GC.md, root 4)."""
        yield from self._goroutine_state_roots(self.host_goroutine)
        for gid in sorted(self.goroutines):
            g = self.goroutines[gid]
            yield from stack_roots(g.stack, self.stack_maps, f"goroutine {gid}: ")
            for ch in g.parked_on:
                yield f"goroutine {gid}: channel it waits on", ch
            if g.wake_ref and g.wake_value:
                yield f"goroutine {gid}: value handed to it", g.wake_value
            if not g.started:
                for i, a in enumerate(g.args):
                    if self.heap.is_live(a):  # conservative: arguments carry no kinds
                        yield f"goroutine {gid}: argument {i}", a
            yield from self._goroutine_state_roots(g)

    def _goroutine_state_roots(self, g: Goroutine) -> Iterable[tuple[str, int]]:
        return ()  # extended by the defer, select and iterator mixins

    def _stack(self) -> SimStack:
        return self.current.stack if self.current is not None else self.host_stack

    # -- the scheduler ------------------------------------------------------------------------
    def _new_goroutine(self, entry: Any, args: Sequence[int]) -> Goroutine:
        g = Goroutine(self.next_gid, entry, tuple(args))
        self.next_gid += 1
        self.goroutines[g.gid] = g
        return g

    def run_main(self, entry: Any, args: Sequence[int] = (), seed: int = 0) -> int:
        """Run a program whose main goroutine runs ``entry``; returns its exit status."""
        if self.hub is not None:
            raise GoxABIError("run_main: a program is already running on this runtime")
        oom.arm()
        self.memory_limits = memory_limits()
        self.rng = Rng(seed)
        self.hub = greenlet.getcurrent()
        status = 0
        try:
            main = self._new_goroutine(entry, args)
            self._trace("spawn", child=main.gid)
            self.runq.append(main)
            while main.status != DEAD:
                if not self.runq:
                    self._deadlock()
                # Back here when a goroutine ends, or blocks or yields with nothing runnable or
                # a goroutine to start at the front; otherwise the goroutines hand the
                # processor to each other (_run_next).
                result = self._run_next()
                self.current = None
                if isinstance(result, ProgramExit):
                    raise result
        except ProgramExit as e:
            status = e.status
        except MemoryError:  # on the hub (a greenlet to create, a queue to grow): gox_abi/oom.py
            status = self._fatal(oom.fatal()).status
        finally:
            self._abandon()
        return max(status, 0)

    def _run_next(self) -> Any:
        """Give the processor to the front of the run queue and switch to its greenlet; returns
        when the caller's greenlet runs again, with what the switch back brings.

        The hub (``current`` is None) starts and resumes goroutines.  A goroutine that stops
        (it blocked or yielded) switches straight to the front if that has run before (the
        goroutine that yields may be that front: it goes on at once); otherwise it hands over
        to the hub, which starts the front, or reports the deadlock if nothing is runnable."""
        runq = self.runq
        if self.current is not None and not (runq and runq[0].glet is not None):
            assert self.hub is not None
            return self.hub.switch()
        g = runq.popleft()
        self.current = g
        g.status = RUNNING
        if self.tracer is not None:
            self._trace("run")
        glet = g.glet
        if glet is None:
            # (a partial, not a lambda: a closure would make every use of self here a cell load)
            glet = g.glet = greenlet.greenlet(functools.partial(self._goroutine_body, g), parent=self.hub)
        return glet.switch()

    def _goroutine_body(self, g: Goroutine) -> Any:
        g.started = True
        try:
            self._run_body(g)
        except ProgramExit as e:
            g.status = DEAD
            return e
        g.status = DEAD
        if self.tracer is not None:
            self._trace("exit")
        del self.goroutines[g.gid]  # an ended goroutine holds nothing (and is no root)
        if g.gid == 1:
            return ProgramExit(0)
        return None

    def _run_body(self, g: Goroutine) -> None:
        call_entry(self, g.entry, g.args)

    def _abandon(self) -> None:
        """The program is over: forget every goroutine without running its code (whatever
        happens meanwhile: a goroutine may run out of memory as it unwinds)."""
        try:
            for g in self.goroutines.values():
                if g.glet is not None and not g.glet.dead:
                    g.glet.parent = greenlet.getcurrent()
                    self.current = g  # its frames close as it unwinds (and run no deferred calls)
                    with contextlib.suppress(greenlet.GreenletExit, MemoryError):
                        g.glet.throw(greenlet.GreenletExit)
        finally:
            self.goroutines.clear()
            self.runq.clear()
            self.current = None
            self.hub = None

    def _park(self, g: Goroutine, reason: str, channels: tuple[int, ...] = ()) -> None:
        """Block ``g``, the running goroutine (``_running``), until another readies it."""
        g.status = WAITING
        g.wait_reason = reason
        g.parked_on = channels
        if self.tracer is not None:
            self._trace("park", reason=reason)
        self._run_next()
        g.parked_on = ()
        g.wake_ref = False  # the value now belongs to the goroutine's own frames

    def _ready(self, g: Goroutine, value: int, ok: bool, case: int, is_ref: bool = False) -> None:
        """Wake ``g``, a parked goroutine, handing it what its waker gives (see Goroutine)."""
        g.wake_value, g.wake_ok, g.wake_case = value, ok, case
        g.wake_ref = is_ref  # a reference handed over stays a root until the receiver runs
        g.status = RUNNABLE
        g.wait_reason = ""
        self.runq.append(g)
        if self.tracer is not None:
            self._trace("wake", target=g.gid)

    def _fatal(self, exc: GoxFatal) -> ProgramExit:
        """Report a fatal error as Go does (``fatal error: MSG``); the program ends, status 2."""
        self.err.write(f"fatal error: {exc}\n".encode())
        return ProgramExit(2)

    def _running(self, what: str) -> Goroutine:
        g = self.current
        if g is None:
            # No program runs: the host is the only "goroutine", and nothing can wake it.
            raise GoxFatal(f"all goroutines are asleep - deadlock! (the host tried to {what} outside run_main)")
        return g

    def _deadlock(self) -> None:
        lines = ["fatal error: all goroutines are asleep - deadlock!", ""]
        for gid in sorted(self.goroutines):
            g = self.goroutines[gid]
            if g.status == DEAD:
                continue
            lines.append(f"goroutine {gid} [{g.wait_reason or g.status}]:")
            lines.append(f"{g.name()}(...)")
            lines.append("")
        self.err.write(("\n".join(lines) + "\n").encode())
        self._trace("fatal", message="all goroutines are asleep - deadlock!")
        raise ProgramExit(2)

    # -- ABI ----------------------------------------------------------------------------------
    def gox_go_spawn(self, func_ptr: Any, args: Sequence[int]) -> None:
        if func_ptr is None or func_ptr == 0:
            # Go's newproc1: fatal("go of nil func value"), an error no recover stops.
            raise GoxFatal("go of nil func value")
        if not callable(func_ptr) and not isinstance(func_ptr, int):
            raise GoxABIError(f"gox_go_spawn: func_ptr {func_ptr!r} is not a function entry")
        self.gc.safepoint(tuple(a for a in args if self.heap.is_live(a)))
        if self.memory_limits != (None, None) and near_memory_limits(self.memory_limits):
            raise MemoryError("no goroutine within HEADROOM of the memory limit")
        g = self._new_goroutine(func_ptr, [a & ((1 << 64) - 1) for a in args])
        if self.tracer is not None:
            self._trace("spawn", child=g.gid)
        self.runq.append(g)

    def gox_yield(self) -> None:
        g = self.current
        if g is None:
            return  # the host has nobody to yield to
        g.status = RUNNABLE
        self.runq.append(g)
        if self.tracer is not None:
            self._trace("yield")
        self._run_next()
