"""Goroutines on greenlets, and the deterministic scheduler that runs them.

One greenlet per goroutine; the scheduler loop (the *hub*) runs in the greenlet that called
``run_main``.  Exactly one goroutine runs at a time, and it gives the processor back only
when it blocks, yields or ends.  A goroutine that blocks or yields hands the processor to the
front of the run queue itself, switching straight to its greenlet (one switch, not two through
the hub), when that goroutine has run before.  The hub runs the front when a goroutine ends (a
greenlet returns to its parent, the hub), starts every goroutine (so each greenlet begins on the
hub's shallow stack, not on top of the goroutine that happened to block), and reports
deadlocks.  Either way the choice is the same: the front of the queue.  What joins the run
queue and when, how a program ends and the deadlock report are docs/SCHEDULER.md section 1.

``Scheduler`` is that state and its loop, held as ``rt.sched`` (sched.c's ``GoxSched``): every
concept asks it who runs.  ``SchedOps`` is its part of the ABI (spawn, yield, run_main), mixed
into ``RefRuntime``.
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
from gox_abi.errors import GoxABIError, GoxFatal, nil_dereference

from .core import RuntimeCore
from .gc import Root
from .rng import Rng
from .stackmap import SimStack, stack_roots

# Greenlet cannot run out of memory gracefully: when it cannot save a switched-out goroutine's
# stack it aborts the process (Py_FatalError "Failed low-level slp_switch()"), where a Go program
# ends with its out-of-memory fatal error.  Under a limit on the process's data or address space,
# no goroutine is made within HEADROOM bytes of it: the spawn fails as an allocation does
# (MemoryError: gox_abi/oom.py), while every switch and the report still find memory.  Without it, whether
# greenlet or Python runs out first would depend on the memory's layout (docs/SCHEDULER.md section 8).
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
    """Unwinds every goroutine when the program ends (main returned, os.Exit, fatal error, panic)."""

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
    # Its own state of each concept (defer frames and panics, its select, its iterators), so
    # that no goroutine ever sees another's.
    frames: list[Any] = field(default_factory=list)
    panics: list[Any] = field(default_factory=list)
    signal: bool = False  # Go's gp.sig: a nil-dereference panic, until a recovery leaves none (defer.py)
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
    u64 arguments; it returns None, an int or a tuple of ints (docs/decisions.md, "The calling
    convention")."""
    if entry is None or entry == 0:
        raise nil_dereference()
    if isinstance(entry, int):
        raise GoxABIError(f"function entry {entry:#x} is a native address; the reference can only call Python callables")
    return entry(rt, *args)


class Scheduler:
    """The goroutines of one runtime and who runs (sched.c's ``GoxSched``, ``R->sched``).

    Every concept that needs the running goroutine asks the scheduler: ``g()`` (the running
    goroutine, else the host's state: goroutine 0), ``running(what)``, ``park``, ``ready``,
    ``trace``, ``fatal``.  Like trio's ``Runner`` it holds what it needs of other concepts as
    collaborators, which ``RefRuntime`` wires: ``run_body`` (a goroutine's function in its
    outermost frame, defer.py), ``state_roots`` (each goroutine's own state, in the order
    docs/GC.md fixes), ``drop_waiters`` (the channels forget abandoned goroutines, chan.py),
    ``advance_clock`` and ``drop_timers`` (the clock jumps when nothing is runnable, the timers
    end with the program: timer.py).
    """

    run_body: Callable[[Goroutine], None]
    drop_waiters: Callable[[Iterable[Goroutine]], None]
    advance_clock: Callable[[], bool]
    drop_timers: Callable[[], None]

    def __init__(self, rt: RuntimeCore, stack_maps: dict[int, tuple[int, ...]]) -> None:
        self.rt = rt  # the core: its heap and the sink of the reports
        self.stack_maps = stack_maps  # the stack-map table (stackmap.py) goroutine stacks are scanned with
        self.state_roots: list[Callable[[Goroutine], Iterable[Root]]] = []
        self.goroutines: dict[int, Goroutine] = {}
        self.runq: collections.deque[Goroutine] = collections.deque()
        self.current: Goroutine | None = None
        self.hub: greenlet.greenlet | None = None
        self.rng = Rng(0)
        self.next_gid = 1
        self.host_goroutine = Goroutine(0, None, ())  # state of ABI calls made outside run_main
        self.memory_limits: tuple[int | None, int | None] = (None, None)  # read when a program starts
        self.tracer: Callable[..., None] | None = None

    def trace(self, event: str, **info: Any) -> None:
        """Report an event to the tracer, if one is installed.  Hot paths (scheduling, channel
        operations) test ``tracer`` before calling, so that with tracing off they do not even
        build the details."""
        if self.tracer is not None:
            self.tracer(event, self.current.gid if self.current else 0, **info)

    def g(self) -> Goroutine:
        """The running goroutine, else the host's state (sched.c: ``sched_g``)."""
        cur = self.current
        return cur if cur is not None else self.host_goroutine

    def running(self, what: str) -> Goroutine:
        """The running goroutine, about to block; outside a program nothing could wake the host."""
        g = self.current
        if g is None:
            raise GoxFatal(f"all goroutines are asleep - deadlock! (the host tried to {what} outside run_main)")
        return g

    # -- roots --------------------------------------------------------------------------------
    def goroutine_roots(self) -> Iterable[Root]:
        """Root 4 of docs/GC.md: the host's state (goroutine 0) first, then every goroutine by id:
        its simulated stack, the channels it waits on, a value handed to it, the arguments of one
        not started, then its own state (``state_roots``: defer records and panic values, select
        cases, iterators)."""
        yield from self._state_roots(self.host_goroutine)
        for gid in sorted(self.goroutines):
            g = self.goroutines[gid]
            yield from stack_roots(g.stack, self.stack_maps, f"goroutine {gid}: ")
            for ch in g.parked_on:
                yield f"goroutine {gid}: channel it waits on", ch
            if g.wake_ref and g.wake_value:
                yield f"goroutine {gid}: value handed to it", g.wake_value
            if not g.started:
                for i, a in enumerate(g.args):
                    if self.rt.heap.is_live(a):  # conservative: arguments carry no kinds
                        yield f"goroutine {gid}: argument {i}", a
            yield from self._state_roots(g)

    def _state_roots(self, g: Goroutine) -> Iterable[Root]:
        for roots in self.state_roots:
            yield from roots(g)

    # -- the scheduler ------------------------------------------------------------------------
    def new_goroutine(self, entry: Any, args: Sequence[int]) -> Goroutine:
        g = Goroutine(self.next_gid, entry, tuple(args))
        self.next_gid += 1
        self.goroutines[g.gid] = g
        return g

    def run_main(self, entry: Any, args: Sequence[int], seed: int) -> int:
        """Run a program whose main goroutine runs ``entry``; returns its exit status."""
        if self.hub is not None:
            raise GoxABIError("run_main: a program is already running on this runtime")
        oom.arm()
        self.memory_limits = memory_limits()
        self.rng = Rng(seed)
        self.hub = greenlet.getcurrent()
        status = 0
        try:
            main = self.new_goroutine(entry, args)
            self.trace("spawn", child=main.gid)
            self.runq.append(main)
            while main.status != DEAD:
                while not self.runq:  # a pending timer is no deadlock: the clock jumps (timer.py)
                    if not self.advance_clock():
                        self.deadlock()
                # Back here when a goroutine ends, or blocks or yields with nothing runnable or
                # a goroutine to start at the front; otherwise the goroutines hand the
                # processor to each other (run_next).
                result = self.run_next()
                self.current = None
                if isinstance(result, ProgramExit):
                    raise result
        except ProgramExit as e:
            status = e.status
        except MemoryError:  # on the hub (a greenlet to create, a queue to grow): gox_abi/oom.py
            status = self.fatal(oom.fatal()).status
        finally:
            self.abandon()
        return max(status, 0)

    def run_next(self) -> Any:
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
            self.trace("run")
        glet = g.glet
        if glet is None:
            # (a partial, not a lambda: a closure would make every use of self here a cell load)
            glet = g.glet = greenlet.greenlet(functools.partial(self.goroutine_main, g), parent=self.hub)
        return glet.switch()

    def goroutine_main(self, g: Goroutine) -> ProgramExit | None:
        """The life of ``g``'s greenlet, and how it exits, in this order (sched.c's
        ``goroutine_main``):

        1. its function runs in its outermost frame (``run_body``, defer.py): a panic that leaves
           it, or a fatal error, ends the program there (the report, the ``fatal`` event,
           status 2);
        2. it returned: it is dead, the trace records ``exit``, and it leaves the goroutine
           table (an ended goroutine holds nothing and is no root);
        3. if it is main, the program ends with status 0.

        What it returns reaches the hub (``run_main``): the program's end, or None."""
        g.started = True
        run_body = self.run_body  # (an attribute, read as one: a call through self is a method lookup)
        try:
            run_body(g)
        except ProgramExit as e:
            g.status = DEAD
            return e
        g.status = DEAD
        if self.tracer is not None:
            self.trace("exit")
        del self.goroutines[g.gid]
        if g.gid == 1:
            return ProgramExit(0)
        return None

    def abandon(self) -> None:
        """The program is over: forget every goroutine without running its code, in this order
        (sched.c's ``abandon``):

        1. no timer is pending any more and the clock is back at 0 (``drop_timers``, timer.py),
           and the channels drop the waiters of the goroutines (``drop_waiters``, chan.py);
        2. each goroutine that has run unwinds, by id: its frames close as it goes, and no
           deferred call runs (it may run out of memory meanwhile);
        3. the goroutine table, the run queue, the running goroutine and the hub are cleared:
           the runtime can run another program."""
        try:
            self.drop_timers()
            self.drop_waiters(self.goroutines.values())
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

    def park(self, g: Goroutine, reason: str, channels: tuple[int, ...] = ()) -> None:
        """Block ``g``, the running goroutine (``running``), until another readies it."""
        g.status = WAITING
        g.wait_reason = reason
        g.parked_on = channels
        if self.tracer is not None:
            self.trace("park", reason=reason)
        self.run_next()
        g.parked_on = ()
        g.wake_ref = False  # the value now belongs to the goroutine's own frames

    def yield_current(self) -> None:
        """runtime.Gosched(): the running goroutine goes to the back of the run queue."""
        g = self.current
        if g is None:
            return  # the host has nobody to yield to
        g.status = RUNNABLE
        self.runq.append(g)
        if self.tracer is not None:
            self.trace("yield")
        self.run_next()

    def ready(self, g: Goroutine, value: int, ok: bool, case: int, is_ref: bool = False) -> None:
        """Wake ``g``, a parked goroutine, handing it what its waker gives (see Goroutine)."""
        g.wake_value, g.wake_ok, g.wake_case = value, ok, case
        g.wake_ref = is_ref  # a reference handed over stays a root until the receiver runs
        g.status = RUNNABLE
        g.wait_reason = ""
        self.runq.append(g)
        if self.tracer is not None:
            self.trace("wake", target=g.gid)

    def fatal(self, exc: GoxFatal) -> ProgramExit:
        """Report a fatal error as Go does (``fatal error: MSG``); the program ends, status 2."""
        self.rt.err.write(f"fatal error: {exc}\n".encode())
        return ProgramExit(2)

    def deadlock(self) -> None:
        lines = ["fatal error: all goroutines are asleep - deadlock!", ""]
        for gid in sorted(self.goroutines):  # each parked (park names why)
            g = self.goroutines[gid]
            if g.status == DEAD:
                continue
            lines.append(f"goroutine {gid} [{g.wait_reason}]:")
            lines.append(f"{g.name()}(...)")
            lines.append("")
        self.rt.err.write(("\n".join(lines) + "\n").encode())
        self.trace("fatal", message="all goroutines are asleep - deadlock!")
        raise ProgramExit(2)


class SchedOps(RuntimeCore):
    """The scheduler's ABI calls, and what hosts and tests inspect of it, on the runtime."""

    sched: Scheduler

    @property
    def current(self) -> Goroutine | None:
        return self.sched.current

    @property
    def goroutines(self) -> dict[int, Goroutine]:
        return self.sched.goroutines

    @property
    def runq(self) -> collections.deque[Goroutine]:
        return self.sched.runq

    @property
    def hub(self) -> greenlet.greenlet | None:
        return self.sched.hub

    @property
    def host_goroutine(self) -> Goroutine:
        return self.sched.host_goroutine

    @property
    def tracer(self) -> Callable[..., None] | None:
        return self.sched.tracer

    @property
    def rng(self) -> Rng:
        return self.sched.rng

    @rng.setter
    def rng(self, rng: Rng) -> None:
        self.sched.rng = rng

    def run_main(self, entry: Any, args: Sequence[int] = (), seed: int = 0) -> int:
        """Run a program whose main goroutine runs ``entry``; returns its exit status."""
        return self.sched.run_main(entry, args, seed)

    # -- ABI ----------------------------------------------------------------------------------
    def gox_go_spawn(self, func_ptr: Any, args: Sequence[int]) -> None:
        if func_ptr is None or func_ptr == 0:
            # Go's newproc1: fatal("go of nil func value"), an error no recover stops.
            raise GoxFatal("go of nil func value")
        if not callable(func_ptr) and not isinstance(func_ptr, int):
            raise GoxABIError(f"gox_go_spawn: func_ptr {func_ptr!r} is not a function entry")
        self.gc.safepoint(tuple(a for a in args if self.heap.is_live(a)))
        sched = self.sched
        if sched.memory_limits != (None, None) and near_memory_limits(sched.memory_limits):
            raise MemoryError("no goroutine within HEADROOM of the memory limit")
        g = sched.new_goroutine(func_ptr, [a & ((1 << 64) - 1) for a in args])
        if sched.tracer is not None:
            sched.trace("spawn", child=g.gid)
        sched.runq.append(g)

    def gox_os_exit(self, code: int) -> None:
        # Go hands the code to exit(2): the status a shell sees is its low byte.  Output is
        # written as it is printed (nothing waits in a buffer), so the report is all there is to end.
        if self.sched.current is None:
            raise GoxABIError(f"gox_os_exit: os.Exit({code}) outside a running program (call it from a goroutine under run_main)")
        raise ProgramExit(code & 0xFF)

    def gox_yield(self) -> None:
        self.sched.yield_current()
