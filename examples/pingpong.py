"""Ping-pong: two goroutines hand a counter back and forth over unbuffered channels.

The Go program it models::

    func ponger(ping <-chan int, pong chan<- int) {
        for n := range ping {
            print("  pong ", n, "\\n")
            pong <- n + 1
        }
        close(pong)
    }

    func main() {
        ping, pong := make(chan int), make(chan int)
        go ponger(ping, pong)
        n := 0
        for i := 0; i < 5; i++ {
            print("ping ", n, "\\n")
            ping <- n
            n = <-pong
        }
        close(ping)
        _, ok := <-pong
        println("done", n, ok)
    }

Run it: ``python examples/pingpong.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from gox_ref import RefRuntime  # noqa: E402
from gox_ref import ValueKind as K  # noqa: E402

SEED = 1


def write(rt: RefRuntime, text: str) -> None:
    """print(text): the string is made and printed with no allocation in between."""
    rt.gox_debug_write(rt.gox_rt_string_from_ptr(text.encode()), K.STRING)


def ponger(rt: RefRuntime, ping: int, pong: int) -> None:
    it = rt.gox_iter_begin(ping, K.CHANNEL)  # for n := range ping
    while True:
        more, n, _ = rt.gox_iter_next(it)
        if not more:
            break
        write(rt, "  pong ")
        rt.gox_debug_print(n, K.INT)
        rt.gox_chan_send(pong, n + 1)
    rt.gox_iter_end(it)
    rt.gox_chan_close(pong)


def main(rt: RefRuntime) -> None:
    ping = rt.gox_chan_new(K.INT, 0)
    rt.gox_gc_pin(ping)  # no stack maps here: pin what Python locals hold across allocations
    pong = rt.gox_chan_new(K.INT, 0)
    rt.gox_gc_pin(pong)
    rt.gox_go_spawn(ponger, [ping, pong])
    n = 0
    for _ in range(5):
        write(rt, "ping ")
        rt.gox_debug_print(n, K.INT)
        rt.gox_chan_send(ping, n)
        n = rt.gox_chan_recv(pong)
    rt.gox_chan_close(ping)
    _, ok = rt.gox_chan_recv_ok(pong)
    write(rt, "done ")
    rt.gox_debug_write(n, K.INT)
    write(rt, " ")
    rt.gox_debug_print(ok, K.BOOL)


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
