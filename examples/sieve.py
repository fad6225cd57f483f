"""The concurrent prime sieve (Go's test/chan/sieve1.go): the first 25 primes.

The Go program it models::

    func Generate(ch chan<- int) {
        for i := 2; ; i++ {
            ch <- i // Send 'i' to channel 'ch'.
        }
    }

    func Filter(in <-chan int, out chan<- int, prime int) {
        for {
            i := <-in // Receive value of new variable 'i' from 'in'.
            if i%prime != 0 {
                out <- i // Send 'i' to channel 'out'.
            }
        }
    }

    func main() {
        ch := make(chan int) // Create a new channel.
        go Generate(ch)      // Start Generate() as a subprocess.
        for i := 0; i < 25; i++ {
            prime := <-ch
            println(prime)
            ch1 := make(chan int)
            go Filter(ch, ch1, prime)
            ch = ch1
        }
    }

When main returns the generator and the 25 filters, all blocked, are abandoned, as in Go.
Run it: ``python examples/sieve.py``.
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
COUNT = 25


def generate(rt: RefRuntime, ch: int) -> None:
    i = 2
    while True:
        rt.gox_chan_send(ch, i)
        i += 1


def filter_(rt: RefRuntime, inp: int, out: int, prime: int) -> None:
    while True:
        i = rt.gox_chan_recv(inp)
        if i % prime != 0:
            rt.gox_chan_send(out, i)


def main(rt: RefRuntime) -> None:
    ch = rt.gox_chan_new(K.INT, 0)
    rt.gox_gc_pin(ch)  # no stack maps here: pin what Python locals hold across allocations
    rt.gox_go_spawn(generate, [ch])
    for _ in range(COUNT):
        prime = rt.gox_chan_recv(ch)
        rt.gox_debug_print(prime, K.INT)
        ch1 = rt.gox_chan_new(K.INT, 0)
        rt.gox_gc_pin(ch1)
        rt.gox_go_spawn(filter_, [ch, ch1, prime])
        ch = ch1


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
