"""Defer, panic and recover (the example of the Go blog post "Defer, Panic, and Recover").

The Go program it models::

    func main() {
        f()
        println("Returned normally from f.")
    }

    func f() {
        defer func() {
            if r := recover(); r != nil {
                println("Recovered in f", r.(string))
            }
        }()
        println("Calling g.")
        g(0)
        println("Returned normally from g.")
    }

    func g(i int) {
        if i > 3 {
            println("Panicking!")
            panic(strconv.Itoa(i))
        }
        defer println("Defer in g", i)
        println("Printing in g", i)
        g(i + 1)
    }

Run it: ``python examples/panicrecover.py``.
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


def recover_in_f(rt: RefRuntime) -> None:
    with rt.defer_frame():  # a function that calls recover opens a frame
        slot0, slot1 = rt.gox_recover()
        if slot0 != 0:  # r != nil
            write(rt, "Recovered in f ")
            rt.gox_debug_print(slot1, K.STRING)


def defer_in_g(rt: RefRuntime, i: int) -> None:
    write(rt, "Defer in g ")
    rt.gox_debug_print(i, K.INT)


def g(rt: RefRuntime, i: int) -> None:
    if i > 3:
        write(rt, "Panicking!\n")
        text = rt.gox_rt_string_from_ptr(str(i).encode())
        rt.gox_panic(rt.gox_interface_pack(0, 0, K.STRING), text)
    with rt.defer_frame():
        rt.gox_defer_push(defer_in_g, [i])
        write(rt, "Printing in g ")
        rt.gox_debug_print(i, K.INT)
        g(rt, i + 1)


def f(rt: RefRuntime) -> None:
    with rt.defer_frame():
        rt.gox_defer_push(recover_in_f, [])
        write(rt, "Calling g.\n")
        g(rt, 0)
        write(rt, "Returned normally from g.\n")


def main(rt: RefRuntime) -> None:
    f(rt)
    write(rt, "Returned normally from f.\n")


if __name__ == "__main__":
    raise SystemExit(RefRuntime().run_main(main, [], seed=SEED))
