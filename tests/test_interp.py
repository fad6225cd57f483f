"""The reference runner: semantics not covered by the corpus, and rooting."""

from __future__ import annotations

import io

import pytest

from gox_program import load
from gox_program.case import execute, run_text
from gox_program.interp import Interpreter
from gox_ref import RefRuntime


def run(src: str, seed: int = 0) -> tuple[int | None, str, str]:
    o = run_text(src, "t.gox", seed)
    assert o.reject is None, o.reject
    return o.status, o.stdout.decode(), o.stderr.decode()


def test_output_and_status() -> None:
    assert run('func main() { gox_debug_print("hi", kind.String) }') == (0, "hi\n", "")


def test_unsigned_and_bitwise_ops() -> None:
    status, out, _ = run(
        "func main() {\n var a u64 = 12\n var b u64 = 10\n"
        " gox_debug_print(a & b, kind.Uint64)\n gox_debug_print(a | b, kind.Uint64)\n"
        " gox_debug_print(a ^ b, kind.Uint64)\n gox_debug_print(a &^ b, kind.Uint64)\n"
        " gox_debug_print(^a, kind.Uint64)\n gox_debug_print(a / 5, kind.Uint64)\n gox_debug_print(a % 5, kind.Uint64)\n}"
    )
    assert status == 0
    assert out.split() == ["8", "14", "6", "4", str(2**64 - 13), "2", "2"]


def test_short_circuit() -> None:
    _, out, _ = run(
        "func t() bool {\n gox_debug_print(\"t\", kind.String)\n return true\n}\n"
        "func main() {\n if false && t() { }\n if true || t() { }\n if true && t() { }\n}"
    )
    assert out == "t\n"


# Programs whose whole check is their output: (what they show, program, stdout).
OUTPUTS = [
    (
        "goroutine args are slots",
        "func w(ch ref, x f64, b bool, n i64) {\n gox_debug_print(x, kind.Float64)\n gox_debug_print(b, kind.Bool)\n"
        " gox_debug_print(n, kind.Int)\n gox_chan_send(ch, 1)\n}\n"
        "func main() {\n var ch ref = gox_chan_new(kind.Int, 0)\n go w(ch, 2.5, true, -3)\n gox_chan_recv(ch)\n}",
        "+2.500000e+000\ntrue\n-3\n",
    ),
    (
        "a recovered function returns zero results",
        "func c() {\n var a u64\n var b u64\n a, b = gox_recover()\n}\n"
        "func f() (i64, ref) {\n defer c()\n gox_panic(kind.Int, 1)\n return 5, nil\n}\n"
        "func main() {\n var x i64\n var r ref\n x, r = f()\n gox_debug_print(x, kind.Int)\n}",
        "0\n",
    ),
]


@pytest.mark.parametrize(("what", "src", "want"), OUTPUTS, ids=[o[0] for o in OUTPUTS])
def test_output(what: str, src: str, want: str) -> None:
    _, out, _ = run(src)
    assert out == want, what


def test_abi_error_ends_the_run_with_status_3() -> None:
    status, _, err = run("func main() {\n var r ref = ref(12345)\n gox_string_len(r)\n}")
    assert status == 3
    assert err.startswith("gox-ref: ABI error: gox_string_len")


def test_fuel_limit() -> None:
    o = run_text("func main() { for { } }", "t.gox", 0, fuel=1000)
    assert o.status == 3
    assert b"step limit exceeded" in o.stderr


def test_locals_and_temporaries_are_roots() -> None:
    prog = load(
        "func main() {\n var keep ref = gox_rt_string_concat(\"a\", \"b\")\n checkpoint \"x\"\n"
        " gox_debug_print(keep, kind.String)\n}"
    )
    seen: list[list[str]] = []
    rt = RefRuntime()

    def at(label: str) -> None:
        seen.append([w for src in rt.gc.root_sources for w, _ in src()])

    out, err = io.BytesIO(), io.BytesIO()
    rt.set_output(out, err)
    interp = Interpreter(prog, rt, on_checkpoint=at)
    assert interp.run() == 0
    assert any("main local keep" in w for w in seen[0])
    assert out.getvalue() == b"ab\n"
    assert not interp.stacks  # every frame popped


def test_checkpoint_hook_through_execute() -> None:
    prog = load('func main() {\n checkpoint "here"\n}')
    labels: list[str] = []
    status = execute(prog, seed=0, out=io.BytesIO(), err=io.BytesIO(), on_checkpoint=lambda rt, lb: labels.append(lb))
    assert status == 0 and labels == ["here"]


