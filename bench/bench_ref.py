"""Micro-benchmarks of the reference runtime's scheduler and channels.

Not a test: a script that prints a table (``python -m bench.bench_ref``; ``--json`` for
machine-readable output, ``--scale 0.1`` for a quick run).  Each figure is reported together
with the matching raw greenlet cost measured in the same run, and their ratio, so numbers from
different machines compare by the ratio column:

* ``pingpong``: one unbuffered round trip between two goroutines (send + reply), against one
  raw greenlet switch pair (a -> b -> a); its ``floor`` column is the same round trip through
  ``minimal_pingpong``'s yardstick channel, the least any channel on greenlets can do;
* ``minimal channel``: that yardstick's round trip itself, against one raw switch pair (how far
  a runtime's channels can get from raw greenlets at best);
* ``buffered``: one message through a buffered channel (cap 128) from a producer goroutine to
  a consumer goroutine, against one raw switch pair;
* ``spawn``: spawning a goroutine that returns at once, running it and retiring it, against
  creating a raw greenlet and running it to completion;
* ``parked``: memory per goroutine with 100k goroutines parked on a channel receive
  (tracemalloc, and the resident set size delta), against 100k raw greenlets suspended once.

Times are the best of ``--repeat`` runs (default 3).  Tracing is off.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import time
import tracemalloc
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import greenlet

from gox_ref import RefRuntime
from gox_ref import ValueKind as K


@dataclass
class Row:
    name: str
    n: int
    value: float  # per operation
    unit: str
    baseline: float  # the raw greenlet cost per operation, same unit
    baseline_what: str
    floor: float | None = None  # the same operation on the yardstick (the least it can cost), same unit
    floor_what: str = ""

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def floor_ratio(self) -> float | None:
        return self.value / self.floor if self.floor else None


def best_of(repeat: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(repeat))


def new_rt() -> RefRuntime:
    return RefRuntime(out=io.BytesIO())


# -- raw greenlet baselines ---------------------------------------------------------------------


def raw_switch_pair(n: int) -> float:
    """Seconds per a -> b -> a switch pair between two greenlets."""
    main = greenlet.getcurrent()

    def body() -> None:
        while True:
            main.switch()

    other = greenlet.greenlet(body)
    other.switch()
    t0 = time.perf_counter()
    for _ in range(n):
        other.switch()
    dt = time.perf_counter() - t0
    other.throw(greenlet.GreenletExit)
    return dt / n


def raw_spawn(n: int) -> float:
    """Seconds to create a greenlet and run it to completion."""

    def body() -> None:
        return None

    t0 = time.perf_counter()
    for _ in range(n):
        greenlet.greenlet(body).switch()
    return (time.perf_counter() - t0) / n


# -- the floor of a channel on greenlets: a yardstick, not a runtime -------------------------------


class _MinG:
    """A goroutine of the yardstick: its greenlet and the value handed to it."""

    __slots__ = ("glet", "value")

    def __init__(self, glet: greenlet.greenlet) -> None:
        self.glet = glet
        self.value = 0


class _MinChan:
    """An unbuffered channel of the yardstick: only its queues of parked goroutines."""

    __slots__ = ("recvq", "sendq")

    def __init__(self) -> None:
        self.recvq: deque[_MinG] = deque()
        self.sendq: deque[_MinG] = deque()


class _MinSched:
    """The least a scheduler of channels on greenlets does: channels found by their int handle
    (the ABI passes ints), hand-off to the first parked goroutine, which joins the run queue;
    a goroutine that must wait parks and switches straight to the front of the run queue."""

    def __init__(self) -> None:
        self.chans: dict[int, _MinChan] = {}
        self.runq: deque[_MinG] = deque()
        self.current = _MinG(greenlet.getcurrent())

    def send(self, ch: int, value: int) -> None:
        c = self.chans[ch]
        if c.recvq:
            g = c.recvq.popleft()
            g.value = value
            self.runq.append(g)
            return
        me = self.current
        me.value = value
        c.sendq.append(me)
        self._park()

    def recv(self, ch: int) -> int:
        c = self.chans[ch]
        if c.sendq:
            g = c.sendq.popleft()
            self.runq.append(g)
            return g.value
        me = self.current
        c.recvq.append(me)
        self._park()
        return me.value

    def _park(self) -> None:
        g = self.current = self.runq.popleft()
        g.glet.switch()


def minimal_pingpong(n: int) -> float:
    """Seconds per unbuffered round trip through the least any Python channel on greenlets can
    do (``_MinSched``): the floor ``bench_pingpong`` compares with.  A yardstick, not a runtime:
    no argument checks, no kinds, no close, no buffer, no select, no GC roots, no wait reasons
    or deadlock report, no tracing; the same two goroutines and the same sends and receives."""
    s = _MinSched()
    s.chans[1] = _MinChan()
    s.chans[2] = _MinChan()

    def ponger() -> None:
        for _ in range(n):
            s.send(2, s.recv(1) + 1)

    pong = _MinG(greenlet.greenlet(ponger))
    s.runq.append(pong)
    t0 = time.perf_counter()
    v = 0
    for _ in range(n):
        s.send(1, v)
        v = s.recv(2)
    dt = time.perf_counter() - t0
    assert v == n
    pong.glet.throw(greenlet.GreenletExit)  # it is parked after its last send: end it
    return dt / n


def rss_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def raw_parked_memory(n: int) -> tuple[float, float]:
    """(tracemalloc bytes, RSS bytes) per greenlet suspended once in its body."""
    main = greenlet.getcurrent()

    def body() -> None:
        main.switch()

    gc.collect()
    rss0 = rss_bytes()
    tracemalloc.start()
    glets = []
    for _ in range(n):
        g = greenlet.greenlet(body)
        g.switch()
        glets.append(g)
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = rss_bytes()
    for g in glets:
        g.throw(greenlet.GreenletExit)
    return traced / n, (rss1 - rss0) / n


# -- runtime benchmarks -------------------------------------------------------------------------


def bench_pingpong(n: int) -> float:
    """Seconds per unbuffered round trip."""
    rt = new_rt()
    elapsed = [0.0]

    def ponger(rt: RefRuntime, ping: int, pong: int) -> None:
        for _ in range(n):
            rt.gox_chan_send(pong, rt.gox_chan_recv(ping) + 1)

    def main(rt: RefRuntime) -> None:
        ping = rt.gox_chan_new(K.INT, 0)
        pong = rt.gox_chan_new(K.INT, 0)
        rt.gox_gc_pin(ping)
        rt.gox_gc_pin(pong)
        rt.gox_go_spawn(ponger, [ping, pong])
        t0 = time.perf_counter()
        v = 0
        for _ in range(n):
            rt.gox_chan_send(ping, v)
            v = rt.gox_chan_recv(pong)
        elapsed[0] = time.perf_counter() - t0
        assert v == n

    assert rt.run_main(main, [], seed=1) == 0
    return elapsed[0] / n


def bench_buffered(n: int, cap: int = 128) -> float:
    """Seconds per message through a buffered channel, producer to consumer."""
    rt = new_rt()
    elapsed = [0.0]

    def producer(rt: RefRuntime, ch: int) -> None:
        for i in range(n):
            rt.gox_chan_send(ch, i)
        rt.gox_chan_close(ch)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, cap)
        rt.gox_gc_pin(ch)
        t0 = time.perf_counter()
        rt.gox_go_spawn(producer, [ch])
        total = 0
        while True:
            v, ok = rt.gox_chan_recv_ok(ch)
            if not ok:
                break
            total += v
        elapsed[0] = time.perf_counter() - t0
        assert total == n * (n - 1) // 2

    assert rt.run_main(main, [], seed=1) == 0
    return elapsed[0] / n


def bench_spawn(n: int) -> float:
    """Seconds per goroutine spawned, run to completion and retired."""
    rt = new_rt()
    elapsed = [0.0]
    ran = [0]

    def nop(rt: RefRuntime) -> None:
        ran[0] += 1

    def main(rt: RefRuntime) -> None:
        t0 = time.perf_counter()
        for _ in range(n):
            rt.gox_go_spawn(nop, [])
        rt.gox_yield()  # main goes behind all of them: they all run and exit first
        elapsed[0] = time.perf_counter() - t0

    assert rt.run_main(main, [], seed=1) == 0
    assert ran[0] == n
    return elapsed[0] / n


def bench_parked_memory(n: int) -> tuple[float, float]:
    """(tracemalloc bytes, RSS bytes) per goroutine parked on a channel receive."""
    rt = new_rt()
    result = [0.0, 0.0]

    def waiter(rt: RefRuntime, ch: int) -> None:
        rt.gox_chan_recv(ch)

    def main(rt: RefRuntime) -> None:
        ch = rt.gox_chan_new(K.INT, 0)
        rt.gox_gc_pin(ch)
        gc.collect()
        rss0 = rss_bytes()
        tracemalloc.start()
        for _ in range(n):
            rt.gox_go_spawn(waiter, [ch])
        rt.gox_yield()  # every waiter runs and parks; then main runs again
        traced, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result[0] = traced / n
        result[1] = (rss_bytes() - rss0) / n
        assert sum(1 for g in rt.goroutines.values() if g.wait_reason == "chan receive") == n

    assert rt.run_main(main, [], seed=1) == 0
    return result[0], result[1]


# -- the report ---------------------------------------------------------------------------------


def run(scale: float, repeat: int) -> list[Row]:
    n_switch = max(int(200_000 * scale), 1000)
    n_pp = max(int(50_000 * scale), 1000)
    n_buf = max(int(200_000 * scale), 1000)
    n_spawn = max(int(50_000 * scale), 1000)
    n_park = max(int(100_000 * scale), 1000)
    us = 1e6
    pair = best_of(repeat, lambda: raw_switch_pair(n_switch)) * us
    pingpong = best_of(repeat, lambda: bench_pingpong(n_pp)) * us
    floor = best_of(repeat, lambda: minimal_pingpong(n_pp)) * us
    buffered = best_of(repeat, lambda: bench_buffered(n_buf)) * us
    spawn = best_of(repeat, lambda: bench_spawn(n_spawn)) * us
    raw_spawn_us = best_of(repeat, lambda: raw_spawn(n_spawn)) * us
    rows = [
        Row("pingpong round trip (unbuffered)", n_pp, pingpong, "us", pair, "greenlet switch pair",
            floor, "minimal channel round trip"),
        Row("minimal channel round trip (yardstick)", n_pp, floor, "us", pair, "greenlet switch pair"),
        Row("buffered message (cap 128)", n_buf, buffered, "us", pair, "greenlet switch pair"),
        Row("spawn + run + exit", n_spawn, spawn, "us", raw_spawn_us, "greenlet create + run"),
        Row("spawn + run + exit", n_spawn, spawn, "us", pair, "greenlet switch pair"),
    ]
    raw_mem, raw_rss = raw_parked_memory(n_park)
    mem, rss = bench_parked_memory(n_park)
    rows.append(Row("parked goroutine memory (tracemalloc)", n_park, mem, "B", raw_mem, "suspended greenlet"))
    rows.append(Row("parked goroutine memory (RSS delta)", n_park, rss, "B", raw_rss, "suspended greenlet"))
    return rows


def table(rows: list[Row]) -> str:
    head = (f"{'benchmark':<40} {'n':>8} {'per op':>12} {'raw greenlet':>14} {'ratio':>7} "
            f"{'floor':>12} {'/floor':>7}  baseline")
    lines = [head, "-" * len(head)]
    for r in rows:
        floor = f"{r.floor:>9.3f} {r.unit:<2}" if r.floor is not None else f"{'-':>12}"
        floor_ratio = f"{r.floor_ratio:>7.1f}" if r.floor_ratio is not None else f"{'-':>7}"
        lines.append(
            f"{r.name:<40} {r.n:>8} {r.value:>9.3f} {r.unit:<2} {r.baseline:>11.3f} {r.unit:<2} "
            f"{r.ratio:>7.1f} {floor} {floor_ratio}  {r.baseline_what}"
            + (f"; floor: {r.floor_what}" if r.floor is not None else "")
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every iteration count (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    args = ap.parse_args(argv)
    rows = run(args.scale, max(args.repeat, 1))
    if args.json:
        doc: list[dict[str, Any]] = [{**asdict(r), "ratio": r.ratio, "floor_ratio": r.floor_ratio} for r in rows]
        print(json.dumps({"greenlet": greenlet.__version__, "results": doc}, indent=2))
    else:
        print(f"greenlet {greenlet.__version__}; per-op figures are the best of {args.repeat} runs")
        print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
