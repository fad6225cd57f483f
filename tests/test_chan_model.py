"""Random channel programs against small models.

1. One goroutine doing random sends, receives, closes, len/cap and non-blocking selects on a
   few channels of random capacities (and the nil channel), compared step by step with a
   deque model that includes Go's panics; an operation that would block ends the program
   (a deadlock inside run_main, ``GoxFatal`` at host level) and changes nothing.
2. Producer/consumer programs whose outcome does not depend on the schedule: every value
   sent is received exactly once, and each consumer sees each producer's values in order,
   whatever the seed, the capacities, the yields and the send/receive forms.
"""

from __future__ import annotations

import collections
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from conftest import PYTHON_GOROUTINES
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_ref import GoxFatal, GoxPanic, RefRuntime, ValueKind
from gox_ref.chan import chan_state

pytestmark = PYTHON_GOROUTINES

K = ValueKind
NCHANS = 3


# -- 1. the sequential model --------------------------------------------------------------------
@dataclass
class ModelChan:
    cap: int
    buf: collections.deque[int] = field(default_factory=collections.deque)
    closed: bool = False


BLOCKS = "blocks"

Op = tuple[str, int, int]  # (name, channel index (-1: nil), value)

op_strategy = st.tuples(
    st.sampled_from(["send", "recv", "recv_ok", "close", "len", "cap", "nbsend", "nbrecv", "select_any"]),
    st.integers(-1, NCHANS - 1),
    st.integers(0, (1 << 64) - 1),
)


def model_step(chans: list[ModelChan], op: Op) -> object:
    """What Go does: a result, ("panic", text) or BLOCKS (the state is unchanged then)."""
    name, i, v = op
    c = chans[i] if i >= 0 else None
    if name in ("len", "cap"):
        if c is None:
            return 0
        return len(c.buf) if name == "len" else c.cap
    if name == "close":
        if c is None:
            return ("panic", "close of nil channel")
        if c.closed:
            return ("panic", "close of closed channel")
        c.closed = True
        return None
    if name in ("send", "nbsend"):
        if c is None:
            return BLOCKS if name == "send" else False
        if c.closed:
            return ("panic", "send on closed channel")
        if len(c.buf) < c.cap:
            c.buf.append(v)
            return None if name == "send" else True
        return BLOCKS if name == "send" else False
    if name in ("recv", "recv_ok", "nbrecv"):
        if c is None:
            return BLOCKS if name != "nbrecv" else (-1, 0, False)
        if c.buf:
            got = (c.buf.popleft(), True)
        elif c.closed:
            got = (0, False)
        else:
            return BLOCKS if name != "nbrecv" else (-1, 0, False)
        return got[0] if name == "recv" else got if name == "recv_ok" else (0, *got)
    raise AssertionError(name)


def select_any_ready(chans: list[ModelChan], case_chan: int) -> set[int]:
    """select_any: a receive from every channel and a send on the op's channel (if not nil),
    plus default; the cases that can proceed."""
    ready = {i for i, c in enumerate(chans) if c.buf or c.closed}
    if case_chan >= 0:
        c = chans[case_chan]
        if c.closed or len(c.buf) < c.cap:
            ready.add(NCHANS)
    return ready


def real_step(rt: RefRuntime, refs: list[int], op: Op) -> object:
    name, i, v = op
    ch = refs[i] if i >= 0 else 0
    if name == "send":
        rt.gox_chan_send(ch, v)
        return None
    if name == "recv":
        return rt.gox_chan_recv(ch)
    if name == "recv_ok":
        return rt.gox_chan_recv_ok(ch)
    if name == "close":
        rt.gox_chan_close(ch)
        return None
    if name == "len":
        return rt.gox_chan_len(ch)
    if name == "cap":
        return rt.gox_chan_cap(ch)
    if name == "nbsend":
        rt.gox_select_start(1, True)
        rt.gox_select_add_send(ch, v)
        return rt.gox_select_exec() == 0
    if name == "nbrecv":
        rt.gox_select_start(1, True)
        rt.gox_select_add_recv(ch)
        k = rt.gox_select_exec()
        return (k, *rt.gox_select_recv_result()) if k == 0 else (k, 0, False)
    raise AssertionError(name)


Attempt = Callable[[RefRuntime, Callable[[], object]], object]


def host_attempt(rt: RefRuntime, f: Callable[[], object]) -> object:
    """Outside a program a panic is the exception GoxPanic."""
    try:
        return f()
    except GoxPanic as e:
        return ("panic", str(e))


def program_attempt(rt: RefRuntime, f: Callable[[], object]) -> object:
    """Inside a program: ``func() { defer func() { r = recover() }(); f() }()``."""
    caught: list[object] = []

    def catch(rt: RefRuntime) -> None:
        with rt.defer_frame():
            slot0, slot1 = rt.gox_recover()
            if (slot0, slot1) != (0, 0):
                assert rt.gox_interface_unbox_kind(slot0) == K.STRING
                caught.append(("panic", bytes(rt.gox_string_read(slot1)).decode()))

    result: list[object] = []
    with rt.defer_frame():
        rt.gox_defer_push(catch, [])
        result.append(f())
    return caught[0] if caught else result[0]


def check_program(caps: list[int], ops: list[Op], rt: RefRuntime, refs: list[int], attempt: Attempt) -> list[object]:
    """Run ``ops`` on ``rt`` beside the model; returns the results; stops at a blocking op."""
    model = [ModelChan(c) for c in caps]
    results: list[object] = []
    for op in ops:
        if op[0] == "select_any":
            ready = select_any_ready(model, op[1])

            def sel(op: Op = op) -> object:
                rt.gox_select_start(NCHANS + 1, True)
                for ch in refs:
                    rt.gox_select_add_recv(ch)
                rt.gox_select_add_send(refs[op[1]] if op[1] >= 0 else 0, op[2])
                return rt.gox_select_exec()

            k = attempt(rt, sel)
            if isinstance(k, tuple):
                # only a send case on a closed channel panics, and only if the poll reached it
                assert k == ("panic", "send on closed channel") and model[op[1]].closed
                results.append(k)
                continue
            if not ready:
                assert k == -1
            else:
                assert k in ready
                if k == NCHANS:
                    assert model_step(model, ("send", op[1], op[2])) is None
                else:
                    assert rt.gox_select_recv_result() == model_step(model, ("recv_ok", k, 0))
            results.append(k)
            continue
        expected = model_step(model, op)
        if expected is BLOCKS:
            results.append(BLOCKS)
            return results
        got = attempt(rt, lambda op=op: real_step(rt, refs, op))  # type: ignore[misc]
        assert got == expected, (op, got, expected)
        results.append(got)
        for c, ref in zip(model, refs, strict=True):
            assert rt.gox_chan_len(ref) == len(c.buf)
    return results


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=NCHANS, max_size=NCHANS), st.lists(op_strategy, max_size=40))
def test_sequential_ops_match_the_model_at_host_level(caps: list[int], ops: list[Op]) -> None:
    rt = RefRuntime()
    refs = [rt.gox_chan_new(K.INT, c) for c in caps]
    results = check_program(caps, ops, rt, refs, host_attempt)
    if results and results[-1] is BLOCKS:
        # the blocking op, run for real, is fatal outside a program and changes nothing
        before = [(rt.gox_chan_len(r), list(chan_state(rt.heap.get(r, "t")).buf)) for r in refs]
        op = ops[len(results) - 1]
        try:
            real_step(rt, refs, op)
            raise AssertionError(f"{op} did not block")
        except GoxFatal as e:
            assert "all goroutines are asleep - deadlock!" in str(e)
        assert [(rt.gox_chan_len(r), list(chan_state(rt.heap.get(r, "t")).buf)) for r in refs] == before


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=NCHANS, max_size=NCHANS),
    st.lists(op_strategy, max_size=30),
    st.integers(0, (1 << 64) - 1),
)
def test_sequential_ops_match_the_model_in_a_program(caps: list[int], ops: list[Op], seed: int) -> None:
    """The same inside run_main: each panic is recovered by a deferred call; an op that blocks
    ends the program with the deadlock report naming the op's wait reason."""
    results: list[object] = []

    def main(rt: RefRuntime) -> None:
        refs = [rt.gox_chan_new(K.INT, c) for c in caps]
        for r in refs:
            rt.gox_gc_pin(r)
        results.extend(check_program(caps, ops, rt, refs, program_attempt))
        if results and results[-1] is BLOCKS:
            real_step(rt, refs, ops[len(results) - 1])

    out, err = io.BytesIO(), io.BytesIO()
    rt = RefRuntime()
    rt.set_output(out, err)
    status = rt.run_main(main, [], seed=seed)
    if results and results[-1] is BLOCKS:
        name, i, _ = ops[len(results) - 1]
        reason = "chan send" if name == "send" else "chan receive"
        if i < 0:
            reason += " (nil chan)"
        assert status == 2
        assert (
            err.getvalue()
            == (
                f"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [{reason}]:\n{main.__qualname__}(...)\n\n"
            ).encode()
        )
    else:
        assert (status, err.getvalue()) == (0, b"")


# -- 2. schedule-independent producer/consumer programs ------------------------------------------
@dataclass
class Producer:
    count: int
    yields: list[bool]  # yield after the i-th send (cycled)
    via_select: bool  # send through a two-case select with a never-ready case


producer_strategy = st.builds(
    Producer,
    count=st.integers(0, 12),
    yields=st.lists(st.booleans(), min_size=1, max_size=5),
    via_select=st.booleans(),
)


@settings(max_examples=120, deadline=None)
@given(
    producers=st.lists(producer_strategy, min_size=1, max_size=4),
    consumer_modes=st.lists(st.sampled_from(["recv_ok", "select", "select_default"]), min_size=1, max_size=3),
    cap=st.integers(0, 3),
    seed=st.integers(0, (1 << 64) - 1),
)
def test_every_value_is_received_once_in_per_sender_order(
    producers: list[Producer], consumer_modes: list[str], cap: int, seed: int
) -> None:
    received: list[list[int]] = [[] for _ in consumer_modes]

    def producer(rt: RefRuntime, n: int, data: int, done: int, never: int) -> None:
        p = producers[n]
        for seq in range(p.count):
            v = n * 1000 + seq
            if p.via_select:
                rt.gox_select_start(2, False)
                rt.gox_select_add_recv(never)
                rt.gox_select_add_send(data, v)
                assert rt.gox_select_exec() == 1
            else:
                rt.gox_chan_send(data, v)
            if p.yields[seq % len(p.yields)]:
                rt.gox_yield()
        rt.gox_chan_send(done, n)

    def closer(rt: RefRuntime, data: int, done: int) -> None:
        for _ in producers:
            rt.gox_chan_recv(done)
        rt.gox_chan_close(data)

    def consumer(rt: RefRuntime, n: int, data: int, fin: int, never: int) -> None:
        mode = consumer_modes[n]
        while True:
            if mode == "recv_ok":
                v, ok = rt.gox_chan_recv_ok(data)
            else:
                rt.gox_select_start(2, mode == "select_default")
                rt.gox_select_add_recv(never)
                rt.gox_select_add_recv(data)
                k = rt.gox_select_exec()
                if k == -1:
                    rt.gox_yield()
                    continue
                assert k == 1
                v, ok = rt.gox_select_recv_result()
            if not ok:
                break
            received[n].append(v)
        rt.gox_chan_send(fin, n)

    def main(rt: RefRuntime) -> None:
        data = rt.gox_chan_new(K.INT, cap)
        done = rt.gox_chan_new(K.INT, 0)
        fin = rt.gox_chan_new(K.INT, 0)
        never = rt.gox_chan_new(K.INT, 0)
        for r in (data, done, fin, never):
            rt.gox_gc_pin(r)
        for n in range(len(consumer_modes)):
            rt.gox_go_spawn(consumer, [n, data, fin, never])
        for n in range(len(producers)):
            rt.gox_go_spawn(producer, [n, data, done, never])
        rt.gox_go_spawn(closer, [data, done])
        for _ in consumer_modes:
            rt.gox_chan_recv(fin)

    out, err = io.BytesIO(), io.BytesIO()
    rt = RefRuntime()
    rt.set_output(out, err)
    assert rt.run_main(main, [], seed=seed) == 0, err.getvalue()
    assert err.getvalue() == b""
    everything = sorted(v for got in received for v in got)
    assert everything == sorted(n * 1000 + s for n, p in enumerate(producers) for s in range(p.count))
    for got in received:
        for n in range(len(producers)):
            mine = [v for v in got if v // 1000 == n]
            assert mine == sorted(mine)
    # and the run replays exactly from its seed
    first = [list(got) for got in received]
    for got in received:
        got.clear()
    rt2 = RefRuntime()
    rt2.set_output(io.BytesIO(), io.BytesIO())
    assert rt2.run_main(main, [], seed=seed) == 0
    assert received == first
