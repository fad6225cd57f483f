"""An unrecovered panic in a goroutine ends the whole program with Go's report and status 2.

The Go program it models::

    func worker(done chan<- bool) {
        defer println("worker: deferred call runs before the crash")
        var s []int
        println("worker: about to index", 5)
        _ = s[5]
        done <- true
    }

    func main() {
        done := make(chan bool)
        go worker(done)
        println("main: waiting")
        <-done
        println("main: never printed")
    }

Output (debug output to stdout, the report to stderr)::

    main: waiting
    worker: about to index 5
    worker: deferred call runs before the crash
    panic: runtime error: index out of range [5] with length 0

    goroutine 2 [running]:
    worker(...)

Run it: ``python examples/crash.py`` (exit status 2).
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


def deferred(rt: RefRuntime) -> None:
    write(rt, "worker: deferred call runs before the crash\n")


def worker(rt: RefRuntime, done: int) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(deferred, [])
        write(rt, "worker: about to index ")
        rt.gox_debug_print(5, K.INT)
        rt.gox_slice_get(0, 5)  # s[5] on a nil slice
        rt.gox_chan_send(done, 1)


def main(rt: RefRuntime) -> None:
    done = rt.gox_chan_new(K.BOOL, 0)
    rt.gox_gc_pin(done)
    rt.gox_go_spawn(worker, [done])
    write(rt, "main: waiting\n")
    rt.gox_chan_recv(done)
    write(rt, "main: never printed\n")


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
