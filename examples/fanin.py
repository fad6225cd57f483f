"""Fan-in with select: two producers, one consumer multiplexing them (Go's "boring" talk).

The Go program it models::

    func producer(name int, n int, out chan<- int) {
        for i := 0; i < n; i++ {
            out <- name*100 + i
        }
        close(out)
    }

    func main() {
        joe, ann := make(chan int), make(chan int)
        go producer(1, 4, joe)
        go producer(2, 3, ann)
        counts := map[int]int{}
        for joe != nil || ann != nil {
            select {
            case v, ok := <-joe:
                if !ok { joe = nil; println("joe done"); continue }
                println("joe says", v); counts[1]++
            case v, ok := <-ann:
                if !ok { ann = nil; println("ann done"); continue }
                println("ann says", v); counts[2]++
            }
        }
        for who, n := range counts {
            println("producer", who, "sent", n)
        }
    }

Which ready case a select takes, and where the map loop starts, are drawn from the runtime's
seeded generator: the output is the same for every run with the same seed (SEED below).
Run it: ``python examples/fanin.py``.
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
    rt.gox_debug_write(rt.gox_rt_string_from_ptr(text.encode()), K.STRING)


def producer(rt: RefRuntime, name: int, n: int, out: int) -> None:
    for i in range(n):
        rt.gox_chan_send(out, name * 100 + i)
    rt.gox_chan_close(out)


def main(rt: RefRuntime) -> None:
    joe = rt.gox_chan_new(K.INT, 0)
    rt.gox_gc_pin(joe)  # no stack maps here: pin what Python locals hold across allocations
    ann = rt.gox_chan_new(K.INT, 0)
    rt.gox_gc_pin(ann)
    rt.gox_go_spawn(producer, [1, 4, joe])
    rt.gox_go_spawn(producer, [2, 3, ann])
    counts = rt.gox_rt_map_new(K.INT, K.INT)
    rt.gox_gc_pin(counts)
    names = {1: "joe", 2: "ann"}
    while joe or ann:
        rt.gox_select_start(2, False)
        rt.gox_select_add_recv(joe)
        rt.gox_select_add_recv(ann)
        case = rt.gox_select_exec()
        v, ok = rt.gox_select_recv_result()
        who = case + 1
        if not ok:
            if who == 1:
                joe = 0
            else:
                ann = 0
            write(rt, f"{names[who]} done\n")
            continue
        write(rt, f"{names[who]} says ")
        rt.gox_debug_print(v, K.INT)
        rt.gox_map_set(counts, who, rt.gox_map_get(counts, who)[0] + 1)
    it = rt.gox_iter_begin(counts, K.MAP)
    while True:
        more, who, n = rt.gox_iter_next(it)
        if not more:
            break
        write(rt, "producer ")
        rt.gox_debug_write(who, K.INT)
        write(rt, " sent ")
        rt.gox_debug_print(n, K.INT)
    rt.gox_iter_end(it)


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
