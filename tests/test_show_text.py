"""``gox-ref show --text``: the run in words (gox_program/show/text.py), built from the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from gox_program.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "show"


def show(capfd: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["show", *argv]) == 0
    out, err = capfd.readouterr()
    assert err == ""  # the program's own output is in the text, not on the terminal
    return out


def test_a_window_says_so(capfd: pytest.CaptureFixture[str]) -> None:
    out = show(capfd, str(EXAMPLES / "pingpong.gox"), "--text", "--from", "3", "--to", "5")
    lines = out.splitlines()
    assert lines[0] == "a window: steps 3..5 of 0..28"
    assert lines[1] == "step 3/28: clock 4 g1 park reason='chan send'"  # the whole state at the first
    assert [ln for ln in lines if ln.startswith("step ")] == [
        "step 3/28: clock 4 g1 park reason='chan send'", "step 4/28: clock 5 g2 run",
        "step 5/28: clock 6 g2 recv chan=7 sender=1 value=0"]


def test_state_at_a_step(capfd: pytest.CaptureFixture[str]) -> None:
    # step 3 of the ping-pong: main parked in ping's send queue, ponger not yet run
    out = show(capfd, str(EXAMPLES / "pingpong.gox"), "--text", "--at", "3")
    lines = out.splitlines()
    assert lines[0] == "step 3/28: clock 4 g1 park reason='chan send'"
    assert lines[1].startswith("gc: PAUSE, 0 cycles done, 8 objects (8 white), ")
    assert "  g1 main.main: waiting (chan send on #7); at main:21" in lines
    assert "  g2 main.ponger: runnable" in lines
    assert "  #7 chan Int cap 0: buf [] recvq [] sendq [g1(0)]" in lines
    assert "  #8 chan Int cap 0: buf [] recvq [] sendq []" in lines
    assert '  #2 String white: "pong " (5 bytes)' in lines
    assert "  global 0 -> #2" in lines
    assert lines[lines.index("stdout:") + 1] == "  ping 0"


def test_state_of_the_heap_mid_cycle(capfd: pytest.CaptureFixture[str]) -> None:
    out = show(capfd, str(EXAMPLES / "gc_cycles.gox"), "--text", "--at", "8")
    lines = out.splitlines()
    assert lines[0] == "step 8/40: clock 3 g1 shade child=9 parent=7"
    assert lines[1].startswith("gc: PROPAGATE, 0 cycles done, 9 objects (2 white, 2 gray, 5 black)")
    assert lines[1].endswith("; gray stack [#6 #9]")
    assert "  #7 Struct Node black: [0] -> #9, [1] = 3" in lines
    assert "  #9 Struct Node gray: [0] -> #6, [1] = 4" in lines
    assert "  goroutine 1: main local late -> #9" in lines


def test_the_story_of_a_run(capfd: pytest.CaptureFixture[str]) -> None:
    out = show(capfd, str(EXAMPLES / "select_default.gox"), "--text")
    assert "step 3/" in out and out.count("\nstep ") + 1 == len([ln for ln in out.splitlines() if ln.startswith("step ")])
    assert "select case=-1\n" in out and "select case=0\n" in out
    assert "  stdout: -1\n" in out and out.endswith("  stdout: 0 7\nstep 12/12: clock 12 g0 end status=0\n")
    parked = out[out.index("park reason='chan send'"):]
    assert "  #3 chan Int cap 0: buf [] recvq [] sendq [g2(7)]" in parked.splitlines()[:4]
    recover = show(capfd, str(EXAMPLES / "recover.gox"), "--text")
    assert "  g1 main.main: running; at main:21 > risky:16; deferred main.catcher; panicking boom\n" in recover
    assert "  g1 main.main: running; at main:21 > risky:16 > catcher:7; panicking boom [recovered]\n" in recover


@pytest.mark.parametrize(
    ("argv", "msg"),
    [
        (["pingpong.gox", "--text", "--at", "29"], "gox-ref: error: --at 29: the run of {dir}/pingpong.gox has steps 0..28"),
        (["pingpong.gox", "--text", "--at", "-1"], "gox-ref: error: --at -1: the run of {dir}/pingpong.gox has steps 0..28"),
        (["pingpong.gox", "--at", "3"], "gox-ref: error: --at is for --text (the page has every step: open it at #step=N)"),
        (["pingpong.gox", "--text", "--at", "3", "--from", "2"],
         "gox-ref: error: --at shows one step; --from/--to a window: give one or the other"),
        (["pingpong.gox", "--text", "-o", "x.html"],
         "gox-ref: error: --text prints the run; -o writes the page: give one or the other"),
        (["pingpong.gox", "--text", "--from", "9", "--to", "3"],
         "gox-ref: error: the run has steps 0..28; --from 9 --to 3 is not a window of them"),
        (["pingpong.gox", "--text", "--from", "built"],
         "gox-ref: error: --from built: the run of {dir}/pingpong.gox passed no checkpoint 'built'"),
        (["nope.gox", "--text"], "gox-ref: error: {dir}/nope.gox: no such file"),
    ],
)
def test_mistakes_get_one_line(capfd: pytest.CaptureFixture[str], argv: list[str], msg: str) -> None:
    argv = [str(EXAMPLES / argv[0]), *argv[1:]]
    assert main(["show", *argv]) == 2
    assert capfd.readouterr().err == msg.format(dir=EXAMPLES) + "\n"
