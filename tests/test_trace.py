"""The opt-in event log (gox_ref/trace.py) and its Chrome Trace Event export."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import PYTHON_GOROUTINES, K

from gox_ref import RefRuntime
from gox_ref.trace import TraceLog

pytestmark = PYTHON_GOROUTINES


def worker(rt: RefRuntime, ch: int) -> None:
    rt.gox_chan_send(ch, 42)


def pingpong_main(rt: RefRuntime) -> None:
    ch = rt.gox_chan_new(K.INT, 0)
    rt.gox_go_spawn(worker, [ch])
    rt.gox_debug_print(rt.gox_chan_recv(ch), K.INT)


def traced(main: object, seed: int = 1) -> tuple[int, TraceLog, bytes]:
    out = io.BytesIO()
    rt = RefRuntime(out=out)
    rt.set_output(out, io.BytesIO())
    log = rt.start_trace()
    status = rt.run_main(main, [], seed=seed)
    assert rt.stop_trace() is log
    return status, log, out.getvalue()


def test_events_of_a_small_program() -> None:
    status, log, out = traced(pingpong_main)
    assert status == 0 and out == b"42\n"
    assert log.canonical() == [
        "1 g0 spawn child=1",
        "2 g1 run",
        "3 g1 spawn child=2",
        "4 g1 park reason='chan receive'",
        "5 g2 run",
        "6 g2 send chan=1 to=1 value=42",
        "7 g2 wake target=1",
        "8 g2 exit",
        "9 g1 run",
        "10 g1 exit",
    ]
    assert [e.seq for e in log.events] == list(range(1, 11))


def test_select_yield_close_panic_recover_events() -> None:
    def recoverer(rt: RefRuntime) -> None:
        with rt.defer_frame():  # a function that calls recover opens a frame
            rt.gox_recover()

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 1)
        rt.gox_select_start(2, False)
        rt.gox_select_add_send(ch, 5)
        rt.gox_select_add_recv(0)
        rt.gox_select_exec()
        rt.gox_yield()
        rt.gox_chan_close(ch)
        with rt.defer_frame():
            rt.gox_defer_push(recoverer, [])
            rt.gox_panic(rt.gox_interface_pack(0, 0, K.INT), 7)

    status, log, _ = traced(main)
    assert status == 0
    names = log.names()
    for n in ("select", "yield", "close", "panic", "recovered", "recover", "exit"):
        assert n in names, n
    sel = next(e for e in log.events if e.name == "select")
    assert sel.args == {"case": 0} and sel.gid == 1
    panic = next(e for e in log.events if e.name == "panic")
    assert panic.args == {"value": "7"}


def test_fatal_event_on_deadlock() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_chan_recv(rt.gox_chan_new(K.INT, 0))

    status, log, _ = traced(main)
    assert status == 2
    assert log.events[-1].name == "fatal"
    assert log.events[-1].args == {"message": "all goroutines are asleep - deadlock!"}


def test_gc_cycle_events_carry_statistics() -> None:
    def main(rt: RefRuntime) -> None:
        rt.gox_rt_slice_create(K.INT, 0xFFFF, 10, 10)
        rt.gox_collect_garbage()

    _, log, _ = traced(main)
    gc = [e for e in log.events if e.name.startswith("gc_")]
    assert [e.name for e in gc] == ["gc_start", "gc_end"]
    assert all(e.gid == 1 for e in gc)
    assert gc[0].args["cycles"] == 0 and gc[1].args["cycles"] == 1
    assert gc[1].args["freed_objects"] == 2  # the slice header and its array
    assert set(gc[0].args) >= {"live_bytes", "threshold", "allocated_bytes", "state"}


def test_chrome_json_is_valid_and_balanced(tmp_path: Path) -> None:
    def main(rt: RefRuntime) -> None:
        pingpong_main(rt)
        rt.gox_collect_garbage()

    _, log, _ = traced(main)
    doc = json.loads(log.to_chrome_json())
    evs = doc["traceEvents"]
    assert isinstance(evs, list) and evs
    for e in evs:
        assert {"ph", "ts", "pid", "tid", "name", "args"} <= set(e), e
        assert e["ph"] in ("M", "B", "E", "i")
        assert isinstance(e["ts"], int) and e["pid"] == 1
        if e["ph"] == "i":
            assert e["s"] == "t"
    depth: dict[tuple[int, str], int] = {}
    last_ts = 0
    for e in evs:
        if e["ph"] == "M":
            continue
        assert e["ts"] >= last_ts  # in clock order
        last_ts = e["ts"]
        key = (e["tid"], e["name"])
        if e["ph"] == "B":
            depth[key] = depth.get(key, 0) + 1
        elif e["ph"] == "E":
            depth[key] -= 1
            assert depth[key] >= 0
    assert all(d == 0 for d in depth.values())
    assert {(e["tid"], e["name"]) for e in evs if e["ph"] == "B"} == {(1, "running"), (2, "running"), (0, "gc cycle")}
    names = {e["args"]["name"] for e in evs if e["ph"] == "M" and e["name"] == "thread_name"}
    assert names == {"host", "goroutine 1", "goroutine 2"}
    path = tmp_path / "trace.json"
    log.write(path)
    assert json.loads(path.read_text()) == doc


def test_open_slices_are_closed_at_the_end() -> None:
    log = TraceLog()
    log.record("run", 3)
    doc = log.to_chrome()
    tail = doc["traceEvents"][-1]
    assert tail == {"pid": 1, "tid": 3, "ts": 2, "ph": "E", "name": "running", "args": {}}


def _select_heavy(rt: RefRuntime) -> None:
    a = rt.gox_chan_new(K.INT, 4)
    b = rt.gox_chan_new(K.INT, 4)
    for i in range(4):
        rt.gox_chan_send(a, i)
        rt.gox_chan_send(b, 100 + i)
    for _ in range(8):
        rt.gox_select_start(2, False)
        rt.gox_select_add_recv(a)
        rt.gox_select_add_recv(b)
        rt.gox_select_exec()
        rt.gox_debug_print(rt.gox_select_recv_result()[0], K.INT)


def test_same_seed_gives_identical_canonical_trace() -> None:
    for seed in (1, 2, 77):
        _, log1, out1 = traced(_select_heavy, seed)
        _, log2, out2 = traced(_select_heavy, seed)
        assert log1.canonical() == log2.canonical()
        assert out1 == out2
        assert log1.to_chrome_json() == log2.to_chrome_json()


def test_different_seeds_can_differ() -> None:
    traces = {tuple(traced(_select_heavy, seed)[1].canonical()) for seed in range(1, 10)}
    assert len(traces) > 1


def test_tracing_is_opt_in_and_stops() -> None:
    rt = RefRuntime(out=io.BytesIO())
    assert rt.tracer is None
    assert rt.stop_trace() is None
    log = rt.start_trace()
    assert rt.tracer is not None and len(rt.gc.on_cycle) == 1
    log2 = rt.start_trace()  # replaces the running trace
    assert len(rt.gc.on_cycle) == 1
    rt.run_main(pingpong_main, [], seed=1)
    assert log.events == [] and log2.events
    rt.stop_trace()
    assert rt.tracer is None and rt.gc.on_cycle == []
    n = len(log2.events)
    rt.run_main(pingpong_main, [], seed=1)
    assert len(log2.events) == n
