"""``gox_os_exit`` (os.Exit): the status is the code's low byte on both backends, no deferred
call runs, and a host's call outside a program is an ABI error that leaves the runtime intact.
The program-level behaviour (from main, from a goroutine, during a panic, in parallel mode) is
the corpus's: conformance/exit and conformance/parallel/os_exit_while_others_run, each with its
Go twin."""

from __future__ import annotations

import pytest
from conftest import PYTHON_GOROUTINES, Runtime, gstr, native_library_or_skip, run, sread

from gox_program import case, native
from gox_ref import GoxABIError, RefRuntime, ValueKind

OUTSIDE = "gox_os_exit: os.Exit({}) outside a running program (call it from a goroutine under run_main)"


# -- a host's call ------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [0, 3, -1])
def test_a_host_call_is_an_abi_error_naming_the_code_and_the_runtime_goes_on(rt: Runtime, code: int) -> None:
    with pytest.raises(GoxABIError) as e:
        rt.gox_os_exit(code)
    assert str(e.value) == OUTSIDE.format(code)
    assert sread(rt, gstr(rt, "still here")) == b"still here"


def test_a_code_beyond_int64_is_refused_by_the_argument_check(rt: Runtime) -> None:
    with pytest.raises(GoxABIError, match=r"gox_os_exit: code=9223372036854775808 is out of range for int64_t"):
        rt.gox_os_exit(1 << 63)


# -- in a program: Go 1.19.8 on linux/amd64 exits with the code's low byte ----------------------
# (os.Exit(256) -> status 0, os.Exit(-1) -> 255: conformance/exit/code_low_byte.go)
CODES = [(3, 3), (255, 255), (256, 0), (-1, 255), ((1 << 40) + 7, 7), (-(1 << 63), 0)]


def _program(code: int) -> str:
    return (
        "func main() {\n"
        '    defer gox_debug_print("deferred", kind.String)\n'
        '    gox_debug_print("before", kind.String)\n'
        f"    gox_os_exit({code})\n"
        "}\n"
    )


@pytest.mark.parametrize(("code", "status"), CODES)
def test_the_status_is_the_low_byte_of_the_code_on_the_reference(code: int, status: int) -> None:
    o = case.run_text(_program(code), "exit.gox", 0)
    assert (o.status, o.stdout, o.stderr) == (status, b"before\n", b"")


@pytest.mark.parametrize(("code", "status"), [(256, 0), (-1, 255), (-(1 << 63), 0)])
def test_the_status_is_the_low_byte_of_the_code_on_the_native_backend(code: int, status: int) -> None:
    native_library_or_skip(sched=True)
    o = native.run_text(_program(code), "exit.gox", 0)
    assert isinstance(o, case.Outcome), o
    assert (o.status, o.stdout, o.stderr) == (status, b"before\n", b"")


@PYTHON_GOROUTINES
def test_exit_from_a_goroutine_abandons_main_and_the_runtime_runs_another_program() -> None:
    rt = RefRuntime()
    log: list[str] = []

    def exiter(rt: RefRuntime) -> None:
        rt.gox_os_exit(7)
        log.append("exiter goes on")  # never

    def main(rt: RefRuntime) -> None:
        frame = rt.gox_defer_frame_enter()
        rt.gox_defer_push(lambda rt: log.append("deferred"), [])
        rt.gox_go_spawn(exiter, [])
        rt.gox_chan_recv(rt.gox_chan_new(ValueKind.INT, 0))
        rt.gox_defer_frame_exit(frame)

    assert run(main, rt=rt) == (7, b"", b"")
    assert log == []
    assert not rt.goroutines and rt.hub is None
    assert run(lambda rt: None, rt=rt)[0] == 0
