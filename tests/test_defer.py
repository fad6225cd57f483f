"""Defer, panic and recover (gox_ref/defer.py): LIFO order, deferred calls at frame exit and
while panicking, Go's test/recover1.go (all seven cases), the panic chains of
runtime/crash_test.go, run-time errors as panic values, panic(nil), the unrecovered-panic
report and exit status, a panic in another goroutine, and where recover returns nil."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import PYTHON_GOROUTINES, run, sread

from gox_ref import GoxABIError, GoxPanic, RefRuntime, ValueKind
from gox_ref.defer import RUNTIME_ERROR_TYPE

pytestmark = PYTHON_GOROUTINES

K = ValueKind
NIL = (0, 0)
# Go's line after the panic lines when the goroutine had a nil dereference (Go prints its pc;
# the project prints 0x0: docs/decisions.md)
SIGNAL_LINE = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"


def report(*links: str, gid: int = 1, fn: Callable[..., Any]) -> bytes:
    return ("\n\t".join(links) + f"\n\ngoroutine {gid} [running]:\n{fn.__qualname__}(...)\n").encode()


def ival(rt: RefRuntime, v: int) -> tuple[int, int]:
    return int(rt.gox_interface_pack(0, 0, K.INT)), v


def panic_int(rt: RefRuntime, v: int) -> None:
    rt.gox_panic(*ival(rt, v))


def panic_str(rt: RefRuntime, text: str) -> None:
    rt.gox_panic(rt.gox_interface_pack(0, 0, K.STRING), rt.gox_rt_string_from_ptr(text.encode()))


def printer(rt: RefRuntime, v: int) -> None:
    rt.gox_debug_print(v, K.INT)


def builtin_recover(rt: RefRuntime) -> None:
    """``defer recover()``: the builtin itself is the deferred call (it opens no frame)."""
    rt.gox_recover()


# -- order --------------------------------------------------------------------------------------
def test_deferred_calls_run_lifo_at_frame_exit() -> None:
    """The spec's example: ``for i := 0; i <= 3; i++ { defer fmt.Print(i) }`` prints 3 2 1 0."""

    def f(rt: RefRuntime) -> None:
        with rt.defer_frame():
            for i in range(4):
                rt.gox_defer_push(printer, [i])
            rt.gox_debug_print(100, K.INT)

    def main(rt: RefRuntime) -> None:
        f(rt)
        rt.gox_debug_print(200, K.INT)

    assert run(main) == (0, b"100\n3\n2\n1\n0\n200\n", b"")


def test_explicit_frame_enter_and_exit() -> None:
    def main(rt: RefRuntime) -> None:
        outer = rt.gox_defer_frame_enter()
        rt.gox_defer_push(printer, [1])
        inner = rt.gox_defer_frame_enter()
        rt.gox_defer_push(printer, [2])
        rt.gox_defer_push(printer, [3])
        with pytest.raises(GoxABIError, match="not the innermost open frame"):
            rt.gox_defer_frame_exit(outer)
        rt.gox_defer_frame_exit(inner)
        rt.gox_debug_print(0, K.INT)
        rt.gox_defer_frame_exit(outer)

    assert run(main) == (0, b"3\n2\n0\n1\n", b"")


def test_defer_arguments_are_evaluated_at_the_defer() -> None:
    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            args = [5]
            rt.gox_defer_push(printer, args)
            args[0] = 6
            rt.gox_defer_push(printer, [-1])

    assert run(main)[1] == b"-1\n5\n"


def test_defer_pop_runs_the_latest_now() -> None:
    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [1])
            rt.gox_defer_push(printer, [2])
            rt.gox_defer_pop()
            rt.gox_debug_print(0, K.INT)

    assert run(main)[1] == b"2\n0\n1\n"


def test_defer_protocol_errors() -> None:
    rt = RefRuntime()
    with pytest.raises(GoxABIError, match="gox_defer_push: no frame is open"):
        rt.gox_defer_push(printer, [])
    fr = rt.gox_defer_frame_enter()
    with pytest.raises(GoxABIError, match="gox_defer_pop"):
        rt.gox_defer_pop()
    with pytest.raises(GoxABIError, match="gox_defer_frame_exit"):
        rt.gox_defer_frame_exit(fr + 1)
    rt.gox_defer_frame_exit(fr)
    with pytest.raises(GoxABIError, match="no frame is open"):
        rt.gox_defer_frame_exit(fr)


def test_deferred_calls_run_while_panicking_frame_by_frame() -> None:
    def inner(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [1])
            rt.gox_defer_push(printer, [2])
            panic_str(rt, "boom")
            rt.gox_debug_print(99, K.INT)

    def middle(rt: RefRuntime) -> None:  # no frame: nothing to run here
        inner(rt)
        rt.gox_debug_print(98, K.INT)

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [3])
            middle(rt)
            rt.gox_debug_print(97, K.INT)

    assert run(main) == (2, b"2\n1\n3\n", report("panic: boom", fn=main))


def test_a_nil_deferred_function_panics_when_invoked() -> None:
    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [1])
            rt.gox_defer_push(None, [])  # no panic yet
            rt.gox_debug_print(0, K.INT)

    status, out, err = run(main)
    assert (status, out) == (2, b"0\n1\n")
    # Go 1.19.8 (`var f func(); defer f()`): the panic line, then the signal line
    nil_deref = "panic: runtime error: invalid memory address or nil pointer dereference"
    assert err == report(nil_deref + "\n" + SIGNAL_LINE, fn=main)


def test_recovery_returns_normally_after_the_remaining_defers() -> None:
    def recoverer(rt: RefRuntime) -> None:
        with rt.defer_frame():
            _, slot1 = rt.gox_recover()
            rt.gox_debug_print(slot1, K.INT)

    def f(rt: RefRuntime) -> int:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [1])
            rt.gox_defer_push(recoverer, [])
            rt.gox_defer_push(printer, [2])
            panic_int(rt, 42)
        return 7  # where the frame's function returns normally

    def main(rt: RefRuntime) -> None:
        rt.gox_debug_print(f(rt), K.INT)
        rt.gox_debug_print(3, K.INT)

    assert run(main) == (0, b"2\n42\n1\n7\n3\n", b"")


# -- test/recover1.go ---------------------------------------------------------------------------
class Recover1:
    """Go's test/recover1.go, "recover during recursive panics", ported case by case."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def must_recover(self, rt: RefRuntime, x: int) -> None:
        with rt.defer_frame():
            self.must_not_recover(rt)  # because it's not a defer call
            v = rt.gox_recover()
            if v == NIL:
                self.problems.append(f"missing recover of {x}")
            elif v != ival(rt, x):
                self.problems.append(f"wrong value {v} {x}")
            if rt.gox_recover() != NIL:  # the value should be gone now regardless
                self.problems.append("recover didn't recover")

    def must_not_recover(self, rt: RefRuntime) -> None:
        with rt.defer_frame():
            if rt.gox_recover() != NIL:
                self.problems.append("spurious recover")

    def without_recover(self, rt: RefRuntime) -> None:
        self.must_not_recover(rt)  # because it's a sub-call

    def run_case(self, rt: RefRuntime, d: Callable[[RefRuntime], None], value: int, *, recovered: bool = False) -> None:
        """Every case's body: ``defer mustNotRecover()`` (with ``recovered``,
        ``defer mustRecover(value)``), ``defer d()``, ``panic(value)``."""
        with rt.defer_frame():
            if recovered:
                rt.gox_defer_push(self.must_recover, [value])
            else:
                rt.gox_defer_push(self.must_not_recover, [])
            rt.gox_defer_push(d, [])
            panic_int(rt, value)

    def test1(self, rt: RefRuntime) -> None:
        """Easy nested recursive panic."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_defer_push(self.must_recover, [2])
                panic_int(rt, 2)

        self.run_case(rt, d, 1, recovered=True)

    def sequential_panic(self, *, picky: bool) -> Callable[[RefRuntime], None]:
        """test2's and test3's deferred function: recover panic 2 (test2 checks its value), then
        panic 3, which mustRecover stops."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                v = rt.gox_recover()
                if picky and v != ival(rt, 2):
                    self.problems.append(f"test2: wrong value {v}")
                rt.gox_defer_push(self.must_recover, [3])
                panic_int(rt, 3)

        return d

    def test2(self, rt: RefRuntime) -> None:
        """Sequential panic."""
        self.run_case(rt, self.sequential_panic(picky=True), 2)

    def test3(self, rt: RefRuntime) -> None:
        """Sequential panic - like test2 but less picky."""
        self.run_case(rt, self.sequential_panic(picky=False), 2)

    def test4(self, rt: RefRuntime) -> None:
        """Single panic."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_recover()

        self.run_case(rt, d, 4)

    def test5(self, rt: RefRuntime) -> None:
        """Single panic but recover called via defer."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_defer_push(builtin_recover, [])

        self.run_case(rt, d, 5)

    def test6(self, rt: RefRuntime) -> None:
        """Sequential panic; like test3, but recover changed to defer (test4 -> test5): the
        deferred recover runs as a normal call from d, because mustRecover stops panic 3, and
        recovers panic 2."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_defer_push(builtin_recover, [])
                rt.gox_defer_push(self.must_recover, [3])
                panic_int(rt, 3)

        self.run_case(rt, d, 2)

    def test7(self, rt: RefRuntime) -> None:
        """Like test6 with the defer order swapped: ``defer recover()`` is now a no-op, run by
        panic 3 rather than by d; mustRecover(3), then mustRecover(2), recover."""

        def d(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_defer_push(self.must_recover, [3])
                rt.gox_defer_push(builtin_recover, [])  # now a no-op, unlike in test6
                panic_int(rt, 3)

        self.run_case(rt, d, 2, recovered=True)


@pytest.mark.parametrize("case", [f"test{i}" for i in range(1, 8)])
def test_recover1(case: str) -> None:
    r = Recover1()

    def main(rt: RefRuntime) -> None:
        getattr(r, case)(rt)
        r.without_recover(rt)
        rt.gox_debug_print(1, K.INT)

    assert run(main) == (0, b"1\n", b"")
    assert r.problems == []


def test_recover1_whole_program() -> None:
    """The program as Go runs it: all seven in a row, in one goroutine, printing nothing."""
    r = Recover1()

    def main(rt: RefRuntime) -> None:
        for i in range(1, 8):
            getattr(r, f"test{i}")(rt)

    assert run(main) == (0, b"", b"")
    assert r.problems == []


def test_recover1_in_a_spawned_goroutine_interleaved() -> None:
    """Panic state is per goroutine: two goroutines run the cases while yielding inside their
    deferred calls, so each one's recovers happen while the other is panicking."""
    r = Recover1()
    orig = r.must_recover

    def yielding_must_recover(rt: RefRuntime, x: int) -> None:
        rt.gox_yield()
        orig(rt, x)

    r.must_recover = yielding_must_recover  # type: ignore[method-assign]

    def worker(rt: RefRuntime, done: int) -> None:
        for i in range(1, 8):
            getattr(r, f"test{i}")(rt)
        rt.gox_chan_send(done, 1)

    def main(rt: RefRuntime) -> None:
        done = rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(worker, [done])
        rt.gox_go_spawn(worker, [done])
        rt.gox_chan_recv(done)
        rt.gox_chan_recv(done)

    assert run(main) == (0, b"", b"")
    assert r.problems == []


# -- panic chains (runtime/crash_test.go) -------------------------------------------------------
def test_recursive_panic4_chain() -> None:
    """``defer func() { recover(); panic("second panic") }(); panic("first panic")``."""

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_recover()
            panic_str(rt, "second panic")

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            panic_str(rt, "first panic")

    assert run(main) == (2, b"", report("panic: first panic [recovered]", "panic: second panic", fn=main))


def test_panic_traceback_chain() -> None:
    """PanicTraceback: ``panic: hello`` / ``panic: panic pt2`` / ``panic: panic pt1``."""

    def pt1_d(rt: RefRuntime) -> None:
        panic_str(rt, "panic pt1")

    def pt2_d(rt: RefRuntime) -> None:
        panic_str(rt, "panic pt2")

    def pt2(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(pt2_d, [])
            panic_str(rt, "hello")

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(pt1_d, [])
            pt2(rt)

    assert run(main) == (2, b"", report("panic: hello", "panic: panic pt2", "panic: panic pt1", fn=main))


def test_recursive_panic_wraps_and_the_outer_recover_ends_both() -> None:
    """RecursivePanic: an inner recover re-panics ``wrap: bad``; an outer deferred call recovers
    that, so neither prints later; ``panic("again")`` prints alone."""

    def outer_d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            _, s = rt.gox_recover()
            rt.gox_debug_print(s, K.STRING)

    def inner_d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            slot0, s = rt.gox_recover()
            if (slot0, s) != NIL:
                panic_str(rt, "wrap: " + sread(rt, s).decode())

    def inner(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(inner_d, [])
            panic_str(rt, "bad")

    def outer(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(outer_d, [])
            inner(rt)

    def main(rt: RefRuntime) -> None:
        outer(rt)
        panic_str(rt, "again")

    assert run(main) == (2, b"wrap: bad\n", report("panic: again", fn=main))


def test_a_recovered_panic_is_not_reported_later() -> None:
    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_recover()

    def f(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            panic_str(rt, "first")

    def main(rt: RefRuntime) -> None:
        f(rt)
        panic_str(rt, "second")

    assert run(main) == (2, b"", report("panic: second", fn=main))


# -- panic values -------------------------------------------------------------------------------
def test_a_recovered_run_time_error_is_a_string_with_gos_text() -> None:
    got: list[tuple[int, int, bytes]] = []

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            slot0, slot1 = rt.gox_recover()
            got.append((rt.gox_interface_unbox_kind(slot0), rt.gox_interface_unbox_type(slot0), sread(rt, slot1)))

    def f(rt: RefRuntime, s: int) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            rt.gox_slice_get(s, 5)

    def main(rt: RefRuntime) -> None:
        s = rt.gox_rt_slice_create(K.INT, 0xFFFF, 3, 3)
        rt.gox_gc_pin(s)
        f(rt, s)
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            rt.gox_chan_close(0)

    assert run(main) == (0, b"", b"")
    assert got == [
        (K.STRING, RUNTIME_ERROR_TYPE, b"runtime error: index out of range [5] with length 3"),
        (K.STRING, RUNTIME_ERROR_TYPE, b"close of nil channel"),
    ]


def test_an_unrecovered_run_time_error() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_slice_get(rt.gox_rt_slice_create(K.INT, 0xFFFF, 3, 3), -1)

    assert run(main) == (2, b"", report("panic: runtime error: index out of range [-1]", fn=main))


def test_panic_nil_is_a_run_time_error() -> None:
    got: list[tuple[int, bytes]] = []

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            slot0, slot1 = rt.gox_recover()
            got.append((rt.gox_interface_unbox_type(slot0), sread(rt, slot1)))

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            rt.gox_panic(rt.gox_interface_pack(0, 0, K.NIL), 0)

    assert run(main) == (0, b"", b"")
    assert got == [(RUNTIME_ERROR_TYPE, b"panic called with nil argument")]

    def main2(rt: RefRuntime) -> None:
        rt.gox_panic(0, 0)

    assert run(main2) == (2, b"", report("panic: panic called with nil argument", fn=main2))
    with pytest.raises(GoxPanic, match=r"^panic called with nil argument$"):
        RefRuntime().gox_panic(0, 0)


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (K.INT, 42, "42"),
        (K.INT, (1 << 64) - 5, "-5"),
        (K.INT8, 0xFF, "-1"),
        (K.UINT64, (1 << 64) - 1, "18446744073709551615"),
        (K.BOOL, 1, "true"),
        (K.BOOL, 0, "false"),
        (K.FLOAT64, 0x3FF8000000000000, "+1.500000e+000"),
        (K.FLOAT32, 0x3F800000, "+1.000000e+000"),  # Go 1.19.8: panic(float32(1)), widened as print does
    ],
)
def test_unrecovered_panic_report_and_exit_status(kind: int, value: int, text: str) -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_debug_print(1, K.INT)
        rt.gox_panic(rt.gox_interface_pack(0, 0, kind), value)

    assert run(main) == (2, b"1\n", report(f"panic: {text}", fn=main))


def test_a_string_panic_value_indents_its_newlines() -> None:
    def main(rt: RefRuntime) -> None:
        panic_str(rt, "line one\nline two")

    assert run(main) == (2, b"", report("panic: line one\n\tline two", fn=main))


def test_outside_a_program_a_panic_is_a_gox_panic() -> None:
    rt = RefRuntime()
    with pytest.raises(GoxPanic, match=r"^close of nil channel$"):
        rt.gox_chan_close(0)


# -- goroutines ---------------------------------------------------------------------------------
def test_a_panic_in_a_spawned_goroutine_ends_the_program() -> None:
    ran: list[str] = []

    def deferred_in_main(rt: RefRuntime) -> None:
        ran.append("main's deferred call")

    def worker(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [7])  # the panicking goroutine's own defers do run
            panic_str(rt, "worker failed")

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(deferred_in_main, [])
            rt.gox_go_spawn(worker, [])
            rt.gox_chan_recv(rt.gox_chan_new(K.INT, 0))  # main waits forever
            rt.gox_debug_print(1, K.INT)

    assert run(main) == (2, b"7\n", report("panic: worker failed", gid=2, fn=worker))
    assert ran == []


def test_another_goroutine_cannot_recover_a_panic() -> None:
    """While goroutine 2 is panicking (its deferred call blocks), goroutine 3's deferred
    recover, run at a normal exit, returns nil; goroutine 2 then recovers its own panic."""
    got: list[tuple[str, tuple[int, int]]] = []

    def a_deferred(rt: RefRuntime, ch: int) -> None:
        with rt.defer_frame():
            rt.gox_chan_recv(ch)  # blocks mid-panic
            got.append(("a", rt.gox_recover()))

    def a(rt: RefRuntime, ch: int, done: int) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(a_deferred, [ch])
            panic_int(rt, 9)
        rt.gox_chan_send(done, 0)

    def b_deferred(rt: RefRuntime) -> None:
        with rt.defer_frame():
            got.append(("b", rt.gox_recover()))

    def b(rt: RefRuntime, ch: int) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(b_deferred, [])
        rt.gox_chan_send(ch, 0)

    def main(rt: RefRuntime) -> None:
        ch, done = rt.gox_chan_new(K.INT, 0), rt.gox_chan_new(K.INT, 0)
        rt.gox_go_spawn(a, [ch, done])
        rt.gox_go_spawn(b, [ch])
        rt.gox_chan_recv(done)
        assert got == [("b", NIL), ("a", ival(rt, 9))]

    assert run(main) == (0, b"", b"")


# -- recover returns nil ------------------------------------------------------------------------
def test_recover_is_nil_when_not_panicking() -> None:
    got: list[tuple[int, int]] = []

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            got.append(rt.gox_recover())

    def main(rt: RefRuntime) -> None:
        got.append(rt.gox_recover())
        with rt.defer_frame():
            got.append(rt.gox_recover())
            rt.gox_defer_push(d, [])
            rt.gox_defer_push(builtin_recover, [])

    assert run(main) == (0, b"", b"")
    assert got == [NIL, NIL, NIL]
    assert RefRuntime().gox_recover() == NIL


def test_recover_from_a_helper_is_nil_and_the_panic_goes_on() -> None:
    got: list[tuple[int, int]] = []

    def helper(rt: RefRuntime) -> None:
        with rt.defer_frame():
            got.append(rt.gox_recover())

    def helper_without_frame(rt: RefRuntime) -> None:
        # a helper that (against the frame rule) opens no frame still is not "directly"
        # called by the deferred call, but the reference cannot tell: not tested here.
        pass

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            helper(rt)
            helper_without_frame(rt)

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            panic_int(rt, 3)

    assert run(main) == (2, b"", report("panic: 3", fn=main))
    assert got == [NIL]


def test_a_bare_deferred_recover_in_the_panicking_function_does_not_recover() -> None:
    """``defer recover()`` directly in the panicking function: recover is not called by a
    deferred function, so the panic continues (Go: 0 frames between gopanic and recover)."""

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(builtin_recover, [])
            panic_int(rt, 8)

    assert run(main) == (2, b"", report("panic: 8", fn=main))


# -- the collector ------------------------------------------------------------------------------
def test_the_panic_value_and_pending_deferred_arguments_survive_a_collection() -> None:
    """A pending deferred call's arguments and the panic value are roots; once a deferred
    call runs, its arguments are its own frame's business (as for any call)."""
    got: list[bytes] = []

    def collect(rt: RefRuntime) -> None:
        rt.gox_collect_garbage()

    def d(rt: RefRuntime, arg: int) -> None:
        with rt.defer_frame():
            got.append(sread(rt, arg))
            rt.gox_collect_garbage()
            _, s = rt.gox_recover()
            got.append(sread(rt, s))

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [rt.gox_rt_string_from_ptr(b"deferred argument")])
            rt.gox_defer_push(collect, [])
            rt.gox_collect_garbage()
            panic_str(rt, "panic value")

    assert run(main) == (0, b"", b"")
    assert got == [b"deferred argument", b"panic value"]


def test_a_recovery_inside_a_deferred_call_keeps_the_panic_that_ran_it() -> None:
    """test1 of recover1.go with panic(1) raised one function deeper (a function with its own
    frame, already unwound when the deferred call runs): mustRecover(2) stops only panic 2;
    panic 1 goes on and mustRecover(1) recovers it (Go removes only panics started deeper
    on the stack than the recovering frame)."""
    r = Recover1()

    def noop(rt: RefRuntime) -> None:
        pass

    def g(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(noop, [])
            panic_int(rt, 1)

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(r.must_recover, [2])
            panic_int(rt, 2)

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(r.must_recover, [1])
            rt.gox_defer_push(d, [])
            g(rt)
        rt.gox_debug_print(1, K.INT)

    assert run(main) == (0, b"1\n", b"")
    assert r.problems == []


def test_a_panic_recovered_after_its_frame_unwound_is_not_reported_later() -> None:

    def g(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(printer, [0])
            panic_str(rt, "one")

    def d(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_recover()  # recovers "one": d is run by it directly

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(d, [])
            g(rt)
        panic_str(rt, "two")

    assert run(main) == (2, b"0\n", report("panic: two", fn=main))


def test_repanicking_the_recovered_value_prints_once_as_go_1_25_does() -> None:
    """crash_test.go RepanickedPanic and RepanickedMiddlePanic."""

    def repanic(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_panic(*rt.gox_recover())

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(repanic, [])
            panic_str(rt, "message")

    status, _, err = run(main)
    assert status == 2
    assert err == report("panic: message [recovered, repanicked]", fn=main)

    def recover_and_panic(text: str) -> Callable[[RefRuntime], None]:
        def deferred(rt: RefRuntime) -> None:
            with rt.defer_frame():
                rt.gox_recover()
                panic_str(rt, text)

        return deferred

    def f2(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(recover_and_panic("middle"), [])
            panic_str(rt, "inner")

    def f1(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(repanic, [])
            f2(rt)

    def main2(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(recover_and_panic("outer"), [])
            f1(rt)

    status, _, err = run(main2)
    assert status == 2
    assert err.startswith(b"panic: inner [recovered]\n\tpanic: middle [recovered, repanicked]\n\tpanic: outer\n")


def test_a_frame_that_recovered_can_panic_again_from_a_remaining_deferred_call() -> None:
    """inner recovers panic 1; its next deferred call panics 2, which goes on through main's
    frame (Go prints only ``panic: 2``); when that one is recovered too, inner returns
    normally."""

    def rec(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_recover()

    def inner(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(lambda rt: panic_int(rt, 2), [])
            rt.gox_defer_push(rec, [])
            panic_int(rt, 1)

    def main(rt: RefRuntime) -> None:
        with rt.defer_frame():
            inner(rt)

    status, _, err = run(main)
    assert status == 2
    assert err == report("panic: 2", fn=main)

    def inner2(rt: RefRuntime) -> None:
        with rt.defer_frame():
            rt.gox_defer_push(rec, [])
            rt.gox_defer_push(lambda rt: panic_int(rt, 2), [])
            rt.gox_defer_push(rec, [])
            panic_int(rt, 1)
        printer(rt, 7)

    def main2(rt: RefRuntime) -> None:
        with rt.defer_frame():
            inner2(rt)
        printer(rt, 8)

    assert run(main2) == (0, b"7\n8\n", b"")
